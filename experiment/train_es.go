package experiment

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"plasticity/data"
	"plasticity/es"
	"plasticity/model"
)

// ESOptions configure rule learning by an evolution strategy. Zero PopSize,
// Sigma, Parents and LR take the strategy's defaults (es.Defaults), zero
// Generations the strategy's default run length (DefaultGenerations).
type ESOptions struct {
	Options
	Strategy    string  `json:"strategy"`
	Generations int     `json:"generations"`
	PopSize     int     `json:"popsize"`
	Sigma       float64 `json:"sigma"`
	Parents     int     `json:"parents"`
	// LR and WeightDecay are OpenAI-ES's Adam step size and weight decay.
	LR          float64 `json:"lr"`
	WeightDecay float64 `json:"wd"`
	// Restarts is how many IPOP restarts CMA-ES may make.
	Restarts int `json:"restarts"`
	// Freeze lists rule tables ("input", "hidden", "output") held at zero:
	// the strategy searches only the other tables' entries.
	Freeze []string `json:"freeze,omitempty"`
	// Fitness is "accuracy" (the seed's) or "loss" (minus the cross-entropy).
	Fitness string `json:"fitness"`
	// Horizon, when not 0, is the length in samples of a second lifetime
	// every candidate lives each generation, from the same initial weights
	// over a window of the training split drawn per generation; a candidate's
	// fitness is then the mean of its batch lifetime's and this one's
	// (each scored by its evaluation pass over its own samples). It shows the
	// strategy what its rules do to weights over more than one batch.
	Horizon int `json:"horizon,omitempty"`
	// EvalEvery is how often (in generations) the test accuracy of the
	// strategy's centre is measured; 0 never.
	EvalEvery int `json:"eval_every"`
	// CheckpointEvery is how often (in generations) the checkpoint in Dir is
	// written besides at the end and on a stop; 0 only then.
	CheckpointEvery int `json:"checkpoint_every"`
	// Dir is the run directory that receives the checkpoint and metrics.csv
	// as the run goes; "" writes nothing.
	Dir string `json:"-"`
	// Data names the data set, so a checkpoint can be resumed without
	// repeating it.
	Data DataSpec `json:"data"`
}

// DataSpec names a data set as a run directory records it: data.Spec without
// its log.
type DataSpec struct {
	Name        string `json:"name"`
	DataSeed    uint64 `json:"data_seed"`
	MNISTDir    string `json:"mnist,omitempty"`
	Standardize bool   `json:"standardize"`
}

// DefaultES returns the seed paper's ES settings on top of opts.
func DefaultES(opts Options) ESOptions {
	return ESOptions{Options: opts, Strategy: "simple", Generations: 1500, PopSize: 10, Sigma: 0.01,
		Parents: 2, Fitness: "accuracy", EvalEvery: 25, CheckpointEvery: 100}
}

