// Package figures draws the figures of a run directory (training curves,
// transfer curves, the rule tables, the confusion matrix of the final
// evaluation) as SVG and PNG with gonum.org/v1/plot, and writes the
// directory's report.md with the multi-seed table.
//
// It reads the files the run left, by their column names, so it draws runs
// of every method (ES generations, GD steps) and of earlier versions alike.
package figures

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"plasticity/rundir"
)

// Table is a CSV file with a header row, read column by column. Every cell
// is a number; an empty cell (a measure not taken at that row) reads as NaN.
type Table struct {
	Path   string
	Header []string
	Rows   int
	cols   map[string][]float64
}

// ReadTable reads the CSV file at path.
func ReadTable(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty file, want a header row", path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t := &Table{Path: path, Header: slices.Clone(head), cols: make(map[string][]float64, len(head))}
	for _, h := range t.Header {
		if _, dup := t.cols[h]; dup {
			return nil, fmt.Errorf("%s: column %q twice in the header", path, h)
		}
		t.cols[h] = nil
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for i, cell := range rec {
			v := math.NaN()
			if cell = strings.TrimSpace(cell); cell != "" {
				if v, err = strconv.ParseFloat(cell, 64); err != nil {
					return nil, fmt.Errorf("%s:%d: column %s: %q is not a number", path, line, t.Header[i], cell)
				}
			}
			t.cols[t.Header[i]] = append(t.cols[t.Header[i]], v)
		}
		t.Rows++
	}
	return t, nil
}

// Column returns the values of the named column, nil when the file has no
// such column.
func (t *Table) Column(name string) []float64 {
	if t == nil {
		return nil
	}
	return t.cols[name]
}

// Last returns the last value of the named column that is not NaN, and NaN
// when there is none.
func (t *Table) Last(name string) float64 {
	c := t.Column(name)
	for i := len(c) - 1; i >= 0; i-- {
		if !math.IsNaN(c[i]) {
			return c[i]
		}
	}
	return math.NaN()
}

// stepColumns are the names the x column of metrics.csv goes by: ES runs
// count generations, GD runs steps; either is one training batch.
var stepColumns = []string{"generation", "step"}

// Steps returns the batch count of each row of a metrics table.
func (t *Table) Steps() ([]float64, error) {
	for _, name := range stepColumns {
		if c := t.Column(name); c != nil {
			return c, nil
		}
	}
	return nil, fmt.Errorf("%s: no %s column", t.Path, strings.Join(stepColumns, " or "))
}

// Run is one method's directory: rules learned on one seed, and what was
// measured of them. Any of the files may be missing; the figures that need
// them are then not drawn.
type Run struct {
	Dir    string
	Method string
	Seed   uint64
	// Metrics is metrics.csv, one row per ES generation or GD step.
	Metrics *Table
	// Transfer is transfer.csv, the transfer curve.
	Transfer  *Table
	Rules     *rundir.RulesFile
	Confusion *rundir.ConfusionMatrix
	// Config is config.json as written, for the report.
	Config json.RawMessage
}

// isRun reports whether dir holds a method's files: those of training or
// of a transfer (plasticity transfer -out).
func isRun(dir string) bool {
	for _, name := range []string{rundir.Metrics, rundir.Rules, rundir.TransferCurve} {
		if st, err := os.Stat(filepath.Join(dir, name)); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// FindRuns returns the runs under root: root itself when it holds
// metrics.csv, rules.json or transfer.csv (plasticity train -out, transfer
// -out), else its folders that do
// (plasticity run -out: one per method), else theirs (plasticity run -seeds:
// seed folders of method folders). Runs come in path order.
func FindRuns(root string) ([]*Run, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", root)
	}
	dirs := []string{root}
	for depth := 0; depth < 3; depth++ {
		var found, next []string
		for _, d := range dirs {
			if isRun(d) {
				found = append(found, d)
				continue
			}
			ents, err := os.ReadDir(d)
			if err != nil {
				return nil, err
			}
			for _, e := range ents {
				if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
					next = append(next, filepath.Join(d, e.Name()))
				}
			}
		}
		if len(found) > 0 {
			runs := make([]*Run, len(found))
			for i, d := range found {
				if runs[i], err = ReadRun(d); err != nil {
					return nil, err
				}
			}
			return runs, nil
		}
		dirs = next
	}
	return nil, fmt.Errorf("%s holds no run (no metrics.csv, rules.json or transfer.csv in it, its folders or theirs)", root)
}

// ReadRun reads the files of one method's directory.
func ReadRun(dir string) (*Run, error) {
	r := &Run{Dir: dir, Method: filepath.Base(dir)}
	var err error
	if r.Metrics, err = readOptional(filepath.Join(dir, rundir.Metrics), ReadTable); err != nil {
		return nil, err
	}
	if r.Metrics != nil {
		if _, err := r.Metrics.Steps(); err != nil {
			return nil, err
		}
	}
	if r.Transfer, err = readOptional(filepath.Join(dir, rundir.TransferCurve), ReadTable); err != nil {
		return nil, err
	}
	if r.Transfer != nil && (r.Transfer.Column("pass") == nil || r.Transfer.Column("test_accuracy") == nil) {
		return nil, fmt.Errorf("%s: want columns pass and test_accuracy", r.Transfer.Path)
	}
	rulesPath := filepath.Join(dir, rundir.Rules)
	if _, err := os.Stat(rulesPath); err == nil {
		rf, _, err := rundir.ReadRulesFile(rulesPath)
		if err != nil {
			return nil, err
		}
		r.Rules = &rf
		if rf.Method != "" {
			r.Method = rf.Method
		}
		r.Seed = rf.Seed
	}
	if r.Confusion, err = readOptional(filepath.Join(dir, rundir.Confusion), rundir.ReadConfusion); err != nil {
		return nil, err
	}
	if b, err := os.ReadFile(filepath.Join(dir, rundir.Config)); err == nil && json.Valid(b) {
		r.Config = b
	}
	return r, nil
}

func readOptional[T any](path string, read func(string) (*T, error)) (*T, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return read(path)
}

// classes returns the number of classes of the run's data (0: unknown).
func (r *Run) classes() int {
	if r.Rules != nil {
		return r.Rules.Config.Outputs
	}
	if r.Confusion != nil {
		return r.Confusion.Classes
	}
	return 0
}
