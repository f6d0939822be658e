package experiment

import (
	"errors"
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
// the rules, recording accuracy as it goes. Weights or products that leave
// float32 end it with an error wrapping a model.NonFiniteError whose Sample
// counts every pass's samples.
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
	// Counted in samples and reported from inside the lifetimes and the
	// evaluation passes, so that a large network is never quiet for long.
	status := ""
	prog := &sharedProgress{p: NewProgress(o.Log, "transfer", o.Passes*ntrain, "sample"), status: func() string { return status }}
	// The evaluations' samples are not the transfer's: they only poll.
	tick, evalTick := &ticker{s: prog, unit: 1}, &ticker{s: prog}
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
			status = fmt.Sprintf("pass %d of %d", pass+1, o.Passes)
			correct, err := n.Lifetime(r, ds.Train, order[lo:hi], tick)
			if err != nil {
				return TransferResult{}, nil, transferError(err, seen, order[lo:hi], pass, o.Passes)
			}
			tick.flush()
			seen += hi - lo
			status = fmt.Sprintf("pass %d of %d: the test split after %d samples", pass+1, o.Passes, seen)
			test := evalTick.evaluate(n, ds.Test, nil)
			res.Curve = append(res.Curve, CurvePoint{
				Pass:           float64(pass) + float64(hi)/float64(ntrain),
				Samples:        seen,
				OnlineAccuracy: float64(correct) / float64(hi-lo),
				TestAccuracy:   test.Accuracy,
			})
			last := res.Curve[len(res.Curve)-1]
			prog.p.Update(seen, fmt.Sprintf("pass %d of %d: online %.3f test %.3f", pass+1, o.Passes, last.OnlineAccuracy, last.TestAccuracy))
		}
	}
	status = "the final evaluation of the training and test splits"
	res.FinalTrain = evalTick.evaluate(n, ds.Train, nil)
	res.FinalTest = evalTick.evaluate(n, ds.Test, nil)
	prog.p.Done()
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

// transferError names the sample of the run, its pass and its index in the
// training split when err, from a lifetime over idx after seen samples of
// the run, is a model.NonFiniteError.
func transferError(err error, seen int, idx []int32, pass, passes int) error {
	var nf model.NonFiniteError
	if !errors.As(err, &nf) {
		return err
	}
	at := idx[nf.Sample]
	nf.Sample += seen
	return fmt.Errorf("%w of the run (pass %d of %d, training sample %d)", nf, pass+1, passes, at)
}
