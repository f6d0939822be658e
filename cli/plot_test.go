package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunSeedsWritesFiguresAndReport runs the study over two seeds into a
// run directory: the table's means are those of the two runs, each seed's
// run is the run of that -seed alone, and the figures and report are there.
func TestRunSeedsWritesFiguresAndReport(t *testing.T) {
	if testing.Short() {
		t.Skip("two small studies")
	}
	dir := t.TempDir()
	small := []string{"-generations", "20", "-steps", "20", "-passes", "1", "-rounds", "2", "-eval-lifetimes", "2", "-eval-every", "5"}
	stdout, stderr, code := run(t, append([]string{"run", "-json", "-seeds", "2", "-seed", "3", "-out", dir}, small...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Seeds   []uint64
		Summary []struct {
			Method   string
			Seeds    []uint64
			Measures []struct {
				Name     string
				Mean, SD float64
				N        int
			}
		}
		Runs []map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	if len(got.Seeds) != 2 || got.Seeds[0] != 3 || got.Seeds[1] != 4 || len(got.Runs) != 2 || len(got.Summary) == 0 {
		t.Fatalf("seeds %v, %d runs, %d summary rows", got.Seeds, len(got.Runs), len(got.Summary))
	}
	// The summary of the best ES ("es" in each run's object) is the mean and
	// sample deviation of the two runs' batch accuracies.
	var acc []float64
	for _, r := range got.Runs {
		var es trainJSON
		if err := json.Unmarshal(r["es"], &es); err != nil {
			t.Fatal(err)
		}
		if es.Method != got.Summary[0].Method {
			t.Fatalf("summary row 0 is %s, the runs' es is %s", got.Summary[0].Method, es.Method)
		}
		acc = append(acc, es.BatchAccuracy)
	}
	st := got.Summary[0].Measures[0]
	mean, sd := (acc[0]+acc[1])/2, math.Abs(acc[0]-acc[1])/math.Sqrt2
	if st.Name != "batch acc" || st.N != 2 || math.Abs(st.Mean-mean) > 1e-12 || math.Abs(st.SD-sd) > 1e-12 {
		t.Errorf("summary %+v, want batch acc %g ± %g over 2", st, mean, sd)
	}
	// Seed 4 of -seeds is plasticity run -seed 4.
	alone, stderr, code := run(t, append([]string{"run", "-json", "-seed", "4"}, small...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var one map[string]json.RawMessage
	if err := json.Unmarshal([]byte(alone), &one); err != nil {
		t.Fatal(err)
	}
	var a, b trainJSON
	json.Unmarshal(one["es"], &a)
	json.Unmarshal(got.Runs[1]["es"], &b)
	if a.BatchAccuracy != b.BatchAccuracy || a.TestAccuracy != b.TestAccuracy || a.Transfer.FinalTestAccuracy != b.Transfer.FinalTestAccuracy {
		t.Errorf("seed 4 within -seeds: %g %g %g; alone: %g %g %g", b.BatchAccuracy, b.TestAccuracy, b.Transfer.FinalTestAccuracy,
			a.BatchAccuracy, a.TestAccuracy, a.Transfer.FinalTestAccuracy)
	}
	for _, f := range []string{"report.md", "run.json", "curve-batch-accuracy.svg", "curve-test-accuracy.png", "curve-loss.svg",
		"transfer.svg", "seed3/report.md", "seed4/transfer.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	for _, m := range []string{"es-openai", "es-simple"} {
		for _, f := range []string{"rule-hidden.svg", "rule-input.png", "rule-output.svg", "confusion.svg", "confusion.json"} {
			if _, err := os.Stat(filepath.Join(dir, "seed4", m, f)); err != nil {
				t.Error(err)
			}
		}
	}
	rep, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rep), "    plasticity run -json -seeds 2 -seed 3 -out "+dir+" -generations 20") ||
		!strings.Contains(string(rep), "over 2 seeds (seeds 3, 4)") {
		t.Errorf("report head:\n%s", string(rep)[:min(600, len(rep))])
	}
}

func TestPlotCommand(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"metrics.csv", "rules.json", "transfer.csv", "confusion.json", "config.json"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "rundir", "gd", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stdout, stderr, code := run(t, "plot", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	// 3 curves, transfer, 4 rule and evaluation figures, each SVG and PNG,
	// and the report.
	if len(lines) != 2*8+1 || lines[len(lines)-1] != filepath.Join(dir, "report.md") {
		t.Errorf("plot wrote:\n%s", stdout)
	}
	if stdout, _, code := run(t, "plot", "-json", dir); code != 0 || !strings.HasPrefix(stdout, "{") {
		t.Errorf("plot -json: exit %d, %s", code, stdout)
	}
	empty := t.TempDir()
	for _, args := range [][]string{{"plot"}, {"plot", filepath.Join(dir, "missing")}, {"plot", empty}, {"plot", dir, dir},
		{"plot", "-x", dir}, {"run", "-seeds", "0"}} {
		_, stderr, code := run(t, args...)
		if code != 2 || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, code, stderr)
		}
	}
}
