package experiment

import (
	"fmt"
	"strings"

	"plasticity/model"
)

// Ablate returns a copy of r with the named tables ("input", "hidden",
// "output") set to zero (docs/model.md §10.9): how much a learned table
// contributes is what its ablation costs. No names returns r unchanged; an
// unknown or repeated name is refused.
func Ablate(r model.Rules, tables []string) (model.Rules, error) {
	if len(tables) == 0 {
		return r, nil
	}
	out := r.Clone()
	seen := map[string]bool{}
	for _, name := range tables {
		name = strings.TrimSpace(name)
		if seen[name] {
			return r, fmt.Errorf("ablate names table %q twice", name)
		}
		seen[name] = true
		switch name {
		case "input":
			clear(out.Input())
		case "hidden":
			clear(out.Hidden())
		case "output":
			clear(out.Output())
		default:
			return r, fmt.Errorf("ablate: unknown rule table %q (want input, hidden or output)", name)
		}
	}
	return out, nil
}
