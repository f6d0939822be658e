package model

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// TestTransBlockMatchesPerSample checks the blocked transposed evaluation
// (forwardTransBlock) bit for bit against forwardTransposed run one sample
// at a time from the same drives: activations of every round, kept lists,
// patterns and logits, over widths with and without a vector tail, spans of
// one vector, several and all the columns, R = 1..3, and after a lifetime
// (weights changed by every table) as LifetimeFrom leaves them.
func TestTransBlockMatchesPerSample(t *testing.T) {
	defer saveTransposed()()
	defer func(c int) { transSpanCols = c }(transSpanCols)
	setTransposed("transposed")
	for _, hid := range []int{40, 203, 300} {
		for r := 1; r <= 3; r++ {
			for _, act := range []Activation{Sigmoid, ReLU, Linear} {
				for _, span := range []int{8, 128, 1 << 20} {
					name := fmt.Sprintf("h%d R%d %s span %d", hid, r, act, span)
					transSpanCols = span
					cfg := Config{Inputs: 30, Hidden: hid, Outputs: 7, Rounds: r, Cap: hid / 4, Eta: 0.01, EdgeProb: 1,
						Act: act, Init: InitScaled}
					checkTransBlock(t, name, cfg)
				}
			}
		}
	}
}

func checkTransBlock(t *testing.T, name string, cfg Config) {
	t.Helper()
	n, _ := NewNetwork(cfg)
	n.Init(NewRand(5, "trans-block", uint64(cfg.Hidden)))
	ds := randomSamples(50, cfg.Inputs, cfg.Outputs, uint64(cfg.Rounds))
	idx := make([]int32, 40)
	for i := range idx {
		idx[i] = int32((i*3 + 1) % ds.Len())
	}
	rules := normalRules(cfg.Rounds, NewRand(2, "trans-block-rules", 0))
	if _, err := n.Lifetime(rules, ds, idx, nil); err != nil {
		t.Fatal(err)
	}
	if !n.evaluatesTransposed(len(idx)) {
		t.Fatalf("%s: the evaluation is not transposed", name)
	}
	type state struct {
		logits []float32
		act    []float32
		pat    []uint8
		sel    []int32
	}
	snap := func() state {
		var sel []int32
		for r := 0; r <= cfg.Rounds; r++ {
			sel = append(sel, n.Selected(r)...)
		}
		return state{slices.Clone(n.logits), slices.Clone(n.act), slices.Clone(n.pattern), sel}
	}
	var got []state
	n.EvaluateFunc(ds, idx, func(int) { got = append(got, snap()) })
	var want []state
	b := n.buffers()
	h := cfg.Hidden
	blocks(len(idx), b.size, func(lo, hi int) {
		n.drives(ds, idx[lo:hi])
		for tt := range hi - lo {
			copy(n.drive, b.d[tt*h:(tt+1)*h])
			n.forwardTransposed()
			want = append(want, snap())
		}
	})
	for i := range want {
		g, w := got[i], want[i]
		if j := sameBits(g.logits, w.logits); j >= 0 {
			t.Fatalf("%s: sample %d logit %d = %v, per sample %v", name, i, j, g.logits[j], w.logits[j])
		}
		if j := sameBits(g.act, w.act); j >= 0 {
			t.Fatalf("%s: sample %d activation %d = %v, per sample %v", name, i, j, g.act[j], w.act[j])
		}
		if !slices.Equal(g.pat, w.pat) || !slices.Equal(g.sel, w.sel) {
			t.Fatalf("%s: sample %d: patterns or kept lists differ", name, i)
		}
	}
}

// sameBits is bit equality (NaN equal to NaN, +0 not equal to -0), or the
// first index that differs.
func sameBits(a, b []float32) int {
	for i := range b {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
			return i
		}
	}
	return -1
}
