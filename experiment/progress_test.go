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
