package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"

	"plasticity/data"
	"plasticity/experiment"
	"plasticity/rundir"
)

// trainJSON is the -json object of train, and of each method of run.
type trainJSON struct {
	Command          string           `json:"command,omitempty"`
	Method           string           `json:"method"`
	Data             string           `json:"data"`
	Seed             uint64           `json:"seed"`
	Generations      int              `json:"generations,omitempty"`
	Steps            int              `json:"steps,omitempty"`
	BatchAccuracy    float64          `json:"batch_accuracy"`
	TestAccuracy     float64          `json:"test_accuracy"`
	TestMajority     float64          `json:"test_majority"`
	Loss             float64          `json:"loss"`
	Seconds          float64          `json:"seconds"`
	SamplesPerSecond float64          `json:"samples_per_second"`
	Rules            rundir.RulesFile `json:"rules"`
	Out              string           `json:"out,omitempty"`
	Transfer         *transferJSON    `json:"transfer,omitempty"`
}

// transferJSON is the -json object of transfer.
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

// runJSON is the -json object of run: one train object per method, each with
// its transfer.
type runJSON struct {
	Command  string `json:"command"`
	Data     string `json:"data"`
	DataSeed uint64 `json:"data_seed"`
	Seed     uint64 `json:"seed"`
	// ES is the best ES variant (experiment.BestES), ESPaper the seed paper's
	// simple ES beside it.
	ES      *trainJSON `json:"es"`
	ESPaper *trainJSON `json:"es_paper,omitempty"`
	// GD is our GD (experiment.DefaultGD) or the variant -gd names, GDPaper
	// the seed paper's GD beside ours.
	GD      *trainJSON `json:"gd"`
	GDPaper *trainJSON `json:"gd_paper,omitempty"`
}

// rulesFile is the rules.json of a finished run of t on ds.
func rulesFile(t *trainer, res experiment.Result, ds data.Dataset) rundir.RulesFile {
	cfg := t.common.Model
	cfg.Inputs, cfg.Outputs = ds.Dim(), ds.Classes
	rf := rundir.NewRulesFile(res.Rules, cfg)
	rf.Method, rf.Data, rf.DataSeed, rf.Seed, rf.Steps, rf.Batch = res.Method, t.data.Name, t.data.DataSeed, t.common.Seed, res.Steps, t.common.Batch
	rf.Scores = res.Final
	if res.Weights != nil {
		// The weights were encodable when the run kept them; an error here
		// would show again, with its cause, when writeTrainDir writes them.
		if b, err := rundir.EncodeWeights(res.Weights); err == nil {
			sum := sha256.Sum256(b)
			rf.WeightsFile, rf.WeightsSHA256 = rundir.Weights, hex.EncodeToString(sum[:])
		}
	}
	return rf
}

// trainObject is the -json object of a finished run of t: no command, no
// run directory, no transfer.
func trainObject(t *trainer, res experiment.Result, rf rundir.RulesFile) *trainJSON {
	j := &trainJSON{Method: res.Method, Data: t.data.Name, Seed: t.common.Seed,
		BatchAccuracy: res.Final.BatchAccuracy, TestAccuracy: res.Final.TestAccuracy, TestMajority: res.Final.TestMajority,
		Loss: res.Final.Loss, Seconds: res.Seconds, SamplesPerSecond: res.SamplesPerSecond, Rules: rf}
	if t.family == "es" {
		j.Generations = res.Steps
	} else {
		j.Steps = res.Steps
	}
	return j
}

// writeTrainDir writes config.json, metrics.csv and rules.json into dir.
func writeTrainDir(dir string, config any, res experiment.Result, rf rundir.RulesFile) error {
	if dir == "" {
		return nil
	}
	if err := rundir.WriteJSON(filepath.Join(dir, rundir.Config), config); err != nil {
		return err
	}
	if err := experiment.WriteMetrics(filepath.Join(dir, rundir.Metrics), res.Kind, res.Metrics); err != nil {
		return err
	}
	if res.Weights != nil {
		sum, err := rundir.WriteWeights(filepath.Join(dir, rundir.Weights), res.Weights)
		if err != nil {
			return err
		}
		if sum != rf.WeightsSHA256 {
			return fmt.Errorf("%s: SHA-256 %s, the rules file records %s", rundir.Weights, sum, rf.WeightsSHA256)
		}
	}
	return rundir.WriteJSON(filepath.Join(dir, rundir.Rules), rf)
}

// writeTransferDir writes the transfer's curve (transfer.csv) and the
// confusion matrix of its last test evaluation (confusion.json, for
// plasticity plot) into dir.
func writeTransferDir(dir string, tr experiment.TransferResult, ds data.Dataset, dataSeed uint64) error {
	if err := rundir.WriteTransferCurve(filepath.Join(dir, rundir.TransferCurve), tr.Curve); err != nil {
		return err
	}
	return rundir.WriteJSON(filepath.Join(dir, rundir.Confusion), rundir.ConfusionMatrix{
		What: fmt.Sprintf("transfer: test split of %s after %d passes", ds.Name, tr.Passes),
		Data: ds.Name, DataSeed: dataSeed, Classes: ds.Classes, Counts: tr.FinalTest.Confusion})
}

func toTransferJSON(tr experiment.TransferResult, dataName string, dataSeed uint64) *transferJSON {
	return &transferJSON{Data: dataName, DataSeed: dataSeed, Passes: tr.Passes,
		FinalTrainAccuracy: tr.FinalTrain.Accuracy, FinalTestAccuracy: tr.FinalTest.Accuracy,
		FinalTestMajority: tr.FinalTest.Majority, Seconds: tr.Seconds, Curve: tr.Curve}
}
