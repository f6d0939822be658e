package experiment

import (
	"math"
	"slices"
	"testing"

	"plasticity/model"
)

// ourGD is our GD's model (main's bestGD) on the synthetic set's network.
func ourGD(steps int) GDOptions {
	cfg := model.Synthetic(0, 0)
	cfg.Act, cfg.Init, cfg.Drive, cfg.Update = model.ReLU, model.InitScaled, model.DriveRaw, model.UpdateMisclassified
	o := DefaultGD(Options{Model: cfg, Seed: 1, Workers: 1, Batch: 100, EvalLifetimes: 3})
	o.Steps, o.EvalEvery = steps, 100
	return o
}

// TestTrainGDLearns guards the direction of the whole chain (gradient, Adam,
// rules): a few hundred steps must lift the test accuracy well above chance
// (0.25) and lower the loss from where it starts.
func TestTrainGDLearns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a second")
	}
	ds := smallData(t)
	res, err := TrainGD(ourGD(400), ds)
	if err != nil {
		t.Fatal(err)
	}
	first, last := res.Rows[0], res.Rows[len(res.Rows)-1]
	t.Logf("test %.3f majority %.3f", res.Final.TestAccuracy, res.Final.TestMajority)
	if res.Final.TestAccuracy < 0.6 || res.Final.TestMajority > 0.5 {
		t.Errorf("after 400 steps: test accuracy %.3f, majority %.3f", res.Final.TestAccuracy, res.Final.TestMajority)
	}
	var early, late float64
	for i := range 50 {
		early += res.Rows[i].Loss
		late += res.Rows[len(res.Rows)-1-i].Loss
	}
	if !(late < 0.8*early) {
		t.Errorf("mean loss of the first 50 steps %.3f, of the last 50 %.3f", early/50, late/50)
	}
	if first.Step != 1 || last.Step != 400 || math.IsNaN(last.TestAccuracy) || !math.IsNaN(first.TestAccuracy) {
		t.Errorf("rows: first %+v, last %+v", first, last)
	}
	// Frozen tables stay zero; the output table moved.
	r := res.Rules
	if slices.ContainsFunc(r.Input(), func(v float32) bool { return v != 0 }) ||
		slices.ContainsFunc(r.Hidden(), func(v float32) bool { return v != 0 }) {
		t.Error("a frozen table moved")
	}
	if !slices.ContainsFunc(r.Output(), func(v float32) bool { return v != 0 }) {
		t.Error("the output table did not move")
	}
}

func TestTrainGDDeterministic(t *testing.T) {
	ds := smallData(t)
	o := ourGD(30)
	o.Freeze, o.RuleInitStd = nil, 1
	o.Model.Norm = model.NormOutgoing
	a, err := TrainGD(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	o.Workers = 2
	b, err := TrainGD(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "rules", a.Rules.Theta, b.Rules.Theta)
	o.Seed = 2
	c, err := TrainGD(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a.Rules.Theta, c.Rules.Theta) {
		t.Error("another seed gave the same rules")
	}
}

func TestGDStepperStepAndTest(t *testing.T) {
	ds := smallData(t)
	s, err := NewGDStepper(ourGD(1), ds)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Test(); err == nil {
		t.Error("Test before any step gave no error")
	}
	before := s.Rules.Clone()
	row, err := s.Step()
	if err != nil {
		t.Fatal(err)
	}
	if row.Step != 1 || !(row.GradNorm > 0) || row.Loss <= 0 {
		t.Errorf("row %+v", row)
	}
	if slices.Equal(before.Theta, s.Rules.Theta) {
		t.Error("a step left the rules unchanged")
	}
	sc, err := s.Test()
	if err != nil || sc.N != ds.Test.Len() {
		t.Errorf("Test: %v, %d samples", err, sc.N)
	}
}

func TestGDOptionsRejected(t *testing.T) {
	ds := smallData(t)
	for name, change := range map[string]func(*GDOptions){
		"steps":    func(o *GDOptions) { o.Steps = 0 },
		"lr":       func(o *GDOptions) { o.LR = -1 },
		"wd":       func(o *GDOptions) { o.WeightDecay = math.NaN() },
		"std":      func(o *GDOptions) { o.RuleInitStd = -1 },
		"freeze":   func(o *GDOptions) { o.Freeze = []string{"outputs"} },
		"loss":     func(o *GDOptions) { o.Loss = "mse" },
		"every":    func(o *GDOptions) { o.EvalEvery = -1 },
		"batch":    func(o *GDOptions) { o.Batch = 0 },
		"capacity": func(o *GDOptions) { o.Model.Cap = 50 },
	} {
		o := ourGD(10)
		change(&o)
		if _, err := TrainGD(o, ds); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
