package model

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"plasticity/linalg"
)

// The fast paths of a lifetime (the products of a block of samples at once,
// Win's updates deferred to the end, the hidden update fused with the next
// product, the batched evaluation pass) are checked here against the
// straightforward path: one sample at a time, every table looked up per
// weight row, every update written at once, as docs/model.md §1-§3 say.

// refForward is the straightforward forward pass of x on n's weights into
// n's state. It also returns how close the pass came to a decision that
// rounding could flip (see margin).
func refForward(n *Network, x []float32) (int, float64) {
	c := n.Cfg
	h, k := c.Hidden, c.Cap
	linalg.MatVec(n.drive, n.Win, h, c.Inputs, x)
	z := make([]float32, h)
	a0 := n.act[:h]
	copy(a0, n.drive)
	copy(z, a0)
	n.activate(a0)
	v := slices.Clone(a0)
	n.nsel[0] = linalg.Cap(a0, k, n.sel[:k], n.scratch)
	worst := margin(c.Act, z, v, n.sel[:n.nsel[0]])
	prev := a0
	for r := 1; r <= c.Rounds; r++ {
		in := n.roundIn
		for i := range in {
			if c.Drive == DriveRaw {
				in[i] = prev[i] + n.drive[i]
			} else {
				in[i] = a0[i] + prev[i]
			}
		}
		ar := n.act[r*h : (r+1)*h]
		linalg.MatVec(ar, n.Whid, h, h, in)
		copy(z, ar)
		n.activate(ar)
		copy(v, ar)
		n.nsel[r] = linalg.Cap(ar, k, n.sel[r*k:(r+1)*k], n.scratch)
		worst = min(worst, margin(c.Act, z, v, n.sel[r*k:r*k+n.nsel[r]]))
		prev = ar
	}
	linalg.MatVec(n.logits, n.Wout, c.Outputs, h, prev)
	for i := range n.pattern {
		var p uint8
		for r := 0; r <= c.Rounds; r++ {
			p <<= 1
			if c.Fire == FireTopK && slices.Contains(n.sel[r*k:r*k+n.nsel[r]], int32(i)) ||
				c.Fire == FireNonZero && n.act[r*h+i] != 0 {
				p |= 1
			}
		}
		n.pattern[i] = p
	}
	pred := linalg.LogSoftmax(n.logp, n.logits)
	// The prediction flips if another logit comes within rounding.
	top := float64(n.logits[pred])
	for o, l := range n.logits {
		if o != pred {
			worst = min(worst, (top-float64(l))/(1+math.Abs(top)))
		}
	}
	return pred, worst
}

// margin measures how far one cap's choices are from changing under a small
// perturbation of its pre-activations z (v = f(z)), relative to the scale of
// z: the gap between the smallest value kept and the largest dropped, and
// for each kept neuron under relu or linear the distance of z from 0, where
// it would stop firing. Where the two values tie, which is kept depends on
// their exact rounding, unless relu maps both to 0 from z well below it.
// Sigmoid keeps the order of z but compresses it, down to equal values of 1
// from z of about 16.6: its gap is the smaller of those of z and of v.
func margin(act Activation, z, v []float32, sel []int32) float64 {
	scale := 1.0
	for _, u := range z {
		scale = max(scale, math.Abs(float64(u)))
	}
	kept := make([]bool, len(v))
	lo, loZ := math.Inf(1), math.Inf(1)
	worst := math.Inf(1)
	for _, i := range sel {
		kept[i] = true
		lo, loZ = min(lo, float64(v[i])), min(loZ, float64(z[i]))
		if act != Sigmoid {
			worst = min(worst, math.Abs(float64(z[i]))/scale)
		}
	}
	for i, u := range v {
		if kept[i] {
			continue
		}
		switch gap := lo - float64(u); {
		case act == Sigmoid:
			worst = min(worst, gap, (loZ-float64(z[i]))/scale)
		case gap > 0:
			worst = min(worst, gap/scale)
		case act == ReLU && lo == 0:
			worst = min(worst, -float64(z[i])/scale)
		default:
			worst = 0
		}
	}
	return worst
}

