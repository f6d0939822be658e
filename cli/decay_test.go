package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEtaDecay: GD trains with -eta-decay, writes eta_decay into config.json
// and rules.json, and transfer and eval read it back from the rules file (a
// transfer with -eta-decay 0 ends elsewhere). A negative decay ends with one
// line and status 2.
func TestEtaDecay(t *testing.T) {
	_, e, code := run(t, "train", "-method", "gd", "-steps", "1", "-eta-decay", "-1", "-out", t.TempDir())
	if code != 2 || strings.Count(strings.TrimSpace(e), "\n") != 0 || !strings.Contains(e, "eta_decay") {
		t.Errorf("-eta-decay -1: exit %d, stderr %q; want 2 and one line naming eta_decay", code, e)
	}
	dir := t.TempDir()
	_, e, code = run(t, "train", "-method", "gd", "-steps", "3", "-eval-lifetimes", "1", "-freeze", "none",
		"-norm", "both", "-eta-decay", "50", "-out", dir)
	if code != 0 {
		t.Fatalf("gd: exit %d: %s", code, e)
	}
	for _, f := range []string{"config.json", "rules.json"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"eta_decay": 50`) {
			t.Errorf("%s lacks eta_decay", f)
		}
	}
	rules := filepath.Join(dir, "rules.json")
	// The final training accuracy of a one-pass transfer of the rules.
	transfer := func(args ...string) any {
		return transferJSONOf(t, append([]string{"-rules", rules}, args...)...)["final_train_accuracy"]
	}
	if transfer() != transfer("-eta-decay", "50") {
		t.Error("transfer did not read the decay from the rules file")
	}
	if transfer() == transfer("-eta-decay", "0") {
		t.Error("the decay changed nothing in a transfer")
	}
	if _, e, code := run(t, "eval", "-rules", rules, "-json"); code != 0 {
		t.Errorf("eval: exit %d: %s", code, e)
	}
}
