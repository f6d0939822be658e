//go:build unix

package cli

import (
	"strings"
	"testing"

	"plasticity/rundir"
)

// TestTrainRefusesADirectoryInUse: while another holder has the run
// directory's lock, train -out DIR and train -resume DIR end with status 2
// and one line; once it lets go, the resume goes through.
func TestTrainRefusesADirectoryInUse(t *testing.T) {
	dir := t.TempDir()
	args := append(append([]string(nil), quickES...), "-generations", "2", "-out", dir)
	if _, e, code := run(t, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	lock, err := rundir.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range [][]string{args, {"train", "-resume", dir, "-generations", "3"}} {
		_, e, code := run(t, a...)
		if code != 2 || strings.Count(e, "\n") != 1 || !strings.Contains(e, "in use") {
			t.Errorf("%v while the directory is held: exit %d, stderr %q; want status 2 and one line", a, code, e)
		}
	}
	lock.Release()
	if _, e, code := run(t, "train", "-resume", dir, "-generations", "3"); code != 0 {
		t.Fatalf("resume after release: exit %d: %s", code, e)
	}
}
