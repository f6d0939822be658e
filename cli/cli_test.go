package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = Main(args, &o, &e)
	return o.String(), e.String(), code
}

func TestRunDeterministicAcrossWorkers(t *testing.T) {
	args := []string{"run", "-json", "-generations", "30", "-steps", "30", "-passes", "2", "-eval-lifetimes", "3"}
	a, errA, code := run(t, append(args, "-workers", "1")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errA)
	}
	b, _, _ := run(t, append(args, "-workers", "2")...)
	c, _, _ := run(t, append(args, "-workers", "2")...)
	strip := func(s string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatalf("stdout is not one JSON object: %v\n%s", err, s)
		}
		for _, k := range []string{"es", "es_paper", "gd", "gd_paper"} {
			es := m[k].(map[string]any)
			delete(es, "seconds")
			delete(es, "samples_per_second")
			delete(es["transfer"].(map[string]any), "seconds")
		}
		if v, ok := m["peak_rss_bytes"].(float64); !ok || v <= 0 {
			t.Errorf("peak_rss_bytes %v, want a positive number", m["peak_rss_bytes"])
		}
		delete(m, "peak_rss_bytes")
		return m
	}
	ja, jb, jc := strip(a), strip(b), strip(c)
	ra, _ := json.Marshal(ja)
	rb, _ := json.Marshal(jb)
	rc, _ := json.Marshal(jc)
	if !bytes.Equal(ra, rb) {
		t.Errorf("-workers 1 and -workers 2 differ:\n%s\n%s", ra, rb)
	}
	if !bytes.Equal(rb, rc) {
		t.Errorf("two runs with the same seed differ")
	}
	d, _, _ := run(t, append(args, "-seed", "2")...)
	rd, _ := json.Marshal(strip(d))
	if bytes.Equal(ra, rd) {
		t.Errorf("another seed gave the same run")
	}
}

func TestTrainWritesRunDirectoryAndTransferReadsIt(t *testing.T) {
	dir := t.TempDir()
	_, e, code := run(t, "train", "-generations", "5", "-out", dir, "-eval-lifetimes", "2")
	if code != 0 {
		t.Fatalf("train exit %d: %s", code, e)
	}
	for _, f := range []string{"config.json", "metrics.csv", "rules.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("run directory lacks %s", f)
		}
	}
	metrics, _ := os.ReadFile(filepath.Join(dir, "metrics.csv"))
	if n := strings.Count(string(metrics), "\n"); n != 6 {
		t.Errorf("metrics.csv has %d lines, want a header and 5 generations", n)
	}
	rules := filepath.Join(dir, "rules.json")
	var rf map[string]any
	b, _ := os.ReadFile(rules)
	if err := json.Unmarshal(b, &rf); err != nil {
		t.Fatal(err)
	}
	for k, n := range map[string]int{"input": 16, "hidden": 256, "output": 32} {
		if got := len(rf[k].([]any)); got != n {
			t.Errorf("rules.json %q has %d entries, want %d", k, got, n)
		}
	}
	if rf["rounds"].(float64) != 3 || rf["eta"].(float64) != 0.01 {
		t.Errorf("rules.json rounds %v eta %v", rf["rounds"], rf["eta"])
	}
	o, e, code := run(t, "transfer", "-rules", rules, "-data-seed", "7", "-passes", "1", "-json")
	if code != 0 {
		t.Fatalf("transfer exit %d: %s", code, e)
	}
	var tr map[string]any
	if err := json.Unmarshal([]byte(o), &tr); err != nil {
		t.Fatalf("transfer -json: %v\n%s", err, o)
	}
	for _, k := range []string{"command", "rules", "data", "passes", "final_train_accuracy", "final_test_accuracy", "curve"} {
		if _, ok := tr[k]; !ok {
			t.Errorf("transfer -json lacks %q", k)
		}
	}
	if _, e, code := run(t, "transfer", "-rules", rules, "-rounds", "2"); code != 2 || !strings.Contains(e, "R = 3") {
		t.Errorf("rules of R = 3 on a network of R = 2: exit %d, %q", code, e)
	}
	if _, _, code := run(t, "eval", "-rules", rules, "-eval-lifetimes", "2"); code != 0 {
		t.Errorf("eval exit %d", code)
	}
}

func TestBadInputExitsTwoWithOneLine(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"format": "plasticity-rules/1", "rounds": 3, "input": [1]`), 0o644)
	cases := [][]string{
		{"train", "-hidden", "10", "-cap", "11"},
		{"train", "-rounds", "7"},
		{"train", "-batch", "0"},
		{"train", "-act", "tanh"},
		{"train", "-drive", "weird"},
		{"train", "-norm", "l1"},
		{"train", "-p", "2"},
		{"run", "-generations", "-3"},
		{"train", "-nosuchflag"},
		{"train", "-hidden", "abc"},
		{"train", "-data", "nosuchset"},
		{"train", "-method", "annealing"},
		{"frobnicate"},
		{"transfer"},
		{"transfer", "-rules", filepath.Join(dir, "missing.json")},
		{"transfer", "-rules", bad},
		{"train", "-batch", "5000"},
	}
	for _, c := range cases {
		_, e, code := run(t, c...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", c, code, e)
		}
		if strings.Count(e, "\n") != 1 || !strings.HasPrefix(e, "plasticity ") {
			t.Errorf("%v: want one line on stderr, got %q", c, e)
		}
	}
}
