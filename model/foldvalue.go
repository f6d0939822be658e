package model

import (
	"math"

	"plasticity/linalg"
)

// The fold of a wide network, exact in value but not in rounding.
//
// Step s of the hidden rule adds T[a_i][a_j] (T = hidStep as a P x P table,
// a_i the pattern of neuron i at step s) to the synapse from j onto i, so
// row j of the transposed weights adds the column a_j of T looked up by
// every neuron's pattern: f_s[i] = T[a_i][0] when j did not fire at s, and
// f_s[i] + e_(s,q)[i], e_(s,q)[i] = T[a_i][q] - T[a_i][0], when it fired
// with pattern q. About three neurons in four fire at no step, so over K
// steps row j adds
//
//	D0 + sum over the steps s where j fired of e_(s, a_j),   D0 = f_1 + ... + f_K,
//
// one row shared by all rows and about K/4 others, instead of K rows: the
// fold adds 1 + K/4 terms to each weight instead of K (linalg.AddSteps, each
// weight's terms in order, D0 first). The sum is the step-by-step sum in
// exact arithmetic; its rounding differs.
//
// The bound. Let u = 2^-24, M the largest |T| entry, L the lifetime's steps
// and w0 a weight's value before the lifetime. Every quantity the fold
// computes (D0's partial sums, each e, which is one subtraction of two table
// entries, and the weight's partial sums) is at most S = |w0| + 3 L M in
// magnitude (|D0| <= K M, |e| <= 2 M (1 + u), summed over the folds of the
// lifetime), and each weight takes at most 3 L roundings (D0: K - 1 a fold,
// e: one each, the additions: one each of at most K + 1 terms), each at most
// u S, so it is within 3 L u S of the exact sum; the step-by-step update,
// L roundings of partial sums at most S, within L u S. So a weight of the
// fold differs from the step-by-step one by at most
//
//	4 L u (|w0| + 3 L M) (1 + 4 L u),
//
// the bound TestFastPaths* check (foldValueBound). The products read these
// weights and stay within float32 rounding of the step-by-step ones.
//
// The fold needs finite tables (Inf - Inf in e would give NaN where the
// step-by-step sums give Inf) and sums far from overflow: with M K beyond
// valueFoldMax (or a non-finite table) the fold is the bit-for-bit one.

// valueFoldMax bounds M K (see above) for foldValue: intermediate sums stay
// 10^8 below the largest float32.
const valueFoldMax = 1e30

// foldValueCols is the width of the column segments foldValue takes the
// weights in, every row's segment before the next: the segments of the
// table rows (one per step and pattern that fired) stay in the L2 cache
// while every row reads some of them. 128 measured faster than 64 and than
// blocks of 16 rows x 512 columns (the bit-for-bit fold's).
var foldValueCols = 128

// valueFoldSafe says whether the hidden table allows foldValue.
func (n *Network) valueFoldSafe() bool {
	if !n.hidFinite {
		return false
	}
	var m float64
	for _, v := range n.hidStep {
		m = max(m, math.Abs(float64(v)))
	}
	return m*float64(n.tr.k) <= valueFoldMax
}

// foldValueBound returns the bound above for a weight of w0 before a
// lifetime of steps steps whose hidden table entries are at most m in
// magnitude.
func foldValueBound(w0, m float64, steps int) float64 {
	const u = 1.0 / (1 << 24)
	l := float64(steps)
	return 4 * l * u * (math.Abs(w0) + 3*l*m) * (1 + 4*l*u)
}

// foldValue is foldTransposed exact in value (see the top of this file),
// into the transposed weights w = tr.w, or, with rowMajor set, into w = Whid
// (the same sums with the roles of the two neurons swapped: row i of Whid
// adds the row of T of its own pattern looked up by every neuron's). It
// leaves the diagonal to the caller.
func (n *Network) foldValue(w []float32, rowMajor bool) {
	n.foldValueRows(rowMajor)
	h := n.Cfg.Hidden
	k1 := n.tr.k + 1
	for c0 := 0; c0 < h; c0 += foldValueCols {
		c1 := min(c0+foldValueCols, h)
		for j := range h {
			linalg.AddSteps(w[j*h+c0:j*h+c1], n.tr.fold[c0:], h, n.tr.which[j*k1:j*k1+int(n.tr.nrows[j])])
		}
	}
}

// foldValueRows sets up what foldValue adds: row 0 of tr.fold is D0, the
// others the e rows of each step's patterns that fired, and the list of
// row j in tr.which (tr.nrows[j] entries from j*(k+1)) names the rows of
// tr.fold that row j of the weights adds, in order.
func (n *Network) foldValueRows(rowMajor bool) {
	tr := n.tr
	// t(pi, q) is the step of a synapse onto a neuron of pattern pi from
	// one of pattern q, the row's own (tr.w), or the other way (Whid).
	t := func(pi, q int) float32 { return n.hidStep[pi*len(tr.col)+q] }
	if rowMajor {
		t = func(pi, q int) float32 { return n.hidStep[q*len(tr.col)+pi] }
	}
	h, p := n.Cfg.Hidden, n.Cfg.Patterns()
	negZeros := tr.negZeros(h)
	var seen [1 << (MaxRounds + 1)]bool
	rows := 1
	for s := range tr.npend {
		clear(seen[:p])
		for _, q := range tr.pend[s*h : (s+1)*h] {
			seen[q] = true
		}
		for q := 1; q < p; q++ {
			tr.slot[s*p+q] = -1
			if seen[q] {
				tr.slot[s*p+q] = int32(rows)
				rows++
			}
		}
	}
	tr.fold = resize(tr.fold, rows*h)
	d0 := tr.fold[:h]
	copy(d0, negZeros)
	for s := range tr.npend {
		pat := tr.pend[s*h : (s+1)*h]
		for pi := range p {
			tr.col[pi] = t(pi, 0)
		}
		linalg.AddLookup(d0, tr.col, pat)
		for q := 1; q < p; q++ {
			r := int(tr.slot[s*p+q])
			if r < 0 {
				continue
			}
			for pi := range p {
				tr.col[pi] = t(pi, q) - t(pi, 0)
			}
			row := tr.fold[r*h : (r+1)*h]
			copy(row, negZeros)
			linalg.AddLookup(row, tr.col, pat)
		}
	}
	k1 := tr.k + 1
	for j := range h {
		list := tr.which[j*k1 : (j+1)*k1]
		list[0] = 0
		m := 1
		for s := range tr.npend {
			if q := tr.pend[s*h+j]; q != 0 {
				list[m] = tr.slot[s*p+int(q)]
				m++
			}
		}
		tr.nrows[j] = int32(m)
	}
}
