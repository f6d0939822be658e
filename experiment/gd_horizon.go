package experiment

import (
	"fmt"

	"plasticity/data"
	"plasticity/model"
)

// GD's horizon (GDOptions.Horizon): each step also gives the rules one long
// lifetime, a window of Horizon training samples drawn from the seed and the
// step exactly as ES's horizon draws it, from initial weights of its own, and
// descends the mean of the two lifetimes' losses. A 100-sample lifetime does
// not show what rules do over the hundreds of thousands of updates of a
// transfer; a lifetime of a whole pass shows much of it.

// validateHorizon checks GDOptions.Horizon against the training split.
func (o GDOptions) validateHorizon(ds data.Dataset) error {
	switch {
	case o.Horizon < 0 || o.Horizon > ds.Train.Len():
		return fmt.Errorf("horizon must be in 0..%d (the training split), got %d", ds.Train.Len(), o.Horizon)
	case o.Horizon > 0 && len(o.LearnWeights) > 0:
		return fmt.Errorf("horizon cannot be combined with learned weights")
	}
	return nil
}

// addHorizon averages into s.g the gradient of the step's long lifetime on
// train, and its loss into sc.Loss; nothing without a horizon.
func (s *GDStepper) addHorizon(train model.Samples, sc *model.Score) error {
	if s.o.Horizon == 0 {
		return nil
	}
	if len(s.gh) != len(s.g) {
		s.gh = make([]float32, len(s.g))
	}
	if err := initNet(s.net, model.NewRand(s.o.Seed, "init-horizon", uint64(s.done)), nil); err != nil {
		return err
	}
	window := horizonWindow(s.o.Seed, s.done, train.Len(), s.o.Horizon)
	h, err := s.bp.Gradient(s.net, s.Rules, train, window, s.gh)
	if err != nil {
		return err
	}
	for i := range s.g {
		s.g[i] = (s.g[i] + s.gh[i]) / 2
	}
	sc.Loss = (sc.Loss + h.Loss) / 2
	return nil
}
