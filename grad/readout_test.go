package grad

import (
	"slices"
	"testing"
)

// TestWrongFreeReadoutGradientFails: under FreeReadout the walk takes Wout's
// normalisation Jacobians as the identity (the model records its norms as
// zero). The gradient derived as if Wout were normalised, the deliberately
// wrong term here, must fail the finite-difference check of the free
// readout's loss wherever it differs from the right one.
func TestWrongFreeReadoutGradientFails(t *testing.T) {
	i := slices.IndexFunc(section10Variants(), func(v variant) bool { return v.name == "free-readout" })
	caught, relevant := 0, 0
	for _, cfg := range variantConfigs(section10Variants()[i]) {
		p := newProblem(cfg, 8, 3)
		q := p
		q.cfg.FreeReadout = false
		good, bad := p.gradient(t, faultNone), q.gradient(t, faultNone)
		r := p.check(t, bad)
		if !changes(good, bad, r.skip) {
			continue
		}
		relevant++
		if r.worst > 1 {
			caught++
		} else {
			t.Errorf("%s: the normalised readout's gradient passes the check (worst %.3g of the bound)", name(cfg), r.worst)
		}
	}
	if relevant < 10 {
		t.Errorf("the normalised readout's gradient differs in only %d configurations", relevant)
	}
	t.Logf("normalised readout's gradient: caught in %d of %d configurations it changes", caught, relevant)
}
