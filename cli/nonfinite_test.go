package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hugeRules writes testdata's learned rules with eta 1e30 and every table
// entry multiplied by scale, and returns the file's path.
func hugeRules(t *testing.T, scale float64) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "rundir", "es-openai", "rules.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rf map[string]any
	if err := json.Unmarshal(b, &rf); err != nil {
		t.Fatal(err)
	}
	rf["eta"] = 1e30
	rf["config"].(map[string]any)["eta"] = 1e30
	for _, k := range []string{"input", "hidden", "output"} {
		for i, v := range rf[k].([]any) {
			rf[k].([]any)[i] = v.(float64) * scale
		}
	}
	out, err := json.Marshal(rf)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestNonFiniteExitsTwo: rules of eta 1e30 whose weights (tables times 1e8:
// steps near 1e38) or whose products (relu: a drive of 1e30 squared) leave
// float32 stop transfer and eval with one line naming the sample and the
// table, and exit status 2.
func TestNonFiniteExitsTwo(t *testing.T) {
	relu, steep := hugeRules(t, 1), hugeRules(t, 1e8)
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"transfer", "-rules", relu, "-act", "relu", "-passes", "2"},
			[]string{"plasticity transfer: the hidden weights' products overflowed float32 by sample ", " of the run (pass 1 of 2, training sample "}},
		{[]string{"transfer", "-rules", steep, "-passes", "2"},
			[]string{"plasticity transfer: the ", " weights became NaN or infinite by sample ", " of the run (pass 1 of 2, training sample "}},
		{[]string{"eval", "-rules", relu, "-act", "relu"},
			[]string{"plasticity eval: the hidden weights' products overflowed float32 by sample ", " of the batch of lifetime "}},
		{[]string{"eval", "-rules", steep, "-json"},
			[]string{"plasticity eval: the ", " weights became NaN or infinite by sample ", " (training sample "}},
	}
	for _, c := range cases {
		o, e, code := run(t, c.args...)
		if code != 2 || strings.Count(e, "\n") != 1 || o != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing and one line", c.args[:2], code, o, e)
		}
		for _, w := range c.want {
			if !strings.Contains(e, w) {
				t.Errorf("%v: %q lacks %q", c.args[:2], e, w)
			}
		}
	}
}
