package experiment

import (
	"slices"
	"strings"
	"testing"

	"plasticity/model"
)

// learningGD is resumableGD learning every initial weight matrix, on a
// sparse hidden connectivity (so the mask is part of the weights).
func learningGD(steps int) GDOptions {
	o := resumableGD(steps)
	o.LearnWeights = []string{"input", "hidden", "output"}
	o.Model.EdgeProb = 0.5
	return o
}

// flatOf is a Weights' matrices in one slice.
func flatOf(w *model.Weights) []float32 { return slices.Concat(w.Win, w.Whid, w.Wout) }

// TestResumeGDLearnedWeightsIsExact: a GD run learning its initial weights,
// stopped after one step and resumed twice, ends bit for bit where the
// uninterrupted run does; a resume whose weights' Adam starts afresh does not.
func TestResumeGDLearnedWeightsIsExact(t *testing.T) {
	ds := smallData(t)
	const total = 17
	full, err := Train(learningGD(total), ds)
	if err != nil {
		t.Fatal(err)
	}
	if full.Weights == nil || full.Weights.Absent == nil {
		t.Fatal("the run returned no learned weights")
	}
	dir, part := resumeInSegments(t, learningGD(total), ds, 8, total)
	sameBits(t, "rules", full.Rules.Theta, part.Rules.Theta)
	sameBits(t, "weights", flatOf(full.Weights), flatOf(part.Weights))
	if !slices.Equal(full.Weights.Absent, part.Weights.Absent) || full.Final != part.Final {
		t.Errorf("mask or final scores differ: %+v vs %+v", full.Final, part.Final)
	}

	ck, err := ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	ck.Step, ck.Metrics = 8, ck.Metrics[:8]
	st := gdStateOf(t, ck)
	if st.WAdam == nil || len(st.Weights) != len(flatOf(full.Weights)) {
		t.Fatalf("the checkpoint holds %d weights", len(st.Weights))
	}
	st.WAdam.M, st.WAdam.V, st.WAdam.T = make([]float64, len(st.WAdam.M)), make([]float64, len(st.WAdam.V)), 8
	st.Adam.T = 8
	setGDState(t, ck, st)
	ro := *ck.GD
	ro.Dir = ""
	fresh, err := Resume(ck, ro, ds)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(flatOf(fresh.Weights), flatOf(full.Weights)) {
		t.Error("resuming with the weights' Adam reset ended at the same weights")
	}
	st.Weights, st.WAdam = nil, nil
	setGDState(t, ck, st)
	if _, err := Resume(ck, ro, ds); err == nil || !strings.Contains(err.Error(), "learned weights") {
		t.Errorf("a state without its learned weights resumed: %v", err)
	}
}

// TestLearnedWeightsUsed: learned output weights move away from their
// starting draw, a transfer that starts from them differs from one that
// does not, and weights of another size are refused.
func TestLearnedWeightsUsed(t *testing.T) {
	ds := smallData(t)
	o := ourGD(40)
	o.LearnWeights = []string{"output"}
	res, err := Train(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	w := res.Weights
	if w == nil || w.Win != nil || w.Whid != nil || len(w.Wout) != ds.Classes*o.Model.Hidden {
		t.Fatalf("learned weights %+v", w)
	}
	n, err := model.NewNetwork(fitModel(o.Model, ds))
	if err != nil {
		t.Fatal(err)
	}
	n.Init(model.NewRand(o.Seed, "learned-init", 0))
	if slices.Equal(n.Wout, w.Wout) {
		t.Error("the output weights did not move")
	}
	to := TransferOptions{Options: o.Options, Passes: 1}
	plain, err := Transfer(to, res.Rules, ds)
	if err != nil {
		t.Fatal(err)
	}
	to.Weights = w
	with, err := Transfer(to, res.Rules, ds)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(plain.FinalTest.Confusion, with.FinalTest.Confusion) && plain.FinalTest.Loss == with.FinalTest.Loss {
		t.Error("the transfer from the learned weights is the one without them")
	}
	other := *w
	other.Hidden++
	to.Weights = &other
	if _, err := Transfer(to, res.Rules, ds); err == nil || !strings.Contains(err.Error(), "cannot start") {
		t.Errorf("weights of another size: %v", err)
	}
	o.LearnWeights = []string{"bias"}
	if _, err := Train(o, ds); err == nil {
		t.Error("-learn-weights bias accepted")
	}
}
