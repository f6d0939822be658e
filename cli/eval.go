package cli

import (
	"fmt"
	"io"
	"plasticity/experiment"
)

func cmdEval(args []string, stdout, stderr io.Writer) error {
	f := newFlags("eval", stderr)
	f.fs.StringVar(&f.rules, "rules", "", "rules.json to evaluate")
	f.dataFlags()
	f.modelFlags()
	f.evalFlag()
	if err := f.parse(args, stderr); err != nil {
		return err
	}
	_, r, cfg, err := f.loadRules()
	if err != nil {
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
	s, err := experiment.Score(f.options(cfg, stderr), ds, r)
	if err != nil {
		return inputError{err}
	}
	if err := stop(); err != nil {
		return err
	}
	if f.json {
		return printJSON(stdout, map[string]any{"command": "eval", "rules": f.rules, "data": f.data, "data_seed": f.dataSeed,
			"batch_accuracy": s.BatchAccuracy, "test_accuracy": s.TestAccuracy, "loss": s.Loss,
			"test_majority": s.TestMajority, "lifetimes": s.Lifetimes})
	}
	fmt.Fprintf(stdout, "%s on %s: batch accuracy %.3f, test accuracy %.3f, loss %.3f (mean of %d lifetimes of %d samples)\n",
		f.rules, ds.Name, s.BatchAccuracy, s.TestAccuracy, s.Loss, s.Lifetimes, f.batch)
	return nil
}
