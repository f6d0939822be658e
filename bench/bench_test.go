package bench

import (
	"strings"
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

// TestWriteText checks that the table for people carries the wide lifetime
// and the peak resident memory.
func TestWriteText(t *testing.T) {
	r := Report{Kernel: "generic", LifetimeWide: 257.8, LifetimeOnlyWide: 433.9, EvaluateWide: 635, PeakRSS: 3 << 20}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"wide scale (784 inputs, 4000 hidden, cap 400), samples/s on one core: 257.8 (Lifetime alone 433.9",
		"peak resident memory: 3.0 MiB"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("WriteText lacks %q:\n%s", want, b.String())
		}
	}
}

// TestWideNetwork pins the wide figure's network: 784 inputs, 4000 hidden,
// cap 400, 10 outputs, R = 3, no normalisation, and rules whose every table
// has no zero entry.
func TestWideNetwork(t *testing.T) {
	cfg := scaleConfig(ScaleWide)
	if cfg.Inputs != 784 || cfg.Hidden != 4000 || cfg.Cap != 400 || cfg.Outputs != 10 || cfg.Rounds != 3 || cfg.Norm != model.NormNone {
		t.Errorf("wide network %+v", cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
	r := randomRules(1, cfg.Rounds)
	for name, tab := range map[string][]float32{"input": r.Input(), "hidden": r.Hidden(), "output": r.Output()} {
		for i, v := range tab {
			if v == 0 {
				t.Errorf("%s rule entry %d is zero", name, i)
			}
		}
	}
}

// TestEndToEndSynthetic runs the end-to-end measurements once at the
// synthetic scale and checks they give positive rates.
func TestEndToEndSynthetic(t *testing.T) {
	o := Options{Budget: time.Millisecond, Workers: 2, Seed: 1}
	both, life, eval, err := measureLifetime(o, ScaleSynthetic)
	if err != nil || !(both > 0) || !(life > 0) || !(eval > 0) {
		t.Errorf("measureLifetime: %v, %v, %v, %v", both, life, eval, err)
	}
	par, err := measureLifetimeParallel(o, ScaleSynthetic, 2)
	if err != nil || !(par > 0) {
		t.Errorf("measureLifetimeParallel: %v, %v", par, err)
	}
	g, err := measureGeneration(o, ScaleSynthetic)
	if err != nil || !(g > 0) {
		t.Errorf("measureGeneration: %v, %v", g, err)
	}
	gd, err := measureGDStep(o, ScaleSynthetic)
	if err != nil || !(gd > 0) {
		t.Errorf("measureGDStep: %v, %v", gd, err)
	}
}
