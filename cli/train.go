package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"plasticity/data"
	"plasticity/experiment"
	"plasticity/model"
	"strings"
)

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
