package experiment

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/klauspost/cpuid/v2"

	"plasticity/data"
	"plasticity/es"
	"plasticity/linalg"
	"plasticity/model"
)

// Scale is one of the two network sizes the seed paper uses.
type Scale struct {
	Name                         string
	Inputs, Hidden, Outputs, Cap int
}

// The seed paper's two scales (SPEC section 8).
var (
	ScaleSynthetic = Scale{Name: "synthetic", Inputs: 10, Hidden: 20, Outputs: 4, Cap: 10}
	ScaleMNIST     = Scale{Name: "mnist", Inputs: 784, Hidden: 1000, Outputs: 10, Cap: 500}
)

// KernelCase is one linalg kernel on the operands it meets at one scale, with
// the bytes it must move and the floating-point operations it does per call
// (0 where counting them means nothing, as for the cap). Its working set is
// the bytes it moves less those it reads and writes back in place.
type KernelCase struct {
	Name       string  `json:"name"`
	Scale      string  `json:"scale"`
	Shape      string  `json:"shape"`
	Bytes      float64 `json:"bytes"`
	WorkingSet float64 `json:"working_set_bytes"`
	Flops      float64 `json:"flops"`
	Run        func()  `json:"-"`
}

// KernelCases returns every linalg kernel at scale s, on operands drawn from
// rng, as the lifetime and the gradient call them: matrix products over the
// three weight matrices, the rule updates row by row, the normalisation, the
// cap and the activations. Both `plasticity bench` and the Go benchmarks of
// package linalg run this table.
func KernelCases(s Scale, rng *rand.Rand) []KernelCase {
	h, in, out, k := s.Hidden, s.Inputs, s.Outputs, s.Cap
	vec := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	win, whid, wout := vec(h*in), vec(h*h), vec(out*h)
	x, hv, ov, big := vec(in), vec(h), vec(out), vec(h*in)
	dst := make([]float32, max(h, in, h*in))
	// The columns a cap keeps: evenly spread, ascending.
	idx := make([]int32, 0, k)
	for j := 0; j < h && len(idx) < k; j += max(h/k, 1) {
		idx = append(idx, int32(j))
	}
	pat := make([]uint8, h)
	for i := range pat {
		pat[i] = uint8(rng.IntN(16))
	}
	table := vec(16)
	capIn, capX := vec(h), make([]float32, h)
	// The cap sees activations: sigmoid outputs, all in (0, 1).
	capAct := make([]float32, h)
	for i, v := range capIn {
		capAct[i] = float32(1 / (1 + math.Exp(-4*float64(v))))
	}
	sel, scratch := make([]int32, k), make([]uint64, h)
	norms, acc := make([]float32, max(h, in)), make([]float32, h*in)
	ones := make([]float32, h*in) // scales of 1 keep the weights as they are
	for i := range ones {
		ones[i] = 1
	}
	act := make([]float32, h)
	// The hidden rule's rows, one per pattern, and a block of vectors as
	// the evaluation pass multiplies them.
	tab := vec(16 * h)
	const block = 50
	xs := vec(block * max(h, in))
	dsts := make([]float32, block*h)

	// Sizes in bytes of float32 operands.
	b := func(n ...int) float64 {
		t := 0
		for _, v := range n {
			t += v
		}
		return 4 * float64(t)
	}
	mat := func(r, c int) string { return fmt.Sprintf("%dx%d", r, c) }
	one := func(n int) string { return fmt.Sprint(n) }
	// kc fills a case; bytes counts every operand read plus every one
	// written, ws each distinct operand once.
	kc := func(name, shape string, bytes, ws, flops float64, run func()) KernelCase {
		return KernelCase{Name: name, Scale: s.Name, Shape: shape, Bytes: bytes, WorkingSet: ws, Flops: flops, Run: run}
	}
	return []KernelCase{
		kc("matvec", mat(h, in), b(h*in, in, h), b(h*in, in, h), 2*float64(h*in), func() { linalg.MatVec(dst, win, h, in, x) }),
		kc("matvec", mat(h, h), b(h*h, h, h), b(h*h, h, h), 2*float64(h*h), func() { linalg.MatVec(dst, whid, h, h, hv) }),
		kc("matvec", mat(out, h), b(out*h, h, out), b(out*h, h, out), 2*float64(out*h), func() { linalg.MatVec(dst, wout, out, h, hv) }),
		kc("matvec_cols", fmt.Sprintf("%dx%d/%d", h, h, len(idx)), b(h*len(idx), 2*len(idx), h), b(h*h, h, h),
			2*float64(h*len(idx)), func() { linalg.MatVecCols(dst, whid, h, h, hv, idx) }),
		kc("matvec_trans", mat(h, h), b(h*h, h, 2*h), b(h*h, h, h), 2*float64(h*h), func() { linalg.MatVecTrans(dst, whid, h, h, hv) }),
		kc("add_outer", mat(h, h), b(2*h*h, 2*h), b(h*h, 2*h), 2*float64(h*h), func() { linalg.AddOuter(whid, h, h, hv, hv) }),
		kc("dot", one(h), b(2*h), b(2*h), 2*float64(h), func() { linalg.Dot(hv, capIn) }),
		kc("axpy", one(h*in), b(3*h*in), b(2*h*in), 2*float64(h*in), func() { linalg.Axpy(win, 1e-7, big) }),
		kc("add_scaled", one(h*in), b(3*h*in), b(3*h*in), 2*float64(h*in), func() { linalg.AddScaled(dst, win, 1e-7, big) }),
		kc("add_const", mat(h, in), b(2*h*in), b(h*in), float64(h*in), func() {
			for i := range h {
				linalg.AddConst(win[i*in:(i+1)*in], 1e-7)
			}
		}),
		kc("add_lookup", mat(h, h), b(2*h*h)+float64(h*h), b(h*h)+float64(h), float64(h*h), func() {
			for i := range h {
				linalg.AddLookup(whid[i*h:(i+1)*h], table, pat)
			}
		}),
		kc("add_rows", mat(h, h), b(2*h*h, h*h), b(h*h, 16*h)+float64(h), float64(h*h), func() {
			linalg.AddRows(whid, h, h, tab, pat)
		}),
		kc("add_rows_matvec", mat(h, h), b(2*h*h, h*h, h, h)+float64(h), b(h*h, 16*h, 2*h)+float64(h), 3*float64(h*h), func() {
			linalg.AddRowsMatVec(dst, whid, h, h, tab, pat, hv)
		}),
		kc("matvec_batch", fmt.Sprintf("%dx%dx%d", h, h, block), b(h*h, block*h, block*h), b(h*h, block*h, block*h),
			2*float64(h*h*block), func() { linalg.MatVecBatch(dsts, whid, h, h, xs, block) }),
		kc("matvec_batch", fmt.Sprintf("%dx%dx%d", h, in, block), b(h*in, block*in, block*h), b(h*in, block*in, block*h),
			2*float64(h*in*block), func() { linalg.MatVecBatch(dsts, win, h, in, xs, block) }),
		kc("add_squares", one(h*in), b(3*h*in), b(2*h*in), 2*float64(h*in), func() { linalg.AddSquares(acc, win) }),
		kc("mul_elem", one(h*in), b(3*h*in), b(2*h*in), float64(h*in), func() { linalg.MulElem(win, ones) }),
		kc("column_norms", mat(h, in), b(h*in, in), b(h*in, in), 2*float64(h*in), func() { linalg.ColumnNorms(norms, win, h, in) }),
		kc("scale_columns", mat(h, in), b(2*h*in, in), b(h*in, in), float64(h*in), func() { linalg.ScaleColumns(win, h, in, ones) }),
		kc("cap", fmt.Sprintf("%d/%d", h, k), b(2*h, 2*h, k), b(h, 2*h, k), 0, func() {
			copy(capX, capAct)
			linalg.Cap(capX, k, sel, scratch)
		}),
		kc("sigmoid", one(h), b(2*h), b(h), 0, func() {
			copy(act, capIn)
			linalg.Sigmoid(act)
		}),
		kc("relu", one(h), b(2*h), b(h), 0, func() {
			copy(act, capIn)
			linalg.ReLU(act)
		}),
		kc("log_softmax", one(out), b(2*out), b(2*out), 0, func() { linalg.LogSoftmax(dst[:out], ov) }),
	}
}

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

