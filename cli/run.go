package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"plasticity/data"
	"plasticity/experiment"
)

// runFlags are the flags of plasticity run.
type runFlags struct {
	learnFlags
	transfer transferFlags
	seeds    int
	resume   string
	// resumed is the stored study run -resume continues (nil: none).
	resumed *studyFile
	// cont: a method whose folder holds a checkpoint of its options
	// continues from it (a seed of a resumed study).
	cont bool
	// pre and given are the preset and the flags given, once parsed.
	pre   experiment.Preset
	given given
}

func (r *runFlags) register(fs *flag.FlagSet) {
	r.learnFlags.register(fs)
	r.transfer.register(fs)
	fs.IntVar(&r.seeds, "seeds", 1, "repeat the study for the seeds -seed, -seed+1, ... and report mean ± standard deviation")
	fs.StringVar(&r.resume, "resume", "", "continue the run -seeds N study in this run directory: its complete seeds are read back")
}

// runPlan is one method of plasticity run before it runs: the trainer, the
// legend of its settings, and its member of the -json object.
type runPlan struct {
	t    *trainer
	note string
	slot func(*runJSON) **trainJSON
}

// runRow is one method of plasticity run: its rules and their transfer.
type runRow struct {
	res  experiment.Result
	tr   experiment.TransferResult
	out  *trainJSON
	note string
}

// cmdRun is the main study: the best ES (experiment.BestES, unless -es is
// given) and the seed paper's ES beside it, our GD (or the variant -gd
// names) and the paper's GD beside it; each learns rules on the data set
// and transfers them to its next draw.
func cmdRun(args []string, stdout, stderr io.Writer) error {
	return runStudy(args, false, stdout, stderr)
}

// runStudy is cmdRun; with cont, its methods continue from the checkpoints
// their folders hold.
func runStudy(args []string, cont bool, stdout, stderr io.Writer) error {
	r := runFlags{cont: cont}
	fs := newFlagSet("run")
	r.register(fs)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if r.resume != "" {
		return resumeStudy(r.resume, fs, stdout, stderr)
	}
	if r.nats.url != "" && !givenIn(fs)("seeds") {
		return badInput("-nats with run sends whole seeds to the workers: give -seeds N")
	}
	if r.seeds != 1 || r.nats.url != "" {
		return r.runSeeds(fs, args, stdout, stderr)
	}
	given := givenIn(fs)
	p, err := r.preset.preset()
	if err != nil {
		return err
	}
	r.pre, r.given = p, given
	d := r.data.spec(p, given)
	if err := r.data.checkGenerator(d, given); err != nil {
		return err
	}
	if err := checkTasks(r.train.withTasks(d, given)); err != nil {
		return err
	}
	plan, err := r.plan(d, given, stderr)
	if err != nil {
		return err
	}
	ds, stop, err := r.output.begin(d, stderr)
	if err != nil {
		return err
	}
	fresh, err := loadData(d, d.DataSeed+1, stderr)
	if err != nil {
		return err
	}
	interrupt, release := stopOnSignal(stderr)
	defer release()
	out := runJSON{Command: "run", Data: d.Name, DataSeed: d.DataSeed, Seed: plan[0].t.common.Seed}
	var rows []*runRow
	for _, p := range plan {
		p.t.common.Stop = interrupt
		row, err := r.runOne(args, p, ds, fresh, stderr)
		if err != nil || row == nil {
			return err
		}
		rows = append(rows, row)
		*p.slot(&out) = row.out
	}
	if err := stop(); err != nil {
		return err
	}
	if err := drawRun(r.output.out, args, nil, stderr); err != nil {
		return err
	}
	if r.output.json {
		return printJSON(stdout, out)
	}
	r.writeTable(stdout, ds.Name, d.DataSeed+1, rows, plan[0].t.common)
	return nil
}

