//go:build unix

package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalCheckpointsAndExitsZero sends SIGTERM to the process during a
// train run: the run must finish its generation, write the checkpoint, say
// where, and return 0; resuming it must then end like an uninterrupted run.
func TestSignalCheckpointsAndExitsZero(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two trainings and waits for a signal")
	}
	dir, full := t.TempDir(), t.TempDir()
	args := append(append([]string(nil), quickES...), "-es", "sepcmaes", "-checkpoint-every", "1")
	type result struct {
		stderr string
		code   int
	}
	done := make(chan result)
	go func() {
		_, e, code := run(t, append(args, "-generations", "100000", "-out", dir)...)
		done <- result{e, code}
	}()
	// The handler is installed before the first generation, and the first
	// checkpoint follows it.
	ck := filepath.Join(dir, "checkpoint.bin")
	for {
		if _, err := os.Stat(ck); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.code != 0 || !strings.Contains(r.stderr, "checkpoint in "+ck) {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "rules.json")); err == nil {
		t.Error("an interrupted run wrote rules.json")
	}
	m, _ := os.ReadFile(filepath.Join(dir, "metrics.csv"))
	stopped := strings.Count(string(m), "\n") - 1
	if stopped < 1 || stopped >= 100000 {
		t.Fatalf("interrupted run has %d metrics rows", stopped)
	}
	total := fmt.Sprint(stopped + 3)
	if _, e, code := run(t, "train", "-resume", dir, "-generations", total); code != 0 {
		t.Fatalf("resume exit %d: %s", code, e)
	}
	if _, e, code := run(t, append(args, "-generations", total, "-out", full)...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	a, b := rulesOf(t, full), rulesOf(t, dir)
	for _, k := range []string{"input", "hidden", "output"} {
		if !reflect.DeepEqual(a[k], b[k]) {
			t.Errorf("%s differs between the uninterrupted and the signalled and resumed run", k)
		}
	}
}
