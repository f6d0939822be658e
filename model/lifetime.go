package model

import (
	"fmt"

	"plasticity/linalg"
)

// A lifetime without normalisation never reads Win but through the product
// Win x, and the input rule adds one constant per row: after steps that added
// c_i to row i, Win x is W x + c * sum(x), where W are the weights the lifetime
// started from. So the products W x of a whole batch are taken at once
// (linalg.MatVecBatch, a block of samples per pass over W), each step adds
// c * sum(x), and Win itself is updated once, when the lifetime ends (unless
// an Observer, which may read the weights, watches every step). The hidden
// rule's update of a step is added to Whid by the first product of the next
// step, in the same pass (see learnHidden and forwardDrive), or on wide
// networks kept aside for a few steps over transposed weights (transposed.go).
// All give the weights of the step-by-step computation (Whid bit for bit but
// on networks whose weights exceed foldWideBytes, where it is within the
// bound of foldvalue.go; Win within the rounding of a sum of the steps) and
// its products within float32 rounding.

// batch holds the buffers of the batched products: a block of samples'
// inputs and drives, and for the evaluation pass every round's activations
// and the cap's choices of each sample of the block.
type batch struct {
	size int       // samples per block at most
	x    []float32 // size x Inputs, the block's inputs
	d    []float32 // size x Hidden, their drives W x
	sx   []float32 // size, the sums of their inputs
	act  []float32 // (R+1) x size x Hidden, round-major
	u    []float32 // size x Hidden, a round's inputs
	sel  []int32   // (R+1) x size x Cap
	nsel []int     // (R+1) x size
	out  []float32 // size x Outputs, logits
	sels [][]int32 // the kept lists a round of forwardTransBlock reads
}

// blockSize is how many samples the batched products take at a time: at most
// 64, and few enough that a block of vectors (of the wider layer) stays within
// 256 KB, so it is read from the L2 cache for every row of the matrix. A
// network whose evaluation pass may take the transposed weights takes blocks
// of transBlock samples (see evaltrans.go).
func blockSize(c Config) int {
	if c.Hidden >= transposedMin && c.Rounds > 0 && c.Drive == DriveA0 &&
		float64(c.Cap) <= transposedEvalShare*float64(c.Hidden) {
		return transBlock
	}
	return max(1, min(64, (64<<10)/max(c.Inputs, c.Hidden)))
}

func (n *Network) buffers() *batch {
	if n.bat == nil {
		c := n.Cfg
		m, h, r := blockSize(c), c.Hidden, c.Rounds+1
		n.bat = &batch{size: m, x: make([]float32, m*c.Inputs), d: make([]float32, m*h), sx: make([]float32, m),
			act: make([]float32, r*m*h), u: make([]float32, m*h), sel: make([]int32, r*m*c.Cap),
			nsel: make([]int, r*m), out: make([]float32, m*c.Outputs)}
	}
	return n.bat
}

// blocks calls f(lo, hi) for consecutive blocks of samples that cover n
// samples, of equal lengths (but for one) no longer than size.
func blocks(n, size int, f func(lo, hi int)) {
	if n == 0 {
		return
	}
	k := (n + size - 1) / size
	m := (n + k - 1) / k
	for lo := 0; lo < n; lo += m {
		f(lo, min(lo+m, n))
	}
}

// drives sets the block buffers' drives Win x and input sums for samples idx
// of ds (at most the block size).
func (n *Network) drives(ds Samples, idx []int32) {
	b := n.buffers()
	in := n.Cfg.Inputs
	for s, i := range idx {
		x := b.x[s*in : (s+1)*in]
		copy(x, ds.Row(int(i)))
		var sum float32
		for _, v := range x {
			sum += v
		}
		b.sx[s] = sum
	}
	linalg.MatVecBatch(b.d, n.Win, n.Cfg.Hidden, in, b.x, len(idx))
}

