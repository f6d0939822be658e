package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// tiny is the network worked by hand in the tests: 2 inputs, 3 hidden, cap 2,
// R = 2 (P = 8), 2 classes, linear activation so every value is exact.
//
//	x = (1, 2); Win x = (1, 2, 3)            a0 = cap2 = (0, 2, 3)     bits b0 = 0 1 1
//	round 1: in = a0 + a0 = (0, 4, 6)        Whid in = (4, 6, 0)       a1 = (4, 6, 0), b1 = 1 1 0
//	round 2: in = a0 + a1 = (4, 8, 3)        Whid in = (8, 3, 4)       a2 = (8, 0, 4), b2 = 1 0 1
//	patterns b0b1b2: neuron 0 = 011 = 3, neuron 1 = 110 = 6, neuron 2 = 101 = 5
//	logits = Wout a2 = (8, 4): predicts class 0
//
// (Whid's rows pick in[1], in[2] and in[0].)
func tiny(t *testing.T, act Activation, drive Drive) *Network {
	t.Helper()
	cfg := Config{Inputs: 2, Hidden: 3, Outputs: 2, Rounds: 2, Cap: 2, Eta: 0.5, EdgeProb: 1, Act: act, Drive: drive}
	n, err := NewNetwork(cfg)
	if err != nil {
		t.Fatal(err)
	}
	copy(n.Win, []float32{1, 0, 0, 1, 1, 1})
	copy(n.Whid, []float32{0, 1, 0, 0, 0, 1, 1, 0, 0})
	copy(n.Wout, []float32{1, 0, 0, 0, 0.5, 1})
	return n
}

var tinyX = []float32{1, 2}

func TestTinyForwardByHand(t *testing.T) {
	n := tiny(t, Linear, DriveA0)
	pred := n.Forward(tinyX)
	want := [][]float32{{0, 2, 3}, {4, 6, 0}, {8, 0, 4}}
	for r, w := range want {
		if got := n.Activations(r); !slices.Equal(got, w) {
			t.Errorf("round %d activations %v, want %v", r, got, w)
		}
	}
	if got := n.Selected(2); !slices.Equal(got, []int32{0, 2}) {
		t.Errorf("round 2 selected %v, want [0 2]", got)
	}
	if got := n.Patterns(); !slices.Equal(got, []uint8{3, 6, 5}) {
		t.Errorf("patterns %v, want [3 6 5] (b0 most significant)", got)
	}
	if got := n.Logits(); !slices.Equal(got, []float32{8, 4}) {
		t.Errorf("logits %v, want [8 4]", got)
	}
	if pred != 0 {
		t.Errorf("predicted %d, want 0", pred)
	}
	lp := n.LogProbs()
	wantLP := -math.Log1p(math.Exp(-4))
	if math.Abs(float64(lp[0])-wantLP) > 1e-6 {
		t.Errorf("log p(0) = %v, want %v", lp[0], wantLP)
	}
	// x = (2, 2): Win x = (2, 2, 4); the cap keeps neuron 2 and, of the tied
	// neurons 0 and 1, the lower index.
	n.Forward([]float32{2, 2})
	if got := n.Activations(0); !slices.Equal(got, []float32{2, 0, 4}) {
		t.Errorf("tied drive: a0 = %v, want [2 0 4]", got)
	}
}

func TestTinyRawDrive(t *testing.T) {
	// drive=raw: round 1 input is a0 + Win x = (1, 4, 6); Whid gives
	// (4, 6, 1), capped to (4, 6, 0).
	n := tiny(t, Linear, DriveRaw)
	n.Forward(tinyX)
	if got := n.Activations(1); !slices.Equal(got, []float32{4, 6, 0}) {
		t.Errorf("raw drive round 1 %v, want [4 6 0]", got)
	}
	// Round 2: a1 + Win x = (5, 8, 3) -> Whid (8, 3, 5) -> cap (8, 0, 5).
	if got := n.Activations(2); !slices.Equal(got, []float32{8, 0, 5}) {
		t.Errorf("raw drive round 2 %v, want [8 0 5]", got)
	}
}

