package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"plasticity/experiment"
	"plasticity/model"
	"plasticity/rundir"
)

// trainFlags say how rules are learned, by ES or by GD.
type trainFlags struct {
	method      string
	strategy    string
	generations int
	popsize     int
	sigma       float64
	parents     int
	fitness     string
	evalEvery   int
	lr, wd      float64
	restarts    int
	ckptEvery   int
	horizon     int
	steps       int
	gd          string
	freeze      string
	ruleInitStd float64
	loss        string
	learn       string
	tasks       int
	start       string
}

func (t *trainFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.method, "method", "es", "how to learn the rules: es or gd")
	fs.StringVar(&t.strategy, "es", "simple", "evolution strategy: simple (the seed's), openai, cmaes or sepcmaes")
	fs.IntVar(&t.generations, "generations", 0, "ES generations (0: the strategy's default); with -resume, the total to reach")
	fs.IntVar(&t.popsize, "popsize", 0, "ES population (0: the strategy's default: simple 10, openai 40, cmaes 4+floor(3 ln d))")
	fs.Float64Var(&t.sigma, "sigma", 0, "ES mutation standard deviation (0: the strategy's default: simple 0.01, openai 1, cmaes 1)")
	fs.IntVar(&t.parents, "parents", 2, "simple ES: parents kept (elitism) each generation")
	fs.Float64Var(&t.lr, "lr", 0, "Adam step size of openai ES (0: 0.1) and of GD (0: 0.01)")
	fs.Float64Var(&t.wd, "wd", 0, "weight decay of openai ES's mean and of GD's rules (decoupled, as AdamW)")
	fs.IntVar(&t.restarts, "restarts", 0, "cmaes, sepcmaes: IPOP restarts allowed (each doubles the population)")
	fs.StringVar(&t.fitness, "fitness", "accuracy", "ES fitness: accuracy, loss (minus cross-entropy) or mse (minus the mean squared error of the softmax outputs); ties rank the lower candidate index first")
	fs.IntVar(&t.horizon, "horizon", 0, "ES, GD: samples of a second, longer lifetime each candidate (ES) or step (GD) lives; fitness or loss averages both (0: none)")
	fs.IntVar(&t.evalEvery, "eval-every", 25, "measure test accuracy every N generations (0: never)")
	fs.IntVar(&t.ckptEvery, "checkpoint-every", 100, "write the checkpoint every N generations or steps (and at the end, and on Ctrl-C)")
	fs.IntVar(&t.steps, "steps", 0, fmt.Sprintf("GD steps (0: %d)", experiment.DefaultGDSteps))
	fs.StringVar(&t.gd, "gd", "ours", "GD variant: ours (settings that reached the goal on the synthetic set; model flags left unset take "+
		modelNote(experiment.OurGDModel)+") or paper (the seed paper's, also called seed: model flags as given, every table learned from N(0,1) rules, -loss softmax)")
	fs.StringVar(&t.freeze, "freeze", "", "rule tables held at zero, comma-separated input,hidden,output, or none (ES default none; GD default: ours input,hidden; paper none)")
	fs.Float64Var(&t.ruleInitStd, "rule-init-std", 0, "GD: deviation of the initial rules' normal entries (default: ours 0, paper 1)")
	fs.StringVar(&t.learn, "learn-weights", "", "GD: initial weight matrices learned with the rules and shared by every lifetime, comma-separated input,hidden,output (default none); saved as "+rundir.Weights+" beside rules.json")
	fs.StringVar(&t.loss, "loss", "", "GD loss: logits (cross-entropy of the logits), softmax (taken on the softmax outputs, the reference's) or mse (mean squared error of the softmax outputs, BrainNet's) (default: ours logits, paper softmax)")
	fs.StringVar(&t.start, "start-rules", "", "openai ES: rules.json whose rules the search's mean starts from (default zero rules); its rounds must be -rounds, its entries in -freeze tables 0")
	fs.IntVar(&t.tasks, "tasks", 0, "learn on N draws of a generated data set, -data-seed + 0..N-1, one per generation or step (0: one); test and final scores on the first")
}

// freezeList is -freeze as table names: none for "" and "none".
func (t *trainFlags) freezeList() []string {
	if t.freeze == "none" || t.freeze == "" {
		return nil
	}
	return strings.Split(t.freeze, ",")
}

// esOptions builds ES settings on top of opts and the data set d: the
// seed paper's (experiment.DefaultES), the training flags' defaults, the
// preset, the training flags given. A zero generation count then takes the
// strategy's default.
func (t *trainFlags) esOptions(opts experiment.Options, d experiment.DataSpec, p experiment.Preset, given given) experiment.ESOptions {
	o := experiment.DefaultES(opts)
	t.applyES(&o, every)
	p.ApplyES(&o)
	t.applyES(&o, given)
	if o.Generations == 0 {
		o.Generations = experiment.DefaultGenerations(o.Strategy)
	}
	o.Data = t.withTasks(d, given)
	return o
}

