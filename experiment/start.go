package experiment

import (
	"fmt"
	"math"
	"math/rand/v2"

	"plasticity/es"
	"plasticity/model"
)

// An ES run may start from given rules instead of zero (ESOptions.Start):
// OpenAI-ES's mean begins there, so a recipe can refine a rule that is
// known to work (such as the perceptron-like output rule of docs/mnist.md)
// within a budget that is too small to find it from zero.

// validateStart checks Start against the strategy, the rules' length for
// the model's rounds and the frozen tables.
func (o ESOptions) validateStart() error {
	if o.Start == nil {
		return nil
	}
	n := model.GenotypeLen(o.Model.Rounds)
	switch {
	case o.Strategy != "openai":
		return fmt.Errorf("start rules need strategy openai, got %q", o.Strategy)
	case len(o.Start) != n:
		return fmt.Errorf("start rules have %d entries, want %d for %d rounds", len(o.Start), n, o.Model.Rounds)
	}
	for i, v := range o.Start {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("start rules entry %d is %v, want a finite number", i, v)
		}
	}
	free, err := freeCoordinates(o.Model.Rounds, o.Freeze)
	if err != nil {
		return err
	}
	isFree := make([]bool, n)
	for _, i := range free {
		isFree[i] = true
	}
	for i, v := range o.Start {
		if !isFree[i] && v != 0 {
			return fmt.Errorf("start rules entry %d is %v in a frozen table, want 0", i, v)
		}
	}
	return nil
}

// newSearch builds the strategy over dim coordinates, the genotype indices
// free (nil: all of them): es.New's, or with Start an OpenAI-ES whose mean
// starts at Start's free entries. Both draw from rng alike, so a Start of
// zeros runs exactly as no Start.
func (o ESOptions) newSearch(dim int, free []int, rng *rand.Rand) (es.Strategy, error) {
	if o.Start == nil {
		return es.New(o.strategyConfig(), dim, rng)
	}
	if free == nil {
		free = make([]int, dim)
		for i := range free {
			free[i] = i
		}
	}
	mean := make([]float64, len(free))
	for k, i := range free {
		mean[k] = o.Start[i]
	}
	c := es.Defaults(o.strategyConfig(), dim)
	return es.NewOpenAI(dim, es.OpenAIOptions{PopSize: c.PopSize, Sigma: c.Sigma, LR: c.LR, WeightDecay: c.WeightDecay,
		Mean: mean}, rng)
}