func TestTinySigmoid(t *testing.T) {
	n := tiny(t, Sigmoid, DriveA0)
	n.Forward(tinyX)
	s := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	// a0 = cap2(sigmoid(1, 2, 3)) keeps neurons 1 and 2.
	a0 := []float64{0, s(2), s(3)}
	in1 := []float64{0, 2 * a0[1], 2 * a0[2]}
	z1 := []float64{in1[1], in1[2], in1[0]} // Whid rows pick in[1], in[2], in[0]
	a1 := []float64{s(z1[0]), s(z1[1]), 0}  // neuron 2 has the smallest value
	for i, w := range [][]float64{a0, a1} {
		got := n.Activations(i)
		for j := range w {
			if math.Abs(float64(got[j])-w[j]) > 1e-6 {
				t.Fatalf("sigmoid round %d neuron %d = %v, want %v", i, j, got[j], w[j])
			}
		}
	}
}

// learnOne runs one forward pass and one update of the tiny network under
// rules with a single non-zero entry, and returns the weights before and
// after.
func learnOne(t *testing.T, set func(r Rules), label int) (before, after *Network) {
	t.Helper()
	n := tiny(t, Linear, DriveA0)
	before = tiny(t, Linear, DriveA0)
	r := NewRules(2)
	set(r)
	if err := n.SetRules(r); err != nil {
		t.Fatal(err)
	}
	n.Forward(tinyX)
	n.Learn(label)
	return before, n
}

// changed lists the indices where two weight arrays differ, with the change.
func changed(a, b []float32) map[int]float32 {
	d := map[int]float32{}
	for i := range a {
		if a[i] != b[i] {
			d[i] = b[i] - a[i]
		}
	}
	return d
}

func TestRuleTablesIndexing(t *testing.T) {
	const eta = 0.5
	type want struct{ win, whid, wout map[int]float32 }
	cases := []struct {
		name  string
		set   func(r Rules)
		label int
		want  want
	}{
		{"input[6] moves every input weight of neuron 1 (pattern 6)",
			func(r Rules) { r.Input()[6] = 2 }, 0,
			want{win: map[int]float32{2: eta * 2, 3: eta * 2}}},
		{"hidden[3*P+6]: pre pattern 3 (neuron 0) to post pattern 6 (neuron 1)",
			func(r Rules) { r.Hidden()[3*8+6] = 2 }, 0,
			want{whid: map[int]float32{1*3 + 0: eta * 2}}},
		{"hidden[6*P+3]: pre neuron 1 to post neuron 0",
			func(r Rules) { r.Hidden()[6*8+3] = -4 }, 0,
			want{whid: map[int]float32{0*3 + 1: eta * -4}}},
		{"hidden[6*P+6] would be neuron 1 to itself: the diagonal stays 0",
			func(r Rules) { r.Hidden()[6*8+6] = 2 }, 0,
			want{}},
		{"output[2*5]: pattern 5 (neuron 2) to the correct class 1",
			func(r Rules) { r.Output()[2*5] = 2 }, 1,
			want{wout: map[int]float32{1*3 + 2: eta * 2}}},
		{"output[2*5+1]: pattern 5 to the wrong class 0",
			func(r Rules) { r.Output()[2*5+1] = 2 }, 1,
			want{wout: map[int]float32{0*3 + 2: eta * 2}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, a := learnOne(t, c.set, c.label)
			for _, m := range []struct {
				name      string
				got, want map[int]float32
			}{
				{"Win", changed(b.Win, a.Win), c.want.win},
				{"Whid", changed(b.Whid, a.Whid), c.want.whid},
				{"Wout", changed(b.Wout, a.Wout), c.want.wout},
			} {
				if len(m.got) != len(m.want) {
					t.Errorf("%s changed at %v, want %v", m.name, m.got, m.want)
					continue
				}
				for i, d := range m.want {
					if m.got[i] != d {
						t.Errorf("%s[%d] changed by %v, want %v", m.name, i, m.got[i], d)
					}
				}
			}
		})
	}
}

