package rundir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"plasticity/model"
)

// RulesFormat names the layout of rules.json; a file of another format is
// refused.
const RulesFormat = "plasticity-rules/1"

// Scores are the measures of a set of rules averaged over fresh lifetimes
// (docs/model.md §5).
type Scores struct {
	// BatchAccuracy is the evaluation pass over each lifetime's own batch.
	BatchAccuracy float64 `json:"batch_accuracy"`
	// TestAccuracy is accuracy over the whole test split after a lifetime.
	TestAccuracy float64 `json:"test_accuracy"`
	// Loss is the cross-entropy of the evaluation pass over the batch.
	Loss float64 `json:"loss"`
	// TestMajority is the share of test predictions in the most common class.
	TestMajority float64 `json:"test_majority"`
	Lifetimes    int     `json:"lifetimes"`
}

// RulesFile is the content of rules.json: the three tables in the layout of
// docs/model.md §2, and the configuration and scores they came from.
type RulesFile struct {
	Format   string    `json:"format"`
	Rounds   int       `json:"rounds"`
	Eta      float32   `json:"eta"`
	Patterns int       `json:"patterns"`
	Input    []float32 `json:"input"`
	Hidden   []float32 `json:"hidden"`
	Output   []float32 `json:"output"`
	Method   string    `json:"method"`
	Data     string    `json:"data"`
	DataSeed uint64    `json:"data_seed"`
	// Tasks is how many draws, DataSeed + 0 .. Tasks-1, the rules were
	// learned on (docs/model.md §10.8); 0 one.
	Tasks  int          `json:"tasks,omitempty"`
	Seed   uint64       `json:"seed"`
	Steps  int          `json:"steps"`
	Config model.Config `json:"config"`
	Batch  int          `json:"batch"`
	Scores Scores       `json:"scores"`
	// WeightsFile names the learned initial weights' file beside the rules
	// file (docs/model.md §10.4), WeightsSHA256 its SHA-256; both empty when the run
	// learned none.
	WeightsFile   string `json:"weights_file,omitempty"`
	WeightsSHA256 string `json:"weights_sha256,omitempty"`
}

// NewRulesFile describes rules learned under cfg.
func NewRulesFile(r model.Rules, cfg model.Config) RulesFile {
	return RulesFile{Format: RulesFormat, Rounds: r.Rounds, Eta: cfg.Eta, Patterns: model.Patterns(r.Rounds),
		Input: r.Input(), Hidden: r.Hidden(), Output: r.Output(), Config: cfg}
}

// ReadRulesFile reads and checks a rules.json.
func ReadRulesFile(path string) (RulesFile, model.Rules, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return RulesFile{}, model.Rules{}, err
	}
	f, r, err := ParseRulesFile(b)
	if err != nil {
		return RulesFile{}, model.Rules{}, fmt.Errorf("%s: %w", path, err)
	}
	return f, r, nil
}

// ParseRulesFile reads and checks the content of a rules.json.
func ParseRulesFile(b []byte) (RulesFile, model.Rules, error) {
	var f RulesFile
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil {
		return RulesFile{}, model.Rules{}, fmt.Errorf("not a rules file: %v", err)
	}
	if f.Format != RulesFormat {
		return RulesFile{}, model.Rules{}, fmt.Errorf("format %q, want %q", f.Format, RulesFormat)
	}
	r, err := model.RulesFromTables(f.Rounds, f.Input, f.Hidden, f.Output)
	if err != nil {
		return RulesFile{}, model.Rules{}, err
	}
	return f, r, nil
}
