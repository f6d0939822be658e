package experiment

import (
	"fmt"
	"io"
	"os"
	"time"
)

// Progress writes a progress line with percentage, rate and time left: in
// place on a terminal, as a plain log line every few seconds otherwise.
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
}

// NewProgress starts a progress report of total units on w (nil: silent).
func NewProgress(w io.Writer, name string, total int, unit string) *Progress {
	p := &Progress{w: w, name: name, unit: unit, total: total, start: time.Now(), interval: 10 * time.Second}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
			p.interval = 250 * time.Millisecond
		}
	}
	p.last = p.start
	return p
}

// Update reports that done units are finished, with a short status.
func (p *Progress) Update(done int, status string) {
	if p.w == nil {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < p.interval && done < p.total {
		return
	}
	p.last = now
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
		p.name, done, p.total, p.unit, 100*float64(done)/float64(max(p.total, 1)), speed, eta, status)
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
