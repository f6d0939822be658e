// Package experiment runs the studies of plasticity on top of model, es and
// data: learning rules, scoring them, transferring them to new data, and the
// run directory each leaves behind.
package experiment

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sync/atomic"

	"plasticity/data"
	"plasticity/es"
	"plasticity/model"
	"plasticity/rundir"
)

// Options are the settings shared by every study. Model.Inputs and
// Model.Outputs are taken from the data.
type Options struct {
	Model   model.Config `json:"model"`
	Seed    uint64       `json:"seed"`
	Workers int          `json:"-"`
	Batch   int          `json:"batch"`
	// EvalLifetimes is how many fresh lifetimes (each on its own training
	// batch) the final scores of a set of rules average over.
	EvalLifetimes int `json:"eval_lifetimes"`
	// Log receives human progress; nil discards it.
	Log io.Writer `json:"-"`
	// Stop asks a training run to end early: once it is closed, the run
	// finishes its current generation or step, writes its checkpoint and
	// returns with Result.Interrupted set. nil never stops. Train and Resume
	// look at it between generations or steps, never in the middle of one.
	Stop <-chan struct{} `json:"-"`
	// Weights, when set, are learned initial weights (docs/model.md §10.4) every
	// lifetime of a score or transfer starts from; the run directory keeps
	// them in their own file, not in the options.
	Weights *model.Weights `json:"-"`
}

func (o Options) validate(ds data.Dataset) error {
	if o.Batch < 1 {
		return fmt.Errorf("batch must be at least 1, got %d", o.Batch)
	}
	if o.Batch > ds.Train.Len() {
		return fmt.Errorf("batch %d is larger than the training split (%d samples)", o.Batch, ds.Train.Len())
	}
	if o.EvalLifetimes < 1 {
		return fmt.Errorf("eval lifetimes must be at least 1, got %d", o.EvalLifetimes)
	}
	return fitModel(o.Model, ds).Validate()
}

// fitModel returns the model configuration with the data's shape.
func fitModel(cfg model.Config, ds data.Dataset) model.Config {
	cfg.Inputs = ds.Dim()
	cfg.Outputs = ds.Classes
	return cfg
}

// Batches deals training batches: epoch e is a permutation of the training
// split drawn from the seed, cut into consecutive batches of size B (the tail
// that does not fill a batch is skipped).
type Batches struct {
	seed     uint64
	n, size  int
	perEpoch int
	epoch    int
	perm     []int32
}

// NewBatches deals batches of size over n training samples.
func NewBatches(seed uint64, n, size int) *Batches {
	return &Batches{seed: seed, n: n, size: size, perEpoch: n / size, epoch: -1}
}

// Batch returns the sample indices of batch number b (0-based). The slice is
// valid until the next call.
func (b *Batches) Batch(i int) []int32 {
	e := i / b.perEpoch
	if e != b.epoch {
		rng := model.NewRand(b.seed, "epoch", uint64(e))
		p := rng.Perm(b.n)
		b.perm = b.perm[:0]
		for _, v := range p {
			b.perm = append(b.perm, int32(v))
		}
		b.epoch = e
	}
	j := i % b.perEpoch
	return b.perm[j*b.size : (j+1)*b.size]
}

// lifetimes runs lifetimes of candidate rules in parallel, each worker on its
// own network, every one starting from the same initial weights.
type lifetimes struct {
	ds       data.Dataset
	template *model.Network
	nets     []*model.Network
	st       *model.Start // the last start, whose buffers the next one reuses
	stKey    string       // what st was made for (startFor), "" not known
}

func newLifetimes(cfg model.Config, ds data.Dataset, workers int) (*lifetimes, error) {
	t, err := model.NewNetwork(cfg)
	if err != nil {
		return nil, err
	}
	l := &lifetimes{ds: ds, template: t}
	for range es.Workers(workers) {
		n, err := model.NewNetwork(cfg)
		if err != nil {
			return nil, err
		}
		l.nets = append(l.nets, n)
	}
	return l, nil
}

// start prepares lifetimes over batch from the template's weights: the
// products of its input weights and the batch, shared by every lifetime of a
// generation. The Start is valid until the next call.
func (l *lifetimes) start(batch []int32) (*model.Start, error) {
	l.stKey = ""
	if l.st == nil {
		st, err := model.NewStart(l.template, l.ds.Train, batch)
		l.st = st
		return st, err
	}
	return l.st, l.st.Reset(l.template, l.ds.Train, batch)
}

// startFor is start for the lifetimes key names (a generation and its part),
// made once for all of them while the template holds the same weights: a
// worker that scores a generation's candidates in several chunks takes the
// products of the input weights and the samples once, as a local run does.
// The samples are copied, so the caller's slice may change after.
func (l *lifetimes) startFor(key string, batch []int32) (*model.Start, error) {
	if key != "" && key == l.stKey && l.st != nil {
		return l.st, nil
	}
	st, err := l.start(slices.Clone(batch))
	if err == nil {
		l.stKey = key
	}
	return st, err
}

