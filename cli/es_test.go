package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// quickES are the flags of a train run small enough for a unit test.
var quickES = []string{"train", "-hidden", "8", "-cap", "4", "-rounds", "2", "-batch", "20", "-eval-lifetimes", "1",
	"-eval-every", "2", "-checkpoint-every", "2"}

func rulesOf(t *testing.T, dir string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "rules.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrainResumeMatchesUninterrupted(t *testing.T) {
	for _, strategy := range []string{"openai", "cmaes", "sepcmaes"} {
		t.Run(strategy, func(t *testing.T) {
			full, part := t.TempDir(), t.TempDir()
			args := append(append([]string(nil), quickES...), "-es", strategy)
			if _, e, code := run(t, append(args, "-generations", "7", "-out", full)...); code != 0 {
				t.Fatalf("exit %d: %s", code, e)
			}
			if _, e, code := run(t, append(args, "-generations", "3", "-out", part)...); code != 0 {
				t.Fatalf("exit %d: %s", code, e)
			}
			if _, e, code := run(t, "train", "-resume", part, "-generations", "7", "-workers", "2"); code != 0 {
				t.Fatalf("resume exit %d: %s", code, e)
			}
			a, b := rulesOf(t, full), rulesOf(t, part)
			for _, k := range []string{"input", "hidden", "output", "steps"} {
				if !reflect.DeepEqual(a[k], b[k]) {
					t.Errorf("%s differs between the uninterrupted and the resumed run", k)
				}
			}
			m, _ := os.ReadFile(filepath.Join(part, "metrics.csv"))
			if n := strings.Count(string(m), "\n"); n != 8 {
				t.Errorf("resumed metrics.csv has %d lines, want a header and 7 generations", n)
			}
		})
	}
}

func TestResumeRefusals(t *testing.T) {
	dir := t.TempDir()
	if _, e, code := run(t, append(append([]string(nil), quickES...), "-es", "sepcmaes", "-generations", "2", "-out", dir)...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	ck := filepath.Join(dir, "checkpoint.bin")
	good, err := os.ReadFile(ck)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name, want string, args ...string) {
		t.Helper()
		out, e, code := run(t, args...)
		if code != 2 || out != "" || strings.Count(e, "\n") != 1 || !strings.Contains(e, want) {
			t.Errorf("%s: exit %d, stderr %q; want status 2 and one line mentioning %q", name, code, e, want)
		}
	}
	check("changed seed", "-seed", "train", "-resume", dir, "-seed", "5")
	check("fewer generations", "go back", "train", "-resume", dir, "-generations", "1")
	check("no checkpoint", "checkpoint", "train", "-resume", t.TempDir())
	if err := os.WriteFile(ck, good[:len(good)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	check("truncated", "truncated", "train", "-resume", dir)
	other := append([]byte(nil), good...)
	other[len("plasticity-checkpoint\n")] = 9
	if err := os.WriteFile(ck, other, 0o644); err != nil {
		t.Fatal(err)
	}
	check("other version", "version 9", "train", "-resume", dir)
}

// TestTrainESFreezeFlag: -freeze holds ES's tables at zero in rules.json, a
// resumed frozen run matches an uninterrupted one, and bad -freeze or
// -horizon values end with one line and status 2.
func TestTrainESFreezeFlag(t *testing.T) {
	full, part := t.TempDir(), t.TempDir()
	args := append(append([]string(nil), quickES...), "-es", "openai", "-freeze", "input,hidden", "-horizon", "60")
	if _, e, code := run(t, append(args, "-generations", "4", "-out", full)...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if _, e, code := run(t, append(args, "-generations", "2", "-out", part)...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if _, e, code := run(t, "train", "-resume", part, "-generations", "4"); code != 0 {
		t.Fatalf("resume exit %d: %s", code, e)
	}
	a, b := rulesOf(t, full), rulesOf(t, part)
	for _, k := range []string{"input", "hidden", "output"} {
		if !reflect.DeepEqual(a[k], b[k]) {
			t.Errorf("%s differs between the uninterrupted and the resumed run", k)
		}
	}
	for _, k := range []string{"input", "hidden"} {
		for i, v := range a[k].([]any) {
			if v.(float64) != 0 {
				t.Fatalf("frozen %s table: entry %d is %v", k, i, v)
			}
		}
	}
	for _, c := range []struct{ flag, value, want string }{
		{"-freeze", "input,bias", `"bias"`},
		{"-freeze", "input,hidden,output", "nothing left to learn"},
		{"-horizon", "-1", "horizon must"},
		{"-horizon", "4001", "horizon must"},
	} {
		out, e, code := run(t, append(append([]string(nil), quickES...), "-es", "openai", "-generations", "1",
			"-out", t.TempDir(), c.flag, c.value)...)
		if code != 2 || out != "" || strings.Count(e, "\n") != 1 || !strings.Contains(e, c.want) {
			t.Errorf("%s %s: exit %d, stderr %q; want status 2 and one line mentioning %s", c.flag, c.value, code, e, c.want)
		}
	}
}
