// Package grad is gradient descent on the rule genotype: the exact gradient of
// the evaluation pass's cross-entropy with respect to the rules, derived by
// hand through a whole lifetime of the model (SPEC section 4), and Adam.
//
// The firing patterns, the cap's choices and (update=misclassified) the
// decision to update are piecewise constant in the rules, so they are held at
// the values the lifetime took; every other dependence is differentiated
// exactly. The forward computation is the model's own: Backprop drives
// model.Network.Lifetime and EvaluateFunc and reads the network's state after
// each step, so there is no second copy of the forward pass here.
//
// Notation: a lifetime of T updating steps takes the weights W_0 to W_T; step t
// adds eta*Delta_t, where Delta_t depends on the rules theta and the step's
// patterns, and (norm=outgoing) then divides every column by its norm. The
// evaluation pass runs the batch again through W_T; L is its mean
// cross-entropy on the log-softmax of the logits and G = dL/dW_T.
package grad

import (
	"fmt"
	"math"

	"plasticity/linalg"
	"plasticity/model"
)

// Backprop computes the gradient of one lifetime's evaluation loss with
// respect to the rule genotype. It holds the buffers for one network
// configuration and is not safe for concurrent use; give each goroutine its
// own.
type Backprop struct {
	cfg model.Config
	tp  tape

	// The rules of the lifetime scaled by eta (the network's), and negated
	// for undoing a step.
	inStep                []float32
	negHid, negYes, negNo []float32

	// G = dL/dW of the evaluation pass, walked back to dL/dW_(t-1) under
	// norm=outgoing. gIn is only formed under norm=outgoing; without
	// normalisation only its row sums rowIn are needed.
	gIn, gHid, gOut []float32
	rowIn, colOut   []float32

	// Per-sample scratch of the evaluation pass's backward.
	dlog, da, dd, du, u []float32
	invN                float32

	// Weights rebuilt step by step under norm=outgoing, and column dots.
	wIn, wHid, wOut []float32
	dots            []float32

	// rows[q] sums the rows of a hidden-weight gradient whose post-synaptic
	// neuron had pattern q; seen marks the patterns present in a step.
	rows []float32
	seen []bool
	acc  []float64 // the genotype's gradient, before scaling by eta

	// Set only by tests: a deliberate error in the gradient, and a look at
	// the walk's rebuilt weights (W_t, t counting updating steps from W_0).
	fault       fault
	afterUnstep func(t int)
}

// fault is a deliberate error in the gradient, set only by tests to show that
// the finite-difference check catches a dropped term or a flipped sign.
type fault uint8

const (
	faultNone        fault = iota
	faultDropA0Path        // drive=a0: forget that a0 feeds every round
	faultFlipProject       // norm=outgoing: + instead of - in the projection
	faultDropProject       // norm=outgoing: drop the projection term
	faultFlipOutNo         // flip the sign of the output table's "other class" entries
	faultDropSoftmax       // cross-entropy gradient without the softmax term
)

// New returns a Backprop for networks of configuration cfg.
func New(cfg model.Config) (*Backprop, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h, in, out, p := cfg.Hidden, cfg.Inputs, cfg.Outputs, cfg.Patterns()
	b := &Backprop{
		cfg:    cfg,
		negHid: make([]float32, p*p),
		negYes: make([]float32, p),
		negNo:  make([]float32, p),
		gHid:   make([]float32, h*h),
		gOut:   make([]float32, out*h),
		rowIn:  make([]float32, h),
		colOut: make([]float32, h),
		dlog:   make([]float32, out),
		da:     make([]float32, (cfg.Rounds+1)*h),
		dd:     make([]float32, h),
		du:     make([]float32, h),
		u:      make([]float32, h),
		rows:   make([]float32, p*h),
		seen:   make([]bool, p),
		acc:    make([]float64, model.GenotypeLen(cfg.Rounds)),
		tp:     tape{budget: reconBudget},
	}
	if cfg.Norm == model.NormOutgoing {
		b.gIn = make([]float32, h*in)
		b.wIn = make([]float32, h*in)
		b.wHid = make([]float32, h*h)
		b.wOut = make([]float32, out*h)
		b.dots = make([]float32, 2*max(in, h))
	}
	return b, nil
}

