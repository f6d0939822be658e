package cli

import (
	"fmt"
	"io"
	"path/filepath"

	"plasticity/cluster"
	"plasticity/data"
	"plasticity/experiment"
	"plasticity/rundir"
)

// This file is the only one that knows how experiment's training loop is
// started and resumed: every command trains through a trainer and reads its
// experiment.Result.

// trainer is one training run, by ES or by GD, ready to start or resume.
// The pointers reach into its own options, for the few settings a command
// may still change (the run directory, the stop channel, and on resume the
// total, the intervals and the workers).
type trainer struct {
	// family is "es" or "gd"; it keys the options in config.json.
	family string
	// method names the run's results and its folder in plasticity run
	// (es-openai, gd, gd-seed); name a train's default run directory
	// (es-simple, gd-ours, gd-seed).
	method, name string
	// unit and countFlag are how the run counts: generation and -generations,
	// or step and -steps.
	unit, countFlag string
	// done is how many generations or steps a resumed run has behind it.
	done int

	options                         any // the whole options, for config.json
	common                          *experiment.Options
	data                            *experiment.DataSpec
	total, evalEvery, checkpointGap *int
	dir                             *string
	// more are draws 1 .. N-1 of a run with -tasks N (loadTasks).
	more []data.Dataset

	run func(ds data.Dataset) (experiment.Result, error)
	// check refuses settings that do not fit ds, before anything is written.
	check func(ds data.Dataset) error
}

// esTrainer trains by ES with o.
func esTrainer(o experiment.ESOptions) *trainer {
	p := &o
	t := &trainer{family: "es", method: "es-" + o.Strategy, name: "es-" + o.Strategy, unit: "generation", countFlag: "-generations",
		options: p, common: &p.Options, data: &p.Data, total: &p.Generations, evalEvery: &p.EvalEvery,
		checkpointGap: &p.CheckpointEvery, dir: &p.Dir}
	t.run = func(ds data.Dataset) (experiment.Result, error) { return experiment.Train(*p, ds, t.more...) }
	t.check = func(ds data.Dataset) error { return experiment.Validate(*p, ds) }
	return t
}

// gdTrainer trains by GD with o.
func gdTrainer(o experiment.GDOptions) *trainer {
	p := &o
	t := &trainer{family: "gd", method: o.Name(), name: "gd-" + o.Variant, unit: "step", countFlag: "-steps",
		options: p, common: &p.Options, data: &p.Data, total: &p.Steps, evalEvery: &p.EvalEvery,
		checkpointGap: &p.CheckpointEvery, dir: &p.Dir}
	t.run = func(ds data.Dataset) (experiment.Result, error) { return experiment.Train(*p, ds, t.more...) }
	t.check = func(ds data.Dataset) error { return experiment.Validate(*p, ds) }
	return t
}

// resumeTrainer reads the checkpoint in the run directory dir (or at the
// checkpoint file's path) and returns the trainer that continues it, and the
// run directory.
func resumeTrainer(path string) (*trainer, string, error) {
	ck, err := experiment.ReadCheckpoint(path)
	if err != nil {
		return nil, "", inputError{err}
	}
	dir := path
	if filepath.Base(dir) == rundir.Checkpoint {
		dir = filepath.Dir(dir)
	}
	var t *trainer
	var m func() experiment.Method
	switch ck.Kind {
	case "gd":
		t = gdTrainer(*ck.GD)
		p := t.options.(*experiment.GDOptions)
		m = func() experiment.Method { return *p }
	default:
		t = esTrainer(*ck.ES)
		p := t.options.(*experiment.ESOptions)
		m = func() experiment.Method { return *p }
	}
	t.run = func(ds data.Dataset) (experiment.Result, error) { return experiment.Resume(ck, m(), ds, t.more...) }
	t.done = ck.Step
	*t.dir = dir
	return t, dir, nil
}

// config is the content of config.json: fields and the run's options.
func (t *trainer) config(fields map[string]any) map[string]any {
	fields[t.family] = t.options
	return fields
}

// stopped is how a run that a signal stopped without a run directory says
// where it got to.
func (t *trainer) stopped(res experiment.Result) string {
	unit := t.unit
	if t.family == "gd" {
		unit = "GD step"
	}
	return fmt.Sprintf("stopped after %s %d of %d (no -out, so no checkpoint)", unit, res.Steps, *t.total)
}

// distribute makes an ES run evaluate its candidates on the workers of the
// NATS server n names (nothing without -nats) and returns the function that
// ends it. With -nats embedded it starts the server here, says how workers
// join it and writes its address to the run directory.
func (t *trainer) distribute(n natsFlags, ds data.Dataset, stderr io.Writer) (func(), error) {
	if n.url == "" {
		return func() {}, nil
	}
	if t.family != "es" {
		return nil, badInput("-nats spreads ES candidates over workers; a GD run trains in one process (drop -nats)")
	}
	conn, err := n.connect(*t.dir, stderr)
	if err != nil {
		return nil, err
	}
	c, err := cluster.NewCoordinator(conn.nc, *t.options.(*experiment.ESOptions), ds,
		cluster.CoordinatorOptions{LocalWorkers: n.localWorkers, Log: stderr, URL: conn.show}, t.more...)
	if err != nil {
		conn.close()
		return nil, inputError{err}
	}
	conn.serve(c)
	t.options.(*experiment.ESOptions).Evaluator = c
	fmt.Fprintf(stderr, "cluster: run %s on %s\n", c.Run(), conn.show)
	if c.EvaluatesTests() {
		fmt.Fprintln(stderr, "cluster: no local goroutines, so the test measurements and the final scores go to the workers too")
	}
	return conn.close, nil
}
