package rundir

import (
	"encoding/json"
	"fmt"
	"os"
)

// ConfusionMatrix is confusion.json, the confusion matrix of a run's final
// evaluation: the test split of the transfer data set after the last pass.
type ConfusionMatrix struct {
	// What names the evaluation, for titles.
	What     string `json:"what"`
	Data     string `json:"data"`
	DataSeed uint64 `json:"data_seed"`
	Classes  int    `json:"classes"`
	// Counts[t*Classes+p] counts samples of true class t predicted as p.
	Counts []int `json:"counts"`
}

// ReadConfusion reads and checks a confusion.json.
func ReadConfusion(path string) (*ConfusionMatrix, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c ConfusionMatrix
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if c.Classes < 1 || len(c.Counts) != c.Classes*c.Classes {
		return nil, fmt.Errorf("%s: %d counts for %d classes, want classes squared", path, len(c.Counts), c.Classes)
	}
	for _, n := range c.Counts {
		if n < 0 {
			return nil, fmt.Errorf("%s: negative count %d", path, n)
		}
	}
	return &c, nil
}
