//go:build unix

package cluster_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"plasticity/cluster"
	"plasticity/experiment"
)

// bin is the plasticity binary the tests run as coordinator and workers.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cluster-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "plasticity")
	build := exec.Command("go", "build", "-o", bin, "plasticity")
	build.Dir = ".."
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building plasticity:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a plasticity process the test started.
type proc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
	stdout bytes.Buffer // read it once the process has ended
	done   chan struct{}
	code   int
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.Write(b)
}

// log is what the process wrote on stderr so far.
func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// start runs plasticity with args in dir.
func start(t *testing.T, dir string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Dir, p.cmd.Stderr, p.cmd.Stdout = dir, p, &p.stdout
	p.cmd.Env = append(os.Environ(), cluster.TokenEnv+"=")
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait waits for the process to end and returns its exit status.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(90 * time.Second):
		t.Fatalf("%v still running; its log:\n%s", p.cmd.Args, p.log())
		return -1
	}
}

// until waits for the file path to exist.
func until(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 60 s", what)
		}
	}
}

func exists(path string) func() bool {
	return func() bool { _, err := os.Stat(path); return err == nil }
}

// runES is the run of the tests: small, on the synthetic set.
var runES = []string{"train", "-data", "synthetic", "-popsize", "8", "-hidden", "60", "-batch", "300",
	"-eval-every", "5", "-eval-lifetimes", "2", "-checkpoint-every", "1"}

// local trains the run in one process and returns its directory.
func local(t *testing.T, gens int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "local")
	p := start(t, ".", append(runES, "-generations", fmt.Sprint(gens), "-out", dir)...)
	if code := p.wait(t); code != 0 {
		t.Fatalf("local run: status %d\n%s", code, p.log())
	}
	return dir
}

// sameRun checks that two run directories hold the same rules and metrics
// (the seconds column aside).
func sameRun(t *testing.T, want, got string) {
	t.Helper()
	a, err1 := os.ReadFile(filepath.Join(want, "rules.json"))
	b, err2 := os.ReadFile(filepath.Join(got, "rules.json"))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("rules.json of %s differs from the local run's", got)
	}
	if ma, mb := metrics(t, want), metrics(t, got); ma != mb {
		t.Errorf("metrics.csv differs from the local run's:\n%s\nwant\n%s", mb, ma)
	}
	// The checkpointed state, timing aside, bit for bit.
	ca, err1 := experiment.ReadCheckpoint(want)
	cb, err2 := experiment.ReadCheckpoint(got)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if !bytes.Equal(ca.State, cb.State) || ca.Step != cb.Step || ca.Samples != cb.Samples || ca.DataHash != cb.DataHash {
		t.Errorf("the checkpoint of %s holds another state than the local run's (step %d/%d, samples %d/%d, %d/%d state bytes)",
			got, cb.Step, ca.Step, cb.Samples, ca.Samples, len(cb.State), len(ca.State))
	}
}

// metrics is metrics.csv without its last column, seconds.
func metrics(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		out = append(out, line[:strings.LastIndexByte(line, ',')])
	}
	return strings.Join(out, "\n")
}

// embedded starts a distributed run with its own server and returns the
// coordinator and the URL workers join.
func embedded(t *testing.T, dir string, gens int, extra ...string) (*proc, string) {
	t.Helper()
	args := append(append(runES, "-generations", fmt.Sprint(gens), "-out", dir, "-nats", "embedded"), extra...)
	c := start(t, ".", args...)
	url := filepath.Join(dir, "nats-url")
	until(t, "nats-url", exists(url))
	b, err := os.ReadFile(url)
	if err != nil {
		t.Fatal(err)
	}
	return c, strings.TrimSpace(string(b))
}

// TestTwoWorkersMatchLocal: the embedded server and two worker processes,
// no local goroutines, give the local run's rules and metrics; the test
// measurements (-eval-every) and the final scores (rules.json) are the
// workers' too.
func TestTwoWorkersMatchLocal(t *testing.T) {
	want := local(t, 8)
	dir := filepath.Join(t.TempDir(), "dist")
	c, url := embedded(t, dir, 8, "-local-workers", "0")
	w1 := start(t, ".", "worker", "-nats", url, "-workers", "1", "-name", "w1")
	w2 := start(t, ".", "worker", "-nats", url, "-workers", "1", "-name", "w2")
	if code := c.wait(t); code != 0 {
		t.Fatalf("coordinator: status %d\n%s", code, c.log())
	}
	sameRun(t, want, dir)
	for _, w := range []*proc{w1, w2} {
		if code := w.wait(t); code != 0 {
			t.Errorf("worker: status %d\n%s", code, w.log())
		}
	}
	if !strings.Contains(c.log(), "final scores go to the workers") {
		t.Errorf("the coordinator did not send the measurements to the workers:\n%s", c.log())
	}
	if !strings.Contains(c.log(), "worker w1 joined") || !strings.Contains(c.log(), "worker w2 joined") {
		t.Errorf("the coordinator's log names no two workers:\n%s", c.log())
	}
}

// TestKilledWorkerAndLateJoin: one worker killed mid-run, the run stalls,
// another joins later, and the run ends as the local one.
func TestKilledWorkerAndLateJoin(t *testing.T) {
	const gens = 30
	want := local(t, gens)
	dir := filepath.Join(t.TempDir(), "dist")
	c, url := embedded(t, dir, gens, "-local-workers", "0")
	w1 := start(t, ".", "worker", "-nats", url, "-workers", "1", "-name", "w1")
	until(t, "fifth generation", func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "metrics.csv"))
		return bytes.Count(b, []byte("\n")) > 5
	})
	w1.cmd.Process.Signal(syscall.SIGKILL)
	w1.wait(t)
	until(t, "the stall", func() bool {
		return strings.Contains(c.log(), "waiting for one to join") &&
			strings.Contains(c.log(), "worker w1 lost")
	})
	start(t, ".", "worker", "-nats", url, "-workers", "2", "-name", "w2")
	if code := c.wait(t); code != 0 {
		t.Fatalf("coordinator: status %d\n%s", code, c.log())
	}
	sameRun(t, want, dir)
	if !strings.Contains(c.log(), "worker w2 is here; continuing") {
		t.Errorf("the coordinator did not say it continued:\n%s", c.log())
	}
}

// TestKilledWithReserve: a worker killed while it evaluates one chunk and
// holds the next in reserve (prefetch) loses neither: both go back to the
// queue when its heartbeats stop, the other worker evaluates them, and the
// run ends as the local one.
func TestKilledWithReserve(t *testing.T) {
	const gens = 4
	want := local(t, gens)
	dir := filepath.Join(t.TempDir(), "dist")
	c, url := embedded(t, dir, gens, "-local-workers", "0")
	held, kill := cluster.HoldChunks(t, url, "w1", 2)
	start(t, ".", "worker", "-nats", url, "-workers", "1", "-name", "w2")
	until(t, "w2", func() bool { return strings.Contains(c.log(), "worker w2 joined") })
	kill()
	if code := c.wait(t); code != 0 {
		t.Fatalf("coordinator: status %d\n%s", code, c.log())
	}
	sameRun(t, want, dir)
	if line := fmt.Sprintf("worker w1 lost (no heartbeat for 5s); %d candidates (2 chunks) go back", held); held < 2 ||
		!strings.Contains(c.log(), line) {
		t.Errorf("the coordinator's log does not say %q:\n%s", line, c.log())
	}
}
