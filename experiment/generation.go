package experiment

import (
	"errors"

	"plasticity/es"
	"plasticity/model"
)

// generation runs one generation of candidates: each gets a lifetime over
// batch from the template's weights and an evaluation pass over the same
// batch, on workers goroutines, as TrainES does. The products of the
// template's input weights and the batch are taken once for all (common
// random numbers: every candidate starts from the same weights on the same
// batch); key (startFor) lets calls for the same generation and part share
// them. It returns the evaluation scores in candidate order.
func (l *lifetimes) generation(workers int, rounds int, pop [][]float32, batch []int32, key string) ([]model.Score, error) {
	st, err := l.startFor(key, batch)
	if err != nil {
		return nil, err
	}
	scores := make([]model.Score, len(pop))
	errs := make([]error, len(pop))
	es.ForEach(workers, len(pop), func(w, i int) {
		// Only the scores are kept: LifetimeScore skips what only the
		// final weights need.
		_, scores[i], errs[i] = l.nets[w].LifetimeScore(st, model.Rules{Rounds: rounds, Theta: pop[i]})
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return scores, nil
}
