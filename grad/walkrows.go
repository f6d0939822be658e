package grad

import (
	"plasticity/linalg"
	"plasticity/model"
)

// walkRows is the gradient under norm=incoming and norm=both (docs/model.md
// §10.10). Step t is W_t = N(V_t) with V_t = W_(t-1) + eta Delta_t, where N
// divides every row by its norm r (incoming), or every column by its norm c
// and then every row (both: W_t = R(U_t), U_t = C(V_t)). Going from the last
// step back, it turns dL/dW_t into dL/dV_t through the Jacobians of the row
// normalisation (g_i <- (g_i - w_i (w_i . g_i)) / r_i, per row, with w the
// normalised row) and, under both, of the column one (as walk's), rebuilding
// U_t = r W_t and V_t = c U_t on the way; adds the step's share of
// dL/dtheta; and rebuilds W_(t-1) = V_t - eta Delta_t, restarting from an
// exact copy wherever the tape kept one. dL/dV_t is dL/dW_(t-1), and after
// the first step the buffers hold dL/dW_0.
//
// Unlike walk it makes one pass per normalisation and one for the share and
// the undoing, per matrix and step, instead of one fused pass: a row's
// projection needs only the row, but the columns' needs the column dots of
// U_t, which exist only once every row is through the row normalisation.
// These norms are stepwise lifetimes (model.Config.stepwise) whose own cost
// per step is of the same order.
func (b *Backprop) walkRows(n *model.Network) {
	c := b.cfg
	h, in := c.Hidden, c.Inputs
	b.loadWeights(n)
	mats := b.mats()
	both := c.Norm == model.NormBoth
	stride, colLen := b.tp.stride(), b.tp.colLen()
	ck := len(b.tp.ckStep) - 1
	for t := b.tp.nsteps - 1; t >= 0; t-- {
		b.atStep(n, t)
		if ck >= 0 && b.tp.ckStep[ck] == t {
			b.loadCopy(ck)
			ck--
		}
		norms := b.tp.norms[t*stride : (t+1)*stride]
		rn := norms[colLen:]
		rs := [3][]float32{rn[:h], rn[h : 2*h], rn[2*h:]}
		cs := [3][]float32{norms[:min(colLen, in)], norms[min(colLen, in):min(colLen, in+h)], norms[min(colLen, in+h):colLen]}
		clear(b.seen)
		for k, m := range mats {
			if !b.need(k) {
				continue
			}
			if t > 0 || b.fault != faultSkipFirstNorm {
				b.backRows(m.w, m.g, rs[k], m.cols)
				if both {
					b.backColumns(k, m.w, m.g, cs[k], m.rows, m.cols)
				}
			}
			b.shareAndUndo(n, k, t)
		}
		pat := b.tp.pat[t*h : (t+1)*h]
		if !b.Frozen[Input] {
			b.addInput(pat, b.rowIn)
		}
		if !b.Frozen[Hidden] {
			b.finishHidden(pat)
		}
		if !b.Frozen[Output] {
			columnSums(b.colOut, b.gOut, c.Outputs, h)
			b.addOutput(pat, int(b.tp.label[t]), int(b.tp.pred[t]), b.gOut, b.colOut)
		}
		if t > 0 && b.afterUnstep != nil {
			b.afterUnstep(t)
		}
	}
}

// matrix is one weight matrix of the walk: the rebuilt weights and the
// gradient with respect to them.
type matrix struct {
	w, g       []float32
	rows, cols int
}

// loadWeights puts n's final weights, where both walks start, into the
// walk's buffers.
func (b *Backprop) loadWeights(n *model.Network) {
	copy(b.wIn, n.Win)
	copy(b.wHid, n.Whid)
	copy(b.wOut, n.Wout)
}

// mats returns the walk's three matrices, Win, Whid and Wout.
func (b *Backprop) mats() [3]matrix {
	c := b.cfg
	h, in, out := c.Hidden, c.Inputs, c.Outputs
	return [3]matrix{{b.wIn, b.gIn, h, in}, {b.wHid, b.gHid, h, h}, {b.wOut, b.gOut, out, h}}
}

// projSign is the sign of a normalisation's projection term: -1, or what a
// deliberate fault makes of it.
func (b *Backprop) projSign() float32 {
	switch b.fault {
	case faultFlipProject:
		return 1
	case faultDropProject:
		return 0
	}
	return -1
}

// backRows turns g = dL/dW, W = R(U) holding the rows of U divided by their
// norms r, into dL/dU = (g_i - w_i (w_i . g_i)) / r_i row by row, and w into
// U = r_i w_i. A zero row was left as it is: its Jacobian is the identity.
func (b *Backprop) backRows(w, g, r []float32, cols int) {
	sign := b.projSign()
	for i, ri := range r {
		if ri <= 0 {
			continue
		}
		wr, gr := w[i*cols:(i+1)*cols], g[i*cols:(i+1)*cols]
		s := sign * linalg.Dot(wr, gr)
		inv := 1 / ri
		for j := range gr {
			gr[j] = (gr[j] + s*wr[j]) * inv
			wr[j] *= ri
		}
	}
}

// backColumns turns g = dL/dU, U = C(V) holding the columns of V divided by
// their norms c, into dL/dV and w into V, as walk does column by column.
func (b *Backprop) backColumns(k int, w, g, c []float32, rows, cols int) {
	d, inv, mul := b.colDots[k][:cols], b.inv[:cols], b.mul[:cols]
	columnDots(d, w, g, rows, cols)
	b.prepareColumns(c, d, inv, mul)
	for i := range rows {
		wr, gr := w[i*cols:(i+1)*cols], g[i*cols:(i+1)*cols]
		for j := range gr {
			gr[j] = (gr[j] + wr[j]*d[j]) * inv[j]
			wr[j] *= mul[j]
		}
	}
}

// shareAndUndo takes step t's share of matrix k's rule table from g =
// dL/dV_t (the input rows' sums, the hidden rows by pattern; the output
// table's share is taken once the matrix is through) and, but for the first
// step, undoes the step on the weights: W_(t-1) = V_t - eta Delta_t.
func (b *Backprop) shareAndUndo(n *model.Network, k, t int) {
	c := b.cfg
	h := c.Hidden
	m := b.mats()[k]
	pat := b.tp.pat[t*h : (t+1)*h]
	y, pred := int(b.tp.label[t]), int(b.tp.pred[t])
	hebb := k == Input && c.InputRule == model.InputHebbian
	x := b.ds.Row(int(b.tp.sample[t]))
	if !hebb || b.fault == faultHebbNoX {
		x = b.onesIn()
	}
	for i := range m.rows {
		w, g := m.w[i*m.cols:(i+1)*m.cols], m.g[i*m.cols:(i+1)*m.cols]
		switch k {
		case Input:
			b.rowIn[i] = linalg.Dot(g, x)
		case Hidden:
			b.addHiddenRow(pat[i], g)
		}
		if t == 0 {
			continue
		}
		tbl, idx := b.rowStep(k, i, pat, y, pred)
		switch {
		case hebb:
			linalg.Axpy(w, tbl[0], b.ds.Row(int(b.tp.sample[t])))
		case k == Input:
			linalg.AddConst(w, tbl[0])
		default:
			for j, q := range idx {
				w[j] += tbl[q]
			}
		}
	}
	if k == Hidden && t > 0 {
		for _, a := range n.Absent() {
			m.w[a] = 0
		}
	}
}
