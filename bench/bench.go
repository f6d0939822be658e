package bench

import (
	"fmt"
	"io"
	"time"

	"github.com/klauspost/cpuid/v2"

	"plasticity/es"
	"plasticity/linalg"
	"plasticity/model"
)

// Options configure a bench run.
type Options struct {
	// Budget is the time spent on each measurement.
	Budget time.Duration
	// Workers is the number of goroutines of the parallel figures (0: one
	// per core).
	Workers int
	Seed    uint64
	// Log receives progress; nil discards it.
	Log io.Writer
}

// KernelFigure is the measured speed of one KernelCase.
type KernelFigure struct {
	KernelCase
	NsPerCall      float64 `json:"ns_per_call"`
	GBPerSecond    float64 `json:"gb_per_s"`
	GFLOPPerSecond float64 `json:"gflop_per_s,omitempty"`
	// FractionOfBandwidth compares GBPerSecond with the measured bandwidth
	// of the smallest level that holds the kernel's bytes (BandwidthLevel).
	FractionOfBandwidth float64 `json:"fraction_of_bandwidth"`
	BandwidthLevel      string  `json:"bandwidth_level"`
}

// Report is the result of a bench run; its JSON form carries the keys of
// docs/model.md §9.
type Report struct {
	Command string `json:"command"`
	// Kernel is the kernel set in use: "avx2" or "generic".
	Kernel string `json:"kernel"`
	// KernelsAvailable lists what this CPU and build can run.
	KernelsAvailable []string `json:"kernels_available"`
	CPU              string   `json:"cpu"`
	// MemoryBandwidth is the headline bandwidth: that of the working set
	// the MNIST-size weights (Win and Whid, 7 MB) live in, named by
	// MemoryBandwidthLevel.
	MemoryBandwidth      float64     `json:"memory_bandwidth_gb_per_s"`
	MemoryBandwidthLevel string      `json:"memory_bandwidth_level"`
	Bandwidths           []Bandwidth `json:"memory_bandwidth_by_level"`
	// MatVecMNIST is the dense 1000x1000 product (Whid a), with its share
	// of the headline bandwidth.
	MatVecMNIST         float64 `json:"matvec_gb_per_s_mnist"`
	MatVecMNISTFraction float64 `json:"matvec_fraction_of_bandwidth_mnist"`
	// Lifetime rates count the batch's samples over the time of one
	// lifetime and its evaluation pass over the same batch, on one core, as
	// an ES generation runs them for each candidate (Start.Reset from the
	// initial weights, then LifetimeScore; the reset, which a generation
	// shares among its candidates, inside the timing). The two parts are
	// given apart as well (LifetimeOnly*, Evaluate*), as Lifetime and
	// Evaluate called one after the other: those share neither the products
	// of the input weights and the batch nor the transposed hidden weights.
	LifetimeSynthetic float64 `json:"lifetime_samples_per_s_synthetic"`
	LifetimeMNIST     float64 `json:"lifetime_samples_per_s_mnist"`
	// LifetimeWide is the same rate on the wide network (ScaleWide: 784
	// inputs, 4000 hidden, cap 400, 10 outputs), every rule table non-zero.
	LifetimeWide float64 `json:"lifetime_samples_per_s_wide"`
	// LifetimeMNISTParallel is LifetimeMNIST with Workers lifetimes (each
	// with its evaluation pass, on its own network) at once: the rate of
	// them all, and its ratio to the one-core rate.
	LifetimeMNISTParallel float64 `json:"lifetime_samples_per_s_mnist_parallel"`
	LifetimeMNISTScaling  float64 `json:"lifetime_scaling_mnist"`
	LifetimeOnlySynthetic float64 `json:"lifetime_only_samples_per_s_synthetic"`
	LifetimeOnlyMNIST     float64 `json:"lifetime_only_samples_per_s_mnist"`
	LifetimeOnlyWide      float64 `json:"lifetime_only_samples_per_s_wide"`
	EvaluateSynthetic     float64 `json:"evaluate_samples_per_s_synthetic"`
	EvaluateMNIST         float64 `json:"evaluate_samples_per_s_mnist"`
	EvaluateWide          float64 `json:"evaluate_samples_per_s_wide"`
	// ESGenerationMNIST is one simple-ES generation: population 10, each
	// candidate a lifetime and an evaluation pass over a batch of 100, on
	// Workers goroutines.
	ESGenerationMNIST float64 `json:"es_generation_s_mnist"`
	// GDStepMNIST is one gradient-descent step on one core: a batch-100
	// lifetime from fresh initial weights, the evaluation pass with its
	// backward pass through the lifetime, and the Adam update.
	GDStepMNIST float64        `json:"gd_step_s_mnist"`
	Workers     int            `json:"workers"`
	Kernels     []KernelFigure `json:"kernels"`
	Seconds     float64        `json:"seconds"`
	// PeakRSS is the process's peak resident memory at the end of the run
	// (PeakRSSBytes; 0 where the system does not say).
	PeakRSS int64 `json:"peak_rss_bytes"`
}

