// Command plasticity learns synaptic plasticity rules for a capped recurrent
// network by evolution strategies or gradient descent, and transfers them to
// new data.
//
//	plasticity              the main job (same as plasticity run)
//	plasticity run          learn rules on the synthetic set, transfer them to a fresh draw
//	plasticity train        learn rules: -method es|gd -data D -out DIR
//	plasticity transfer     apply saved rules to new data: -rules FILE -data D
//	plasticity eval         lifetimes + evaluation of saved rules on a data set
//	plasticity bench        kernel and end-to-end throughput beside the memory bandwidth
//
// Run "plasticity COMMAND -h" for the flags of a command.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/klauspost/cpuid/v2"

	"plasticity/data"
	"plasticity/experiment"
	"plasticity/figures"
	"plasticity/linalg"
	"plasticity/model"
)

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// inputError marks a problem with what the user gave (flags, files, sizes):
// exit status 2.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

func badInput(format string, args ...any) error {
	return inputError{fmt.Errorf(format, args...)}
}

// Main runs one command line and returns the exit status: 0 success, 2 bad
// input, 1 any other failure.
func Main(args []string, stdout, stderr io.Writer) int {
	cmd := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "run":
		err = cmdRun(args, stdout, stderr)
	case "train":
		err = cmdTrain(args, stdout, stderr)
	case "transfer":
		err = cmdTransfer(args, stdout, stderr)
	case "eval":
		err = cmdEval(args, stdout, stderr)
	case "bench":
		err = cmdBench(args, stdout, stderr)
	case "plot":
		err = cmdPlot(args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = badInput("unknown command %q (want run, train, transfer, eval, bench, plot or help)", cmd)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintf(stderr, "plasticity %s: %v\n", cmd, oneLine(err))
	var ie inputError
	var nf model.NonFiniteError
	if errors.As(err, &ie) || errors.As(err, &nf) {
		return 2
	}
	return 1
}

func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

const usage = `plasticity learns synaptic plasticity rules for a capped recurrent network.

Commands:
  run        the seed's study on the synthetic set: learn rules, transfer them to a fresh draw
  train      learn rules: -method es|gd -data D -out DIR
  transfer   apply saved rules to new data: -rules FILE -data D -passes 50
  eval       lifetimes + evaluation of saved rules on a data set: -rules FILE -data D
  bench      kernel and end-to-end throughput beside the measured memory bandwidth: -json -seconds S
  plot       draw the figures and report.md of a run directory: plot DIR

Run "plasticity COMMAND -h" for the flags of a command.
`

// flags holds every flag; each command registers the groups it uses.
type flags struct {
	fs     *flag.FlagSet
	stderr io.Writer // notes while loading data

	seed       uint64
	workers    int
	json       bool
	out        string
	cpuprofile string
	memprofile string

	data        string
	dataSeed    uint64
	mnist       string
	standardize bool

	hidden, capK, rounds, batch int
	eta, p                      float64
	act, drive, init, norm, upd string

	method        string
	strategy      string
	generations   int
	popsize       int
	sigma         float64
	parents       int
	fitness       string
	evalEvery     int
	lr, wd        float64
	restarts      int
	ckptEvery     int
	horizon       int
	resume        string
	evalLifetimes int
	steps         int
	gd            string
	freeze        string
	ruleInitStd   float64
	loss          string

	rules       string
	passes      int
	recordEvery int
}

func newFlags(name string, stderr io.Writer) *flags {
	f := &flags{fs: flag.NewFlagSet("plasticity "+name, flag.ContinueOnError), stderr: stderr}
	f.fs.SetOutput(io.Discard)
	f.fs.Usage = func() {}
	fs := f.fs
	fs.Uint64Var(&f.seed, "seed", 1, "every random number derives from this seed")
	fs.IntVar(&f.workers, "workers", 0, "goroutines evaluating candidates (0: all cores); results do not depend on it")
	fs.BoolVar(&f.json, "json", false, "print one JSON object on stdout at the end; progress stays on stderr")
	fs.StringVar(&f.out, "out", "", "run directory to write (config.json, metrics.csv, rules.json)")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "write a pprof CPU profile to this file")
	fs.StringVar(&f.memprofile, "memprofile", "", "write a pprof heap profile to this file")
	return f
}

func (f *flags) dataFlags() {
	f.fs.StringVar(&f.data, "data", "synthetic", "data set: synthetic, mnist, csv:PATH or csv:TRAIN,TEST")
	f.fs.Uint64Var(&f.dataSeed, "data-seed", 0, "which synthetic draw")
	f.fs.StringVar(&f.mnist, "mnist", "", "folder holding the four MNIST IDX files")
	f.fs.BoolVar(&f.standardize, "standardize", true, "standardise features by training mean and deviation (synthetic, csv)")
}

func (f *flags) modelFlags() {
	fs := f.fs
	fs.IntVar(&f.hidden, "hidden", 0, "hidden neurons (0: 20 for synthetic/csv, 1000 for mnist)")
	fs.IntVar(&f.capK, "cap", 0, "neurons that may fire (0: half of -hidden)")
	fs.IntVar(&f.rounds, "rounds", 3, "recurrent rounds R (0..6)")
	fs.IntVar(&f.batch, "batch", 100, "samples per lifetime (weights reset per batch while learning rules)")
	fs.Float64Var(&f.eta, "eta", 0.01, "step size of the rule updates")
	fs.Float64Var(&f.p, "p", 1, "probability of each hidden-to-hidden synapse")
	fs.StringVar(&f.act, "act", "sigmoid", "hidden activation: sigmoid, relu or linear")
	fs.StringVar(&f.drive, "drive", "a0", "what drives the rounds: a0 (seed) or raw (Win x, the PyTorch reference)")
	fs.StringVar(&f.init, "init", "normal", "initial weights: normal N(0,1), scaled N(0,1/fan-in) or zero")
	fs.StringVar(&f.norm, "norm", "none", "after each update: none or outgoing (unit-norm columns)")
	fs.StringVar(&f.upd, "update", "always", "when rules apply: always or misclassified")
}

