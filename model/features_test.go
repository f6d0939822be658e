package model

import (
	"math"
	"slices"
	"testing"
)

// TestCappedFeaturesByHand reads the tiny network's last round (see tiny):
// a2 = (8, 0, 4) for x = (1, 2), and for x = (2, 1): Win x = (2, 1, 3),
// a0 = (2, 0, 3), round 1 in = (4, 0, 6), Whid in = (0, 6, 4), a1 = (0, 6, 4),
// round 2 in = (2, 6, 7), Whid in = (6, 7, 2), a2 = (6, 7, 0).
func TestCappedFeaturesByHand(t *testing.T) {
	n := tiny(t, Linear, DriveA0)
	ds := Samples{X: []float32{1, 2, 2, 1}, Y: []int32{1, 0}, Dim: 2}
	f := n.CappedFeatures(ds)
	want := []float32{8, 0, 4, 6, 7, 0}
	if f.Dim != 3 || !slices.Equal(f.X, want) || !slices.Equal(f.Y, ds.Y) {
		t.Fatalf("features %v (dim %d, labels %v), want %v (dim 3, labels %v)", f.X, f.Dim, f.Y, want, ds.Y)
	}
}

// TestCappedFeaturesMatchForward compares the batched features with the
// straightforward forward pass (refForward), sample by sample, on every
// activation, drive and R = 0..3, over more samples than one block holds.
func TestCappedFeaturesMatchForward(t *testing.T) {
	strict := 0
	for _, act := range []Activation{Sigmoid, ReLU, Linear} {
		for _, drive := range []Drive{DriveA0, DriveRaw} {
			for r := range 4 {
				cfg := Config{Inputs: 11, Hidden: 23, Outputs: 3, Rounds: r, Cap: 7, Eta: 0.01, EdgeProb: 1,
					Act: act, Drive: drive, Init: InitScaled}
				n, err := NewNetwork(cfg)
				if err != nil {
					t.Fatal(err)
				}
				n.Init(NewRand(5, "features", uint64(r)))
				ds := randomSamples(300, cfg.Inputs, cfg.Outputs, 9)
				f := n.CappedFeatures(ds)
				ref, _ := NewNetwork(cfg)
				ref.CopyWeights(n)
				for i := range ds.Len() {
					if _, m := refForward(ref, ds.Row(i)); m <= marginTol {
						continue
					}
					strict++
					want, got := ref.Activations(r), f.Row(i)
					for j := range want {
						if d := math.Abs(float64(got[j] - want[j])); d > fastTol*(1+math.Abs(float64(want[j]))) {
							t.Fatalf("%v %v R=%d sample %d neuron %d: %g, forward %g", act, drive, r, i, j, got[j], want[j])
						}
					}
				}
			}
		}
	}
	if strict < 3000 {
		t.Errorf("only %d strict samples", strict)
	}
}
