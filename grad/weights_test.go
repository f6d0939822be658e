package grad

import (
	"math"
	"slices"
	"testing"

	"plasticity/model"
)

// fdHW is the finite-difference step on the initial weights: smaller than
// on the rules (fdH), since a weight moves by the whole step, not eta times it.
const fdHW = 2e-3

// initWeights gives n the problem's initial weights: the fixed draw, or w0.
func (p fdProblem) initWeights(n *model.Network) {
	n.Init(model.NewRand(7, "fd-init", 0))
	if p.w0 != nil {
		k := copy(n.Win, p.w0)
		k += copy(n.Whid, p.w0[k:])
		copy(n.Wout, p.w0[k:])
	}
}

// weightGradient returns the hand-derived gradient of the rules and of the
// initial weights (flattened as w0), with every matrix learned, the rule
// tables frozen as frozen says, and fault f built in.
func (p fdProblem) weightGradient(t *testing.T, f fault, frozen [3]bool) (theta, w []float32) {
	t.Helper()
	n, err := model.NewNetwork(p.cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(p.cfg)
	if err != nil {
		t.Fatal(err)
	}
	b.fault, b.Loss, b.factor, b.Frozen = f, p.loss, p.factor, frozen
	b.Learn = [3]bool{true, true, true}
	g := make([]float32, len(p.theta))
	p.initWeights(n)
	if _, err := b.Gradient(n, model.Rules{Rounds: p.cfg.Rounds, Theta: p.theta}, p.ds, p.idx, g); err != nil {
		t.Fatal(err)
	}
	for k := range 3 {
		w = append(w, b.InitialGradient(k)...)
	}
	return g, w
}

// checkWeights compares g with finite differences of the loss with respect
// to the initial weights w0, entry by entry (absent synapses excepted), as
// check does for the rules.
func (p fdProblem) checkWeights(t *testing.T, g []float32) fdResult {
	t.Helper()
	n, err := model.NewNetwork(p.cfg)
	if err != nil {
		t.Fatal(err)
	}
	var gmax float64
	for _, v := range g {
		gmax = max(gmax, math.Abs(float64(v)))
	}
	_, base := p.lossAt(n, p.theta)
	off := len(n.Win)
	absent := map[int]bool{}
	for _, a := range n.Absent() {
		absent[off+int(a)] = true
	}
	w0 := p.w0
	var res fdResult
	for k := range w0 {
		if absent[k] {
			if g[k] != 0 {
				t.Errorf("absent synapse %d has gradient %v", k-off, g[k])
			}
			continue
		}
		var ls [4]float64
		var sigs [4][]int32
		orig := w0[k]
		for m, d := range []float32{-2, -1, 1, 2} {
			w0[k] = orig + d*fdHW
			ls[m], sigs[m] = p.lossAt(n, p.theta)
		}
		w0[k] = orig
		same := true
		for _, sg := range sigs {
			same = same && slices.Equal(sg, base)
		}
		if !same {
			res.skipped++
			continue
		}
		res.checked++
		fd := (8*(ls[2]-ls[1]) - (ls[3] - ls[0])) / (12 * fdHW)
		gk := float64(g[k])
		if math.Abs(gk) > 1e-2*gmax {
			res.nonzero++
		}
		v := math.Abs(fd-gk) / (fdRel*(math.Abs(fd)+math.Abs(gk)) + fdAbs*gmax + 1e-30)
		if v > res.worst || math.IsNaN(v) {
			res.worst, res.worstK, res.worstFD, res.worstG = v, k, fd, gk
		}
	}
	return res
}

// withW0 returns p with its initial weights drawn and held in w0. Under
// init=zero they are drawn as under init=normal: from all-zero weights every
// cap choice is a tie that most perturbations break, and learned initial
// weights leave zero after the first step anyway.
func withW0(t *testing.T, p fdProblem) fdProblem {
	cfg := p.cfg
	if cfg.Init == model.InitZero {
		cfg.Init = model.InitNormal
	}
	n, err := model.NewNetwork(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n.Init(model.NewRand(7, "fd-init", 0))
	p.w0 = slices.Concat(n.Win, n.Whid, n.Wout)
	return p
}

// TestWeightsFiniteDifferences checks dL/dW_0 of every weight matrix against
// finite differences on every option combination, for the default loss and
// for MSE, and that it leaves the rules' gradient bit for bit as it is.
func TestWeightsFiniteDifferences(t *testing.T) {
	var checked, skipped, nonzero int
	var worst float64
	for _, cfg := range allConfigs() {
		for _, loss := range []Loss{CrossEntropy, MSE} {
			p := withW0(t, newProblem(cfg, 8, 3))
			p.loss = loss
			theta, g := p.weightGradient(t, faultNone, [3]bool{})
			r := p.checkWeights(t, g)
			if !(r.worst <= 1) {
				t.Errorf("%s loss %d: entry %d: finite difference %.6g, gradient %.6g (%.3g times the bound)",
					name(cfg), loss, r.worstK, r.worstFD, r.worstG, r.worst)
			}
			if r.checked < r.skipped || r.nonzero < 2 {
				t.Errorf("%s loss %d: %d entries checked (%d skipped), %d non-zero", name(cfg), loss, r.checked, r.skipped, r.nonzero)
			}
			checked, skipped, nonzero, worst = checked+r.checked, skipped+r.skipped, nonzero+r.nonzero, max(worst, r.worst)
			// The rules' gradient is the one computed without Learn, and
			// the weights' does not depend on which tables are frozen.
			if want := p.gradient(t, faultNone); !slices.Equal(theta, want) {
				t.Errorf("%s: learning the weights changed the rules' gradient", name(cfg))
			}
			if _, gf := p.weightGradient(t, faultNone, [3]bool{true, true, true}); !slices.Equal(gf, g) {
				t.Errorf("%s: the weights' gradient with every table frozen differs", name(cfg))
			}
		}
	}
	t.Logf("%d entries checked (%d non-zero), %d skipped for a changed pattern; worst %.3g of the bound",
		checked, nonzero, skipped, worst)
}

// TestWrongWeightGradientsFail shows the check catches a wrong dL/dW_0: the
// first normalisation's Jacobian forgotten (norm=outgoing), and a0's path
// through the rounds dropped (drive=a0).
func TestWrongWeightGradientsFail(t *testing.T) {
	for f, what := range map[fault]string{
		faultSkipFirstNorm: "first normalisation forgotten",
		faultDropA0Path:    "a0 feeds every round: term dropped",
	} {
		caught, relevant := 0, 0
		for _, cfg := range allConfigs() {
			p := withW0(t, newProblem(cfg, 8, 3))
			_, good := p.weightGradient(t, faultNone, [3]bool{})
			_, bad := p.weightGradient(t, f, [3]bool{})
			var gmax, diff float64
			for k := range good {
				gmax = max(gmax, math.Abs(float64(good[k])))
				diff = max(diff, math.Abs(float64(bad[k]-good[k])))
			}
			if diff <= 0.05*gmax {
				continue
			}
			relevant++
			if r := p.checkWeights(t, bad); r.worst > 1 {
				caught++
			} else {
				t.Errorf("%s: %s passes the check (worst %.3g of the bound)", what, name(cfg), r.worst)
			}
		}
		if relevant < 8 {
			t.Errorf("%s: changes the weights' gradient in only %d configurations", what, relevant)
		}
		t.Logf("%s: caught in %d of %d configurations it changes", what, caught, relevant)
	}
}
