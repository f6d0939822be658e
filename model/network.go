package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"plasticity/linalg"
)

// Samples is a labelled data set as one flat row-major feature array.
type Samples struct {
	X   []float32 // Len() x Dim
	Y   []int32   // class labels 0..classes-1
	Dim int
}

// Len returns the number of samples.
func (s Samples) Len() int { return len(s.Y) }

// Row returns the features of sample i.
func (s Samples) Row(i int) []float32 { return s.X[i*s.Dim : (i+1)*s.Dim] }

// Network is one capped recurrent network: its weights, the rules of its
// current lifetime scaled by eta, and the state of its last forward pass.
type Network struct {
	Cfg Config
	// Win is Hidden x Inputs, Whid Hidden x Hidden (zero diagonal), Wout
	// Outputs x Hidden, all row-major.
	Win, Whid, Wout []float32
	// absent lists the flat indices of Whid that are no synapse: the diagonal
	// and the edges the connectivity mask left out. They stay zero.
	absent []int32

	// The rules of the current lifetime, pre-multiplied by eta (times
	// stepFactor, the decay factor they were last scaled by), and theta,
	// the rules as given.
	theta      []float32
	stepFactor float64
	// age is how many samples the network has lived since its initial
	// weights were set (Init, CopyWeights, ApplyWeights), across lifetimes:
	// -eta-decay's t.
	age     int64
	inStep  []float32 // P
	hidStep []float32 // P x P, hidStep[pi*P+pj] = eta*hidden[pj*P+pi]
	outYes  []float32 // P
	outNo   []float32 // P

	// State of the last forward pass.
	drive   []float32 // Win x, Hidden
	act     []float32 // (R+1) x Hidden capped activations
	sel     []int32   // (R+1) x Cap indices kept by each cap
	nsel    []int     // R+1 counts
	roundIn []float32 // Hidden
	pattern []uint8   // Hidden
	logits  []float32 // Outputs
	logp    []float32 // Outputs
	scratch []uint64
	pred    int       // the predicted class
	x       []float32 // Inputs: the input (Forward's; for the Hebbian input rule)

	// Column norms of the last normalisation (norm=outgoing).
	normIn, normHid, normOut []float32
	inv                      []float32
	// Row norms of the last normalisation of rows (norm=incoming or both):
	// Win's, Whid's, then Wout's; allocated on first use.
	rowNorms []float32

	// Which rule tables are not all zero (an all-zero table changes no
	// weight), and whether the hidden one is finite, as SetRules found them.
	inActive, hidActive, outActive, hidFinite bool

	// tab holds the rows the hidden rule adds, one per post-synaptic
	// pattern q: tab[q*Hidden+j] = hidStep[q*P+pattern[j]] (see learnHidden).
	// pending says that the last step's hidden update is still to be added,
	// fused with the next product over Whid (see forwardDrive).
	tab     []float32
	pending bool

	// inAcc[i] is what the input rule has added to every weight of row i of
	// Win since the drives in use were taken (see lifetime.go).
	inAcc []float32

	// fault is the first table (inputTable...) whose values a forward pass
	// of this lifetime found non-finite, 0 while none has (see finite.go);
	// zeros is a vector of zeros as long as a row of any table.
	fault int
	zeros []float32

	bat *batch      // buffers of the batched products, allocated on first use
	tr  *transposed // the transposed lifetime's state, allocated on first use
}

