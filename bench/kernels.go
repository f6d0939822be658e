// Package bench measures the kernels in use, the machine's memory bandwidth
// beside them, and the end-to-end speed of a lifetime, an ES generation and a
// GD step: the figures of `plasticity bench` (docs/model.md §9).
package bench

import (
	"fmt"
	"math"
	"math/rand/v2"

	"plasticity/linalg"
)

// Scale is one network size: the seed paper's two, and a wide one.
type Scale struct {
	Name                         string
	Inputs, Hidden, Outputs, Cap int
}

// The seed paper's two scales (docs/model.md §8), and a network four times as
// wide as the MNIST one, whose hidden weights (64 MB) fit in no cache.
var (
	ScaleSynthetic = Scale{Name: "synthetic", Inputs: 10, Hidden: 20, Outputs: 4, Cap: 10}
	ScaleMNIST     = Scale{Name: "mnist", Inputs: 784, Hidden: 1000, Outputs: 10, Cap: 500}
	ScaleWide      = Scale{Name: "wide", Inputs: 784, Hidden: 4000, Outputs: 10, Cap: 400}
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
// cap and the activations. Both `plasticity bench` and BenchmarkKernels run
// this table.
func KernelCases(s Scale, rng *rand.Rand) []KernelCase {
	o := newOperands(s, rng)
	return append(o.productCases(), o.elementCases()...)
}

// operands are the vectors and matrices of one scale the kernel cases work
// on, drawn once and shared by every case.
type operands struct {
	scale                 string
	h, in, out, k         int
	win, whid, wout       []float32
	x, hv, ov, big, dst   []float32
	idx                   []int32 // the columns a cap keeps
	pat                   []uint8 // a firing pattern per neuron
	table, tab            []float32
	capIn, capX, capAct   []float32
	sel                   []int32
	scratch               []uint64
	norms, acc, ones, act []float32
	xs, dsts              []float32 // a block of vectors and their products
}

// block is the number of vectors the evaluation pass multiplies at once.
const block = 50

func newOperands(s Scale, rng *rand.Rand) *operands {
	h, in, out, k := s.Hidden, s.Inputs, s.Outputs, s.Cap
	vec := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	o := &operands{scale: s.Name, h: h, in: in, out: out, k: k}
	o.win, o.whid, o.wout = vec(h*in), vec(h*h), vec(out*h)
	o.x, o.hv, o.ov, o.big = vec(in), vec(h), vec(out), vec(h*in)
	o.dst = make([]float32, max(h, in, h*in))
	// The columns a cap keeps: evenly spread, ascending.
	o.idx = make([]int32, 0, k)
	for j := 0; j < h && len(o.idx) < k; j += max(h/k, 1) {
		o.idx = append(o.idx, int32(j))
	}
	o.pat = make([]uint8, h)
	for i := range o.pat {
		o.pat[i] = uint8(rng.IntN(16))
	}
	o.table = vec(16)
	o.capIn, o.capX = vec(h), make([]float32, h)
	// The cap sees activations: sigmoid outputs, all in (0, 1).
	o.capAct = make([]float32, h)
	for i, v := range o.capIn {
		o.capAct[i] = float32(1 / (1 + math.Exp(-4*float64(v))))
	}
	o.sel, o.scratch = make([]int32, k), make([]uint64, h)
	o.norms, o.acc = make([]float32, max(h, in)), make([]float32, h*in)
	o.ones = make([]float32, h*in) // scales of 1 keep the weights as they are
	for i := range o.ones {
		o.ones[i] = 1
	}
	o.act = make([]float32, h)
	// The hidden rule's rows, one per pattern.
	o.tab = vec(16 * h)
	o.xs = vec(block * max(h, in))
	o.dsts = make([]float32, block*h)
	return o
}

// size returns the bytes of float32 operands of n elements in all.
func size(n ...int) float64 {
	t := 0
	for _, v := range n {
		t += v
	}
	return 4 * float64(t)
}

func mat(r, c int) string { return fmt.Sprintf("%dx%d", r, c) }
func one(n int) string    { return fmt.Sprint(n) }

// kc fills a case; bytes counts every operand read plus every one written,
// ws each distinct operand once.
func (o *operands) kc(name, shape string, bytes, ws, flops float64, run func()) KernelCase {
	return KernelCase{Name: name, Scale: o.scale, Shape: shape, Bytes: bytes, WorkingSet: ws, Flops: flops, Run: run}
}

// productCases are the lifetime's matrix-vector products and rule updates.
func (o *operands) productCases() []KernelCase {
	h, in, out := o.h, o.in, o.out
	dst, win, whid, wout, hv, tab, pat := o.dst, o.win, o.whid, o.wout, o.hv, o.tab, o.pat
	return []KernelCase{
		o.kc("matvec", mat(h, in), size(h*in, in, h), size(h*in, in, h), 2*float64(h*in), func() { linalg.MatVec(dst, win, h, in, o.x) }),
		o.kc("matvec", mat(h, h), size(h*h, h, h), size(h*h, h, h), 2*float64(h*h), func() { linalg.MatVec(dst, whid, h, h, hv) }),
		o.kc("matvec", mat(out, h), size(out*h, h, out), size(out*h, h, out), 2*float64(out*h), func() { linalg.MatVec(dst, wout, out, h, hv) }),
		o.kc("matvec_cols", fmt.Sprintf("%dx%d/%d", h, h, len(o.idx)), size(h*len(o.idx), 2*len(o.idx), h), size(h*h, h, h),
			2*float64(h*len(o.idx)), func() { linalg.MatVecCols(dst, whid, h, h, hv, o.idx) }),
		o.kc("matvec_trans", mat(h, h), size(h*h, h, 2*h), size(h*h, h, h), 2*float64(h*h), func() { linalg.MatVecTrans(dst, whid, h, h, hv) }),
		o.kc("add_outer", mat(h, h), size(2*h*h, 2*h), size(h*h, 2*h), 2*float64(h*h), func() { linalg.AddOuter(whid, h, h, hv, hv) }),
		o.kc("dot", one(h), size(2*h), size(2*h), 2*float64(h), func() { linalg.Dot(hv, o.capIn) }),
		o.kc("axpy", one(h*in), size(3*h*in), size(2*h*in), 2*float64(h*in), func() { linalg.Axpy(win, 1e-7, o.big) }),
		o.kc("add_scaled", one(h*in), size(3*h*in), size(3*h*in), 2*float64(h*in), func() { linalg.AddScaled(dst, win, 1e-7, o.big) }),
		o.kc("add_const", mat(h, in), size(2*h*in), size(h*in), float64(h*in), func() {
			for i := range h {
				linalg.AddConst(win[i*in:(i+1)*in], 1e-7)
			}
		}),
		o.kc("add_lookup", mat(h, h), size(2*h*h)+float64(h*h), size(h*h)+float64(h), float64(h*h), func() {
			for i := range h {
				linalg.AddLookup(whid[i*h:(i+1)*h], o.table, pat)
			}
		}),
		o.kc("add_rows", mat(h, h), size(2*h*h, h*h), size(h*h, 16*h)+float64(h), float64(h*h), func() {
			linalg.AddRows(whid, h, h, tab, pat)
		}),
		o.kc("add_rows_matvec", mat(h, h), size(2*h*h, h*h, h, h)+float64(h), size(h*h, 16*h, 2*h)+float64(h), 3*float64(h*h), func() {
			linalg.AddRowsMatVec(dst, whid, h, h, tab, pat, hv)
		}),
	}
}

// elementCases are the evaluation pass's batched products, Adam's and the
// normalisation's element-wise kernels, the cap and the activations.
func (o *operands) elementCases() []KernelCase {
	h, in, out, k := o.h, o.in, o.out, o.k
	win, whid := o.win, o.whid
	return []KernelCase{
		o.kc("matvec_batch", fmt.Sprintf("%dx%dx%d", h, h, block), size(h*h, block*h, block*h), size(h*h, block*h, block*h),
			2*float64(h*h*block), func() { linalg.MatVecBatch(o.dsts, whid, h, h, o.xs, block) }),
		o.kc("matvec_batch", fmt.Sprintf("%dx%dx%d", h, in, block), size(h*in, block*in, block*h), size(h*in, block*in, block*h),
			2*float64(h*in*block), func() { linalg.MatVecBatch(o.dsts, win, h, in, o.xs, block) }),
		o.kc("add_squares", one(h*in), size(3*h*in), size(2*h*in), 2*float64(h*in), func() { linalg.AddSquares(o.acc, win) }),
		o.kc("mul_elem", one(h*in), size(3*h*in), size(2*h*in), float64(h*in), func() { linalg.MulElem(win, o.ones) }),
		o.kc("column_norms", mat(h, in), size(h*in, in), size(h*in, in), 2*float64(h*in), func() { linalg.ColumnNorms(o.norms, win, h, in) }),
		o.kc("scale_columns", mat(h, in), size(2*h*in, in), size(h*in, in), float64(h*in), func() { linalg.ScaleColumns(win, h, in, o.ones) }),
		o.kc("cap", fmt.Sprintf("%d/%d", h, k), size(2*h, 2*h, k), size(h, 2*h, k), 0, func() {
			copy(o.capX, o.capAct)
			linalg.Cap(o.capX, k, o.sel, o.scratch)
		}),
		o.kc("sigmoid", one(h), size(2*h), size(h), 0, func() {
			copy(o.act, o.capIn)
			linalg.Sigmoid(o.act)
		}),
		o.kc("relu", one(h), size(2*h), size(h), 0, func() {
			copy(o.act, o.capIn)
			linalg.ReLU(o.act)
		}),
		o.kc("log_softmax", one(out), size(2*out), size(2*out), 0, func() { linalg.LogSoftmax(o.dst[:out], o.ov) }),
	}
}
