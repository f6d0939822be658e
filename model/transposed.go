package model

import (
	"fmt"
	"math"

	"plasticity/linalg"
)

// The transposed lifetime. After the cap most inputs of a round are zero,
// but a product with the row-major Whid reads every weight anyway. With the
// weights stored transposed (row j holding the synapses out of neuron j) a
// round reads only the rows of the neurons the cap kept (linalg.
// MatVecTransRows): with drive a0 the rounds are Whid a0 + Whid a_(r-1), each
// over k of the Hidden rows, instead of Whid (a0 + a_(r-1)) over all of them.
//
// Writing every step's hidden update into the weights would read and write
// them all again. Instead the last few steps are kept aside (their patterns)
// and added to the products as what they are, P_s H P_s^T u with P_s the
// pattern indicator of step s and H the hidden table: a histogram of u by
// pattern, a P x P product and a table lookup per neuron. Every few steps
// (foldEvery) they are written into the weights in one pass (linalg.
// AddSteps): on a network whose weights fit in the cache one after the
// other as the step-by-step update does, so the weights come out bit for bit
// the same; on a wider one exact in value only, within a stated bound of the
// step-by-step weights (foldvalue.go). The products differ from the
// step-by-step ones within float32 rounding.
//
// This needs the update's diagonal-only absent set (p = 1: an absent synapse
// would break P_s H P_s^T) and no normalisation, and it pays for the
// transposes at the start and end only over enough steps of a wide enough
// network with rounds to read Whid (useTransposed). Without rounds Whid is
// never read, and the transposed path would only add Whid x-drive (drive
// raw), Hidden^2 multiplications a sample that nothing uses.

// foldSteps is how many steps' hidden updates wait before being written into
// the weights on a network whose weights exceed foldWideBytes: the products
// then carry up to foldSteps-1 corrections (a few microseconds each), and a
// fold reads and writes every weight once, so it costs 2 x 4 x Hidden^2 /
// foldSteps bytes of memory traffic a step. Such a fold is exact in value,
// not in rounding (see foldValue), which lets it add about 1 + foldSteps/4
// terms to each weight instead of foldSteps: 128 steps (a lifetime of a
// batch of 100 folds once, at its end) measured faster than 64.
//
// On networks whose weights fit in the cache (Hidden^2 x 4 bytes up to
// foldWideBytes) a fold costs no memory traffic and the corrections
// dominate: they fold every foldStepsNarrow steps, bit for bit.
var foldSteps = 128

const foldStepsNarrow = 4

// foldWideBytes is the size of the weights above which the transposed
// lifetime folds every foldSteps steps (see foldSteps). Tests lower it.
var foldWideBytes = 16 << 20

// foldEvery returns how many steps the transposed lifetime of n keeps aside.
func (n *Network) foldEvery() int {
	if h := n.Cfg.Hidden; 4*h*h > foldWideBytes {
		return foldSteps
	}
	return foldStepsNarrow
}

// foldRows and foldCols are the blocks a fold takes the transposed weights
// in (see foldExact): the foldStepsNarrow segments of foldCols entries of
// the table rows of pattern 0 take 8 KB.
const foldRows, foldCols = 16, 512

// transposedMin is the smallest hidden layer, and transposedSteps the
// shortest lifetime, that take the transposed path: below them the
// transposes cost more than the skipped rows save. Tests lower them.
var transposedMin, transposedSteps = 128, 8

// histSize holds the histograms of every kept-aside step by pattern (k x P
// entries, foldSteps x 2^(MaxRounds+1) at most) in an array whose indices
// need no bounds checks; more steps (tests) take a longer slice.
const histSize = 1 << 14

// transposedEvalShare is the largest share of the neurons a cap may keep for
// the evaluation pass to take the transposed weights (see evaluate). Tests
// raise it.
var transposedEvalShare = 0.25

