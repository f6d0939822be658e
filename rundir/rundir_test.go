package rundir

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"plasticity/model"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "rules.json")
	if err := WriteFileAtomic(p, []byte("old")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(p, []byte("new")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil || string(b) != "new" {
		t.Fatalf("read %q, %v; want the second write", b, err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644 like os.WriteFile", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the file (no temporary left)", len(entries))
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "x.json"), []byte("x")); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
}

func TestRulesFileRoundTrip(t *testing.T) {
	r := model.NewRules(2)
	for i := range r.Theta {
		r.Theta[i] = float32(i)*0.37 - 11.1
	}
	cfg := model.Config{Inputs: 3, Hidden: 6, Outputs: 2, Rounds: 2, Cap: 3, Eta: 0.01, EdgeProb: 1, Act: model.ReLU, Norm: model.NormOutgoing}
	p := filepath.Join(t.TempDir(), "rules.json")
	if err := WriteJSON(p, NewRulesFile(r, cfg)); err != nil {
		t.Fatal(err)
	}
	f, got, err := ReadRulesFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.Theta {
		if got.Theta[i] != r.Theta[i] {
			t.Fatalf("entry %d read back as %v, wrote %v", i, got.Theta[i], r.Theta[i])
		}
	}
	if f.Config != cfg {
		t.Errorf("config read back as %+v, wrote %+v", f.Config, cfg)
	}
	os.WriteFile(p, []byte(`{"format":"plasticity-rules/1","rounds":3,"input":[1,2],"hidden":[],"output":[]}`), 0o644)
	if _, _, err := ReadRulesFile(p); err == nil {
		t.Error("tables too short for R = 3 accepted")
	}
	os.WriteFile(p, []byte(`{"format":"something-else/9"}`), 0o644)
	if _, _, err := ReadRulesFile(p); err == nil {
		t.Error("a file of another format accepted")
	}
}

// FuzzParseRulesFile feeds arbitrary bytes to the rules-file reader, an
// untrusted input: it must return rules whose tables fit their R, or an
// error, never panic.
func FuzzParseRulesFile(f *testing.F) {
	r := model.NewRules(1)
	for i := range r.Theta {
		r.Theta[i] = float32(i) - 3
	}
	good, _ := json.Marshal(NewRulesFile(r, model.Config{Rounds: 1, Eta: 0.01}))
	f.Add(good)
	f.Add([]byte(`{"format":"plasticity-rules/1","rounds":7}`))
	f.Add([]byte(`{"format":"plasticity-rules/1","rounds":-1,"input":[1e39]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rf, rules, err := ParseRulesFile(b)
		if err != nil {
			return
		}
		if rf.Format != RulesFormat {
			t.Fatalf("accepted format %q", rf.Format)
		}
		if len(rules.Theta) != model.GenotypeLen(rules.Rounds) {
			t.Fatalf("rules of %d entries for R = %d", len(rules.Theta), rules.Rounds)
		}
	})
}