// Gradient gives rules r a lifetime over samples idx of ds on n, starting from
// the weights n holds, then runs the evaluation pass over the same samples
// with the weights frozen, and writes dL/dtheta of its mean cross-entropy into
// grad (length model.GenotypeLen). It returns the evaluation pass's score; n is
// left holding the lifetime's final weights.
func (b *Backprop) Gradient(n *model.Network, r model.Rules, ds model.Samples, idx []int32, grad []float32) (model.Score, error) {
	if n.Cfg != b.cfg {
		return model.Score{}, fmt.Errorf("grad: network configuration %+v differs from the gradient's %+v", n.Cfg, b.cfg)
	}
	if len(grad) != len(b.acc) {
		return model.Score{}, fmt.Errorf("grad: gradient buffer has %d entries, want %d", len(grad), len(b.acc))
	}
	if len(idx) == 0 {
		return model.Score{}, fmt.Errorf("grad: a lifetime needs at least one sample")
	}
	b.tp.reset(n, ds.Y)
	if _, err := n.Lifetime(r, ds, idx, &b.tp); err != nil {
		return model.Score{}, err
	}
	b.setSteps(n)

	clear(b.gHid)
	clear(b.gOut)
	clear(b.rowIn)
	clear(b.gIn)
	b.invN = 1 / float32(len(idx))
	score := n.EvaluateFunc(ds, idx, func(i int) { b.backSample(n, ds.Row(i), int(ds.Y[i])) })
	for _, a := range n.Absent() {
		b.gHid[a] = 0
	}

	clear(b.acc)
	if b.cfg.Norm == model.NormOutgoing {
		b.walk(n)
	} else {
		b.sumSteps()
	}
	eta := float64(b.cfg.Eta)
	for k, v := range b.acc {
		grad[k] = float32(eta * v)
	}
	return score, nil
}

// Checkpoints returns how many exact weight copies the last Gradient kept
// for the backward walk (always 0 without normalisation; see tape).
func (b *Backprop) Checkpoints() int { return len(b.tp.ckStep) }

// setSteps takes the rules scaled by eta from the network, the very numbers
// its updates added, and negates them for undoing a step.
func (b *Backprop) setSteps(n *model.Network) {
	in, hid, yes, no := n.RuleSteps()
	b.inStep = in
	for k, v := range hid {
		b.negHid[k] = -v
	}
	for q := range yes {
		b.negYes[q], b.negNo[q] = -yes[q], -no[q]
	}
}

// deriv returns f'(z) of the hidden activation from a = f(z) of a neuron the
// cap kept.
func (b *Backprop) deriv(a float32) float32 {
	switch b.cfg.Act {
	case model.Sigmoid:
		return a * (1 - a)
	case model.ReLU:
		if a > 0 {
			return 1
		}
		return 0
	}
	return 1
}

// backSample adds one evaluation sample's share to G, from the forward pass n
// has just made on x with true label y.
//
// Forward (SPEC 1): d = Win x; a0 = cap(f(d)); u_r = a0 + a_(r-1) (drive a0,
// so u_1 = 2 a0) or a_(r-1) + d (drive raw); a_r = cap(f(Whid u_r)); logits
// = Wout a_R. The cap's kept set S_r is fixed: da/dz = f'(z) on S_r, 0 off it.
func (b *Backprop) backSample(n *model.Network, x []float32, y int) {
	c := b.cfg
	h, R := c.Hidden, c.Rounds
	logp := n.LogProbs()
	for o, lp := range logp {
		b.dlog[o] = float32(math.Exp(float64(lp))) * b.invN
	}
	if b.fault == faultDropSoftmax {
		clear(b.dlog)
	}
	b.dlog[y] -= b.invN

	da := b.da
	clear(da)
	aR := n.Activations(R)
	daR := da[R*h : (R+1)*h]
	for o, g := range b.dlog {
		linalg.Axpy(b.gOut[o*h:(o+1)*h], g, aR)
		linalg.Axpy(daR, g, n.Wout[o*h:(o+1)*h])
	}

	dd := b.dd
	clear(dd)
	a0, drive := n.Activations(0), n.Drive()
	da0 := da[:h]
	for r := R; r >= 1; r-- {
		prev, ar, dar := n.Activations(r-1), n.Activations(r), da[r*h:(r+1)*h]
		u := b.u
		if c.Drive == model.DriveRaw {
			for i := range u {
				u[i] = prev[i] + drive[i]
			}
		} else {
			for i := range u {
				u[i] = a0[i] + prev[i]
			}
		}
		du := b.du
		clear(du)
		for _, i := range n.Selected(r) {
			g := dar[i] * b.deriv(ar[i])
			if g == 0 {
				continue
			}
			linalg.Axpy(b.gHid[int(i)*h:(int(i)+1)*h], g, u)
			linalg.Axpy(du, g, n.Whid[int(i)*h:(int(i)+1)*h])
		}
		linalg.Axpy(da[(r-1)*h:r*h], 1, du)
		switch {
		case c.Drive == model.DriveRaw:
			linalg.Axpy(dd, 1, du)
		case b.fault != faultDropA0Path:
			linalg.Axpy(da0, 1, du)
		}
	}
	for _, i := range n.Selected(0) {
		dd[i] += da0[i] * b.deriv(a0[i])
	}

	if c.Norm == model.NormOutgoing {
		in := c.Inputs
		for i, g := range dd {
			if g != 0 {
				linalg.Axpy(b.gIn[i*in:(i+1)*in], g, x)
			}
		}
		return
	}
	// Without normalisation only the row sums of dL/dWin enter the gradient
	// (the input rule adds one constant to a whole row): sum_m dd_i x_m.
	var sx float32
	for _, v := range x {
		sx += v
	}
	linalg.Axpy(b.rowIn, sx, dd)
}

