//go:build unix

package cluster_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSeedsResumeOverNATS: a study of two seeds whose second seed never
// completed (its folder gone) resumes over NATS: the coordinator reads the
// first seed back, sends the second alone to the worker, and prints the
// uninterrupted local study's JSON and leaves its run directories.
func TestSeedsResumeOverNATS(t *testing.T) {
	here, dist := t.TempDir(), t.TempDir()
	l := start(t, here, runSeeds...)
	if code := l.wait(t); code != 0 {
		t.Fatalf("local run -seeds: status %d\n%s", code, l.log())
	}
	if out, err := exec.Command("cp", "-r", filepath.Join(here, "study"), dist).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if err := os.RemoveAll(filepath.Join(dist, "study", "seed5")); err != nil {
		t.Fatal(err)
	}
	c := start(t, dist, "run", "-resume", "study", "-nats", "embedded", "-local-workers", "0")
	until(t, "nats-url", exists(filepath.Join(dist, "study", "nats-url")))
	url, _ := os.ReadFile(filepath.Join(dist, "study", "nats-url"))
	w := start(t, t.TempDir(), "worker", "-nats", strings.TrimSpace(string(url)), "-name", "w1")
	if code := c.wait(t); code != 0 {
		t.Fatalf("coordinator: status %d\n%s", code, c.log())
	}
	if code := w.wait(t); code != 0 {
		t.Errorf("worker: status %d\n%s", code, w.log())
	}
	if n := strings.Count(w.log(), "cluster: study plasticity run"); n != 1 || !strings.Contains(c.log(), "seed 4 (1 of 2): complete in") {
		t.Errorf("the worker ran %d studies, want 1 (seed 5); coordinator:\n%s", n, c.log())
	}
	if a, b := maskJSON(t, l.stdout.Bytes()), maskJSON(t, c.stdout.Bytes()); a != b {
		t.Errorf("resumed run -seeds -json differs from the local run's:\n%s\nwant\n%s", b, a)
	}
	sameDir(t, filepath.Join(here, "study", "seed5"), filepath.Join(dist, "study", "seed5"))
}