func (f *flags) trainFlags() {
	fs := f.fs
	fs.StringVar(&f.method, "method", "es", "how to learn the rules: es or gd")
	fs.StringVar(&f.strategy, "es", "simple", "evolution strategy: simple (the seed's), openai, cmaes or sepcmaes")
	fs.IntVar(&f.generations, "generations", 0, "ES generations (0: the strategy's default); with -resume, the total to reach")
	fs.IntVar(&f.popsize, "popsize", 0, "ES population (0: the strategy's default: simple 10, openai 40, cmaes 4+floor(3 ln d))")
	fs.Float64Var(&f.sigma, "sigma", 0, "ES mutation standard deviation (0: the strategy's default: simple 0.01, openai 1, cmaes 1)")
	fs.IntVar(&f.parents, "parents", 2, "simple ES: parents kept (elitism) each generation")
	fs.Float64Var(&f.lr, "lr", 0, "Adam step size of openai ES (0: 0.1) and of GD (0: 0.01)")
	fs.Float64Var(&f.wd, "wd", 0, "weight decay of openai ES's mean and of GD's rules (decoupled, as AdamW)")
	fs.IntVar(&f.restarts, "restarts", 0, "cmaes, sepcmaes: IPOP restarts allowed (each doubles the population)")
	fs.StringVar(&f.fitness, "fitness", "accuracy", "ES fitness: accuracy or loss (minus cross-entropy); ties rank the lower candidate index first")
	fs.IntVar(&f.horizon, "horizon", 0, "ES: samples of a second, longer lifetime each candidate lives per generation; fitness averages both (0: none)")
	fs.IntVar(&f.evalEvery, "eval-every", 25, "measure test accuracy every N generations (0: never)")
	fs.IntVar(&f.ckptEvery, "checkpoint-every", 100, "write the checkpoint every N generations or steps (and at the end, and on Ctrl-C)")
	fs.IntVar(&f.steps, "steps", 0, fmt.Sprintf("GD steps (0: %d)", experiment.DefaultGDSteps))
	fs.StringVar(&f.gd, "gd", "ours", "GD variant: ours (settings that reached the goal on the synthetic set; model flags left unset take "+
		gdNote(bestGD)+") or seed (the seed paper's: model flags as given, every table learned from N(0,1) rules, -loss softmax)")
	fs.StringVar(&f.freeze, "freeze", "", "rule tables held at zero, comma-separated input,hidden,output, or none (ES default none; GD default: ours input,hidden; seed none)")
	fs.Float64Var(&f.ruleInitStd, "rule-init-std", 0, "GD: deviation of the initial rules' normal entries (default: ours 0, seed 1)")
	fs.StringVar(&f.loss, "loss", "", "GD loss: logits (cross-entropy of the logits) or softmax (taken on the softmax outputs, the reference's) (default: ours logits, seed softmax)")
	f.evalFlag()
}

func (f *flags) evalFlag() {
	f.fs.IntVar(&f.evalLifetimes, "eval-lifetimes", 10, "fresh lifetimes the final scores average over")
}

func (f *flags) transferFlags() {
	f.fs.IntVar(&f.passes, "passes", 50, "passes over the new training split")
	f.fs.IntVar(&f.recordEvery, "record-every", 0, "samples between curve points in the first pass (0: train/20, at least 100)")
}

// parse reads args; -h prints the flags and returns flag.ErrHelp.
func (f *flags) parse(args []string, stderr io.Writer) error {
	err := f.fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		f.fs.SetOutput(stderr)
		fmt.Fprintf(stderr, "Usage of %s:\n", f.fs.Name())
		f.fs.PrintDefaults()
		return err
	}
	if err != nil {
		return badInput("%v (see -h)", err)
	}
	if f.fs.NArg() > 0 {
		return badInput("unexpected argument %q (flags come as -name value)", f.fs.Arg(0))
	}
	return nil
}

func (f *flags) set(name string) bool {
	found := false
	f.fs.Visit(func(fl *flag.Flag) {
		if fl.Name == name {
			found = true
		}
	})
	return found
}

func (f *flags) loadData(seed uint64) (data.Dataset, error) {
	ds, err := data.Load(data.Spec{Name: f.data, DataSeed: seed, MNISTDir: f.mnist, Standardize: f.standardize, Log: f.stderr})
	if err != nil {
		return ds, inputError{err}
	}
	return ds, nil
}

// modelConfig builds the network configuration from the model flags, on top
// of base (a rules file's configuration) for the flags not given.
func (f *flags) modelConfig(base *model.Config) (model.Config, error) {
	cfg := model.Config{Rounds: 3, Eta: 0.01, EdgeProb: 1}
	if base != nil {
		cfg = *base
	}
	use := func(name string) bool { return base == nil || f.set(name) }
	var err error
	if use("act") {
		if cfg.Act, err = model.ParseActivation(f.act); err != nil {
			return cfg, badInput("-act: %v", err)
		}
	}
	if use("drive") {
		if cfg.Drive, err = model.ParseDrive(f.drive); err != nil {
			return cfg, badInput("-drive: %v", err)
		}
	}
	if use("init") {
		if cfg.Init, err = model.ParseInit(f.init); err != nil {
			return cfg, badInput("-init: %v", err)
		}
	}
	if use("norm") {
		if cfg.Norm, err = model.ParseNorm(f.norm); err != nil {
			return cfg, badInput("-norm: %v", err)
		}
	}
	if use("update") {
		if cfg.Update, err = model.ParseUpdate(f.upd); err != nil {
			return cfg, badInput("-update: %v", err)
		}
	}
	if use("rounds") {
		cfg.Rounds = f.rounds
	}
	if use("eta") {
		cfg.Eta = float32(f.eta)
	}
	if use("p") {
		cfg.EdgeProb = f.p
	}
	if use("hidden") || cfg.Hidden == 0 {
		cfg.Hidden = f.hidden
		if cfg.Hidden == 0 {
			cfg.Hidden = 20
			if f.data == "mnist" {
				cfg.Hidden = 1000
			}
		}
	}
	if use("cap") || cfg.Cap == 0 || (f.set("hidden") && !f.set("cap")) {
		cfg.Cap = f.capK
		if cfg.Cap == 0 {
			cfg.Cap = cfg.Hidden / 2
		}
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

func (f *flags) options(cfg model.Config, stderr io.Writer) experiment.Options {
	return experiment.Options{Model: cfg, Seed: f.seed, Workers: f.workers, Batch: f.batch,
		EvalLifetimes: f.evalLifetimes, Log: stderr}
}

func (f *flags) esOptions(cfg model.Config, stderr io.Writer) (experiment.ESOptions, error) {
	o := experiment.DefaultES(f.options(cfg, stderr))
	switch f.method {
	case "es", "gd":
	default:
		return o, badInput("unknown -method %q (want es or gd)", f.method)
	}
	o.Strategy = f.strategy
	o.Generations = experiment.DefaultGenerations(o.Strategy)
	if f.generations != 0 {
		o.Generations = f.generations
	}
	o.PopSize, o.Sigma, o.Parents, o.Fitness, o.EvalEvery = f.popsize, f.sigma, f.parents, f.fitness, f.evalEvery
	o.LR, o.WeightDecay, o.Restarts, o.CheckpointEvery = f.lr, f.wd, f.restarts, f.ckptEvery
	o.Horizon = f.horizon
	if f.freeze != "none" && f.freeze != "" {
		o.Freeze = strings.Split(f.freeze, ",")
	}
	o.Data = experiment.DataSpec{Name: f.data, DataSeed: f.dataSeed, MNISTDir: f.mnist, Standardize: f.standardize}
	if f.steps != 0 && f.fs.Name() == "plasticity train" {
		return o, badInput("-steps is for -method gd")
	}
	return o, nil
}

// bestGD holds the model flag values of our GD (-gd ours), the settings that
// reached the goal on the synthetic set (issue 4); flags the user sets win.
// The raw drive keeps the input in every round (the seed's a0 drive through
// sigmoid rounds loses most of it: a logistic readout of the last round gets
// 0.74-0.94 against 0.98 with raw); relu keeps the drive's magnitudes; scaled
// weights keep the readout's random start small against what the rules add;
// updating only on mistakes stops the output weights' growth once samples are
// right.
var bestGD = map[string]string{"act": "relu", "init": "scaled", "drive": "raw", "update": "misclassified"}

// gdNote lists flag values as -name value pairs in name order.
func gdNote(m map[string]string) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = "-" + k + " " + m[k]
	}
	return strings.Join(parts, " ")
}