// sumSteps is the gradient without normalisation: W_T = W_0 + sum_t eta
// Delta_t(theta) is affine in theta, so dL/dtheta sums G over each step's
// pattern groups.
func (b *Backprop) sumSteps() {
	h := b.cfg.Hidden
	columnSums(b.colOut, b.gOut, b.cfg.Outputs, h)
	for t := range b.tp.nsteps {
		b.addStep(t, b.rowIn, b.gHid, b.gOut, b.colOut)
	}
}

// addStep adds to acc the share of updating step t, given the gradient with
// respect to the step's result: the row sums of dL/dWin, dL/dWhid, dL/dWout
// and its column sums.
func (b *Backprop) addStep(t int, rowIn, gHid, gOut, colOut []float32) {
	c := b.cfg
	h, p := c.Hidden, c.Patterns()
	pat := b.tp.pat[t*h : (t+1)*h]
	accIn, accHid, accOut := b.acc[:p], b.acc[p:p+p*p], b.acc[p+p*p:]

	// Input table: Win[i][m] += eta in[p_i] for every m.
	for i, q := range pat {
		accIn[q] += float64(rowIn[i])
	}

	// Hidden table: Whid[i][j] += eta hid[p_j P + p_i]. Sum the rows of
	// neurons that share a post-synaptic pattern, then each column into its
	// pre-synaptic pattern: (P_t' G P_t) in h^2 + P h additions.
	clear(b.seen)
	for i, q := range pat {
		row := b.rows[int(q)*h : (int(q)+1)*h]
		if !b.seen[q] {
			b.seen[q] = true
			copy(row, gHid[i*h:(i+1)*h])
			continue
		}
		linalg.Axpy(row, 1, gHid[i*h:(i+1)*h])
	}
	for q, ok := range b.seen {
		if !ok {
			continue
		}
		row := b.rows[q*h : (q+1)*h]
		for j, pj := range pat {
			accHid[int(pj)*p+q] += float64(row[j])
		}
	}

	// Output table: Wout[c][j] += eta out[2 p_j + (c == label ? 0 : 1)].
	y := int(b.tp.label[t])
	gy := gOut[y*h : (y+1)*h]
	sign := 1.0
	if b.fault == faultFlipOutNo {
		sign = -1
	}
	for j, q := range pat {
		accOut[2*int(q)] += float64(gy[j])
		accOut[2*int(q)+1] += sign * float64(colOut[j]-gy[j])
	}
}