// plan builds the methods of plasticity run on the data set d. A preset
// takes the place of our ES's and our GD's recipes; the paper's rows take
// only its batch.
func (r *runFlags) plan(d experiment.DataSpec, given given, log io.Writer) ([]runPlan, error) {
	shared := experiment.Preset{Options: r.pre.Options}
	// The paper's ES runs on the model flags as given; the best ES on its
	// preset's network under the model flags given.
	paperCfg, err := r.model.config(nil, experiment.Preset{}, d.Name, given)
	if err != nil {
		return nil, err
	}
	variants := []string{r.train.gd}
	if !given("gd") {
		variants = append(variants, "paper")
	}
	var gds []experiment.GDOptions
	for i, v := range variants {
		p := r.pre
		if i > 0 {
			p = shared
		}
		o, err := r.gdOptions(v, d, p, given, log)
		if err != nil {
			return nil, err
		}
		gds = append(gds, o)
	}
	best := experiment.BestES
	if r.pre.Name != "" {
		best = r.pre
	} else if given("es") {
		best = experiment.Preset{}
	}
	cfg, err := r.model.config(nil, best, d.Name, given)
	if err != nil {
		return nil, err
	}
	eo := r.train.esOptions(r.options(cfg, best, given, log), d, best, given)
	plan := []runPlan{{esTrainer(eo), "ours: " + esNote(eo), func(j *runJSON) **trainJSON { return &j.ES }}}
	if !given("es") || r.train.strategy != "simple" {
		// The paper's ES takes only the run's length and intervals from the
		// flags: a short run asked for is short for both ES runs.
		p := experiment.DefaultES(r.options(paperCfg, shared, given, log))
		p.EvalEvery, p.CheckpointEvery, p.Data = r.train.evalEvery, r.train.ckptEvery, eo.Data
		if given("generations") {
			p.Generations = r.train.generations
		}
		plan = append(plan, runPlan{esTrainer(p), "the seed paper's ES: " + esNote(p), func(j *runJSON) **trainJSON { return &j.ESPaper }})
	}
	for i, o := range gds {
		slot := func(j *runJSON) **trainJSON { return &j.GD }
		if i > 0 {
			slot = func(j *runJSON) **trainJSON { return &j.GDPaper }
		}
		plan = append(plan, runPlan{gdTrainer(o), gdNote(o), slot})
	}
	return plan, nil
}

// runOne trains rules as p says, transfers them to fresh and writes the
// method's folder under -out. The row is nil when a signal stopped training.
func (r *runFlags) runOne(args []string, p runPlan, ds, fresh data.Dataset, stderr io.Writer) (*runRow, error) {
	t := p.t
	dir := ""
	if r.output.out != "" {
		dir = filepath.Join(r.output.out, t.method)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	*t.dir = dir
	if err := t.loadTasks(stderr); err != nil {
		return nil, err
	}
	res, err := r.learn(t, ds, dir, stderr)
	if err != nil {
		return nil, inputError{err}
	}
	config := t.config(map[string]any{"command": "run", "args": args})
	if res.Interrupted {
		if dir == "" {
			fmt.Fprintln(stderr, t.stopped(res))
			return nil, nil
		}
		return nil, interrupted(t, dir, config, res, stderr)
	}
	opts := *t.common
	opts.Stop = nil
	tr, err := experiment.Transfer(r.transfer.options(opts, r.pre, r.given), res.Rules, fresh)
	if err != nil {
		return nil, inputError{err}
	}
	rf := rulesFile(t, res, ds)
	out := trainObject(t, res, rf)
	out.Transfer = toTransferJSON(tr, t.data.Name, t.data.DataSeed+1)
	if dir != "" {
		if err := writeTrainDir(dir, config, res, rf); err != nil {
			return nil, err
		}
		if err := writeTransferDir(dir, tr, fresh, t.data.DataSeed+1); err != nil {
			return nil, err
		}
		out.Out = dir
	}
	return &runRow{res: res, tr: tr, out: out, note: p.note}, nil
}

// writeTable prints the study's table and the legend of each method's
// settings; freshSeed is the transfer's draw, o the first method's shared
// settings.
func (r *runFlags) writeTable(w io.Writer, dataName string, freshSeed uint64, rows []*runRow, o *experiment.Options) {
	fmt.Fprintf(w, "plasticity run: %s, seed %d; transfer to data-seed %d, %d passes\n\n", dataName, o.Seed, freshSeed, r.transfer.passes)
	fmt.Fprintf(w, "%-12s %10s %10s %10s %12s %9s %9s\n", "method", "steps", "batch acc", "test acc", "transfer acc", "train s", "transf s")
	for _, r := range rows {
		fmt.Fprintf(w, "%-12s %10d %10.3f %10.3f %12.3f %9.1f %9.1f\n", r.res.Method, r.res.Steps,
			r.res.Final.BatchAccuracy, r.res.Final.TestAccuracy, r.tr.FinalTest.Accuracy, r.res.Seconds, r.tr.Seconds)
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		fmt.Fprintf(w, "%s: %s\n", r.res.Method, r.note)
	}
	fmt.Fprintf(w, "\nbatch/test acc: mean of %d fresh lifetimes of %d samples; transfer acc: test split of the new draw after %d passes.\n",
		o.EvalLifetimes, o.Batch, r.transfer.passes)
}

// gdNote describes the settings of a GD run for the legend of run's table.
func gdNote(o experiment.GDOptions) string {
	who := "ours"
	if o.Variant == "paper" {
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
