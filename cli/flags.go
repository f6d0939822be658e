package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"

	"plasticity/data"
	"plasticity/experiment"
	"plasticity/model"
	"plasticity/rundir"
)

// Flags come in groups (output, data, model, training, evaluation,
// transfer), each a struct that registers itself on a flag set and turns
// into typed options. Settings are built in layers: the defaults (the flags'
// default values), then a preset, then only the flags the user gave.

// newFlagSet returns the flag set of a command; parse reports its errors.
func newFlagSet(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet("plasticity "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse reads args; -h prints the flags and returns flag.ErrHelp.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stderr)
		fmt.Fprintf(stderr, "Usage of %s:\n", fs.Name())
		fs.PrintDefaults()
		return err
	}
	if err != nil {
		return badInput("%v (see -h)", err)
	}
	if fs.NArg() > 0 {
		return badInput("unexpected argument %q (flags come as -name value)", fs.Arg(0))
	}
	return nil
}

// given reports whether a flag is one the settings take: the flags the user
// set (givenIn), or every flag (every) for the layer of the flags' defaults.
type given func(name string) bool

// givenIn returns the flags set on fs's command line.
func givenIn(fs *flag.FlagSet) given {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return func(name string) bool { return set[name] }
}

func every(string) bool { return true }

// outputFlags are where results go and how the process runs.
type outputFlags struct {
	seed       uint64
	workers    int
	json       bool
	out        string
	cpuprofile string
	memprofile string
}

func (o *outputFlags) register(fs *flag.FlagSet) {
	fs.Uint64Var(&o.seed, "seed", 1, "every random number derives from this seed")
	fs.IntVar(&o.workers, "workers", 0, "goroutines evaluating candidates (0: all cores); results do not depend on it")
	fs.BoolVar(&o.json, "json", false, "print one JSON object on stdout at the end; progress stays on stderr")
	fs.StringVar(&o.out, "out", "", "run directory to write (config.json, metrics.csv, rules.json)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a pprof CPU profile to this file")
	fs.StringVar(&o.memprofile, "memprofile", "", "write a pprof heap profile to this file")
}

// profile starts the CPU profile and returns the function that ends both
// profiles.
func (o *outputFlags) profile() (func() error, error) {
	var cpu *os.File
	if o.cpuprofile != "" {
		var err error
		if cpu, err = os.Create(o.cpuprofile); err != nil {
			return nil, inputError{fmt.Errorf("-cpuprofile: %w", err)}
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return nil, err
		}
	}
	return func() error {
		if cpu != nil {
			pprof.StopCPUProfile()
			if err := cpu.Close(); err != nil {
				return err
			}
		}
		if o.memprofile != "" {
			runtime.GC()
			var buf strings.Builder
			if err := pprof.Lookup("allocs").WriteTo(&buf, 0); err != nil {
				return err
			}
			if err := rundir.WriteFileAtomic(o.memprofile, []byte(buf.String())); err != nil {
				return fmt.Errorf("-memprofile: %w", err)
			}
		}
		return nil
	}, nil
}

// begin starts a command that reads the data set d: it creates -out, starts
// the profiles (stop ends them) and loads d's draw.
func (o *outputFlags) begin(d experiment.DataSpec, log io.Writer) (ds data.Dataset, stop func() error, err error) {
	if err = o.prepareOut(); err != nil {
		return ds, nil, err
	}
	if stop, err = o.profile(); err != nil {
		return ds, nil, err
	}
	ds, err = loadData(d, d.DataSeed, log)
	return ds, stop, err
}

// prepareOut creates the -out directory, if any.
func (o *outputFlags) prepareOut() error {
	if o.out == "" {
		return nil
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return inputError{fmt.Errorf("-out: %w", err)}
	}
	return nil
}

// modelFlags describe the network and its lifetimes.
type modelFlags struct {
	hidden, capK, rounds, batch int
	eta, p, capFraction, decay  float64
	act, drive, init, norm, upd string
	// docs/model.md §10's update semantics.
	edges, form, fire, inputRule string
	freeReadout                  bool
}

func (m *modelFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&m.hidden, "hidden", 0, "hidden neurons (0: 20 for synthetic/csv, 1000 for mnist)")
	fs.IntVar(&m.capK, "cap", 0, "neurons that may fire (0: half of -hidden)")
	fs.Float64Var(&m.capFraction, "cap-fraction", 0, "the cap as a fraction of the hidden neurons, rounded (in place of -cap; e.g. transfer -hidden 4000 -cap-fraction 0.1)")
	fs.IntVar(&m.rounds, "rounds", 3, "recurrent rounds R (0..6)")
	fs.IntVar(&m.batch, "batch", 100, "samples per lifetime (weights reset per batch while learning rules)")
	fs.Float64Var(&m.eta, "eta", 0.01, "step size of the rule updates")
	fs.Float64Var(&m.decay, "eta-decay", 0, "anneal the rule steps: eta/(1+t/TAU) at the network's t-th lived sample, across a transfer's lifetimes (0: fixed eta)")
	fs.Float64Var(&m.p, "p", 1, "probability of each hidden-to-hidden synapse")
	fs.StringVar(&m.act, "act", "sigmoid", "hidden activation: sigmoid, relu or linear")
	fs.StringVar(&m.drive, "drive", "a0", "what drives the rounds: a0 (seed) or raw (Win x, the PyTorch reference)")
	fs.StringVar(&m.init, "init", "normal", "initial weights: normal N(0,1), scaled N(0,1/fan-in) or zero")
	fs.StringVar(&m.norm, "norm", "none",
		"after each update: none, outgoing (unit-norm columns), incoming (unit-norm rows) or both (columns, then rows)")
	fs.StringVar(&m.upd, "update", "always", "when rules apply: always or misclassified")
	fs.StringVar(&m.edges, "output-edges", "all", "output rows the output rule changes: all, or predicted (the prediction's and the label's)")
	fs.StringVar(&m.form, "rule-form", "additive", "how a rule entry changes a weight: additive (w += eta theta) or multiplicative (w *= 1 + eta theta)")
	fs.StringVar(&m.fire, "fire", "nonzero", "what fired means: nonzero (capped activation not 0) or topk (kept by the cap)")
	fs.StringVar(&m.inputRule, "input-rule", "pattern", "input rule: pattern (eta in[p_i]) or hebbian (eta in[p_i] x_m)")
	fs.BoolVar(&m.freeReadout, "free-readout", false, "with -norm: leave the output weights out of the normalisation (a bounded representation, a readout that grows as a perceptron's)")
}

