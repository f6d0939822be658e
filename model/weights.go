package model

import (
	"fmt"
	"slices"
)

// Weights are initial weights learned once and shared by every lifetime
// instead of a fresh draw (docs/model.md §10.4). A nil matrix is not learned: each
// lifetime draws it as Init does. The sizes bind them to networks of the
// same shape.
type Weights struct {
	Inputs, Hidden, Outputs int
	// Win is Hidden x Inputs, Whid Hidden x Hidden, Wout Outputs x Hidden,
	// row-major as Network holds them; nil when not learned.
	Win, Whid, Wout []float32
	// Absent lists Whid's absent synapses (Network.Absent), with Whid.
	Absent []int32
}

// Learned reports which matrices (Win, Whid, Wout) w holds.
func (w *Weights) Learned() [3]bool { return [3]bool{w.Win != nil, w.Whid != nil, w.Wout != nil} }

// TakeWeights returns copies of n's matrices that learn names (Win, Whid,
// Wout), with Whid's absent synapses.
func (n *Network) TakeWeights(learn [3]bool) *Weights {
	c := n.Cfg
	w := &Weights{Inputs: c.Inputs, Hidden: c.Hidden, Outputs: c.Outputs}
	if learn[0] {
		w.Win = slices.Clone(n.Win)
	}
	if learn[1] {
		w.Whid = slices.Clone(n.Whid)
		w.Absent = slices.Clone(n.absent)
	}
	if learn[2] {
		w.Wout = slices.Clone(n.Wout)
	}
	return w
}

// Fits reports why w cannot start a network of configuration c: another
// number of inputs, hidden neurons or outputs, or matrices of the wrong size.
func (w *Weights) Fits(c Config) error {
	if w.Inputs != c.Inputs || w.Hidden != c.Hidden || w.Outputs != c.Outputs {
		return fmt.Errorf("weights for %d inputs, %d hidden, %d outputs cannot start a network of %d inputs, %d hidden, %d outputs",
			w.Inputs, w.Hidden, w.Outputs, c.Inputs, c.Hidden, c.Outputs)
	}
	h := c.Hidden
	for _, m := range []struct {
		name string
		w    []float32
		n    int
	}{{"input", w.Win, h * c.Inputs}, {"hidden", w.Whid, h * h}, {"output", w.Wout, c.Outputs * h}} {
		if m.w != nil && len(m.w) != m.n {
			return fmt.Errorf("%s weights have %d entries, want %d", m.name, len(m.w), m.n)
		}
	}
	if w.Whid == nil {
		return nil
	}
	diag := 0
	for k, a := range w.Absent {
		if a < 0 || int(a) >= h*h || (k > 0 && a <= w.Absent[k-1]) {
			return fmt.Errorf("absent synapses must be increasing indices below %d", h*h)
		}
		if int(a)/h == int(a)%h {
			diag++
		}
		if w.Whid[a] != 0 {
			return fmt.Errorf("absent synapse %d has weight %v", a, w.Whid[a])
		}
	}
	if diag != h {
		return fmt.Errorf("the hidden weights' diagonal must be absent")
	}
	return nil
}

// ApplyWeights replaces n's matrices by those w holds (after Init drew all
// three), with Whid's absent synapses.
func (n *Network) ApplyWeights(w *Weights) error {
	if err := w.Fits(n.Cfg); err != nil {
		return err
	}
	if w.Win != nil {
		copy(n.Win, w.Win)
	}
	if w.Whid != nil {
		copy(n.Whid, w.Whid)
		n.absent = append(n.absent[:0], w.Absent...)
	}
	if w.Wout != nil {
		copy(n.Wout, w.Wout)
	}
	n.age = 0
	return nil
}
