package experiment

import (
	"fmt"
	"time"

	"plasticity/data"
	"plasticity/model"
	"plasticity/rundir"
)

// TransferOptions configure the seed's generalisation experiment (docs/model.md §6).
type TransferOptions struct {
	Options
	Passes int `json:"passes"`
	// RecordEvery is how many samples of the first pass lie between two
	// points of the curve; 0 picks max(100, train/20).
	RecordEvery int `json:"record_every"`
}

// CurvePoint is one measurement during a transfer (transfer.csv's rows).
type CurvePoint = rundir.CurvePoint

// TransferResult is the outcome of a transfer.
type TransferResult struct {
	Passes int `json:"passes"`
	// FinalTrain is the frozen evaluation over the whole training split after
	// the last pass; FinalTest the same over the test split.
	FinalTrain model.Score  `json:"final_train"`
	FinalTest  model.Score  `json:"final_test"`
	Curve      []CurvePoint `json:"curve"`
	Seconds    float64      `json:"seconds"`
}

// Transfer builds a fresh network for ds from fresh initial weights and shows
// it the training split one sample at a time, o.Passes times in a freshly
// shuffled order each pass, never resetting the weights and never changing
// the rules, recording accuracy as it goes.
func Transfer(o TransferOptions, r model.Rules, ds data.Dataset) (TransferResult, error) {
	res, _, err := TransferNetwork(o, r, ds)
	return res, err
}

// TransferNetwork is Transfer that also returns the network as the transfer
// left it, for studies of the representation it built (Probe).
func TransferNetwork(o TransferOptions, r model.Rules, ds data.Dataset) (TransferResult, *model.Network, error) {
	if o.Passes < 1 {
		return TransferResult{}, nil, fmt.Errorf("-passes must be at least 1, got %d", o.Passes)
	}
	if o.RecordEvery < 0 {
		return TransferResult{}, nil, fmt.Errorf("-record-every must be >= 0, got %d", o.RecordEvery)
	}
	if r.Rounds != o.Model.Rounds {
		return TransferResult{}, nil, fmt.Errorf("rules for R = %d cannot drive a network of R = %d", r.Rounds, o.Model.Rounds)
	}
	n, err := transferStart(o.Options, ds)
	if err != nil {
		return TransferResult{}, nil, err
	}
	ntrain := ds.Train.Len()
	every := o.RecordEvery
	if every == 0 {
		every = max(100, ntrain/20)
	}
	start := time.Now()
	// Counted in samples, so that the first pass of a large data set, with
	// its many curve points, reports as it goes.
	prog := NewProgress(o.Log, "transfer", o.Passes*ntrain, "sample")
	var res TransferResult
	res.Passes = o.Passes
	order := make([]int32, ntrain)
	seen := 0
	for pass := range o.Passes {
		for i, v := range model.NewRand(o.Seed, "transfer-order", uint64(pass)).Perm(ntrain) {
			order[i] = int32(v)
		}
		step := ntrain
		if pass == 0 {
			step = every
		}
		for lo := 0; lo < ntrain; lo += step {
			hi := min(lo+step, ntrain)
			correct, err := n.Lifetime(r, ds.Train, order[lo:hi], nil)
			if err != nil {
				return TransferResult{}, nil, err
			}
			seen += hi - lo
			res.Curve = append(res.Curve, CurvePoint{
				Pass:           float64(pass) + float64(hi)/float64(ntrain),
				Samples:        seen,
				OnlineAccuracy: float64(correct) / float64(hi-lo),
				TestAccuracy:   n.Evaluate(ds.Test, nil).Accuracy,
			})
			last := res.Curve[len(res.Curve)-1]
			prog.Update(seen, fmt.Sprintf("pass %d of %d: online %.3f test %.3f", pass+1, o.Passes, last.OnlineAccuracy, last.TestAccuracy))
		}
	}
	prog.Done()
	res.FinalTrain = n.Evaluate(ds.Train, nil)
	res.FinalTest = n.Evaluate(ds.Test, nil)
	res.Seconds = time.Since(start).Seconds()
	return res, n, nil
}

// transferStart returns the fresh network a transfer starts from.
func transferStart(o Options, ds data.Dataset) (*model.Network, error) {
	n, err := model.NewNetwork(fitModel(o.Model, ds))
	if err != nil {
		return nil, err
	}
	if err := initNet(n, model.NewRand(o.Seed, "transfer-init", 0), o.Weights); err != nil {
		return nil, err
	}
	return n, nil
}
