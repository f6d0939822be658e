package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFreeReadoutAndGDHorizon: GD trains with -free-readout and -horizon,
// writes free_readout into config.json and rules.json and the horizon into
// config.json, and transfer and eval read the free readout back from the
// rules file (a transfer without it ends elsewhere). -free-readout without a
// norm and a horizon past the training split end with one line and status 2.
func TestFreeReadoutAndGDHorizon(t *testing.T) {
	for _, args := range [][]string{{"-free-readout"}, {"-norm", "both", "-horizon", "4001"}} {
		_, e, code := run(t, append([]string{"train", "-method", "gd", "-steps", "1", "-out", t.TempDir()}, args...)...)
		if code != 2 || strings.Count(strings.TrimSpace(e), "\n") != 0 {
			t.Errorf("gd %v: exit %d, stderr %q; want 2 and one line", args, code, e)
		}
	}
	dir := t.TempDir()
	_, e, code := run(t, "train", "-method", "gd", "-steps", "3", "-eval-lifetimes", "1", "-freeze", "none",
		"-norm", "both", "-free-readout", "-horizon", "300", "-out", dir)
	if code != 0 {
		t.Fatalf("gd: exit %d: %s", code, e)
	}
	for f, kvs := range map[string][]string{"config.json": {`"free_readout": true`, `"horizon": 300`},
		"rules.json": {`"free_readout": true`}} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, kv := range kvs {
			if !strings.Contains(string(b), kv) {
				t.Errorf("%s lacks %s", f, kv)
			}
		}
	}
	rules := filepath.Join(dir, "rules.json")
	// The final training accuracy of a one-pass transfer of the rules.
	transfer := func(args ...string) any {
		return transferJSONOf(t, append([]string{"-rules", rules}, args...)...)["final_train_accuracy"]
	}
	if transfer() != transfer("-free-readout") {
		t.Error("transfer did not read the free readout from the rules file")
	}
	if transfer() == transfer("-free-readout=false") {
		t.Error("the free readout changed nothing in a transfer")
	}
	if _, e, code := run(t, "eval", "-rules", rules, "-json"); code != 0 {
		t.Errorf("eval: exit %d: %s", code, e)
	}
}
