package cli

import (
	"plasticity/experiment"
	"plasticity/rundir"
)

// startRules sets the ES mean's starting point from -start-rules FILE when
// it is given: the rules file's genotype, whose rounds must be the run's.
func (t *trainFlags) startRules(o *experiment.ESOptions, given given) error {
	if !given("start-rules") || t.start == "" {
		return nil
	}
	_, r, err := rundir.ReadRulesFile(t.start)
	if err != nil {
		return badInput("-start-rules: %v", err)
	}
	if r.Rounds != o.Model.Rounds {
		return badInput("-start-rules %s has rules for %d rounds, the run has -rounds %d", t.start, r.Rounds, o.Model.Rounds)
	}
	o.Start = make([]float64, len(r.Theta))
	for i, v := range r.Theta {
		o.Start[i] = float64(v)
	}
	return nil
}
