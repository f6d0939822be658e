package bench

import (
	"math"
	"time"

	"github.com/klauspost/cpuid/v2"

	"plasticity/linalg"
)

// Measure calls op repeatedly for about budget and returns the shortest mean
// time per call over five rounds: the least disturbed by other load.
func Measure(budget time.Duration, op func()) time.Duration {
	op() // warm caches and the branch predictor
	// Calls per timing: enough that one timing takes at least a
	// millisecond, so the clock's cost does not count.
	n := 1
	for {
		start := time.Now()
		for range n {
			op()
		}
		if el := time.Since(start); el >= time.Millisecond || n >= 1<<30 {
			break
		}
		n *= 2
	}
	best := time.Duration(math.MaxInt64)
	for r := range 5 {
		deadline := time.Now().Add(budget * time.Duration(r+1) / 5)
		for first := true; first || time.Now().Before(deadline); first = false {
			start := time.Now()
			for range n {
				op()
			}
			best = min(best, time.Since(start)/time.Duration(n))
		}
	}
	return best
}

// Bandwidth is the measured memory bandwidth of one working set: the STREAM
// triad's, and that of a read-only sweep.
type Bandwidth struct {
	Level string `json:"level"`
	// Capacity is the size of the level (0 for DRAM): a kernel whose
	// working set fits is compared with this level's bandwidth.
	Capacity        int     `json:"capacity_bytes,omitempty"`
	WorkingSet      int     `json:"working_set_bytes"`
	GBPerSecond     float64 `json:"triad_gb_per_s"`
	ReadGBPerSecond float64 `json:"read_gb_per_s"`
}

// MeasureBandwidth times the STREAM triad, a = b + s*c over three float32
// arrays (12 bytes per element, as STREAM counts them), and a read-only sweep,
// the dot product of b and c (8 bytes per element), with working sets that fit
// in L2, in L3, and in neither, always with the fastest kernel set. Cache
// sizes come from cpuid, with common sizes where it does not know them.
func MeasureBandwidth(budget time.Duration) []Bandwidth {
	// The machine's bandwidth does not depend on the kernel set under test:
	// sweep with the fastest.
	if restore, err := linalg.SetKernel(linalg.Kernels()[0]); err == nil {
		defer restore()
	}
	l2, l3 := cpuid.CPU.Cache.L2, cpuid.CPU.Cache.L3
	if l2 <= 0 {
		l2 = 512 << 10
	}
	if l3 <= 0 {
		l3 = 16 << 20
	}
	levels := []Bandwidth{
		{Level: "L2", Capacity: l2, WorkingSet: l2 / 2},
		{Level: "L3", Capacity: l3, WorkingSet: max(l3/4, 4*l2)},
		{Level: "DRAM", WorkingSet: max(8*l3, 256<<20)},
	}
	for i := range levels {
		n := levels[i].WorkingSet / 12
		a, b, c := make([]float32, n), make([]float32, n), make([]float32, n)
		for j := range b {
			b[j], c[j] = 1, 1
		}
		d := Measure(budget, func() { linalg.AddScaled(a, b, 0.5, c) })
		levels[i].GBPerSecond = 12 * float64(n) / d.Seconds() / 1e9
		d = Measure(budget, func() { linalg.Dot(b, c) })
		levels[i].ReadGBPerSecond = 8 * float64(n) / d.Seconds() / 1e9
	}
	return levels
}

// levelOf returns the first (smallest) level that holds bytes, or the last
// one.
func levelOf(levels []Bandwidth, bytes float64) Bandwidth {
	for _, l := range levels {
		if bytes <= float64(l.Capacity) {
			return l
		}
	}
	return levels[len(levels)-1]
}
