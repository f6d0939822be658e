package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"plasticity/experiment"
	"plasticity/model"
)

// loadRules reads -rules and builds the network configuration from it,
// overridden by any model flag given.
func (f *flags) loadRules() (experiment.RulesFile, model.Rules, model.Config, error) {
	if f.rules == "" {
		return experiment.RulesFile{}, model.Rules{}, model.Config{}, badInput("-rules FILE is required")
	}
	rf, r, err := experiment.ReadRulesFile(f.rules)
	if err != nil {
		return rf, r, model.Config{}, inputError{err}
	}
	base := rf.Config
	cfg, err := f.modelConfig(&base)
	if err != nil {
		return rf, r, cfg, err
	}
	if cfg.Rounds != r.Rounds {
		return rf, r, cfg, badInput("%s holds rules for R = %d; they cannot drive a network of R = %d", f.rules, r.Rounds, cfg.Rounds)
	}
	if !f.set("batch") && rf.Batch > 0 {
		f.batch = rf.Batch
	}
	return rf, r, cfg, nil
}

func cmdTransfer(args []string, stdout, stderr io.Writer) error {
	f := newFlags("transfer", stderr)
	f.fs.StringVar(&f.rules, "rules", "", "rules.json to apply")
	f.dataFlags()
	f.modelFlags()
	f.transferFlags()
	if err := f.parse(args, stderr); err != nil {
		return err
	}
	_, r, cfg, err := f.loadRules()
	if err != nil {
		return err
	}
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
	to := experiment.TransferOptions{Options: f.options(cfg, stderr), Passes: f.passes, RecordEvery: f.recordEvery}
	tr, err := experiment.Transfer(to, r, ds)
	if err != nil {
		return inputError{err}
	}
	if err := stop(); err != nil {
		return err
	}
	out := toTransferJSON(tr, f.data, f.dataSeed)
	out.Command, out.Rules = "transfer", f.rules
	if f.out != "" {
		if err := writeTransferCurve(filepath.Join(f.out, "transfer.csv"), tr); err != nil {
			return err
		}
		if err := writeConfusion(f.out, tr, ds, f.dataSeed); err != nil {
			return err
		}
		if err := experiment.WriteJSON(filepath.Join(f.out, "transfer.json"), out); err != nil {
			return err
		}
	}
	if f.json {
		return printJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "transfer of %s to %s, %d passes: train accuracy %.3f, test accuracy %.3f (%.1f s)\n",
		f.rules, ds.Name, tr.Passes, tr.FinalTrain.Accuracy, tr.FinalTest.Accuracy, tr.Seconds)
	return nil
}