// setDrive sets n.drive to d + inAcc * sx, the drive of a sample whose
// product with the weights the drives were taken from is d, after inAcc was
// added to the rows since.
func (n *Network) setDrive(d []float32, sx float32, acc bool) {
	if acc {
		linalg.AddScaled(n.drive, d, sx, n.inAcc)
	} else {
		copy(n.drive, d)
	}
}

// Observer watches a lifetime: Observe runs after each step, once the weights
// have been updated (or not).
type Observer interface {
	Observe(step int, sample int32, predicted int, updated bool)
}

// PatternObserver is an Observer that reads only its arguments and the step's
// firing patterns (Patterns), never the weights, so a lifetime without
// normalisation may keep its weight updates aside past Observe as it does
// with no observer (the gradient's record of a lifetime is one).
type PatternObserver interface {
	Observer
	ReadsPatternsOnly()
}

// Lifetime shows the samples idx of ds one at a time under rules r, updating
// the weights after each (or after each misclassified one), and returns how
// many were classified correctly before their update. It does not reset the
// weights: a lifetime starts from whatever weights the network holds. When
// its numbers leave float32 (see finite.go) it stops at the sample that met
// them and returns a NonFiniteError, the weights holding every update made.
func (n *Network) Lifetime(r Rules, ds Samples, idx []int32, obs Observer) (int, error) {
	if err := n.SetRules(r); err != nil {
		return 0, err
	}
	if ds.Dim != n.Cfg.Inputs {
		return 0, fmt.Errorf("data has %d features, network %d inputs", ds.Dim, n.Cfg.Inputs)
	}
	var correct, end int
	if n.Cfg.stepwise() {
		correct, end = n.lifetimeSteps(ds, idx, obs, true)
	} else {
		correct, end = n.lifetime(ds, idx, obs, nil, true, true)
	}
	return correct, n.nonFinite(end, len(idx))
}

// lifetimeSteps is the lifetime one whole step at a time (Forward, then
// Learn), as normalisation, multiplicative updates, the Hebbian input rule
// and an eta decay need (see Config.stepwise); under the decay each update
// scales the tables' steps by the factor of the network's age. With stop set
// it ends after the first step whose values were not finite; it returns the
// count of correct samples and that step (len(idx) if none).
func (n *Network) lifetimeSteps(ds Samples, idx []int32, obs Observer, stop bool) (int, int) {
	n.fault = 0
	correct := 0
	decay := n.Cfg.EtaDecay > 0
	for t, s := range idx {
		y := int(ds.Y[s])
		pred := n.Forward(ds.Row(int(s)))
		if pred == y {
			correct++
		}
		upd := n.Cfg.Update == UpdateAlways || pred != y
		if upd {
			if decay {
				n.SetStepFactor(n.Cfg.DecayFactor(n.age))
			}
			n.Learn(y)
		}
		n.age++
		if obs != nil {
			obs.Observe(t, s, pred, upd)
		}
		if stop && n.fault != 0 {
			return correct, t
		}
	}
	return correct, len(idx)
}

