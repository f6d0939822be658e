//go:build unix

package cluster_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"

	"plasticity/cluster"
	"plasticity/experiment"
)

// writeCSV writes a small two-class table drawn from seed to dir/data.csv.
func writeCSV(t *testing.T, dir string, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	for range 400 {
		x := [4]float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		label := 0
		if x[0]+x[1] > 0 {
			label = 1
		}
		fmt.Fprintf(&b, "%.4f,%.4f,%.4f,%.4f,%d\n", x[0], x[1], x[2], x[3], label)
	}
	if err := os.WriteFile(filepath.Join(dir, "data.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOtherDataRefused: a worker whose csv: path holds other data is
// refused with one line on both sides and exits 2; the run carries on with
// the others and ends as the local run. The coordinator evaluates nothing
// itself, so that it cannot end before the refused worker has asked to join
// (under load it could).
func TestOtherDataRefused(t *testing.T) {
	here, there := t.TempDir(), t.TempDir()
	writeCSV(t, here, 1)
	writeCSV(t, there, 2)
	args := []string{"train", "-data", "csv:data.csv", "-popsize", "6", "-hidden", "20", "-batch", "100", "-generations", "6",
		"-eval-every", "3", "-eval-lifetimes", "2"}
	l := start(t, here, append(args, "-out", "local")...)
	if code := l.wait(t); code != 0 {
		t.Fatalf("local run: status %d\n%s", code, l.log())
	}
	c := start(t, here, append(args, "-out", "dist", "-nats", "embedded", "-local-workers", "0")...)
	until(t, "nats-url", exists(filepath.Join(here, "dist", "nats-url")))
	url, _ := os.ReadFile(filepath.Join(here, "dist", "nats-url"))
	bad := start(t, there, "worker", "-nats", strings.TrimSpace(string(url)), "-name", "other")
	if code := bad.wait(t); code != 2 {
		t.Errorf("the worker with other data: status %d, want 2\n%s", code, bad.log())
	}
	start(t, here, "worker", "-nats", strings.TrimSpace(string(url)), "-name", "good", "-workers", "1")
	if code := c.wait(t); code != 0 {
		t.Fatalf("coordinator: status %d\n%s", code, c.log())
	}
	sameRun(t, filepath.Join(here, "local"), filepath.Join(here, "dist"))
	const why = "the data set differs"
	if n := strings.Count(c.log(), why); n != 1 || !strings.Contains(c.log(), "worker other refused") {
		t.Errorf("the coordinator's log says %q %d times, want once:\n%s", why, n, c.log())
	}
	last := lastLine(bad.log())
	if !strings.Contains(last, "refused") || !strings.Contains(last, why) {
		t.Errorf("the worker's last line %q does not say it was refused for its data", last)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// natsServer starts a standalone NATS server in the test process that
// requires token.
func natsServer(t *testing.T, token string) *server.Server {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, Authorization: token,
		NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10e9) {
		t.Fatal("NATS server not ready")
	}
	t.Cleanup(s.Shutdown)
	return s
}

func tokenURL(s *server.Server, token string) string {
	return strings.Replace(s.ClientURL(), "nats://", "nats://"+token+"@", 1)
}

// TestServerLostAndResumed: the server goes away mid-run; the coordinator
// writes its checkpoint, says so in one line and exits 1; resumed on a new
// server it ends as the local run. The token of the servers appears in no
// file of the run directory.
func TestServerLostAndResumed(t *testing.T) {
	const gens, token = 24, "s3cret-token"
	want := local(t, gens)
	dir := filepath.Join(t.TempDir(), "dist")
	s1 := natsServer(t, token)
	c := start(t, ".", append(runES, "-generations", fmt.Sprint(gens), "-out", dir, "-nats", tokenURL(s1, token),
		"-local-workers", "0")...)
	start(t, ".", "worker", "-nats", tokenURL(s1, token), "-workers", "1")
	until(t, "a few generations", func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "metrics.csv"))
		return bytes.Count(b, []byte("\n")) > 3
	})
	s1.Shutdown()
	if code := c.wait(t); code != 1 {
		t.Fatalf("coordinator after the server went: status %d, want 1\n%s", code, c.log())
	}
	last := lastLine(c.log())
	if !strings.Contains(last, "lost the NATS server") || !strings.Contains(last, "checkpoint") {
		t.Errorf("last line %q does not say the server was lost and where the checkpoint is", last)
	}
	ck, err := experiment.ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Step < 3 || ck.Step >= gens {
		t.Errorf("checkpoint at generation %d", ck.Step)
	}
	s2 := natsServer(t, token)
	r := start(t, ".", "train", "-resume", dir, "-nats", tokenURL(s2, token), "-local-workers", "1")
	start(t, ".", "worker", "-nats", tokenURL(s2, token), "-workers", "1")
	if code := r.wait(t); code != 0 {
		t.Fatalf("resume: status %d\n%s", code, r.log())
	}
	sameRun(t, want, dir)
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		b, _ := os.ReadFile(filepath.Join(dir, f.Name()))
		if bytes.Contains(b, []byte(token)) {
			t.Errorf("%s holds the token", f.Name())
		}
	}
	for _, log := range []string{c.log(), r.log()} {
		if strings.Contains(log, token) {
			t.Errorf("the log shows the token:\n%s", log)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "config.json")); !bytes.Contains(b, []byte("nats://REDACTED@127.0.0.1")) {
		t.Errorf("config.json does not record the redacted URL:\n%s", b)
	}
}

// TestEmbeddedTokenOffLocalhost: an embedded server on another address
// than 127.0.0.1 requires its token; none or a wrong one is refused.
func TestEmbeddedTokenOffLocalhost(t *testing.T) {
	t.Setenv(cluster.TokenEnv, "")
	local, err := cluster.StartEmbedded("embedded")
	if err != nil {
		t.Fatal(err)
	}
	defer local.Shutdown()
	if local.Token != "" || local.URL != local.Join {
		t.Errorf("an embedded server on 127.0.0.1 has a token (%q)", local.Token)
	}
	e, err := cluster.StartEmbedded("embedded:127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()
	if len(e.Token) < 32 || !strings.Contains(e.Join, e.Token) || strings.Contains(e.Public, e.Token) {
		t.Fatalf("token %q, join %q, public %q", e.Token, e.Join, e.Public)
	}
	for _, url := range []string{e.Public, strings.Replace(e.Join, e.Token, "wrong"+e.Token[5:], 1)} {
		if nc, err := cluster.Connect(cluster.Dial{URL: url, Grace: 1}); err == nil {
			nc.Close()
			t.Errorf("%s: connected", cluster.Redact(url))
		} else if !strings.Contains(strings.ToLower(err.Error()), "authorization") {
			t.Errorf("%s: %v, want an authorization error", cluster.Redact(url), err)
		}
	}
	nc, err := cluster.Connect(cluster.Dial{URL: e.Join, Grace: 1})
	if err != nil {
		t.Fatalf("the right token: %v", err)
	}
	nc.Close()
}
