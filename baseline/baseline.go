// Package baseline fits the classifiers plasticity's rules are measured
// against: logistic regression and a one-hidden-layer relu network, trained
// by backpropagation with mini-batch Adam on the same samples every other
// command uses (docs/model.md §10.6). It is plain Go over linalg's kernels and
// runs on one goroutine, so a fit is a function of its options and data.
package baseline

import (
	"fmt"
	"io"
	"math"
	"time"

	"plasticity/linalg"
	"plasticity/model"
)

// Options configure a fit. Zero fields take the defaults named.
type Options struct {
	// Hidden is the width of the relu hidden layer; 0 fits logistic
	// regression (no hidden layer).
	Hidden int
	// Epochs is the most passes over the training split (0: 100).
	Epochs int
	// Patience and Tol are the stopping rule: the fit ends once the mean
	// training loss of an epoch (the mean of its mini-batch losses) has failed
	// Patience epochs in a row (0: 5) to fall by more than Tol (0: 1e-4) below
	// the best so far, or after Epochs epochs, whichever comes first. This is
	// scikit-learn's rule for its MLPClassifier with a shorter patience.
	Patience int
	Tol      float64
	// Batch is the mini-batch size (0: 100); LR Adam's step size (0: 0.001).
	Batch int
	LR    float64
	// Seed draws the shuffles of the epochs and the hidden layer's initial
	// weights (logistic regression starts from zero).
	Seed uint64
	// Log receives one line per epoch; nil discards them.
	Log io.Writer
}

func (o Options) withDefaults() Options {
	if o.Epochs == 0 {
		o.Epochs = 100
	}
	if o.Patience == 0 {
		o.Patience = 5
	}
	if o.Tol == 0 {
		o.Tol = 1e-4
	}
	if o.Batch == 0 {
		o.Batch = 100
	}
	if o.LR == 0 {
		o.LR = 0.001
	}
	return o
}

func (o Options) validate(train model.Samples, classes int) error {
	switch {
	case o.Hidden < 0:
		return fmt.Errorf("hidden must be at least 0, got %d", o.Hidden)
	case o.Epochs < 1:
		return fmt.Errorf("epochs must be at least 1, got %d", o.Epochs)
	case o.Patience < 1:
		return fmt.Errorf("patience must be at least 1, got %d", o.Patience)
	case o.Tol < 0:
		return fmt.Errorf("tol must be at least 0, got %g", o.Tol)
	case o.Batch < 1:
		return fmt.Errorf("batch must be at least 1, got %d", o.Batch)
	case !(o.LR > 0):
		return fmt.Errorf("learning rate must be positive, got %g", o.LR)
	case train.Len() == 0 || train.Dim < 1:
		return fmt.Errorf("no training samples")
	case classes < 2:
		return fmt.Errorf("classes must be at least 2, got %d", classes)
	}
	for i, y := range train.Y {
		if y < 0 || int(y) >= classes {
			return fmt.Errorf("sample %d has label %d, outside 0..%d", i, y, classes-1)
		}
	}
	return nil
}

// Fit is how a fit ended.
type Fit struct {
	Epochs int `json:"epochs"`
	// Loss is the mean training loss of the last epoch.
	Loss float64 `json:"loss"`
	// Plateau says the stopping rule ended the fit before Epochs.
	Plateau bool    `json:"plateau"`
	Seconds float64 `json:"seconds"`
}

// Classifier is a fitted logistic regression or relu network.
type Classifier struct {
	layers []*dense
	// buffers of one forward pass over a block of samples
	acts [][]float32
}

// Train fits a classifier of o's shape on train, whose labels are 0..classes-1.
func Train(o Options, train model.Samples, classes int) (*Classifier, Fit, error) {
	o = o.withDefaults()
	if err := o.validate(train, classes); err != nil {
		return nil, Fit{}, err
	}
	start := time.Now()
	c := newClassifier(o, train.Dim, classes)
	opt := newAdam(o.LR, c.layers)
	n := train.Len()
	best, stale := math.Inf(1), 0
	var fit Fit
	for epoch := range o.Epochs {
		order := model.NewRand(o.Seed, "baseline-order", uint64(epoch)).Perm(n)
		var loss float64
		for lo := 0; lo < n; lo += o.Batch {
			hi := min(lo+o.Batch, n)
			loss += c.step(train, order[lo:hi]) * float64(hi-lo)
			opt.update(c.layers)
		}
		loss /= float64(n)
		fit = Fit{Epochs: epoch + 1, Loss: loss}
		if o.Log != nil {
			fmt.Fprintf(o.Log, "baseline: epoch %d: training loss %.5f\n", epoch+1, loss)
		}
		if math.IsNaN(loss) {
			return nil, fit, fmt.Errorf("training loss is NaN at epoch %d", epoch+1)
		}
		if loss > best-o.Tol {
			stale++
		} else {
			stale = 0
		}
		best = min(best, loss)
		if stale >= o.Patience {
			fit.Plateau = epoch+1 < o.Epochs
			break
		}
	}
	fit.Seconds = time.Since(start).Seconds()
	return c, fit, nil
}

