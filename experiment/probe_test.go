package experiment

import (
	"slices"
	"testing"

	"plasticity/baseline"
	"plasticity/data"
	"plasticity/model"
)

// TestAblateZeroesExactlyTheNamedTables: every subset of the tables, named
// in any order, is zeroed and the rest kept bit for bit; the loaded rules
// are left untouched; unknown and repeated names are refused.
func TestAblateZeroesExactlyTheNamedTables(t *testing.T) {
	r := model.NewRules(2)
	for i := range r.Theta {
		r.Theta[i] = float32(i + 1)
	}
	orig := r.Clone()
	names := []string{"input", "hidden", "output"}
	tables := func(r model.Rules) [][]float32 { return [][]float32{r.Input(), r.Hidden(), r.Output()} }
	for mask := range 8 {
		var list []string
		for i := 2; i >= 0; i-- { // reversed: the order of names does not matter
			if mask&(1<<i) != 0 {
				list = append(list, names[i])
			}
		}
		a, err := Ablate(r, list)
		if err != nil {
			t.Fatal(err)
		}
		for i, tab := range tables(a) {
			zeroed := mask&(1<<i) != 0
			if zeroed && slices.ContainsFunc(tab, func(v float32) bool { return v != 0 }) {
				t.Errorf("%v: table %s not zeroed: %v", list, names[i], tab)
			}
			if !zeroed && !slices.Equal(tab, tables(orig)[i]) {
				t.Errorf("%v: table %s changed: %v", list, names[i], tab)
			}
		}
	}
	if !slices.Equal(r.Theta, orig.Theta) {
		t.Error("Ablate changed the rules it was given")
	}
	for _, bad := range [][]string{{"inputs"}, {"output", "output"}, {""}} {
		if _, err := Ablate(r, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// tinyProbe is a case worked by hand: one input, two hidden neurons, cap 1,
// R = 0, linear, all weights zero at the start. The input table adds
// eta*v = 0.5 to every input weight at every step whatever the patterns, so
// after one pass over the 10 training samples Win = (5, 5), both drives
// are 5x, and the cap keeps neuron 0 (the lower index among equals): the
// feature is (5x, 0), which the sign of x labels. The untrained network's
// features are all 0, so its probe can only answer the training majority,
// class 1: 3 of the 5 test samples. The output table is zero, so the
// transfer's own readout stays 0 and answers class 0: 2 of 5.
func tinyProbe() (TransferOptions, model.Rules, data.Dataset) {
	cfg := model.Config{Hidden: 2, Cap: 1, Rounds: 0, Eta: 0.5, EdgeProb: 1, Act: model.Linear, Init: model.InitZero}
	o := TransferOptions{Options: Options{Model: cfg, Seed: 1, Batch: 1, EvalLifetimes: 1}, Passes: 1}
	r, _ := model.RulesFromTables(0, []float32{1, 1}, []float32{0, 0, 0, 0}, []float32{0, 0, 0, 0})
	ds := data.Dataset{Name: "tiny", Classes: 2,
		Train: model.Samples{X: []float32{-2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2, 2.5, 3}, Y: []int32{0, 0, 0, 0, 1, 1, 1, 1, 1, 1}, Dim: 1},
		Test:  model.Samples{X: []float32{-1, -2, 1, 2, 0.7}, Y: []int32{0, 0, 1, 1, 1}, Dim: 1}}
	return o, r, ds
}

func TestProbeByHand(t *testing.T) {
	o, r, ds := tinyProbe()
	fit := baseline.Options{LR: 0.1, Epochs: 300, Patience: 300}
	p, err := Probe(o, r, ds, fit)
	if err != nil {
		t.Fatal(err)
	}
	if p.Trained.TrainAccuracy != 1 || p.Trained.TestAccuracy != 1 {
		t.Errorf("probe after the transfer: train %v, test %v, want 1 and 1", p.Trained.TrainAccuracy, p.Trained.TestAccuracy)
	}
	if p.Untrained.TrainAccuracy != 0.6 || p.Untrained.TestAccuracy != 0.6 {
		t.Errorf("probe of the untrained network: train %v, test %v, want 0.6 and 0.6", p.Untrained.TrainAccuracy, p.Untrained.TestAccuracy)
	}
	if p.Transfer.FinalTest.Accuracy != 0.4 {
		t.Errorf("the transfer's readout: test %v, want 0.4", p.Transfer.FinalTest.Accuracy)
	}
	_, n, err := TransferNetwork(o, r, ds)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(n.Win, []float32{5, 5}) {
		t.Errorf("Win after the transfer %v, want [5 5]", n.Win)
	}
	// With the input table ablated nothing changes the features: both probes
	// see the untrained network.
	a, err := Ablate(r, []string{"input"})
	if err != nil {
		t.Fatal(err)
	}
	p, err = Probe(o, a, ds, fit)
	if err != nil {
		t.Fatal(err)
	}
	if p.Trained.Fit.Loss != p.Untrained.Fit.Loss || p.Trained.TestAccuracy != 0.6 || p.Untrained.TestAccuracy != 0.6 {
		t.Errorf("probe with the input table ablated %+v, untrained %+v, want both 0.6", p.Trained, p.Untrained)
	}
	if _, err := Probe(o, r, ds, baseline.Options{Hidden: 3}); err == nil {
		t.Error("a probe with a hidden layer accepted")
	}
}
