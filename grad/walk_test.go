package grad

import (
	"fmt"
	"math"
	"testing"

	"plasticity/model"
)

// reconBound is the stated bound on the weights the backward walk rebuilds by
// undoing 100 normalised steps in float32: the largest error over every
// rebuilt W_t (t = T-1 .. 1, every matrix a Jacobian of the walk needs),
// relative to the largest entry of the true W_t.
// The tape's budget (reconBudget*6e-8 = 6e-6 per column, up to a factor
// 1 + max c) is the design target; the bound adds a margin of 3.
const reconBound = 2e-5

// TestReconstruction runs 100-step lifetimes under norm=outgoing and checks
// every weight matrix the backward walk rebuilds against the true one.
// Without the exact copies the tape keeps, large rule steps make the walk
// diverge: the test shows that too.
func TestReconstruction(t *testing.T) {
	for _, shape := range [][2]int{{10, 20}, {100, 200}} {
		for _, init := range []model.Init{model.InitNormal, model.InitScaled, model.InitZero} {
			for _, eta := range []float32{0.01, 0.1} {
				cfg := model.Config{Inputs: shape[0], Hidden: shape[1], Outputs: 4, Rounds: 3, Cap: shape[1] / 2,
					Eta: eta, EdgeProb: 1, Init: init, Norm: model.NormOutgoing}
				t.Run(fmt.Sprintf("%dx%d-%v-eta%g", shape[0], shape[1], init, eta), func(t *testing.T) {
					worst, copies := reconError(t, cfg, reconBudget)
					bare, _ := reconError(t, cfg, math.Inf(1))
					t.Logf("relative error %.3g with %d copies, %.3g without", worst, copies, bare)
					if !(worst <= reconBound) {
						t.Errorf("rebuilt weights are off by %.3g (bound %g)", worst, reconBound)
					}
				})
			}
		}
	}
}

// recorder keeps every step's weights: the truth the walk must rebuild.
type recorder struct {
	n *model.Network
	w [][]float32
}

func (r *recorder) Observe(int, int32, int, bool) { r.w = append(r.w, flat(r.n)) }

func flat(n *model.Network) []float32 {
	return append(append(append([]float32(nil), n.Win...), n.Whid...), n.Wout...)
}

// reconError returns the worst relative error of the walk's rebuilt weights
// over a 100-step lifetime, and how many exact copies the tape kept.
func reconError(t *testing.T, cfg model.Config, budget float64) (float64, int) {
	t.Helper()
	const steps = 100
	p := newProblem(cfg, steps, 5)
	n, err := model.NewNetwork(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := model.Rules{Rounds: cfg.Rounds, Theta: p.theta}
	n.Init(model.NewRand(9, "recon", 0))
	rec := &recorder{n: n, w: [][]float32{flat(n)}}
	if _, err := n.Lifetime(r, p.ds, p.idx, rec); err != nil {
		t.Fatal(err)
	}

	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b.tp.budget = budget
	var worst float64
	b.afterUnstep = func(step int) {
		truth := rec.w[step]
		got := append(append(append([]float32(nil), b.wIn...), b.wHid...), b.wOut...)
		var scale, e float64
		for i, v := range truth {
			scale = max(scale, math.Abs(float64(v)))
			e = max(e, math.Abs(float64(got[i]-v)))
		}
		if scale == 0 {
			scale = 1
		}
		worst = max(worst, e/scale)
	}
	n.Init(model.NewRand(9, "recon", 0))
	g := make([]float32, len(p.theta))
	if _, err := b.Gradient(n, r, p.ds, p.idx, g); err != nil {
		t.Fatal(err)
	}
	if b.tp.nsteps != steps {
		t.Fatalf("%d updating steps, want %d", b.tp.nsteps, steps)
	}
	return worst, b.Checkpoints()
}

// TestReconstructionRows is TestReconstruction under norm=incoming and
// norm=both, where undoing a step multiplies by the row norms (and the
// column norms).
func TestReconstructionRows(t *testing.T) {
	for _, norm := range []model.Norm{model.NormIncoming, model.NormBoth} {
		for _, init := range []model.Init{model.InitNormal, model.InitZero} {
			for _, eta := range []float32{0.01, 0.1} {
				cfg := model.Config{Inputs: 10, Hidden: 20, Outputs: 4, Rounds: 3, Cap: 10,
					Eta: eta, EdgeProb: 1, Init: init, Norm: norm}
				t.Run(fmt.Sprintf("%v-%v-eta%g", norm, init, eta), func(t *testing.T) {
					worst, copies := reconError(t, cfg, reconBudget)
					bare, _ := reconError(t, cfg, math.Inf(1))
					t.Logf("relative error %.3g with %d copies, %.3g without", worst, copies, bare)
					if !(worst <= reconBound) {
						t.Errorf("rebuilt weights are off by %.3g (bound %g)", worst, reconBound)
					}
				})
			}
		}
	}
}