// gdModel builds the model configuration of a GD variant: the model flags as
// given, and for ours bestGD's values where the user left a flag unset. The
// flag set itself is left alone.
func (f *flags) gdModel() (model.Config, error) {
	g := *f
	if f.gd == "ours" {
		for name, v := range bestGD {
			if f.set(name) {
				continue
			}
			switch name {
			case "act":
				g.act = v
			case "init":
				g.init = v
			case "drive":
				g.drive = v
			case "update":
				g.upd = v
			}
		}
	}
	return g.modelConfig(nil)
}

// gdOptions builds the options of the GD variant -gd names on top of cfg.
func (f *flags) gdOptions(cfg model.Config, stderr io.Writer) (experiment.GDOptions, error) {
	var o experiment.GDOptions
	switch f.gd {
	case "ours":
		o = experiment.DefaultGD(f.options(cfg, stderr))
	case "seed":
		o = experiment.SeedGD(f.options(cfg, stderr))
	default:
		return o, badInput("unknown -gd %q (want ours or seed)", f.gd)
	}
	if f.generations != 0 && f.fs.Name() == "plasticity train" {
		return o, badInput("-generations is for -method es; GD counts -steps")
	}
	if f.steps < 0 {
		return o, badInput("-steps must be at least 1, got %d", f.steps)
	}
	if f.steps != 0 {
		o.Steps = f.steps
	}
	if f.lr != 0 {
		o.LR = f.lr
	}
	o.WeightDecay, o.EvalEvery, o.CheckpointEvery = f.wd, f.evalEvery, f.ckptEvery
	o.Data = experiment.DataSpec{Name: f.data, DataSeed: f.dataSeed, MNISTDir: f.mnist, Standardize: f.standardize}
	if f.set("freeze") {
		o.Freeze = nil
		if f.freeze != "none" && f.freeze != "" {
			o.Freeze = strings.Split(f.freeze, ",")
		}
	}
	if f.set("rule-init-std") {
		o.RuleInitStd = f.ruleInitStd
	}
	if f.loss != "" {
		o.Loss = f.loss
	}
	return o, nil
}