// NewNetwork allocates a network of the given shape with all-zero weights;
// call Init for initial weights.
func NewNetwork(cfg Config) (*Network, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h, in, out, r, p := cfg.Hidden, cfg.Inputs, cfg.Outputs, cfg.Rounds, cfg.Patterns()
	n := &Network{
		Cfg:     cfg,
		Win:     make([]float32, h*in),
		Whid:    make([]float32, h*h),
		Wout:    make([]float32, out*h),
		inStep:  make([]float32, p),
		hidStep: make([]float32, p*p),
		outYes:  make([]float32, p),
		outNo:   make([]float32, p),
		drive:   make([]float32, h),
		act:     make([]float32, (r+1)*h),
		sel:     make([]int32, (r+1)*cfg.Cap),
		nsel:    make([]int, r+1),
		roundIn: make([]float32, h),
		pattern: make([]uint8, h),
		logits:  make([]float32, out),
		logp:    make([]float32, out),
		scratch: make([]uint64, h),
		x:       make([]float32, in),
		normIn:  make([]float32, in),
		normHid: make([]float32, h),
		normOut: make([]float32, h),
		inv:     make([]float32, max(in, h)),
		inAcc:   make([]float32, h),
		zeros:   make([]float32, max(in, h, out)),
	}
	n.setDiagonalAbsent()
	return n, nil
}

func (n *Network) setDiagonalAbsent() {
	h := n.Cfg.Hidden
	n.absent = n.absent[:0]
	for i := range h {
		n.absent = append(n.absent, int32(i*h+i))
	}
}

// Init draws fresh initial weights (and, when p < 1, a fresh connectivity
// mask) from rng, in a fixed order so the same generator state always gives
// the same network.
func (n *Network) Init(rng *rand.Rand) {
	c := n.Cfg
	h := c.Hidden
	if c.EdgeProb < 1 {
		n.absent = n.absent[:0]
		for i := range h {
			for j := range h {
				if i == j || !(rng.Float64() < c.EdgeProb) {
					n.absent = append(n.absent, int32(i*h+j))
				}
			}
		}
	} else {
		n.setDiagonalAbsent()
	}
	draw := func(w []float32, fanIn int) {
		switch c.Init {
		case InitZero:
			clear(w)
			return
		case InitScaled:
			s := 1 / math.Sqrt(float64(fanIn))
			for i := range w {
				w[i] = float32(rng.NormFloat64() * s)
			}
		default:
			for i := range w {
				w[i] = float32(rng.NormFloat64())
			}
		}
	}
	draw(n.Win, c.Inputs)
	draw(n.Whid, h)
	draw(n.Wout, h)
	for _, a := range n.absent {
		n.Whid[a] = 0
	}
	n.age = 0
}

// CopyWeights makes n's weights and connectivity those of src, which must
// have the same shape.
func (n *Network) CopyWeights(src *Network) {
	if len(n.Win) != len(src.Win) || len(n.Whid) != len(src.Whid) || len(n.Wout) != len(src.Wout) {
		panic("model: CopyWeights between networks of different shapes")
	}
	n.copyWeights(src, true, true)
}

// copyWeights is CopyWeights, leaving Whid as it is unless hid is set and
// Win unless in is.
func (n *Network) copyWeights(src *Network, hid, in bool) {
	if in {
		copy(n.Win, src.Win)
	}
	if hid {
		copy(n.Whid, src.Whid)
	}
	copy(n.Wout, src.Wout)
	n.absent = append(n.absent[:0], src.absent...)
	n.age = 0
}

// Age returns how many samples the network has lived since its initial
// weights were set (by Init, CopyWeights or ApplyWeights), across lifetimes.
func (n *Network) Age() int64 { return n.age }

// Absent returns the flat indices of Whid that are no synapse (they stay 0).
func (n *Network) Absent() []int32 { return n.absent }

// SetRules makes r the rules of the lifetime that follows.
func (n *Network) SetRules(r Rules) error {
	if r.Rounds != n.Cfg.Rounds {
		return fmt.Errorf("rules for R = %d cannot drive a network of R = %d", r.Rounds, n.Cfg.Rounds)
	}
	if len(r.Theta) != GenotypeLen(r.Rounds) {
		return fmt.Errorf("rule genotype has %d entries, want %d for R = %d", len(r.Theta), GenotypeLen(r.Rounds), r.Rounds)
	}
	n.theta = append(n.theta[:0], r.Theta...)
	n.SetStepFactor(1)
	n.inActive, n.hidActive, n.outActive = anyNonZero(n.inStep), anyNonZero(n.hidStep), anyNonZero(n.outYes, n.outNo)
	n.hidFinite = true
	for _, v := range n.hidStep {
		if math.IsInf(float64(v), 0) || v != v {
			n.hidFinite = false
		}
	}
	return nil
}

