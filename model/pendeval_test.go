package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"plasticity/linalg"
)

// TestPendingProducts checks the bound of pendeval.go: after LifetimeScore
// on a network forced onto the wide transposed path (every step kept aside to
// the end), the products with the corrections of the steps kept aside (as
// its evaluation takes them) and those of the weights folded exact in value
// differ by at most pendingProductBound, over random kept rows and inputs.
// Leaving out one step's correction, or all of them, must break the bound.
func TestPendingProducts(t *testing.T) {
	defer saveTransposed()()
	setTransposed("transposed-end")
	for _, act := range []Activation{Sigmoid, ReLU} {
		q, w0, _ := pendingLifetime(t, act, 60)
		checkPendingProducts(t, q, w0, 60, NewRand(11, "pending-u", uint64(act)))
	}
}

// TestPendingEvalMatchesPerSample checks LifetimeScore's evaluation over the
// steps kept aside (the blocked transposed pass adding their corrections) bit
// for bit against forwardTransposed one sample at a time with the same steps
// kept aside: every round's activations and the logits.
func TestPendingEvalMatchesPerSample(t *testing.T) {
	defer saveTransposed()()
	setTransposed("transposed-end")
	for _, act := range []Activation{Sigmoid, ReLU, Linear} {
		const steps = 60
		q, _, st := pendingLifetime(t, act, steps)
		c, b := q.Cfg, q.bat
		h, o := c.Hidden, c.Outputs
		if b.size < steps {
			t.Fatalf("a block of %d samples holds less than the batch's %d", b.size, steps)
		}
		for s := range steps {
			linalg.AddScaled(q.drive, st.d[s*h:(s+1)*h], st.sx[s], q.inAcc)
			q.forwardTransposed()
			if j := sameBits(b.out[s*o:(s+1)*o], q.logits); j >= 0 {
				t.Fatalf("%s: sample %d logit %d = %v, per sample %v", act, s, j, b.out[s*o+j], q.logits[j])
			}
			for r := 0; r <= c.Rounds; r++ {
				got := b.act[(r*b.size+s)*h : (r*b.size+s+1)*h]
				if j := sameBits(got, q.act[r*h:(r+1)*h]); j >= 0 {
					t.Fatalf("%s: sample %d round %d activation %d = %v, per sample %v", act, s, r, j, got[j], q.act[r*h+j])
				}
			}
		}
	}
}

// pendingLifetime runs LifetimeScore on a network of activation act forced
// onto the wide transposed path, over steps random samples, and returns the
// network (its steps kept aside as its evaluation read them), the initial
// weights and the start.
func pendingLifetime(t *testing.T, act Activation, steps int) (*Network, *Network, *Start) {
	t.Helper()
	cfg := Config{Inputs: 30, Hidden: 96, Outputs: 4, Rounds: 3, Cap: 24, Eta: 0.01, EdgeProb: 1, Act: act,
		Drive: DriveA0, Init: InitNormal}
	ds := randomSamples(steps, cfg.Inputs, cfg.Outputs, 5)
	idx := allIndices(steps)
	rules := normalRules(cfg.Rounds, NewRand(7, "pending-rules", 0))
	w0, err := NewNetwork(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w0.Init(NewRand(3, "pending-init", 0))
	st, err := NewStart(w0, ds, idx)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := NewNetwork(cfg)
	if _, _, err := q.LifetimeScore(st, rules); err != nil {
		t.Fatal(err)
	}
	if tr := q.tr; tr == nil || tr.npend < 2 || !tr.borrowed || !tr.wide || !q.valueFoldSafe() {
		t.Fatalf("%s: LifetimeScore did not keep steps aside for its evaluation", act)
	}
	return q, w0, st
}

// checkPendingProducts makes the comparison of TestPendingProducts on q, just
// after its LifetimeScore from w0's weights over steps steps; it folds q's
// steps kept aside.
func checkPendingProducts(t *testing.T, q, w0 *Network, steps int, rng *rand.Rand) {
	t.Helper()
	h, k, p := q.Cfg.Hidden, q.Cfg.Cap, q.Cfg.Patterns()
	tr := q.tr
	var m float64
	for _, v := range q.hidStep {
		m = max(m, math.Abs(float64(v)))
	}
	const trials = 20
	us, sels := make([][]float32, trials), make([][]int32, trials)
	pend, oneLess, none := make([][]float32, trials), make([][]float32, trials), make([][]float32, trials)
	for i := range trials {
		us[i] = make([]float32, h)
		for _, j := range rng.Perm(h)[:k] {
			sels[i] = append(sels[i], int32(j))
			us[i][j] = float32(rng.NormFloat64())
		}
		pend[i], oneLess[i], none[i] = make([]float32, h), make([]float32, h), make([]float32, h)
		q.productTransposed(pend[i], us[i], sels[i], false)
		tr.npend--
		q.productTransposed(oneLess[i], us[i], sels[i], false)
		npend := tr.npend + 1
		tr.npend = 0
		q.productTransposed(none[i], us[i], sels[i], false)
		tr.npend = npend
	}
	q.foldTransposed()
	within := func(got, want []float32, u []float32, sel []int32) int {
		for i := range h {
			var s float64
			for _, j := range sel {
				s += (math.Abs(float64(w0.Whid[i*h+int(j)])) + 3*float64(steps)*m) * math.Abs(float64(u[j]))
			}
			if !(math.Abs(float64(got[i])-float64(want[i])) <= pendingProductBound(s, steps, len(sel), p)) {
				return i
			}
		}
		return -1
	}
	brokenOne, brokenAll := false, false
	folded := make([]float32, h)
	for i := range trials {
		q.productTransposed(folded, us[i], sels[i], false)
		if j := within(pend[i], folded, us[i], sels[i]); j >= 0 {
			t.Fatalf("%s, trial %d: product %d is %v with the steps kept aside, %v folded: beyond the bound", q.Cfg.Act, i,
				j, pend[i][j], folded[j])
		}
		brokenOne = brokenOne || within(oneLess[i], folded, us[i], sels[i]) >= 0
		brokenAll = brokenAll || within(none[i], folded, us[i], sels[i]) >= 0
	}
	if !brokenOne || !brokenAll {
		t.Errorf("%s: leaving out one step's correction (%v) or all (%v) stays within the bound", q.Cfg.Act, brokenOne, brokenAll)
	}
}