func (t *trainFlags) applyES(o *experiment.ESOptions, given given) {
	set := func(name string, apply func()) {
		if given(name) {
			apply()
		}
	}
	set("es", func() { o.Strategy = t.strategy })
	set("generations", func() { o.Generations = t.generations })
	set("popsize", func() { o.PopSize = t.popsize })
	set("sigma", func() { o.Sigma = t.sigma })
	set("parents", func() { o.Parents = t.parents })
	set("fitness", func() { o.Fitness = t.fitness })
	set("eval-every", func() { o.EvalEvery = t.evalEvery })
	set("lr", func() { o.LR = t.lr })
	set("wd", func() { o.WeightDecay = t.wd })
	set("restarts", func() { o.Restarts = t.restarts })
	set("checkpoint-every", func() { o.CheckpointEvery = t.ckptEvery })
	set("horizon", func() { o.Horizon = t.horizon })
	set("freeze", func() { o.Freeze = t.freezeList() })
}

// gdVariant maps a -gd value to experiment's GD variant and its settings:
// ours, or paper (the seed paper's; seed is its old name).
func gdVariant(name string) (string, func(experiment.Options) experiment.GDOptions, experiment.Preset, error) {
	switch name {
	case "ours":
		return "ours", experiment.DefaultGD, experiment.OurGDModel, nil
	case "paper", "seed":
		return "paper", experiment.PaperGD, experiment.Preset{}, nil
	}
	return "", nil, experiment.Preset{}, badInput("unknown -gd %q (want ours or paper)", name)
}

// gdFlagDefaults are the GD flags whose defaults replace the variant's own
// (-eval-every 25 over experiment's 50), as they always have; the others'
// zero defaults mean "the variant's".
func gdFlagDefaults(name string) bool {
	return name == "wd" || name == "eval-every" || name == "checkpoint-every"
}

// gdOptions builds GD settings on top of opts and the data set d: the
// variant's (base), the training flags' defaults, the preset, the training
// flags given.
func (t *trainFlags) gdOptions(base func(experiment.Options) experiment.GDOptions, opts experiment.Options, d experiment.DataSpec,
	p experiment.Preset, given given) (experiment.GDOptions, error) {
	o := base(opts)
	if t.steps < 0 {
		return o, badInput("-steps must be at least 1, got %d", t.steps)
	}
	t.applyGD(&o, gdFlagDefaults)
	p.ApplyGD(&o)
	t.applyGD(&o, given)
	o.Data = t.withTasks(d, given)
	return o, nil
}

func (t *trainFlags) applyGD(o *experiment.GDOptions, given given) {
	if given("steps") && t.steps != 0 {
		o.Steps = t.steps
	}
	if given("lr") && t.lr != 0 {
		o.LR = t.lr
	}
	if given("wd") {
		o.WeightDecay = t.wd
	}
	if given("eval-every") {
		o.EvalEvery = t.evalEvery
	}
	if given("checkpoint-every") {
		o.CheckpointEvery = t.ckptEvery
	}
	if given("freeze") {
		o.Freeze = t.freezeList()
	}
	if given("rule-init-std") {
		o.RuleInitStd = t.ruleInitStd
	}
	if given("loss") && t.loss != "" {
		o.Loss = t.loss
	}
	if given("horizon") {
		o.Horizon = t.horizon
	}
	if given("learn-weights") && t.learn != "" && t.learn != "none" {
		o.LearnWeights = strings.Split(t.learn, ",")
	}
}

// evalFlags say how final scores are measured.
type evalFlags struct{ lifetimes int }

func (e *evalFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&e.lifetimes, "eval-lifetimes", 10, "fresh lifetimes the final scores average over")
}

// transferFlags say how saved rules meet new data.
type transferFlags struct{ passes, recordEvery int }

func (t *transferFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&t.passes, "passes", 50, "passes over the new training split")
	fs.IntVar(&t.recordEvery, "record-every", 0, "samples between curve points in the first pass (0: train/20, at least 100)")
}

// options builds a transfer's settings on top of opts: the flags' defaults,
// the preset, the flags given.
func (t *transferFlags) options(opts experiment.Options, p experiment.Preset, given given) experiment.TransferOptions {
	o := experiment.TransferOptions{Options: opts, Passes: t.passes, RecordEvery: t.recordEvery}
	p.ApplyTransfer(&o)
	o.Options = opts
	if given("passes") {
		o.Passes = t.passes
	}
	if given("record-every") {
		o.RecordEvery = t.recordEvery
	}
	return o
}

// studyFlags are the groups of every command that runs lifetimes.
type studyFlags struct {
	output outputFlags
	data   dataFlags
	model  modelFlags
	eval   evalFlags
}

// options builds the settings every study shares on top of the network cfg:
// the flags' defaults, the preset, the flags given (a batch of 0 means
// the flag's). -eval-lifetimes counts only where registered.
func (s *studyFlags) options(cfg model.Config, p experiment.Preset, given given, log io.Writer) experiment.Options {
	o := experiment.Options{Model: cfg, Seed: s.output.seed, Workers: s.output.workers, Batch: s.model.batch,
		EvalLifetimes: s.eval.lifetimes, Log: log}
	p.ApplyOptions(&o)
	o.Model, o.Workers, o.Log = cfg, s.output.workers, log
	if given("seed") {
		o.Seed = s.output.seed
	}
	if given("batch") {
		o.Batch = s.model.batch
	}
	if given("eval-lifetimes") {
		o.EvalLifetimes = s.eval.lifetimes
	}
	return o
}
