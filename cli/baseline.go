package cli

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"plasticity/baseline"
	"plasticity/experiment"
	"plasticity/rundir"
)

// baselineFlags are baseline's own flags; the probe also takes the flags of
// transfer (rulesFlags, transferFlags).
type baselineFlags struct {
	model    string
	epochs   int
	patience int
	lr       float64
}

func (b *baselineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.model, "model", "logistic", "logistic (regression), mlp (one relu hidden layer of -hidden neurons, default 100) "+
		"or probe (logistic regression on the hidden layer a transfer of -rules built, beside the untrained network's)")
	fs.IntVar(&b.epochs, "epochs", 100, "most passes of mini-batch Adam over the training split")
	fs.IntVar(&b.patience, "patience", 5, "stop after this many epochs in a row in which the mean training loss fell by at most 1e-4")
	fs.Float64Var(&b.lr, "lr", 0.001, "Adam step size")
}

// probeOnly are the flags that only -model probe takes (-hidden, the mlp's
// width, aside).
func probeOnly() map[string]bool {
	var r rulesFlags
	var tf transferFlags
	fs := newFlagSet("probe")
	r.model.register(fs)
	tf.register(fs)
	names := map[string]bool{"rules": true, "ablate": true}
	fs.VisitAll(func(f *flag.Flag) { names[f.Name] = f.Name != "hidden" })
	return names
}

// baselineJSON is the -json object of baseline (docs/model.md §10.6).
type baselineJSON struct {
	Command        string       `json:"command"`
	Model          string       `json:"model"`
	Data           string       `json:"data"`
	DataSeed       uint64       `json:"data_seed"`
	Seed           uint64       `json:"seed"`
	Hidden         int          `json:"hidden,omitempty"`
	TrainAccuracy  float64      `json:"train_accuracy"`
	TestAccuracy   float64      `json:"test_accuracy"`
	Seconds        float64      `json:"seconds"`
	Fit            baseline.Fit `json:"fit"`
	Rules          string       `json:"rules,omitempty"`
	Ablate         string       `json:"ablate,omitempty"`
	ProbeUntrained *float64     `json:"probe_untrained,omitempty"`
	// The probe's other figures: the untrained probe's training accuracy and
	// the transfer's own readout.
	ProbeUntrainedTrain *float64      `json:"probe_untrained_train_accuracy,omitempty"`
	Transfer            *transferJSON `json:"transfer,omitempty"`
}

func cmdBaseline(args []string, stdout, stderr io.Writer) error {
	var r rulesFlags
	var tf transferFlags
	var b baselineFlags
	fs := newFlagSet("baseline")
	r.register(fs, "probe (-model probe)")
	tf.register(fs)
	b.register(fs)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	start := time.Now()
	given := givenIn(fs)
	fit := baseline.Options{Epochs: b.epochs, Patience: b.patience, LR: b.lr, Seed: r.output.seed, Log: stderr}
	switch b.model {
	case "logistic", "mlp":
		for name, only := range probeOnly() {
			if only && given(name) || name == "hidden" && given(name) && b.model == "logistic" {
				return badInput("-%s is not a flag of -model %s", name, b.model)
			}
		}
	case "probe":
	default:
		return badInput("unknown -model %q (want logistic, mlp or probe)", b.model)
	}
	if b.epochs < 1 || b.patience < 1 || !(b.lr > 0) {
		return badInput("-epochs and -patience must be at least 1 and -lr positive")
	}
	stop, err := r.output.profile()
	if err != nil {
		return err
	}
	var out *baselineJSON
	if b.model == "probe" {
		out, err = runProbe(&r, tf, fit, given, stderr)
	} else {
		out, err = runBaseline(&r, b, fit, given, stderr)
	}
	if err != nil {
		return err
	}
	if err := stop(); err != nil {
		return err
	}
	out.Command, out.Model, out.Seed = "baseline", b.model, r.output.seed
	out.Seconds = time.Since(start).Seconds()
	return writeBaseline(&r, out, stdout)
}

// runBaseline fits logistic regression or the mlp on the data set.
func runBaseline(r *rulesFlags, b baselineFlags, fit baseline.Options, given given, log io.Writer) (*baselineJSON, error) {
	d := r.data.spec(experiment.Preset{}, given)
	if err := r.data.checkGenerator(d, given); err != nil {
		return nil, err
	}
	ds, err := loadData(d, d.DataSeed, log)
	if err != nil {
		return nil, err
	}
	if b.model == "mlp" {
		fit.Hidden = 100
		if given("hidden") {
			fit.Hidden = r.model.hidden
		}
		if fit.Hidden < 1 {
			return nil, badInput("-hidden must be at least 1, got %d", fit.Hidden)
		}
	}
	fmt.Fprintf(log, "baseline: %s on %s (%d training samples of %d features, %d classes)\n",
		b.model, ds.Name, ds.Train.Len(), ds.Train.Dim, ds.Classes)
	c, f, err := baseline.Train(fit, ds.Train, ds.Classes)
	if err != nil {
		return nil, inputError{err}
	}
	return &baselineJSON{Data: d.Name, DataSeed: d.DataSeed, Hidden: fit.Hidden, Fit: f,
		TrainAccuracy: c.Accuracy(ds.Train), TestAccuracy: c.Accuracy(ds.Test)}, nil
}

// runProbe runs the transfer of -rules and probes its hidden layer and the
// untrained one.
func runProbe(r *rulesFlags, tf transferFlags, fit baseline.Options, given given, log io.Writer) (*baselineJSON, error) {
	rules, opts, d, err := r.load(given, experiment.Preset{}, log)
	if err != nil {
		return nil, err
	}
	ds, err := loadData(d, d.DataSeed, log)
	if err != nil {
		return nil, err
	}
	p, err := experiment.Probe(tf.options(opts, experiment.Preset{}, given), rules, ds, fit)
	if err != nil {
		return nil, inputError{err}
	}
	tr := toTransferJSON(p.Transfer, d.Name, d.DataSeed)
	tr.Curve = nil
	return &baselineJSON{Data: d.Name, DataSeed: d.DataSeed, Hidden: opts.Model.Hidden, Fit: p.Trained.Fit,
		Rules: r.rules, Ablate: r.ablate, Transfer: tr,
		TrainAccuracy: p.Trained.TrainAccuracy, TestAccuracy: p.Trained.TestAccuracy,
		ProbeUntrained: &p.Untrained.TestAccuracy, ProbeUntrainedTrain: &p.Untrained.TrainAccuracy}, nil
}

// writeBaseline writes the summary into -out, if given, and prints it.
func writeBaseline(r *rulesFlags, out *baselineJSON, stdout io.Writer) error {
	if dir := r.output.out; dir != "" {
		if err := r.output.prepareOut(); err != nil {
			return err
		}
		if err := rundir.WriteJSON(filepath.Join(dir, rundir.BaselineSummary), out); err != nil {
			return err
		}
	}
	if r.output.json {
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "baseline %s on %s: train accuracy %.4f, test accuracy %.4f (%d epochs, %.1f s)\n",
		out.Model, out.Data, out.TrainAccuracy, out.TestAccuracy, out.Fit.Epochs, out.Seconds)
	if out.ProbeUntrained != nil {
		fmt.Fprintf(stdout, "probe of the untrained network: train accuracy %.4f, test accuracy %.4f; "+
			"the transfer's own readout: test accuracy %.4f\n", *out.ProbeUntrainedTrain, *out.ProbeUntrained, out.Transfer.FinalTestAccuracy)
	}
	return nil
}