// SetStepFactor scales the current rules' steps by eta times f (the decay
// factor Config.DecayFactor of a sample): the steps the next update adds.
// SetRules sets them with f = 1; a lifetime under -eta-decay sets each
// update's, and the gradient's walk rebuilds each step's with it.
func (n *Network) SetStepFactor(f float64) {
	eta := float32(float64(n.Cfg.Eta) * f)
	p := n.Cfg.Patterns()
	r := Rules{Rounds: n.Cfg.Rounds, Theta: n.theta}
	in, hid, out := r.Input(), r.Hidden(), r.Output()
	for q := range p {
		n.inStep[q] = eta * in[q]
		n.outYes[q] = eta * out[2*q]
		n.outNo[q] = eta * out[2*q+1]
		for pj := range p {
			n.hidStep[q*p+pj] = eta * hid[pj*p+q]
		}
	}
	n.stepFactor = f
}

// StepFactor returns the factor SetStepFactor last scaled the steps by: that
// of the last update.
func (n *Network) StepFactor() float64 { return n.stepFactor }

// anyNonZero reports whether some entry of the tables is not zero (NaN
// counts as not zero).
func anyNonZero(tables ...[]float32) bool {
	for _, t := range tables {
		for _, v := range t {
			if v != 0 {
				return true
			}
		}
	}
	return false
}

// RuleSteps returns the rules of the current lifetime scaled by eta, as the
// updates add them: in[q], hid[q*P+pj] (the step of a synapse from a neuron of
// pattern pj onto one of pattern q, the transpose of the genotype's layout),
// and the output table's entries for the true class and for the others.
func (n *Network) RuleSteps() (in, hid, outYes, outNo []float32) {
	return n.inStep, n.hidStep, n.outYes, n.outNo
}

func (n *Network) activate(x []float32) {
	switch n.Cfg.Act {
	case Sigmoid:
		linalg.Sigmoid(x)
	case ReLU:
		linalg.ReLU(x)
	}
}

// Forward shows x to the network with its weights as they are, leaving every
// round's capped activations, the firing patterns and the logits in the
// network's state, and returns the predicted class (the largest logit, the
// lowest index among equals).
func (n *Network) Forward(x []float32) int {
	copy(n.x, x)
	linalg.MatVec(n.drive, n.Win, n.Cfg.Hidden, n.Cfg.Inputs, x)
	return n.forwardDrive()
}

// forwardDrive is Forward from the input drive Win x already in n.drive. When
// the last step's hidden update is pending, round 1's product adds it to Whid
// on its way (linalg.AddRowsMatVec), so the weights are read once for both;
// the update uses n.pattern, the last step's patterns, which this pass only
// overwrites at its end.
func (n *Network) forwardDrive() int {
	c := n.Cfg
	h, k := c.Hidden, c.Cap
	a0 := n.act[:h]
	copy(a0, n.drive)
	n.check(a0, inputTable)
	n.activate(a0)
	n.nsel[0] = linalg.Cap(a0, k, n.sel[:k], n.scratch)
	prev := a0
	for r := 1; r <= c.Rounds; r++ {
		in := n.roundIn
		if c.Drive == DriveRaw {
			linalg.AddScaled(in, prev, 1, n.drive)
		} else {
			linalg.AddScaled(in, a0, 1, prev)
		}
		ar := n.act[r*h : (r+1)*h]
		if n.pending {
			linalg.AddRowsMatVec(ar, n.Whid, h, h, n.tab, n.pattern, in)
			n.pending = false
		} else {
			linalg.MatVec(ar, n.Whid, h, h, in)
		}
		n.check(ar, hiddenTable)
		n.activate(ar)
		n.nsel[r] = linalg.Cap(ar, k, n.sel[r*k:(r+1)*k], n.scratch)
		prev = ar
	}
	linalg.MatVec(n.logits, n.Wout, c.Outputs, h, prev)
	n.check(n.logits, outputTable)
	n.setPatterns()
	n.pred = linalg.LogSoftmax(n.logp, n.logits)
	return n.pred
}

