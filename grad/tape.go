package grad

import (
	"plasticity/model"
)

// reconBudget bounds how much rounding error the backward walk may amplify
// between two exact weight copies, in units of float32's epsilon (6e-8): the
// rebuilt weights stay within about reconBudget*6e-8 = 6e-6 of the truth,
// relative to a column's norm.
const reconBudget = 100

// tape records what the backward pass needs from each updating step of a
// lifetime: the firing patterns and the label, and under norm=outgoing the
// column norms the step divided by. That is T x (Inputs + 3 Hidden) numbers.
//
// Under norm=outgoing the walk rebuilds W_(t-1) = c W_t - eta Delta_t, which
// multiplies the rounding error already made by the column norm c: undoing a
// normalisation undoes a contraction. Walking back from exact weights at step
// t1, the error reaching step t0 is about eps times
//
//	E = sqrt( sum_(m = t0+1..t1) prod_(s = t0+1..m) max(c_s, 1)^2 )
//
// per column (each undone step adds one rounding error, of random sign, which
// the earlier steps amplify). The tape accumulates E as the lifetime runs and
// keeps an exact copy of the weights (a checkpoint) as soon as E passes
// reconBudget, so the walk restarts from exact weights there. Columns that
// barely move (c near 1) let E grow like sqrt(T), and 100 steps need no copy;
// rule steps that are large against unit columns need a few.
type tape struct {
	net    *model.Network
	y      []int32
	outgo  bool
	pat    []uint8   // steps x Hidden
	label  []int32   // steps
	pred   []int32   // steps: the prediction before the update (output edges predicted)
	sample []int32   // steps: the sample shown (the Hebbian input rule's x)
	norms  []float32 // steps x (Inputs + 2 Hidden) under norm=outgoing
	nsteps int

	// budget is reconBudget; tests raise it to show what the copies prevent.
	budget     float64
	prod, errs []float64 // per column of Win, Whid, Wout: running product and E^2

	ckStep []int       // steps whose weights were copied, ascending
	ckPool [][]float32 // the copies (Win | Whid | Wout), reused across lifetimes
}

func (tp *tape) reset(n *model.Network, y []int32) {
	tp.net, tp.y = n, y
	tp.outgo = n.Cfg.Norm == model.NormOutgoing
	tp.pat, tp.label, tp.norms = tp.pat[:0], tp.label[:0], tp.norms[:0]
	tp.pred, tp.sample = tp.pred[:0], tp.sample[:0]
	tp.nsteps = 0
	tp.ckStep = tp.ckStep[:0]
	cols := n.Cfg.Inputs + 2*n.Cfg.Hidden
	if len(tp.prod) != cols {
		tp.prod, tp.errs = make([]float64, cols), make([]float64, cols)
	}
	tp.restart()
}

func (tp *tape) restart() {
	for j := range tp.prod {
		tp.prod[j], tp.errs[j] = 1, 0
	}
}

// patternTape is the tape of a lifetime without normalisation, which needs
// only the patterns: as a model.PatternObserver it lets the lifetime keep its
// weight updates aside past each step, as it does with no observer.
type patternTape struct{ *tape }

// ReadsPatternsOnly marks patternTape as a model.PatternObserver.
func (patternTape) ReadsPatternsOnly() {}

// Observe records one step of the lifetime (model.Observer).
func (tp *tape) Observe(_ int, sample int32, predicted int, updated bool) {
	if !updated {
		return
	}
	tp.pat = append(tp.pat, tp.net.Patterns()...)
	tp.label = append(tp.label, tp.y[sample])
	tp.pred = append(tp.pred, int32(predicted))
	tp.sample = append(tp.sample, sample)
	if tp.outgo {
		in, hid, out := tp.net.ColumnNorms()
		k := len(tp.norms)
		tp.norms = append(tp.norms, in...)
		tp.norms = append(tp.norms, hid...)
		tp.norms = append(tp.norms, out...)
		// The walk multiplies by the norms of every step but the first, whose
		// input W_0 it never needs.
		worst := 0.0
		for j, c := range tp.norms[k:] {
			if tp.nsteps == 0 {
				break
			}
			tp.prod[j] *= max(float64(c), 1)
			tp.errs[j] += tp.prod[j] * tp.prod[j]
			worst = max(worst, tp.errs[j])
		}
		if worst > tp.budget*tp.budget {
			tp.checkpoint()
		}
	}
	tp.nsteps++
}

// checkpoint copies the weights the network holds after the current step.
func (tp *tape) checkpoint() {
	n := tp.net
	k := len(tp.ckStep)
	if k == len(tp.ckPool) {
		tp.ckPool = append(tp.ckPool, make([]float32, len(n.Win)+len(n.Whid)+len(n.Wout)))
	}
	w := tp.ckPool[k]
	copy(w, n.Win)
	copy(w[len(n.Win):], n.Whid)
	copy(w[len(n.Win)+len(n.Whid):], n.Wout)
	tp.ckStep = append(tp.ckStep, tp.nsteps)
	tp.restart()
}
