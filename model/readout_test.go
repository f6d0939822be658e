package model

import (
	"math"
	"testing"
)

// TestFreeReadout: under every norm, Config.FreeReadout normalises Win and
// Whid as always and leaves Wout alone: after a lifetime whose rules move
// every table, Win's and Whid's rows (or columns) have unit norm and Wout's
// do not, where the same lifetime without FreeReadout normalises Wout too.
// (A lifetime that ignored FreeReadout fails it.) Without a norm it is
// refused.
func TestFreeReadout(t *testing.T) {
	ds := randomSamples(60, 5, 3, 7)
	idx := allIndices(ds.Len())
	for _, norm := range []Norm{NormOutgoing, NormIncoming, NormBoth} {
		cfg := Config{Inputs: 5, Hidden: 8, Outputs: 3, Rounds: 2, Cap: 4, Eta: 0.05, EdgeProb: 1, Act: ReLU,
			Drive: DriveRaw, Init: InitScaled, Norm: norm, FreeReadout: true}
		r := normalRules(cfg.Rounds, NewRand(3, "readout-rules", 0))
		run := func(c Config) *Network {
			n, err := NewNetwork(c)
			if err != nil {
				t.Fatal(err)
			}
			n.Init(NewRand(3, "readout-init", 0))
			if _, err := n.Lifetime(r, ds, idx, nil); err != nil {
				t.Fatal(err)
			}
			return n
		}
		free := run(cfg)
		normed := cfg
		normed.FreeReadout = false
		all := run(normed)
		if !unitNorms(all.Wout, cfg.Outputs, cfg.Hidden, norm) {
			t.Fatalf("norm %v: the normalising run's Wout is not normalised", norm)
		}
		if unitNorms(free.Wout, cfg.Outputs, cfg.Hidden, norm) {
			t.Errorf("norm %v: free readout's Wout is normalised", norm)
		}
		if !unitNorms(free.Win, cfg.Hidden, cfg.Inputs, norm) || !unitNorms(free.Whid, cfg.Hidden, cfg.Hidden, norm) {
			t.Errorf("norm %v: free readout's Win or Whid is not normalised", norm)
		}
	}
	bad := Config{Inputs: 5, Hidden: 8, Outputs: 3, Rounds: 2, Cap: 4, Eta: 0.05, EdgeProb: 1, FreeReadout: true}
	if err := bad.Validate(); err == nil {
		t.Error("free readout without a norm was accepted")
	}
}

// unitNorms says whether the rows (incoming, both: normalised last) or the
// columns (outgoing) of w, rows x cols, all have norm 1 or 0.
func unitNorms(w []float32, rows, cols int, norm Norm) bool {
	ok := func(ss float64) bool { return ss == 0 || math.Abs(math.Sqrt(ss)-1) < 1e-5 }
	if norm == NormOutgoing {
		for j := range cols {
			var ss float64
			for i := range rows {
				ss += float64(w[i*cols+j]) * float64(w[i*cols+j])
			}
			if !ok(ss) {
				return false
			}
		}
		return true
	}
	for i := range rows {
		var ss float64
		for _, v := range w[i*cols : (i+1)*cols] {
			ss += float64(v) * float64(v)
		}
		if !ok(ss) {
			return false
		}
	}
	return true
}
