package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSection10Flags: GD refuses each update semantics of docs/model.md §10
// whose gradient it does not derive, with status 2 and one line; a bad value
// is refused likewise; ES takes them all, writes them into config.json and
// rules.json, and eval reads them back.
func TestSection10Flags(t *testing.T) {
	for _, args := range [][]string{
		{"-rule-form", "multiplicative"},
	} {
		_, e, code := run(t, append([]string{"train", "-method", "gd", "-steps", "1", "-out", t.TempDir()}, args...)...)
		if code != 2 || strings.Count(strings.TrimSpace(e), "\n") != 0 || !strings.Contains(e, "GD does not support") {
			t.Errorf("gd %v: exit %d, stderr %q; want 2 and one line", args, code, e)
		}
	}
	for _, args := range [][]string{{"-fire", "all"}, {"-rule-form", "mult"}, {"-output-edges", "none"},
		{"-input-rule", "oja"}, {"-norm", "rows"}, {"-rule-form", "multiplicative", "-init", "zero"}} {
		_, e, code := run(t, append([]string{"train", "-generations", "1", "-out", t.TempDir()}, args...)...)
		if code != 2 || strings.Count(strings.TrimSpace(e), "\n") != 0 {
			t.Errorf("es %v: exit %d, stderr %q; want 2 and one line", args, code, e)
		}
	}
	dir := t.TempDir()
	_, e, code := run(t, "train", "-generations", "2", "-out", dir, "-act", "relu", "-rule-form", "multiplicative",
		"-output-edges", "predicted", "-fire", "topk", "-input-rule", "hebbian", "-norm", "both")
	if code != 0 {
		t.Fatalf("es with every §10 option: exit %d: %s", code, e)
	}
	for _, f := range []string{"config.json", "rules.json"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, kv := range []string{`"rule_form": "multiplicative"`, `"output_edges": "predicted"`, `"fire": "topk"`,
			`"input_rule": "hebbian"`, `"norm": "both"`} {
			if !strings.Contains(string(b), kv) {
				t.Errorf("%s lacks %s", f, kv)
			}
		}
	}
	out, e, code := run(t, "eval", "-rules", filepath.Join(dir, "rules.json"), "-json")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, e)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("eval -json: %v: %s", err, out)
	}
}

// TestSection10GD: GD trains under each §10 option whose gradient it derives,
// and writes the option into config.json and rules.json.
func TestSection10GD(t *testing.T) {
	for _, args := range [][]string{
		{"-output-edges", "predicted"}, {"-fire", "topk", "-act", "relu"}, {"-input-rule", "hebbian"},
		{"-norm", "incoming"}, {"-norm", "both"},
	} {
		dir := t.TempDir()
		_, e, code := run(t, append([]string{"train", "-method", "gd", "-steps", "2", "-eval-lifetimes", "1", "-out", dir}, args...)...)
		if code != 0 {
			t.Errorf("gd %v: exit %d: %s", args, code, e)
			continue
		}
		kv := fmt.Sprintf("%q: %q", strings.TrimPrefix(strings.ReplaceAll(args[0], "-", "_"), "_"), args[1])
		for _, f := range []string{"config.json", "rules.json"} {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), kv) {
				t.Errorf("gd %v: %s lacks %s", args, f, kv)
			}
		}
	}
}
