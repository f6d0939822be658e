package experiment

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"plasticity/grad"
	"plasticity/model"
)

// This file is the learned initial weights of docs/model.md §10.4 (GDOptions.LearnWeights,
// Options.Weights): GD learns them with the rules, and every lifetime of the
// run, of its final scores and of a transfer starts from them.

// initNet draws n's initial weights from rng, as every lifetime does, then
// replaces the matrices w holds (w may be nil).
func initNet(n *model.Network, rng *rand.Rand, w *model.Weights) error {
	n.Init(rng)
	if w == nil {
		return nil
	}
	return n.ApplyWeights(w)
}

// learnedMatrices reads GDOptions.LearnWeights: which of Win, Whid, Wout
// are learned.
func learnedMatrices(names []string) ([3]bool, error) {
	var learn [3]bool
	for _, t := range names {
		_, k, err := ruleTable(model.NewRules(0), t)
		if err != nil {
			return learn, fmt.Errorf("learn weights: unknown matrix %q (want input, hidden or output)", t)
		}
		learn[k] = true
	}
	return learn, nil
}

// learnedWeights is a GD run's learned initial weights: the matrices, one
// flat vector for Adam (the matrices are views of it) and its own Adam,
// without weight decay.
type learnedWeights struct {
	learn [3]bool
	w     *model.Weights
	flat  []float32
	g     []float32
	adam  *grad.Adam
}

// newLearnedWeights draws the starting value of the matrices learn names
// from the seed once (with -init's distribution) into net, or returns nil
// when none is learned.
func newLearnedWeights(o GDOptions, net *model.Network) (*learnedWeights, error) {
	learn, err := learnedMatrices(o.LearnWeights)
	if err != nil || learn == [3]bool{} {
		return nil, err
	}
	net.Init(model.NewRand(o.Seed, "learned-init", 0))
	w := net.TakeWeights(learn)
	lw := &learnedWeights{learn: learn, w: w}
	lw.flat = slices.Concat(w.Win, w.Whid, w.Wout)
	k := 0
	for _, m := range []*[]float32{&w.Win, &w.Whid, &w.Wout} {
		if *m != nil {
			*m = lw.flat[k : k+len(*m) : k+len(*m)]
			k += len(*m)
		}
	}
	lw.g = make([]float32, len(lw.flat))
	lw.adam, err = grad.NewAdam(len(lw.flat), o.LR, 0)
	return lw, err
}

// gather copies the gradient of the learned matrices from bp into lw.g and
// returns its squared norm.
func (lw *learnedWeights) gather(bp *grad.Backprop) float64 {
	k := 0
	for m := range 3 {
		if lw.learn[m] {
			k += copy(lw.g[k:], bp.InitialGradient(m))
		}
	}
	var s float64
	for _, v := range lw.g {
		s += float64(v) * float64(v)
	}
	return s
}

// weights returns the learned weights (nil when none), for the final scores.
func (s *GDStepper) weights() *model.Weights {
	if s.lw == nil {
		return nil
	}
	w := *s.lw.w
	w.Win, w.Whid, w.Wout = slices.Clone(w.Win), slices.Clone(w.Whid), slices.Clone(w.Wout)
	return &w
}