// setPatterns sets each neuron's firing pattern from the cap's kept lists:
// a neuron the cap dropped is 0, so only kept ones can have fired. Under
// fire=nonzero a kept neuron fired when its activation is not 0, under
// fire=topk always.
func (n *Network) setPatterns() {
	c := n.Cfg
	h, k := c.Hidden, c.Cap
	pat := n.pattern
	clear(pat)
	topk := c.Fire == FireTopK
	for r := 0; r <= c.Rounds; r++ {
		bit := uint8(1) << (c.Rounds - r)
		act := n.act[r*h : (r+1)*h]
		for _, i := range n.sel[r*k : r*k+n.nsel[r]] {
			if topk || act[i] != 0 {
				pat[i] |= bit
			}
		}
	}
}

// Activations returns the capped activations of round r (0..R) of the last
// forward pass.
func (n *Network) Activations(r int) []float32 {
	h := n.Cfg.Hidden
	return n.act[r*h : (r+1)*h]
}

// Selected returns the indices the cap of round r kept in the last forward
// pass, ascending. A kept neuron may still be silent (value 0 under relu).
func (n *Network) Selected(r int) []int32 {
	k := n.Cfg.Cap
	return n.sel[r*k : r*k+n.nsel[r]]
}

// Drive returns Win x of the last forward pass (before activation and cap).
func (n *Network) Drive() []float32 { return n.drive }

// Patterns returns each hidden neuron's firing pattern of the last forward
// pass: bit R-r is set when the neuron fired in round r (b0 most significant).
func (n *Network) Patterns() []uint8 { return n.pattern }

// Logits returns Wout aR of the last forward pass.
func (n *Network) Logits() []float32 { return n.logits }

// LogProbs returns the log-softmax of the logits of the last forward pass.
func (n *Network) LogProbs() []float32 { return n.logp }

// Learn applies the three rule tables to the weights, using the patterns,
// the prediction (and, for the Hebbian input rule, the input) of the last
// forward pass and the sample's true label, then normalises when the
// configuration asks for it.
func (n *Network) Learn(label int) {
	c := n.Cfg
	switch {
	case c.InputRule == InputHebbian:
		n.learnHebbian()
	case c.RuleForm == Multiplicative:
		n.scaleInput()
	default:
		n.learnInput(true)
	}
	if c.RuleForm == Multiplicative {
		n.scaleHidden()
	} else {
		n.learnHidden(false)
	}
	n.learnOutput(label, n.pred)
	switch c.Norm {
	case NormOutgoing:
		n.normalize()
	case NormIncoming:
		n.normalizeRows()
	case NormBoth:
		n.normalize()
		n.normalizeRows()
	}
}

// learnInput applies the input rule, Win[i][m] += in[p_i] for every m: a
// constant per row, kept in inAcc, and added to Win too when toWeights is set
// (otherwise the lifetime adds it when it ends, see lifetime.go).
func (n *Network) learnInput(toWeights bool) {
	if !n.inActive {
		return
	}
	in := n.Cfg.Inputs
	for i, q := range n.pattern {
		v := n.inStep[q]
		n.inAcc[i] += v
		if toWeights {
			linalg.AddConst(n.Win[i*in:(i+1)*in], v)
		}
	}
}