// refLearn is the straightforward update of the sample x of label label,
// predicted pred: every weight changed by its own entry, each row of Whid
// looking up its table by the pre-synaptic patterns, absent synapses cleared
// after, the output rows in the order §10.1 gives, each matrix normalised
// column by column and row by row.
func refLearn(n *Network, x []float32, label, pred int) {
	c := n.Cfg
	h, in, p := c.Hidden, c.Inputs, c.Patterns()
	pat := n.pattern
	change := func(w *float32, v float32) {
		if c.RuleForm == Multiplicative {
			*w *= 1 + v
		} else {
			*w += v
		}
	}
	for i := range h {
		for m := range in {
			v := n.inStep[pat[i]]
			if c.InputRule == InputHebbian {
				v = float32(v * x[m])
			}
			change(&n.Win[i*in+m], v)
		}
	}
	for i := range h {
		q := int(pat[i])
		for j := range h {
			change(&n.Whid[i*h+j], n.hidStep[q*p+int(pat[j])])
		}
	}
	for _, a := range n.absent {
		n.Whid[a] = 0
	}
	row := func(o int, t []float32) {
		for j := range h {
			change(&n.Wout[o*h+j], t[pat[j]])
		}
	}
	if c.OutputEdges == OutputPredicted {
		row(pred, n.outNo)
		row(label, n.outYes)
	} else {
		for o := range c.Outputs {
			if o == label {
				row(o, n.outYes)
			} else {
				row(o, n.outNo)
			}
		}
	}
	if c.Norm == NormOutgoing || c.Norm == NormBoth {
		n.normalize()
	}
	if c.Norm == NormIncoming || c.Norm == NormBoth {
		refNormalizeRows(n.Win, h, in)
		refNormalizeRows(n.Whid, h, h)
		refNormalizeRows(n.Wout, c.Outputs, h)
	}
}

// refNormalizeRows divides each non-zero row of w by its L2 norm.
func refNormalizeRows(w []float32, rows, cols int) {
	for i := range rows {
		var ss float64
		for _, v := range w[i*cols : (i+1)*cols] {
			ss += float64(v) * float64(v)
		}
		if ss > 0 {
			inv := 1 / float32(math.Sqrt(ss))
			for j := range cols {
				w[i*cols+j] *= inv
			}
		}
	}
}

// refDecay sets the rule steps of the update after the t-th sample of a
// network that started its lifetime at age 0 under -eta-decay: every entry
// times eta / (1 + t/EtaDecay), the factor taken first, as the model does.
func refDecay(n *Network, r Rules, t int) {
	c := n.Cfg
	eta := float32(float64(c.Eta) * (1 / (1 + float64(t)/c.EtaDecay)))
	p := c.Patterns()
	in, hid, out := r.Input(), r.Hidden(), r.Output()
	for q := range p {
		n.inStep[q] = eta * in[q]
		n.outYes[q], n.outNo[q] = eta*out[2*q], eta*out[2*q+1]
		for pj := range p {
			n.hidStep[q*p+pj] = eta * hid[pj*p+q]
		}
	}
}

// refRun is the straightforward lifetime and evaluation pass. It returns the
// lifetime's correct count, every step's patterns, the evaluation's logits
// and patterns per sample, its score, and the smallest margin met.
type refRun struct {
	correct           int
	steps             [][]uint8
	weights           [][]float32 // Win | Whid | Wout after each step
	evalLogits        [][]float32
	evalPatterns      [][]uint8
	score             Score
	margin            float64
	finalWin, finalWh []float32
	finalWout         []float32
}

