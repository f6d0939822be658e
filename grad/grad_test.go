package grad

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"plasticity/model"
)

// The finite-difference check runs the float32 model, so its precision is
// float32's: a loss near 1 carries rounding noise of about 1e-8..1e-7 (the
// weights are summed step by step in float32, then multiplied three times).
// The check uses the 5-point stencil, whose truncation error is O(h^4), with
// h = 1e-2 on the genotype and a test eta of 0.1 (ten times the default, so
// a rule entry moves the weights by eta*h = 1e-3 per step and the change of
// the loss stands well above the noise). A coordinate passes when
//
//	|fd - g| <= fdRel (|fd| + |g|) + fdAbs gmax,    fdRel 3e-3, fdAbs 3e-4,
//
// gmax the largest |g| of the problem: 0.3% of the value, and 0.03% of the
// gradient's scale for coordinates near zero, where the noise dominates. The
// stencil's own rounding, one float32 ulp of the loss L at each of its four
// points, (8+8+1+1)/12 eps |L| / h = fdNoise |L|, is added: a problem whose
// loss is flat in a coordinate and whose gradient is small (the §10 options'
// output edges predicted from zero weights) otherwise fails on noise alone. Over
// six data draws of every option combination a correct gradient reaches at
// most half of that bound (TestFiniteDifferences logs the worst case), while
// a dropped term or a flipped sign exceeds it 10-200 times
// (TestWrongGradientsFail). Perturbations that move a pattern, a cap choice or
// an update decision (about 4% of them) leave the gradient's domain and are
// skipped and counted.
const (
	fdH   = 1e-2
	fdEta = 0.1
	fdRel = 3e-3
	fdAbs = 3e-4
	// fdNoise is 1.5 float32 epsilons over fdH.
	fdNoise = 1.5 * 0x1p-23 / fdH
)

// fdProblem is one small network and data set for the check.
type fdProblem struct {
	loss   Loss
	factor int // Backprop.factor
	cfg    model.Config
	ds     model.Samples
	idx    []int32
	theta  []float32
	// w0, when set, replaces the initial weights drawn (Win, Whid, Wout
	// flattened; see weights_test.go).
	w0 []float32
}

func newProblem(cfg model.Config, samples int, seed uint64) fdProblem {
	rng := model.NewRand(seed, "fd-data", 0)
	ds := model.Samples{Dim: cfg.Inputs, X: make([]float32, samples*cfg.Inputs), Y: make([]int32, samples)}
	for i := range ds.X {
		ds.X[i] = float32(rng.NormFloat64())
	}
	for i := range ds.Y {
		ds.Y[i] = int32(rng.IntN(cfg.Outputs))
	}
	idx := make([]int32, samples)
	for i := range idx {
		idx[i] = int32(i)
	}
	theta := make([]float32, model.GenotypeLen(cfg.Rounds))
	for i := range theta {
		theta[i] = float32(rng.NormFloat64())
	}
	return fdProblem{cfg: cfg, ds: ds, idx: idx, theta: theta}
}

// discrete records everything the gradient holds fixed: every step's
// patterns, cap choices and update decision, and the evaluation pass's.
type discrete struct {
	n   *model.Network
	sig []int32
}

func (d *discrete) record(updated bool) {
	for _, p := range d.n.Patterns() {
		d.sig = append(d.sig, int32(p))
	}
	for r := 0; r <= d.n.Cfg.Rounds; r++ {
		d.sig = append(d.sig, -1)
		d.sig = append(d.sig, d.n.Selected(r)...)
		// Which kept neurons are silent: under fire=topk the patterns do
		// not tell (relu's kink at 0 is held fixed like a pattern).
		act := d.n.Activations(r)
		for _, i := range d.n.Selected(r) {
			if act[i] == 0 {
				d.sig = append(d.sig, -4, i)
			}
		}
	}
	if updated {
		d.sig = append(d.sig, -2)
	}
}

// Observe records a step; under output edges predicted its prediction too,
// which picks the rows the output rule changes.
func (d *discrete) Observe(_ int, _ int32, pred int, updated bool) {
	d.record(updated)
	if d.n.Cfg.OutputEdges == model.OutputPredicted {
		d.sig = append(d.sig, -3, int32(pred))
	}
}

