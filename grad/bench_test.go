package grad

import (
	"testing"

	"plasticity/model"
)

// Benchmarks of one GD step (a batch-100 lifetime, the evaluation pass with
// its backward pass, and the Adam update) against the lifetime alone, at the
// synthetic set's size (10-20/10-4, R = 3) and MNIST's (784-1000/500-10,
// R = 3) on random data of that shape. The target is GD step <= 3x lifetime.

type benchShape struct {
	name              string
	in, hid, cap, out int
}

var benchShapes = []benchShape{
	{"synthetic", 10, 20, 10, 4},
	{"mnist", 784, 1000, 500, 10},
}

func benchSetup(b *testing.B, s benchShape, norm model.Norm) (*model.Network, *model.Network, fdProblem) {
	cfg := model.Config{Inputs: s.in, Hidden: s.hid, Outputs: s.out, Rounds: 3, Cap: s.cap, Eta: 0.01, EdgeProb: 1,
		Init: model.InitScaled, Norm: norm}
	p := newProblem(cfg, 100, 1)
	if s.in == 784 {
		// MNIST pixels are in [0,1], mostly 0.
		rng := model.NewRand(1, "bench-pixels", 0)
		for i := range p.ds.X {
			p.ds.X[i] = 0
			if rng.Float64() < 0.2 {
				p.ds.X[i] = float32(rng.Float64())
			}
		}
	}
	template, err := model.NewNetwork(cfg)
	if err != nil {
		b.Fatal(err)
	}
	template.Init(model.NewRand(1, "bench-init", 0))
	n, _ := model.NewNetwork(cfg)
	return template, n, p
}

func BenchmarkLifetime(b *testing.B) {
	for _, s := range benchShapes {
		for _, norm := range []model.Norm{model.NormNone, model.NormOutgoing} {
			b.Run(s.name+"-"+norm.String(), func(b *testing.B) {
				template, n, p := benchSetup(b, s, norm)
				r := model.Rules{Rounds: 3, Theta: p.theta}
				for b.Loop() {
					n.CopyWeights(template)
					if _, err := n.Lifetime(r, p.ds, p.idx, nil); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*1e3, "ms/lifetime")
			})
		}
	}
}

// BenchmarkGDStep times GD steps with every table learned (all) and with
// the output table only (output, our GD's default: the input and hidden
// tables frozen).
func BenchmarkGDStep(b *testing.B) {
	for _, s := range benchShapes {
		for _, norm := range []model.Norm{model.NormNone, model.NormOutgoing} {
			for _, learn := range []string{"all", "output"} {
				b.Run(s.name+"-"+norm.String()+"-"+learn, func(b *testing.B) {
					benchGDStep(b, s, norm, learn == "output")
				})
			}
		}
	}
}

func benchGDStep(b *testing.B, s benchShape, norm model.Norm, outputOnly bool) {
	template, n, p := benchSetup(b, s, norm)
	bp, err := New(n.Cfg)
	if err != nil {
		b.Fatal(err)
	}
	bp.Frozen[Input], bp.Frozen[Hidden] = outputOnly, outputOnly
	adam, _ := NewAdam(len(p.theta), 1e-6, 0)
	g := make([]float32, len(p.theta))
	r := model.Rules{Rounds: 3, Theta: p.theta}
	for b.Loop() {
		n.CopyWeights(template)
		if _, err := bp.Gradient(n, r, p.ds, p.idx, g); err != nil {
			b.Fatal(err)
		}
		adam.Step(p.theta, g)
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*1e3, "ms/step")
	b.ReportMetric(float64(bp.Checkpoints()), "copies")
}

// BenchmarkBackUndoRow is the inner loop of the normalised walk on one
// MNIST-sized row of Whid.
func BenchmarkBackUndoRow(b *testing.B) {
	const n = 1000
	rng := model.NewRand(1, "bench-row", 0)
	v := func() []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		return x
	}
	w0, g0, d, inv, mul, next, tbl := v(), v(), v(), v(), v(), v(), v()[:16]
	w, g := make([]float32, n), make([]float32, n)
	idx := make([]uint8, n)
	for i := range idx {
		idx[i] = uint8(rng.IntN(16))
	}
	bp := &Backprop{tmp: make([]float32, n)}
	b.SetBytes(n * 4 * 8)
	for b.Loop() {
		copy(w, w0) // the same values every time
		copy(g, g0)
		bp.backUndoRow(w, g, d, inv, mul, next, tbl, idx)
	}
}