type transposed struct {
	w     []float32 // Hidden x Hidden: w[j*Hidden+i] = Whid[i][j]; own, or a Start's (borrowed)
	own   []float32 // Hidden x Hidden: the network's own transposed weights
	pend  []uint8   // k x Hidden: the patterns of the steps not yet in w
	pendT []uint16  // Hidden x k: the same, neuron by neuron, as s*P + pattern
	hists []float32 // histSize (k x P used): productTransposed's histograms
	npend int
	k     int       // steps kept aside at most (foldEvery)
	wide  bool      // whether folds are exact in value only (foldValue)
	diag  []float32 // Hidden: sum over those steps of hidStep[p_i*P+p_i]
	fold  []float32 // k*P x Hidden: the rows a fold adds
	which []int32   // Hidden x (k+1): the table rows each row adds, by row
	nrows []int32   // Hidden: how many of which's entries a row has (foldValue)
	slot  []int32   // k*P: the row of fold holding step s, pattern q (foldValue)
	all   []int32   // 0..Hidden-1: every row, for a vector without zeros
	base  []float32 // Hidden: Whid a0 (drive a0) or Whid x-drive (drive raw)
	v     []float32 // P
	col   []float32 // P
	neg0  []float32 // Hidden x -0, what a fold row starts from (negZeros)

	// folded says whether w has changed since enterTransposed: when the
	// hidden table is all zero it never does, and Whid is left as it is.
	folded bool
	// borrowed says that w is a Start's transposed weights, which the
	// lifetime reads and never writes: the first fold copies them into own.
	borrowed bool
}

// useTransposed says whether a lifetime of steps steps without an Observer
// takes the transposed path.
func (n *Network) useTransposed(steps int, eager bool) bool {
	c := n.Cfg
	return !eager && c.Rounds > 0 && c.Norm == NormNone && c.EdgeProb >= 1 && c.Hidden >= transposedMin &&
		steps >= transposedSteps
}

// enterTransposed sets up the transposed weights from Whid, or reads wT (the
// transpose of the same weights, which it never writes: the first fold
// copies them) when it is not nil.
func (n *Network) enterTransposed(wT []float32) {
	h, p := n.Cfg.Hidden, n.Cfg.Patterns()
	wide := 4*h*h > foldWideBytes
	if k := n.foldEvery(); n.tr == nil || n.tr.k != k || n.tr.wide != wide {
		if k*p > 1<<16 {
			panic(fmt.Sprintf("model: %d steps kept aside x %d patterns overflow the histograms' offsets", k, p))
		}
		tr := &transposed{k: k, own: make([]float32, h*h), pend: make([]uint8, k*h), pendT: make([]uint16, h*k),
			hists: make([]float32, max(histSize, k*p)), diag: make([]float32, h),
			which: make([]int32, (k+1)*h), nrows: make([]int32, h), slot: make([]int32, k*p), all: make([]int32, h),
			base: make([]float32, h), v: make([]float32, p), col: make([]float32, p)}
		tr.wide = wide
		for i := range tr.all {
			tr.all[i] = int32(i)
		}
		n.tr = tr
	}
	n.tr.w, n.tr.borrowed = n.tr.own, wT != nil
	if wT != nil {
		n.tr.w = wT
	} else {
		linalg.Transpose(n.tr.w, n.Whid, h, h)
	}
	n.tr.npend, n.tr.folded = 0, false
	clear(n.tr.diag)
}

// leaveTransposed writes the steps kept aside into the transposed weights
// and those back into Whid, unless no step changed them (transposing them
// back would give Whid bit for bit). When the transposed weights need not
// be kept (keep unset) and no fold has changed them, a wide network folds
// the steps straight into Whid instead (foldValue), which spares the
// transpose; the transposed weights are then those Whid started from.
func (n *Network) leaveTransposed(keep bool) {
	if tr := n.tr; !keep && !tr.folded && tr.npend > 0 && tr.wide && n.valueFoldSafe() {
		h := n.Cfg.Hidden
		n.foldValue(n.Whid, true)
		for i := range h {
			n.Whid[i*h+i] = 0
		}
		tr.npend = 0
		clear(tr.diag)
		return
	}
	n.foldTransposed()
	if n.tr.folded {
		h := n.Cfg.Hidden
		linalg.Transpose(n.Whid, n.tr.w, h, h)
	}
}