// walk is the gradient under norm=outgoing. Each step is W_t = N(V_t) with
// V_t = W_(t-1) + eta Delta_t and N dividing every column by its norm c. Going
// from the last step back, it turns dL/dW_t into dL/dV_t through N's Jacobian,
// adds the step's share of dL/dtheta, and rebuilds W_(t-1) = c W_t - eta
// Delta_t from the stored norms, restarting from an exact copy wherever the
// tape kept one (see tape).
func (b *Backprop) walk(n *model.Network) {
	c := b.cfg
	h, in, out := c.Hidden, c.Inputs, c.Outputs
	copy(b.wIn, n.Win)
	copy(b.wHid, n.Whid)
	copy(b.wOut, n.Wout)
	stride := in + 2*h
	ck := len(b.tp.ckStep) - 1
	for t := b.tp.nsteps - 1; t >= 0; t-- {
		if ck >= 0 && b.tp.ckStep[ck] == t {
			w := b.tp.ckPool[ck]
			copy(b.wIn, w)
			copy(b.wHid, w[len(b.wIn):])
			copy(b.wOut, w[len(b.wIn)+len(b.wHid):])
			ck--
		}
		norms := b.tp.norms[t*stride : (t+1)*stride]
		cIn, cHid, cOut := norms[:in], norms[in:in+h], norms[in+h:]
		b.normBack(b.wIn, b.gIn, h, in, cIn)
		b.normBack(b.wHid, b.gHid, h, h, cHid)
		for _, a := range n.Absent() {
			b.gHid[a] = 0
		}
		b.normBack(b.wOut, b.gOut, out, h, cOut)
		for i := range h {
			var s float32
			for _, v := range b.gIn[i*in : (i+1)*in] {
				s += v
			}
			b.rowIn[i] = s
		}
		columnSums(b.colOut, b.gOut, out, h)
		b.addStep(t, b.rowIn, b.gHid, b.gOut, b.colOut)
		// W_0 enters no Jacobian: the first step needs no undoing.
		if t > 0 {
			b.unstep(n, t, cIn, cHid, cOut)
			if b.afterUnstep != nil {
				b.afterUnstep(t)
			}
		}
	}
}

// normBack turns g = dL/dW into dL/dV for W = N(V) with column norms c of V,
// using the normalised w: dL/dV_j = (g_j - w_j (w_j . g_j)) / c_j per column
// j. A zero column was left as it is, so its Jacobian is the identity.
func (b *Backprop) normBack(w, g []float32, rows, cols int, c []float32) {
	dots, inv := b.dots[:cols], b.dots[cols:2*cols]
	clear(dots)
	for i := range rows {
		wr, gr := w[i*cols:(i+1)*cols], g[i*cols:(i+1)*cols]
		for j := range dots {
			dots[j] += wr[j] * gr[j]
		}
	}
	sign := float32(-1)
	switch b.fault {
	case faultFlipProject:
		sign = 1
	case faultDropProject:
		sign = 0
	}
	for j, cj := range c {
		inv[j] = 1
		if cj > 0 {
			inv[j] = 1 / cj
		} else {
			dots[j] = 0
		}
		dots[j] *= sign
	}
	for i := range rows {
		wr, gr := w[i*cols:(i+1)*cols], g[i*cols:(i+1)*cols]
		for j := range gr {
			gr[j] = (gr[j] + wr[j]*dots[j]) * inv[j]
		}
	}
}

// unstep rebuilds W_(t-1) from W_t in the walk buffers: multiply every column
// back by its norm, then subtract the step's update.
func (b *Backprop) unstep(n *model.Network, t int, cIn, cHid, cOut []float32) {
	c := b.cfg
	h, in, out := c.Hidden, c.Inputs, c.Outputs
	pat := b.tp.pat[t*h : (t+1)*h]
	unscale := func(w []float32, rows, cols int, norms []float32) {
		for i := range rows {
			row := w[i*cols : (i+1)*cols]
			for j, v := range norms {
				if v > 0 {
					row[j] *= v
				}
			}
		}
	}
	unscale(b.wIn, h, in, cIn)
	unscale(b.wHid, h, h, cHid)
	unscale(b.wOut, out, h, cOut)
	for i, q := range pat {
		linalg.AddConst(b.wIn[i*in:(i+1)*in], -b.inStep[q])
		linalg.AddLookup(b.wHid[i*h:(i+1)*h], b.negHid[int(q)*c.Patterns():(int(q)+1)*c.Patterns()], pat)
	}
	for _, a := range n.Absent() {
		b.wHid[a] = 0
	}
	y := int(b.tp.label[t])
	for o := range out {
		tbl := b.negNo
		if o == y {
			tbl = b.negYes
		}
		linalg.AddLookup(b.wOut[o*h:(o+1)*h], tbl, pat)
	}
}

// columnSums sets s[j] to the sum of column j of the rows x cols matrix a.
func columnSums(s, a []float32, rows, cols int) {
	s = s[:cols]
	clear(s)
	for i := range rows {
		linalg.Axpy(s, 1, a[i*cols:(i+1)*cols])
	}
}
