package experiment

import (
	"fmt"
	"math"

	"plasticity/rundir"
)

// Row is one line of metrics.csv: one ES generation or GD step. A run fills
// the fields of its kind; the others stay zero (NaN for test measures not
// taken) and are not written.
type Row struct {
	Step int
	// ES: the fitness of the generation's candidates, and the strategy's
	// step size after it.
	BestFitness float64
	MeanFitness float64
	StdFitness  float64
	Sigma       float64
	// BatchAccuracy, Loss and Majority are the evaluation pass over the
	// step's batch: of the generation's best candidate (ES), or of the rules
	// before the step's update (GD).
	BatchAccuracy float64
	Loss          float64
	Majority      float64
	// TestAccuracy and TestMajority are the test split after a lifetime of
	// the current rules on the step's batch (NaN when not measured).
	TestAccuracy float64
	TestMajority float64
	// GD: the Euclidean norm of dL/dtheta, and how many exact weight copies
	// the backward walk kept (norm=outgoing only; see package grad).
	GradNorm   float64
	WalkCopies int
	Seconds    float64
}

// column is one column of metrics.csv.
type column struct {
	name string
	get  func(Row) string
}

func num(f func(Row) float64) func(Row) string {
	return func(r Row) string {
		if v := f(r); !math.IsNaN(v) {
			return fmt.Sprintf("%.6g", v)
		}
		return ""
	}
}

var (
	colStep    = column{"", func(r Row) string { return fmt.Sprint(r.Step) }}
	colSeconds = column{"seconds", func(r Row) string { return fmt.Sprintf("%.3f", r.Seconds) }}
	colBatch   = column{"batch_accuracy", num(func(r Row) float64 { return r.BatchAccuracy })}
	colLoss    = column{"loss", num(func(r Row) float64 { return r.Loss })}
	colMaj     = column{"majority", num(func(r Row) float64 { return r.Majority })}
	colTest    = column{"test_accuracy", num(func(r Row) float64 { return r.TestAccuracy })}
)

// columns are metrics.csv's columns for each kind of run.
var columns = map[string][]column{
	"es": {named(colStep, "generation"),
		{"best_fitness", num(func(r Row) float64 { return r.BestFitness })},
		{"mean_fitness", num(func(r Row) float64 { return r.MeanFitness })},
		{"std_fitness", num(func(r Row) float64 { return r.StdFitness })},
		colBatch, colLoss, colMaj, colTest,
		{"sigma", num(func(r Row) float64 { return r.Sigma })},
		colSeconds},
	"gd": {named(colStep, "step"), colLoss, colBatch, colMaj, colTest,
		{"test_majority", num(func(r Row) float64 { return r.TestMajority })},
		{"grad_norm", num(func(r Row) float64 { return r.GradNorm })},
		{"walk_copies", func(r Row) string { return fmt.Sprint(r.WalkCopies) }},
		colSeconds},
}

func named(c column, name string) column { c.name = name; return c }

// MetricsHeader returns the header of metrics.csv for a run of kind "es" or
// "gd".
func MetricsHeader(kind string) []string {
	var h []string
	for _, c := range columns[kind] {
		h = append(h, c.name)
	}
	return h
}

// Strings formats a row in the order of MetricsHeader(kind).
func (r Row) Strings(kind string) []string {
	var s []string
	for _, c := range columns[kind] {
		s = append(s, c.get(r))
	}
	return s
}

// WriteMetrics writes the rows of a run of kind "es" or "gd" as metrics.csv
// at path.
func WriteMetrics(path, kind string, rows []Row) error {
	if _, ok := columns[kind]; !ok {
		return fmt.Errorf("metrics: unknown kind of run %q", kind)
	}
	s := make([][]string, len(rows))
	for i, r := range rows {
		s[i] = r.Strings(kind)
	}
	return rundir.WriteCSV(path, MetricsHeader(kind), s)
}