// DefaultGenerations returns the default run length of a strategy: the
// seed's 1500 for simple; for the others a length that costs at most about
// 150 CPU-seconds on the synthetic set at the seed's sizes (75 s on two idle
// cores): OpenAI-ES takes 21 CPU-ms per generation of 40, sep-CMA-ES 11 and
// CMA-ES 44 per generation of 21, CMA-ES mostly for the Jacobi
// eigendecomposition of its 304 x 304 covariance every 15 generations.
func DefaultGenerations(strategy string) int {
	switch strategy {
	case "openai":
		return 3000
	case "cmaes":
		return 3000
	case "sepcmaes":
		return 6000
	}
	return 1500
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

// MetricsHeader is the header of metrics.csv for ES runs. batch_accuracy,
// loss and majority are those of the generation's best candidate on its
// batch; test_accuracy that of the strategy's centre after the generation.
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

// WriteMetrics writes rows as metrics.csv at path.
func WriteMetrics(path string, rows []Row) error {
	s := make([][]string, len(rows))
	for i, r := range rows {
		s[i] = r.Strings()
	}
	return WriteCSV(path, MetricsHeader, s)
}

// Result is what a training run leaves: the rules, their final scores and the
// per-generation (or per-step) metrics.
type Result struct {
	Method string      `json:"method"`
	Rules  model.Rules `json:"-"`
	Steps  int         `json:"steps"`
	Final  Scores      `json:"final"`
	// Seconds is the wall time of training, without the final scoring,
	// summed over every resumed segment of the run.
	Seconds float64 `json:"seconds"`
	// SamplesPerSecond counts samples shown in lifetimes and evaluation passes
	// during training.
	SamplesPerSecond float64 `json:"samples_per_second"`
	Metrics          []Row   `json:"-"`
	// Interrupted is set when Options.Stop ended the run before its last
	// generation or step; Final is then not measured.
	Interrupted bool `json:"interrupted,omitempty"`
	// Checkpoint is the path of the last checkpoint written ("" none).
	Checkpoint string `json:"checkpoint,omitempty"`
}

func (o ESOptions) validate(ds data.Dataset) error {
	if err := o.Options.validate(ds); err != nil {
		return err
	}
	switch {
	case !slices.Contains(es.Names, o.Strategy):
		return fmt.Errorf("unknown -es %q (want one of %v)", o.Strategy, es.Names)
	case o.Generations < 1:
		return fmt.Errorf("-generations must be at least 1, got %d", o.Generations)
	case o.PopSize < 0:
		return fmt.Errorf("-popsize must be positive, got %d", o.PopSize)
	case o.Sigma < 0 || math.IsNaN(o.Sigma) || math.IsInf(o.Sigma, 0):
		return fmt.Errorf("-sigma must be positive and finite, got %v", o.Sigma)
	case o.LR < 0 || math.IsNaN(o.LR) || math.IsInf(o.LR, 0):
		return fmt.Errorf("-lr must be positive and finite, got %v", o.LR)
	case o.WeightDecay < 0 || math.IsNaN(o.WeightDecay) || math.IsInf(o.WeightDecay, 0):
		return fmt.Errorf("-wd must be >= 0 and finite, got %v", o.WeightDecay)
	case o.Restarts < 0:
		return fmt.Errorf("-restarts must be >= 0, got %d", o.Restarts)
	case o.Fitness != "accuracy" && o.Fitness != "loss":
		return fmt.Errorf("unknown -fitness %q (want accuracy or loss)", o.Fitness)
	case o.EvalEvery < 0:
		return fmt.Errorf("-eval-every must be >= 0, got %d", o.EvalEvery)
	case o.Horizon < 0 || o.Horizon > ds.Train.Len():
		return fmt.Errorf("-horizon must be in 0..%d (the training split), got %d", ds.Train.Len(), o.Horizon)
	case o.CheckpointEvery < 0:
		return fmt.Errorf("-checkpoint-every must be >= 0, got %d", o.CheckpointEvery)
	}
	_, err := freeCoordinates(0, o.Freeze)
	return err
}

// freeCoordinates returns the genotype indices of the rule tables for R
// rounds that freeze leaves free, in increasing order.
func freeCoordinates(rounds int, freeze []string) ([]int, error) {
	r := model.NewRules(rounds)
	for i := range r.Theta {
		r.Theta[i] = 1
	}
	for _, name := range freeze {
		t, _, err := ruleTable(r, name)
		if err != nil {
			return nil, err
		}
		clear(t)
	}
	var free []int
	for i, v := range r.Theta {
		if v != 0 {
			free = append(free, i)
		}
	}
	if len(free) == 0 {
		return nil, fmt.Errorf("-freeze %s holds every rule table: nothing left to learn", strings.Join(freeze, ","))
	}
	return free, nil
}

// newStrategy builds the strategy o describes for rules of R rounds: over the
// whole genotype, or, with tables frozen, over the free entries alone behind
// es.Masked, whose candidates hold exact zeros in the frozen tables.
func (o ESOptions) newStrategy(rounds int) (es.Strategy, error) {
	dim := model.GenotypeLen(rounds)
	rng := model.NewRand(o.Seed, "es", 0)
	if len(o.Freeze) == 0 {
		return es.New(o.strategyConfig(), dim, rng)
	}
	free, err := freeCoordinates(rounds, o.Freeze)
	if err != nil {
		return nil, err
	}
	inner, err := es.New(o.strategyConfig(), len(free), rng)
	if err != nil {
		return nil, err
	}
	return es.NewMasked(inner, dim, free)
}

// SearchSettings returns the strategy's settings with es.Defaults filled in
// for the number of genotype entries it searches: all of them, or the free
// ones under Freeze (a Freeze TrainES would refuse counts as none).
func (o ESOptions) SearchSettings() es.Config {
	dim := model.GenotypeLen(o.Model.Rounds)
	if free, err := freeCoordinates(o.Model.Rounds, o.Freeze); err == nil && len(o.Freeze) > 0 {
		dim = len(free)
	}
	return es.Defaults(o.strategyConfig(), dim)
}

// strategyConfig is the es.Config the options describe.
func (o ESOptions) strategyConfig() es.Config {
	return es.Config{Name: o.Strategy, PopSize: o.PopSize, Sigma: o.Sigma, Parents: o.Parents,
		LR: o.LR, WeightDecay: o.WeightDecay, Restarts: o.Restarts}
}

// TrainES learns rules on ds.Train with an evolution strategy. Every
// generation all candidates share one batch and one set of initial weights
// (common random numbers); fitness is the evaluation pass over that batch.
// With o.Dir set, the run's checkpoint and metrics.csv are written there
// every o.CheckpointEvery generations, at the end, and when o.Stop ends the
// run early.
func TrainES(o ESOptions, ds data.Dataset) (Result, error) {
	return trainES(o, ds, nil)
}

// ResumeES continues the run saved in ck up to o.Generations generations in
// total; o must be ck.Options with only Generations, Workers, Log, Stop, Dir,
// EvalEvery and CheckpointEvery changed. The rules it ends with are bit for
// bit those of an uninterrupted run of o.Generations.
func ResumeES(ck *Checkpoint, o ESOptions, ds data.Dataset) (Result, error) {
	if ck.Method != "" {
		return Result{}, fmt.Errorf("resume: the checkpoint is of a %s run, not an ES run", strings.ToUpper(ck.Method))
	}
	// Compare what the JSON form holds (Workers, Log, Stop and Dir are not
	// in it) with the settings a resume may change made equal.
	want := ck.Options
	want.Generations, want.EvalEvery, want.CheckpointEvery = o.Generations, o.EvalEvery, o.CheckpointEvery
	if err := sameSettings(want, o, "-generations"); err != nil {
		return Result{}, err
	}
	if o.Generations < ck.Generation {
		return Result{}, fmt.Errorf("resume: the checkpoint is at generation %d already; -generations %d would go back",
			ck.Generation, o.Generations)
	}
	return trainES(o, ds, ck)
}

// sameSettings fails unless a resumed run's options equal the checkpoint's
// (want, with the settings a resume may change already copied in) in their
// JSON form, which leaves out Workers, Log, Stop and Dir. count names the
// run-length flag of the method.
func sameSettings(want, got any, count string) error {
	a, err := json.Marshal(want)
	if err != nil {
		return err
	}
	b, err := json.Marshal(got)
	if err != nil {
		return err
	}
	if !bytes.Equal(a, b) {
		return fmt.Errorf("resume: the options differ from the checkpoint's in more than %s, -workers, -eval-every and -checkpoint-every", count)
	}
	return nil
}

func trainES(o ESOptions, ds data.Dataset, ck *Checkpoint) (Result, error) {
	if o.Generations == 0 {
		o.Generations = DefaultGenerations(o.Strategy)
	}
	if err := o.validate(ds); err != nil {
		return Result{}, err
	}
	cfg := fitModel(o.Model, ds)
	strat, err := o.newStrategy(cfg.Rounds)
	if err != nil {
		return Result{}, err
	}
	hash := DataHash(ds)
	res := Result{Method: "es-" + o.Strategy}
	first, samples, prior := 0, 0, 0.0
	if ck != nil {
		if ck.DataHash != hash {
			return Result{}, fmt.Errorf("resume: the data set differs from the one the checkpoint was trained on")
		}
		if err := strat.UnmarshalBinary(ck.State); err != nil {
			return Result{}, fmt.Errorf("resume: %w", err)
		}
		first, samples, prior = ck.Generation, ck.Samples, ck.Seconds
		res.Metrics = append(res.Metrics, ck.Metrics...)
	}
	l, err := newLifetimes(cfg, ds, o.Workers)
	if err != nil {
		return Result{}, err
	}
	batches := NewBatches(o.Seed, ds.Train.Len(), o.Batch)
	prog := NewProgress(o.Log, "es "+o.Strategy, o.Generations-first, "gen")
	start := time.Now()
	elapsed := func() float64 { return prior + time.Since(start).Seconds() }
	save := func(g int) error {
		if o.Dir == "" {
			return nil
		}
		st, err := strat.MarshalBinary()
		if err != nil {
			return err
		}
		c := Checkpoint{Options: o, Generation: g, Samples: samples, Seconds: elapsed(), State: st,
			Metrics: res.Metrics, DataHash: hash}
		path := filepath.Join(o.Dir, CheckpointFile)
		if err := c.Write(path); err != nil {
			return err
		}
		res.Checkpoint = path
		return WriteMetrics(filepath.Join(o.Dir, "metrics.csv"), res.Metrics)
	}
	done := first
	for g := first; g < o.Generations; g++ {
		batch := batches.Batch(g)
		l.template.Init(model.NewRand(o.Seed, "init", uint64(g)))
		pop := strat.Ask()
		scores, err := l.generation(o.Workers, cfg.Rounds, pop, batch)
		if err != nil {
			return Result{}, err
		}
		fit := make([]float64, len(pop))
		for i, s := range scores {
			fit[i] = o.fitnessOf(s)
		}
		samples += 2 * len(batch) * len(pop)
		if o.Horizon > 0 {
			long, err := l.generation(o.Workers, cfg.Rounds, pop, horizonWindow(o.Seed, g, ds.Train.Len(), o.Horizon))
			if err != nil {
				return Result{}, err
			}
			for i, s := range long {
				fit[i] = (fit[i] + o.fitnessOf(s)) / 2
			}
			samples += 2 * o.Horizon * len(pop)
		}
		bestIdx := es.Ranking(fit)[0]
		row := Row{Step: g + 1, BestFitness: fit[bestIdx], BatchAccuracy: scores[bestIdx].Accuracy,
			Loss: scores[bestIdx].Loss, Majority: scores[bestIdx].Majority, TestAccuracy: math.NaN()}
		row.MeanFitness, row.StdFitness = meanStd(fit)
		strat.Tell(fit)
		row.Sigma = strat.StepSize()
		if o.EvalEvery > 0 && ((g+1)%o.EvalEvery == 0 || g+1 == o.Generations) {
			center := model.Rules{Rounds: cfg.Rounds, Theta: strat.Center()}
			n, _, err := l.run(0, center, batch)
			if err != nil {
				return Result{}, err
			}
			row.TestAccuracy = n.Evaluate(ds.Test, nil).Accuracy
			samples += len(batch) + ds.Test.Len()
		}
		row.Seconds = elapsed()
		res.Metrics = append(res.Metrics, row)
		done = g + 1
		prog.Update(done-first, fmt.Sprintf("best %.3f mean %.3f sigma %.3g test %s", row.BestFitness, row.MeanFitness,
			row.Sigma, lastTest(res.Metrics)))
		stop := o.Stopped() && done < o.Generations
		if stop || done == o.Generations || (o.CheckpointEvery > 0 && done%o.CheckpointEvery == 0) {
			if err := save(done); err != nil {
				return Result{}, fmt.Errorf("checkpoint: %w", err)
			}
		}
		if stop {
			res.Interrupted = true
			break
		}
	}
	if first == o.Generations {
		// Resumed at its end already: only the checkpoint's rules to score.
		if err := save(done); err != nil {
			return Result{}, fmt.Errorf("checkpoint: %w", err)
		}
	}
	prog.Done()
	res.Seconds = elapsed()
	res.SamplesPerSecond = float64(samples) / math.Max(res.Seconds, 1e-9)
	res.Steps = done
	res.Rules = model.Rules{Rounds: cfg.Rounds, Theta: strat.Center()}
	if res.Interrupted {
		return res, nil
	}
	res.Final, err = Score(o.Options, ds, res.Rules)
	return res, err
}

// fitnessOf is a candidate's fitness from the evaluation pass of a lifetime.
func (o ESOptions) fitnessOf(s model.Score) float64 {
	if o.Fitness == "loss" {
		return -s.Loss
	}
	return s.Accuracy
}

// horizonWindow returns the samples of generation g's long lifetime: the
// first n of a permutation of the training split drawn from the seed for that
// generation.
func horizonWindow(seed uint64, g, ntrain, n int) []int32 {
	p := model.NewRand(seed, "horizon", uint64(g)).Perm(ntrain)[:n]
	w := make([]int32, n)
	for i, v := range p {
		w[i] = int32(v)
	}
	return w
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
