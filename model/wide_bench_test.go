package model

import (
	"math"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time the process has used: under load from other
// processes it moves less than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// The wide network of plasticity bench's lifetime_samples_per_s_wide: 784
// inputs, 4000 hidden, cap 400, 10 outputs, R = 3, norm none, N(0,1) weights
// and rules (every table non-zero), a batch of 100.
var wideConfig = Config{Inputs: 784, Hidden: 4000, Outputs: 10, Rounds: 3, Cap: 400, Eta: 0.01, EdgeProb: 1}

// wideSamples returns n samples of 784 inputs: uniform in [0,1) as the bench
// draws them, or, when sparse is set, MNIST-shaped: about 150 of the 784
// inputs non-zero, in (0,1].
func wideSamples(n, outputs int, sparse bool, seed uint64) Samples {
	const dim = 784
	rng := NewRand(seed, "wide-samples", 0)
	s := Samples{X: make([]float32, n*dim), Y: make([]int32, n), Dim: dim}
	for i := range s.X {
		if !sparse {
			s.X[i] = float32(rng.Float64())
		} else if rng.IntN(784) < 150 {
			s.X[i] = 1 - float32(rng.Float64())
		}
	}
	for i := range s.Y {
		s.Y[i] = int32(rng.IntN(outputs))
	}
	return s
}

// benchWide times, on one core, the wide lifetime over a batch of 100 from
// fixed initial weights (lifetime), its evaluation pass (evaluate), both
// (Lifetime then Evaluate), or both from a Start (Start.Reset, inside the
// timing, then LifetimeFrom, or LifetimeScore as the ES generations run
// them: score), and reports samples per second.
func benchWide(b *testing.B, cfg Config, sparse bool, part string) {
	const batch = 100
	w0, err := NewNetwork(cfg)
	if err != nil {
		b.Fatal(err)
	}
	w0.Init(NewRand(1, "init", 0))
	n, _ := NewNetwork(cfg)
	ds := wideSamples(batch, cfg.Outputs, sparse, 1)
	idx := allIndices(batch)
	r := normalRules(cfg.Rounds, NewRand(1, "bench-rules", 0))
	if part == "evaluate" {
		n.CopyWeights(w0)
		if _, err := n.Lifetime(r, ds, idx, nil); err != nil {
			b.Fatal(err)
		}
	}
	st := new(Start)
	b.ResetTimer()
	var cpu time.Duration
	best := time.Duration(math.MaxInt64)
	for range b.N {
		c0 := cpuTime()
		if part == "from" || part == "score" {
			if err := st.Reset(w0, ds, idx); err != nil {
				b.Fatal(err)
			}
			run := n.LifetimeFrom
			if part == "score" {
				run = n.LifetimeScore
			}
			if _, _, err := run(st, r); err != nil {
				b.Fatal(err)
			}
			best = min(best, cpuTime()-c0)
			cpu += cpuTime() - c0
			continue
		}
		if part != "evaluate" {
			b.StopTimer()
			n.CopyWeights(w0)
			b.StartTimer()
		}
		c0 = cpuTime()
		if part != "evaluate" {
			if _, err := n.Lifetime(r, ds, idx, nil); err != nil {
				b.Fatal(err)
			}
		}
		if part != "lifetime" {
			n.Evaluate(ds, idx)
		}
		best = min(best, cpuTime()-c0)
		cpu += cpuTime() - c0
	}
	// The fastest run is the least disturbed by other load, as plasticity
	// bench takes it.
	b.ReportMetric(batch/best.Seconds(), "best-cpu-samples/s")
	b.ReportMetric(float64(batch*b.N)/cpu.Seconds(), "cpu-samples/s")
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkWide times the wide lifetime and evaluation pass on uniform
// (dense) and MNIST-shaped (sparse) inputs.
//
//	go test -run - -bench Wide -benchtime 5x ./model
func BenchmarkWide(b *testing.B) {
	for _, sparse := range []bool{false, true} {
		name := "dense"
		if sparse {
			name = "sparse"
		}
		for _, part := range []string{"lifetime", "evaluate", "both", "from", "score"} {
			b.Run(name+"/"+part, func(b *testing.B) { benchWide(b, wideConfig, sparse, part) })
		}
	}
}

// BenchmarkMNISTScale is BenchmarkWide at plasticity bench's MNIST scale
// (784-1000/500-10), to show the wide network's paths cost it nothing.
func BenchmarkMNISTScale(b *testing.B) {
	cfg := wideConfig
	cfg.Hidden, cfg.Cap = 1000, 500
	for _, part := range []string{"lifetime", "evaluate", "from", "score"} {
		b.Run(part, func(b *testing.B) { benchWide(b, cfg, false, part) })
	}
}
