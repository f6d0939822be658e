package experiment

import (
	"fmt"

	"plasticity/baseline"
	"plasticity/data"
	"plasticity/model"
)

// ProbeScore is a linear probe of one network's hidden layer: a logistic
// regression fitted on the last round's capped activations of the training
// split, and its accuracies.
type ProbeScore struct {
	TrainAccuracy float64      `json:"train_accuracy"`
	TestAccuracy  float64      `json:"test_accuracy"`
	Fit           baseline.Fit `json:"fit"`
}

// ProbeResult compares the hidden layer a transfer built with the one it
// started from (docs/model.md §10.6).
type ProbeResult struct {
	Transfer TransferResult `json:"transfer"`
	// Trained probes the network as the transfer left it, Untrained the same
	// initial network with no rule applied.
	Trained   ProbeScore `json:"trained"`
	Untrained ProbeScore `json:"untrained"`
}

// Probe runs a transfer of r to ds (TransferNetwork), freezes the network,
// and fits the logistic regression fit describes (fit.Hidden must be 0) on
// the capped activations of its last round over the training split, scoring
// it on both splits; then the same on the initial network of the transfer.
// The activations are standardised by their training mean and deviation
// first, which changes no linear readout but lets Adam take features of
// any scale.
func Probe(o TransferOptions, r model.Rules, ds data.Dataset, fit baseline.Options) (ProbeResult, error) {
	if fit.Hidden != 0 {
		return ProbeResult{}, fmt.Errorf("a probe is a logistic regression: hidden must be 0, got %d", fit.Hidden)
	}
	var res ProbeResult
	tr, n, err := TransferNetwork(o, r, ds)
	if err != nil {
		return res, err
	}
	res.Transfer = tr
	if res.Trained, err = probe(n, ds, fit); err != nil {
		return res, err
	}
	n0, err := transferStart(o.Options, ds)
	if err != nil {
		return res, err
	}
	res.Untrained, err = probe(n0, ds, fit)
	return res, err
}

// probe fits and scores the logistic regression on n's features of ds.
func probe(n *model.Network, ds data.Dataset, fit baseline.Options) (ProbeScore, error) {
	f := data.Dataset{Name: ds.Name, Classes: ds.Classes, Train: n.CappedFeatures(ds.Train), Test: n.CappedFeatures(ds.Test)}
	data.Standardize(&f)
	c, fr, err := baseline.Train(fit, f.Train, f.Classes)
	if err != nil {
		return ProbeScore{}, err
	}
	return ProbeScore{TrainAccuracy: c.Accuracy(f.Train), TestAccuracy: c.Accuracy(f.Test), Fit: fr}, nil
}