func newClassifier(o Options, inputs, classes int) *Classifier {
	c := &Classifier{}
	if o.Hidden > 0 {
		l := newDense(o.Hidden, inputs, true)
		// He initialisation for relu; the output layer starts at zero.
		rng := model.NewRand(o.Seed, "baseline-init", 0)
		s := math.Sqrt(2 / float64(inputs))
		for i := range l.w {
			l.w[i] = float32(rng.NormFloat64() * s)
		}
		c.layers = append(c.layers, l)
		inputs = o.Hidden
	}
	c.layers = append(c.layers, newDense(classes, inputs, false))
	return c
}

// Classes is how many classes the classifier tells apart.
func (c *Classifier) Classes() int { return c.layers[len(c.layers)-1].out }

// block is how many samples a forward pass takes at a time.
const block = 256

// forward computes the layers' outputs for the samples idx of s into c.acts
// (acts[l] holds layer l's outputs, one row per sample; the last the logits).
func (c *Classifier) forward(s model.Samples, idx []int) {
	m := len(idx)
	if len(c.acts) == 0 {
		c.acts = make([][]float32, len(c.layers)+1)
	}
	in := grow(&c.acts[0], m*s.Dim)
	for t, i := range idx {
		copy(in[t*s.Dim:(t+1)*s.Dim], s.Row(i))
	}
	for l, d := range c.layers {
		out := grow(&c.acts[l+1], m*d.out)
		linalg.MatVecBatch(out, d.w, d.out, d.in, c.acts[l], m)
		for t := range m {
			linalg.Axpy(out[t*d.out:(t+1)*d.out], 1, d.b)
		}
		if d.relu {
			linalg.ReLU(out)
		}
	}
}

func grow(buf *[]float32, n int) []float32 {
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	*buf = (*buf)[:n]
	return *buf
}

// step runs the forward and backward pass of one mini-batch, leaving the
// gradient of its mean cross-entropy in the layers, and returns that loss.
func (c *Classifier) step(s model.Samples, idx []int) float64 {
	c.forward(s, idx)
	m := len(idx)
	last := len(c.layers)
	k := c.layers[last-1].out
	// g holds dLoss/dz of the current layer's outputs, one row per sample.
	g := c.acts[last]
	logp := make([]float32, k)
	var loss float64
	inv := 1 / float32(m)
	for t, i := range idx {
		z := g[t*k : (t+1)*k]
		linalg.LogSoftmax(logp, z)
		y := int(s.Y[i])
		loss -= float64(logp[y])
		for j, v := range logp {
			z[j] = float32(math.Exp(float64(v))) * inv
		}
		z[y] -= inv
	}
	for l := last - 1; l >= 0; l-- {
		d := c.layers[l]
		clear(d.gw)
		clear(d.gb)
		x := c.acts[l]
		var gx []float32
		if l > 0 {
			gx = make([]float32, m*d.in)
		}
		for t := range m {
			gt := g[t*d.out : (t+1)*d.out]
			linalg.AddOuter(d.gw, d.out, d.in, gt, x[t*d.in:(t+1)*d.in])
			linalg.Axpy(d.gb, 1, gt)
			if gx != nil {
				linalg.MatVecTrans(gx[t*d.in:(t+1)*d.in], d.w, d.out, d.in, gt)
			}
		}
		if gx != nil && c.layers[l-1].relu {
			// x is the relu's output: its derivative is 1 where x > 0.
			for j, v := range x[:m*d.in] {
				if v <= 0 {
					gx[j] = 0
				}
			}
		}
		g = gx
	}
	return loss / float64(m)
}

// Predict returns the predicted class of every sample of s.
func (c *Classifier) Predict(s model.Samples) []int {
	if s.Dim != c.layers[0].in {
		panic(fmt.Sprintf("baseline: samples of %d features for a classifier of %d inputs", s.Dim, c.layers[0].in))
	}
	pred := make([]int, s.Len())
	k := c.Classes()
	idx := make([]int, 0, block)
	for lo := 0; lo < s.Len(); lo += block {
		idx = idx[:0]
		for i := lo; i < min(lo+block, s.Len()); i++ {
			idx = append(idx, i)
		}
		c.forward(s, idx)
		z := c.acts[len(c.layers)]
		for t, i := range idx {
			pred[i] = argmax(z[t*k : (t+1)*k])
		}
	}
	return pred
}

// Accuracy returns the share of the samples of s the classifier labels right
// (0 for no samples).
func (c *Classifier) Accuracy(s model.Samples) float64 {
	if s.Len() == 0 {
		return 0
	}
	right := 0
	for i, p := range c.Predict(s) {
		if p == int(s.Y[i]) {
			right++
		}
	}
	return float64(right) / float64(s.Len())
}

// argmax returns the index of the largest entry, the lowest among equals.
func argmax(z []float32) int {
	best := 0
	for j, v := range z {
		if v > z[best] {
			best = j
		}
	}
	return best
}