// lifetime is the lifetime without normalisation (see the top of this
// file). With st set, the drives W x of the batch are st's, and n must hold
// st's weights (but Whid on the transposed path, which reads st's transposed
// weights). Unless final is set (with st only), the weights are left as the
// evaluation pass from st reads them (see finish). It stops as lifetimeSteps
// does and returns what it returns.
func (n *Network) lifetime(ds Samples, idx []int32, obs Observer, st *Start, stop, final bool) (int, int) {
	c := n.Cfg
	h := c.Hidden
	_, patternsOnly := obs.(PatternObserver)
	eager := obs != nil && !patternsOnly
	// The hidden update waits for the next step's round 1, which a network
	// without rounds does not have.
	deferHid := !eager && c.Rounds > 0
	trans := n.useTransposed(len(idx), eager)
	if trans {
		var wT []float32
		if st != nil && len(st.wT) > 0 {
			wT = st.wT
		}
		n.enterTransposed(wT)
	}
	clear(n.inAcc)
	n.fault = 0
	acc := false // whether inAcc holds anything
	correct, end := 0, len(idx)
	step := func(t int, d []float32, sx float32) {
		s := idx[t]
		y := int(ds.Y[s])
		n.setDrive(d, sx, acc)
		var pred int
		if trans {
			pred = n.forwardTransposed()
		} else {
			pred = n.forwardDrive()
		}
		if pred == y {
			correct++
		}
		upd := c.Update == UpdateAlways || pred != y
		if upd {
			n.learnInput(eager)
			acc = acc || n.inActive
			if trans {
				n.learnTransposed()
			} else {
				n.learnHidden(deferHid && t+1 < len(idx))
			}
			n.learnOutput(y, pred)
		}
		n.age++
		if obs != nil {
			obs.Observe(t, s, pred, upd)
		}
	}
	if st != nil {
		for t := range idx {
			step(t, st.d[t*h:(t+1)*h], st.sx[t])
			if stop && n.fault != 0 {
				end = t
				break
			}
		}
	} else {
		b := n.buffers()
		blocks(len(idx), b.size, func(lo, hi int) {
			if end < len(idx) {
				return
			}
			n.drives(ds, idx[lo:hi])
			if eager {
				// Win holds every update so far, and the drives are
				// taken from it.
				clear(n.inAcc)
				acc = false
			}
			for t := lo; t < hi; t++ {
				step(t, b.d[(t-lo)*h:(t-lo+1)*h], b.sx[t-lo])
				if stop && n.fault != 0 {
					end = t
					return
				}
			}
		})
	}
	n.finish(trans, st != nil, final, len(idx))
	if acc && !eager && final {
		in := c.Inputs
		for i, v := range n.inAcc {
			linalg.AddConst(n.Win[i*in:(i+1)*in], v)
		}
	}
	return correct, end
}

// finish ends a lifetime of steps steps: the hidden updates kept aside are
// written into Whid, or, on the transposed path from a Start (fromStart), into
// the transposed weights the evaluation pass reads, and, if final is set or
// the evaluation pass reads Whid, from those into Whid. Without final, a wide
// network whose fold would be exact in value only (foldValue) keeps them
// aside for the evaluation pass, which adds their corrections to its products
// (pendeval.go).
func (n *Network) finish(trans, fromStart, final bool, steps int) {
	switch {
	case !trans:
		n.flushHidden()
	case !fromStart:
		n.leaveTransposed(false)
	case !final && n.evaluatesTransposed(steps):
		if !n.tr.wide || !n.valueFoldSafe() {
			n.foldTransposed()
		}
	default:
		n.leaveTransposed(true)
	}
}

// Start is the common start of many lifetimes, as the candidates of one ES
// generation share it: initial weights and a batch, with the products of the
// initial input weights and every sample of the batch taken once.
type Start struct {
	w0  *Network
	ds  Samples
	idx []int32
	// shared says whether d and sx hold the products (not when the
	// lifetime is stepwise, where a step may change Win x beyond a constant
	// per row; see Config.stepwise).
	shared bool
	d      []float32 // len(idx) x Hidden: Win x of each sample
	sx     []float32 // sum of each sample's inputs
	wT     []float32 // the transpose of Whid for the transposed lifetime, or empty
}

// NewStart prepares lifetimes over samples idx of ds from the weights w0
// holds now. w0 must keep them while the Start is in use.
func NewStart(w0 *Network, ds Samples, idx []int32) (*Start, error) {
	st := new(Start)
	if err := st.Reset(w0, ds, idx); err != nil {
		return nil, err
	}
	return st, nil
}

