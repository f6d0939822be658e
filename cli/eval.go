package cli

import (
	"fmt"
	"io"

	"plasticity/experiment"
)

// cmdEval scores saved rules on a data set: fresh lifetimes and their
// evaluation passes.
func cmdEval(args []string, stdout, stderr io.Writer) error {
	var r rulesFlags
	fs := newFlagSet("eval")
	r.register(fs, "evaluate")
	r.eval.register(fs)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	rules, opts, d, err := r.load(givenIn(fs), experiment.Preset{}, stderr)
	if err != nil {
		return err
	}
	ds, stop, err := r.output.begin(d, stderr)
	if err != nil {
		return err
	}
	s, err := experiment.Score(opts, ds, rules)
	if err != nil {
		return inputError{err}
	}
	if err := stop(); err != nil {
		return err
	}
	if r.output.json {
		return printJSON(stdout, map[string]any{"command": "eval", "rules": r.rules, "ablate": r.ablate, "data": d.Name, "data_seed": d.DataSeed,
			"batch_accuracy": s.BatchAccuracy, "test_accuracy": s.TestAccuracy, "loss": s.Loss,
			"test_majority": s.TestMajority, "lifetimes": s.Lifetimes})
	}
	fmt.Fprintf(stdout, "%s on %s: batch accuracy %.3f, test accuracy %.3f, loss %.3f (mean of %d lifetimes of %d samples)\n",
		r.rules, ds.Name, s.BatchAccuracy, s.TestAccuracy, s.Loss, s.Lifetimes, opts.Batch)
	return nil
}