// lossAt runs the lifetime and evaluation pass of theta from the problem's
// fixed initial weights and returns the loss, computed in float64 from the
// float32 logits, and the discrete signature.
func (p fdProblem) lossAt(n *model.Network, theta []float32) (float64, []int32) {
	p.initWeights(n)
	d := &discrete{n: n}
	if _, err := n.Lifetime(model.Rules{Rounds: p.cfg.Rounds, Theta: theta}, p.ds, p.idx, d); err != nil {
		panic(err)
	}
	var loss float64
	n.EvaluateFunc(p.ds, p.idx, func(i int) {
		d.record(false)
		z := make([]float64, len(n.Logits()))
		for k, v := range n.Logits() {
			z[k] = float64(v)
		}
		if p.loss == MSE {
			loss += squaredError(softmax(z), int(p.ds.Y[i])) / float64(len(z))
			return
		}
		if p.loss == SoftmaxCrossEntropy {
			z = softmax(z)
		}
		loss -= math.Log(softmax(z)[p.ds.Y[i]])
	})
	return loss / float64(len(p.idx)), d.sig
}

func softmax(z []float64) []float64 {
	m := slices.Max(z)
	out := make([]float64, len(z))
	var s float64
	for k, v := range z {
		out[k] = math.Exp(v - m)
		s += out[k]
	}
	for k := range out {
		out[k] /= s
	}
	return out
}

// fdResult summarises one check: coordinates compared, skipped because a
// perturbation moved a pattern, cap choice or update decision, how many had a
// gradient clearly away from zero, and the worst violation (1 is the bound).
type fdResult struct {
	checked, skipped, nonzero int
	worst                     float64
	worstK                    int
	worstFD, worstG           float64
	skip                      []bool // by coordinate: skipped
}

