package cli

import (
	"strings"

	"plasticity/experiment"
	"plasticity/model"
)

// ablated returns the rules with the tables -ablate names set to zero
// (experiment.Ablate), the one place transfer, eval and baseline -model
// probe apply it.
func (r *rulesFlags) ablated(rules model.Rules) (model.Rules, error) {
	if r.ablate == "" || r.ablate == "none" {
		return rules, nil
	}
	out, err := experiment.Ablate(rules, strings.Split(r.ablate, ","))
	if err != nil {
		return rules, badInput("-%v", err)
	}
	return out, nil
}
