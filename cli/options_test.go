package cli

import (
	"reflect"
	"testing"

	"plasticity/experiment"
	"plasticity/model"
)

// parseRun parses a run command line and returns its flags and the flags
// given.
func parseRun(t *testing.T, args ...string) (*runFlags, given) {
	t.Helper()
	var r runFlags
	fs := newFlagSet("run")
	r.register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return &r, givenIn(fs)
}

// TestPresetLayers: settings are the defaults, then the preset, then only
// the flags the user gave.
func TestPresetLayers(t *testing.T) {
	for _, c := range []struct {
		preset     experiment.Preset
		strategy   string
		lr         float64
		gens       int
		drive      model.Drive
		act        model.Activation
		freezeSize int
	}{
		{experiment.BestES, "openai", 0.03, 700, model.DriveRaw, model.Sigmoid, 2},
		{experiment.Preset{}, "simple", 0, 1500, model.DriveA0, model.Sigmoid, 0},
	} {
		r, given := parseRun(t, "-popsize", "50", "-act", "sigmoid", "-batch", "30")
		d := r.data.spec(experiment.Preset{}, given)
		cfg, err := r.model.config(nil, c.preset, d.Name, given)
		if err != nil {
			t.Fatal(err)
		}
		eo := r.train.esOptions(r.options(cfg, experiment.Preset{}, given, nil), d, c.preset, given)
		if eo.PopSize != 50 || eo.Batch != 30 || eo.Strategy != c.strategy || eo.LR != c.lr || eo.Generations != c.gens ||
			eo.EvalEvery != 25 || len(eo.Freeze) != c.freezeSize {
			t.Errorf("preset %q: ES options %+v", c.preset.Name, eo)
		}
		if cfg.Act != c.act || cfg.Drive != c.drive || cfg.Hidden != 20 || cfg.Cap != 10 {
			t.Errorf("preset %q: network %+v", c.preset.Name, cfg)
		}
	}
}

// TestGDVariants: -gd paper and its old name seed give the same settings;
// ours takes its network where no model flag is given, and the GD flags'
// defaults that replace experiment's.
func TestGDVariants(t *testing.T) {
	gd := func(args ...string) experiment.GDOptions {
		t.Helper()
		r, given := parseRun(t, args...)
		o, err := r.gdOptions(r.train.gd, r.data.spec(experiment.Preset{}, given), given, nil)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	paper, seed := gd("-gd", "paper", "-steps", "7"), gd("-gd", "seed", "-steps", "7")
	if !reflect.DeepEqual(paper, seed) || paper.Variant != "paper" || paper.Steps != 7 || paper.RuleInitStd != 1 {
		t.Errorf("-gd paper %+v\n-gd seed %+v", paper, seed)
	}
	ours := gd("-init", "zero", "-freeze", "none")
	if ours.Variant != "ours" || ours.Model.Act != model.ReLU || ours.Model.Init != model.InitZero || ours.Freeze != nil ||
		ours.EvalEvery != 25 || ours.Steps != experiment.DefaultGDSteps {
		t.Errorf("-gd ours: %+v", ours)
	}
	if o := gd(); len(o.Freeze) != 2 {
		t.Errorf("-gd ours freezes %v, want input,hidden", o.Freeze)
	}
	r, given := parseRun(t, "-gd", "best")
	if _, err := r.gdOptions(r.train.gd, r.data.spec(experiment.Preset{}, given), given, nil); err == nil {
		t.Error("-gd best was accepted")
	}
}