// gradient returns the hand-derived gradient, with fault f built in.
func (p fdProblem) gradient(t *testing.T, f fault) []float32 {
	t.Helper()
	n, err := model.NewNetwork(p.cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(p.cfg)
	if err != nil {
		t.Fatal(err)
	}
	b.fault, b.Loss, b.factor = f, p.loss, p.factor
	g := make([]float32, len(p.theta))
	p.initWeights(n)
	if _, err := b.Gradient(n, model.Rules{Rounds: p.cfg.Rounds, Theta: p.theta}, p.ds, p.idx, g); err != nil {
		t.Fatal(err)
	}
	return g
}

// check compares g with finite differences of the loss, coordinate by
// coordinate, with the 5-point stencil (8(L(h)-L(-h)) - (L(2h)-L(-2h)))/12h,
// whose truncation error is O(h^4); a coordinate that fails at h = fdH is
// taken again at fdH/4 (with four times the rounding allowance).
func (p fdProblem) check(t *testing.T, g []float32) fdResult {
	t.Helper()
	n, err := model.NewNetwork(p.cfg)
	if err != nil {
		t.Fatal(err)
	}
	var gmax float64
	for _, v := range g {
		gmax = max(gmax, math.Abs(float64(v)))
	}
	l0, base := p.lossAt(n, p.theta)
	res := fdResult{skip: make([]bool, len(p.theta))}
	th := slices.Clone(p.theta)
	for k := range th {
		gk := float64(g[k])
		// violation is |fd - g| against the bound at step h.
		violation := func(h float32) (float64, float64, bool) {
			fd, same := p.stencil(n, th, k, h, base)
			noise := fdNoise * fdH / float64(h) * math.Abs(l0)
			return math.Abs(fd-gk) / (fdRel*(math.Abs(fd)+math.Abs(gk)) + fdAbs*gmax + noise + 1e-30), fd, same
		}
		v, fd, same := violation(fdH)
		if !same {
			res.skipped++
			res.skip[k] = true
			continue
		}
		res.checked++
		if math.Abs(gk) > 1e-2*gmax {
			res.nonzero++
		}
		// Where the loss curves sharply (a normalised row or column of
		// near-zero steps) the stencil's truncation error, O(h^4), can
		// pass the bound at h: a quarter of h cuts it 256 times.
		if v > 1 {
			if v4, fd4, same4 := violation(fdH / 4); same4 && v4 < v {
				v, fd = v4, fd4
			}
		}
		if v > res.worst || math.IsNaN(v) {
			res.worst, res.worstK, res.worstFD, res.worstG = v, k, fd, gk
		}
	}
	return res
}

// stencil returns the 5-point finite difference of the loss in coordinate k
// at step h, and whether every point kept the discrete signature base. th
// holds theta, and is left so.
func (p fdProblem) stencil(n *model.Network, th []float32, k int, h float32, base []int32) (float64, bool) {
	var ls [4]float64
	same := true
	for m, d := range []float32{-2, -1, 1, 2} {
		th[k] = p.theta[k] + d*h
		var sig []int32
		ls[m], sig = p.lossAt(n, th)
		same = same && slices.Equal(sig, base)
	}
	th[k] = p.theta[k]
	return (8*(ls[2]-ls[1]) - (ls[3] - ls[0])) / (12 * float64(h)), same
}

func smallConfig() model.Config {
	return model.Config{Inputs: 3, Hidden: 6, Outputs: 3, Rounds: 2, Cap: 3, Eta: fdEta, EdgeProb: 1}
}

// gridConfigs lists every combination of act x drive x norm x update x
// init on the small network.
func gridConfigs() []model.Config {
	var out []model.Config
	for act := range model.Linear + 1 {
		for drive := range model.DriveRaw + 1 {
			for norm := range model.NormBoth + 1 {
				for upd := range model.UpdateMisclassified + 1 {
					for init := range model.InitZero + 1 {
						c := smallConfig()
						c.Act, c.Drive, c.Norm, c.Update, c.Init = act, drive, norm, upd, init
						out = append(out, c)
					}
				}
			}
		}
	}
	return out
}

// allConfigs lists the grid of gridConfigs, and one with a sparse hidden
// connectivity.
func allConfigs() []model.Config {
	c := smallConfig()
	c.EdgeProb = 0.5
	c.Norm = model.NormOutgoing
	return append(gridConfigs(), c)
}

func name(c model.Config) string {
	s := fmt.Sprintf("%v-%v-%v-%v-%v-p%g", c.Act, c.Drive, c.Norm, c.Update, c.Init, c.EdgeProb)
	if c.EtaDecay > 0 {
		s += fmt.Sprintf("-decay%g", c.EtaDecay)
	}
	return s
}

func TestFiniteDifferences(t *testing.T) {
	var checked, skipped, nonzero int
	var worst float64
	for _, cfg := range allConfigs() {
		t.Run(name(cfg), func(t *testing.T) {
			var c fdResult
			for seed := range uint64(2) {
				p := newProblem(cfg, 8, seed+3)
				r := p.check(t, p.gradient(t, faultNone))
				if !(r.worst <= 1) {
					t.Errorf("data %d, coordinate %d: finite difference %.6g, gradient %.6g (%.3g times the bound)",
						seed, r.worstK, r.worstFD, r.worstG, r.worst)
				}
				c.checked += r.checked
				c.skipped += r.skipped
				c.nonzero += r.nonzero
				worst = max(worst, r.worst)
			}
			// The check must compare something: most coordinates keep their
			// patterns, and some have a gradient (relu from zero weights may
			// keep every neuron silent on one data draw).
			if c.checked < c.skipped || c.nonzero < 2 {
				t.Errorf("only %d coordinates checked (%d skipped), %d with a non-zero gradient", c.checked, c.skipped, c.nonzero)
			}
			checked += c.checked
			skipped += c.skipped
			nonzero += c.nonzero
		})
	}
	// The hidden gradient from G's factors, which only larger networks take
	// by cost, on every combination without normalisation.
	for _, cfg := range allConfigs() {
		if cfg.Norm != model.NormNone || cfg.EdgeProb < 1 {
			continue
		}
		t.Run("factored-"+name(cfg), func(t *testing.T) {
			p := newProblem(cfg, 8, 3)
			p.factor = 2
			r := p.check(t, p.gradient(t, faultNone))
			if !(r.worst <= 1) || r.checked < r.skipped {
				t.Errorf("coordinate %d: finite difference %.6g, gradient %.6g (%.3g times the bound); %d checked",
					r.worstK, r.worstFD, r.worstG, r.worst, r.checked)
			}
			worst = max(worst, r.worst)
		})
	}
	// The reference program's loss, cross-entropy on the softmax outputs,
	// on a few option combinations.
	for _, cfg := range allConfigs()[:12] {
		t.Run("softmax-ce-"+name(cfg), func(t *testing.T) {
			p := newProblem(cfg, 8, 3)
			p.loss = SoftmaxCrossEntropy
			r := p.check(t, p.gradient(t, faultNone))
			if !(r.worst <= 1) || r.nonzero < 2 {
				t.Errorf("coordinate %d: finite difference %.6g, gradient %.6g (%.3g times the bound); %d non-zero",
					r.worstK, r.worstFD, r.worstG, r.worst, r.nonzero)
			}
			worst = max(worst, r.worst)
		})
	}
	if nonzero < checked/3 {
		t.Errorf("only %d of %d coordinates checked have a non-zero gradient", nonzero, checked)
	}
	t.Logf("%d coordinates checked (%d non-zero), %d skipped for a changed pattern; worst %.3g of the bound",
		checked, nonzero, skipped, worst)
}

// changes reports whether a fault changes a coordinate the check compared
// (skip false) by more than 5% of the gradient's scale and more than 1e-5:
// on a degenerate problem whose gradient is zero but for float32 rounding
// (relu from zero weights under a row normalisation keeps every neuron
// silent), a fault changes only the rounding.
func changes(good, bad []float32, skip []bool) bool {
	var diff, gmax float64
	for k := range good {
		gmax = max(gmax, math.Abs(float64(good[k])))
		if !skip[k] {
			diff = max(diff, math.Abs(float64(bad[k]-good[k])))
		}
	}
	return diff > 0.05*gmax && diff > 1e-5
}

// TestWrongGradientsFail shows the check is tight enough: a gradient with one
// term dropped or one sign flipped fails it wherever the fault changes a
// coordinate the check compares by more than 5% of the gradient's scale, and
// that is most option combinations.
func TestWrongGradientsFail(t *testing.T) {
	faults := map[fault]string{
		faultDropA0Path:  "a0 feeds every round: term dropped",
		faultFlipProject: "normalisation's projection: sign flipped",
		faultDropProject: "normalisation's projection: term dropped",
		faultFlipOutNo:   "output table's other-class entries: sign flipped",
		faultDropSoftmax: "cross-entropy's softmax term dropped",
	}
	for f, what := range faults {
		expectCaught(t, what, allConfigs(), func(p fdProblem) []float32 { return p.gradient(t, f) })
	}
}

// expectCaught checks that the wrong gradient wrong gives of each
// configuration's problem fails the finite-difference check wherever it
// differs from the right one on a coordinate the check compares, and that
// it differs in at least 10 configurations (else the test shows nothing).
func expectCaught(t *testing.T, what string, cfgs []model.Config, wrong func(p fdProblem) []float32) {
	t.Helper()
	caught, relevant := 0, 0
	for _, cfg := range cfgs {
		p := newProblem(cfg, 8, 3)
		good, bad := p.gradient(t, faultNone), wrong(p)
		r := p.check(t, bad)
		if !changes(good, bad, r.skip) {
			continue
		}
		relevant++
		if r.worst > 1 {
			caught++
		} else {
			t.Errorf("%s: %s passes the check (worst %.3g of the bound)", what, name(cfg), r.worst)
		}
	}
	if relevant < 10 {
		t.Errorf("%s: changes the gradient in only %d configurations", what, relevant)
	}
	t.Logf("%s: caught in %d of %d configurations it changes", what, caught, relevant)
}

// TestFrozenTables checks that skipping the work of frozen tables leaves the
// other tables' gradient bit for bit as it was, and the frozen ones zero.
func TestFrozenTables(t *testing.T) {
	for _, cfg := range allConfigs() {
		p := newProblem(cfg, 8, 3)
		full := p.gradient(t, faultNone)
		for mask := 1; mask < 7; mask++ {
			n, _ := model.NewNetwork(cfg)
			b, _ := New(cfg)
			for k := range 3 {
				b.Frozen[k] = mask&(1<<k) != 0
			}
			g := make([]float32, len(p.theta))
			n.Init(model.NewRand(7, "fd-init", 0))
			if _, err := b.Gradient(n, model.Rules{Rounds: cfg.Rounds, Theta: p.theta}, p.ds, p.idx, g); err != nil {
				t.Fatal(err)
			}
			r := model.Rules{Rounds: cfg.Rounds, Theta: g}
			rf := model.Rules{Rounds: cfg.Rounds, Theta: full}
			for k, pair := range [3][2][]float32{{r.Input(), rf.Input()}, {r.Hidden(), rf.Hidden()}, {r.Output(), rf.Output()}} {
				want := pair[1]
				if b.Frozen[k] {
					want = make([]float32, len(want))
				}
				if !slices.Equal(pair[0], want) {
					t.Fatalf("%s, frozen %v: table %d differs from the full gradient's", name(cfg), b.Frozen, k)
				}
			}
		}
	}
}

// gradientWith returns the gradient of p's problem from the initial weights
// of the named stream, by a Backprop set up by set.
func (p fdProblem) gradientWith(t *testing.T, stream string, set func(*Backprop)) ([]float32, *Backprop) {
	t.Helper()
	n, _ := model.NewNetwork(p.cfg)
	b, _ := New(p.cfg)
	set(b)
	g := make([]float32, len(p.theta))
	n.Init(model.NewRand(7, stream, 0))
	if _, err := b.Gradient(n, model.Rules{Rounds: p.cfg.Rounds, Theta: p.theta}, p.ds, p.idx, g); err != nil {
		t.Fatal(err)
	}
	return g, b
}

// maxDiff returns the largest |a - b| and the largest |b|.
func maxDiff(a, b []float32) (diff, scale float64) {
	for k := range a {
		scale = max(scale, math.Abs(float64(b[k])))
		diff = max(diff, math.Abs(float64(a[k]-b[k])))
	}
	return diff, scale
}

// TestPatternObserverPaths checks that the gradient is the same whether the
// lifetime updates the weights before each Observe (a plain Observer) or
// keeps them aside (the tape as a model.PatternObserver, which lets networks
// of 128+ hidden neurons take the model's transposed lifetime): both read the
// same patterns and the same final weights, up to float32 rounding.
func TestPatternObserverPaths(t *testing.T) {
	for _, upd := range []model.Update{model.UpdateAlways, model.UpdateMisclassified} {
		for _, drive := range []model.Drive{model.DriveA0, model.DriveRaw} {
			cfg := model.Config{Inputs: 12, Hidden: 160, Outputs: 4, Rounds: 2, Cap: 80, Eta: 0.01, EdgeProb: 1,
				Init: model.InitScaled, Update: upd, Drive: drive}
			p := newProblem(cfg, 40, 4)
			deferred, _ := p.gradientWith(t, "paths", func(*Backprop) {})
			eager, _ := p.gradientWith(t, "paths", func(b *Backprop) { b.eager = true })
			if diff, scale := maxDiff(deferred, eager); !(scale > 0) || diff > 1e-4*scale {
				t.Errorf("%v %v: gradients differ by %.3g (largest entry %.3g)", upd, drive, diff, scale)
			}
		}
	}
}

// TestFactoredHiddenGradient compares the hidden table's gradient from G's
// factors with the one from G, at a size where the cost picks the factors,
// and checks that it does.
func TestFactoredHiddenGradient(t *testing.T) {
	cfg := model.Config{Inputs: 12, Hidden: 400, Outputs: 4, Rounds: 3, Cap: 200, Eta: 0.01, EdgeProb: 1,
		Init: model.InitScaled, Drive: model.DriveRaw}
	p := newProblem(cfg, 60, 5)
	byCost, b := p.gradientWith(t, "factored", func(*Backprop) {})
	if !b.lowRank {
		t.Error("at 400 hidden neurons the cost did not pick the factored form")
	}
	factored, _ := p.gradientWith(t, "factored", func(b *Backprop) { b.factor = 2 })
	dense, _ := p.gradientWith(t, "factored", func(b *Backprop) { b.factor = 1 })
	if !slices.Equal(byCost, factored) {
		t.Error("the factored form chosen by cost differs from the forced one")
	}
	if diff, scale := maxDiff(factored, dense); !(scale > 0) || diff > 1e-5*scale {
		t.Errorf("factored and dense gradients differ by %.3g (largest entry %.3g)", diff, scale)
	}
}
