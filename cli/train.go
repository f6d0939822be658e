package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"plasticity/rundir"

	"plasticity/data"
	"plasticity/experiment"
)

// learnFlags are the groups of the commands that learn rules.
type learnFlags struct {
	studyFlags
	train trainFlags
	nats  natsFlags
}

func (l *learnFlags) register(fs *flag.FlagSet) {
	l.output.register(fs)
	l.data.register(fs)
	l.model.register(fs)
	l.eval.register(fs)
	l.train.register(fs)
	l.nats.register(fs)
}

func cmdTrain(args []string, stdout, stderr io.Writer) error {
	var l learnFlags
	fs := newFlagSet("train")
	l.register(fs)
	resume := fs.String("resume", "", "continue the run saved in this run directory up to -generations (ES) or -steps (GD) in total")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	given := givenIn(fs)
	if *resume != "" {
		var other []string
		fs.Visit(func(f *flag.Flag) {
			if !resumeAllowed[f.Name] {
				other = append(other, "-"+f.Name)
			}
		})
		return l.resume(*resume, given, other, args, stdout, stderr)
	}
	t, err := l.trainer(given, stderr)
	if err != nil {
		return err
	}
	if l.output.out == "" {
		l.output.out = filepath.Join("runs", fmt.Sprintf("%s-seed%d", t.name, t.common.Seed))
	}
	if err := l.output.prepareOut(); err != nil {
		return err
	}
	stop, err := l.output.profile()
	if err != nil {
		return err
	}
	ds, err := loadData(*t.data, t.data.DataSeed, stderr)
	if err != nil {
		return err
	}
	*t.dir = l.output.out
	fields := map[string]any{"command": "train", "args": redactArgs(args), "data": t.data.Name, "data_seed": t.data.DataSeed}
	return l.finish(t, ds, fields, stop, stdout, stderr)
}

// trainer builds the run plasticity train -method es|gd asks for: the
// method's settings under the flags given.
func (l *learnFlags) trainer(given given, log io.Writer) (*trainer, error) {
	d := l.data.spec(experiment.Preset{}, given)
	switch l.train.method {
	case "es":
		if l.train.steps != 0 {
			return nil, badInput("-steps is for -method gd")
		}
		cfg, err := l.model.config(nil, experiment.Preset{}, d.Name, given)
		if err != nil {
			return nil, err
		}
		opts := l.options(cfg, experiment.Preset{}, given, log)
		return esTrainer(l.train.esOptions(opts, d, experiment.Preset{}, given)), nil
	case "gd":
		o, err := l.gdOptions(l.train.gd, d, given, log)
		if err != nil {
			return nil, err
		}
		if l.train.generations != 0 {
			return nil, badInput("-generations is for -method es; GD counts -steps")
		}
		return gdTrainer(o), nil
	}
	return nil, badInput("unknown -method %q (want es or gd)", l.train.method)
}

// gdOptions builds the settings of the GD variant named: its network under
// the model flags given, its settings under the training flags given.
func (l *learnFlags) gdOptions(variant string, d experiment.DataSpec, given given, log io.Writer) (experiment.GDOptions, error) {
	_, base, preset, err := gdVariant(variant)
	if err != nil {
		return experiment.GDOptions{}, err
	}
	cfg, err := l.model.config(nil, preset, d.Name, given)
	if err != nil {
		return experiment.GDOptions{}, err
	}
	return l.train.gdOptions(base, l.options(cfg, experiment.Preset{}, given, log), d, experiment.Preset{}, given)
}

// finish runs t on ds until it ends or a signal stops it, ends the profiles
// (stop), and writes the run directory with fields in its config.json.
func (l *learnFlags) finish(t *trainer, ds data.Dataset, fields map[string]any, stop func() error, stdout, stderr io.Writer) error {
	interrupt, release := stopOnSignal(stderr)
	defer release()
	t.common.Stop = interrupt
	end, err := t.distribute(l.nats, ds, stderr)
	if err != nil {
		return err
	}
	res, err := t.run(ds)
	end()
	if errors.Is(err, experiment.ErrEvaluator) {
		return fmt.Errorf("%w; continue with: plasticity train -resume %s -nats URL", err, *t.dir)
	}
	if err != nil {
		return inputError{err}
	}
	if err := stop(); err != nil {
		return err
	}
	dir, config := *t.dir, t.config(fields)
	if res.Interrupted {
		return interrupted(t, dir, config, res, stderr)
	}
	rf := rulesFile(t, res, ds)
	if err := writeTrainDir(dir, config, res, rf); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", filepath.Join(dir, rundir.Rules))
	if l.output.json {
		j := trainObject(t, res, rf)
		j.Command, j.Out = "train", dir
		if t.family == "es" {
			j.Method = "es" // train's object has always named ES runs by family
		}
		return printJSON(stdout, j)
	}
	fmt.Fprintf(stdout, "%s on %s: batch accuracy %.3f, test accuracy %.3f, loss %.3f (%d lifetimes); %d %ss in %.1f s\n",
		res.Method, ds.Name, res.Final.BatchAccuracy, res.Final.TestAccuracy, res.Final.Loss, res.Final.Lifetimes, res.Steps, t.unit, res.Seconds)
	return nil
}

// interrupted ends a run that a signal stopped: config.json next to the
// checkpoint and metrics.csv the run wrote, and where to resume.
func interrupted(t *trainer, dir string, config any, res experiment.Result, stderr io.Writer) error {
	if err := rundir.WriteJSON(filepath.Join(dir, rundir.Config), config); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "stopped after %s %d of %d; checkpoint in %s\ncontinue with: plasticity train -resume %s %s %d\n",
		t.unit, res.Steps, *t.total, res.Checkpoint, dir, t.countFlag, *t.total)
	return nil
}