// config builds the network configuration. Without a base: the defaults,
// the model flags' defaults, the preset, the model flags given. With a base
// (a rules file's whole configuration, which replaces the layers below it):
// the base, then the model flags given. Hidden defaults by data set, the
// cap to half of it (also when only -hidden is given).
func (m *modelFlags) config(base *model.Config, p experiment.Preset, dataName string, given given) (model.Config, error) {
	cfg := model.Config{Rounds: 3, Eta: 0.01, EdgeProb: 1}
	if base != nil {
		cfg = *base
	} else {
		if err := m.apply(&cfg, every); err != nil {
			return cfg, err
		}
		p.ApplyModel(&cfg)
	}
	if err := m.apply(&cfg, given); err != nil {
		return cfg, err
	}
	if cfg.Hidden == 0 {
		cfg.Hidden = 20
		if dataName == "mnist" {
			cfg.Hidden = 1000
		}
	}
	if cfg.Cap == 0 {
		cfg.Cap = cfg.Hidden / 2
	}
	if err := m.applyCapFraction(&cfg, given); err != nil {
		return cfg, err
	}
	// Inputs and outputs come from the data; check the rest now so a bad flag
	// fails before any data is read.
	probe := cfg
	probe.Inputs, probe.Outputs = 1, 2
	if err := probe.Validate(); err != nil {
		return cfg, inputError{err}
	}
	return cfg, nil
}

// apply sets the fields of cfg whose flags given names.
func (m *modelFlags) apply(cfg *model.Config, given given) error {
	var err error
	parse := func(name, value string, set func(string) error) {
		if err == nil && given(name) {
			if e := set(value); e != nil {
				err = badInput("-%s: %v", name, e)
			}
		}
	}
	parse("act", m.act, func(s string) (e error) { cfg.Act, e = model.ParseActivation(s); return })
	parse("drive", m.drive, func(s string) (e error) { cfg.Drive, e = model.ParseDrive(s); return })
	parse("init", m.init, func(s string) (e error) { cfg.Init, e = model.ParseInit(s); return })
	parse("norm", m.norm, func(s string) (e error) { cfg.Norm, e = model.ParseNorm(s); return })
	parse("update", m.upd, func(s string) (e error) { cfg.Update, e = model.ParseUpdate(s); return })
	parse("output-edges", m.edges, func(s string) (e error) { cfg.OutputEdges, e = model.ParseOutputEdges(s); return })
	parse("rule-form", m.form, func(s string) (e error) { cfg.RuleForm, e = model.ParseRuleForm(s); return })
	parse("fire", m.fire, func(s string) (e error) { cfg.Fire, e = model.ParseFire(s); return })
	parse("input-rule", m.inputRule, func(s string) (e error) { cfg.InputRule, e = model.ParseInputRule(s); return })
	if given("free-readout") {
		cfg.FreeReadout = m.freeReadout
	}
	if given("rounds") {
		cfg.Rounds = m.rounds
	}
	if given("eta") {
		cfg.Eta = float32(m.eta)
	}
	if given("p") {
		cfg.EdgeProb = m.p
	}
	if given("eta-decay") {
		cfg.EtaDecay = m.decay
	}
	if given("hidden") {
		cfg.Hidden = m.hidden
		cfg.Cap = 0 // half of the new size, unless -cap is given too
	}
	if given("cap") {
		cfg.Cap = m.capK
	}
	return err
}

// modelNote lists what a preset changes in the default network as
// -name value pairs in name order, for help texts.
func modelNote(p experiment.Preset) string {
	var d, c model.Config
	p.ApplyModel(&c)
	var parts []string
	add := func(name string, a, b fmt.Stringer) {
		if a.String() != b.String() {
			parts = append(parts, "-"+name+" "+b.String())
		}
	}
	add("act", d.Act, c.Act)
	add("drive", d.Drive, c.Drive)
	add("init", d.Init, c.Init)
	add("norm", d.Norm, c.Norm)
	add("update", d.Update, c.Update)
	add("output-edges", d.OutputEdges, c.OutputEdges)
	add("rule-form", d.RuleForm, c.RuleForm)
	add("fire", d.Fire, c.Fire)
	add("input-rule", d.InputRule, c.InputRule)
	if c.EtaDecay != d.EtaDecay {
		parts = append(parts, fmt.Sprintf("-eta-decay %g", c.EtaDecay))
	}
	return strings.Join(parts, " ")
}
