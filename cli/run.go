package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"plasticity/data"
	"plasticity/experiment"
	"strings"
)

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
