package experiment

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

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
	// Fitness is "accuracy" (the seed's), "loss" (minus the cross-entropy)
	// or "mse" (minus Score.MSE, docs/model.md §10.3).
	Fitness string `json:"fitness"`
	// Horizon, when not 0, is the length in samples of a second lifetime
	// every candidate lives each generation, from the same initial weights
	// over a window of the training split drawn per generation; a candidate's
	// fitness is then the mean of its batch lifetime's and this one's
	// (each scored by its evaluation pass over its own samples). It shows the
	// strategy what its rules do to weights over more than one batch.
	Horizon int `json:"horizon,omitempty"`
	// Start, when not nil, is the whole genotype OpenAI-ES's mean starts
	// from instead of zero (its entries in frozen tables 0; start.go).
	Start []float64 `json:"start,omitempty"`
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
	// Evaluator, when not nil, scores the candidates in place of this
	// process's goroutines (package cluster's coordinator); the run's
	// results do not depend on it.
	Evaluator Evaluator `json:"-"`
}

// DataSpec names a data set as a run directory records it: data.Spec without
// its log.
type DataSpec struct {
	Name        string `json:"name"`
	DataSeed    uint64 `json:"data_seed"`
	MNISTDir    string `json:"mnist,omitempty"`
	Standardize bool   `json:"standardize"`
	// Tasks, above 1, makes a training run learn on that many draws,
	// DataSeed + 0 .. Tasks-1, one per generation or step (docs/model.md §10.8; Draws);
	// 0 is one draw.
	Tasks int `json:"tasks,omitempty"`
	// Generator sizes a generated data set (halfspace, relu, brainnet).
	Generator data.GeneratorOptions `json:"generator,omitzero"`
}

// Spec is the data set's description for data.Load, with draw seed seed;
// notes go to log. Every process that loads a run's data (the command line,
// a cluster worker) loads it through here, so they load the same.
func (s DataSpec) Spec(seed uint64, log io.Writer) data.Spec {
	return data.Spec{Name: s.Name, DataSeed: seed, MNISTDir: s.MNISTDir, Standardize: s.Standardize,
		Generator: s.Generator, Log: log}
}

// DefaultES returns the seed paper's ES settings on top of opts.
func DefaultES(opts Options) ESOptions {
	return ESOptions{Options: opts, Strategy: "simple", Generations: 1500, PopSize: 10, Sigma: 0.01,
		Parents: 2, Fitness: "accuracy", EvalEvery: 25, CheckpointEvery: 100}
}

// DefaultGenerations returns the default run length of a strategy: the
// seed's 1500 for simple; for the others a length that costs a couple of
// minutes of CPU on the synthetic set at the seed's sizes (CMA-ES's cost is
// mostly the eigendecomposition of its covariance; docs/speed.md).
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

func (o ESOptions) validate(ds data.Dataset) error {
	if err := o.Options.validate(ds); err != nil {
		return err
	}
	switch {
	case !slices.Contains(es.Names, o.Strategy):
		return fmt.Errorf("unknown strategy %q (want one of %v)", o.Strategy, es.Names)
	case o.Control().Length < 1:
		return fmt.Errorf("generations must be at least 1, got %d", o.Generations)
	case o.PopSize < 0:
		return fmt.Errorf("popsize must be positive, got %d", o.PopSize)
	case o.Sigma < 0 || math.IsNaN(o.Sigma) || math.IsInf(o.Sigma, 0):
		return fmt.Errorf("sigma must be positive and finite, got %v", o.Sigma)
	case o.LR < 0 || math.IsNaN(o.LR) || math.IsInf(o.LR, 0):
		return fmt.Errorf("lr must be positive and finite, got %v", o.LR)
	case o.WeightDecay < 0 || math.IsNaN(o.WeightDecay) || math.IsInf(o.WeightDecay, 0):
		return fmt.Errorf("weight decay must be >= 0 and finite, got %v", o.WeightDecay)
	case o.Restarts < 0:
		return fmt.Errorf("restarts must be >= 0, got %d", o.Restarts)
	case o.Fitness != "accuracy" && o.Fitness != "loss" && o.Fitness != "mse":
		return fmt.Errorf("unknown fitness %q (want accuracy, loss or mse)", o.Fitness)
	case o.EvalEvery < 0:
		return fmt.Errorf("eval every must be >= 0, got %d", o.EvalEvery)
	case o.Horizon < 0 || o.Horizon > ds.Train.Len():
		return fmt.Errorf("horizon must be in 0..%d (the training split), got %d", ds.Train.Len(), o.Horizon)
	case o.CheckpointEvery < 0:
		return fmt.Errorf("checkpoint every must be >= 0, got %d", o.CheckpointEvery)
	}
	if _, err := freeCoordinates(0, o.Freeze); err != nil {
		return err
	}
	return o.validateStart()
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
		return nil, fmt.Errorf("freezing %s holds every rule table: nothing left to learn", strings.Join(freeze, ","))
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
		return o.newSearch(dim, nil, rng)
	}
	free, err := freeCoordinates(rounds, o.Freeze)
	if err != nil {
		return nil, err
	}
	inner, err := o.newSearch(len(free), free, rng)
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

