package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plasticity/rundir"
)

// TestLearnedWeightsFile: train -learn-weights writes weights.bin beside
// rules.json, which names it with its SHA-256; transfer uses it (and differs
// from the same rules without it), and refuses an altered, a missing or an
// other-size weights file, or a network of another size, with one line and
// status 2.
func TestLearnedWeightsFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if _, e, code := run(t, "train", "-method", "gd", "-steps", "30", "-learn-weights", "input,output", "-eval-lifetimes", "2", "-out", dir); code != 0 {
		t.Fatalf("train: exit %d: %s", code, e)
	}
	rulesPath := filepath.Join(dir, rundir.Rules)
	rf, _, err := rundir.ReadRulesFile(rulesPath)
	if err != nil {
		t.Fatal(err)
	}
	w, err := rundir.ReadWeights(filepath.Join(dir, rf.WeightsFile), rf.WeightsSHA256)
	if err != nil || w.Win == nil || w.Whid != nil || w.Wout == nil {
		t.Fatalf("weights file %q: %v", rf.WeightsFile, err)
	}
	transfer := []string{"transfer", "-passes", "1", "-json", "-rules"}
	with, e, code := run(t, append(transfer, rulesPath)...)
	if code != 0 {
		t.Fatalf("transfer: exit %d: %s", code, e)
	}
	// The same rules without the weights file: a fresh draw instead.
	plain := filepath.Join(t.TempDir(), rundir.Rules)
	rf.WeightsFile, rf.WeightsSHA256 = "", ""
	if err := rundir.WriteJSON(plain, rf); err != nil {
		t.Fatal(err)
	}
	without, _, _ := run(t, append(transfer, plain)...)
	curve := func(s string) string { return s[strings.Index(s, `"curve"`):] }
	if curve(with) == curve(without) || !strings.Contains(with, `"curve"`) {
		t.Error("the transfer from the learned weights is the one without them")
	}

	refused := func(what, wantErr string, args ...string) {
		t.Helper()
		_, e, code := run(t, args...)
		if code != 2 || strings.Count(strings.TrimSpace(e), "\n") != 0 || !strings.Contains(e, wantErr) {
			t.Errorf("%s: exit %d, stderr %q", what, code, e)
		}
	}
	refused("other -hidden", "cannot start", append(transfer, rulesPath, "-hidden", "30")...)
	// A weights file of another size, recorded with its true SHA-256.
	other := *w
	other.Inputs++
	other.Win = make([]float32, other.Hidden*other.Inputs)
	sum, err := rundir.WriteWeights(filepath.Join(dir, rundir.Weights), &other)
	if err != nil {
		t.Fatal(err)
	}
	rf.WeightsFile, rf.WeightsSHA256 = rundir.Weights, sum
	if err := rundir.WriteJSON(rulesPath, rf); err != nil {
		t.Fatal(err)
	}
	refused("other-size weights", "cannot start", append(transfer, rulesPath)...)
	refused("eval, other-size weights", "cannot start", "eval", "-eval-lifetimes", "1", "-rules", rulesPath)
	f, err := os.OpenFile(filepath.Join(dir, rundir.Weights), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{0})
	f.Close()
	refused("altered weights", "SHA-256 differs", append(transfer, rulesPath)...)
	os.Remove(filepath.Join(dir, rundir.Weights))
	refused("missing weights", "no such file", append(transfer, rulesPath)...)
}
