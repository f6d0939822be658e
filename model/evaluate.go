package model

import (
	"fmt"
	"math"

	"plasticity/linalg"
)

// Score is the result of an evaluation pass with frozen weights.
type Score struct {
	N        int     `json:"n"`
	Accuracy float64 `json:"accuracy"`
	// Loss is the mean cross-entropy of the log-softmax of the logits.
	Loss float64 `json:"loss"`
	// MSE is the mean over samples and classes of (softmax(z)_c -
	// onehot(label)_c)^2, BrainNet's mse_loss (docs/model.md §10.3).
	MSE float64 `json:"mse"`
	// Majority is the share of predictions in the most common predicted class:
	// 1 means every sample was put in one class.
	Majority float64 `json:"majority"`
	// Confusion[t*Outputs+p] counts samples of true class t predicted as p.
	Confusion []int `json:"confusion"`
}

// PerClass returns the accuracy on each true class (NaN where a class has no
// samples).
func (s Score) PerClass() []float64 {
	k := int(math.Sqrt(float64(len(s.Confusion))))
	acc := make([]float64, k)
	for t := range k {
		tot := 0
		for p := range k {
			tot += s.Confusion[t*k+p]
		}
		acc[t] = math.NaN()
		if tot > 0 {
			acc[t] = float64(s.Confusion[t*k+t]) / float64(tot)
		}
	}
	return acc
}

// Evaluate runs the evaluation pass over samples idx of ds (all of ds when idx
// is nil) with the weights frozen.
func (n *Network) Evaluate(ds Samples, idx []int32) Score { return n.EvaluateFunc(ds, idx, nil) }

// EvaluateFunc is Evaluate calling after(i), when after is not nil, right
// after the forward pass of sample i while the network's state still holds
// it: the gradient's backward pass runs there, so the evaluation pass is
// computed once.
//
// The weights being frozen, the samples are independent: the pass takes them
// in blocks, each round one product of Whid with the whole block
// (linalg.MatVecBatch), which reads the weights once per block instead of
// once per sample. Its values are Forward's within float32 rounding; the
// network's state is set to each sample's before after(i) and is the last
// sample's at the end, as if Forward had run sample by sample.
func (n *Network) EvaluateFunc(ds Samples, idx []int32, after func(i int)) Score {
	if ds.Dim != n.Cfg.Inputs {
		panic(fmt.Sprintf("model: evaluating data of %d features on a network of %d inputs", ds.Dim, n.Cfg.Inputs))
	}
	if idx == nil {
		idx = make([]int32, ds.Len())
		for i := range idx {
			idx[i] = int32(i)
		}
	}
	return n.evaluate(ds, idx, after, nil, false)
}

// evaluate is EvaluateFunc over idx; with st set, the drives are st's
// products plus inAcc * sum(x) (see LifetimeFrom). When the network takes
// the transposed lifetime over as many samples (and drive a0: under drive
// raw the transposed rounds read every weight), the rounds go over the
// transposed weights too (forwardTransBlock, forwardTransposed's values a
// block at a time), reading only the rows the caps kept: Hidden x Cap weights
// a round instead of the batched product's Hidden^2 multiply-adds a sample. trKept says that n.tr.w
// holds the transpose of Whid already (a transposed lifetime just ended).
func (n *Network) evaluate(ds Samples, idx []int32, after func(i int), st *Start, trKept bool) Score {
	c := n.Cfg
	h, o := c.Hidden, c.Outputs
	s := Score{Confusion: make([]int, o*o)}
	counts := make([]int, o)
	var loss, mse float64
	correct := 0
	tally := func(i int, logits []float32) {
		y := int(ds.Y[i])
		pred := linalg.LogSoftmax(n.logp, logits)
		loss -= float64(n.logp[y])
		mse += squaredError(n.logp, y)
		if pred == y {
			correct++
		}
		counts[pred]++
		s.Confusion[y*o+pred]++
		s.N++
	}
	trans := n.evaluatesTransposed(len(idx))
	if trans && !trKept {
		n.enterTransposed(nil)
	}
	b := n.buffers()
	blocks(len(idx), b.size, func(lo, hi int) {
		m := hi - lo
		if st != nil {
			for t := range m {
				linalg.AddScaled(b.d[t*h:(t+1)*h], st.d[(lo+t)*h:(lo+t+1)*h], st.sx[lo+t], n.inAcc)
			}
		} else {
			n.drives(ds, idx[lo:hi])
		}
		if trans {
			n.forwardTransBlock(m)
		} else {
			n.forwardBlock(m)
		}
		for t := range m {
			i := int(idx[lo+t])
			tally(i, b.out[t*o:(t+1)*o])
			if after != nil || lo+t == len(idx)-1 {
				n.restore(t)
				if after != nil {
					after(i)
				}
			}
		}
	})
	if s.N > 0 {
		s.Accuracy = float64(correct) / float64(s.N)
		s.Loss = loss / float64(s.N)
		s.MSE = mse / float64(s.N*o)
		s.Majority = float64(slicesMax(counts)) / float64(s.N)
	}
	return s
}

