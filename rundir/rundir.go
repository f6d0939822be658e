// Package rundir owns the format of a run directory: the names of its files,
// their writers and readers, atomic writes, the checkpoint's envelope, and
// the lock that keeps two processes from writing one directory.
package rundir

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// The files of a run directory.
const (
	// Config is the configuration the run was started with.
	Config = "config.json"
	// Metrics has one row per ES generation or GD step.
	Metrics = "metrics.csv"
	// Rules is the learned rules (RulesFile).
	Rules = "rules.json"
	// Weights is a run's learned initial weights (docs/model.md §10.4), beside
	// rules.json, which names it with its SHA-256 (WriteWeights).
	Weights = "weights.bin"
	// Checkpoint is what a resumed run continues from.
	Checkpoint = "checkpoint.bin"
	// TransferCurve is a transfer's curve, one row per measurement.
	TransferCurve = "transfer.csv"
	// TransferSummary is a transfer's -json object.
	TransferSummary = "transfer.json"
	// Confusion is the confusion matrix of a transfer's test split.
	Confusion = "confusion.json"
	// Info is what plasticity run records of a multi-seed study.
	Info = "run.json"
	// Study is what plasticity run -seeds N -out DIR records, before its
	// first seed, of the study: what run -resume DIR replays and checks.
	Study = "study.json"
	// SeedResult, in a seed's folder of a multi-seed study, is that seed's
	// run -json object, written (atomically) once the seed is complete: a
	// folder without it is a seed to compute again.
	SeedResult = "result.json"
	// Report is the report plasticity plot writes.
	Report = "report.md"
	// NATSURL is the address of the NATS server a train -nats embedded
	// started, without credentials: where workers join.
	NATSURL = "nats-url"
	// LockFile is held (flock) by the process writing the directory.
	LockFile = ".lock"
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