func runRef(t *testing.T, n *Network, r Rules, ds Samples, idx []int32) refRun {
	t.Helper()
	if err := n.SetRules(r); err != nil {
		t.Fatal(err)
	}
	out := refRun{margin: math.Inf(1)}
	for t, s := range idx {
		y := int(ds.Y[s])
		pred, m := refForward(n, ds.Row(int(s)))
		out.margin = min(out.margin, m)
		if pred == y {
			out.correct++
		}
		if n.Cfg.Update == UpdateAlways || pred != y {
			if n.Cfg.EtaDecay > 0 {
				refDecay(n, r, t)
			}
			refLearn(n, ds.Row(int(s)), y, pred)
		}
		out.steps = append(out.steps, slices.Clone(n.pattern))
		out.weights = append(out.weights, flatWeights(n))
	}
	out.finalWin, out.finalWh, out.finalWout = slices.Clone(n.Win), slices.Clone(n.Whid), slices.Clone(n.Wout)
	o := n.Cfg.Outputs
	out.score = Score{Confusion: make([]int, o*o)}
	counts := make([]int, o)
	var loss, mse float64
	for _, s := range idx {
		y := int(ds.Y[s])
		pred, m := refForward(n, ds.Row(int(s)))
		mse += refSquaredError(n.logits, y)
		out.margin = min(out.margin, m)
		out.evalLogits = append(out.evalLogits, slices.Clone(n.logits))
		out.evalPatterns = append(out.evalPatterns, slices.Clone(n.pattern))
		loss -= float64(n.logp[y])
		if pred == y {
			out.score.Accuracy++
		}
		counts[pred]++
		out.score.Confusion[y*o+pred]++
	}
	out.score.N = len(idx)
	out.score.Accuracy /= float64(len(idx))
	out.score.Loss = loss / float64(len(idx))
	out.score.MSE = mse / float64(len(idx)*o)
	out.score.Majority = float64(slicesMax(counts)) / float64(len(idx))
	return out
}

// refSquaredError is sum_c (softmax(z)_c - [c == y])^2 straight from the
// logits z, in float64.
func refSquaredError(z []float32, y int) float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, float64(v))
	}
	var sum float64
	for _, v := range z {
		sum += math.Exp(float64(v) - m)
	}
	var e float64
	for c, v := range z {
		d := math.Exp(float64(v)-m) / sum
		if c == y {
			d--
		}
		e += d * d
	}
	return e
}

func flatWeights(n *Network) []float32 {
	return append(append(append([]float32(nil), n.Win...), n.Whid...), n.Wout...)
}

// closeTo reports the first index where got and want differ by more than tol
// times the larger of 1 and want's largest magnitude, or -1.
func closeTo(got, want []float32, tol float64) int {
	scale := 1.0
	for _, v := range want {
		scale = max(scale, math.Abs(float64(v)))
	}
	for i := range want {
		if d := math.Abs(float64(got[i]) - float64(want[i])); !(d <= tol*scale) && !(got[i] != got[i] && want[i] != want[i]) {
			return i
		}
	}
	return -1
}

// withinFoldBound reports the first index where n's Whid differs from want
// by more than foldValueBound for a lifetime of steps steps from w0's
// weights under n's hidden table, or -1.
func withinFoldBound(n, w0 *Network, want []float32, steps int) int {
	var m float64
	for _, v := range n.hidStep {
		m = max(m, math.Abs(float64(v)))
	}
	for i, v := range want {
		d := math.Abs(float64(n.Whid[i]) - float64(v))
		if !(d <= foldValueBound(float64(w0.Whid[i]), m, steps)) && !(v != v && n.Whid[i] != n.Whid[i]) {
			return i
		}
	}
	return -1
}

// sameValues is bit equality but for the sign of zero: the fast path skips
// adding an all-zero table (a weight of -0 stays -0 instead of becoming +0)
// and makes the hidden table's rows by adding to -0.
func sameValues(got, want []float32) int {
	for i := range want {
		if got[i] != want[i] && !(got[i] != got[i] && want[i] != want[i]) {
			return i
		}
	}
	return -1
}

// fastCase is one configuration of the comparison.
type fastCase struct {
	cfg   Config
	rules string // "normal": every table N(0,1); "output": only the output table (GD's default)
	steps int
}

func (fc fastCase) String() string {
	c := fc.cfg
	return fmt.Sprintf("%dx%dx%d/k%d R%d %s %s %s %s %s p%.1f edges=%s %s fire=%s input=%s rules=%s T%d", c.Inputs,
		c.Hidden, c.Outputs, c.Cap, c.Rounds, c.Act, c.Drive, c.Init, c.Norm, c.Update, c.EdgeProb, c.OutputEdges,
		c.RuleForm, c.Fire, c.InputRule, fc.rules, fc.steps)
}

