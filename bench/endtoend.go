package bench

import (
	"errors"
	"math"
	"sync"
	"time"

	"plasticity/data"
	"plasticity/es"
	"plasticity/experiment"
	"plasticity/model"
)

// scaleData returns the data of one scale: the real synthetic set, or
// random MNIST-shaped samples (784 pixels in [0,1), 10 classes), so no files
// are needed.
func scaleData(s Scale, seed uint64, batch int) (data.Dataset, error) {
	if s == ScaleSynthetic {
		return data.NewSynthetic(data.SeedSynthetic(), seed)
	}
	rng := model.NewRand(seed, "bench-data", 0)
	smp := model.Samples{X: make([]float32, batch*s.Inputs), Y: make([]int32, batch), Dim: s.Inputs}
	for i := range smp.X {
		smp.X[i] = float32(rng.Float64())
	}
	for i := range smp.Y {
		smp.Y[i] = int32(rng.IntN(s.Outputs))
	}
	return data.Dataset{Name: "random-" + s.Name, Classes: s.Outputs, Train: smp, Test: smp}, nil
}

// scaleConfig is the seed paper's network at scale s: R = 3, eta 0.01, dense
// hidden weights, sigmoid, no normalisation.
func scaleConfig(s Scale) model.Config {
	return model.Config{Inputs: s.Inputs, Hidden: s.Hidden, Outputs: s.Outputs, Rounds: 3, Cap: s.Cap,
		Eta: 0.01, EdgeProb: 1}
}

// randomRules draws a genotype the way the simple ES starts: i.i.d. N(0,1),
// so every rule table is non-zero.
func randomRules(seed uint64, rounds int) model.Rules {
	rng := model.NewRand(seed, "bench-rules", 0)
	r := model.NewRules(rounds)
	for i := range r.Theta {
		r.Theta[i] = float32(rng.NormFloat64())
	}
	return r
}

// networks returns a template with initial weights drawn from the seed and n
// networks of the same shape to copy them into.
func networks(cfg model.Config, seed uint64, n int) (*model.Network, []*model.Network, error) {
	t, err := model.NewNetwork(cfg)
	if err != nil {
		return nil, nil, err
	}
	t.Init(model.NewRand(seed, "init", 0))
	nets := make([]*model.Network, n)
	for i := range nets {
		if nets[i], err = model.NewNetwork(cfg); err != nil {
			return nil, nil, err
		}
	}
	return t, nets, nil
}

// measureLifetime returns the samples per second of a lifetime over a batch
// of 100 followed by the evaluation pass over the same batch, as an ES
// generation runs them for each candidate (Start.Reset from the initial
// weights, then LifetimeScore, all inside the timing: nothing is shared with
// another lifetime), and of the two parts called apart (Lifetime from a copy
// of the initial weights, then Evaluate), on one core, from the same initial
// weights every time: the best of at least three runs, the least disturbed
// by other load.
func measureLifetime(o Options, s Scale) (both, life, eval float64, err error) {
	const batch = 100
	ds, err := scaleData(s, o.Seed, batch)
	if err != nil {
		return 0, 0, 0, err
	}
	cfg := scaleConfig(s)
	template, nets, err := networks(cfg, o.Seed, 1)
	if err != nil {
		return 0, 0, 0, err
	}
	rules := randomRules(o.Seed, cfg.Rounds)
	idx := experiment.NewBatches(o.Seed, ds.Train.Len(), batch).Batch(0)
	n := nets[0]
	st := new(model.Start)
	tBoth, tLife, tEval := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	deadline := time.Now().Add(2 * o.Budget)
	for runs := 0; runs < 3 || time.Now().Before(deadline); runs++ {
		t0 := time.Now()
		if err := lifetimeFrom(st, template, n, ds.Train, idx, rules); err != nil {
			return 0, 0, 0, err
		}
		tBoth = min(tBoth, time.Since(t0))
		n.CopyWeights(template)
		t1 := time.Now()
		if _, err := n.Lifetime(rules, ds.Train, idx, nil); err != nil {
			return 0, 0, 0, err
		}
		t2 := time.Now()
		n.Evaluate(ds.Train, idx)
		tLife, tEval = min(tLife, t2.Sub(t1)), min(tEval, time.Since(t2))
	}
	return batch / tBoth.Seconds(), batch / tLife.Seconds(), batch / tEval.Seconds(), nil
}