// Reset makes st the start of lifetimes over samples idx of ds from the
// weights w0 holds now, as NewStart does, in st's buffers: a trainer keeps
// one Start for all its generations instead of leaving megabytes to the
// collector at each. No lifetime from st may be running.
func (st *Start) Reset(w0 *Network, ds Samples, idx []int32) error {
	if ds.Dim != w0.Cfg.Inputs {
		return fmt.Errorf("data has %d features, network %d inputs", ds.Dim, w0.Cfg.Inputs)
	}
	st.w0, st.ds, st.idx = w0, ds, idx
	st.shared = !w0.Cfg.stepwise()
	st.wT = st.wT[:0]
	if !st.shared {
		return nil
	}
	h := w0.Cfg.Hidden
	st.d, st.sx = resize(st.d, len(idx)*h), resize(st.sx, len(idx))
	b := w0.buffers()
	blocks(len(idx), b.size, func(lo, hi int) {
		w0.drives(ds, idx[lo:hi])
		copy(st.d[lo*h:hi*h], b.d)
		copy(st.sx[lo:hi], b.sx)
	})
	if w0.useTransposed(len(idx), false) {
		st.wT = resize(st.wT, h*h)
		linalg.Transpose(st.wT, w0.Whid, h, h)
	}
	return nil
}

// resize returns s with length n, reusing its array when it is large enough.
func resize(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// LifetimeFrom gives n the start's weights, runs the lifetime of rules r over
// the start's batch and then the evaluation pass over the same batch with the
// weights frozen, and returns how many samples the lifetime classified
// correctly and the evaluation's score. It equals CopyWeights, Lifetime and
// Evaluate within float32 rounding, and leaves n as they do; the drives of
// both passes come from the start's products. n must have the shape of the
// start's network. Unlike Lifetime it runs on through non-finite values and
// returns no error for them.
func (n *Network) LifetimeFrom(st *Start, r Rules) (int, Score, error) {
	return n.lifetimeFrom(st, r, true)
}

// LifetimeScore is LifetimeFrom for a caller that wants the counts only (an
// ES generation scoring its candidates): it leaves n's weights unspecified,
// skipping what only the final weights need: the copy of Win and its
// deferred update, and on the transposed path the copy of Whid and the
// transpose back into it (64 MB each on the wide network). It returns the
// same numbers bit for bit but on a wide network's transposed path, whose
// evaluation adds the corrections of the steps still kept aside to its
// products instead of folding them into the weights (pendeval.go): its
// products are then the same within a stated bound. Read n's weights only
// after a CopyWeights, Lifetime or LifetimeFrom.
func (n *Network) LifetimeScore(st *Start, r Rules) (int, Score, error) {
	return n.lifetimeFrom(st, r, false)
}

// lifetimeFrom is LifetimeFrom, or LifetimeScore without final.
func (n *Network) lifetimeFrom(st *Start, r Rules, final bool) (int, Score, error) {
	if n.Cfg != st.w0.Cfg {
		return 0, Score{}, fmt.Errorf("network configuration %+v differs from the start's %+v", n.Cfg, st.w0.Cfg)
	}
	if !st.shared {
		n.CopyWeights(st.w0)
		if err := n.SetRules(r); err != nil {
			return 0, Score{}, err
		}
		correct, _ := n.lifetimeSteps(st.ds, st.idx, nil, false)
		return correct, n.Evaluate(st.ds, st.idx), nil
	}
	// A transposed lifetime reads the start's transposed weights, not Whid,
	// and writes all of Whid back when it ends if it changed them (and the
	// evaluation pass or the caller reads it): Whid is copied only if it did
	// not. The drives come from the start: Win is read again only to add the
	// lifetime's updates to it.
	trans := len(st.wT) > 0
	steps := len(st.idx)
	needWhid := final || !n.evaluatesTransposed(steps)
	n.copyWeights(st.w0, !trans, final)
	if err := n.SetRules(r); err != nil {
		return 0, Score{}, err
	}
	correct, _ := n.lifetime(st.ds, st.idx, nil, st, false, final)
	if trans && !n.tr.folded && needWhid {
		copy(n.Whid, st.w0.Whid)
	}
	// Win has the lifetime's updates now (if final), inAcc still holds
	// them: the evaluation's drives are the start's plus inAcc * sum(x). A
	// transposed lifetime leaves the transpose of Whid in n.tr.w for the
	// evaluation.
	return correct, n.evaluate(st.ds, st.idx, nil, st, trans), nil
}
