package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"plasticity/data"
	"plasticity/experiment"
	"plasticity/model"
	"plasticity/rundir"
)

// learnFlags are the groups of the commands that learn rules.
type learnFlags struct {
	studyFlags
	train  trainFlags
	preset presetFlag
	nats   natsFlags
}

func (l *learnFlags) register(fs *flag.FlagSet) {
	l.output.register(fs)
	l.data.register(fs)
	l.model.register(fs)
	l.eval.register(fs)
	l.train.register(fs)
	l.preset.register(fs)
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
	if err := checkTasks(*t.data); err != nil {
		return err
	}
	// The data first: a run that cannot start leaves no directory behind.
	ds, err := t.loadDraws(stderr)
	if err != nil {
		return err
	}
	if err := t.check(ds); err != nil {
		return inputError{err}
	}
	if l.output.out == "" {
		l.output.out = filepath.Join("runs", fmt.Sprintf("%s-seed%d", t.name, t.common.Seed))
	}
	if err := l.output.prepareOut(); err != nil {
		return err
	}
	release, err := hold(l.output.out)
	if err != nil {
		return err
	}
	defer release()
	stop, err := l.output.profile()
	if err != nil {
		return err
	}
	*t.dir = l.output.out
	fields := map[string]any{"command": "train", "args": redactArgs(args), "data": t.data.Name, "data_seed": t.data.DataSeed}
	return l.finish(t, ds, fields, stop, stdout, stderr)
}

// trainer builds the run plasticity train -method es|gd asks for: the
// method's settings under the preset and the flags given.
func (l *learnFlags) trainer(given given, log io.Writer) (*trainer, error) {
	p, err := l.preset.preset()
	if err != nil {
		return nil, err
	}
	d := l.data.spec(p, given)
	if err := l.data.checkGenerator(d, given); err != nil {
		return nil, err
	}
	method := l.train.method
	if !given("method") && p.Method != "" {
		method = p.Method
	}
	switch method {
	case "es":
		if l.train.steps != 0 {
			return nil, badInput("-steps is for -method gd")
		}
		if given("learn-weights") && l.train.learn != "" && l.train.learn != "none" {
			return nil, badInput("-learn-weights is for -method gd: ES does not search initial weights")
		}
		cfg, err := l.model.config(nil, p, d.Name, given)
		if err != nil {
			return nil, err
		}
		eo := l.train.esOptions(l.options(cfg, p, given, log), d, p, given)
		if err := l.train.startRules(&eo, given); err != nil {
			return nil, err
		}
		return esTrainer(eo), nil
	case "gd":
		if given("start-rules") {
			return nil, badInput("-start-rules is for -method es (openai)")
		}
		o, err := l.gdOptions(l.train.gd, d, p, given, log)
		if err != nil {
			return nil, err
		}
		if l.train.generations != 0 {
			return nil, badInput("-generations is for -method es; GD counts -steps")
		}
		return gdTrainer(o), nil
	}
	return nil, badInput("unknown -method %q (want es or gd)", method)
}

// gdOptions builds the settings of the GD variant named under the preset p:
// its network, then p's, under the model flags given; its settings, then
// p's, under the training flags given. A -gd given overrides p's GD
// settings (not its network).
func (l *learnFlags) gdOptions(variant string, d experiment.DataSpec, p experiment.Preset, given given, log io.Writer) (experiment.GDOptions, error) {
	_, base, vp, err := gdVariant(variant)
	if err != nil {
		return experiment.GDOptions{}, err
	}
	if given("gd") {
		p.GD = nil
	}
	both := experiment.Preset{Model: func(c *model.Config) { vp.ApplyModel(c); p.ApplyModel(c) }}
	cfg, err := l.model.config(nil, both, d.Name, given)
	if err != nil {
		return experiment.GDOptions{}, err
	}
	return l.train.gdOptions(base, l.options(cfg, p, given, log), d, p, given)
}

// finish runs t on ds until it ends or a signal stops it, ends the profiles
// (stop), and writes the run directory with fields in its config.json.
func (l *learnFlags) finish(t *trainer, ds data.Dataset, fields map[string]any, stop func() error, stdout, stderr io.Writer) error {
	dir := *t.dir
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
	config := t.config(fields)
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

// hold takes the run directory's lock for as long as this command runs: two
// processes writing one run directory would corrupt its checkpoint. The
// lock dies with its holder, however it ends.
func hold(dir string) (release func(), err error) {
	lock, err := rundir.Acquire(dir)
	if errors.Is(err, rundir.ErrInUse) {
		return nil, badInput("%v: another plasticity is training there", err)
	} else if err != nil {
		return nil, err
	}
	return func() { lock.Release() }, nil
}
