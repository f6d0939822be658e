package model

import "plasticity/linalg"

// The transposed evaluation pass a block at a time. forwardTransposed reads,
// for each sample and round, the Cap rows of the transposed weights its cap
// kept: on a wide network (4000 rows of 16 KB) they come from memory every
// time. The samples of a block keep many of the same rows, so the block's
// products go over the columns a span at a time (linalg.MatVecTransRowsBlock),
// every sample of the block over the same span before the next: the spans of
// the rows the block reads stay in the L2 cache, and each row comes from
// memory once per block and round instead of once per sample. Each sample's
// products make the operations of forwardTransposed in the same order, so the
// pass gives its values bit for bit.

// transBlock is the block of samples of a network that may evaluate over the
// transposed weights (blockSize): the more samples a block holds, the more
// of the rows they keep are shared (at 4000 neurons, cap 400, the caps of 100
// samples fire about 2,400 distinct neurons, not 40,000). Its buffers take
// (R + 3) x transBlock x Hidden x 4 bytes, 12 MB at 4000 neurons, R = 3.
// Blocks of 64 measured 1.2 times faster than blocks of 16 (load 20), and a
// batch of 100 in one block of 100 1.05 times faster than in two of 50
// (load 2.3; BenchmarkWide/*/evaluate).
var transBlock = 128

// transSpanCols is the width of the column spans: a span of every row takes
// Hidden x transSpanCols x 4 bytes (2 MB at 4000 neurons), of which a block's
// caps read a part.
var transSpanCols = 128

// forwardTransBlock is forwardTransposed, with n.tr holding the transpose of
// Whid and the steps kept aside (none but in LifetimeScore's evaluation, see
// pendeval.go), for the first m samples of the block buffers from their
// drives: into the buffers' activations, kept lists and logits, as
// forwardBlock leaves them. Each sample's products add the corrections of the
// steps kept aside after the block's products of the rows, as
// productTransposed does. It uses b.u for the products Whid a0.
func (n *Network) forwardTransBlock(m int) {
	c := n.Cfg
	h, k := c.Hidden, c.Cap
	b := n.bat
	act := func(r, t int) []float32 { return b.act[(r*b.size+t)*h : (r*b.size+t+1)*h] }
	sel := func(r, t int) []int32 { j := r*b.size + t; return b.sel[j*k : j*k+b.nsel[j]] }
	keep := func(r, t int) {
		j := r*b.size + t
		n.activate(act(r, t))
		b.nsel[j] = linalg.Cap(act(r, t), k, b.sel[j*k:(j+1)*k], n.scratch)
	}
	// products adds to dst(t) = dst[t*h:(t+1)*h] Whid times round r's
	// activations of sample t.
	products := func(dst []float32, r int) {
		b.sels = b.sels[:0]
		for t := range m {
			b.sels = append(b.sels, sel(r, t))
		}
		linalg.MatVecTransRowsBlock(dst, h, n.tr.w, h, h, b.act[r*b.size*h:], h, b.sels, transSpanCols)
		if n.tr.npend > 0 {
			for t := range m {
				n.addPending(dst[t*h:(t+1)*h], act(r, t), b.sels[t])
			}
		}
	}
	base := func(t int) []float32 { return b.u[t*h : (t+1)*h] }
	for t := range m {
		copy(act(0, t), b.d[t*h:(t+1)*h])
		keep(0, t)
	}
	clear(b.u[:m*h])
	products(b.u, 0)
	for t := range m {
		// Whid (a0 + a0): doubling is exact (see forwardTransposed).
		linalg.AddScaled(act(1, t), base(t), 1, base(t))
		keep(1, t)
	}
	for r := 2; r <= c.Rounds; r++ {
		for t := range m {
			copy(act(r, t), base(t))
		}
		products(b.act[r*b.size*h:], r-1)
		for t := range m {
			keep(r, t)
		}
	}
	o := c.Outputs
	for t := range m {
		linalg.MatVec(b.out[t*o:(t+1)*o], n.Wout, o, h, act(c.Rounds, t))
	}
}