// fitnessOf is a candidate's fitness from the evaluation pass of a
// lifetime. A candidate whose loss is not finite (its weights overflowed)
// gets the worst fitness, -Inf, so no NaN ever enters the ranking.
func (o ESOptions) fitnessOf(s model.Score) float64 {
	if math.IsNaN(s.Loss) || math.IsInf(s.Loss, 0) {
		return math.Inf(-1)
	}
	switch o.Fitness {
	case "loss":
		return -s.Loss
	case "mse":
		return -s.MSE
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

// meanStd is the mean and deviation of the finite values of x (a
// candidate whose weights overflowed has fitness -Inf); NaN when none is.
func meanStd(x []float64) (float64, float64) {
	var m float64
	n := 0
	for _, v := range x {
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			m += v
			n++
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	m /= float64(n)
	var s float64
	for _, v := range x {
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			s += (v - m) * (v - m)
		}
	}
	return m, math.Sqrt(s / float64(n))
}

// Name is the run's method: "es-" and the strategy.
func (o ESOptions) Name() string { return "es-" + o.Strategy }

// Common returns the settings shared by every study.
func (o ESOptions) Common() Options { return o.Options }

// Control returns the loop's settings; a zero Generations is the strategy's
// default length.
func (o ESOptions) Control() Control {
	n := o.Generations
	if n == 0 {
		n = DefaultGenerations(o.Strategy)
	}
	return Control{Length: n, EvalEvery: o.EvalEvery, CheckpointEvery: o.CheckpointEvery, Workers: o.Workers,
		Log: o.Log, Stop: o.Stop, Dir: o.Dir}
}

// WithControl returns the options with the loop's settings c.
func (o ESOptions) WithControl(c Control) Method {
	o.Generations, o.EvalEvery, o.CheckpointEvery, o.Workers = c.Length, c.EvalEvery, c.CheckpointEvery, c.Workers
	o.Log, o.Stop, o.Dir = c.Log, c.Stop, c.Dir
	return o
}

// esStepper runs an evolution strategy one generation at a time. Every
// generation all candidates share one batch and one set of initial weights
// (common random numbers); fitness is the evaluation pass over that batch.
type esStepper struct {
	o      ESOptions
	rounds int
	strat  es.Strategy
	local  *Candidates
	eval   Evaluator // local, or o.Evaluator
	g      int       // generations done
	before []byte    // with an Evaluator: the strategy before the last step
}

func (o ESOptions) newStepper(draws []data.Dataset) (stepper, error) {
	o.Generations = o.Control().Length
	ds := draws[0]
	if err := o.validate(ds); err != nil {
		return nil, err
	}
	cfg := fitModel(o.Model, ds)
	strat, err := o.newStrategy(cfg.Rounds)
	if err != nil {
		return nil, err
	}
	local, err := NewCandidates(o, ds, draws[1:]...)
	if err != nil {
		return nil, err
	}
	s := &esStepper{o: o, rounds: cfg.Rounds, strat: strat, local: local, eval: local}
	if o.Evaluator != nil {
		s.eval = o.Evaluator
	}
	return s, nil
}

func (s *esStepper) kind() string { return "es" }

func (s *esStepper) step() (Row, int, error) {
	var before []byte
	if s.o.Evaluator != nil {
		// An evaluator elsewhere may fail (its server lost): keep the state
		// before Ask, so the checkpoint then written is that of the
		// generations done, from which a resume ends bit for bit the same.
		var err error
		if before, err = s.strat.MarshalBinary(); err != nil {
			return Row{}, 0, err
		}
	}
	row, k, err := s.generation()
	s.before = before
	if err != nil && errors.Is(err, ErrEvaluator) {
		if uerr := s.strat.UnmarshalBinary(before); uerr != nil {
			return Row{}, 0, fmt.Errorf("%w; restoring the strategy: %w", err, uerr)
		}
	}
	return row, k, err
}

// generation makes one generation: Ask, evaluate, Tell.
func (s *esStepper) generation() (Row, int, error) {
	o, g := s.o, s.g
	pop := s.strat.Ask()
	scores, err := s.evaluate(Work{Generation: g, Part: "batch", Pop: pop})
	if err != nil {
		return Row{}, 0, err
	}
	fit := make([]float64, len(pop))
	for i, sc := range scores {
		fit[i] = o.fitnessOf(sc)
	}
	samples := 2 * o.Batch * len(pop)
	if o.Horizon > 0 {
		long, err := s.evaluate(Work{Generation: g, Part: "horizon", Pop: pop})
		if err != nil {
			return Row{}, 0, err
		}
		for i, sc := range long {
			fit[i] = (fit[i] + o.fitnessOf(sc)) / 2
		}
		samples += 2 * o.Horizon * len(pop)
	}
	best := es.Ranking(fit)[0]
	row := Row{Step: g + 1, BestFitness: fit[best], BatchAccuracy: scores[best].Accuracy,
		Loss: scores[best].Loss, Majority: scores[best].Majority, TestAccuracy: math.NaN(), TestMajority: math.NaN()}
	row.MeanFitness, row.StdFitness = meanStd(fit)
	s.strat.Tell(fit)
	row.Sigma = s.strat.StepSize()
	s.g++
	return row, samples, nil
}

// evaluate scores w's candidates and checks that an evaluator gave one
// score for each.
func (s *esStepper) evaluate(w Work) ([]model.Score, error) {
	scores, err := s.eval.Evaluate(w)
	if want := ScoresPer(w.Part) * len(w.Pop); err == nil && len(scores) != want {
		err = fmt.Errorf("evaluator gave %d scores for %d candidates", len(scores), len(w.Pop))
	}
	if err != nil && s.o.Evaluator != nil {
		err = fmt.Errorf("%w: %w", ErrEvaluator, err)
	}
	return scores, err
}

func (s *esStepper) test() (model.Score, error) {
	if evaluatesTests(s.o.Evaluator) {
		scores, err := s.evaluate(Work{Generation: s.g - 1, Part: PartTest, Pop: [][]float32{s.rules().Theta}})
		if err != nil {
			return model.Score{}, err
		}
		return scores[0], nil
	}
	return s.local.test(s.g-1, s.rules())
}

// undo puts the strategy back as it was before the last step, when an
// evaluator elsewhere failed after it (in its test measurement).
func (s *esStepper) undo() error {
	if s.before == nil {
		return errors.New("no state before the last generation")
	}
	if err := s.strat.UnmarshalBinary(s.before); err != nil {
		return err
	}
	s.g--
	s.before = nil
	return nil
}

func (s *esStepper) rules() model.Rules {
	return model.Rules{Rounds: s.rounds, Theta: slices.Clone(s.strat.Center())}
}

func (s *esStepper) status(r Row) string {
	return fmt.Sprintf("best %.3f mean %.3f sigma %.3g", r.BestFitness, r.MeanFitness, r.Sigma)
}

func (s *esStepper) marshal() ([]byte, error) { return s.strat.MarshalBinary() }

func (s *esStepper) unmarshal(state []byte, steps int) error {
	if err := s.strat.UnmarshalBinary(state); err != nil {
		return err
	}
	s.g = steps
	return nil
}