// learnHidden applies the hidden rule, Whid[i][j] += hid[p_j*P + p_i] for
// every synapse. Row i adds the row of tab of its own pattern p_i, so the P
// rows are looked up once (P*Hidden lookups) instead of once per row
// (Hidden^2), with the same sums. Absent synapses end at +0: with defer set
// and a finite table they are first set to minus what their row adds, so the
// addition itself gives +0, and the update is left pending for the next
// product over Whid to add (forwardDrive); otherwise it is added now and the
// absent synapses cleared after.
func (n *Network) learnHidden(deferAdd bool) {
	if !n.hidActive {
		return
	}
	h, p := n.Cfg.Hidden, n.Cfg.Patterns()
	if n.tab == nil {
		n.tab = make([]float32, p*h)
	}
	pat := n.pattern
	var seen [1 << (MaxRounds + 1)]bool
	for _, q := range pat {
		seen[q] = true
	}
	negZero := float32(math.Copysign(0, -1))
	for q := range p {
		if !seen[q] {
			continue
		}
		// -0 + v is v for every v, so the row is an exact copy of the
		// table's entries, zeros of either sign included.
		row := n.tab[q*h : (q+1)*h]
		for j := range row {
			row[j] = negZero
		}
		linalg.AddLookup(row, n.hidStep[q*p:(q+1)*p], pat)
	}
	if deferAdd && n.hidFinite {
		i := 0
		for _, a := range n.absent {
			for int(a) >= (i+1)*h {
				i++
			}
			n.Whid[a] = -n.tab[int(pat[i])*h+int(a)-i*h]
		}
		n.pending = true
		return
	}
	linalg.AddRows(n.Whid, h, h, n.tab, pat)
	for _, a := range n.absent {
		n.Whid[a] = 0
	}
}

// flushHidden adds a pending hidden update to Whid.
func (n *Network) flushHidden() {
	if n.pending {
		h := n.Cfg.Hidden
		linalg.AddRows(n.Whid, h, h, n.tab, n.pattern)
		n.pending = false
	}
}

// learnOutput applies the output rule, Wout[c][j] += out[2 p_j + (c == label
// ? 0 : 1)] (*= 1 + that under the multiplicative form) for every class c,
// or with output edges predicted for the predicted class pred, then the
// label (docs/model.md §10.1).
func (n *Network) learnOutput(label, pred int) {
	if !n.outActive {
		return
	}
	h := n.Cfg.Hidden
	apply := linalg.AddLookup
	if n.Cfg.RuleForm == Multiplicative {
		apply = mulLookup
	}
	if n.Cfg.OutputEdges == OutputPredicted {
		apply(n.Wout[pred*h:(pred+1)*h], n.outNo, n.pattern)
		apply(n.Wout[label*h:(label+1)*h], n.outYes, n.pattern)
		return
	}
	for o := range n.Cfg.Outputs {
		t := n.outNo
		if o == label {
			t = n.outYes
		}
		apply(n.Wout[o*h:(o+1)*h], t, n.pattern)
	}
}

// normalize divides every column of each weight matrix by its L2 norm,
// keeping the norms for the backward pass. A zero column is left as it is.
func (n *Network) normalize() {
	c := n.Cfg
	h := c.Hidden
	scale := func(w []float32, rows, cols int, norms []float32, table int) {
		linalg.ColumnNorms(norms, w, rows, cols)
		// Sums of squares overflow long before the weights do; an
		// infinite norm would silently clear its column.
		n.check(norms, table)
		inv := n.inv[:cols]
		for j, v := range norms {
			inv[j] = 1
			if v > 0 {
				inv[j] = 1 / v
			}
		}
		linalg.ScaleColumns(w, rows, cols, inv)
	}
	scale(n.Win, h, c.Inputs, n.normIn, inputTable)
	scale(n.Whid, h, h, n.normHid, hiddenTable)
	if c.FreeReadout {
		clear(n.normOut) // a zero norm is "left as it is" to the backward pass
		return
	}
	scale(n.Wout, c.Outputs, h, n.normOut, outputTable)
}

// ColumnNorms returns the column norms of Win, Whid and Wout taken by the last
// normalisation, before it divided by them.
func (n *Network) ColumnNorms() (in, hid, out []float32) { return n.normIn, n.normHid, n.normOut }