// profile starts the CPU profile and returns the function that ends both
// profiles.
func (f *flags) profile() (func() error, error) {
	var cpu *os.File
	if f.cpuprofile != "" {
		var err error
		if cpu, err = os.Create(f.cpuprofile); err != nil {
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
		if f.memprofile != "" {
			runtime.GC()
			var buf strings.Builder
			if err := pprof.Lookup("allocs").WriteTo(&buf, 0); err != nil {
				return err
			}
			if err := experiment.WriteFileAtomic(f.memprofile, []byte(buf.String())); err != nil {
				return fmt.Errorf("-memprofile: %w", err)
			}
		}
		return nil
	}, nil
}

func (f *flags) prepareOut() error {
	if f.out == "" {
		return nil
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return inputError{fmt.Errorf("-out: %w", err)}
	}
	return nil
}

func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// trainJSON is the -json object of train (SPEC section 9).
type trainJSON struct {
	Command          string               `json:"command,omitempty"`
	Method           string               `json:"method"`
	Data             string               `json:"data"`
	Seed             uint64               `json:"seed"`
	Generations      int                  `json:"generations,omitempty"`
	Steps            int                  `json:"steps,omitempty"`
	BatchAccuracy    float64              `json:"batch_accuracy"`
	TestAccuracy     float64              `json:"test_accuracy"`
	TestMajority     float64              `json:"test_majority"`
	Loss             float64              `json:"loss"`
	Seconds          float64              `json:"seconds"`
	SamplesPerSecond float64              `json:"samples_per_second"`
	Rules            experiment.RulesFile `json:"rules"`
	Out              string               `json:"out,omitempty"`
	Transfer         *transferJSON        `json:"transfer,omitempty"`
}

// transferJSON is the -json object of transfer (SPEC section 9).
type transferJSON struct {
	Command            string                  `json:"command,omitempty"`
	Rules              string                  `json:"rules,omitempty"`
	Data               string                  `json:"data"`
	DataSeed           uint64                  `json:"data_seed"`
	Passes             int                     `json:"passes"`
	FinalTrainAccuracy float64                 `json:"final_train_accuracy"`
	FinalTestAccuracy  float64                 `json:"final_test_accuracy"`
	FinalTestMajority  float64                 `json:"final_test_majority"`
	Seconds            float64                 `json:"seconds"`
	Curve              []experiment.CurvePoint `json:"curve"`
}

func (f *flags) rulesFile(res experiment.Result, cfg model.Config, ds data.Dataset) experiment.RulesFile {
	rf := experiment.NewRulesFile(res.Rules, experimentModel(cfg, ds))
	rf.Method, rf.Data, rf.DataSeed, rf.Seed, rf.Steps, rf.Batch = res.Method, f.data, f.dataSeed, f.seed, res.Steps, f.batch
	rf.Scores = res.Final
	return rf
}

func experimentModel(cfg model.Config, ds data.Dataset) model.Config {
	cfg.Inputs, cfg.Outputs = ds.Dim(), ds.Classes
	return cfg
}

// writeTrainDir writes config.json, metrics.csv and rules.json into dir.
func writeTrainDir(dir string, config any, res experiment.Result, rf experiment.RulesFile) error {
	if dir == "" {
		return nil
	}
	rows := make([][]string, len(res.Metrics))
	for i, r := range res.Metrics {
		rows[i] = r.Strings()
	}
	if err := experiment.WriteJSON(filepath.Join(dir, "config.json"), config); err != nil {
		return err
	}
	if err := experiment.WriteCSV(filepath.Join(dir, "metrics.csv"), experiment.MetricsHeader, rows); err != nil {
		return err
	}
	return experiment.WriteJSON(filepath.Join(dir, "rules.json"), rf)
}

// writeConfusion writes the confusion matrix of the transfer's last test
// evaluation as dir/confusion.json, for plasticity plot.
func writeConfusion(dir string, tr experiment.TransferResult, ds data.Dataset, dataSeed uint64) error {
	return experiment.WriteJSON(filepath.Join(dir, figures.ConfusionFile), figures.Confusion{
		What: fmt.Sprintf("transfer: test split of %s after %d passes", ds.Name, tr.Passes),
		Data: ds.Name, DataSeed: dataSeed, Classes: ds.Classes, Counts: tr.FinalTest.Confusion})
}

func writeTransferCurve(path string, tr experiment.TransferResult) error {
	rows := make([][]string, len(tr.Curve))
	for i, p := range tr.Curve {
		rows[i] = []string{fmt.Sprintf("%.4f", p.Pass), fmt.Sprint(p.Samples),
			fmt.Sprintf("%.6g", p.OnlineAccuracy), fmt.Sprintf("%.6g", p.TestAccuracy)}
	}
	return experiment.WriteCSV(path, []string{"pass", "samples", "online_accuracy", "test_accuracy"}, rows)
}

func toTransferJSON(tr experiment.TransferResult, dataName string, dataSeed uint64) *transferJSON {
	return &transferJSON{Data: dataName, DataSeed: dataSeed, Passes: tr.Passes,
		FinalTrainAccuracy: tr.FinalTrain.Accuracy, FinalTestAccuracy: tr.FinalTest.Accuracy,
		FinalTestMajority: tr.FinalTest.Majority, Seconds: tr.Seconds, Curve: tr.Curve}
}

// runJSON is the -json object of run: one train object per method, each with
// its transfer.
type runJSON struct {
	Command  string `json:"command"`
	Data     string `json:"data"`
	DataSeed uint64 `json:"data_seed"`
	Seed     uint64 `json:"seed"`
	// ES is the best ES variant (bestES), ESSeed the seed paper's simple ES
	// beside it.
	ES     *trainJSON `json:"es"`
	ESSeed *trainJSON `json:"es_seed,omitempty"`
	// GD is our GD (bestGD, experiment.DefaultGD) or the variant -gd names,
	// GDSeed the seed paper's GD beside ours.
	GD     *trainJSON `json:"gd"`
	GDSeed *trainJSON `json:"gd_seed,omitempty"`
}

// bestES holds the flag values of the ES variant plasticity run uses unless
// -es is given: the one that met both goals of issue 3 on seed 1 (test
// accuracy 0.82 after one 100-sample lifetime, transfer accuracy 0.957 on
// data-seed 7 after 50 passes). It learns the output table only, on GD's
// model (bestGD): learned input and hidden tables (test 0.90 with every
// table learned) grow without bound over a transfer's 200,000 updates and
// fall to chance. Minus the cross-entropy is a smoother fitness than
// accuracy; a population of 200 with Adam step 0.03 gave more transfer
// accuracy at equal test accuracy than 40 with 0.1; and longer runs trade
// transfer for test accuracy (the rules fit the training draw ever closer),
// so 700 generations stop where both goals hold. Flags the user sets win
// over these.
var bestES = map[string]string{"es": "openai", "popsize": "200", "lr": "0.03", "fitness": "loss",
	"freeze": "input,hidden", "generations": "700",
	"act": "relu", "drive": "raw", "init": "scaled", "update": "misclassified"}

// runRow is one method of plasticity run: its rules and their transfer.
type runRow struct {
	res  experiment.Result
	tr   experiment.TransferResult
	out  *trainJSON
	note string
}

// runES trains rules with eo, transfers them to fresh and writes the
// method's folder under -out. The row is nil when a signal stopped training.
func (f *flags) runES(args []string, eo experiment.ESOptions, ds, fresh data.Dataset, note string, stderr io.Writer) (*runRow, error) {
	dir := ""
	if f.out != "" {
		dir = filepath.Join(f.out, "es-"+eo.Strategy)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	eo.Dir = dir
	config := map[string]any{"command": "run", "args": args, "es": eo}
	res, err := experiment.TrainES(eo, ds)
	if err != nil {
		return nil, inputError{err}
	}
	if res.Interrupted {
		if dir == "" {
			fmt.Fprintf(stderr, "stopped after generation %d of %d (no -out, so no checkpoint)\n", res.Steps, eo.Generations)
			return nil, nil
		}
		return nil, interrupted(dir, config, res, eo.Generations, stderr)
	}
	to := experiment.TransferOptions{Options: f.options(eo.Model, stderr), Passes: f.passes, RecordEvery: f.recordEvery}
	tr, err := experiment.Transfer(to, res.Rules, fresh)
	if err != nil {
		return nil, inputError{err}
	}
	rf := f.rulesFile(res, eo.Model, ds)
	out := &trainJSON{Method: res.Method, Data: f.data, Seed: f.seed, Generations: res.Steps,
		BatchAccuracy: res.Final.BatchAccuracy, TestAccuracy: res.Final.TestAccuracy, TestMajority: res.Final.TestMajority,
		Loss: res.Final.Loss, Seconds: res.Seconds, SamplesPerSecond: res.SamplesPerSecond, Rules: rf,
		Transfer: toTransferJSON(tr, f.data, f.dataSeed+1)}
	if dir != "" {
		if err := writeTrainDir(dir, config, res, rf); err != nil {
			return nil, err
		}
		if err := writeTransferCurve(filepath.Join(dir, "transfer.csv"), tr); err != nil {
			return nil, err
		}
		if err := writeConfusion(dir, tr, fresh, f.dataSeed+1); err != nil {
			return nil, err
		}
		out.Out = dir
	}
	return &runRow{res: res, tr: tr, out: out, note: note}, nil
}

// gdVariants returns the options of the GD runs of plasticity run: the
// variant -gd names (ours by default), then the seed's when -gd is not given.
// The GD flags given (-steps, -lr, -wd, -freeze, -rule-init-std, -loss)
// apply to both.
func (f *flags) gdVariants(stderr io.Writer) ([]experiment.GDOptions, error) {
	names := []string{f.gd}
	if !f.set("gd") {
		names = append(names, "seed")
	}
	var out []experiment.GDOptions
	for _, name := range names {
		g := *f
		g.gd = name
		cfg, err := g.gdModel()
		if err != nil {
			return nil, err
		}
		o, err := g.gdOptions(cfg, stderr)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// runGD trains rules with o, transfers them to fresh and writes the method's
// folder under -out. The row is nil when a signal stopped training.
func (f *flags) runGD(args []string, o experiment.GDOptions, ds, fresh data.Dataset, stderr io.Writer) (*runRow, error) {
	dir := ""
	if f.out != "" {
		dir = filepath.Join(f.out, o.Method())
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	o.Dir = dir
	res, err := experiment.TrainGD(o, ds)
	if err != nil {
		return nil, inputError{err}
	}
	if res.Interrupted {
		if dir == "" {
			fmt.Fprintf(stderr, "stopped after GD step %d of %d (no -out, so no checkpoint)\n", res.Steps, o.Steps)
			return nil, nil
		}
		return nil, interrupted(dir, map[string]any{"command": "run", "args": args, "gd": o}, res.Result, o.Steps, stderr)
	}
	to := experiment.TransferOptions{Options: f.options(o.Model, stderr), Passes: f.passes, RecordEvery: f.recordEvery}
	tr, err := experiment.Transfer(to, res.Rules, fresh)
	if err != nil {
		return nil, inputError{err}
	}
	rf := f.rulesFile(res.Result, o.Model, ds)
	out := gdJSON(res, f, rf, "")
	out.Command = ""
	out.Transfer = toTransferJSON(tr, f.data, f.dataSeed+1)
	if dir != "" {
		if err := writeGDDir(dir, map[string]any{"command": "run", "args": args, "gd": o}, res, rf); err != nil {
			return nil, err
		}
		if err := writeTransferCurve(filepath.Join(dir, "transfer.csv"), tr); err != nil {
			return nil, err
		}
		if err := writeConfusion(dir, tr, fresh, f.dataSeed+1); err != nil {
			return nil, err
		}
		out.Out = dir
	}
	return &runRow{res: res.Result, tr: tr, out: out, note: gdNoteOf(o)}, nil
}

// gdNoteOf describes the settings of a GD run for the legend of run's table.
func gdNoteOf(o experiment.GDOptions) string {
	who := "ours"
	if o.Variant == "seed" {
		who = "the seed paper's GD"
	}
	m := o.Model
	freeze := "none"
	if len(o.Freeze) > 0 {
		freeze = strings.Join(o.Freeze, ",")
	}
	start := "all-zero initial rules"
	if o.RuleInitStd > 0 {
		start = fmt.Sprintf("initial rules N(0,%g)", o.RuleInitStd*o.RuleInitStd)
	}
	return fmt.Sprintf("%s: Adam lr %g, wd %g, %d steps, loss on %s, %s, frozen tables %s; act %s, drive %s, init %s, norm %s, update %s",
		who, o.LR, o.WeightDecay, o.Steps, o.Loss, start, freeze, m.Act, m.Drive, m.Init, m.Norm, m.Update)
}

// esNote describes the settings of an ES run for the legend of run's table.
func esNote(eo experiment.ESOptions) string {
	c := eo.SearchSettings()
	s := fmt.Sprintf("population %d, sigma %g", c.PopSize, c.Sigma)
	switch eo.Strategy {
	case "openai":
		s += fmt.Sprintf(", lr %g, wd %g", c.LR, c.WeightDecay)
	case "simple":
		s += fmt.Sprintf(", %d parents", c.Parents)
	}
	m := eo.Model
	fitness := eo.Fitness
	if eo.Horizon > 0 {
		fitness += fmt.Sprintf(" (mean of the batch lifetime's and a %d-sample lifetime's)", eo.Horizon)
	}
	frozen := "none"
	if len(eo.Freeze) > 0 {
		frozen = strings.Join(eo.Freeze, ",")
	}
	return fmt.Sprintf("%s, %d generations, fitness %s, frozen tables %s; act %s, drive %s, init %s, norm %s, update %s",
		s, eo.Generations, fitness, frozen, m.Act, m.Drive, m.Init, m.Norm, m.Update)
}

func cmdRun(args []string, stdout, stderr io.Writer) error {
	f := newFlags("run", stderr)
	f.dataFlags()
	f.modelFlags()
	f.trainFlags()
	f.transferFlags()
	seeds := f.fs.Int("seeds", 1, "repeat the study for the seeds -seed, -seed+1, ... and report mean ± standard deviation")
	if err := f.parse(args, stderr); err != nil {
		return err
	}
	if *seeds != 1 {
		return f.runSeeds(args, *seeds, stdout, stderr)
	}
	// The seed's simple ES runs with the model flags as given; the best
	// variant with its own settings wherever the user left a flag unset.
	seedCfg, err := f.modelConfig(nil)
	if err != nil {
		return err
	}
	// GD's variants take their model settings before bestES marks its flags
	// as given: ours (or the one -gd names), and the seed's beside it.
	gdRuns, err := f.gdVariants(stderr)
	if err != nil {
		return err
	}
	withSeed := !f.set("es") || f.strategy != "simple"
	// Read before bestES sets -generations: a short run asked for is short
	// for both ES runs.
	shortRun := f.set("generations")
	if !f.set("es") {
		for name, v := range bestES {
			if !f.set(name) {
				if err := f.fs.Set(name, v); err != nil {
					return err
				}
			}
		}
	}
	cfg, err := f.modelConfig(nil)
	if err != nil {
		return err
	}
	eo, err := f.esOptions(cfg, stderr)
	if err != nil {
		return err
	}
	seedES := experiment.DefaultES(f.options(seedCfg, stderr))
	seedES.Fitness, seedES.EvalEvery, seedES.CheckpointEvery = "accuracy", f.evalEvery, f.ckptEvery
	if shortRun {
		seedES.Generations = f.generations
	}
	seedES.Data = eo.Data
	if err := f.prepareOut(); err != nil {
		return err
	}
	stop, err := f.profile()
	if err != nil {
		return err
	}
	ds, err := f.loadData(f.dataSeed)
	if err != nil {
		return err
	}
	fresh, err := f.loadData(f.dataSeed + 1)
	if err != nil {
		return err
	}
	interrupt, release := stopOnSignal(stderr)
	defer release()
	eo.Stop, seedES.Stop = interrupt, interrupt
	var rows []*runRow
	best, err := f.runES(args, eo, ds, fresh, "ours: "+esNote(eo), stderr)
	if err != nil || best == nil {
		return err
	}
	rows = append(rows, best)
	out := runJSON{Command: "run", Data: f.data, DataSeed: f.dataSeed, Seed: f.seed, ES: best.out}
	if withSeed {
		row, err := f.runES(args, seedES, ds, fresh, "the seed paper's ES: "+esNote(seedES), stderr)
		if err != nil || row == nil {
			return err
		}
		rows = append(rows, row)
		out.ESSeed = row.out
	}
	for i, o := range gdRuns {
		o.Stop = interrupt
		row, err := f.runGD(args, o, ds, fresh, stderr)
		if err != nil || row == nil {
			return err
		}
		rows = append(rows, row)
		if i == 0 {
			out.GD = row.out
		} else {
			out.GDSeed = row.out
		}
	}
	if err := stop(); err != nil {
		return err
	}
	if err := drawRun(f.out, args, nil, stderr); err != nil {
		return err
	}
	if f.json {
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "plasticity run: %s, seed %d; transfer to data-seed %d, %d passes\n\n", ds.Name, f.seed, f.dataSeed+1, f.passes)
	fmt.Fprintf(stdout, "%-12s %10s %10s %10s %12s %9s %9s\n", "method", "steps", "batch acc", "test acc", "transfer acc", "train s", "transf s")
	for _, r := range rows {
		fmt.Fprintf(stdout, "%-12s %10d %10.3f %10.3f %12.3f %9.1f %9.1f\n", r.res.Method, r.res.Steps,
			r.res.Final.BatchAccuracy, r.res.Final.TestAccuracy, r.tr.FinalTest.Accuracy, r.res.Seconds, r.tr.Seconds)
	}
	fmt.Fprintln(stdout)
	for _, r := range rows {
		fmt.Fprintf(stdout, "%s: %s\n", r.res.Method, r.note)
	}
	fmt.Fprintf(stdout, "\nbatch/test acc: mean of %d fresh lifetimes of %d samples; transfer acc: test split of the new draw after %d passes.\n",
		eo.EvalLifetimes, f.batch, f.passes)
	return nil
}

func cmdTrain(args []string, stdout, stderr io.Writer) error {
	f := newFlags("train", stderr)
	f.dataFlags()
	f.modelFlags()
	f.trainFlags()
	f.fs.StringVar(&f.resume, "resume", "", "continue the run saved in this run directory up to -generations (ES) or -steps (GD) in total")
	if err := f.parse(args, stderr); err != nil {
		return err
	}
	if f.resume != "" {
		return f.resumeTrain(args, stdout, stderr)
	}
	if f.method == "gd" {
		return f.trainGD(args, stdout, stderr)
	}
	cfg, err := f.modelConfig(nil)
	if err != nil {
		return err
	}
	eo, err := f.esOptions(cfg, stderr)
	if err != nil {
		return err
	}
	ds, stop, err := f.startTrain(fmt.Sprintf("%s-%s-seed%d", f.method, f.strategy, f.seed))
	if err != nil {
		return err
	}
	eo.Dir = f.out
	interrupt, release := stopOnSignal(stderr)
	defer release()
	eo.Stop = interrupt
	res, err := experiment.TrainES(eo, ds)
	if err != nil {
		return inputError{err}
	}
	if err := stop(); err != nil {
		return err
	}
	config := map[string]any{"command": "train", "args": args, "data": f.data, "data_seed": f.dataSeed, "es": eo}
	if res.Interrupted {
		return interrupted(f.out, config, res, eo.Generations, stderr)
	}
	return f.finishTrain(f.out, config, res, cfg, ds, stdout, stderr)
}

// startTrain readies a train command: the run directory (-out, by default
// runs/name), the profiles, and the data set. The function it returns ends
// the profiles.
func (f *flags) startTrain(name string) (data.Dataset, func() error, error) {
	if f.out == "" {
		f.out = filepath.Join("runs", name)
	}
	if err := f.prepareOut(); err != nil {
		return data.Dataset{}, nil, err
	}
	stop, err := f.profile()
	if err != nil {
		return data.Dataset{}, nil, err
	}
	ds, err := f.loadData(f.dataSeed)
	return ds, stop, err
}

// finishTrain writes the run directory of a finished ES run and reports it.
func (f *flags) finishTrain(dir string, config any, res experiment.Result, cfg model.Config, ds data.Dataset, stdout, stderr io.Writer) error {
	rf := f.rulesFile(res, cfg, ds)
	if err := writeTrainDir(dir, config, res, rf); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", filepath.Join(dir, "rules.json"))
	if f.json {
		return printJSON(stdout, trainJSON{Command: "train", Method: "es", Data: f.data, Seed: f.seed, Generations: res.Steps,
			BatchAccuracy: res.Final.BatchAccuracy, TestAccuracy: res.Final.TestAccuracy, TestMajority: res.Final.TestMajority,
			Loss: res.Final.Loss, Seconds: res.Seconds, SamplesPerSecond: res.SamplesPerSecond, Rules: rf, Out: dir})
	}
	fmt.Fprintf(stdout, "%s on %s: batch accuracy %.3f, test accuracy %.3f, loss %.3f (%d lifetimes); %d generations in %.1f s\n",
		res.Method, ds.Name, res.Final.BatchAccuracy, res.Final.TestAccuracy, res.Final.Loss, res.Final.Lifetimes, res.Steps, res.Seconds)
	return nil
}

// stopOnSignal returns a channel that is closed at the first SIGINT or
// SIGTERM: training then finishes its generation or step, writes its
// checkpoint and returns. A second signal ends the process at once. release
// restores the default handling.
func stopOnSignal(stderr io.Writer) (<-chan struct{}, func()) {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		select {
		case s := <-sig:
			fmt.Fprintf(stderr, "\n%v: finishing the current generation or step, then writing the checkpoint (again to abort)\n", s)
			close(stop)
		case <-done:
			return
		}
		select {
		case <-sig:
			os.Exit(130)
		case <-done:
		}
	}()
	return stop, func() { signal.Stop(sig); close(done) }
}

// interrupted ends a train command that a signal stopped: config.json next
// to the checkpoint and metrics.csv the run wrote, and where to resume.
// trainGD is plasticity train -method gd.
func (f *flags) trainGD(args []string, stdout, stderr io.Writer) error {
	cfg, err := f.gdModel()
	if err != nil {
		return err
	}
	o, err := f.gdOptions(cfg, stderr)
	if err != nil {
		return err
	}
	ds, stop, err := f.startTrain(fmt.Sprintf("gd-%s-seed%d", f.gd, f.seed))
	if err != nil {
		return err
	}
	o.Dir = f.out
	interrupt, release := stopOnSignal(stderr)
	defer release()
	o.Stop = interrupt
	res, err := experiment.TrainGD(o, ds)
	if err != nil {
		return inputError{err}
	}
	if err := stop(); err != nil {
		return err
	}
	config := map[string]any{"command": "train", "args": args, "data": f.data, "data_seed": f.dataSeed, "gd": o}
	if res.Interrupted {
		return interrupted(f.out, config, res.Result, o.Steps, stderr)
	}
	return f.finishGD(f.out, config, res, cfg, ds, stdout, stderr)
}

// finishGD writes the run directory of a finished GD run and reports it.
func (f *flags) finishGD(dir string, config any, res experiment.GDResult, cfg model.Config, ds data.Dataset, stdout, stderr io.Writer) error {
	rf := f.rulesFile(res.Result, cfg, ds)
	if err := writeGDDir(dir, config, res, rf); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", filepath.Join(dir, "rules.json"))
	if f.json {
		return printJSON(stdout, gdJSON(res, f, rf, dir))
	}
	fmt.Fprintf(stdout, "%s on %s: batch accuracy %.3f, test accuracy %.3f, loss %.3f (%d lifetimes); %d steps in %.1f s\n",
		res.Method, ds.Name, res.Final.BatchAccuracy, res.Final.TestAccuracy, res.Final.Loss, res.Final.Lifetimes, res.Steps, res.Seconds)
	return nil
}

// writeGDDir writes a GD run's config.json, metrics.csv and rules.json into
// dir.
func writeGDDir(dir string, config any, res experiment.GDResult, rf experiment.RulesFile) error {
	if err := experiment.WriteJSON(filepath.Join(dir, "config.json"), config); err != nil {
		return err
	}
	if err := experiment.WriteGDMetrics(filepath.Join(dir, "metrics.csv"), res.Rows); err != nil {
		return err
	}
	return experiment.WriteJSON(filepath.Join(dir, "rules.json"), rf)
}

// gdJSON is the train object of a GD run.
func gdJSON(res experiment.GDResult, f *flags, rf experiment.RulesFile, dir string) *trainJSON {
	return &trainJSON{Command: "train", Method: res.Method, Data: f.data, Seed: f.seed, Steps: res.Steps,
		BatchAccuracy: res.Final.BatchAccuracy, TestAccuracy: res.Final.TestAccuracy, TestMajority: res.Final.TestMajority,
		Loss: res.Final.Loss, Seconds: res.Seconds, SamplesPerSecond: res.SamplesPerSecond, Rules: rf, Out: dir}
}

func interrupted(dir string, config any, res experiment.Result, total int, stderr io.Writer) error {
	if err := experiment.WriteJSON(filepath.Join(dir, "config.json"), config); err != nil {
		return err
	}
	unit, flag := "generation", "-generations"
	if strings.HasPrefix(res.Method, "gd") {
		unit, flag = "step", "-steps"
	}
	fmt.Fprintf(stderr, "stopped after %s %d of %d; checkpoint in %s\ncontinue with: plasticity train -resume %s %s %d\n",
		unit, res.Steps, total, res.Checkpoint, dir, flag, total)
	return nil
}

// resumeTrain continues the run saved in -resume DIR up to -generations in
// total (default: the total the run was started with). Only flags that do
// not change the result may accompany -resume.
func (f *flags) resumeTrain(args []string, stdout, stderr io.Writer) error {
	allowed := map[string]bool{"resume": true, "generations": true, "steps": true, "workers": true, "json": true,
		"cpuprofile": true, "memprofile": true, "eval-every": true, "checkpoint-every": true}
	var other []string
	f.fs.Visit(func(fl *flag.Flag) {
		if !allowed[fl.Name] {
			other = append(other, "-"+fl.Name)
		}
	})
	if len(other) > 0 {
		return badInput("-resume takes the settings of the saved run; %s cannot change them (allowed: -generations or -steps, -workers, -eval-every, -checkpoint-every, -json)",
			strings.Join(other, " "))
	}
	ck, err := experiment.ReadCheckpoint(f.resume)
	if err != nil {
		return inputError{err}
	}
	dir := f.resume
	if filepath.Base(dir) == experiment.CheckpointFile {
		dir = filepath.Dir(dir)
	}
	if ck.Method == "gd" {
		return f.resumeGD(ck, dir, args, stdout, stderr)
	}
	if f.set("steps") {
		return badInput("%s holds an ES run: it counts -generations, not -steps", dir)
	}
	eo := ck.Options
	eo.Dir = dir
	if f.set("generations") {
		eo.Generations = f.generations
	}
	if eo.Generations < ck.Generation {
		return badInput("%s is at generation %d already; -generations %d would go back", dir, ck.Generation, eo.Generations)
	}
	ds, stop, err := f.resumeSetup(&eo.Options, eo.Data, &eo.EvalEvery, &eo.CheckpointEvery, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "resuming %s at generation %d of %d\n", dir, ck.Generation, eo.Generations)
	interrupt, release := stopOnSignal(stderr)
	defer release()
	eo.Stop = interrupt
	res, err := experiment.ResumeES(ck, eo, ds)
	if err != nil {
		return inputError{err}
	}
	if err := stop(); err != nil {
		return err
	}
	config := map[string]any{"command": "train", "args": args, "resumed_at": ck.Generation, "data": f.data, "data_seed": f.dataSeed, "es": eo}
	if res.Interrupted {
		return interrupted(dir, config, res, eo.Generations, stderr)
	}
	return f.finishTrain(dir, config, res, eo.Model, ds, stdout, stderr)
}

// resumeSetup applies to a saved run's options the flags a resume may change
// (-workers, -eval-every, -checkpoint-every), takes the run's data set, seed
// and batch for the run directory's files, starts the profiles and loads the
// data set d.
func (f *flags) resumeSetup(o *experiment.Options, d experiment.DataSpec, evalEvery, ckptEvery *int, stderr io.Writer) (data.Dataset, func() error, error) {
	o.Workers, o.Log = f.workers, stderr
	if f.set("eval-every") {
		*evalEvery = f.evalEvery
	}
	if f.set("checkpoint-every") {
		*ckptEvery = f.ckptEvery
	}
	f.data, f.dataSeed, f.mnist, f.standardize, f.seed, f.batch = d.Name, d.DataSeed, d.MNISTDir, d.Standardize, o.Seed, o.Batch
	stop, err := f.profile()
	if err != nil {
		return data.Dataset{}, nil, err
	}
	ds, err := f.loadData(d.DataSeed)
	return ds, stop, err
}

// resumeGD continues the GD run of checkpoint ck in dir up to -steps in
// total (default: the total the run was started with).
func (f *flags) resumeGD(ck *experiment.Checkpoint, dir string, args []string, stdout, stderr io.Writer) error {
	if f.set("generations") {
		return badInput("%s holds a GD run: it counts -steps, not -generations", dir)
	}
	o := ck.GD
	o.Dir = dir
	if f.set("steps") {
		o.Steps = f.steps
	}
	if o.Steps < ck.Generation {
		return badInput("%s is at step %d already; -steps %d would go back", dir, ck.Generation, o.Steps)
	}
	ds, stop, err := f.resumeSetup(&o.Options, o.Data, &o.EvalEvery, &o.CheckpointEvery, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "resuming %s at step %d of %d\n", dir, ck.Generation, o.Steps)
	interrupt, release := stopOnSignal(stderr)
	defer release()
	o.Stop = interrupt
	res, err := experiment.ResumeGD(ck, o, ds)
	if err != nil {
		return inputError{err}
	}
	if err := stop(); err != nil {
		return err
	}
	config := map[string]any{"command": "train", "args": args, "resumed_at": ck.Generation, "data": f.data, "data_seed": f.dataSeed, "gd": o}
	if res.Interrupted {
		return interrupted(dir, config, res.Result, o.Steps, stderr)
	}
	return f.finishGD(dir, config, res, o.Model, ds, stdout, stderr)
}

// loadRules reads -rules and builds the network configuration from it,
// overridden by any model flag given.
func (f *flags) loadRules() (experiment.RulesFile, model.Rules, model.Config, error) {
	if f.rules == "" {
		return experiment.RulesFile{}, model.Rules{}, model.Config{}, badInput("-rules FILE is required")
	}
	rf, r, err := experiment.ReadRulesFile(f.rules)
	if err != nil {
		return rf, r, model.Config{}, inputError{err}
	}
	base := rf.Config
	cfg, err := f.modelConfig(&base)
	if err != nil {
		return rf, r, cfg, err
	}
	if cfg.Rounds != r.Rounds {
		return rf, r, cfg, badInput("%s holds rules for R = %d; they cannot drive a network of R = %d", f.rules, r.Rounds, cfg.Rounds)
	}
	if !f.set("batch") && rf.Batch > 0 {
		f.batch = rf.Batch
	}
	return rf, r, cfg, nil
}

func cmdTransfer(args []string, stdout, stderr io.Writer) error {
	f := newFlags("transfer", stderr)
	f.fs.StringVar(&f.rules, "rules", "", "rules.json to apply")
	f.dataFlags()
	f.modelFlags()
	f.transferFlags()
	if err := f.parse(args, stderr); err != nil {
		return err
	}
	_, r, cfg, err := f.loadRules()
	if err != nil {
		return err
	}
	if err := f.prepareOut(); err != nil {
		return err
	}
	stop, err := f.profile()
	if err != nil {
		return err
	}
	ds, err := f.loadData(f.dataSeed)
	if err != nil {
		return err
	}
	to := experiment.TransferOptions{Options: f.options(cfg, stderr), Passes: f.passes, RecordEvery: f.recordEvery}
	tr, err := experiment.Transfer(to, r, ds)
	if err != nil {
		return inputError{err}
	}
	if err := stop(); err != nil {
		return err
	}
	out := toTransferJSON(tr, f.data, f.dataSeed)
	out.Command, out.Rules = "transfer", f.rules
	if f.out != "" {
		if err := writeTransferCurve(filepath.Join(f.out, "transfer.csv"), tr); err != nil {
			return err
		}
		if err := writeConfusion(f.out, tr, ds, f.dataSeed); err != nil {
			return err
		}
		if err := experiment.WriteJSON(filepath.Join(f.out, "transfer.json"), out); err != nil {
			return err
		}
	}
	if f.json {
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "transfer of %s to %s, %d passes: train accuracy %.3f, test accuracy %.3f (%.1f s)\n",
		f.rules, ds.Name, tr.Passes, tr.FinalTrain.Accuracy, tr.FinalTest.Accuracy, tr.Seconds)
	return nil
}

func cmdEval(args []string, stdout, stderr io.Writer) error {
	f := newFlags("eval", stderr)
	f.fs.StringVar(&f.rules, "rules", "", "rules.json to evaluate")
	f.dataFlags()
	f.modelFlags()
	f.evalFlag()
	if err := f.parse(args, stderr); err != nil {
		return err
	}
	_, r, cfg, err := f.loadRules()
	if err != nil {
		return err
	}
	stop, err := f.profile()
	if err != nil {
		return err
	}
	ds, err := f.loadData(f.dataSeed)
	if err != nil {
		return err
	}
	s, err := experiment.Score(f.options(cfg, stderr), ds, r)
	if err != nil {
		return inputError{err}
	}
	if err := stop(); err != nil {
		return err
	}
	if f.json {
		return printJSON(stdout, map[string]any{"command": "eval", "rules": f.rules, "data": f.data, "data_seed": f.dataSeed,
			"batch_accuracy": s.BatchAccuracy, "test_accuracy": s.TestAccuracy, "loss": s.Loss,
			"test_majority": s.TestMajority, "lifetimes": s.Lifetimes})
	}
	fmt.Fprintf(stdout, "%s on %s: batch accuracy %.3f, test accuracy %.3f, loss %.3f (mean of %d lifetimes of %d samples)\n",
		f.rules, ds.Name, s.BatchAccuracy, s.TestAccuracy, s.Loss, s.Lifetimes, f.batch)
	return nil
}

// cmdBench measures the kernels in use, the memory bandwidth beside them, the
// lifetime at both scales and one ES generation at MNIST scale (SPEC section 9).
func cmdBench(args []string, stdout, stderr io.Writer) error {
	f := newFlags("bench", stderr)
	seconds := f.fs.Float64("seconds", 0.25, "time spent on each measurement")
	kernel := f.fs.String("kernel", "", "kernel set to measure, one of "+strings.Join(linalg.Kernels(), ", ")+" (default the first)")
	if err := f.parse(args, stderr); err != nil {
		return err
	}
	if !(*seconds > 0 && *seconds <= 60) {
		return badInput("-seconds must be in (0, 60], got %v", *seconds)
	}
	if *kernel != "" {
		restore, err := linalg.SetKernel(*kernel)
		if err != nil {
			return inputError{err}
		}
		defer restore()
	}
	stop, err := f.profile()
	if err != nil {
		return err
	}
	rep, err := experiment.Bench(experiment.BenchOptions{Budget: time.Duration(*seconds * float64(time.Second)),
		Workers: f.workers, Seed: f.seed, Log: stderr})
	if err != nil {
		return err
	}
	if err := stop(); err != nil {
		return err
	}
	if f.json {
		return printJSON(stdout, rep)
	}
	return rep.WriteText(stdout)
}

// cmdPlot draws the figures of a run directory and writes its report.md.
// The directory may come before or after the flags.
func cmdPlot(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plasticity plot", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print the files written as one JSON object on stdout")
	var dir string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		dir, args = args[0], args[1:]
	}
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stderr)
		fmt.Fprintln(stderr, "Usage: plasticity plot [-json] DIR\n\ndraws the figures (SVG and PNG) and report.md of the run directory DIR")
		fs.PrintDefaults()
		return err
	}
	if err != nil {
		return badInput("%v (see -h)", err)
	}
	if dir == "" && fs.NArg() > 0 {
		dir = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return badInput("unexpected argument %q (plot takes one run directory)", fs.Arg(0))
	}
	if dir == "" || fs.NArg() > 1 {
		return badInput("plot takes one run directory: plasticity plot DIR")
	}
	files, err := figures.Draw(dir)
	if err != nil {
		return inputError{err}
	}
	if *asJSON {
		return printJSON(stdout, map[string]any{"command": "plot", "dir": dir, "files": files})
	}
	for _, p := range files {
		fmt.Fprintln(stdout, p)
	}
	return nil
}

