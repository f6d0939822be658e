package grad

import (
	"slices"
	"testing"

	"plasticity/model"
)

// The finite-difference check of the §10 options GD derives (docs/model.md
// §10): each variant sets some of them, and is checked on every combination
// of act x drive x norm x update x init (every norm Supported accepts), for
// the rules' gradient (the dense and, without normalisation, the factored
// hidden form) and the initial weights'.

// variant is one group of §10 options.
type variant struct {
	name string
	set  func(c *model.Config)
}

func section10Variants() []variant {
	return []variant{
		{"predicted", func(c *model.Config) { c.OutputEdges = model.OutputPredicted }},
		{"topk", func(c *model.Config) { c.Fire = model.FireTopK }},
		{"predicted-topk", func(c *model.Config) { c.OutputEdges, c.Fire = model.OutputPredicted, model.FireTopK }},
		{"hebbian", func(c *model.Config) { c.InputRule = model.InputHebbian }},
		{"incoming", func(c *model.Config) { c.Norm = model.NormIncoming }},
		{"both", func(c *model.Config) { c.Norm = model.NormBoth }},
		{"free-readout", func(c *model.Config) { c.FreeReadout = true }},
		{"hebbian-predicted-topk", func(c *model.Config) {
			c.InputRule, c.OutputEdges, c.Fire = model.InputHebbian, model.OutputPredicted, model.FireTopK
		}},
		// A decay of 3 samples: the steps of an 8-sample lifetime fall from
		// eta to 0.3 eta.
		{"eta-decay", func(c *model.Config) { c.EtaDecay = 3 }},
		{"eta-decay-hebbian-predicted", func(c *model.Config) {
			c.EtaDecay, c.InputRule, c.OutputEdges = 3, model.InputHebbian, model.OutputPredicted
		}},
	}
}

// variantConfigs returns every combination of act x drive x norm x update x
// init with v's options set, leaving out those GD refuses.
func variantConfigs(v variant) []model.Config {
	var out []model.Config
	for _, c := range gridConfigs() {
		norm := c.Norm
		v.set(&c)
		// A variant that sets the norm keeps one copy.
		if c.Norm == norm && Supported(c) == nil && c.Validate() == nil {
			out = append(out, c)
		}
	}
	return out
}

// tally sums fdResults.
type tally struct {
	fdResult
	configs int
}

func (s *tally) add(r fdResult) {
	s.checked += r.checked
	s.skipped += r.skipped
	s.nonzero += r.nonzero
	s.worst = max(s.worst, r.worst)
	s.configs++
}

func TestFiniteDifferencesSection10(t *testing.T) {
	for _, v := range section10Variants() {
		t.Run(v.name, func(t *testing.T) {
			var rules, weights tally
			for _, cfg := range variantConfigs(v) {
				for _, factor := range []int{0, 2} {
					if factor == 2 && (cfg.Norm != model.NormNone || cfg.EdgeProb < 1) {
						continue
					}
					p := newProblem(cfg, 8, 3)
					p.factor = factor
					r := p.check(t, p.gradient(t, faultNone))
					if !(r.worst <= 1) {
						t.Errorf("%s factor %d: coordinate %d: finite difference %.6g, gradient %.6g (%.3g times the bound)",
							name(cfg), factor, r.worstK, r.worstFD, r.worstG, r.worst)
					}
					rules.add(r)
				}
				p := withW0(t, newProblem(cfg, 8, 3))
				_, g := p.weightGradient(t, faultNone, [3]bool{})
				r := p.checkWeights(t, g)
				if !(r.worst <= 1) {
					t.Errorf("%s weights: entry %d: finite difference %.6g, gradient %.6g (%.3g times the bound)",
						name(cfg), r.worstK, r.worstFD, r.worstG, r.worst)
				}
				weights.add(r)
			}
			for what, s := range map[string]tally{"rules": rules, "initial weights": weights} {
				if s.checked < s.skipped || s.nonzero < s.checked/3 {
					t.Errorf("%s: only %d checked (%d skipped), %d non-zero", what, s.checked, s.skipped, s.nonzero)
				}
				t.Logf("%s, %s: %d problems, %d coordinates checked (%d non-zero), %d skipped; worst %.3g of the bound",
					v.name, what, s.configs, s.checked, s.nonzero, s.skipped, s.worst)
			}
		})
	}
}

// section10Faults are the deliberately wrong terms of the §10 gradients, with
// the variant whose configurations they are shown on.
var section10Faults = []struct {
	f    fault
	what string
	v    string
}{
	{faultPredictedRow, "output edges predicted: other-class entries read from the label's row", "predicted"},
	{faultHebbNoX, "input rule hebbian: the step's input x dropped", "hebbian"},
	{faultFlipProject, "row normalisation's projection: sign flipped", "incoming"},
	{faultDropProject, "row and column normalisations' projections: term dropped", "both"},
	{faultSkipFirstNorm, "first step's normalisation Jacobian skipped", "both"},
	{faultDecayShare, "eta decay: each step's share of the gradient at the full eta", "eta-decay"},
	{faultDecayUndo, "eta decay: each step undone with the last step's factor", "eta-decay"},
}

// variantNamed returns the configurations of the §10 variant of that name.
func variantNamed(v string) []model.Config {
	i := slices.IndexFunc(section10Variants(), func(x variant) bool { return x.name == v })
	return variantConfigs(section10Variants()[i])
}

// TestWrongSection10GradientsFail shows the check catches each deliberately
// wrong §10 term wherever it changes a coordinate the check compares (one
// whose perturbations keep every pattern) by more than 5% of the gradient's
// scale.
func TestWrongSection10GradientsFail(t *testing.T) {
	for _, fc := range section10Faults {
		expectCaught(t, fc.what, variantNamed(fc.v), func(p fdProblem) []float32 { return p.gradient(t, fc.f) })
	}
}
