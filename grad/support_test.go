package grad

import (
	"strings"
	"testing"

	"plasticity/model"
)

// TestNewRefusesUnderivedOptions: New refuses every §10 update semantics
// whose gradient is not derived, naming it, and takes §1-§3's.
func TestNewRefusesUnderivedOptions(t *testing.T) {
	base := model.Config{Inputs: 3, Hidden: 6, Outputs: 2, Rounds: 1, Cap: 3, Eta: 0.01, EdgeProb: 1}
	if _, err := New(base); err != nil {
		t.Fatal(err)
	}
	for want, set := range map[string]func(c *model.Config){
		"rule form multiplicative": func(c *model.Config) { c.RuleForm = model.Multiplicative },
	} {
		c := base
		set(&c)
		if _, err := New(c); err == nil || !strings.Contains(err.Error(), "GD does not support "+want) {
			t.Errorf("%s: New gave %v", want, err)
		}
	}
}
