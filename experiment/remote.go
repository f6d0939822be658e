package experiment

import (
	"fmt"
	"slices"

	"plasticity/data"
	"plasticity/es"
	"plasticity/model"
)

// The parts of a Work besides a generation's "batch" and "horizon": the
// measurements of a run whose Evaluator takes them too (TestEvaluator).
const (
	// PartTest is the test measurement after generation Generation
	// (EvalEvery): Pop holds the rules' genotype once; its one score is the
	// pass over the test split after a lifetime on that generation's batch
	// from its initial weights.
	PartTest = "test"
	// PartScore is the final scores (Score): Pop holds the rules' genotype
	// once for each fresh lifetime Index names; each yields two scores, the
	// pass over its batch and the pass over the test split.
	PartScore = "score"
)

// ScoresPer is how many scores a candidate of a Work of part yields: 2 for
// PartScore, else 1.
func ScoresPer(part string) int {
	if part == PartScore {
		return 2
	}
	return 1
}

// TestEvaluator is an Evaluator that may also take an ES run's test
// measurements and final scores (PartTest and PartScore), when
// EvaluatesTests says so; a run then computes them nowhere else. Their
// results are those of the local code, bit for bit.
type TestEvaluator interface {
	Evaluator
	EvaluatesTests() bool
}

// evaluatesTests reports whether e takes the test measurements too.
func evaluatesTests(e Evaluator) bool {
	t, ok := e.(TestEvaluator)
	return ok && t.EvaluatesTests()
}

// measure evaluates a Work of PartTest or PartScore.
func (c *Candidates) measure(w Work) ([]model.Score, error) {
	want := model.GenotypeLen(c.rounds)
	for i, g := range w.Pop {
		if len(g) != want {
			return nil, fmt.Errorf("candidate %d has %d entries, want %d", i, len(g), want)
		}
	}
	if w.Part == PartTest {
		var out []model.Score
		for _, g := range w.Pop {
			s, err := c.test(w.Generation, model.Rules{Rounds: c.rounds, Theta: g})
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	if len(w.Index) != len(w.Pop) {
		return nil, fmt.Errorf("%d lifetimes named for %d candidates", len(w.Index), len(w.Pop))
	}
	if c.scoring == nil {
		l, err := newLifetimes(fitModel(c.o.Model, c.ds), c.ds, c.o.Workers)
		if err != nil {
			return nil, err
		}
		c.scoring = l
	}
	res, err := c.scoreLifetimes(w)
	if err != nil {
		return nil, err
	}
	out := make([]model.Score, 0, 2*len(res))
	for _, r := range res {
		out = append(out, r.batch, r.test)
	}
	return out, nil
}

// scoreLifetimes lives the fresh lifetimes of Score that w names.
func (c *Candidates) scoreLifetimes(w Work) ([]lifetimeScore, error) {
	opts := c.o.Options
	prog := &sharedProgress{p: NewProgress(nil, "score", 0, "sample"), status: func() string { return "" }}
	res := make([]lifetimeScore, len(w.Pop))
	for _, i := range w.Index {
		if i < 0 || i >= opts.EvalLifetimes {
			return nil, fmt.Errorf("lifetime %d of a score of %d", i, opts.EvalLifetimes)
		}
	}
	es.ForEach(c.o.Workers, len(w.Pop), func(k, j int) {
		r := model.Rules{Rounds: c.rounds, Theta: w.Pop[j]}
		res[j] = scoreLifetime(c.scoring.nets[k], opts, c.ds, r, w.Index[j], opts.EvalLifetimes, prog)
	})
	for _, r := range res {
		if r.err != nil {
			return nil, r.err
		}
	}
	return res, nil
}

// test is the test measurement of rules after generation g: a lifetime on
// the generation's batch from its initial weights, on draw 0, then the pass
// over the test split.
func (c *Candidates) test(g int, r model.Rules) (model.Score, error) {
	if g < 0 {
		return model.Score{}, fmt.Errorf("generation %d", g)
	}
	batch := c.batches.Batch(g)
	c.prepare(g)
	c.l.ds = c.ds // draw 0
	n, _, err := c.l.run(0, r, batch)
	if err != nil {
		return model.Score{}, err
	}
	return n.Evaluate(c.ds.Test, nil), nil
}

// remoteScore is Score of the rules r computed by the run's evaluator.
func (s *esStepper) remoteScore(r model.Rules) (Scores, error) {
	n := s.o.EvalLifetimes
	w := Work{Generation: s.g, Part: PartScore}
	for i := range n {
		w.Pop = append(w.Pop, slices.Clone(r.Theta))
		w.Index = append(w.Index, i)
	}
	scores, err := s.evaluate(w)
	if err != nil {
		return Scores{}, err
	}
	res := make([]lifetimeScore, n)
	for i := range res {
		res[i] = lifetimeScore{batch: scores[2*i], test: scores[2*i+1]}
	}
	return averageScores(res)
}

// finalScore is Score of the run's rules, by the run's evaluator when it
// takes the measurements (TestEvaluator), else here.
func finalScore(s stepper, opts Options, ds data.Dataset, r model.Rules) (Scores, error) {
	if e, ok := s.(*esStepper); ok && evaluatesTests(e.o.Evaluator) {
		return e.remoteScore(r)
	}
	return Score(opts, ds, r)
}
