package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestStartRulesFlag: -start-rules starts openai ES from a rules file, is
// written into config.json, and a file of other rounds, a missing file or
// -method gd end with one line and status 2.
func TestStartRulesFlag(t *testing.T) {
	first := t.TempDir()
	args := append(append([]string(nil), quickES...), "-es", "openai", "-generations", "2")
	if _, e, code := run(t, append(args, "-out", first)...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	from := filepath.Join(first, "rules.json")
	second := t.TempDir()
	if _, e, code := run(t, append(args, "-start-rules", from, "-out", second)...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	b, err := os.ReadFile(filepath.Join(second, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"start"`) {
		t.Errorf("config.json does not record the start rules")
	}
	part := t.TempDir()
	if _, e, code := run(t, append(args[:len(args)-1:len(args)-1], "1", "-start-rules", from, "-out", part)...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if _, e, code := run(t, "train", "-resume", part, "-generations", "2"); code != 0 {
		t.Fatalf("resume exit %d: %s", code, e)
	}
	if a, b := rulesOf(t, second), rulesOf(t, part); !reflect.DeepEqual(a["output"], b["output"]) {
		t.Errorf("a resumed run from start rules differs from the uninterrupted one: %v vs %v", b["output"], a["output"])
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-start-rules", from, "-rounds", "1"}, "rounds"},
		{[]string{"-start-rules", filepath.Join(first, "none.json")}, "-start-rules"},
		{[]string{"-start-rules", from, "-es", "simple"}, "openai"},
		{[]string{"-start-rules", from, "-method", "gd"}, "-method es"},
	} {
		out, e, code := run(t, append(append(append([]string(nil), args...), "-out", t.TempDir()), c.args...)...)
		if code != 2 || out != "" || strings.Count(e, "\n") != 1 || !strings.Contains(e, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want status 2 and one line mentioning %s", c.args, code, e, c.want)
		}
	}
}
