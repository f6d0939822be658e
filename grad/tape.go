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
// lifetime: the firing patterns, the label, the prediction and the sample,
// and under a normalisation the norms the step divided by: the columns'
// (outgoing, both; Inputs + 2 Hidden numbers) and the rows' (incoming, both;
// 2 Hidden + Outputs), columns first.
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
// rule steps that are large against unit columns need a few. Undoing a row's
// normalisation multiplies by the row's norm r instead: under incoming the
// same sum runs over rows, and under both over columns with max(c_j, 1) times
// the matrix's largest max(r_i, 1), which bounds every entry's factor.
type tape struct {
	net    *model.Network
	y      []int32
	normed bool      // a normalisation: the norms are recorded
	cols   bool      // the columns are normalised (outgoing, both)
	rows   bool      // the rows are normalised (incoming, both)
	pat    []uint8   // steps x Hidden
	label  []int32   // steps
	pred   []int32   // steps: the prediction before the update (output edges predicted)
	sample []int32   // steps: the sample shown (the Hebbian input rule's x)
	decay  []float64 // steps: the step's decay factor (model.Network.StepFactor)
	norms  []float32 // steps x stride() under a normalisation
	nsteps int

	// budget is reconBudget; tests raise it to show what the copies prevent.
	budget     float64
	prod, errs []float64 // per column (row under incoming) of Win, Whid, Wout: running product and E^2
	fac        []float64 // the step's factors, by the same units

	ckStep []int       // steps whose weights were copied, ascending
	ckPool [][]float32 // the copies (Win | Whid | Wout), reused across lifetimes
}

func (tp *tape) reset(n *model.Network, y []int32) {
	tp.net, tp.y = n, y
	norm := n.Cfg.Norm
	tp.normed = norm != model.NormNone
	tp.cols = norm == model.NormOutgoing || norm == model.NormBoth
	tp.rows = norm == model.NormIncoming || norm == model.NormBoth
	tp.pat, tp.label, tp.norms = tp.pat[:0], tp.label[:0], tp.norms[:0]
	tp.pred, tp.sample, tp.decay = tp.pred[:0], tp.sample[:0], tp.decay[:0]
	tp.nsteps = 0
	tp.ckStep = tp.ckStep[:0]
	units := n.Cfg.Inputs + 2*n.Cfg.Hidden
	if !tp.cols {
		units = 2*n.Cfg.Hidden + n.Cfg.Outputs
	}
	if len(tp.prod) != units {
		tp.prod, tp.errs, tp.fac = make([]float64, units), make([]float64, units), make([]float64, units)
	}
	tp.restart()
}

// colLen and rowLen are how many column and row norms a step records.
func (tp *tape) colLen() int {
	if !tp.cols {
		return 0
	}
	return tp.net.Cfg.Inputs + 2*tp.net.Cfg.Hidden
}

func (tp *tape) rowLen() int {
	if !tp.rows {
		return 0
	}
	return 2*tp.net.Cfg.Hidden + tp.net.Cfg.Outputs
}

// stride is how many norms a step records.
func (tp *tape) stride() int { return tp.colLen() + tp.rowLen() }

// factors sets fac to the step's amplification factors (see tape) from the
// norms it recorded.
func (tp *tape) factors(norms []float32) {
	cfg := tp.net.Cfg
	h, in := cfg.Hidden, cfg.Inputs
	if !tp.cols {
		for j, r := range norms {
			tp.fac[j] = max(float64(r), 1)
		}
		return
	}
	rmax := [3]float64{1, 1, 1}
	if tp.rows {
		rs := norms[in+2*h:]
		for i, r := range rs {
			k := min(i/h, 2) // Win's rows, Whid's, Wout's
			rmax[k] = max(rmax[k], float64(r))
		}
	}
	for j, c := range norms[:in+2*h] {
		k := 0
		switch {
		case j >= in+h:
			k = 2
		case j >= in:
			k = 1
		}
		tp.fac[j] = max(float64(c), 1) * rmax[k]
	}
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
	tp.decay = append(tp.decay, tp.net.StepFactor())
	if tp.normed {
		k := len(tp.norms)
		if tp.cols {
			in, hid, out := tp.net.ColumnNorms()
			tp.norms = append(append(append(tp.norms, in...), hid...), out...)
		}
		if tp.rows {
			in, hid, out := tp.net.RowNorms()
			tp.norms = append(append(append(tp.norms, in...), hid...), out...)
		}
		tp.factors(tp.norms[k:])
		// The walk multiplies by the norms of every step but the first, whose
		// input W_0 it never needs.
		worst := 0.0
		for j, f := range tp.fac {
			if tp.nsteps == 0 {
				break
			}
			tp.prod[j] *= f
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
