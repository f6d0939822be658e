package model

import (
	"math"
)

// The updates of docs/model.md §10 that the batched lifetime cannot defer
// (see Config.stepwise): the Hebbian input rule, the multiplicative form of
// the input and hidden rules, and the incoming normalisation. Each is written
// into the weights at once, as Learn needs.

// mulLookup is AddLookup's multiplicative form: row[j] *= 1 + table[idx[j]].
func mulLookup(row, table []float32, idx []uint8) {
	for j, q := range idx {
		row[j] *= 1 + table[q]
	}
}

// learnHebbian applies the Hebbian input rule to the input of the last
// forward pass: Win[i][m] += in[p_i] x_m, or *= 1 + in[p_i] x_m under the
// multiplicative form.
func (n *Network) learnHebbian() {
	if !n.inActive {
		return
	}
	in := n.Cfg.Inputs
	mul := n.Cfg.RuleForm == Multiplicative
	for i, q := range n.pattern {
		v := n.inStep[q]
		row := n.Win[i*in : (i+1)*in]
		for m, x := range n.x {
			// The conversion rounds the product, so no platform fuses
			// it with the addition.
			if mul {
				row[m] *= 1 + float32(v*x)
			} else {
				row[m] += float32(v * x)
			}
		}
	}
}

// scaleInput applies the pattern input rule in multiplicative form:
// Win[i][m] *= 1 + in[p_i].
func (n *Network) scaleInput() {
	if !n.inActive {
		return
	}
	in := n.Cfg.Inputs
	for i, q := range n.pattern {
		f := 1 + n.inStep[q]
		for m := range in {
			n.Win[i*in+m] *= f
		}
	}
}

// scaleHidden applies the hidden rule in multiplicative form: Whid[i][j] *=
// 1 + hid[p_j*P + p_i]; absent synapses stay 0.
func (n *Network) scaleHidden() {
	if !n.hidActive {
		return
	}
	h, p := n.Cfg.Hidden, n.Cfg.Patterns()
	for i, q := range n.pattern {
		mulLookup(n.Whid[i*h:(i+1)*h], n.hidStep[int(q)*p:(int(q)+1)*p], n.pattern)
	}
	for _, a := range n.absent {
		n.Whid[a] = 0
	}
}

// normalizeRows divides every row of each weight matrix (the incoming
// weights of one neuron) by its L2 norm, summed in float64 (it runs on the
// stepwise path only, where its cost is small beside the step's), and keeps
// the norms for the backward pass (RowNorms). A zero row is left as it is.
func (n *Network) normalizeRows() {
	c := n.Cfg
	h := c.Hidden
	if n.rowNorms == nil {
		n.rowNorms = make([]float32, 2*h+c.Outputs)
	}
	scale := func(w []float32, rows, cols int, norms []float32) {
		for i := range rows {
			row := w[i*cols : (i+1)*cols]
			var ss float64
			for _, v := range row {
				ss += float64(v) * float64(v)
			}
			norms[i] = float32(math.Sqrt(ss))
			if ss > 0 {
				inv := 1 / norms[i]
				for j := range row {
					row[j] *= inv
				}
			}
		}
	}
	scale(n.Win, h, c.Inputs, n.rowNorms[:h])
	scale(n.Whid, h, h, n.rowNorms[h:2*h])
	if c.FreeReadout {
		clear(n.rowNorms[2*h:]) // a zero norm is "left as it is" to the backward pass
		return
	}
	scale(n.Wout, c.Outputs, h, n.rowNorms[2*h:])
}

// RowNorms returns the row norms of Win, Whid and Wout taken by the last
// normalisation of rows (norm=incoming or both), before it divided by them;
// nil before the first.
func (n *Network) RowNorms() (in, hid, out []float32) {
	if n.rowNorms == nil {
		return nil, nil, nil
	}
	h := n.Cfg.Hidden
	return n.rowNorms[:h], n.rowNorms[h : 2*h], n.rowNorms[2*h:]
}
