package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plasticity/internal/untimed"
	"plasticity/rundir"
)

// TestRunSeedsResume stops a three-seed study after its first seed, leaves
// a half-written second seed, and resumes it: the first seed is read back,
// the second continues from its methods' checkpoints, the third is computed, and the -json object, run.json and report.md are
// the uninterrupted study's, timings and the run directory's name aside.
// A -resume that changes the study's settings, or whose directory another
// process holds, or that names no study, ends with status 2 and one line.
func TestRunSeedsResume(t *testing.T) {
	if testing.Short() {
		t.Skip("two small three-seed studies")
	}
	full, part := t.TempDir(), t.TempDir()
	small := []string{"-generations", "8", "-steps", "8", "-passes", "1", "-rounds", "2", "-eval-lifetimes", "2", "-eval-every", "4"}
	study := func(dir string) []string {
		return append([]string{"run", "-json", "-seeds", "3", "-seed", "3", "-out", dir}, small...)
	}
	want, e, code := run(t, study(full)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	stopAfter = 1
	_, e, code = run(t, study(part)...)
	stopAfter = -1
	if code != 0 || !strings.Contains(e, "stopped at seed 4; 1 seeds finished") {
		t.Fatalf("stopped study: exit %d: %s", code, e)
	}
	// Seed 4 stopped half-way: every method's checkpoint at generation or
	// step 4 of 8 (a run of 4), and even a result.json cut short (which an
	// atomic write never leaves, but a copy may).
	half := append([]string{"run", "-seed", "4", "-out", filepath.Join(part, "seed4")}, small...)
	if _, e, code := run(t, append(half, "-generations", "4", "-steps", "4")...); code != 0 {
		t.Fatalf("half of seed 4: exit %d: %s", code, e)
	}
	if err := os.WriteFile(filepath.Join(part, "seed4", rundir.SeedResult), []byte(`{"es": {"method": "es-openai"`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{
		{"run", "-resume", part, "-seed", "4"},
		{"run", "-resume", part, "-seeds", "4"},
		{"run", "-resume", part, "-hidden", "31"},
		{"run", "-resume", part, "-data-seed", "9"},
		{"run", "-resume", part, "-out", full},
		{"run", "-resume", t.TempDir()},
	} {
		if _, e, code := run(t, bad...); code != 2 || strings.Count(e, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want status 2 and one line", bad, code, e)
		}
	}
	lock, err := rundir.Acquire(part)
	if err != nil {
		t.Fatal(err)
	}
	if _, e, code := run(t, "run", "-resume", part); code != 2 || !strings.Contains(e, "in use") {
		t.Errorf("resume of a held directory: exit %d, stderr %q", code, e)
	}
	lock.Release()
	got, e, code := run(t, "run", "-resume", part, "-workers", "1")
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, e)
	}
	if !strings.Contains(e, "seed 3 (1 of 3): complete in") || strings.Contains(e, "seed 4 (2 of 3): complete") ||
		!strings.Contains(e, "seed 5 (3 of 3): plasticity run") {
		t.Errorf("resume did not read back seed 3 alone:\n%s", e)
	}
	if n := strings.Count(e, "continuing from its checkpoint at "); n != 4 || !strings.Contains(e, "gd: continuing from its checkpoint at step 4") {
		t.Errorf("%d methods of seed 4 continued from their checkpoints, want 4:\n%s", n, e)
	}
	if a, b := untimedJSON(t, strings.ReplaceAll(want, full, part)), untimedJSON(t, got); a != b {
		t.Errorf("resumed study's -json:\n%s\nwant the uninterrupted one's:\n%s", b, a)
	}
	for _, f := range []string{rundir.Info, rundir.Report} {
		a, _ := os.ReadFile(filepath.Join(full, f))
		b, _ := os.ReadFile(filepath.Join(part, f))
		if x, y := untimedLines(strings.ReplaceAll(string(a), full, part)), untimedLines(string(b)); x != y || x == "" {
			t.Errorf("%s of the resumed study:\n%s\nwant\n%s", f, y, x)
		}
	}
}

// untimedJSON is a -json object with its timings (and peak memory) left out.
func untimedJSON(t *testing.T, s string) string {
	t.Helper()
	u, err := untimed.JSON([]byte(s))
	if err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return u
}

// untimedLines is a text without its table rows, whose last column is the
// training's seconds.
func untimedLines(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "| ") || strings.HasPrefix(l, "| method") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
