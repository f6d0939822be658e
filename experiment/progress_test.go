package experiment

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestProgressLines checks the plain log lines written when the output is
// not a terminal: none before the interval unless the work is done, then
// percentage, rate and time left; slow units read as time per unit.
func TestProgressLines(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, "run -seeds", 5, "seed")
	p.Update(1, "early")
	if buf.Len() != 0 {
		t.Fatalf("wrote %q before the interval", buf.String())
	}
	p.start = time.Now().Add(-10 * time.Minute)
	p.last = p.start
	p.Update(2, "seed 2 done")
	line := buf.String()
	for _, want := range []string{"run -seeds 2/5 seed ( 40%,", "5m0s/seed", "15m0s left)", "seed 2 done\n"} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
	buf.Reset()
	q := NewProgress(&buf, "es simple", 100, "gen")
	q.start = time.Now().Add(-2 * time.Second)
	q.Update(100, "")
	if got := buf.String(); !strings.Contains(got, "100/100 gen (100%, ") || !strings.Contains(got, " gen/s, 0s left)") {
		t.Errorf("finished line %q", got)
	}
	q.Done()
	if strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("Done added to a plain log: %q", buf.String())
	}
}

// fakeClock advances by step at every reading and counts the readings.
type fakeClock struct {
	t     time.Time
	step  time.Duration
	reads int
}

func (c *fakeClock) now() time.Time {
	c.reads++
	c.t = c.t.Add(c.step)
	return c.t
}

// TestProgressNeverQuiet drives Poll as a slow loop does, each step taking
// 3 s of an injected clock: off a terminal, a line comes as soon as 10 s
// have passed since the last, so no gap between lines (nor before the
// first) exceeds 10 s plus one step, and the status is built for lines only.
func TestProgressNeverQuiet(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0), step: 3 * time.Second}
	p := newProgress(&buf, "transfer", 1000, "sample", clock.now)
	built := 0
	var times []time.Time
	for i := range 100 {
		p.Poll(i, func() string { built++; times = append(times, clock.t); return "pass 1 of 1" })
	}
	if len(times) < 25 {
		t.Fatalf("%d lines over %v of steps, want one at least every 10 s", len(times), clock.t.Sub(time.Unix(0, 0)))
	}
	prev := p.start
	for _, at := range times {
		if gap := at.Sub(prev); gap > 13*time.Second {
			t.Errorf("quiet for %v before the line at %v", gap, at)
		}
		prev = at
	}
	if got := strings.Count(buf.String(), "\n"); got != built || built != len(times) {
		t.Errorf("%d lines written, %d statuses built", got, built)
	}
	// Lines of a pass over the test split: done stays, the clock moves.
	buf.Reset()
	for range 10 {
		p.Poll(100, func() string { return "test split" })
	}
	if strings.Count(buf.String(), "\n") < 2 {
		t.Errorf("no line while done stayed at 100 for 30 s: %q", buf.String())
	}
}

// TestProgressPollIsCheap drives Poll as a fast loop does, each call taking
// a microsecond: the clock is read a few dozen times over a million calls.
func TestProgressPollIsCheap(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0), step: time.Microsecond}
	p := newProgress(&buf, "score", 1<<20, "sample", clock.now)
	for i := range 1 << 20 {
		p.Poll(i, func() string { return "" })
	}
	if clock.reads > 64 {
		t.Errorf("the clock was read %d times in 2^20 calls", clock.reads)
	}
	// Once the work is done, one line says so; the rest wait 10 s again.
	buf.Reset()
	clock.step = time.Second
	for range 5 {
		p.Update(1<<20, "done")
	}
	if got := strings.Count(buf.String(), "\n"); got != 1 {
		t.Errorf("%d lines for the finished work over 5 s, want 1: %q", got, buf.String())
	}
}
