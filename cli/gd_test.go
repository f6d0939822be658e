package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestTrainGDWritesRunDirectoryAndTransferReadsIt(t *testing.T) {
	dir := t.TempDir()
	out, e, code := run(t, "train", "-method", "gd", "-steps", "40", "-eval-every", "20", "-eval-lifetimes", "2", "-out", dir, "-json")
	if code != 0 {
		t.Fatalf("train -method gd exit %d: %s", code, e)
	}
	var j map[string]any
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	if j["method"] != "gd" || j["steps"] != 40.0 || j["generations"] != nil {
		t.Errorf("train object: method %v, steps %v, generations %v", j["method"], j["steps"], j["generations"])
	}
	metrics, err := os.ReadFile(filepath.Join(dir, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(metrics)), "\n")
	if lines[0] != "step,loss,batch_accuracy,majority,test_accuracy,test_majority,grad_norm,walk_copies,seconds" || len(lines) != 41 {
		t.Fatalf("metrics.csv: header %q and %d lines, want the GD header and 40 steps", lines[0], len(lines))
	}
	// Test accuracy every 20 steps only.
	for i, l := range lines[1:] {
		f := strings.Split(l, ",")
		if measured := f[4] != ""; measured != ((i+1)%20 == 0) {
			t.Errorf("step %d: test accuracy %q", i+1, f[4])
		}
	}
	var rf map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, "rules.json"))
	if err := json.Unmarshal(b, &rf); err != nil {
		t.Fatal(err)
	}
	// Our GD learns the output table only: the others stay zero.
	for _, k := range []string{"input", "hidden"} {
		for _, v := range rf[k].([]any) {
			if v != 0.0 {
				t.Fatalf("rules.json %q has %v, want zeros (frozen)", k, v)
			}
		}
	}
	cfg := rf["config"].(map[string]any)
	if cfg["act"] != "relu" || cfg["drive"] != "raw" || cfg["init"] != "scaled" || cfg["update"] != "misclassified" {
		t.Errorf("rules.json config %v, want our GD's model", cfg)
	}
	_, e, code = run(t, "transfer", "-rules", filepath.Join(dir, "rules.json"), "-data-seed", "7", "-passes", "1")
	if code != 0 {
		t.Fatalf("transfer of GD rules exit %d: %s", code, e)
	}
}

func TestTrainGDSeedVariantKeepsModelFlags(t *testing.T) {
	dir := t.TempDir()
	_, e, code := run(t, "train", "-method", "gd", "-gd", "seed", "-steps", "3", "-eval-lifetimes", "1", "-out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	var rf struct {
		Method string         `json:"method"`
		Config map[string]any `json:"config"`
		Input  []float64      `json:"input"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "rules.json"))
	if err := json.Unmarshal(b, &rf); err != nil {
		t.Fatal(err)
	}
	if rf.Method != "gd-paper" || rf.Config["act"] != "sigmoid" || rf.Config["drive"] != "a0" || rf.Config["init"] != "normal" {
		t.Errorf("method %q, config %v: want gd-paper with the seed's model", rf.Method, rf.Config)
	}
	nonzero := false
	for _, v := range rf.Input {
		nonzero = nonzero || v != 0
	}
	if !nonzero {
		t.Error("the seed's GD learns every table, but the input table is all zero")
	}
}

func TestTrainGDBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"-generations", "5"},
		{"-steps", "-3"},
		{"-freeze", "inputs"},
		{"-loss", "mae"},
		{"-learn-weights", "bias"},
		{"-gd", "best"},
		{"-lr", "-1"},
		{"-wd", "-0.5"},
		{"-rule-init-std", "-1"},
	} {
		_, e, code := run(t, append([]string{"train", "-method", "gd", "-out", t.TempDir()}, args...)...)
		if code != 2 || strings.Count(strings.TrimSpace(e), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, code, e)
		}
	}
}

// TestTrainGDResume: a GD run resumed from its checkpoint ends with the
// rules and metrics rows of an uninterrupted one; flags that would change
// the run, or count in the other method's unit, are refused.
func TestTrainGDResume(t *testing.T) {
	full, part := t.TempDir(), t.TempDir()
	args := []string{"train", "-method", "gd", "-gd", "seed", "-eval-every", "4", "-eval-lifetimes", "1",
		"-checkpoint-every", "3", "-batch", "20"}
	if _, e, code := run(t, append(args, "-steps", "11", "-out", full)...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if _, e, code := run(t, append(args, "-steps", "5", "-out", part)...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if _, e, code := run(t, "train", "-resume", part, "-steps", "11", "-workers", "2"); code != 0 || !strings.Contains(e, "at step 5 of 11") {
		t.Fatalf("resume exit %d: %s", code, e)
	}
	a, b := rulesOf(t, full), rulesOf(t, part)
	for _, k := range []string{"input", "hidden", "output", "steps", "method"} {
		if a[k] == nil || !reflect.DeepEqual(a[k], b[k]) {
			t.Errorf("%s differs between the uninterrupted and the resumed run: %v vs %v", k, a[k], b[k])
		}
	}
	m, _ := os.ReadFile(filepath.Join(part, "metrics.csv"))
	if n := strings.Count(string(m), "\n"); n != 12 {
		t.Errorf("resumed metrics.csv has %d lines, want a header and 11 steps", n)
	}
	for _, c := range []struct {
		name, want string
		args       []string
	}{
		{"changed lr", "-lr", []string{"-lr", "0.5"}},
		{"generations", "-steps, not -generations", []string{"-generations", "20"}},
		{"fewer steps", "go back", []string{"-steps", "3"}},
	} {
		out, e, code := run(t, append([]string{"train", "-resume", part}, c.args...)...)
		if code != 2 || out != "" || strings.Count(e, "\n") != 1 || !strings.Contains(e, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want status 2 and one line mentioning %q", c.name, code, e, c.want)
		}
	}
}

// TestLearnWeightsRefusedForES: ES does not search initial weights, so
// -learn-weights with -method es ends with one line and status 2 rather than
// being ignored.
func TestLearnWeightsRefusedForES(t *testing.T) {
	_, e, code := run(t, append(append([]string(nil), quickES...), "-learn-weights", "output", "-out", t.TempDir())...)
	if code != 2 || strings.Count(strings.TrimSpace(e), "\n") != 0 || !strings.Contains(e, "learn-weights") {
		t.Errorf("exit %d, stderr %q; want 2 and one line naming -learn-weights", code, e)
	}
}
