package experiment

import (
	"fmt"
	"slices"
	"strings"

	"plasticity/model"
)

// The named presets a command line may ask for (-preset NAME). Each sets
// every option of its recipe: the data set (not its draw), the whole
// network, the batch, both trainers' settings and the transfer's passes, so
// a preset's run does not depend on the defaults around it. Their rules are
// size-free (no learned weights), so they transfer to other widths.

// Recipe is a preset's settings as plain values, so that changing a recipe
// is changing one literal. Fields a recipe leaves zero are set to zero (the
// seed's behaviour), except where said.
type Recipe struct {
	// Data names the data set; its draw (DataSeed) stays the caller's.
	Data        string
	Standardize bool
	// Model is the whole network; Inputs and Outputs come from the data.
	Model model.Config
	Batch int
	// ES and GD are the trainers' settings; their embedded Options, Data,
	// Dir and plug-ins are ignored. A zero EvalEvery or CheckpointEvery
	// keeps the caller's.
	ES ESOptions
	GD GDOptions
	// Passes is the transfer's number of passes over the new training split.
	Passes int
	// Method is the trainer plasticity train uses unless -method is given
	// ("es" or "gd"; "" is ES).
	Method string
}

// Preset returns the preset that applies the recipe under name.
func (r Recipe) Preset(name string) Preset {
	return Preset{Name: name, Method: r.Method,
		Data:    func(d *DataSpec) { d.Name, d.Standardize = r.Data, r.Standardize },
		Model:   func(c *model.Config) { *c = r.Model },
		Options: func(o *Options) { o.Batch = r.Batch },
		ES: func(o *ESOptions) {
			e := r.ES
			e.Options, e.Data, e.Dir, e.Evaluator = o.Options, o.Data, o.Dir, o.Evaluator
			e.Freeze = slices.Clone(e.Freeze)
			e.EvalEvery, e.CheckpointEvery = or(e.EvalEvery, o.EvalEvery), or(e.CheckpointEvery, o.CheckpointEvery)
			*o = e
		},
		GD: func(o *GDOptions) {
			g := r.GD
			g.Options, g.Data, g.Dir = o.Options, o.Data, o.Dir
			g.Freeze = slices.Clone(g.Freeze)
			g.EvalEvery, g.CheckpointEvery = or(g.EvalEvery, o.EvalEvery), or(g.CheckpointEvery, o.CheckpointEvery)
			*o = g
		},
		Transfer: func(t *TransferOptions) { t.Passes = r.Passes },
	}
}

func or(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// SyntheticRecipe is the recipe of -preset synthetic, the best of issue
// 13's study (docs/representation-synthetic.md): every table learned by GD
// (4000 steps, Adam step 0.01, cross-entropy of the logits, all-zero initial
// rules) on a network whose input and hidden weights stay bounded (-norm
// both) under a readout that grows as a perceptron's (-free-readout), with
// the Hebbian input rule and BrainNet's predicted output edges; each step
// also lives a 1000-sample lifetime (-horizon 1000), so the rules are chosen
// for what they do over long lifetimes too; and the rules' steps slow with
// the network's age (-eta-decay 8000: eta/(1 + t/8000) at its t-th sample),
// so a transfer's 200,000 updates settle instead of drifting. 20 hidden, cap 10, R = 3, relu,
// raw drive, scaled initial weights, updates on mistakes, batch 100,
// transfer of 50 passes. plasticity train uses GD unless -method es is
// given; the ES is that page's openai ES on the same network, all tables,
// with the same horizon (it transfers as well but learns a worse
// one-lifetime rule: 0.855 against 0.905 over 5 seeds).
var SyntheticRecipe = Recipe{
	Data: "synthetic", Standardize: true,
	Model: model.Config{Hidden: 20, Cap: 10, Rounds: 3, Eta: 0.01, EdgeProb: 1,
		Act: model.ReLU, Drive: model.DriveRaw, Init: model.InitScaled, Update: model.UpdateMisclassified,
		Norm: model.NormBoth, FreeReadout: true, InputRule: model.InputHebbian, OutputEdges: model.OutputPredicted,
		EtaDecay: 8000},
	Batch: 100,
	ES: ESOptions{Strategy: "openai", Generations: 300, PopSize: 40, LR: 0.03, Fitness: "loss",
		Horizon: 1000},
	GD:     GDOptions{Variant: "ours", Steps: 4000, LR: 0.01, Loss: "logits", Horizon: 1000},
	Passes: 50,
	Method: "gd",
}

// MNISTRecipe is the recipe of -preset mnist: for now the best one
// documented in docs/mnist.md: no recurrent round (-rounds 0), 1000 hidden
// neurons with cap 100, relu, raw drive, scaled initial weights, updates on
// mistakes; OpenAI-ES with population 20, sigma and Adam step 0.001, fitness
// accuracy, the hidden table frozen, 1000-sample batches with a
// 5000-sample horizon, 100 generations; one transfer pass. Its GD is that
// page's best GD, the output table alone with Adam step 0.1 for 100 steps
// (measured there at -batch 5000). Issue 13 asks for R >= 1 and learned
// input and hidden rules; docs/representation-mnist.md measured R = 1 (by
// hand, ES from zero, ES from a hand rule with -start-rules) and learning
// with -output-edges predicted, and none did better than this recipe within
// its budget, so it stays R = 0. Transfer it with -output-edges predicted
// at 4000 neurons (0.932 ± 0.003 there over 5 seeds, against 0.926).
var MNISTRecipe = Recipe{
	Data: "mnist", Standardize: true, // MNIST's pixels are only divided by 255; this is for -data given
	Model: model.Config{Hidden: 1000, Cap: 100, Rounds: 0, Eta: 0.01, EdgeProb: 1,
		Act: model.ReLU, Drive: model.DriveRaw, Init: model.InitScaled, Update: model.UpdateMisclassified},
	Batch: 1000,
	ES: ESOptions{Strategy: "openai", Generations: 100, PopSize: 20, Sigma: 0.001, LR: 0.001, Fitness: "accuracy",
		Freeze: []string{"hidden"}, Horizon: 5000, EvalEvery: 10},
	GD:     GDOptions{Variant: "ours", Steps: 100, LR: 0.1, Freeze: []string{"input", "hidden"}, Loss: "logits"},
	Passes: 1,
}

// Presets are the presets a command line may name: the seed paper's setup
// and the recipes for the synthetic set and MNIST.
var Presets = []Preset{Paper, SyntheticRecipe.Preset("synthetic"), MNISTRecipe.Preset("mnist")}

// PresetNamed returns the preset of that name.
func PresetNamed(name string) (Preset, error) {
	var names []string
	for _, p := range Presets {
		if p.Name == name {
			return p, nil
		}
		names = append(names, p.Name)
	}
	return Preset{}, fmt.Errorf("unknown preset %q (want %s)", name, strings.Join(names, ", "))
}
