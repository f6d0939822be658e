package experiment

import (
	"testing"
	"time"

	"plasticity/model"
)

// TestKernelCases runs every case of the bench table once at both scales and
// checks its accounting.
func TestKernelCases(t *testing.T) {
	for _, s := range []Scale{ScaleSynthetic, ScaleMNIST} {
		seen := map[string]bool{}
		for _, c := range KernelCases(s, model.NewRand(1, "test", 0)) {
			id := c.Name + "/" + c.Shape
			if seen[id] {
				t.Errorf("%s: %s twice", s.Name, id)
			}
			seen[id] = true
			if c.Scale != s.Name || !(c.Bytes > 0) || !(c.WorkingSet > 0) || c.Flops < 0 {
				t.Errorf("%s %s: scale %q, bytes %v, working set %v, flops %v", s.Name, id, c.Scale, c.Bytes, c.WorkingSet, c.Flops)
			}
			c.Run()
		}
		if len(seen) < 18 {
			t.Errorf("%s: %d kernel cases", s.Name, len(seen))
		}
	}
}

func TestLevelOf(t *testing.T) {
	levels := []Bandwidth{{Level: "L2", Capacity: 100}, {Level: "L3", Capacity: 1000}, {Level: "DRAM"}}
	for _, c := range []struct {
		bytes float64
		want  string
	}{{1, "L2"}, {100, "L2"}, {101, "L3"}, {1000, "L3"}, {1001, "DRAM"}} {
		if got := levelOf(levels, c.bytes).Level; got != c.want {
			t.Errorf("levelOf(%v) = %s, want %s", c.bytes, got, c.want)
		}
	}
}

func TestMeasure(t *testing.T) {
	calls := 0
	d := Measure(5*time.Millisecond, func() {
		calls++
		time.Sleep(100 * time.Microsecond)
	})
	if d < 100*time.Microsecond || d > 50*time.Millisecond || calls < 6 {
		t.Errorf("Measure of a 100us sleep: %v per call over %d calls", d, calls)
	}
}