// runSeeds repeats plasticity run for n seeds from -seed on, each in the
// folder seed<k> of -out with its own figures and report, and reports the
// mean and standard deviation of every method's measures over the seeds;
// with -out, the figures and report.md of all seeds go to -out itself.
func (f *flags) runSeeds(args []string, n int, stdout, stderr io.Writer) error {
	if n < 1 {
		return badInput("-seeds must be at least 1, got %d", n)
	}
	// Each seed is a plasticity run with the flags as given, but its own
	// -seed and -out, and -json so that its results can be read back.
	var base []string
	f.fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "seeds", "seed", "out", "json", "cpuprofile", "memprofile":
		default:
			base = append(base, "-"+fl.Name+"="+fl.Value.String())
		}
	})
	if err := f.prepareOut(); err != nil {
		return err
	}
	stop, err := f.profile()
	if err != nil {
		return err
	}
	prog := experiment.NewProgress(stderr, "run -seeds", n, "seed")
	var outs []figures.Outcome
	var runs []json.RawMessage
	var seedList []uint64
	for k := range n {
		seed := f.seed + uint64(k)
		child := append(slices.Clone(base), fmt.Sprintf("-seed=%d", seed), "-json")
		if f.out != "" {
			child = append(child, "-out="+filepath.Join(f.out, fmt.Sprintf("seed%d", seed)))
		}
		fmt.Fprintf(stderr, "seed %d (%d of %d): plasticity run %s\n", seed, k+1, n, strings.Join(child, " "))
		var buf bytes.Buffer
		if err := cmdRun(child, &buf, stderr); err != nil {
			return err
		}
		if buf.Len() == 0 {
			// A signal stopped this seed; it said where its checkpoint is.
			fmt.Fprintf(stderr, "stopped at seed %d; %d seeds finished\n", seed, k)
			return nil
		}
		o, err := runOutcomes(buf.Bytes(), seed)
		if err != nil {
			return err
		}
		outs = append(outs, o...)
		runs = append(runs, bytes.TrimSpace(buf.Bytes()))
		seedList = append(seedList, seed)
		prog.Update(k+1, fmt.Sprintf("seed %d done", seed))
		prog.Done()
	}
	if err := stop(); err != nil {
		return err
	}
	if err := drawRun(f.out, args, seedList, stderr); err != nil {
		return err
	}
	sum := figures.Summarize(outs)
	if f.json {
		return printJSON(stdout, map[string]any{"command": "run", "data": f.data, "data_seed": f.dataSeed,
			"seeds": seedList, "summary": sum, "runs": runs})
	}
	fmt.Fprintf(stdout, "plasticity run -seeds %d: %s (data-seed %d), seeds %d-%d; transfer to data-seed %d, %d passes\n\n",
		n, f.data, f.dataSeed, seedList[0], seedList[len(seedList)-1], f.dataSeed+1, f.passes)
	fmt.Fprintln(stdout, "mean ± standard deviation over the seeds (n-1):")
	if err := figures.WriteTable(stdout, sum); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%s\n", figures.TableNote)
	return nil
}