// evaluatesTransposed says whether an evaluation pass over steps samples
// takes the transposed weights (see evaluate): where the lifetime does, under
// drive a0, and when the caps keep at most a quarter of the neurons (with
// more, the batched products, which read the weights once per block of
// samples, are faster).
func (n *Network) evaluatesTransposed(steps int) bool {
	c := n.Cfg
	return c.Drive == DriveA0 && float64(c.Cap) <= transposedEvalShare*float64(c.Hidden) && n.useTransposed(steps, false)
}

// forwardBlock runs the forward pass of the first m samples of the block
// buffers from their drives, into the buffers' activations, kept lists and
// logits.
func (n *Network) forwardBlock(m int) {
	c := n.Cfg
	h, k := c.Hidden, c.Cap
	b := n.bat
	round := func(r int) []float32 { return b.act[r*b.size*h : (r*b.size+m)*h] }
	keep := func(r int) {
		a := round(r)
		for t := range m {
			v := a[t*h : (t+1)*h]
			n.activate(v)
			j := r*b.size + t
			b.nsel[j] = linalg.Cap(v, k, b.sel[j*k:(j+1)*k], n.scratch)
		}
	}
	a0 := round(0)
	copy(a0, b.d[:m*h])
	keep(0)
	for r := 1; r <= c.Rounds; r++ {
		u := b.u[:m*h]
		if c.Drive == DriveRaw {
			linalg.AddScaled(u, round(r-1), 1, b.d[:m*h])
		} else {
			linalg.AddScaled(u, a0, 1, round(r-1))
		}
		linalg.MatVecBatch(round(r), n.Whid, h, h, u, m)
		keep(r)
	}
	linalg.MatVecBatch(b.out, n.Wout, c.Outputs, h, round(c.Rounds), m)
}

// restore makes sample t of the block (after forwardBlock) the network's
// state, as Forward would have left it.
func (n *Network) restore(t int) {
	c := n.Cfg
	h, k, o := c.Hidden, c.Cap, c.Outputs
	b := n.bat
	copy(n.drive, b.d[t*h:(t+1)*h])
	for r := 0; r <= c.Rounds; r++ {
		j := r*b.size + t
		copy(n.act[r*h:(r+1)*h], b.act[j*h:(j+1)*h])
		n.nsel[r] = b.nsel[j]
		copy(n.sel[r*k:(r+1)*k], b.sel[j*k:(j+1)*k])
	}
	copy(n.logits, b.out[t*o:(t+1)*o])
	n.pred = linalg.LogSoftmax(n.logp, n.logits)
	n.setPatterns()
}

// squaredError is sum_c (p_c - [c == y])^2 for the probabilities p =
// exp(logp), in float64.
func squaredError(logp []float32, y int) float64 {
	var e float64
	for c, lp := range logp {
		d := math.Exp(float64(lp))
		if c == y {
			d--
		}
		e += d * d
	}
	return e
}

func slicesMax(x []int) int {
	m := 0
	for _, v := range x {
		m = max(m, v)
	}
	return m
}
