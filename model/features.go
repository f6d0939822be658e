package model

import "slices"

// CappedFeatures returns the last round's capped activations of every sample
// of ds (round R, what the readout Wout sees), computed with the weights
// frozen by the evaluation pass: one row of Hidden values per sample, with
// ds's labels. It is how a probe reads the representation a network has
// built.
func (n *Network) CappedFeatures(ds Samples) Samples {
	h, r := n.Cfg.Hidden, n.Cfg.Rounds
	x := make([]float32, ds.Len()*h)
	n.EvaluateFunc(ds, nil, func(i int) {
		copy(x[i*h:(i+1)*h], n.Activations(r))
	})
	return Samples{X: x, Y: slices.Clone(ds.Y), Dim: h}
}
