package model

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

// tinyNet returns a network of cfg with the given weights (nil leaves a
// matrix at zero) and rules.
func tinyNet(t *testing.T, cfg Config, win, whid, wout []float32, r Rules) *Network {
	t.Helper()
	n, err := NewNetwork(cfg)
	if err != nil {
		t.Fatal(err)
	}
	copy(n.Win, win)
	copy(n.Whid, whid)
	copy(n.Wout, wout)
	if err := n.SetRules(r); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOutputEdgesByHand works one update of a 1-input, 2-hidden, 3-class
// network with R = 0 by hand. x = 1, Win = (1, -1) under relu: a0 = (1, 0),
// patterns (1, 0). Wout's rows (0,0), (0,0), (5,0): logits (0, 0, 5), class 2
// predicted, label 0. The output table (yes0, no0, yes1, no1) = (1, 2, 3, 4)
// with eta 1: with all edges row 0 adds yes = (3, 1) and rows 1 and 2 add no
// = (4, 2); with predicted edges row 2 adds (4, 2), row 0 adds (3, 1), row 1
// is left as it was. Multiplicative with eta 0.5: factors 1 + 0.5 theta, so
// row 2 (5, 0) becomes (5*3, 0) and rows 0 and 1 stay zero.
func TestOutputEdgesByHand(t *testing.T) {
	rules, err := RulesFromTables(0, []float32{0, 0}, []float32{0, 0, 0, 0}, []float32{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		edges OutputEdges
		form  RuleForm
		eta   float32
		want  []float32
	}{
		{OutputAll, Additive, 1, []float32{3, 1, 4, 2, 9, 2}},
		{OutputPredicted, Additive, 1, []float32{3, 1, 0, 0, 9, 2}},
		{OutputAll, Multiplicative, 0.5, []float32{0, 0, 0, 0, 15, 0}},
		{OutputPredicted, Multiplicative, 0.5, []float32{0, 0, 0, 0, 15, 0}},
	}
	for _, c := range cases {
		cfg := Config{Inputs: 1, Hidden: 2, Outputs: 3, Rounds: 0, Cap: 2, Eta: c.eta, EdgeProb: 1, Act: ReLU,
			OutputEdges: c.edges, RuleForm: c.form}
		n := tinyNet(t, cfg, []float32{1, -1}, nil, []float32{0, 0, 0, 0, 5, 0}, rules)
		if pred := n.Forward([]float32{1}); pred != 2 || !slices.Equal(n.Patterns(), []uint8{1, 0}) {
			t.Fatalf("predicted %d with patterns %v, want 2 and [1 0]", pred, n.Patterns())
		}
		n.Learn(0)
		if !slices.Equal(n.Wout, c.want) {
			t.Errorf("%v %v: Wout = %v, want %v", c.edges, c.form, n.Wout, c.want)
		}
	}
	// Multiplicative on non-zero rows: Wout rows (1, 2), (1, 2), (5, 2).
	// Predicted: row 2 *= (1+0.5*4, 1+0.5*2) = (3, 2), row 0 *= (1+1.5,
	// 1+0.5) = (2.5, 1.5).
	cfg := Config{Inputs: 1, Hidden: 2, Outputs: 3, Rounds: 0, Cap: 2, Eta: 0.5, EdgeProb: 1, Act: ReLU,
		OutputEdges: OutputPredicted, RuleForm: Multiplicative}
	n := tinyNet(t, cfg, []float32{1, -1}, nil, []float32{1, 2, 1, 2, 5, 2}, rules)
	n.Forward([]float32{1})
	n.Learn(0)
	if want := []float32{2.5, 3, 1, 2, 15, 4}; !slices.Equal(n.Wout, want) {
		t.Errorf("multiplicative predicted: Wout = %v, want %v", n.Wout, want)
	}
	// A correct prediction under update=always: both apply to the label's
	// row, no, then yes: (0, 0) + (4, 2) + (3, 1).
	cfg.RuleForm, cfg.Eta = Additive, 1
	n = tinyNet(t, cfg, []float32{1, -1}, nil, []float32{5, 0, 0, 0, 0, 0}, rules)
	n.Forward([]float32{1})
	n.Learn(0)
	if want := []float32{12, 3, 0, 0, 0, 0}; !slices.Equal(n.Wout, want) {
		t.Errorf("predicted = label: Wout = %v, want %v", n.Wout, want)
	}
}

// TestPredictedEqualsAllForTwoClasses: with two classes and updates only on
// misclassified samples the prediction is the other class, so predicted edges
// change the same rows by the same entries as all edges.
func TestPredictedEqualsAllForTwoClasses(t *testing.T) {
	for _, act := range []Activation{Sigmoid, ReLU} {
		for _, form := range []RuleForm{Additive, Multiplicative} {
			cfg := Config{Inputs: 6, Hidden: 12, Outputs: 2, Rounds: 2, Cap: 5, Eta: 0.05, EdgeProb: 1, Act: act,
				Update: UpdateMisclassified, RuleForm: form}
			ds := randomSamples(60, cfg.Inputs, 2, 8)
			idx := allIndices(ds.Len())
			r := normalRules(cfg.Rounds, NewRand(1, "two-classes", 0))
			var weights [2][]float32
			for e, edges := range []OutputEdges{OutputAll, OutputPredicted} {
				cfg.OutputEdges = edges
				n, _ := NewNetwork(cfg)
				n.Init(NewRand(2, "two-classes", 0))
				correct, err := n.Lifetime(r, ds, idx, nil)
				if err != nil {
					t.Fatal(err)
				}
				if correct == len(idx) {
					t.Fatal("no sample misclassified: nothing compared")
				}
				weights[e] = flatWeights(n)
			}
			if i := sameBits32(weights[0], weights[1]); i >= 0 {
				t.Errorf("%v %v: weight %d is %v with all edges, %v with predicted", act, form, i, weights[0][i], weights[1][i])
			}
		}
	}
}

// TestMultiplicativeKeepsZeros: under the multiplicative form a zero weight
// stays zero whatever the rules, and -init zero is refused with it.
func TestMultiplicativeKeepsZeros(t *testing.T) {
	cfg := Config{Inputs: 5, Hidden: 10, Outputs: 3, Rounds: 2, Cap: 4, Eta: 0.1, EdgeProb: 1, Act: ReLU,
		RuleForm: Multiplicative}
	for _, input := range []InputRule{InputPattern, InputHebbian} {
		cfg.InputRule = input
		n, _ := NewNetwork(cfg)
		n.Init(NewRand(4, "mult-zero", 0))
		for _, w := range [][]float32{n.Win, n.Whid, n.Wout} {
			for i := 0; i < len(w); i += 3 {
				w[i] = 0
			}
		}
		before := flatWeights(n)
		r := normalRules(cfg.Rounds, NewRand(5, "mult-zero", 0))
		ds := randomSamples(30, cfg.Inputs, cfg.Outputs, 9)
		if _, err := n.Lifetime(r, ds, []int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, nil); err != nil {
			t.Fatal(err)
		}
		after := flatWeights(n)
		moved := 0
		for i, v := range before {
			if v == 0 && after[i] != 0 {
				t.Fatalf("%v: weight %d was 0, is %v", input, i, after[i])
			}
			if v != after[i] {
				moved++
			}
		}
		if moved == 0 {
			t.Fatalf("%v: no weight changed", input)
		}
	}
	cfg.Init = InitZero
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "multiplicative") {
		t.Errorf("init zero with multiplicative: %v", err)
	}
}

// TestHebbianInputMovesByInput: one update of the Hebbian input rule (the
// other tables zero) moves Win[i][m] by eta in[p_i] x_m.
func TestHebbianInputMovesByInput(t *testing.T) {
	cfg := Config{Inputs: 4, Hidden: 6, Outputs: 2, Rounds: 1, Cap: 3, Eta: 0.1, EdgeProb: 1, Act: ReLU,
		InputRule: InputHebbian}
	in := []float32{0.5, -1, 2, 0.25}
	r, _ := RulesFromTables(1, in, make([]float32, 16), make([]float32, 8))
	n, _ := NewNetwork(cfg)
	n.Init(NewRand(6, "hebbian", 0))
	before := slices.Clone(n.Win)
	x := []float32{1, -2, 0.5, 3}
	if err := n.SetRules(r); err != nil {
		t.Fatal(err)
	}
	n.Forward(x)
	n.Learn(0)
	seen := map[uint8]bool{}
	for i, q := range n.Patterns() {
		seen[q] = true
		for m := range x {
			want := float64(cfg.Eta) * float64(in[q]) * float64(x[m])
			got := float64(n.Win[i*4+m]) - float64(before[i*4+m])
			if math.Abs(got-want) > 1e-6 {
				t.Errorf("Win[%d][%d] moved by %v, want eta*in[%d]*x = %v", i, m, got, q, want)
			}
		}
	}
	if len(seen) < 2 {
		t.Fatalf("patterns %v: one pattern only, the lookup is not tested", n.Patterns())
	}
}

// TestNormIncomingUnitRows: after a lifetime under norm incoming every row of
// each matrix has L2 norm 1 (none is zero here); under norm both too, the
// rows being done last.
func TestNormIncomingUnitRows(t *testing.T) {
	for _, norm := range []Norm{NormIncoming, NormBoth} {
		cfg := Config{Inputs: 5, Hidden: 8, Outputs: 3, Rounds: 2, Cap: 4, Eta: 0.1, EdgeProb: 1, Act: Sigmoid, Norm: norm}
		n, _ := NewNetwork(cfg)
		n.Init(NewRand(7, "incoming", 0))
		r := normalRules(cfg.Rounds, NewRand(8, "incoming", 0))
		ds := randomSamples(10, cfg.Inputs, cfg.Outputs, 10)
		if _, err := n.Lifetime(r, ds, []int32{0, 1, 2, 3, 4}, nil); err != nil {
			t.Fatal(err)
		}
		for name, m := range map[string]struct {
			w          []float32
			rows, cols int
		}{"Win": {n.Win, 8, 5}, "Whid": {n.Whid, 8, 8}, "Wout": {n.Wout, 3, 8}} {
			for i := range m.rows {
				var ss float64
				for _, v := range m.w[i*m.cols : (i+1)*m.cols] {
					ss += float64(v) * float64(v)
				}
				if math.Abs(math.Sqrt(ss)-1) > 1e-5 {
					t.Errorf("%v: %s row %d has norm %v", norm, name, i, math.Sqrt(ss))
				}
			}
		}
	}
}

// TestFireTopKDiffersExactlyWhenFewPositive: under relu the readings differ
// for a sample exactly when some round's cap keeps a neuron at 0, that is
// when fewer than Cap drives of that round are positive; both happen.
func TestFireTopKDiffersExactlyWhenFewPositive(t *testing.T) {
	cfg := Config{Inputs: 6, Hidden: 12, Outputs: 3, Rounds: 2, Cap: 6, Eta: 0.01, EdgeProb: 1, Act: ReLU, Drive: DriveRaw}
	nz, _ := NewNetwork(cfg)
	nz.Init(NewRand(9, "topk", 0))
	cfg.Fire = FireTopK
	tk, _ := NewNetwork(cfg)
	tk.CopyWeights(nz)
	ds := randomSamples(200, cfg.Inputs, cfg.Outputs, 11)
	var differ, same int
	for s := range ds.Len() {
		x := ds.Row(s)
		nz.Forward(x)
		tk.Forward(x)
		few := false
		for r := 0; r <= cfg.Rounds; r++ {
			pos := 0
			for _, v := range nz.Activations(r) {
				if v > 0 {
					pos++
				}
			}
			few = few || pos < cfg.Cap
		}
		if d := !slices.Equal(nz.Patterns(), tk.Patterns()); d != few {
			t.Fatalf("sample %d: patterns differ %v, fewer than k positive in some round %v", s, d, few)
		} else if d {
			differ++
		} else {
			same++
		}
	}
	if differ == 0 || same == 0 {
		t.Fatalf("%d samples differ, %d agree: both must occur", differ, same)
	}
}

// TestSection10ConfigJSON: the new fields round-trip through JSON, are left
// out at their zero values (so files written before them are unchanged), and
// a file without them reads as §1-§3.
func TestSection10ConfigJSON(t *testing.T) {
	c := Config{Inputs: 3, Hidden: 6, Outputs: 2, Rounds: 1, Cap: 3, Eta: 0.01, EdgeProb: 1, Norm: NormBoth,
		OutputEdges: OutputPredicted, RuleForm: Multiplicative, Fire: FireTopK, InputRule: InputHebbian}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil || back != c {
		t.Fatalf("round trip of %s gave %+v, %v", b, back, err)
	}
	old := `{"inputs":3,"hidden":6,"outputs":2,"rounds":1,"cap":3,"eta":0.01,"p":1,"act":"sigmoid","drive":"a0",` +
		`"init":"normal","norm":"none","update":"always"}`
	var o Config
	if err := json.Unmarshal([]byte(old), &o); err != nil {
		t.Fatal(err)
	}
	if o.OutputEdges != OutputAll || o.RuleForm != Additive || o.Fire != FireNonZero || o.InputRule != InputPattern {
		t.Errorf("an old file read as %+v", o)
	}
	if b, _ := json.Marshal(o); string(b) != old {
		t.Errorf("an old configuration is written as %s, was %s", b, old)
	}
	if err := json.Unmarshal([]byte(`{"fire":"most"}`), &o); err == nil {
		t.Error("an unknown fire reading was accepted")
	}
}
