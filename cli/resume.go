package cli

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"plasticity/data"
	"plasticity/experiment"
	"strings"
)

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
