package grad

import (
	"fmt"

	"plasticity/model"
)

// Supported reports the first option of cfg whose gradient this package does
// not derive (docs/model.md §10), so that GD refuses it instead of computing
// a wrong gradient.
func Supported(cfg model.Config) error {
	switch {
	case cfg.RuleForm != model.Additive:
		return fmt.Errorf("GD does not support rule form %v yet", cfg.RuleForm)
	}
	return nil
}