// BenchOptions configure `plasticity bench`.
type BenchOptions struct {
	// Budget is the time spent on each measurement.
	Budget  time.Duration
	Workers int
	Seed    uint64
	// Log receives progress; nil discards it.
	Log io.Writer
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

// BenchReport is the result of `plasticity bench`; its JSON form carries the
// keys of SPEC section 9.
type BenchReport struct {
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
	// lifetime and its evaluation pass (both on one core); the two parts
	// are given apart as well.
	LifetimeSynthetic float64 `json:"lifetime_samples_per_s_synthetic"`
	LifetimeMNIST     float64 `json:"lifetime_samples_per_s_mnist"`
	// LifetimeMNISTParallel is LifetimeMNIST with Workers lifetimes (each
	// with its evaluation pass, on its own network) at once: the rate of
	// them all, and its ratio to the one-core rate.
	LifetimeMNISTParallel float64 `json:"lifetime_samples_per_s_mnist_parallel"`
	LifetimeMNISTScaling  float64 `json:"lifetime_scaling_mnist"`
	LifetimeOnlySynthetic float64 `json:"lifetime_only_samples_per_s_synthetic"`
	LifetimeOnlyMNIST     float64 `json:"lifetime_only_samples_per_s_mnist"`
	EvaluateSynthetic     float64 `json:"evaluate_samples_per_s_synthetic"`
	EvaluateMNIST         float64 `json:"evaluate_samples_per_s_mnist"`
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
}

// Bench measures the kernels in use, the machine's memory bandwidth, the
// lifetime at both scales, and one ES generation and one GD step at MNIST
// scale.
func Bench(o BenchOptions) (BenchReport, error) {
	start := time.Now()
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format, args...)
		}
	}
	r := BenchReport{Command: "bench", Kernel: linalg.Kernel(), KernelsAvailable: linalg.Kernels(),
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

	for _, s := range []Scale{ScaleSynthetic, ScaleMNIST} {
		logf("bench: lifetime at %s scale\n", s.Name)
		life, eval, err := benchLifetime(o, s)
		if err != nil {
			return r, err
		}
		both := 1 / (1/life + 1/eval)
		if s == ScaleMNIST {
			r.LifetimeMNIST, r.LifetimeOnlyMNIST, r.EvaluateMNIST = both, life, eval
		} else {
			r.LifetimeSynthetic, r.LifetimeOnlySynthetic, r.EvaluateSynthetic = both, life, eval
		}
	}

	logf("bench: %d lifetimes at once at mnist scale\n", r.Workers)
	par, err := benchLifetimeParallel(o, ScaleMNIST, r.Workers)
	if err != nil {
		return r, err
	}
	r.LifetimeMNISTParallel, r.LifetimeMNISTScaling = par, par/r.LifetimeMNIST

	logf("bench: ES generation at mnist scale on %d workers\n", r.Workers)
	g, err := benchGeneration(o, ScaleMNIST)
	if err != nil {
		return r, err
	}
	r.ESGenerationMNIST = g

	logf("bench: GD step at mnist scale\n")
	if r.GDStepMNIST, err = benchGDStep(o, ScaleMNIST); err != nil {
		return r, err
	}
	r.Seconds = time.Since(start).Seconds()
	return r, nil
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

// benchData returns the data of one scale: the real synthetic set, or
// random MNIST-shaped samples (784 pixels in [0,1), 10 classes), so no files
// are needed.
func benchData(s Scale, seed uint64, batch int) (data.Dataset, error) {
	if s == ScaleSynthetic {
		return data.NewSynthetic(data.SeedSynthetic(), seed)
	}
	rng := model.NewRand(seed, "bench-data", 0)
	smp := model.Samples{X: make([]float32, batch*s.Inputs), Y: make([]int32, batch), Dim: s.Inputs}
	for i := range smp.X {
		smp.X[i] = float32(rng.Float64())
	}
	for i := range smp.Y {
		smp.Y[i] = int32(rng.IntN(s.Outputs))
	}
	return data.Dataset{Name: "random-" + s.Name, Classes: s.Outputs, Train: smp, Test: smp}, nil
}

func benchConfig(s Scale) model.Config {
	return model.Config{Inputs: s.Inputs, Hidden: s.Hidden, Outputs: s.Outputs, Rounds: 3, Cap: s.Cap,
		Eta: 0.01, EdgeProb: 1}
}

// benchRules draws a genotype the way the simple ES starts: i.i.d. N(0,1).
func benchRules(seed uint64, rounds int) model.Rules {
	rng := model.NewRand(seed, "bench-rules", 0)
	r := model.NewRules(rounds)
	for i := range r.Theta {
		r.Theta[i] = float32(rng.NormFloat64())
	}
	return r
}

// benchLifetime returns the samples per second of the lifetime over a batch
// of 100 and of its evaluation pass, on one core, from the same initial
// weights every time: the best of at least three runs, the least disturbed by
// other load.
func benchLifetime(o BenchOptions, s Scale) (life, eval float64, err error) {
	const batch = 100
	ds, err := benchData(s, o.Seed, batch)
	if err != nil {
		return 0, 0, err
	}
	cfg := benchConfig(s)
	l, err := newLifetimes(cfg, ds, 1)
	if err != nil {
		return 0, 0, err
	}
	l.template.Init(model.NewRand(o.Seed, "init", 0))
	rules := benchRules(o.Seed, cfg.Rounds)
	idx := NewBatches(o.Seed, ds.Train.Len(), batch).Batch(0)
	n := l.nets[0]
	tLife, tEval := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	deadline := time.Now().Add(2 * o.Budget)
	for runs := 0; runs < 3 || time.Now().Before(deadline); runs++ {
		n.CopyWeights(l.template)
		t0 := time.Now()
		if _, err := n.Lifetime(rules, ds.Train, idx, nil); err != nil {
			return 0, 0, err
		}
		t1 := time.Now()
		n.Evaluate(ds.Train, idx)
		tLife, tEval = min(tLife, t1.Sub(t0)), min(tEval, time.Since(t1))
	}
	return batch / tLife.Seconds(), batch / tEval.Seconds(), nil
}

// benchLifetimeParallel returns the samples per second of workers
// lifetimes over a batch of 100, each followed by its evaluation pass and on
// its own network, run at once from the same initial weights: the best of at
// least three rounds.
func benchLifetimeParallel(o BenchOptions, s Scale, workers int) (float64, error) {
	const batch = 100
	ds, err := benchData(s, o.Seed, batch)
	if err != nil {
		return 0, err
	}
	cfg := benchConfig(s)
	l, err := newLifetimes(cfg, ds, workers)
	if err != nil {
		return 0, err
	}
	l.template.Init(model.NewRand(o.Seed, "init", 0))
	rules := benchRules(o.Seed, cfg.Rounds)
	idx := NewBatches(o.Seed, ds.Train.Len(), batch).Batch(0)
	errs := make([]error, workers)
	best := time.Duration(math.MaxInt64)
	deadline := time.Now().Add(2 * o.Budget)
	for runs := 0; runs < 3 || time.Now().Before(deadline); runs++ {
		t0 := time.Now()
		var wg sync.WaitGroup
		for w, n := range l.nets {
			wg.Go(func() {
				n.CopyWeights(l.template)
				if _, errs[w] = n.Lifetime(rules, ds.Train, idx, nil); errs[w] == nil {
					n.Evaluate(ds.Train, idx)
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return 0, err
		}
		best = min(best, time.Since(t0))
	}
	// Each worker's lifetime and evaluation pass count batch samples, as in
	// benchLifetime's combined rate, so the ratio of the two is the scaling.
	return float64(batch*workers) / best.Seconds(), nil
}

// generation runs one generation of candidates: each gets a lifetime over
// batch from the template's weights and an evaluation pass over the same
// batch, on workers goroutines, as TrainES does. The products of the
// template's input weights and the batch are taken once for all (common
// random numbers: every candidate starts from the same weights on the same
// batch). It returns the evaluation scores in candidate order.
func (l *lifetimes) generation(workers int, rounds int, pop [][]float32, batch []int32) ([]model.Score, error) {
	st, err := l.start(batch)
	if err != nil {
		return nil, err
	}
	scores := make([]model.Score, len(pop))
	errs := make([]error, len(pop))
	es.ForEach(workers, len(pop), func(w, i int) {
		_, scores[i], errs[i] = l.runFrom(w, st, model.Rules{Rounds: rounds, Theta: pop[i]})
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return scores, nil
}

// benchGeneration returns the seconds of one simple-ES generation at scale s:
// population 10, batch 100, on all the workers asked for.
func benchGeneration(o BenchOptions, s Scale) (float64, error) {
	const batch, popsize = 100, 10
	ds, err := benchData(s, o.Seed, batch)
	if err != nil {
		return 0, err
	}
	cfg := benchConfig(s)
	l, err := newLifetimes(cfg, ds, o.Workers)
	if err != nil {
		return 0, err
	}
	strat, err := es.NewSimple(model.GenotypeLen(cfg.Rounds), popsize, 0.01, 2, model.NewRand(o.Seed, "es", 0))
	if err != nil {
		return 0, err
	}
	batches := NewBatches(o.Seed, ds.Train.Len(), batch)
	best := math.Inf(1)
	deadline := time.Now().Add(2 * o.Budget)
	for g := 0; g < 2 || time.Now().Before(deadline); g++ {
		l.template.Init(model.NewRand(o.Seed, "init", uint64(g)))
		t0 := time.Now()
		scores, err := l.generation(o.Workers, cfg.Rounds, strat.Ask(), batches.Batch(g))
		if err != nil {
			return 0, err
		}
		best = min(best, time.Since(t0).Seconds())
		fit := make([]float64, len(scores))
		for i, sc := range scores {
			fit[i] = sc.Accuracy
		}
		strat.Tell(fit)
	}
	return best, nil
}

// benchGDStep returns the seconds of one gradient-descent step at scale s, as
// TrainGD makes it (GDStepper.Step), on one core: the best of at least two.
func benchGDStep(o BenchOptions, s Scale) (float64, error) {
	const batch = 100
	ds, err := benchData(s, o.Seed, batch)
	if err != nil {
		return 0, err
	}
	g := DefaultGD(Options{Model: benchConfig(s), Seed: o.Seed, Workers: 1, Batch: batch, EvalLifetimes: 1})
	st, err := NewGDStepper(g, ds)
	if err != nil {
		return 0, err
	}
	best := math.Inf(1)
	deadline := time.Now().Add(2 * o.Budget)
	for n := 0; n < 2 || time.Now().Before(deadline); n++ {
		t0 := time.Now()
		if _, err := st.Step(); err != nil {
			return 0, err
		}
		best = min(best, time.Since(t0).Seconds())
	}
	return best, nil
}

// WriteText prints the report as a table for people.
func (r BenchReport) WriteText(w io.Writer) error {
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
	fmt.Fprintf(w, "lifetime + evaluation, samples/s on one core: synthetic %.0f (lifetime %.0f, evaluation %.0f), mnist %.0f (lifetime %.0f, evaluation %.0f)\n",
		r.LifetimeSynthetic, r.LifetimeOnlySynthetic, r.EvaluateSynthetic, r.LifetimeMNIST, r.LifetimeOnlyMNIST, r.EvaluateMNIST)
	fmt.Fprintf(w, "lifetime + evaluation at mnist scale on %d workers at once: %.0f samples/s, %.2f times one core\n",
		r.Workers, r.LifetimeMNISTParallel, r.LifetimeMNISTScaling)
	fmt.Fprintf(w, "ES generation at mnist scale (population 10, batch 100): %.3f s on %d workers\n", r.ESGenerationMNIST, r.Workers)
	_, err := fmt.Fprintf(w, "GD step at mnist scale (batch 100, lifetime + backward + Adam): %.3f s on one core\n", r.GDStepMNIST)
	return err
}
