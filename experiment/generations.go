package experiment

import (
	"math/rand/v2"

	"plasticity/data"
	"plasticity/model"
)

// Generations runs generations of candidate rules as an ES run does: each
// candidate a lifetime over a batch from shared initial weights and an
// evaluation pass over the same batch, on parallel workers. It lets package
// bench time one ES generation without a training run.
type Generations struct {
	l       *lifetimes
	workers int
	rounds  int
}

// NewGenerations returns the runner of generations on workers goroutines
// (0: one per core) for networks of cfg shaped to ds. The initial weights are
// zero until InitWeights.
func NewGenerations(cfg model.Config, ds data.Dataset, workers int) (*Generations, error) {
	cfg = fitModel(cfg, ds)
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	l, err := newLifetimes(cfg, ds, workers)
	if err != nil {
		return nil, err
	}
	return &Generations{l: l, workers: workers, rounds: cfg.Rounds}, nil
}

// InitWeights draws the initial weights every candidate starts from.
func (g *Generations) InitWeights(rng *rand.Rand) { g.l.template.Init(rng) }

// Run gives every genotype of pop a lifetime over the training samples batch
// and returns the evaluation scores in candidate order.
func (g *Generations) Run(pop [][]float32, batch []int32) ([]model.Score, error) {
	return g.l.generation(g.workers, g.rounds, pop, batch, "")
}