// productTransposed sets dst to Whid u (adds it to dst when add is set) for
// the current weights: the transposed weights over the rows listed in sel,
// outside which u is zero, plus each kept-aside step's P_s H P_s^T u less its
// diagonal (no neuron has a synapse onto itself).
func (n *Network) productTransposed(dst, u []float32, sel []int32, add bool) {
	h := n.Cfg.Hidden
	if !add {
		clear(dst)
	}
	linalg.MatVecTransRows(dst, n.tr.w, h, h, u, sel)
	n.addPending(dst, u, sel)
}

// addPending adds to dst each kept-aside step's P_s H P_s^T u less its
// diagonal, for u zero outside the rows listed in sel.
func (n *Network) addPending(dst, u []float32, sel []int32) {
	tr := n.tr
	if tr.npend == 0 {
		return
	}
	h, p := n.Cfg.Hidden, n.Cfg.Patterns()
	// The histograms of u by every kept-aside step's patterns, neuron by
	// neuron (each neuron's entries s*P + pattern lie together in pendT), so
	// that consecutive additions go to different steps' sums.
	hists := tr.hists[:tr.npend*p]
	clear(hists)
	all := (*[histSize]float32)(tr.hists)
	for _, j := range sel {
		uj := u[j]
		pt := tr.pendT[int(j)*tr.k : int(j)*tr.k+tr.npend]
		if len(hists) > histSize {
			for _, o := range pt {
				hists[o] += uj
			}
			continue
		}
		for _, o := range pt {
			all[o&(histSize-1)] += uj
		}
	}
	for s := range tr.npend {
		pat := tr.pend[s*h : (s+1)*h]
		hist, v := hists[s*p:(s+1)*p], tr.v
		// v[q] = sum over q2 of hid[q*P+q2] hist[q2]: what a neuron of
		// pattern q receives from all of u.
		for q := range p {
			var a float32
			for q2, c := range n.hidStep[q*p : (q+1)*p] {
				a += c * hist[q2]
			}
			v[q] = a
		}
		linalg.AddLookup(dst, v, pat)
	}
	for _, j := range sel {
		dst[j] -= tr.diag[j] * u[j]
	}
}

// forwardTransposed is forwardDrive on the transposed weights.
func (n *Network) forwardTransposed() int {
	c := n.Cfg
	h, k := c.Hidden, c.Cap
	tr := n.tr
	a0 := n.act[:h]
	copy(a0, n.drive)
	n.check(a0, inputTable)
	n.activate(a0)
	n.nsel[0] = linalg.Cap(a0, k, n.sel[:k], n.scratch)
	prev, prevSel := a0, n.sel[:n.nsel[0]]
	if c.Drive == DriveRaw {
		n.productTransposed(tr.base, n.drive, tr.all, false)
	} else {
		n.productTransposed(tr.base, a0, prevSel, false)
	}
	for r := 1; r <= c.Rounds; r++ {
		ar := n.act[r*h : (r+1)*h]
		if c.Drive == DriveA0 && r == 1 {
			// Whid (a0 + a0): doubling is exact, so this is the sum of
			// Whid a0 doubled term by term.
			linalg.AddScaled(ar, tr.base, 1, tr.base)
		} else {
			copy(ar, tr.base)
			n.productTransposed(ar, prev, prevSel, true)
		}
		n.check(ar, hiddenTable)
		n.activate(ar)
		n.nsel[r] = linalg.Cap(ar, k, n.sel[r*k:(r+1)*k], n.scratch)
		prev, prevSel = ar, n.sel[r*k:r*k+n.nsel[r]]
	}
	linalg.MatVec(n.logits, n.Wout, c.Outputs, h, prev)
	n.check(n.logits, outputTable)
	n.setPatterns()
	n.pred = linalg.LogSoftmax(n.logp, n.logits)
	return n.pred
}