// Run measures the kernels in use, the machine's memory bandwidth, the
// lifetime at the synthetic, MNIST and wide scales, and one ES generation and
// one GD step at MNIST scale.
func Run(o Options) (Report, error) {
	start := time.Now()
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format, args...)
		}
	}
	r := Report{Command: "bench", Kernel: linalg.Kernel(), KernelsAvailable: linalg.Kernels(),
		CPU: cpuid.CPU.BrandName, Workers: es.Workers(o.Workers)}

	logf("bench: memory bandwidth\n")
	r.Bandwidths = MeasureBandwidth(o.Budget)
	r.MemoryBandwidthLevel = "L3"
	for _, b := range r.Bandwidths {
		if b.Level == r.MemoryBandwidthLevel {
			r.MemoryBandwidth = b.GBPerSecond
		}
	}
	for _, s := range []Scale{ScaleSynthetic, ScaleMNIST} {
		logf("bench: kernels at %s scale\n", s.Name)
		r.measureKernels(o, s)
	}

	if err := r.measureLifetimes(o, logf); err != nil {
		return r, err
	}

	logf("bench: ES generation at mnist scale on %d workers\n", r.Workers)
	var err error
	if r.ESGenerationMNIST, err = measureGeneration(o, ScaleMNIST); err != nil {
		return r, err
	}
	logf("bench: GD step at mnist scale\n")
	if r.GDStepMNIST, err = measureGDStep(o, ScaleMNIST); err != nil {
		return r, err
	}
	r.Seconds = time.Since(start).Seconds()
	r.PeakRSS = PeakRSSBytes()
	return r, nil
}

// measureKernels appends the figures of every kernel at scale s, each beside
// the bandwidth of the level its working set fits in.
func (r *Report) measureKernels(o Options, s Scale) {
	for _, c := range KernelCases(s, model.NewRand(o.Seed, "bench-kernels", 0)) {
		d := Measure(o.Budget, c.Run).Seconds()
		kf := KernelFigure{KernelCase: c, NsPerCall: d * 1e9, GBPerSecond: c.Bytes / d / 1e9}
		if c.Flops > 0 {
			kf.GFLOPPerSecond = c.Flops / d / 1e9
		}
		lv := levelOf(r.Bandwidths, c.WorkingSet)
		kf.BandwidthLevel, kf.FractionOfBandwidth = lv.Level, kf.GBPerSecond/lv.GBPerSecond
		r.Kernels = append(r.Kernels, kf)
		if s == ScaleMNIST && c.Name == "matvec" && c.Shape == "1000x1000" {
			r.MatVecMNIST, r.MatVecMNISTFraction = kf.GBPerSecond, kf.GBPerSecond/r.MemoryBandwidth
		}
	}
}

// measureLifetimes fills the lifetime rates: on one core at every scale, and
// on Workers cores at once at MNIST scale.
func (r *Report) measureLifetimes(o Options, logf func(string, ...any)) error {
	for _, s := range []Scale{ScaleSynthetic, ScaleMNIST, ScaleWide} {
		logf("bench: lifetime at %s scale\n", s.Name)
		both, life, eval, err := measureLifetime(o, s)
		if err != nil {
			return err
		}
		switch s {
		case ScaleWide:
			r.LifetimeWide, r.LifetimeOnlyWide, r.EvaluateWide = both, life, eval
		case ScaleMNIST:
			r.LifetimeMNIST, r.LifetimeOnlyMNIST, r.EvaluateMNIST = both, life, eval
		default:
			r.LifetimeSynthetic, r.LifetimeOnlySynthetic, r.EvaluateSynthetic = both, life, eval
		}
	}

	logf("bench: %d lifetimes at once at mnist scale\n", r.Workers)
	par, err := measureLifetimeParallel(o, ScaleMNIST, r.Workers)
	if err != nil {
		return err
	}
	r.LifetimeMNISTParallel, r.LifetimeMNISTScaling = par, par/r.LifetimeMNIST
	return nil
}
