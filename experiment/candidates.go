package experiment

import (
	"fmt"

	"plasticity/data"
	"plasticity/model"
)

// Work is a share of one ES generation's candidates to evaluate: enough,
// with the run's options and data, to redo exactly what a local run does.
// Every candidate of generation Generation starts from the initial weights
// drawn for it from the seed and lives over the samples Part names, of the
// draw of the data set the generation learns on (one unless
// ESOptions.Data.Tasks asks for more).
type Work struct {
	// Generation is 0-based.
	Generation int
	// Part is "batch" (the generation's training batch) or "horizon" (its
	// long lifetime's window, ESOptions.Horizon).
	Part string
	// Pop are the candidates' genotypes.
	Pop [][]float32
	// Index, for PartScore, names the fresh lifetime of each entry of Pop.
	Index []int
}

// Evaluator scores candidates: the evaluation pass after a lifetime of each,
// in the order of w.Pop. A run's Evaluator may spread the work over other
// processes or machines; its scores must be those Candidates.Evaluate gives,
// bit for bit.
type Evaluator interface {
	Evaluate(w Work) ([]model.Score, error)
}

// Candidates evaluates the candidates of an ES run in this process, on
// Options.Workers goroutines.
type Candidates struct {
	o       ESOptions
	ds      data.Dataset   // draw 0
	draws   []data.Dataset // every draw of the run (ESOptions.Data.Tasks), draw 0 first
	rounds  int
	l       *lifetimes
	batches *Batches
	initFor int        // the generation whose initial weights the template holds
	scoring *lifetimes // the networks of PartScore, made when first asked
}

// NewCandidates prepares the evaluation of candidates of the run o on ds,
// and on more, draws 1 .. N-1 of a run with o.Data.Tasks N > 1 (Train).
func NewCandidates(o ESOptions, ds data.Dataset, more ...data.Dataset) (*Candidates, error) {
	if err := o.Options.validate(ds); err != nil {
		return nil, err
	}
	draws := append([]data.Dataset{ds}, more...)
	if err := checkDraws(o.Data, draws); err != nil {
		return nil, err
	}
	cfg := fitModel(o.Model, ds)
	l, err := newLifetimes(cfg, ds, o.Workers)
	if err != nil {
		return nil, err
	}
	return &Candidates{o: o, ds: ds, draws: draws, rounds: cfg.Rounds, l: l,
		batches: NewBatches(o.Seed, ds.Train.Len(), o.Batch), initFor: -1}, nil
}

// Samples returns the training samples of w's lifetimes.
func (c *Candidates) Samples(w Work) ([]int32, error) {
	switch {
	case w.Generation < 0:
		return nil, fmt.Errorf("generation %d", w.Generation)
	case w.Part == "batch":
		return c.batches.Batch(w.Generation), nil
	case w.Part == "horizon" && c.o.Horizon > 0:
		return horizonWindow(c.o.Seed, w.Generation, c.ds.Train.Len(), c.o.Horizon), nil
	}
	return nil, fmt.Errorf("no part %q in this run", w.Part)
}

// Evaluate scores the candidates of w.
func (c *Candidates) Evaluate(w Work) ([]model.Score, error) {
	if w.Part == PartTest || w.Part == PartScore {
		return c.measure(w)
	}
	samples, err := c.Samples(w)
	if err != nil {
		return nil, err
	}
	want := model.GenotypeLen(c.rounds)
	for i, g := range w.Pop {
		if len(g) != want {
			return nil, fmt.Errorf("candidate %d has %d entries, want %d", i, len(g), want)
		}
	}
	c.prepare(w.Generation)
	c.l.ds = c.draws[taskOf(c.o.Seed, w.Generation, len(c.draws))]
	return c.l.generation(c.o.Workers, c.rounds, w.Pop, samples, fmt.Sprintf("%d/%s", w.Generation, w.Part))
}

// prepare puts generation g's initial weights in the template.
func (c *Candidates) prepare(g int) {
	if c.initFor != g {
		c.l.template.Init(model.NewRand(c.o.Seed, "init", uint64(g)))
		c.initFor = g
		c.l.stKey = "" // the template changed under the start
	}
}
