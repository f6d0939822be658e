package experiment

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"plasticity/model"
)

// WriteFileAtomic writes data to path through a temporary file in the same
// folder and a rename, so a reader never sees a half-written file.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	// CreateTemp makes the file private (0600); a run directory is for
	// sharing, so give it the mode os.WriteFile would.
	merr := f.Chmod(0o644)
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := firstErr(merr, werr, serr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// WriteJSON writes v as indented JSON to path atomically.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, append(b, '\n'))
}

// WriteCSV writes a header and rows to path atomically.
func WriteCSV(path string, header []string, rows [][]string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(header)
	w.WriteAll(rows)
	if err := w.Error(); err != nil {
		return err
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// RulesFormat names the layout of rules.json; a file of another format is
// refused.
const RulesFormat = "plasticity-rules/1"

// RulesFile is the content of rules.json: the three tables in the layout of
// SPEC section 2, and the configuration and scores they came from.
type RulesFile struct {
	Format   string       `json:"format"`
	Rounds   int          `json:"rounds"`
	Eta      float32      `json:"eta"`
	Patterns int          `json:"patterns"`
	Input    []float32    `json:"input"`
	Hidden   []float32    `json:"hidden"`
	Output   []float32    `json:"output"`
	Method   string       `json:"method"`
	Data     string       `json:"data"`
	DataSeed uint64       `json:"data_seed"`
	Seed     uint64       `json:"seed"`
	Steps    int          `json:"steps"`
	Config   model.Config `json:"config"`
	Batch    int          `json:"batch"`
	Scores   Scores       `json:"scores"`
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
	var f RulesFile
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil {
		return RulesFile{}, model.Rules{}, fmt.Errorf("%s: not a rules file: %v", path, err)
	}
	if f.Format != RulesFormat {
		return RulesFile{}, model.Rules{}, fmt.Errorf("%s: format %q, want %q", path, f.Format, RulesFormat)
	}
	r, err := model.RulesFromTables(f.Rounds, f.Input, f.Hidden, f.Output)
	if err != nil {
		return RulesFile{}, model.Rules{}, fmt.Errorf("%s: %v", path, err)
	}
	return f, r, nil
}
