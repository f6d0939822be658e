package cli

import (
	"fmt"
	"path/filepath"
	"plasticity/data"
	"plasticity/experiment"
	"plasticity/figures"
	"plasticity/model"
)

// trainJSON is the -json object of train (SPEC section 9).
type trainJSON struct {
	Command          string               `json:"command,omitempty"`
	Method           string               `json:"method"`
	Data             string               `json:"data"`
	Seed             uint64               `json:"seed"`
	Generations      int                  `json:"generations,omitempty"`
	Steps            int                  `json:"steps,omitempty"`
	BatchAccuracy    float64              `json:"batch_accuracy"`
	TestAccuracy     float64              `json:"test_accuracy"`
	TestMajority     float64              `json:"test_majority"`
	Loss             float64              `json:"loss"`
	Seconds          float64              `json:"seconds"`
	SamplesPerSecond float64              `json:"samples_per_second"`
	Rules            experiment.RulesFile `json:"rules"`
	Out              string               `json:"out,omitempty"`
	Transfer         *transferJSON        `json:"transfer,omitempty"`
}

// transferJSON is the -json object of transfer (SPEC section 9).
type transferJSON struct {
	Command            string                  `json:"command,omitempty"`
	Rules              string                  `json:"rules,omitempty"`
	Data               string                  `json:"data"`
	DataSeed           uint64                  `json:"data_seed"`
	Passes             int                     `json:"passes"`
	FinalTrainAccuracy float64                 `json:"final_train_accuracy"`
	FinalTestAccuracy  float64                 `json:"final_test_accuracy"`
	FinalTestMajority  float64                 `json:"final_test_majority"`
	Seconds            float64                 `json:"seconds"`
	Curve              []experiment.CurvePoint `json:"curve"`
}

func (f *flags) rulesFile(res experiment.Result, cfg model.Config, ds data.Dataset) experiment.RulesFile {
	rf := experiment.NewRulesFile(res.Rules, experimentModel(cfg, ds))
	rf.Method, rf.Data, rf.DataSeed, rf.Seed, rf.Steps, rf.Batch = res.Method, f.data, f.dataSeed, f.seed, res.Steps, f.batch
	rf.Scores = res.Final
	return rf
}

func experimentModel(cfg model.Config, ds data.Dataset) model.Config {
	cfg.Inputs, cfg.Outputs = ds.Dim(), ds.Classes
	return cfg
}

// writeTrainDir writes config.json, metrics.csv and rules.json into dir.
func writeTrainDir(dir string, config any, res experiment.Result, rf experiment.RulesFile) error {
	if dir == "" {
		return nil
	}
	rows := make([][]string, len(res.Metrics))
	for i, r := range res.Metrics {
		rows[i] = r.Strings()
	}
	if err := experiment.WriteJSON(filepath.Join(dir, "config.json"), config); err != nil {
		return err
	}
	if err := experiment.WriteCSV(filepath.Join(dir, "metrics.csv"), experiment.MetricsHeader, rows); err != nil {
		return err
	}
	return experiment.WriteJSON(filepath.Join(dir, "rules.json"), rf)
}

// writeConfusion writes the confusion matrix of the transfer's last test
// evaluation as dir/confusion.json, for plasticity plot.
func writeConfusion(dir string, tr experiment.TransferResult, ds data.Dataset, dataSeed uint64) error {
	return experiment.WriteJSON(filepath.Join(dir, figures.ConfusionFile), figures.Confusion{
		What: fmt.Sprintf("transfer: test split of %s after %d passes", ds.Name, tr.Passes),
		Data: ds.Name, DataSeed: dataSeed, Classes: ds.Classes, Counts: tr.FinalTest.Confusion})
}

func writeTransferCurve(path string, tr experiment.TransferResult) error {
	rows := make([][]string, len(tr.Curve))
	for i, p := range tr.Curve {
		rows[i] = []string{fmt.Sprintf("%.4f", p.Pass), fmt.Sprint(p.Samples),
			fmt.Sprintf("%.6g", p.OnlineAccuracy), fmt.Sprintf("%.6g", p.TestAccuracy)}
	}
	return experiment.WriteCSV(path, []string{"pass", "samples", "online_accuracy", "test_accuracy"}, rows)
}

func toTransferJSON(tr experiment.TransferResult, dataName string, dataSeed uint64) *transferJSON {
	return &transferJSON{Data: dataName, DataSeed: dataSeed, Passes: tr.Passes,
		FinalTrainAccuracy: tr.FinalTrain.Accuracy, FinalTestAccuracy: tr.FinalTest.Accuracy,
		FinalTestMajority: tr.FinalTest.Majority, Seconds: tr.Seconds, Curve: tr.Curve}
}

// runJSON is the -json object of run: one train object per method, each with
// its transfer.
type runJSON struct {
	Command  string `json:"command"`
	Data     string `json:"data"`
	DataSeed uint64 `json:"data_seed"`
	Seed     uint64 `json:"seed"`
	// ES is the best ES variant (bestES), ESSeed the seed paper's simple ES
	// beside it.
	ES     *trainJSON `json:"es"`
	ESSeed *trainJSON `json:"es_seed,omitempty"`
	// GD is our GD (bestGD, experiment.DefaultGD) or the variant -gd names,
	// GDSeed the seed paper's GD beside ours.
	GD     *trainJSON `json:"gd"`
	GDSeed *trainJSON `json:"gd_seed,omitempty"`
}
