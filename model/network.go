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

	// The rules of the current lifetime, pre-multiplied by eta.
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

	// Column norms of the last normalisation (norm=outgoing).
	normIn, normHid, normOut []float32
	inv                      []float32
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
		normIn:  make([]float32, in),
		normHid: make([]float32, h),
		normOut: make([]float32, h),
		inv:     make([]float32, max(in, h)),
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
}

// CopyWeights makes n's weights and connectivity those of src, which must
// have the same shape.
func (n *Network) CopyWeights(src *Network) {
	if len(n.Win) != len(src.Win) || len(n.Whid) != len(src.Whid) || len(n.Wout) != len(src.Wout) {
		panic("model: CopyWeights between networks of different shapes")
	}
	copy(n.Win, src.Win)
	copy(n.Whid, src.Whid)
	copy(n.Wout, src.Wout)
	n.absent = append(n.absent[:0], src.absent...)
}

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
	eta := n.Cfg.Eta
	p := n.Cfg.Patterns()
	in, hid, out := r.Input(), r.Hidden(), r.Output()
	for q := range p {
		n.inStep[q] = eta * in[q]
		n.outYes[q] = eta * out[2*q]
		n.outNo[q] = eta * out[2*q+1]
		for pj := range p {
			n.hidStep[q*p+pj] = eta * hid[pj*p+q]
		}
	}
	return nil
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
	c := n.Cfg
	h, k := c.Hidden, c.Cap
	linalg.MatVec(n.drive, n.Win, h, c.Inputs, x)
	a0 := n.act[:h]
	copy(a0, n.drive)
	n.activate(a0)
	n.nsel[0] = linalg.Cap(a0, k, n.sel[:k], n.scratch)
	prev := a0
	for r := 1; r <= c.Rounds; r++ {
		in := n.roundIn
		if c.Drive == DriveRaw {
			for i := range in {
				in[i] = prev[i] + n.drive[i]
			}
		} else {
			for i := range in {
				in[i] = a0[i] + prev[i]
			}
		}
		ar := n.act[r*h : (r+1)*h]
		linalg.MatVec(ar, n.Whid, h, h, in)
		n.activate(ar)
		n.nsel[r] = linalg.Cap(ar, k, n.sel[r*k:(r+1)*k], n.scratch)
		prev = ar
	}
	linalg.MatVec(n.logits, n.Wout, c.Outputs, h, prev)
	for i := range n.pattern {
		var p uint8
		for r := 0; r <= c.Rounds; r++ {
			p <<= 1
			if n.act[r*h+i] != 0 {
				p |= 1
			}
		}
		n.pattern[i] = p
	}
	return linalg.LogSoftmax(n.logp, n.logits)
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

// Learn applies the three rule tables to the weights, using the patterns of
// the last forward pass and the sample's true label, then normalises when the
// configuration asks for it.
func (n *Network) Learn(label int) {
	c := n.Cfg
	h, in, p := c.Hidden, c.Inputs, c.Patterns()
	pat := n.pattern
	for i := range h {
		linalg.AddConst(n.Win[i*in:(i+1)*in], n.inStep[pat[i]])
	}
	for i := range h {
		q := int(pat[i])
		linalg.AddLookup(n.Whid[i*h:(i+1)*h], n.hidStep[q*p:(q+1)*p], pat)
	}
	for _, a := range n.absent {
		n.Whid[a] = 0
	}
	for o := range c.Outputs {
		t := n.outNo
		if o == label {
			t = n.outYes
		}
		linalg.AddLookup(n.Wout[o*h:(o+1)*h], t, pat)
	}
	if c.Norm == NormOutgoing {
		n.normalize()
	}
}

// normalize divides every column of each weight matrix by its L2 norm,
// keeping the norms for the backward pass. A zero column is left as it is.
func (n *Network) normalize() {
	c := n.Cfg
	h := c.Hidden
	scale := func(w []float32, rows, cols int, norms []float32) {
		linalg.ColumnNorms(norms, w, rows, cols)
		inv := n.inv[:cols]
		for j, v := range norms {
			inv[j] = 1
			if v > 0 {
				inv[j] = 1 / v
			}
		}
		linalg.ScaleColumns(w, rows, cols, inv)
	}
	scale(n.Win, h, c.Inputs, n.normIn)
	scale(n.Whid, h, h, n.normHid)
	scale(n.Wout, c.Outputs, h, n.normOut)
}

// ColumnNorms returns the column norms of Win, Whid and Wout taken by the last
// normalisation, before it divided by them.
func (n *Network) ColumnNorms() (in, hid, out []float32) { return n.normIn, n.normHid, n.normOut }

// Observer watches a lifetime: Observe runs after each step, once the weights
// have been updated (or not).
type Observer interface {
	Observe(step int, sample int32, predicted int, updated bool)
}

// Lifetime shows the samples idx of ds one at a time under rules r, updating
// the weights after each (or after each misclassified one), and returns how
// many were classified correctly before their update. It does not reset the
// weights: a lifetime starts from whatever weights the network holds.
func (n *Network) Lifetime(r Rules, ds Samples, idx []int32, obs Observer) (int, error) {
	if err := n.SetRules(r); err != nil {
		return 0, err
	}
	if ds.Dim != n.Cfg.Inputs {
		return 0, fmt.Errorf("data has %d features, network %d inputs", ds.Dim, n.Cfg.Inputs)
	}
	correct := 0
	for t, s := range idx {
		y := int(ds.Y[s])
		pred := n.Forward(ds.Row(int(s)))
		if pred == y {
			correct++
		}
		upd := n.Cfg.Update == UpdateAlways || pred != y
		if upd {
			n.Learn(y)
		}
		if obs != nil {
			obs.Observe(t, s, pred, upd)
		}
	}
	return correct, nil
}

// Score is the result of an evaluation pass with frozen weights.
type Score struct {
	N        int     `json:"n"`
	Accuracy float64 `json:"accuracy"`
	// Loss is the mean cross-entropy of the log-softmax of the logits.
	Loss float64 `json:"loss"`
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
func (n *Network) EvaluateFunc(ds Samples, idx []int32, after func(i int)) Score {
	o := n.Cfg.Outputs
	s := Score{Confusion: make([]int, o*o)}
	counts := make([]int, o)
	var loss float64
	correct := 0
	one := func(i int) {
		y := int(ds.Y[i])
		pred := n.Forward(ds.Row(i))
		loss -= float64(n.logp[y])
		if pred == y {
			correct++
		}
		counts[pred]++
		s.Confusion[y*o+pred]++
		s.N++
		if after != nil {
			after(i)
		}
	}
	if idx == nil {
		for i := range ds.Len() {
			one(i)
		}
	} else {
		for _, i := range idx {
			one(int(i))
		}
	}
	if s.N > 0 {
		s.Accuracy = float64(correct) / float64(s.N)
		s.Loss = loss / float64(s.N)
		s.Majority = float64(slicesMax(counts)) / float64(s.N)
	}
	return s
}

func slicesMax(x []int) int {
	m := 0
	for _, v := range x {
		m = max(m, v)
	}
	return m
}