func TestNormOutgoingUnitColumns(t *testing.T) {
	cfg := Config{Inputs: 5, Hidden: 8, Outputs: 3, Rounds: 2, Cap: 4, Eta: 0.1, EdgeProb: 0.7,
		Act: Sigmoid, Norm: NormOutgoing}
	n, err := NewNetwork(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n.Init(NewRand(1, "test", 0))
	r := normalRules(2, NewRand(1, "rules", 0))
	ds := randomSamples(20, 5, 3, 2)
	idx := []int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	if _, err := n.Lifetime(r, ds, idx, nil); err != nil {
		t.Fatal(err)
	}
	check := func(name string, w []float32, rows, cols int) {
		for j := range cols {
			var s float64
			for i := range rows {
				v := float64(w[i*cols+j])
				s += v * v
			}
			if math.Abs(math.Sqrt(s)-1) > 1e-5 {
				t.Errorf("%s column %d has norm %v", name, j, math.Sqrt(s))
			}
		}
	}
	check("Win", n.Win, 8, 5)
	check("Whid", n.Whid, 8, 8)
	check("Wout", n.Wout, 3, 8)
	for _, a := range n.Absent() {
		if n.Whid[a] != 0 {
			t.Errorf("absent synapse %d has weight %v", a, n.Whid[a])
		}
	}
	if len(n.Absent()) <= 8 {
		t.Errorf("p = 0.7 left only %d absent synapses (the diagonal has 8)", len(n.Absent()))
	}
}

// countObserver records which steps updated.
type countObserver struct{ updated []bool }

func (c *countObserver) Observe(step int, sample int32, pred int, updated bool) {
	c.updated = append(c.updated, updated)
}

func TestUpdateMisclassifiedSkipsCorrect(t *testing.T) {
	// The tiny network predicts class 0 for tinyX. Label 0: correct, so no
	// update; label 1: wrong, so the rules apply.
	ds := Samples{X: append(append([]float32{}, tinyX...), tinyX...), Y: []int32{0, 1}, Dim: 2}
	r := NewRules(2)
	for i := range r.Theta {
		r.Theta[i] = 1
	}
	n := tiny(t, Linear, DriveA0)
	n.Cfg.Update = UpdateMisclassified
	before := tiny(t, Linear, DriveA0)
	obs := &countObserver{}
	if correct, err := n.Lifetime(r, ds, []int32{0}, obs); err != nil || correct != 1 {
		t.Fatalf("lifetime on a correct sample: correct %d, err %v", correct, err)
	}
	if len(changed(before.Win, n.Win))+len(changed(before.Whid, n.Whid))+len(changed(before.Wout, n.Wout)) != 0 {
		t.Error("update=misclassified changed weights after a correct prediction")
	}
	if _, err := n.Lifetime(r, ds, []int32{1}, obs); err != nil {
		t.Fatal(err)
	}
	if len(changed(before.Wout, n.Wout)) == 0 {
		t.Error("update=misclassified did not update after a wrong prediction")
	}
	if !slices.Equal(obs.updated, []bool{false, true}) {
		t.Errorf("observer saw updates %v, want [false true]", obs.updated)
	}
	// update=always changes the weights after the correct sample too.
	m := tiny(t, Linear, DriveA0)
	if _, err := m.Lifetime(r, ds, []int32{0}, nil); err != nil {
		t.Fatal(err)
	}
	if len(changed(before.Wout, m.Wout)) == 0 {
		t.Error("update=always skipped a correct sample")
	}
}

func TestRulesOfOtherRoundsRefused(t *testing.T) {
	n := tiny(t, Linear, DriveA0)
	if err := n.SetRules(NewRules(3)); err == nil {
		t.Error("rules for R = 3 accepted by a network of R = 2")
	}
	if _, err := RulesFromTables(2, make([]float32, 8), make([]float32, 63), make([]float32, 16)); err == nil {
		t.Error("a hidden table of 63 entries accepted for R = 2")
	}
}

func TestGenotypeLength(t *testing.T) {
	if GenotypeLen(2) != 88 || GenotypeLen(3) != 304 {
		t.Errorf("genotype lengths %d, %d; docs/model.md §2 says 88 and 304", GenotypeLen(2), GenotypeLen(3))
	}
}

func TestInitDeterministicAndScaled(t *testing.T) {
	cfg := Config{Inputs: 784, Hidden: 50, Outputs: 10, Rounds: 3, Cap: 25, Eta: 0.01, EdgeProb: 1, Init: InitScaled}
	a, _ := NewNetwork(cfg)
	b, _ := NewNetwork(cfg)
	a.Init(NewRand(7, "init", 3))
	b.Init(NewRand(7, "init", 3))
	if !slices.Equal(a.Win, b.Win) || !slices.Equal(a.Whid, b.Whid) || !slices.Equal(a.Wout, b.Wout) {
		t.Fatal("the same generator gave different initial weights")
	}
	var s float64
	for _, v := range a.Win {
		s += float64(v) * float64(v)
	}
	if sd := math.Sqrt(s / float64(len(a.Win))); math.Abs(sd-1/math.Sqrt(784)) > 0.003 {
		t.Errorf("init=scaled Win deviation %v, want 1/sqrt(784) = %v", sd, 1/math.Sqrt(784))
	}
	for i := range 50 {
		if a.Whid[i*50+i] != 0 {
			t.Fatalf("diagonal weight %d is %v", i, a.Whid[i*50+i])
		}
	}
	c, _ := NewNetwork(cfg)
	c.Init(NewRand(7, "init", 4))
	if slices.Equal(a.Win, c.Win) {
		t.Error("another index of the stream gave the same weights")
	}
}

func TestEvaluateCountsCollapse(t *testing.T) {
	// With Wout all zero every logit ties and class 0 wins: the seed's collapse.
	cfg := Config{Inputs: 3, Hidden: 6, Outputs: 4, Rounds: 1, Cap: 3, Eta: 0.01, EdgeProb: 1}
	n, _ := NewNetwork(cfg)
	n.Init(NewRand(1, "init", 0))
	clear(n.Wout)
	ds := randomSamples(40, 3, 4, 5)
	s := n.Evaluate(ds, nil)
	if s.Majority != 1 {
		t.Errorf("majority share %v with all-equal logits, want 1", s.Majority)
	}
	want := 0
	for _, y := range ds.Y {
		if y == 0 {
			want++
		}
	}
	if s.Accuracy != float64(want)/40 {
		t.Errorf("accuracy %v, want %v (class 0's share)", s.Accuracy, float64(want)/40)
	}
	if math.Abs(s.Loss-math.Log(4)) > 1e-6 {
		t.Errorf("loss %v with uniform predictions, want ln 4 = %v", s.Loss, math.Log(4))
	}
	pc := s.PerClass()
	if pc[0] != 1 || pc[1] != 0 {
		t.Errorf("per-class accuracy %v, want class 0 = 1 and the others 0", pc)
	}
}

// normalRules returns rules of R = rounds whose every entry is drawn from
// N(0,1) by rng: every table non-zero.
func normalRules(rounds int, rng *rand.Rand) Rules {
	r := NewRules(rounds)
	for i := range r.Theta {
		r.Theta[i] = float32(rng.NormFloat64())
	}
	return r
}

// allIndices returns 0, 1, ..., n-1: a lifetime over the first n samples in
// order.
func allIndices(n int) []int32 {
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	return idx
}

func randomSamples(n, dim, classes int, seed uint64) Samples {
	rng := NewRand(seed, "samples", 0)
	s := Samples{X: make([]float32, n*dim), Y: make([]int32, n), Dim: dim}
	for i := range s.X {
		s.X[i] = float32(rng.NormFloat64())
	}
	for i := range s.Y {
		s.Y[i] = int32(rng.IntN(classes))
	}
	return s
}

func TestValidate(t *testing.T) {
	ok := Config{Inputs: 2, Hidden: 4, Outputs: 2, Rounds: 3, Cap: 2, Eta: 0.01, EdgeProb: 1}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := []func(c *Config){
		func(c *Config) { c.Cap = 5 },
		func(c *Config) { c.Cap = 0 },
		func(c *Config) { c.Rounds = 7 },
		func(c *Config) { c.Rounds = -1 },
		func(c *Config) { c.EdgeProb = 1.5 },
		func(c *Config) { c.Outputs = 1 },
		func(c *Config) { c.Eta = float32(math.Inf(1)) },
		func(c *Config) { c.Act = 9 },
	}
	for i, f := range bad {
		c := ok
		f(&c)
		if c.Validate() == nil {
			t.Errorf("bad config %d accepted: %+v", i, c)
		}
	}
}
