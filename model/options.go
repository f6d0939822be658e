package model

import (
	"fmt"
	"math"
)

// The options of docs/model.md §10 that change the lifetime's updates: which
// output rows change, how a rule entry changes a weight, what "fired" means,
// and what the input rule's change is proportional to.

// OutputEdges says which rows of Wout the output rule changes.
type OutputEdges uint8

// Output edges: every row (§2), or only the predicted class's and the true
// class's rows (BrainNet's default): Wout[y][j] += out[2 p_j + 1] for the
// prediction y, then Wout[l][j] += out[2 p_j] for the label l.
const (
	OutputAll OutputEdges = iota
	OutputPredicted
)

// RuleForm is how a rule entry changes a weight.
type RuleForm uint8

// Rule forms: w += eta theta (§2), or w *= 1 + eta theta (BrainNet's
// additive_rule = False), for all three tables.
const (
	Additive RuleForm = iota
	Multiplicative
)

// Fire says which neurons have fired in a round, for the firing patterns.
type Fire uint8

// Fire readings: a neuron fired when its capped activation is not zero (§2),
// or when the cap kept it, even at 0 (the seed paper's and BrainNet's
// reading; it differs under relu when fewer than Cap drives are positive).
const (
	FireNonZero Fire = iota
	FireTopK
)

// InputRule is what the input table's entry multiplies.
type InputRule uint8

// Input rules: Win[i][m] += eta in[p_i] (§2, the same change for every input
// of a neuron), or Win[i][m] += eta in[p_i] x_m (Hebbian: proportional to the
// presynaptic input).
const (
	InputPattern InputRule = iota
	InputHebbian
)

var (
	outputEdgesNames = []string{"all", "predicted"}
	ruleFormNames    = []string{"additive", "multiplicative"}
	fireNames        = []string{"nonzero", "topk"}
	inputRuleNames   = []string{"pattern", "hebbian"}
)

func (e OutputEdges) String() string { return name(outputEdgesNames, int(e)) }
func (f RuleForm) String() string    { return name(ruleFormNames, int(f)) }
func (f Fire) String() string        { return name(fireNames, int(f)) }
func (r InputRule) String() string   { return name(inputRuleNames, int(r)) }

// MarshalText writes the option's name.
func (e OutputEdges) MarshalText() ([]byte, error) { return marshal(outputEdgesNames, int(e)) }

// MarshalText writes the option's name.
func (f RuleForm) MarshalText() ([]byte, error) { return marshal(ruleFormNames, int(f)) }

// MarshalText writes the option's name.
func (f Fire) MarshalText() ([]byte, error) { return marshal(fireNames, int(f)) }

// MarshalText writes the option's name.
func (r InputRule) MarshalText() ([]byte, error) { return marshal(inputRuleNames, int(r)) }

// UnmarshalText reads an option name.
func (e *OutputEdges) UnmarshalText(b []byte) (err error) {
	*e, err = ParseOutputEdges(string(b))
	return
}

// UnmarshalText reads an option name.
func (f *RuleForm) UnmarshalText(b []byte) (err error) { *f, err = ParseRuleForm(string(b)); return }

// UnmarshalText reads an option name.
func (f *Fire) UnmarshalText(b []byte) (err error) { *f, err = ParseFire(string(b)); return }

// UnmarshalText reads an option name.
func (r *InputRule) UnmarshalText(b []byte) (err error) { *r, err = ParseInputRule(string(b)); return }

// ParseOutputEdges reads "all" or "predicted".
func ParseOutputEdges(s string) (OutputEdges, error) {
	i, err := parse("output edges", outputEdgesNames, s)
	return OutputEdges(i), err
}

// ParseRuleForm reads "additive" or "multiplicative".
func ParseRuleForm(s string) (RuleForm, error) {
	i, err := parse("rule form", ruleFormNames, s)
	return RuleForm(i), err
}

// ParseFire reads "nonzero" or "topk".
func ParseFire(s string) (Fire, error) {
	i, err := parse("fire", fireNames, s)
	return Fire(i), err
}

// ParseInputRule reads "pattern" or "hebbian".
func ParseInputRule(s string) (InputRule, error) {
	i, err := parse("input rule", inputRuleNames, s)
	return InputRule(i), err
}

// validateSection10 checks the options of §10.
func (c Config) validateSection10() error {
	switch {
	case int(c.OutputEdges) >= len(outputEdgesNames):
		return fmt.Errorf("invalid output edges %d", c.OutputEdges)
	case int(c.RuleForm) >= len(ruleFormNames):
		return fmt.Errorf("invalid rule form %d", c.RuleForm)
	case int(c.Fire) >= len(fireNames):
		return fmt.Errorf("invalid fire %d", c.Fire)
	case int(c.InputRule) >= len(inputRuleNames):
		return fmt.Errorf("invalid input rule %d", c.InputRule)
	case c.RuleForm == Multiplicative && c.Init == InitZero:
		return fmt.Errorf("init zero cannot be used with rule form multiplicative: zero weights stay zero under it")
	case !(c.EtaDecay >= 0) || math.IsInf(c.EtaDecay, 1):
		return fmt.Errorf("eta_decay must be a finite number >= 0, got %v", c.EtaDecay)
	case c.FreeReadout && c.Norm == NormNone:
		return fmt.Errorf("free readout needs a norm: it leaves the output weights out of one")
	}
	return nil
}

// stepwise says whether a lifetime must take one whole step at a time
// (Forward, then Learn) instead of the batched paths of lifetime.go. Those
// rest on additive updates: the input rule's change being one constant per
// row (so Win x moves by that constant times sum(x), inAcc), and the hidden
// rule's change being a sum that can wait for the next product (the fused
// and the transposed updates). Normalisation makes every weight depend on all
// others, a Hebbian input change depends on the sample (Win x_t moves by
// c_i (x_s . x_t), not a constant), a multiplicative change scales a
// weight instead of adding to it, and an eta decay changes the tables'
// steps from one sample to the next, so none of them fit.
func (c Config) stepwise() bool {
	return c.Norm != NormNone || c.RuleForm == Multiplicative || c.InputRule == InputHebbian || c.EtaDecay > 0
}
