//go:build unix

package cluster_test

import (
	"bytes"
	"encoding/gob"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plasticity/experiment"
	"plasticity/internal/untimed"
)

// runSeeds is the study of the seeds test: two seeds, every method short.
var runSeeds = []string{"run", "-seeds", "2", "-seed", "4", "-data", "synthetic", "-hidden", "30", "-batch", "100",
	"-generations", "3", "-steps", "3", "-passes", "1", "-eval-lifetimes", "2", "-eval-every", "2", "-json", "-out", "study"}

// TestSeedsMatchLocal: run -seeds 2 sent whole to two worker processes
// (no local goroutines), each in a folder of its own, prints the local
// run's JSON and leaves its run directories, timings aside.
func TestSeedsMatchLocal(t *testing.T) {
	here, there := t.TempDir(), t.TempDir()
	l := start(t, here, runSeeds...) // beside the distributed run
	dist := t.TempDir()
	c := start(t, dist, append(runSeeds, "-nats", "embedded", "-local-workers", "0")...)
	until(t, "nats-url", exists(filepath.Join(dist, "study", "nats-url")))
	url, _ := os.ReadFile(filepath.Join(dist, "study", "nats-url"))
	w1 := start(t, there, "worker", "-nats", strings.TrimSpace(string(url)), "-name", "w1")
	w2 := start(t, t.TempDir(), "worker", "-nats", strings.TrimSpace(string(url)), "-name", "w2", "-workers", "1")
	if code := c.wait(t); code != 0 {
		t.Fatalf("coordinator: status %d\n%s", code, c.log())
	}
	if code := l.wait(t); code != 0 {
		t.Fatalf("local run -seeds: status %d\n%s", code, l.log())
	}
	studies := 0
	for _, w := range []*proc{w1, w2} {
		// A worker that joined leaves with the run; one that came too late
		// (under load, the other may have run both seeds) waits for a run.
		if !strings.Contains(w.log(), "joined run") {
			continue
		}
		if code := w.wait(t); code != 0 {
			t.Errorf("worker: status %d\n%s", code, w.log())
		}
		studies += strings.Count(w.log(), "cluster: study plasticity run")
	}
	if studies != 2 {
		t.Errorf("the workers ran %d studies, want 2", studies)
	}
	if a, b := maskJSON(t, l.stdout.Bytes()), maskJSON(t, c.stdout.Bytes()); a != b {
		t.Errorf("run -seeds -json differs from the local run's:\n%s\nwant\n%s", b, a)
	}
	for _, seed := range []string{"seed4", "seed5"} {
		sameDir(t, filepath.Join(here, "study", seed), filepath.Join(dist, "study", seed))
	}
	if entries, _ := os.ReadDir(there); len(entries) != 0 {
		t.Errorf("a worker wrote into its own folder: %v", entries)
	}
}

// maskJSON is a -json output with its timings (and peak memory) left out.
func maskJSON(t *testing.T, b []byte) string {
	t.Helper()
	s, err := untimed.JSON(b)
	if err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return s
}

// sameDir checks that two run directories hold the same files with the
// same content, timings aside: metrics.csv's seconds column, the train
// seconds of report.md's table, the checkpoints' seconds.
func sameDir(t *testing.T, want, got string) {
	t.Helper()
	n := 0
	filepath.WalkDir(want, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || e.Name() == ".lock" {
			return err
		}
		rel, _ := filepath.Rel(want, path)
		a, _ := os.ReadFile(path)
		b, err := os.ReadFile(filepath.Join(got, rel))
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		n++
		if masked(t, e.Name(), a) != masked(t, e.Name(), b) {
			t.Errorf("%s differs from the local run's", filepath.Join(got, rel))
		}
		return nil
	})
	if n < 20 {
		t.Errorf("only %d files in %s", n, want)
	}
}

// masked is a run directory's file without its timings.
func masked(t *testing.T, name string, b []byte) string {
	t.Helper()
	lines := strings.Split(string(b), "\n")
	switch name {
	case "checkpoint.bin":
		ck, err := experiment.ParseCheckpoint(b)
		if err != nil {
			t.Fatal(err)
		}
		ck.Seconds = 0
		for i := range ck.Metrics {
			ck.Metrics[i].Seconds = 0
		}
		var out bytes.Buffer
		gob.NewEncoder(&out).Encode(ck)
		return out.String()
	case "result.json":
		return maskJSON(t, b)
	case "metrics.csv", "report.md":
		for i, l := range lines {
			if k := strings.LastIndexAny(strings.TrimSuffix(l, " |"), ",|"); k > 0 && (name == "metrics.csv" || strings.HasPrefix(l, "| ")) {
				lines[i] = l[:k]
			}
		}
	}
	return strings.Join(lines, "\n")
}