// runOutcomes reads back the methods of one plasticity run -json object: its
// members that are train objects (they have a "method"), in their order.
func runOutcomes(b []byte, seed uint64) ([]figures.Outcome, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("run -json of seed %d: not a JSON object", seed)
	}
	var outs []figures.Outcome
	for dec.More() {
		if _, err := dec.Token(); err != nil {
			return nil, fmt.Errorf("run -json of seed %d: %w", seed, err)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("run -json of seed %d: %w", seed, err)
		}
		var t trainJSON
		if json.Unmarshal(raw, &t) != nil || t.Method == "" {
			continue
		}
		o := figures.Outcome{Method: t.Method, Seed: seed, Steps: t.Generations + t.Steps, BatchAccuracy: t.BatchAccuracy,
			TestAccuracy: t.TestAccuracy, Loss: t.Loss, TestMajority: t.TestMajority, TransferAccuracy: math.NaN(), Seconds: t.Seconds}
		if t.Transfer != nil {
			o.TransferAccuracy = t.Transfer.FinalTestAccuracy
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// drawRun records the command in dir/run.json and draws dir's figures and
// report.md; it does nothing when dir is "" (no -out).
func drawRun(dir string, args []string, seeds []uint64, stderr io.Writer) error {
	if dir == "" {
		return nil
	}
	machine := fmt.Sprintf("%s (%d logical CPUs), %s/%s, %s, kernels %s", cpuid.CPU.BrandName, runtime.NumCPU(),
		runtime.GOOS, runtime.GOARCH, runtime.Version(), linalg.Kernel())
	info := figures.Info{Args: append([]string{"run"}, args...), Seeds: seeds, Machine: machine}
	if err := experiment.WriteJSON(filepath.Join(dir, figures.InfoFile), info); err != nil {
		return err
	}
	if _, err := figures.Draw(dir); err != nil {
		return fmt.Errorf("drawing the figures of %s: %w", dir, err)
	}
	fmt.Fprintf(stderr, "figures and report: %s\n", filepath.Join(dir, figures.ReportFile))
	return nil
}
