package bench

import (
	"fmt"
	"io"
)

// WriteText prints the report as a table for people.
func (r Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "plasticity bench: kernel %s (available %v), %s, %d workers\n\n", r.Kernel, r.KernelsAvailable, r.CPU, r.Workers)
	fmt.Fprintf(w, "memory bandwidth: STREAM triad a = b + s*c (12 bytes per element), and read-only (dot product)\n")
	for _, b := range r.Bandwidths {
		fmt.Fprintf(w, "  %-5s %8.1f MiB  triad %7.1f GB/s  read %7.1f GB/s\n", b.Level, float64(b.WorkingSet)/(1<<20),
			b.GBPerSecond, b.ReadGBPerSecond)
	}
	fmt.Fprintf(w, "\n%-14s %-10s %-14s %11s %9s %9s %10s\n", "kernel", "scale", "shape", "ns/call", "GB/s", "GFLOP/s", "of bw")
	for _, k := range r.Kernels {
		gf := "-"
		if k.GFLOPPerSecond > 0 {
			gf = fmt.Sprintf("%.2f", k.GFLOPPerSecond)
		}
		fmt.Fprintf(w, "%-14s %-10s %-14s %11.1f %9.2f %9s %5.0f%% %s\n", k.Name, k.Scale, k.Shape, k.NsPerCall,
			k.GBPerSecond, gf, 100*k.FractionOfBandwidth, k.BandwidthLevel)
	}
	fmt.Fprintf(w, "\nmnist matvec 1000x1000: %.1f GB/s, %.0f%% of the %s bandwidth (%.1f GB/s)\n",
		r.MatVecMNIST, 100*r.MatVecMNISTFraction, r.MemoryBandwidthLevel, r.MemoryBandwidth)
	fmt.Fprintf(w, "lifetime + evaluation as ES runs them, samples/s on one core: synthetic %.0f (Lifetime alone %.0f, Evaluate alone %.0f), mnist %.0f (Lifetime alone %.0f, Evaluate alone %.0f)\n",
		r.LifetimeSynthetic, r.LifetimeOnlySynthetic, r.EvaluateSynthetic, r.LifetimeMNIST, r.LifetimeOnlyMNIST, r.EvaluateMNIST)
	fmt.Fprintf(w, "lifetime + evaluation as ES runs them at wide scale (%d inputs, %d hidden, cap %d), samples/s on one core: %.1f (Lifetime alone %.1f, Evaluate alone %.0f)\n",
		ScaleWide.Inputs, ScaleWide.Hidden, ScaleWide.Cap, r.LifetimeWide, r.LifetimeOnlyWide, r.EvaluateWide)
	fmt.Fprintf(w, "lifetime + evaluation at mnist scale on %d workers at once: %.0f samples/s, %.2f times one core\n",
		r.Workers, r.LifetimeMNISTParallel, r.LifetimeMNISTScaling)
	fmt.Fprintf(w, "ES generation at mnist scale (population 10, batch 100): %.3f s on %d workers\n", r.ESGenerationMNIST, r.Workers)
	fmt.Fprintf(w, "GD step at mnist scale (batch 100, lifetime + backward + Adam): %.3f s on one core\n", r.GDStepMNIST)
	_, err := fmt.Fprintf(w, "peak resident memory: %.1f MiB\n", float64(r.PeakRSS)/(1<<20))
	return err
}
