package experiment

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"plasticity/model"
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

// TestTransferAndScoreReportFromInside runs a transfer with one curve point
// per pass and an eval, each step of their lifetimes taking a second of an
// injected clock: both write lines from inside the lifetimes, and the
// transfer's results are those of a silent one.
func TestTransferAndScoreReportFromInside(t *testing.T) {
	defer func(c func() time.Time) { clock = c }(clock)
	fake := &fakeClock{t: time.Unix(0, 0), step: time.Second}
	clock = fake.now
	ds := smallData(t)
	cfg := model.Synthetic(0, 0)
	cfg.Hidden, cfg.Cap, cfg.Rounds = 8, 4, 2
	r := model.NewRules(cfg.Rounds)
	for i := range r.Theta {
		r.Theta[i] = float32(i%5) - 2
	}
	var buf bytes.Buffer
	o := TransferOptions{Options: Options{Model: cfg, Seed: 1, Workers: 1, Batch: 100, EvalLifetimes: 3, Log: &buf},
		Passes: 1, RecordEvery: ds.Train.Len()}
	loud, err := Transfer(o, r, ds)
	if err != nil {
		t.Fatal(err)
	}
	inside := 0
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.HasPrefix(line, "transfer ") && !strings.HasPrefix(line, fmt.Sprintf("transfer %d/", ds.Train.Len())) {
			inside++
		}
	}
	if inside < 3 {
		t.Errorf("%d lines before the only curve point of the pass:\n%s", inside, buf.String())
	}
	o.Log = nil
	quiet, err := Transfer(o, r, ds)
	if err != nil {
		t.Fatal(err)
	}
	loud.Seconds, quiet.Seconds = 0, 0
	if !reflect.DeepEqual(loud, quiet) {
		t.Errorf("a transfer reporting its progress gave %+v, a silent one %+v", loud, quiet)
	}

	buf.Reset()
	o.Log = &buf
	if _, err := Score(o.Options, ds, r); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "lifetimes done"); n < 3 {
		t.Errorf("%d lines from inside 3 lifetimes of eval:\n%s", n, buf.String())
	}
}