// lifetimeFrom is one lifetime and its evaluation pass as an ES generation
// runs it for a candidate (experiment's generation): st reset to the
// template's weights and the batch, then LifetimeScore on n.
func lifetimeFrom(st *model.Start, template, n *model.Network, ds model.Samples, idx []int32, r model.Rules) error {
	if err := st.Reset(template, ds, idx); err != nil {
		return err
	}
	_, _, err := n.LifetimeScore(st, r)
	return err
}

// measureLifetimeParallel returns the samples per second of workers
// lifetimes over a batch of 100, each followed by its evaluation pass, each
// on its own network and Start as measureLifetime runs them, run at once from
// the same initial weights: the best of at least three rounds.
func measureLifetimeParallel(o Options, s Scale, workers int) (float64, error) {
	const batch = 100
	ds, err := scaleData(s, o.Seed, batch)
	if err != nil {
		return 0, err
	}
	cfg := scaleConfig(s)
	template, nets, err := networks(cfg, o.Seed, workers)
	if err != nil {
		return 0, err
	}
	rules := randomRules(o.Seed, cfg.Rounds)
	idx := experiment.NewBatches(o.Seed, ds.Train.Len(), batch).Batch(0)
	errs := make([]error, workers)
	starts := make([]*model.Start, workers)
	for w := range starts {
		starts[w] = new(model.Start)
	}
	best := time.Duration(math.MaxInt64)
	deadline := time.Now().Add(2 * o.Budget)
	for runs := 0; runs < 3 || time.Now().Before(deadline); runs++ {
		t0 := time.Now()
		var wg sync.WaitGroup
		for w, n := range nets {
			wg.Go(func() { errs[w] = lifetimeFrom(starts[w], template, n, ds.Train, idx, rules) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return 0, err
		}
		best = min(best, time.Since(t0))
	}
	// Each worker's lifetime and evaluation pass count batch samples, as in
	// measureLifetime's combined rate, so the ratio of the two is the scaling.
	return float64(batch*workers) / best.Seconds(), nil
}

// measureGeneration returns the seconds of one simple-ES generation at scale
// s: population 10, batch 100, on all the workers asked for.
func measureGeneration(o Options, s Scale) (float64, error) {
	const batch, popsize = 100, 10
	ds, err := scaleData(s, o.Seed, batch)
	if err != nil {
		return 0, err
	}
	cfg := scaleConfig(s)
	gens, err := experiment.NewGenerations(cfg, ds, o.Workers)
	if err != nil {
		return 0, err
	}
	strat, err := es.NewSimple(model.GenotypeLen(cfg.Rounds), popsize, 0.01, 2, model.NewRand(o.Seed, "es", 0))
	if err != nil {
		return 0, err
	}
	batches := experiment.NewBatches(o.Seed, ds.Train.Len(), batch)
	best := math.Inf(1)
	deadline := time.Now().Add(2 * o.Budget)
	for g := 0; g < 2 || time.Now().Before(deadline); g++ {
		gens.InitWeights(model.NewRand(o.Seed, "init", uint64(g)))
		t0 := time.Now()
		scores, err := gens.Run(strat.Ask(), batches.Batch(g))
		if err != nil {
			return 0, err
		}
		best = min(best, time.Since(t0).Seconds())
		fit := make([]float64, len(scores))
		for i, sc := range scores {
			fit[i] = sc.Accuracy
		}
		strat.Tell(fit)
	}
	return best, nil
}

// measureGDStep returns the seconds of one gradient-descent step at scale s,
// as TrainGD makes it (GDStepper.Step), on one core: the best of at least
// two.
func measureGDStep(o Options, s Scale) (float64, error) {
	const batch = 100
	ds, err := scaleData(s, o.Seed, batch)
	if err != nil {
		return 0, err
	}
	g := experiment.DefaultGD(experiment.Options{Model: scaleConfig(s), Seed: o.Seed, Workers: 1, Batch: batch, EvalLifetimes: 1})
	st, err := experiment.NewGDStepper(g, ds)
	if err != nil {
		return 0, err
	}
	best := math.Inf(1)
	deadline := time.Now().Add(2 * o.Budget)
	for n := 0; n < 2 || time.Now().Before(deadline); n++ {
		t0 := time.Now()
		if _, err := st.Step(); err != nil {
			return 0, err
		}
		best = min(best, time.Since(t0).Seconds())
	}
	return best, nil
}
