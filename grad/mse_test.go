package grad

import (
	"testing"
)

// squaredError is sum_c (s_c - [c == y])^2.
func squaredError(s []float64, y int) float64 {
	var e float64
	for c, v := range s {
		if c == y {
			v--
		}
		e += v * v
	}
	return e
}

// TestMSEFiniteDifferences checks the gradient of the MSE loss (docs/model.md §10.3)
// against finite differences on every option combination, and that the same
// check catches the softmax Jacobian's coupling term dropped.
func TestMSEFiniteDifferences(t *testing.T) {
	var worst float64
	caught, relevant, nonzero, checked := 0, 0, 0, 0
	for _, cfg := range allConfigs() {
		p := newProblem(cfg, 8, 3)
		p.loss = MSE
		good := p.gradient(t, faultNone)
		r := p.check(t, good)
		if !(r.worst <= 1) {
			t.Errorf("%s: coordinate %d: finite difference %.6g, gradient %.6g (%.3g times the bound)",
				name(cfg), r.worstK, r.worstFD, r.worstG, r.worst)
		}
		worst = max(worst, r.worst)
		nonzero += r.nonzero
		checked += r.checked
		bad := p.gradient(t, faultMSEDropCoupling)
		if !changes(good, bad, r.skip) {
			continue
		}
		relevant++
		if rb := p.check(t, bad); rb.worst > 1 {
			caught++
		} else {
			t.Errorf("MSE without the coupling term passes the check on %s (worst %.3g of the bound)", name(cfg), rb.worst)
		}
	}
	if relevant < 10 || nonzero < checked/3 {
		t.Errorf("the dropped term changes the gradient in %d configurations; %d of %d coordinates non-zero", relevant, nonzero, checked)
	}
	t.Logf("MSE: %d coordinates checked (%d non-zero), worst %.3g of the bound; dropped coupling caught in %d of %d",
		checked, nonzero, worst, caught, relevant)
}
