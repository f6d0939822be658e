// Package grad is gradient descent on the rule genotype: the exact gradient of
// the evaluation pass's cross-entropy with respect to the rules, derived by
// hand through a whole lifetime of the model (docs/model.md §4), and Adam.
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
// patterns (under -eta-decay eta f_t*Delta_t, f_t the decay factor of the
// network's age at step t, which the tape records and the walk back uses both
// for the step's share and for undoing it), and (norm=outgoing) then divides
// every column by its norm. The
// evaluation pass runs the batch again through W_T; L is its mean
// cross-entropy on the log-softmax of the logits and G = dL/dW_T.
package grad

import (
	"fmt"
	"math"
	"slices"

	"plasticity/linalg"
	"plasticity/model"
)

// Loss is the loss of the evaluation pass that Backprop differentiates.
type Loss uint8

const (
	// CrossEntropy is the mean cross-entropy of the log-softmax of the
	// logits (docs/model.md §4).
	CrossEntropy Loss = iota
	// SoftmaxCrossEntropy is the cross-entropy taken on the softmax outputs
	// as if they were logits (softmax applied twice), as the PyTorch
	// reference program does. Its gradient passes through the softmax's
	// Jacobian diag(s) - s s', which vanishes as the outputs saturate, right
	// or wrong, and the loss cannot fall below -log(e/(e+K-1)) for K classes.
	// It is kept to show that.
	SoftmaxCrossEntropy
	// MSE is the mean over samples and classes of (softmax(z)_c -
	// onehot(y)_c)^2, BrainNet's mse_loss (see mse.go).
	MSE
)

// The rule tables, in genotype order, as indices of Backprop.Frozen.
const (
	Input = iota
	Hidden
	Output
)

// Backprop computes the gradient of one lifetime's evaluation loss with
// respect to the rule genotype. It holds the buffers for one network
// configuration and is not safe for concurrent use; give each goroutine its
// own.
type Backprop struct {
	// Loss is what the gradient is of; the zero value is CrossEntropy.
	Loss Loss
	// Learn marks the weight matrices (Input: Win, Hidden: Whid, Output:
	// Wout) whose initial value's gradient dL/dW_0 is wanted beside the
	// rules' (docs/model.md §10.4); InitialGradient returns it after Gradient.
	Learn [3]bool
	// Frozen marks the rule tables (Input, Hidden, Output) whose gradient is
	// not wanted: their entries are left zero and the work only they need is
	// skipped. The three weight matrices' chains of normalisations are
	// independent, and the output table alone needs no pass back through the
	// rounds.
	Frozen [3]bool

	cfg model.Config
	tp  tape
	ds  model.Samples // the lifetime's data, for the Hebbian input rule's x

	// The rules of the lifetime scaled by eta (the network's), negated for
	// undoing a step.
	negIn, negHid, negYes, negNo []float32
	// Under output edges predicted: negBoth is negYes + negNo (a correct
	// prediction's row takes both), negNone all zero (a row left alone).
	negBoth, negNone []float32

	// G = dL/dW of the evaluation pass, walked back to dL/dW_(t-1) under
	// norm=outgoing. gIn is only formed under a normalisation or the Hebbian
	// input rule (see fullIn); otherwise
	// normalisation only its row sums rowIn are needed.
	gIn, gHid, gOut []float32
	rowIn, colOut   []float32

	// Per-sample scratch of the evaluation pass's backward.
	dlog, dsoft, da, dd, du, u []float32
	invN                       float32

	// Under norm=outgoing: the weights rebuilt step by step, the column dots
	// of weights and gradient of this step and the next, per-column factors,
	// a row of scratch, all-zero pattern indices for Win's columns (inputs
	// have none) and ones for its row sums.
	wIn, wHid, wOut   []float32
	colDots, nextDots [3][]float32
	inv, mul, tmp     []float32
	zeros             []uint8
	ones              []float32

	// rows[q] sums the rows of a hidden-weight gradient whose post-synaptic
	// neuron had pattern q; seen marks the patterns present in a step.
	rows []float32
	seen []bool

	// The hidden weights' gradient in factored form, G = DZ U' (see
	// lowRankCost): column k of the Hidden x K matrices dz and uk is dL/dz
	// and the round's input u of one round of one evaluation sample, and gd
	// is G's diagonal. ak and bk are P x K scratch.
	lowRank    bool
	nk, kcol   int
	dz, uk     []float32
	gd, ak, bk []float32
	acc        []float64 // the genotype's gradient, before scaling by eta
	// share is the decay factor of the step whose share acc takes (1
	// without -eta-decay): step t adds eta f_t Delta_t, so its share of
	// dL/dtheta is eta f_t times the derivative of Delta_t.
	share float64

	// Set only by tests: a deliberate error in the gradient, a look at the
	// walk's rebuilt weights (W_t, t counting updating steps from W_0), the
	// lifetime's path and the hidden gradient's form.
	fault       fault
	afterUnstep func(t int)
	// eager makes the lifetime update the weights before each Observe even
	// without normalisation, the path a plain Observer takes; factor forces
	// the hidden gradient's form (0 by cost, 1 from G, 2 from its factors).
	eager  bool
	factor int
}

