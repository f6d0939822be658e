package experiment

import (
	"math"
	"slices"
	"strings"
	"testing"

	"plasticity/grad"
	"plasticity/model"
)

// TestGDHorizonStep rebuilds a GD step with a horizon by hand: the gradient
// of the batch's lifetime from the step's initial weights and that of the
// horizon's window from initial weights of their own, averaged, then one
// Adam step. The stepper must hold the same gradient, land on the same
// rules and report the mean loss; a step that drops the horizon, or uses the
// batch's initial weights for it, must not. (Adam's first step moves each
// entry by about lr times the gradient's sign, so the gradient is compared
// too.)
func TestGDHorizonStep(t *testing.T) {
	ds := smallData(t)
	o := ourGD(1)
	o.Freeze, o.RuleInitStd, o.Horizon = nil, 0.5, 300
	o.Model.Norm = model.NormBoth
	s, err := NewGDStepper(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	theta := slices.Clone(s.Rules.Theta)
	row, err := s.Step()
	if err != nil {
		t.Fatal(err)
	}

	cfg := fitModel(o.Model, ds)
	net, _ := model.NewNetwork(cfg)
	bp, _ := grad.New(cfg)
	r := model.NewRules(cfg.Rounds)
	copy(r.Theta, theta)
	lifetime := func(stream string, idx []int32) ([]float32, float64) {
		net.Init(model.NewRand(o.Seed, stream, 0))
		g := make([]float32, len(theta))
		sc, err := bp.Gradient(net, r, ds.Train, idx, g)
		if err != nil {
			t.Fatal(err)
		}
		return g, sc.Loss
	}
	window := horizonWindow(o.Seed, 0, ds.Train.Len(), o.Horizon)
	gb, lb := lifetime("init", NewBatches(o.Seed, ds.Train.Len(), o.Batch).Batch(0))
	gh, lh := lifetime("init-horizon", window)
	gs, _ := lifetime("init", window) // the wrong initial weights
	mean := func(g2 []float32) []float32 {
		g := make([]float32, len(gb))
		for i := range g {
			g[i] = (gb[i] + g2[i]) / 2
		}
		return g
	}
	step := func(g2 []float32) []float32 {
		a, _ := grad.NewAdam(len(gb), o.LR, o.WeightDecay)
		th := slices.Clone(theta)
		a.Step(th, mean(g2))
		return th
	}
	sameBits(t, "gradient of a horizon step", s.g, mean(gh))
	sameBits(t, "rules after a horizon step", s.Rules.Theta, step(gh))
	if math.Abs(row.Loss-(lb+lh)/2) > 1e-12 {
		t.Errorf("loss %v, want the mean of %v and %v", row.Loss, lb, lh)
	}
	if slices.Equal(s.g, mean(gb)) || slices.Equal(s.g, mean(gs)) {
		t.Error("a step without the horizon, or with the batch's initial weights for it, gives the same rules")
	}
}

// TestGDHorizonRefused: a horizon longer than the training split, negative,
// or with learned initial weights is refused with a message naming it.
func TestGDHorizonRefused(t *testing.T) {
	ds := smallData(t)
	for _, c := range []struct {
		h     int
		learn []string
	}{{-1, nil}, {ds.Train.Len() + 1, nil}, {100, []string{"input"}}} {
		o := ourGD(1)
		o.Horizon, o.LearnWeights = c.h, c.learn
		if _, err := NewGDStepper(o, ds); err == nil || !strings.Contains(err.Error(), "horizon") {
			t.Errorf("horizon %d, learn %v: error %v", c.h, c.learn, err)
		}
	}
}

// TestGDHorizonResume: a GD run with a horizon stopped after 5 steps and
// resumed from its checkpoint (which keeps the horizon) to 12 ends on the
// rules of an uninterrupted run, with any number of workers; a resume that
// lost the horizon would not.
func TestGDHorizonResume(t *testing.T) {
	ds := smallData(t)
	o := resumableGD(12)
	o.Horizon, o.Model.FreeReadout = 200, true
	full, err := Train(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := resumableGD(5)
	p.Horizon, p.Model.FreeReadout, p.Dir = 200, true, dir
	if _, err := Train(p, ds); err != nil {
		t.Fatal(err)
	}
	ck, err := ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ck.GD.Horizon != 200 || !ck.GD.Model.FreeReadout {
		t.Fatalf("checkpoint options: horizon %d, free readout %v", ck.GD.Horizon, ck.GD.Model.FreeReadout)
	}
	ro := *ck.GD
	ro.Steps, ro.Workers = 12, 2
	part, err := Resume(ck, ro, ds)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "rules", full.Rules.Theta, part.Rules.Theta)
	ck2, _ := ReadCheckpoint(dir)
	lost := *ck2.GD
	lost.Horizon = 0
	if r, err := Resume(ck2, lost, ds); err == nil && slices.Equal(r.Rules.Theta, full.Rules.Theta) {
		t.Error("a resume without the horizon ended on the same rules")
	}
}
