package cluster

import (
	"testing"
	"time"
)

// HoldChunks joins the run served at url as worker name with one core and
// takes n chunks, as a worker does that evaluates one and holds the next in
// reserve; it sends heartbeats listing them until kill is called, and then
// vanishes as a SIGKILLed worker does (no scores, no heartbeat). It returns
// the candidates it holds.
func HoldChunks(t *testing.T, url, name string, n int) (candidates int, kill func()) {
	t.Helper()
	nc, err := Connect(Dial{URL: url, Grace: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w := NewWorker(nc, WorkerOptions{Workers: 1, Name: name})
	var d description
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if d, err = w.hello(nil); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("no coordinator at %s: %v", url, err)
	}
	// The run's own fingerprint: this worker evaluates nothing.
	j := join{Run: d.Run, Worker: name, Capacity: 1, Fingerprint: d.Fingerprint}
	m, err := nc.Request(w.o.Prefix+"."+subjJoin, encode(j), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var ok joined
	if decode(m.Data, &ok) != nil || ok.Refused != "" {
		t.Fatalf("%s refused: %q", name, ok.Refused)
	}
	w.setRun(d.Run)
	a := encode(ask{Run: d.Run, Worker: name, Capacity: 1})
	for deadline := time.Now().Add(60 * time.Second); len(w.held) < n; time.Sleep(20 * time.Millisecond) {
		if f := w.ask(a); f.err == nil && f.ch.Status == statusWork {
			candidates += len(f.ch.Index)
		} else if time.Now().After(deadline) {
			t.Fatalf("%s holds %d chunks after 60 s, want %d", name, len(w.held), n)
		}
	}
	stop := make(chan struct{})
	go w.beats(stop)
	return candidates, func() {
		close(stop)
		nc.Close()
	}
}