// fault is a deliberate error in the gradient, set only by tests to show that
// the finite-difference check catches a dropped term or a flipped sign.
type fault uint8

const (
	faultNone            fault = iota
	faultDropA0Path            // drive=a0: forget that a0 feeds every round
	faultFlipProject           // norm=outgoing: + instead of - in the projection
	faultDropProject           // norm=outgoing: drop the projection term
	faultFlipOutNo             // flip the sign of the output table's "other class" entries
	faultDropSoftmax           // cross-entropy gradient without the softmax term
	faultMSEDropCoupling       // MSE: drop the softmax Jacobian's -s s' part
	faultSkipFirstNorm         // norm=outgoing: dL/dW_0 taken as dL/dW_1, the first normalisation forgotten
	faultPredictedRow          // output edges predicted: other-class entries read from the label's row
	faultHebbNoX               // input rule hebbian: the step's input x dropped (as if the pattern rule)
	faultDecayShare            // eta decay: each step's share taken at the full eta
	faultDecayUndo             // eta decay: each step undone with the last step's factor
)

// New returns a Backprop for networks of configuration cfg.
func New(cfg model.Config) (*Backprop, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := Supported(cfg); err != nil {
		return nil, err
	}
	h, in, out, p := cfg.Hidden, cfg.Inputs, cfg.Outputs, cfg.Patterns()
	b := &Backprop{
		cfg:     cfg,
		negIn:   make([]float32, p),
		negHid:  make([]float32, p*p),
		negYes:  make([]float32, p),
		negNo:   make([]float32, p),
		negBoth: make([]float32, p),
		negNone: make([]float32, p),
		gHid:    make([]float32, h*h),
		gOut:    make([]float32, out*h),
		rowIn:   make([]float32, h),
		colOut:  make([]float32, h),
		dlog:    make([]float32, out),
		dsoft:   make([]float32, out),
		da:      make([]float32, (cfg.Rounds+1)*h),
		dd:      make([]float32, h),
		du:      make([]float32, h),
		u:       make([]float32, h),
		rows:    make([]float32, p*h),
		seen:    make([]bool, p),
		acc:     make([]float64, model.GenotypeLen(cfg.Rounds)),
		tp:      tape{budget: reconBudget},
	}
	if b.fullIn() {
		b.gIn = make([]float32, h*in)
	}
	if cfg.Norm != model.NormNone {
		b.wIn = make([]float32, h*in)
		b.wHid = make([]float32, h*h)
		b.wOut = make([]float32, out*h)
		for k, cols := range [3]int{in, h, h} {
			b.colDots[k] = make([]float32, cols)
			b.nextDots[k] = make([]float32, cols)
		}
		b.inv = make([]float32, max(in, h))
		b.mul = make([]float32, max(in, h))
		b.tmp = make([]float32, max(in, h))
		b.zeros = make([]uint8, in)
		b.ones = make([]float32, in)
		for i := range b.ones {
			b.ones[i] = 1
		}
	}
	return b, nil
}

