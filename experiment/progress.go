package experiment

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"plasticity/model"
)

// Progress writes a progress line with percentage, rate and time left: in
// place on a terminal, as a plain log line every 10 s otherwise, so a long
// command is never quiet for longer, as long as its loops report (Update
// between steps, Poll from inside them).
type Progress struct {
	w        io.Writer
	name     string
	unit     string
	total    int
	start    time.Time
	last     time.Time
	terminal bool
	interval time.Duration
	written  bool
	// finished says that the line of the work done has been written:
	// later calls, while a command ends, wait for the interval again.
	finished bool
	// now is the clock (time.Now; tests set their own).
	now func() time.Time
	// Poll reads the clock on every stride-th call only: calls counts
	// them, polled is when it last read it.
	calls, stride int
	polled        time.Time
}

// pollGap is how long Poll aims to leave between two readings of the
// clock: far below the 10 s of a plain log, far above a reading's cost.
const pollGap = 100 * time.Millisecond

// clock is the time of every Progress NewProgress makes: time.Now, but
// for tests.
var clock = time.Now

// NewProgress starts a progress report of total units on w (nil: silent).
func NewProgress(w io.Writer, name string, total int, unit string) *Progress {
	return newProgress(w, name, total, unit, clock)
}

func newProgress(w io.Writer, name string, total int, unit string, now func() time.Time) *Progress {
	p := &Progress{w: w, name: name, unit: unit, total: total, interval: 10 * time.Second, now: now, stride: 1}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
			p.interval = 250 * time.Millisecond
		}
	}
	p.start = now()
	p.last, p.polled = p.start, p.start
	return p
}

// Update reports that done units are finished, with a short status. It
// writes a line when the interval has passed since the last one, or once
// when the work is done.
func (p *Progress) Update(done int, status string) {
	if p.w == nil {
		return
	}
	p.update(p.now(), done, func() string { return status })
}

// Poll is Update for the inside of a loop over many small steps (samples of
// a lifetime or an evaluation): it reads the clock only every few calls,
// as many as take about pollGap, and builds the status only for a line.
func (p *Progress) Poll(done int, status func() string) {
	if p.w == nil {
		return
	}
	p.calls++
	if p.calls < p.stride {
		return
	}
	p.calls = 0
	now := p.now()
	if now.Sub(p.polled) < pollGap {
		p.stride = min(2*p.stride, 1<<20)
	} else {
		p.stride = max(p.stride/2, 1)
	}
	p.polled = now
	p.update(now, done, status)
}

func (p *Progress) update(now time.Time, done int, status func() string) {
	if now.Sub(p.last) < p.interval && (done < p.total || p.finished) {
		return
	}
	p.last = now
	p.finished = p.finished || done >= p.total
	el := now.Sub(p.start).Seconds()
	rate := float64(done) / max(el, 1e-9)
	eta := "-"
	if rate > 0 {
		eta = (time.Duration(float64(p.total-done)/rate) * time.Second).Round(time.Second).String()
	}
	speed := fmt.Sprintf("%.1f %s/s", rate, p.unit)
	if rate > 0 && rate < 0.1 {
		// Minutes per unit (seeds of a study) read better than 0.0 per second.
		speed = fmt.Sprintf("%v/%s", (time.Duration(float64(time.Second) / rate)).Round(time.Second), p.unit)
	}
	line := fmt.Sprintf("%s %d/%d %s (%3.0f%%, %s, %s left) %s",
		p.name, done, p.total, p.unit, 100*float64(done)/float64(max(p.total, 1)), speed, eta, status())
	if p.terminal {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.written = true
	} else {
		fmt.Fprintln(p.w, line)
	}
}

// Done ends the progress line.
func (p *Progress) Done() {
	if p.w != nil && p.terminal && p.written {
		fmt.Fprintln(p.w)
	}
}

// sharedProgress is a Progress fed from inside the loops of several
// workers, counting units (samples) as they go.
type sharedProgress struct {
	p      *Progress
	mu     sync.Mutex
	done   atomic.Int64
	status func() string
}

// add counts k more units done and polls the Progress, unless another
// worker is polling it.
func (s *sharedProgress) add(k int) {
	d := s.done.Add(int64(k))
	if s.mu.TryLock() {
		s.p.Poll(int(d), s.status)
		s.mu.Unlock()
	}
}

// tickEvery is how many units a ticker counts before it tells its
// sharedProgress: the shared counter is touched once per tickEvery units.
const tickEvery = 16

// ticker is one worker's counter of a sharedProgress. As a
// model.PatternObserver it counts the steps of a lifetime without changing
// the lifetime's path; tick counts the samples of an evaluation pass.
type ticker struct {
	s *sharedProgress
	n int
	// unit is what a tick adds to the count: 1 where the ticks are the
	// Progress's units, 0 where they only let it poll.
	unit int
}

func (t *ticker) tick() {
	t.n++
	if t.n == tickEvery {
		t.flush()
	}
}

// flush tells the sharedProgress the ticks counted since the last tell.
func (t *ticker) flush() {
	if t.n > 0 {
		t.s.add(t.n * t.unit)
		t.n = 0
	}
}

// Observe counts a step of a lifetime.
func (t *ticker) Observe(int, int32, int, bool) { t.tick() }

// ReadsPatternsOnly says that a ticker never reads the weights.
func (t *ticker) ReadsPatternsOnly() {}

// evaluate is n.Evaluate(s, idx), counting its samples on t. It reports
// from inside the pass only on a network whose forward pass is long enough
// (a quarter of a million products) that restoring its state at each sample
// (EvaluateFunc's after) costs nothing next to it: a smaller one goes
// through its samples far too fast to need that.
func (t *ticker) evaluate(n *model.Network, s model.Samples, idx []int32) model.Score {
	defer t.flush()
	if c := n.Cfg; c.Inputs*c.Hidden+c.Rounds*c.Hidden*c.Hidden < 1<<18 {
		t.n += len(idx)
		if idx == nil {
			t.n += s.Len()
		}
		return n.Evaluate(s, idx)
	}
	return n.EvaluateFunc(s, idx, func(int) { t.tick() })
}
