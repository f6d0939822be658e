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