// Gradient gives rules r a lifetime over samples idx of ds on n, starting from
// the weights n holds, then runs the evaluation pass over the same samples
// with the weights frozen, and writes dL/dtheta of its loss (b.Loss) into
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
	b.ds = ds
	b.tp.reset(n, ds.Y)
	var obs model.Observer = &b.tp
	if !b.tp.normed && !b.eager {
		obs = patternTape{&b.tp}
	}
	if _, err := n.Lifetime(r, ds, idx, obs); err != nil {
		return model.Score{}, err
	}
	b.setSteps(n)

	b.lowRank = b.lowRankCost(len(idx))
	if b.lowRank {
		b.nk, b.kcol = b.cfg.Rounds*len(idx), 0
		h, p := b.cfg.Hidden, b.cfg.Patterns()
		b.dz = grow(b.dz, h*b.nk)
		b.uk = grow(b.uk, h*b.nk)
		b.ak = grow(b.ak, p*b.nk)
		b.bk = grow(b.bk, p*b.nk)
		b.gd = grow(b.gd, h)
		clear(b.dz)
	} else {
		clear(b.gHid)
	}
	if b.Learn[Input] {
		b.gIn = grow(b.gIn, b.cfg.Hidden*b.cfg.Inputs)
	}
	clear(b.gOut)
	clear(b.rowIn)
	clear(b.gIn)
	b.invN = 1 / float32(len(idx))
	score := n.EvaluateFunc(ds, idx, func(i int) { b.backSample(n, ds.Row(i), int(ds.Y[i])) })
	if b.lowRank {
		for i := range b.gd {
			b.gd[i] = linalg.Dot(b.dz[i*b.nk:(i+1)*b.nk], b.uk[i*b.nk:(i+1)*b.nk])
		}
	} else {
		for _, a := range n.Absent() {
			b.gHid[a] = 0
		}
	}

	clear(b.acc)
	b.share = 1
	switch b.cfg.Norm {
	case model.NormNone:
		b.sumSteps(n)
	case model.NormOutgoing:
		b.walk(n)
	default:
		b.walkRows(n)
	}
	eta := float64(b.cfg.Eta)
	for k, v := range b.acc {
		grad[k] = float32(eta * v)
	}
	return score, nil
}

// loadCopy puts the walk's exact weight copy k (kept by the forward pass
// at step tp.ckStep[k]) into the walk's buffers.
func (b *Backprop) loadCopy(k int) {
	w := b.tp.ckPool[k]
	copy(b.wIn, w)
	copy(b.wHid, w[len(b.wIn):])
	copy(b.wOut, w[len(b.wIn)+len(b.wHid):])
}

// Checkpoints returns how many exact weight copies the last Gradient kept
// for the backward walk (always 0 without normalisation; see tape).
func (b *Backprop) Checkpoints() int { return len(b.tp.ckStep) }

// setSteps takes the rules scaled by eta from the network, the very numbers
// its updates added, and negates them for undoing a step.
func (b *Backprop) setSteps(n *model.Network) {
	in, hid, yes, no := n.RuleSteps()
	for q, v := range in {
		b.negIn[q] = -v
	}
	for k, v := range hid {
		b.negHid[k] = -v
	}
	for q := range yes {
		b.negYes[q], b.negNo[q] = -yes[q], -no[q]
		b.negBoth[q] = -yes[q] - no[q]
	}
}

