package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func jsonOf(t *testing.T, args ...string) map[string]any {
	t.Helper()
	o, e, code := run(t, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, e)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(o), &m); err != nil {
		t.Fatalf("%v -json: %v\n%s", args, err, o)
	}
	return m
}

// gdRules learns output-only rules by GD on the synthetic set (about a
// second) and returns rules.json.
func gdRules(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	_, e, code := run(t, "train", "-method", "gd", "-steps", "300", "-eval-lifetimes", "1", "-out", dir)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, e)
	}
	return filepath.Join(dir, "rules.json")
}

func TestBaselineJSON(t *testing.T) {
	for _, c := range []struct {
		args []string
		min  float64
	}{
		{[]string{"-model", "logistic"}, 0.97},
		{[]string{"-model", "mlp", "-hidden", "20"}, 0.97},
	} {
		m := jsonOf(t, append([]string{"baseline", "-json"}, c.args...)...)
		for _, k := range []string{"command", "model", "data", "train_accuracy", "test_accuracy", "seconds"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%v: no %q in %v", c.args, k, m)
			}
		}
		if m["command"] != "baseline" || m["model"] != c.args[1] || m["data"] != "synthetic" {
			t.Errorf("%v: %v", c.args, m)
		}
		if acc := m["test_accuracy"].(float64); acc < c.min {
			t.Errorf("%v: test accuracy %.4f < %.2f", c.args, acc, c.min)
		}
		if _, ok := m["probe_untrained"]; ok {
			t.Errorf("%v: probe_untrained without a probe", c.args)
		}
	}
}

// TestProbeOfOutputOnlyRules: rules that learn only the output table leave
// the hidden layer as it was, so the probe after the transfer and the probe
// of the untrained network read the same features and agree exactly, while
// the transfer's own readout learns.
func TestProbeOfOutputOnlyRules(t *testing.T) {
	rules := gdRules(t)
	m := jsonOf(t, "baseline", "-json", "-model", "probe", "-rules", rules, "-passes", "1", "-data-seed", "7")
	if m["test_accuracy"] != m["probe_untrained"] || m["train_accuracy"] != m["probe_untrained_train_accuracy"] {
		t.Errorf("output-only rules changed the probe: %v", m)
	}
	if acc := m["test_accuracy"].(float64); acc < 0.9 {
		t.Errorf("probe test accuracy %.4f < 0.9", acc)
	}
	tr := m["transfer"].(map[string]any)
	if acc := tr["final_test_accuracy"].(float64); acc < 0.8 {
		t.Errorf("the transfer's readout: test accuracy %.4f < 0.8", acc)
	}
}

// TestAblate: with -ablate output the output-only rules change no weight,
// so the test accuracy never moves from the initial network's and, over
// six initial networks, averages chance (0.25 on the 4-class set); ablating
// the tables the rules leave at zero changes nothing; eval takes it too.
func TestAblate(t *testing.T) {
	rules := gdRules(t)
	args := []string{"-rules", rules, "-data-seed", "7"}
	full := transferJSONOf(t, args...)
	if acc := full["final_test_accuracy"].(float64); acc < 0.8 {
		t.Fatalf("transfer without ablation: test accuracy %.4f < 0.8", acc)
	}
	var mean float64
	for seed := range 6 {
		out := transferJSONOf(t, append(args, "-ablate", "output", "-seed", fmt.Sprint(seed+1))...)
		acc := out["final_test_accuracy"].(float64)
		for _, p := range out["curve"].([]any) {
			if a := p.(map[string]any)["test_accuracy"]; a != acc {
				t.Fatalf("-ablate output -seed %d: test accuracy moved to %v from %v", seed+1, a, acc)
			}
		}
		mean += acc / 6
	}
	if mean < 0.15 || mean > 0.35 {
		t.Errorf("transfer -ablate output: mean test accuracy %.4f over six initial networks, want chance (0.25)", mean)
	}
	same := transferJSONOf(t, append(args, "-ablate", "input,hidden")...)
	if same["ablate"] != "input,hidden" {
		t.Errorf("transfer -json: ablate %v, want input,hidden", same["ablate"])
	}
	delete(same, "ablate")
	a, _ := json.Marshal(full)
	b, _ := json.Marshal(same)
	if string(a) != string(b) {
		t.Errorf("-ablate of the tables the rules leave at zero changed the transfer:\n%s\n%s", a, b)
	}
	ev := jsonOf(t, append([]string{"eval", "-json", "-ablate", "output"}, args...)...)
	if acc := ev["test_accuracy"].(float64); acc > 0.5 {
		t.Errorf("eval -ablate output: test accuracy %.4f", acc)
	}
}

func TestBaselineBadInput(t *testing.T) {
	rules := gdRules(t)
	for _, args := range [][]string{
		{"baseline", "-model", "svm"},
		{"baseline", "-model", "logistic", "-rules", rules},
		{"baseline", "-model", "logistic", "-hidden", "10"},
		{"baseline", "-model", "mlp", "-ablate", "input"},
		{"baseline", "-model", "mlp", "-hidden", "0"},
		{"baseline", "-epochs", "0"},
		{"baseline", "-model", "probe"},
		{"baseline", "-model", "probe", "-rules", rules, "-ablate", "inputs"},
		{"transfer", "-rules", rules, "-ablate", "input,outputs"},
		{"eval", "-rules", rules, "-ablate", "hidden,hidden"},
	} {
		o, e, code := run(t, args...)
		if code != 2 || o != "" || strings.Count(e, "\n") != 1 || !strings.HasPrefix(e, "plasticity "+args[0]+": ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one line", args, code, o, e)
		}
	}
}
