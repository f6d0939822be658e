package cluster

import (
	"os/exec"
	"strings"
	"testing"

	"plasticity/experiment"
	"plasticity/model"
)

// TestMathCoreImportsNoNATS checks with go list -deps that the math core
// imports neither NATS package, and that the check sees them where they are
// (in this package).
func TestMathCoreImportsNoNATS(t *testing.T) {
	nats := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		var found []string
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "github.com/nats-io/") {
				found = append(found, dep)
			}
		}
		return found
	}
	for _, pkg := range []string{"plasticity/model", "plasticity/linalg", "plasticity/asm", "plasticity/es", "plasticity/grad"} {
		if found := nats(pkg); len(found) > 0 {
			t.Errorf("%s imports %v", pkg, found)
		}
	}
	if len(nats("plasticity/cluster")) < 2 {
		t.Error("the check finds no NATS package even in plasticity/cluster")
	}
}

// TestLateDuplicateIgnored: a chunk scored twice (its worker was thought
// lost) keeps the first scores, and the job ends once.
func TestLateDuplicateIgnored(t *testing.T) {
	pop := make([][]float32, 4)
	c := &Coordinator{workers: map[string]*remote{}}
	c.job = &job{id: 7, w: experiment.Work{Pop: pop}, out: map[uint64]*handout{}, per: 1, scores: make([]model.Score, 4),
		got: make([]bool, 4), left: 4, done: make(chan struct{})}
	c.job.queue = []int{0, 1, 2, 3}
	first := c.take(c.job, "a", 1) // chunkCores candidates a core: 2
	if first == nil || len(first.Index) != 2 || first.Index[0] != 0 {
		t.Fatalf("first chunk %+v", first)
	}
	n := c.requeue(c.job, func(h *handout) bool { return h.worker == "a" })
	if n != 2 || len(c.job.out) != 0 {
		t.Fatalf("requeued %d, %d still out", n, len(c.job.out))
	}
	again := c.take(c.job, "b", 4)
	if len(again.Index) != 4 {
		t.Fatalf("after the requeue, b took %v", again.Index)
	}
	good := []model.Score{{Accuracy: 0.5}, {Accuracy: 0.25}, {Accuracy: 0.75}, {Accuracy: 1}}
	c.deliver(7, again.ID, again.Index, good, nil)
	c.deliver(7, first.ID, first.Index, []model.Score{{Accuracy: -1}, {Accuracy: -1}}, nil) // late: ignored
	c.deliver(6, 99, []int{0}, []model.Score{{Accuracy: -2}}, nil)                          // another job: ignored
	select {
	case <-c.job.done:
	default:
		t.Fatal("the job is not done")
	}
	for i, s := range c.job.scores {
		if s.Accuracy != good[i].Accuracy {
			t.Errorf("candidate %d: accuracy %v, want %v", i, s.Accuracy, good[i].Accuracy)
		}
	}
	if c.job.left != 0 {
		t.Errorf("left %d", c.job.left)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"nats://127.0.0.1:4222":           "nats://127.0.0.1:4222",
		"nats://user:pass@h:4222":         "nats://REDACTED@h:4222",
		"tls://tok@h:4222,nats://u:p@g:1": "tls://REDACTED@h:4222,nats://REDACTED@g:1",
		"embedded":                        "embedded",
		"nats://a b@h":                    "REDACTED",
	} {
		if got := Redact(in); got != want || strings.Contains(got, "pass") {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFingerprintMismatch(t *testing.T) {
	f := Fingerprint{Options: "{}", Genotype: 10, Data: "abc", Arch: "amd64", Kernel: "avx2"}
	if m := f.Mismatch(f); m != "" {
		t.Errorf("a fingerprint differs from itself: %s", m)
	}
	for _, w := range []Fingerprint{{Options: "{ }", Genotype: 10, Data: "abc", Arch: "amd64", Kernel: "avx2"},
		{Options: "{}", Genotype: 11, Data: "abc", Arch: "amd64", Kernel: "avx2"},
		{Options: "{}", Genotype: 10, Data: "abd", Arch: "amd64", Kernel: "avx2"},
		{Options: "{}", Genotype: 10, Data: "abc", Arch: "arm64", Kernel: "avx2"},
		{Options: "{}", Genotype: 10, Data: "abc", Arch: "amd64", Kernel: "generic"}} {
		if f.Mismatch(w) == "" || f.Run() == w.Run() {
			t.Errorf("%+v matches %+v", w, f)
		}
	}
}