// run gives rules a lifetime over batch from the template's weights on the
// worker's network and returns the evaluation pass over the same batch. The
// network is left holding the lifetime's final weights.
func (l *lifetimes) run(worker int, r model.Rules, batch []int32) (*model.Network, model.Score, error) {
	st, err := l.start(batch)
	if err != nil {
		return nil, model.Score{}, err
	}
	return l.runFrom(worker, st, r)
}

// runFrom is run from a start prepared by l.start, which the candidates of a
// generation share.
func (l *lifetimes) runFrom(worker int, st *model.Start, r model.Rules) (*model.Network, model.Score, error) {
	n := l.nets[worker]
	_, s, err := n.LifetimeFrom(st, r)
	if err != nil {
		return nil, model.Score{}, err
	}
	return n, s, nil
}

// Scores are the measures of a set of rules averaged over fresh lifetimes
// (docs/model.md §5), as rules.json records them.
type Scores = rundir.Scores

// Score gives rules opts.EvalLifetimes fresh lifetimes, each from its own
// initial weights on its own random training batch (drawn from streams of the
// seed that training never uses), and averages the measures. Weights or
// products that leave float32 end it with an error wrapping a
// model.NonFiniteError.
func Score(opts Options, ds data.Dataset, r model.Rules) (Scores, error) {
	cfg := fitModel(opts.Model, ds)
	if err := opts.validate(ds); err != nil {
		return Scores{}, err
	}
	l, err := newLifetimes(cfg, ds, opts.Workers)
	if err != nil {
		return Scores{}, err
	}
	res := make([]lifetimeScore, opts.EvalLifetimes)
	// At MNIST scale each lifetime's test pass takes seconds: report from
	// inside them, counting every sample of the lifetimes and their passes.
	var finished atomic.Int64
	prog := &sharedProgress{p: NewProgress(opts.Log, "score", opts.EvalLifetimes*(2*opts.Batch+ds.Test.Len()), "sample"),
		status: func() string {
			return fmt.Sprintf("%d of %d lifetimes done, each with a pass over the test split", finished.Load(), opts.EvalLifetimes)
		}}
	es.ForEach(opts.Workers, opts.EvalLifetimes, func(w, i int) {
		res[i] = scoreLifetime(l.nets[w], opts, ds, r, i, opts.EvalLifetimes, prog)
		if res[i].err == nil {
			finished.Add(1)
		}
	})
	prog.p.Done()
	return averageScores(res)
}

// lifetimeScore is one fresh lifetime of Score: the evaluation passes over
// its batch and over the test split.
type lifetimeScore struct {
	batch, test model.Score
	err         error
}

// scoreLifetime is fresh lifetime i of n of Score, on the network net.
func scoreLifetime(net *model.Network, opts Options, ds data.Dataset, r model.Rules, i, n int, prog *sharedProgress) lifetimeScore {
	if err := initNet(net, model.NewRand(opts.Seed, "score-init", uint64(i)), opts.Weights); err != nil {
		return lifetimeScore{err: err}
	}
	rng := model.NewRand(opts.Seed, "score-batch", uint64(i))
	batch := make([]int32, opts.Batch)
	for j, v := range rng.Perm(ds.Train.Len())[:opts.Batch] {
		batch[j] = int32(v)
	}
	tick := &ticker{s: prog, unit: 1}
	if _, err := net.Lifetime(r, ds.Train, batch, tick); err != nil {
		return lifetimeScore{err: scoreError(err, batch, i, n)}
	}
	return lifetimeScore{batch: tick.evaluate(net, ds.Train, batch), test: tick.evaluate(net, ds.Test, nil)}
}

// averageScores averages the lifetimes of Score, in their order.
func averageScores(res []lifetimeScore) (Scores, error) {
	var s Scores
	for _, o := range res {
		if o.err != nil {
			return Scores{}, o.err
		}
		s.BatchAccuracy += o.batch.Accuracy
		s.Loss += o.batch.Loss
		s.TestAccuracy += o.test.Accuracy
		s.TestMajority += o.test.Majority
	}
	k := float64(len(res))
	s.BatchAccuracy /= k
	s.Loss /= k
	s.TestAccuracy /= k
	s.TestMajority /= k
	s.Lifetimes = len(res)
	return s, nil
}

// scoreError names the lifetime and the index in the training split of the
// sample when err, from lifetime i of n over batch, is a
// model.NonFiniteError.
func scoreError(err error, batch []int32, i, n int) error {
	var nf model.NonFiniteError
	if !errors.As(err, &nf) {
		return err
	}
	return fmt.Errorf("%w of the batch of lifetime %d of %d (training sample %d)", nf, i+1, n, batch[nf.Sample])
}