// stepRecorder records every step's patterns and weights, as an Observer that
// reads the weights mid-lifetime sees them.
type stepRecorder struct {
	n       *Network
	steps   [][]uint8
	weights [][]float32
}

func (s *stepRecorder) Observe(_ int, _ int32, _ int, _ bool) {
	s.steps = append(s.steps, slices.Clone(s.n.pattern))
	s.weights = append(s.weights, flatWeights(s.n))
}

// fastTol bounds the relative difference of values that the fast paths round
// differently (Win x as a sum plus a product, the batched products).
const fastTol = 2e-5

// marginTol is the smallest margin (see margin) at which the straightforward
// path's discrete choices must come out the same on the fast paths: far above
// the differences fastTol allows, which rounds and steps may amplify.
const marginTol = 1e-5

// pendingStrict counts the strict cases of checkFast whose LifetimeScore
// evaluation added the corrections of steps kept aside (pendeval.go).
var pendingStrict int

// checkFast runs one case both ways and reports whether its margins were
// wide enough for the strict comparison, which it then makes.
func checkFast(t *testing.T, fc fastCase) bool {
	t.Helper()
	cfg := fc.cfg
	ds := randomSamples(fc.steps+7, cfg.Inputs, cfg.Outputs, uint64(cfg.Hidden))
	idx := make([]int32, fc.steps)
	for i := range idx {
		idx[i] = int32((i*7 + 3) % ds.Len()) // not in order
	}
	rules := normalRules(cfg.Rounds, NewRand(uint64(cfg.Rounds), "fast-rules", uint64(cfg.Hidden)))
	if fc.rules == "output" {
		clear(rules.Input())
		clear(rules.Hidden())
	}
	w0, err := NewNetwork(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w0.Init(NewRand(3, "fast-init", uint64(cfg.Rounds)))
	fresh := func() *Network {
		n, _ := NewNetwork(cfg)
		n.CopyWeights(w0)
		return n
	}
	ref := runRef(t, fresh(), rules, ds, idx)
	strict := ref.margin > marginTol

	// The lifetime, then the evaluation pass with the state of each sample.
	n := fresh()
	correct, err := n.Lifetime(rules, ds, idx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var logits [][]float32
	var pats [][]uint8
	score := n.EvaluateFunc(ds, idx, func(int) {
		logits = append(logits, slices.Clone(n.logits))
		pats = append(pats, slices.Clone(n.pattern))
	})
	// LifetimeFrom, from a start shared with nothing else.
	st, err := NewStart(w0, ds, idx)
	if err != nil {
		t.Fatal(err)
	}
	m := fresh()
	// LifetimeFrom must take the start's weights.
	clear(m.Win)
	for i := range m.Whid {
		m.Whid[i] = float32(math.NaN())
	}
	correctFrom, scoreFrom, err := m.LifetimeFrom(st, rules)
	if err != nil {
		t.Fatal(err)
	}
	// LifetimeScore gives LifetimeFrom's numbers bit for bit, whatever
	// weights the network held, on every path but where its evaluation adds
	// the corrections of the steps kept aside (pendeval.go), which rounds
	// otherwise: that one must pass the strict comparison below. Over the
	// same start twice (which it must not have changed) it gives the same
	// numbers.
	q := fresh()
	for _, w := range [][]float32{q.Win, q.Whid, q.Wout} {
		for i := range w {
			w[i] = float32(math.NaN())
		}
	}
	var correctScore int
	var scoreScore Score
	pending := false
	for i := range 2 {
		c, s, err := q.LifetimeScore(st, rules)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && (c != correctScore || !sameScore(s, scoreScore)) {
			t.Fatalf("%v: LifetimeScore gave %d correct, %+v, then %d, %+v", fc, correctScore, scoreScore, c, s)
		}
		correctScore, scoreScore = c, s
		pending = q.tr != nil && q.tr.npend > 0
		if !pending && (c != correctFrom || !sameScore(s, scoreFrom)) {
			t.Fatalf("%v: LifetimeScore gave %d correct, %+v; LifetimeFrom %d, %+v", fc, c, s, correctFrom, scoreFrom)
		}
	}
	// With an Observer every update is written at once.
	o := fresh()
	rec := &stepRecorder{n: o}
	correctObs, err := o.Lifetime(rules, ds, idx, rec)
	if err != nil {
		t.Fatal(err)
	}
	if !strict {
		return false
	}
	if pending {
		pendingStrict++
	}

	for name, got := range map[string]int{"Lifetime": correct, "LifetimeFrom": correctFrom, "LifetimeScore": correctScore,
		"Lifetime with an Observer": correctObs} {
		if got != ref.correct {
			t.Errorf("%v: %s classified %d correctly, the straightforward lifetime %d", fc, name, got, ref.correct)
		}
	}
	for tt := range idx {
		if !slices.Equal(rec.steps[tt], ref.steps[tt]) {
			t.Fatalf("%v: step %d patterns with an Observer differ from the straightforward lifetime's", fc, tt)
		}
		if i := sameValues(rec.weights[tt], ref.weights[tt]); i >= 0 {
			t.Fatalf("%v: step %d weight %d is %v with an Observer, %v straightforward", fc, tt, i, rec.weights[tt][i], ref.weights[tt][i])
		}
	}
	// A wide network's transposed lifetime folds exact in value only
	// (foldValue): its Whid is within foldValueBound of the step-by-step one.
	valueFold := n.useTransposed(len(idx), false) && 4*cfg.Hidden*cfg.Hidden > foldWideBytes
	for name, net := range map[string]*Network{"Lifetime": n, "LifetimeFrom": m} {
		if valueFold {
			if i := withinFoldBound(net, w0, ref.finalWh, len(idx)); i >= 0 {
				t.Errorf("%v: %s's final Whid[%d] = %v, straightforward %v: beyond the value fold's bound", fc, name, i,
					net.Whid[i], ref.finalWh[i])
			}
		}
		// Whid and Wout are updated by the same sums; Win's deferred update
		// and its products round otherwise.
		if i := sameValues(net.Whid, ref.finalWh); i >= 0 && !valueFold {
			t.Errorf("%v: %s's final Whid[%d] = %v, straightforward %v", fc, name, i, net.Whid[i], ref.finalWh[i])
		}
		if i := sameValues(net.Wout, ref.finalWout); i >= 0 {
			t.Errorf("%v: %s's final Wout[%d] = %v, straightforward %v", fc, name, i, net.Wout[i], ref.finalWout[i])
		}
		if i := closeTo(net.Win, ref.finalWin, fastTol); i >= 0 {
			t.Errorf("%v: %s's final Win[%d] = %v, straightforward %v", fc, name, i, net.Win[i], ref.finalWin[i])
		}
	}
	for tt := range idx {
		if !slices.Equal(pats[tt], ref.evalPatterns[tt]) {
			t.Fatalf("%v: evaluation of sample %d: patterns differ from the straightforward pass's", fc, tt)
		}
		if i := closeTo(logits[tt], ref.evalLogits[tt], fastTol); i >= 0 {
			t.Fatalf("%v: evaluation of sample %d: logit %d = %v, straightforward %v", fc, tt, i, logits[tt][i], ref.evalLogits[tt][i])
		}
	}
	for name, s := range map[string]Score{"Evaluate": score, "LifetimeFrom": scoreFrom, "LifetimeScore": scoreScore} {
		if s.Accuracy != ref.score.Accuracy || s.Majority != ref.score.Majority || !slices.Equal(s.Confusion, ref.score.Confusion) ||
			math.Abs(s.Loss-ref.score.Loss) > fastTol*(1+math.Abs(ref.score.Loss)) ||
			math.Abs(s.MSE-ref.score.MSE) > fastTol*(1+ref.score.MSE) || !(ref.score.MSE > 0) {
			t.Errorf("%v: %s scored %+v, the straightforward pass %+v", fc, name, s, ref.score)
		}
	}
	return true
}

// TestFastPathsMatchStraightforward compares the fast paths with the
// straightforward path on every option: activation, drive, initial weights,
// normalisation, update, connectivity p < 1, R = 0..3, and sizes whose rows
// end in every kind of vector tail, over lifetimes of one and of two blocks.
// The transposed lifetime, which takes only networks of transposedMin neurons
// and more, is forced on for every case it can run (norm none, p = 1, R > 0),
// and forced off for all. Where no decision of the straightforward run came within
// marginTol of flipping, the patterns, predictions, correct counts and
// confusion matrices must be the same, Whid and Wout bit for bit, Win and the
// logits within fastTol. Too-close cases are counted, and every option value
// must have strict cases on both paths.
func TestFastPathsMatchStraightforward(t *testing.T) {
	defer saveTransposed()()
	sizes := []struct{ in, h, out, k, steps int }{{10, 20, 4, 10, 40}, {33, 47, 3, 13, 70}}
	if testing.Short() {
		sizes = sizes[:1]
	}
	total, strict := 0, 0
	strictBy := map[string]int{}
	pendingStrict = 0
	for _, sz := range sizes {
		for _, act := range []Activation{Sigmoid, ReLU, Linear} {
			for _, drive := range []Drive{DriveA0, DriveRaw} {
				for _, init := range []Init{InitNormal, InitScaled, InitZero} {
					for _, norm := range []Norm{NormNone, NormOutgoing} {
						for _, upd := range []Update{UpdateAlways, UpdateMisclassified} {
							for _, p := range []float64{1, 0.7} {
								for r := range 4 {
									cfg := Config{Inputs: sz.in, Hidden: sz.h, Outputs: sz.out, Rounds: r, Cap: sz.k, Eta: 0.01,
										EdgeProb: p, Act: act, Drive: drive, Init: init, Norm: norm, Update: upd}
									rules := "normal"
									if (total/2)%3 == 2 {
										rules = "output"
									}
									fc := fastCase{cfg: cfg, rules: rules, steps: sz.steps}
									paths := []string{"rows"}
									if norm == NormNone && p == 1 && r > 0 {
										paths = append(paths, "transposed", "transposed-wide", "transposed-end")
									}
									for _, path := range paths {
										setTransposed(path)
										total++
										if !checkFast(t, fc) {
											continue
										}
										strict++
										for _, k := range []string{act.String(), drive.String(), init.String(), norm.String(),
											upd.String(), fmt.Sprint("p", p), fmt.Sprint("R", r), "rules=" + rules} {
											strictBy[path+" "+k]++
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d of %d cases strict: %v; %d of LifetimeScore over steps kept aside", strict, total, strictBy, pendingStrict)
	if pendingStrict == 0 {
		t.Error("no strict case of LifetimeScore's evaluation over steps kept aside")
	}
	for _, k := range []string{"sigmoid", "relu", "linear", "a0", "raw", "normal", "scaled", "none", "outgoing", "always",
		"misclassified", "p1", "p0.7", "R0", "R1", "R2", "R3", "rules=normal", "rules=output"} {
		if strictBy["rows "+k] == 0 {
			t.Errorf("no strict case with %s", k)
		}
		for _, path := range []string{"transposed", "transposed-wide", "transposed-end"} {
			if k != "outgoing" && k != "p0.7" && k != "R0" && strictBy[path+" "+k] == 0 {
				t.Errorf("no strict case of the %s lifetime with %s", path, k)
			}
		}
	}
	if strict*2 < total {
		t.Errorf("only %d of %d cases strict", strict, total)
	}
}

// TestFastPathsWide repeats the comparison on a network wide enough for the
// paths to be chosen as in use (the transposed lifetime, several blocks of the
// batched kernels' rows), with the default thresholds.
func TestFastPathsWide(t *testing.T) {
	if testing.Short() {
		t.Skip("wide networks in -short")
	}
	strict, total := 0, 0
	for _, act := range []Activation{Sigmoid, ReLU} {
		for _, drive := range []Drive{DriveA0, DriveRaw} {
			for _, upd := range []Update{UpdateAlways, UpdateMisclassified} {
				// With eta 0.01 the N(0,1) rules drive this many sigmoid
				// inputs into saturation within 30 steps, where ties at 1
				// leave no case strict; eta 0.001 keeps them apart.
				cfg := Config{Inputs: 100, Hidden: 300, Outputs: 10, Rounds: 3, Cap: 150, Eta: 0.001, EdgeProb: 1,
					Act: act, Drive: drive, Init: InitScaled, Update: upd}
				n, _ := NewNetwork(cfg)
				if !n.useTransposed(30, false) {
					t.Fatalf("%+v: the transposed lifetime is not chosen", cfg)
				}
				// With the hidden table all zero (rules=output) the
				// transposed weights never change and are not written
				// back.
				for _, rules := range []string{"normal", "output"} {
					total++
					if checkFast(t, fastCase{cfg: cfg, rules: rules, steps: 30}) {
						strict++
					}
				}
				// Without rounds Whid is never read: the rows path.
				cfg.Rounds = 0
				if n, _ := NewNetwork(cfg); n.useTransposed(30, false) {
					t.Fatalf("%+v: the transposed lifetime is chosen without rounds", cfg)
				}
				total++
				if checkFast(t, fastCase{cfg: cfg, rules: "normal", steps: 30}) {
					strict++
				}
			}
		}
	}
	t.Logf("%d of %d cases strict", strict, total)
	if strict*2 < total {
		t.Errorf("only %d of %d cases strict", strict, total)
	}
}

// TestStartReset checks that a Start reset to other initial weights and
// another batch, shorter or longer, gives the lifetimes of a new one bit for
// bit.
func TestStartReset(t *testing.T) {
	cfg := Config{Inputs: 30, Hidden: 200, Outputs: 5, Rounds: 3, Cap: 90, Eta: 0.01, EdgeProb: 1, Init: InitScaled}
	ds := randomSamples(60, cfg.Inputs, cfg.Outputs, 4)
	w0, _ := NewNetwork(cfg)
	w0.Init(NewRand(1, "reset", 0))
	r := normalRules(cfg.Rounds, NewRand(2, "reset", 0))
	batch := func(lo, n int) []int32 {
		idx := make([]int32, n)
		for i := range idx {
			idx[i] = int32(lo + i)
		}
		return idx
	}
	st, err := NewStart(w0, ds, batch(0, 40))
	if err != nil {
		t.Fatal(err)
	}
	a, b := func() *Network { n, _ := NewNetwork(cfg); return n }(), func() *Network { n, _ := NewNetwork(cfg); return n }()
	for k, idx := range [][]int32{batch(10, 20), batch(5, 50), batch(0, 40)} {
		// New initial weights too, as each ES generation has.
		w0.Init(NewRand(1, "reset", uint64(k+1)))
		if err := st.Reset(w0, ds, idx); err != nil {
			t.Fatal(err)
		}
		fresh, err := NewStart(w0, ds, idx)
		if err != nil {
			t.Fatal(err)
		}
		ca, sa, err := a.LifetimeFrom(st, r)
		if err != nil {
			t.Fatal(err)
		}
		cb, sb, err := b.LifetimeFrom(fresh, r)
		if err != nil {
			t.Fatal(err)
		}
		if ca != cb || sa.Loss != sb.Loss || sa.Accuracy != sb.Accuracy || sameBits32(flatWeights(a), flatWeights(b)) >= 0 {
			t.Fatalf("batch of %d: a reset start gave %d correct, loss %v; a new one %d, %v (or other weights)", len(idx), ca, sa.Loss, cb, sb.Loss)
		}
	}
	if _, err := NewStart(w0, randomSamples(5, cfg.Inputs+1, cfg.Outputs, 1), batch(0, 5)); err == nil {
		t.Error("a start over data of another width was accepted")
	}
}

// sameScore says whether two scores are the same bit for bit.
func sameScore(a, b Score) bool {
	return a.N == b.N && a.Accuracy == b.Accuracy && math.Float64bits(a.Loss) == math.Float64bits(b.Loss) &&
		math.Float64bits(a.MSE) == math.Float64bits(b.MSE) && a.Majority == b.Majority && slices.Equal(a.Confusion, b.Confusion)
}

func sameBits32(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// TestFastPathsNewOptions compares the fast paths with the straightforward
// path on every combination of the options of docs/model.md §10 (output
// edges, rule form, fire, input rule, the four normalisations, and no eta
// decay or one of 10 samples, which must take the stepwise path), each over
// sigmoid and relu, both drives, both updates, R = 0, 1 and 3, and p = 1 and
// 0.7 in turn. Stepwise configurations (Config.stepwise) take Forward and
// Learn on every path; the others take the rows path and, where it can run,
// the transposed one. Every value of every new option must have strict cases
// on the rows path, and the options that leave the batched paths in use
// (output edges, fire) on the transposed one too.
func TestFastPathsNewOptions(t *testing.T) {
	defer saveTransposed()()
	total, strict := 0, 0
	strictBy := map[string]int{}
	for combo := range 128 {
		edges, form, fire, input := OutputEdges(combo&1), RuleForm(combo>>1&1), Fire(combo>>2&1), InputRule(combo>>3&1)
		norm, decay := Norm(combo>>4&3), []float64{0, 10}[combo>>6]
		for _, act := range []Activation{Sigmoid, ReLU} {
			for _, drive := range []Drive{DriveA0, DriveRaw} {
				for _, upd := range []Update{UpdateAlways, UpdateMisclassified} {
					for _, r := range []int{0, 1, 3} {
						p := []float64{1, 0.7}[total%2]
						cfg := Config{Inputs: 10, Hidden: 20, Outputs: 4, Rounds: r, Cap: 10, Eta: 0.01, EdgeProb: p,
							Act: act, Drive: drive, Init: InitScaled, Norm: norm, Update: upd,
							OutputEdges: edges, RuleForm: form, Fire: fire, InputRule: input, EtaDecay: decay}
						rules := []string{"normal", "normal", "output"}[total%3]
						paths := []string{"rows"}
						if !cfg.stepwise() && p == 1 && r > 0 {
							paths = append(paths, "transposed", "transposed-wide", "transposed-end")
						}
						for _, path := range paths {
							setTransposed(path)
							total++
							if !checkFast(t, fastCase{cfg: cfg, rules: rules, steps: 40}) {
								continue
							}
							strict++
							for _, k := range []string{edges.String(), form.String(), fire.String(), input.String(),
								norm.String(), fmt.Sprint("decay", decay)} {
								strictBy[path+" "+k]++
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d of %d cases strict: %v", strict, total, strictBy)
	for _, k := range append(append(append(append(append([]string{}, outputEdgesNames...), ruleFormNames...), fireNames...),
		inputRuleNames...), append(normNames, "decay0", "decay10")...) {
		if strictBy["rows "+k] == 0 {
			t.Errorf("no strict case with %s", k)
		}
	}
	for _, k := range []string{"all", "predicted", "nonzero", "topk"} {
		for _, path := range []string{"transposed", "transposed-wide", "transposed-end"} {
			if strictBy[path+" "+k] == 0 {
				t.Errorf("no strict case of the %s lifetime with %s", path, k)
			}
		}
	}
	if strict*2 < total {
		t.Errorf("only %d of %d cases strict", strict, total)
	}
}

// saveTransposed returns a function that restores the thresholds of the
// transposed paths.
func saveTransposed() func() {
	m, s, e, w, k := transposedMin, transposedSteps, transposedEvalShare, foldWideBytes, foldSteps
	return func() { transposedMin, transposedSteps, transposedEvalShare, foldWideBytes, foldSteps = m, s, e, w, k }
}

// setTransposed sets the thresholds so that a lifetime and its evaluation
// pass take the path named: "rows" (never transposed), "transposed" (every
// network, folding as a narrow one does, every foldStepsNarrow steps) or
// "transposed-wide" (folding exact in value, as a network whose weights do
// not fit in the cache does, every 16 steps so that the lifetimes of the
// tests fold more than once) or "transposed-end" (the same, folding only
// when the lifetime ends: Lifetime into Whid, LifetimeFrom into the
// transposed weights it keeps for the evaluation).
func setTransposed(path string) {
	transposedMin, transposedSteps, transposedEvalShare, foldWideBytes = math.MaxInt, math.MaxInt, 0, math.MaxInt
	if path != "rows" {
		transposedMin, transposedSteps, transposedEvalShare = 1, 1, 1
	}
	switch path {
	case "transposed-wide":
		foldWideBytes, foldSteps = 0, 16
	case "transposed-end":
		foldWideBytes, foldSteps = 0, 1<<10
	}
}
