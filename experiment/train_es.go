package experiment

import (
	"errors"
	"fmt"
	"math"
	"time"

	"plasticity/data"
	"plasticity/es"
	"plasticity/model"
)

// ESOptions configure rule learning by an evolution strategy.
type ESOptions struct {
	Options
	Strategy    string  `json:"strategy"`
	Generations int     `json:"generations"`
	PopSize     int     `json:"popsize"`
	Sigma       float64 `json:"sigma"`
	Parents     int     `json:"parents"`
	// Fitness is "accuracy" (the seed's) or "loss" (minus the cross-entropy).
	Fitness string `json:"fitness"`
	// EvalEvery is how often (in generations) the best candidate's test
	// accuracy is measured; 0 never.
	EvalEvery int `json:"eval_every"`
}

// DefaultES returns the seed paper's ES settings on top of opts.
func DefaultES(opts Options) ESOptions {
	return ESOptions{Options: opts, Strategy: "simple", Generations: 1500, PopSize: 10, Sigma: 0.01,
		Parents: 2, Fitness: "accuracy", EvalEvery: 25}
}

// Row is one line of metrics.csv.
type Row struct {
	Step          int
	BestFitness   float64
	MeanFitness   float64
	StdFitness    float64
	BatchAccuracy float64
	Loss          float64
	Majority      float64
	TestAccuracy  float64 // NaN when not measured
	Sigma         float64
	Seconds       float64
}

// MetricsHeader is the header of metrics.csv for ES runs.
var MetricsHeader = []string{"generation", "best_fitness", "mean_fitness", "std_fitness",
	"batch_accuracy", "loss", "majority", "test_accuracy", "sigma", "seconds"}

// Strings formats a row in the order of MetricsHeader.
func (r Row) Strings() []string {
	f := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return fmt.Sprintf("%.6g", v)
	}
	return []string{fmt.Sprint(r.Step), f(r.BestFitness), f(r.MeanFitness), f(r.StdFitness),
		f(r.BatchAccuracy), f(r.Loss), f(r.Majority), f(r.TestAccuracy), f(r.Sigma), fmt.Sprintf("%.3f", r.Seconds)}
}

// Result is what a training run leaves: the rules, their final scores and the
// per-generation (or per-step) metrics.
type Result struct {
	Method string      `json:"method"`
	Rules  model.Rules `json:"-"`
	Steps  int         `json:"steps"`
	Final  Scores      `json:"final"`
	// Seconds is the wall time of training, without the final scoring.
	Seconds float64 `json:"seconds"`
	// SamplesPerSecond counts samples shown in lifetimes and evaluation passes
	// during training.
	SamplesPerSecond float64 `json:"samples_per_second"`
	Metrics          []Row   `json:"-"`
}

func (o ESOptions) validate(ds data.Dataset) error {
	if err := o.Options.validate(ds); err != nil {
		return err
	}
	switch {
	case o.Strategy != "simple":
		return fmt.Errorf("unknown -es %q (want simple)", o.Strategy)
	case o.Generations < 1:
		return fmt.Errorf("-generations must be at least 1, got %d", o.Generations)
	case o.PopSize < 2:
		return fmt.Errorf("-popsize must be at least 2, got %d", o.PopSize)
	case !(o.Sigma > 0) || math.IsInf(o.Sigma, 0):
		return fmt.Errorf("-sigma must be positive, got %v", o.Sigma)
	case o.Parents < 1 || o.Parents >= o.PopSize:
		return fmt.Errorf("-parents must be 1..popsize-1, got %d", o.Parents)
	case o.Fitness != "accuracy" && o.Fitness != "loss":
		return fmt.Errorf("unknown -fitness %q (want accuracy or loss)", o.Fitness)
	case o.EvalEvery < 0:
		return fmt.Errorf("-eval-every must be >= 0, got %d", o.EvalEvery)
	}
	return nil
}

// TrainES learns rules on ds.Train with an evolution strategy. Every
// generation all candidates share one batch and one set of initial weights
// (common random numbers); fitness is the evaluation pass over that batch.
func TrainES(o ESOptions, ds data.Dataset) (Result, error) {
	if err := o.validate(ds); err != nil {
		return Result{}, err
	}
	cfg := fitModel(o.Model, ds)
	dim := model.GenotypeLen(cfg.Rounds)
	strat, err := es.NewSimple(dim, o.PopSize, o.Sigma, o.Parents, model.NewRand(o.Seed, "es", 0))
	if err != nil {
		return Result{}, err
	}
	l, err := newLifetimes(cfg, ds, o.Workers)
	if err != nil {
		return Result{}, err
	}
	batches := NewBatches(o.Seed, ds.Train.Len(), o.Batch)
	prog := NewProgress(o.Log, "es "+o.Strategy, o.Generations, "gen")
	start := time.Now()
	res := Result{Method: "es-" + o.Strategy}
	samples := 0
	for g := range o.Generations {
		batch := batches.Batch(g)
		l.template.Init(model.NewRand(o.Seed, "init", uint64(g)))
		pop := strat.Ask()
		scores := make([]model.Score, len(pop))
		errs := make([]error, len(pop))
		fit := es.Evaluate(o.Workers, len(pop), func(w, i int) float64 {
			_, s, err := l.run(w, model.Rules{Rounds: cfg.Rounds, Theta: pop[i]}, batch)
			if err != nil {
				errs[i] = err
				return math.NaN()
			}
			scores[i] = s
			if o.Fitness == "loss" {
				return -s.Loss
			}
			return s.Accuracy
		})
		if err := errors.Join(errs...); err != nil {
			return Result{}, err
		}
		samples += 2 * len(batch) * len(pop)
		rank := es.Ranking(fit)
		bestIdx := rank[0]
		row := Row{Step: g + 1, BestFitness: fit[bestIdx], BatchAccuracy: scores[bestIdx].Accuracy,
			Loss: scores[bestIdx].Loss, Majority: scores[bestIdx].Majority, TestAccuracy: math.NaN(), Sigma: o.Sigma}
		row.MeanFitness, row.StdFitness = meanStd(fit)
		if o.EvalEvery > 0 && ((g+1)%o.EvalEvery == 0 || g == o.Generations-1) {
			best := model.Rules{Rounds: cfg.Rounds, Theta: append([]float32(nil), pop[bestIdx]...)}
			n, _, err := l.run(0, best, batch)
			if err != nil {
				return Result{}, err
			}
			row.TestAccuracy = n.Evaluate(ds.Test, nil).Accuracy
			samples += len(batch) + ds.Test.Len()
		}
		strat.Tell(fit)
		row.Seconds = time.Since(start).Seconds()
		res.Metrics = append(res.Metrics, row)
		prog.Update(g+1, fmt.Sprintf("best %.3f mean %.3f test %s", row.BestFitness, row.MeanFitness, lastTest(res.Metrics)))
	}
	prog.Done()
	res.Seconds = time.Since(start).Seconds()
	res.SamplesPerSecond = float64(samples) / res.Seconds
	res.Steps = o.Generations
	res.Rules = model.Rules{Rounds: cfg.Rounds, Theta: append([]float32(nil), strat.Center()...)}
	res.Final, err = Score(o.Options, ds, res.Rules)
	return res, err
}

func lastTest(rows []Row) string {
	for i := len(rows) - 1; i >= 0; i-- {
		if !math.IsNaN(rows[i].TestAccuracy) {
			return fmt.Sprintf("%.3f", rows[i].TestAccuracy)
		}
	}
	return "-"
}

func meanStd(x []float64) (float64, float64) {
	var m float64
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	var s float64
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return m, math.Sqrt(s / float64(len(x)))
}