// atStep prepares updating step t of the walk back under -eta-decay: the
// factor of its share of dL/dtheta and, for undoing it, its steps, rebuilt on
// n as the lifetime scaled them (model.Network.SetStepFactor).
func (b *Backprop) atStep(n *model.Network, t int) {
	if b.cfg.EtaDecay == 0 {
		return
	}
	f := b.tp.decay[t]
	b.share = f
	if b.fault == faultDecayShare {
		b.share = 1
	}
	if b.fault != faultDecayUndo {
		n.SetStepFactor(f)
		b.setSteps(n)
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
// Forward (docs/model.md §1): d = Win x; a0 = cap(f(d)); u_r = a0 + a_(r-1)
// (drive a0, so u_1 = 2 a0) or a_(r-1) + d (drive raw); a_r = cap(f(Whid u_r));
// logits = Wout a_R. The cap's kept set S_r is fixed: da/dz = f'(z) on S_r, 0
// off it.
func (b *Backprop) backSample(n *model.Network, x []float32, y int) {
	c := b.cfg
	h, R := c.Hidden, c.Rounds
	b.lossGrad(n.LogProbs(), y)

	da := b.da
	clear(da)
	aR := n.Activations(R)
	daR := da[R*h : (R+1)*h]
	rounds := b.need(Input) || b.need(Hidden)
	for o, g := range b.dlog {
		if b.need(Output) {
			linalg.Axpy(b.gOut[o*h:(o+1)*h], g, aR)
		}
		if rounds {
			linalg.Axpy(daR, g, n.Wout[o*h:(o+1)*h])
		}
	}
	if !rounds {
		return
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
		k := b.kcol
		if b.lowRank {
			for i, v := range u {
				b.uk[i*b.nk+k] = v
			}
			b.kcol++
		}
		for _, i := range n.Selected(r) {
			g := dar[i] * b.deriv(ar[i])
			if g == 0 {
				continue
			}
			switch {
			case b.lowRank:
				b.dz[int(i)*b.nk+k] = g
			case b.need(Hidden):
				linalg.Axpy(b.gHid[int(i)*h:(int(i)+1)*h], g, u)
			}
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
	if !b.need(Input) {
		return
	}
	for _, i := range n.Selected(0) {
		dd[i] += da0[i] * b.deriv(a0[i])
	}

	if b.fullIn() || b.Learn[Input] {
		in := c.Inputs
		for i, g := range dd {
			if g != 0 {
				linalg.Axpy(b.gIn[i*in:(i+1)*in], g, x)
			}
		}
		if b.fullIn() || b.Frozen[Input] {
			return
		}
	}
	// Without normalisation only the row sums of dL/dWin enter the gradient
	// (the input rule adds one constant to a whole row): sum_m dd_i x_m.
	var sx float32
	for _, v := range x {
		sx += v
	}
	linalg.Axpy(b.rowIn, sx, dd)
}

// fullIn reports whether the rules' gradient needs the whole of dL/dWin, not
// only its row sums: under a normalisation (the walk) and under the Hebbian
// input rule, whose change of row i is proportional to the sample.
func (b *Backprop) fullIn() bool {
	return b.cfg.Norm != model.NormNone || b.cfg.InputRule == model.InputHebbian
}

// lossGrad sets dlog to dL/dlogits of one sample's share (1/N) of the loss,
// from its log-probabilities and true label.
func (b *Backprop) lossGrad(logp []float32, y int) {
	for o, lp := range logp {
		b.dlog[o] = float32(math.Exp(float64(lp)))
	}
	if b.fault == faultDropSoftmax {
		clear(b.dlog)
	}
	if b.Loss == MSE {
		b.mseGrad(y)
		return
	}
	if b.Loss == SoftmaxCrossEntropy {
		// L = -log softmax(s)_y with s = softmax(z): dL/ds = q - e_y with
		// q = softmax(s), and dL/dz_k = s_k (g_k - sum_m s_m g_m).
		s := b.dlog
		m := slices.Max(s)
		var sum float64
		for _, v := range s {
			sum += math.Exp(float64(v - m))
		}
		var dot float64
		g := b.dsoft
		for k, v := range s {
			g[k] = float32(math.Exp(float64(v-m)) / sum)
			if k == y {
				g[k]--
			}
			dot += float64(v) * float64(g[k])
		}
		for k, v := range s {
			s[k] = v * (g[k] - float32(dot))
		}
		for k := range s {
			s[k] *= b.invN
		}
		return
	}
	for k := range b.dlog {
		b.dlog[k] *= b.invN
	}
	b.dlog[y] -= b.invN
}

// sumSteps is the gradient without normalisation: W_T = W_0 + sum_t eta
// Delta_t(theta) is affine in theta, so dL/dtheta sums G over each step's
// pattern groups. Under the Hebbian input rule step t adds eta in[p_i] x_t to
// row i of Win, so the input table's share is (G_in x_t)_i by pattern.
func (b *Backprop) sumSteps(n *model.Network) {
	h := b.cfg.Hidden
	columnSums(b.colOut, b.gOut, b.cfg.Outputs, h)
	for t := range b.tp.nsteps {
		b.atStep(n, t)
		pat := b.tp.pat[t*h : (t+1)*h]
		if !b.Frozen[Input] {
			if b.cfg.InputRule == model.InputHebbian {
				b.hebbRows(b.rowIn, b.gIn, b.ds.Row(int(b.tp.sample[t])))
			}
			b.addInput(pat, b.rowIn)
		}
		switch {
		case b.lowRank:
			b.addHiddenLowRank(pat)
		case !b.Frozen[Hidden]:
			clear(b.seen)
			for i, q := range pat {
				b.addHiddenRow(q, b.gHid[i*h:(i+1)*h])
			}
			b.finishHidden(pat)
		}
		if !b.Frozen[Output] {
			b.addOutput(pat, int(b.tp.label[t]), int(b.tp.pred[t]), b.gOut, b.colOut)
		}
	}
}

// lowRankCost reports whether the hidden table's gradient is cheaper from
// G's factors than from G itself, for an evaluation pass over n samples.
// G = sum over the K = R n sample-rounds of dz_k u_k' has rank K; a step's
// share P_t' G P_t = (P_t' DZ)(P_t' U)' then costs 2 Hidden K + P^2 K
// multiply-adds instead of Hidden^2, and G is never formed (K Cap Hidden).
// At MNIST's size that is a quarter of the work; on the synthetic set's 20
// neurons, hundreds of times more. It needs norm=none (the walk needs G) and
// no synapse absent but the diagonal (whose share is subtracted from G's
// diagonal).
func (b *Backprop) lowRankCost(n int) bool {
	c := b.cfg
	if b.Frozen[Hidden] || b.Learn[Hidden] || c.Norm != model.NormNone || c.EdgeProb < 1 {
		return false
	}
	if b.factor != 0 {
		return b.factor == 2
	}
	h, p, k, t := float64(c.Hidden), float64(c.Patterns()), float64(c.Rounds*n), float64(b.tp.nsteps)
	dense := k*float64(c.Cap)*h + t*h*h
	factored := t * (2*h*k + p*p*k)
	return factored < dense
}

// addHiddenLowRank is addHiddenRow and finishHidden from G's factors: the
// rows of DZ and U summed by post- and pre-synaptic pattern, A = P_t' DZ and
// B = P_t' U, give hid[q'P + q] += A_q . B_q', less G's diagonal (the absent
// synapses i -> i) in the entries of neurons' own patterns.
func (b *Backprop) addHiddenLowRank(pat []uint8) {
	p, nk := b.cfg.Patterns(), b.nk
	acc := b.acc[p : p+p*p]
	clear(b.seen)
	for i, q := range pat {
		a, bb := b.ak[int(q)*nk:(int(q)+1)*nk], b.bk[int(q)*nk:(int(q)+1)*nk]
		dz, u := b.dz[i*nk:(i+1)*nk], b.uk[i*nk:(i+1)*nk]
		if !b.seen[q] {
			b.seen[q] = true
			copy(a, dz)
			copy(bb, u)
			continue
		}
		linalg.Axpy(a, 1, dz)
		linalg.Axpy(bb, 1, u)
	}
	for q, ok := range b.seen {
		if !ok {
			continue
		}
		a := b.ak[q*nk : (q+1)*nk]
		for q2, ok2 := range b.seen {
			if ok2 {
				acc[q2*p+q] += b.share * float64(linalg.Dot(a, b.bk[q2*nk:(q2+1)*nk]))
			}
		}
	}
	for i, q := range pat {
		acc[int(q)*p+int(q)] -= b.share * float64(b.gd[i])
	}
}

// grow returns s with length n, reusing its storage when it is large enough.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// hebbRows sets rows[i] to row i of the gradient g with respect to Win
// times the step's input x: what the Hebbian input rule's entry of neuron
// i's pattern gets from the step (its change of row i is in[p_i] x).
func (b *Backprop) hebbRows(rows, g, x []float32) {
	in := len(x)
	if b.fault == faultHebbNoX {
		x = b.onesIn()
	}
	for i := range rows {
		rows[i] = linalg.Dot(g[i*in:(i+1)*in], x)
	}
}

// onesIn returns Inputs ones.
func (b *Backprop) onesIn() []float32 {
	if len(b.ones) != b.cfg.Inputs {
		b.ones = make([]float32, b.cfg.Inputs)
		for i := range b.ones {
			b.ones[i] = 1
		}
	}
	return b.ones
}

// addInput adds a step's share of the input table, Win[i][m] += eta in[p_i]
// for every m, from the row sums of the gradient with respect to Win.
func (b *Backprop) addInput(pat []uint8, rowIn []float32) {
	acc := b.acc[:b.cfg.Patterns()]
	for i, q := range pat {
		acc[q] += b.share * float64(rowIn[i])
	}
}

// addHiddenRow and finishHidden add a step's share of the hidden table,
// Whid[i][j] += eta hid[p_j P + p_i], that is P_t' G P_t: first the rows of
// neurons that share a post-synaptic pattern q are summed (addHiddenRow, with
// b.seen cleared before a step's first row), then each column goes to its
// pre-synaptic pattern (finishHidden): h^2 + P h additions.
func (b *Backprop) addHiddenRow(q uint8, row []float32) {
	h := b.cfg.Hidden
	dst := b.rows[int(q)*h : (int(q)+1)*h]
	if !b.seen[q] {
		b.seen[q] = true
		copy(dst, row)
		return
	}
	linalg.Axpy(dst, 1, row)
}

func (b *Backprop) finishHidden(pat []uint8) {
	h, p := b.cfg.Hidden, b.cfg.Patterns()
	acc := b.acc[p : p+p*p]
	for q, ok := range b.seen {
		if !ok {
			continue
		}
		row := b.rows[q*h : (q+1)*h]
		for j, pj := range pat {
			acc[int(pj)*p+q] += b.share * float64(row[j])
		}
	}
}

// addOutput adds a step's share of the output table, Wout[c][j] += eta
// out[2 p_j + (c == label ? 0 : 1)], from the gradient with respect to Wout
// and its column sums. Under output edges predicted only the rows of the
// prediction pred (the other-class entries) and the label y (the true-class
// entries) change, and colOut is not read.
func (b *Backprop) addOutput(pat []uint8, y, pred int, gOut, colOut []float32) {
	h, p := b.cfg.Hidden, b.cfg.Patterns()
	acc := b.acc[p+p*p:]
	gy := gOut[y*h : (y+1)*h]
	sign := 1.0
	if b.fault == faultFlipOutNo {
		sign = -1
	}
	if b.cfg.OutputEdges == model.OutputPredicted {
		gp := gOut[pred*h : (pred+1)*h]
		if b.fault == faultPredictedRow {
			gp = gy
		}
		for j, q := range pat {
			acc[2*int(q)] += b.share * float64(gy[j])
			acc[2*int(q)+1] += sign * b.share * float64(gp[j])
		}
		return
	}
	for j, q := range pat {
		acc[2*int(q)] += b.share * float64(gy[j])
		acc[2*int(q)+1] += sign * b.share * float64(colOut[j]-gy[j])
	}
}

// walk is the gradient under norm=outgoing. Each step is W_t = N(V_t) with
// V_t = W_(t-1) + eta Delta_t and N dividing every column by its norm c. Going
// from the last step back, it turns dL/dW_t into dL/dV_t through N's Jacobian,
// adds the step's share of dL/dtheta, and rebuilds W_(t-1) = c W_t - eta
// Delta_t from the stored norms, restarting from an exact copy wherever the
// tape kept one (see tape). One fused pass over each matrix per step does the
// Jacobian, the step's share, the rebuilding and the next step's column dots.
func (b *Backprop) walk(n *model.Network) {
	c := b.cfg
	h, in, out := c.Hidden, c.Inputs, c.Outputs
	b.loadWeights(n)
	absent := n.Absent()
	stride := in + 2*h
	mats := b.mats()
	fresh := true // the column dots must be taken from the buffers
	ck := len(b.tp.ckStep) - 1
	for t := b.tp.nsteps - 1; t >= 0; t-- {
		b.atStep(n, t)
		if ck >= 0 && b.tp.ckStep[ck] == t {
			b.loadCopy(ck)
			ck--
			fresh = true
		}
		if fresh {
			for k, m := range mats {
				if b.need(k) {
					columnDots(b.colDots[k][:m.cols], m.w, m.g, m.rows, m.cols)
				}
			}
			fresh = false
		}
		norms := b.tp.norms[t*stride : (t+1)*stride]
		cs := [3][]float32{norms[:in], norms[in : in+h], norms[in+h:]}
		undo := t > 0 // W_0 enters no Jacobian: the first step needs no undoing
		pat := b.tp.pat[t*h : (t+1)*h]
		y, pred := int(b.tp.label[t]), int(b.tp.pred[t])
		x := b.ds.Row(int(b.tp.sample[t]))
		clear(b.seen)
		for k, m := range mats {
			if !b.need(k) {
				continue
			}
			d, inv, mul, next := b.colDots[k][:m.cols], b.inv[:m.cols], b.mul[:m.cols], b.nextDots[k][:m.cols]
			b.prepareColumns(cs[k], d, inv, mul)
			clear(next)
			ab := absent
			for i := range m.rows {
				w, g := m.w[i*m.cols:(i+1)*m.cols], m.g[i*m.cols:(i+1)*m.cols]
				tbl, idx := b.rowStep(k, i, pat, y, pred)
				hebb := k == 0 && c.InputRule == model.InputHebbian
				switch {
				case undo && hebb:
					backUndoRowHebb(w, g, d, inv, mul, next, tbl[0], x)
				case undo:
					b.backUndoRow(w, g, d, inv, mul, next, tbl, idx)
				case b.fault != faultSkipFirstNorm:
					b.backRow(g, w, d, inv)
				}
				switch k {
				case 0:
					if hebb && b.fault != faultHebbNoX {
						b.rowIn[i] = linalg.Dot(g, x)
					} else {
						b.rowIn[i] = linalg.Dot(g, b.ones[:len(g)])
					}
				case 1:
					for len(ab) > 0 && int(ab[0]) < (i+1)*h {
						w[int(ab[0])-i*h] = 0
						ab = ab[1:]
					}
					b.addHiddenRow(pat[i], g)
				}
			}
			if undo {
				copy(d, next)
			}
		}
		if !b.Frozen[Input] {
			b.addInput(pat, b.rowIn)
		}
		if !b.Frozen[Hidden] {
			b.finishHidden(pat)
		}
		if !b.Frozen[Output] {
			columnSums(b.colOut, b.gOut, out, h)
			b.addOutput(pat, y, pred, b.gOut, b.colOut)
		}
		if undo && b.afterUnstep != nil {
			b.afterUnstep(t)
		}
	}
}

// rowStep returns the negated step of row i of weight matrix k as a table
// and the indices into it of the row's entries, for a step with patterns pat,
// label y and prediction pred.
func (b *Backprop) rowStep(k, i int, pat []uint8, y, pred int) ([]float32, []uint8) {
	p := b.cfg.Patterns()
	switch k {
	case 0:
		// The input rule adds one number to the whole row (times the
		// sample under the Hebbian rule).
		return b.negIn[pat[i] : pat[i]+1], b.zeros
	case 1:
		return b.negHid[int(pat[i])*p : (int(pat[i])+1)*p], pat
	}
	return b.outRowStep(i, y, pred), pat
}

// outRowStep returns the negated step of output row i, by its hidden
// neurons' patterns, for a step with label y and prediction pred.
func (b *Backprop) outRowStep(i, y, pred int) []float32 {
	if b.cfg.OutputEdges == model.OutputPredicted {
		switch {
		case i == y && i == pred:
			return b.negBoth
		case i == y:
			return b.negYes
		case i == pred:
			return b.negNo
		}
		return b.negNone
	}
	if i == y {
		return b.negYes
	}
	return b.negNo
}

// prepareColumns sets, from a step's column norms c, the factors of its
// backward: inv = 1/c, mul = c, and the column dots d given the projection's
// sign (-1). A zero column was left as it is by the normalisation, so its
// Jacobian is the identity (d = 0, inv = 1) and undoing it multiplies by 1.
func (b *Backprop) prepareColumns(c, d, inv, mul []float32) {
	sign := float32(-1)
	switch b.fault {
	case faultFlipProject:
		sign = 1
	case faultDropProject:
		sign = 0
	}
	for j, cj := range c {
		if cj > 0 {
			inv[j], mul[j], d[j] = 1/cj, cj, sign*d[j]
		} else {
			inv[j], mul[j], d[j] = 1, 1, 0
		}
	}
}

// shortRow is the row length below which the walk's row work runs as one
// fused Go loop: the kernels' calls and the scratch copies cost more than
// their vectors save there (the synthetic set's rows have 10 and 20 entries).
const shortRow = 64

// backRow turns one row of g = dL/dW into dL/dV = (g + w d) inv, d holding
// the column dots with the projection's sign. Long rows run through the
// kernels, which find the row in L1 each time.
func (b *Backprop) backRow(g, w, d, inv []float32) {
	n := len(g)
	if n < shortRow {
		w, d, inv = w[:n], d[:n], inv[:n]
		for j, gj := range g {
			g[j] = (gj + w[j]*d[j]) * inv[j]
		}
		return
	}
	t := b.tmp[:n]
	copy(t, w)
	linalg.MulElem(t, d[:n])
	linalg.Axpy(g, 1, t)
	linalg.MulElem(g, inv[:n])
}

// backUndoRow is backRow followed by undoing the step on the same row, w =
// w mul + tbl[idx[j]] (tbl holds the negated step), and by the next step's
// column dots, next += w g. Long rows take linalg.BackUndoRow's one fused pass.
func (b *Backprop) backUndoRow(w, g, d, inv, mul, next, tbl []float32, idx []uint8) {
	n := len(g)
	if n < shortRow {
		w, d, inv, mul, next, idx = w[:n], d[:n], inv[:n], mul[:n], next[:n], idx[:n]
		for j := range g {
			v := (g[j] + w[j]*d[j]) * inv[j]
			g[j] = v
			u := w[j]*mul[j] + tbl[idx[j]]
			w[j] = u
			next[j] += u * v
		}
		return
	}
	linalg.BackUndoRow(g, w, d, inv, mul, next, tbl, idx)
}

// backUndoRowHebb is backUndoRow for a row of Win under the Hebbian input
// rule, whose step added -neg x_m to entry m.
func backUndoRowHebb(w, g, d, inv, mul, next []float32, neg float32, x []float32) {
	n := len(g)
	w, d, inv, mul, next, x = w[:n], d[:n], inv[:n], mul[:n], next[:n], x[:n]
	for j := range g {
		v := (g[j] + w[j]*d[j]) * inv[j]
		g[j] = v
		u := w[j]*mul[j] + neg*x[j]
		w[j] = u
		next[j] += u * v
	}
}

// columnDots sets d[j] to the dot product of column j of w and g.
func columnDots(d, w, g []float32, rows, cols int) {
	clear(d)
	for i := range rows {
		wr, gr := w[i*cols:(i+1)*cols], g[i*cols:(i+1)*cols]
		for j := range d {
			d[j] += wr[j] * gr[j]
		}
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