// learnTransposed keeps the step's hidden update aside and folds the steps
// kept aside into the weights once there are tr.k of them.
func (n *Network) learnTransposed() {
	if !n.hidActive {
		return
	}
	tr := n.tr
	h, p := n.Cfg.Hidden, n.Cfg.Patterns()
	copy(tr.pend[tr.npend*h:(tr.npend+1)*h], n.pattern)
	for i, q := range n.pattern {
		tr.diag[i] += n.hidStep[int(q)*p+int(q)]
		tr.pendT[i*tr.k+tr.npend] = uint16(tr.npend*p + int(q))
	}
	tr.npend++
	if tr.npend == tr.k {
		n.foldTransposed()
	}
}

// negZeros returns h entries of -0, the start of a sum that leaves its first
// term as it is (-0 + x is x for every x, +0 included), copied into the rows
// of a fold faster than a loop stores them.
func (tr *transposed) negZeros(h int) []float32 {
	if len(tr.neg0) != h {
		tr.neg0 = make([]float32, h)
		for i := range tr.neg0 {
			tr.neg0[i] = float32(math.Copysign(0, -1))
		}
	}
	return tr.neg0
}

// foldTransposed adds the steps kept aside to the transposed weights, in
// order, in one pass. Row j (the synapses out of neuron j) adds, for step s,
// the row T_q[i] = hid[p_i*P + q] of its own pattern q = p_j
// (linalg.AddSteps: every weight adds its steps one after the other, as the
// step-by-step update does). The pass takes blocks of foldRows rows, and
// within each block segments of foldCols columns, so that the segments of
// the table rows a block reads (mostly one per step, pattern 0's) stay in
// the L1 cache: the weights are read from memory once per fold, however many
// steps it holds. The diagonal, which every step's update sets back to 0, is
// cleared after.
func (n *Network) foldTransposed() {
	tr := n.tr
	if tr.npend == 0 {
		return
	}
	if tr.borrowed {
		copy(tr.own, tr.w)
		tr.w, tr.borrowed = tr.own, false
	}
	if tr.wide && n.valueFoldSafe() {
		n.foldValue(tr.w, false)
	} else {
		n.foldExact()
	}
	for j := range n.Cfg.Hidden {
		tr.w[j*n.Cfg.Hidden+j] = 0
	}
	tr.folded = true
	tr.npend = 0
	clear(tr.diag)
}

// foldExact is foldTransposed bit for bit: each weight adds its steps one
// after the other.
func (n *Network) foldExact() {
	tr := n.tr
	h, p := n.Cfg.Hidden, n.Cfg.Patterns()
	tr.fold = resize(tr.fold, tr.k*p*h)
	negZeros := tr.negZeros(h)
	var seen [1 << (MaxRounds + 1)]bool
	for s := range tr.npend {
		pat := tr.pend[s*h : (s+1)*h]
		clear(seen[:p])
		for _, q := range pat {
			seen[q] = true
		}
		for q := range p {
			if !seen[q] {
				continue
			}
			for pi := range p {
				tr.col[pi] = n.hidStep[pi*p+q]
			}
			row := tr.fold[(s*p+q)*h : (s*p+q+1)*h]
			copy(row, negZeros)
			linalg.AddLookup(row, tr.col, pat)
		}
		for j, q := range pat {
			tr.which[j*tr.k+s] = int32(s*p + int(q))
		}
	}
	for j0 := 0; j0 < h; j0 += foldRows {
		j1 := min(j0+foldRows, h)
		for c0 := 0; c0 < h; c0 += foldCols {
			c1 := min(c0+foldCols, h)
			for j := j0; j < j1; j++ {
				linalg.AddSteps(tr.w[j*h+c0:j*h+c1], tr.fold[c0:], h, tr.which[j*tr.k:j*tr.k+tr.npend])
			}
		}
	}
}
