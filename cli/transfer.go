package cli

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"plasticity/experiment"
	"plasticity/model"
	"plasticity/rundir"
)

// rulesFlags are the groups of the commands that study saved rules.
type rulesFlags struct {
	studyFlags
	rules  string
	ablate string
}

func (r *rulesFlags) register(fs *flag.FlagSet, what string) {
	r.output.register(fs)
	r.data.register(fs)
	r.model.register(fs)
	fs.StringVar(&r.rules, "rules", "", "rules.json to "+what)
	fs.StringVar(&r.ablate, "ablate", "", "rule tables set to zero before use, comma-separated input,hidden,output")
}

// load reads -rules and builds the settings of a study of them under the
// preset p: the data set (p's under the data flags given), the rules file's
// network (which replaces p's) under the model flags given, the file's batch
// (over p's) unless -batch is given.
func (r *rulesFlags) load(given given, p experiment.Preset, log io.Writer) (model.Rules, experiment.Options, experiment.DataSpec, error) {
	d := r.data.spec(p, given)
	if err := r.data.checkGenerator(d, given); err != nil {
		return model.Rules{}, experiment.Options{}, d, err
	}
	if r.rules == "" {
		return model.Rules{}, experiment.Options{}, d, badInput("-rules FILE is required")
	}
	rf, rules, err := rundir.ReadRulesFile(r.rules)
	if err != nil {
		return rules, experiment.Options{}, d, inputError{err}
	}
	if rules, err = r.ablated(rules); err != nil {
		return rules, experiment.Options{}, d, err
	}
	cfg, err := r.model.config(&rf.Config, p, d.Name, given)
	if err != nil {
		return rules, experiment.Options{}, d, err
	}
	if cfg.Rounds != rules.Rounds {
		return rules, experiment.Options{}, d, badInput("%s holds rules for R = %d; they cannot drive a network of R = %d",
			r.rules, rules.Rounds, cfg.Rounds)
	}
	o := r.options(cfg, p, given, log)
	if rf.WeightsFile != "" {
		// Size-bound learned initial weights (docs/model.md §10.4); the network's and
		// data's sizes are checked when a lifetime starts from them.
		w, err := rundir.ReadWeights(filepath.Join(filepath.Dir(r.rules), filepath.Base(rf.WeightsFile)), rf.WeightsSHA256)
		if err != nil {
			return rules, experiment.Options{}, d, inputError{err}
		}
		o.Weights = w
	}
	if !given("batch") && rf.Batch > 0 {
		o.Batch = rf.Batch
	}
	return rules, o, d, nil
}

// transferCommand is plasticity transfer's flag set and what it reads.
type transferCommand struct {
	fs *flag.FlagSet
	r  rulesFlags
	tf transferFlags
	pf presetFlag
}

func newTransferCommand() *transferCommand {
	c := &transferCommand{fs: newFlagSet("transfer")}
	c.r.register(c.fs, "apply")
	c.tf.register(c.fs)
	c.pf.register(c.fs)
	return c
}

// settings builds the transfer the parsed flags ask for: the rules, the
// transfer's options and the data set, with the precedence flags given >
// rules file > preset.
func (c *transferCommand) settings(log io.Writer) (model.Rules, experiment.TransferOptions, experiment.DataSpec, error) {
	p, err := c.pf.preset()
	if err != nil {
		return model.Rules{}, experiment.TransferOptions{}, experiment.DataSpec{}, err
	}
	given := givenIn(c.fs)
	rules, opts, d, err := c.r.load(given, p, log)
	if err != nil {
		return rules, experiment.TransferOptions{}, d, err
	}
	return rules, c.tf.options(opts, p, given), d, nil
}

func cmdTransfer(args []string, stdout, stderr io.Writer) error {
	c := newTransferCommand()
	r := &c.r
	if err := parse(c.fs, args, stderr); err != nil {
		return err
	}
	rules, o, d, err := c.settings(stderr)
	if err != nil {
		return err
	}
	ds, stop, err := r.output.begin(d, stderr)
	if err != nil {
		return err
	}
	tr, err := experiment.Transfer(o, rules, ds)
	if err != nil {
		return inputError{err}
	}
	if err := stop(); err != nil {
		return err
	}
	out := toTransferJSON(tr, d.Name, d.DataSeed)
	out.Command, out.Rules, out.Ablate = "transfer", r.rules, r.ablate
	if dir := r.output.out; dir != "" {
		if err := writeTransferDir(dir, tr, ds, d.DataSeed); err != nil {
			return err
		}
		if err := rundir.WriteJSON(filepath.Join(dir, rundir.TransferSummary), out); err != nil {
			return err
		}
	}
	if r.output.json {
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "transfer of %s to %s, %d passes: train accuracy %.3f, test accuracy %.3f (%.1f s)\n",
		r.rules, ds.Name, tr.Passes, tr.FinalTrain.Accuracy, tr.FinalTest.Accuracy, tr.Seconds)
	return nil
}
