package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"plasticity/model"
)

func mustGenerate(t *testing.T, name string, o GeneratorOptions, seed uint64) Generated {
	t.Helper()
	g, err := Generate(name, o, seed)
	if err != nil {
		t.Fatalf("%s seed %d: %v", name, seed, err)
	}
	return g
}

func TestGeneratorsDeterministic(t *testing.T) {
	for _, name := range Generators() {
		a := mustGenerate(t, name, GeneratorOptions{Samples: 500}, 7)
		b := mustGenerate(t, name, GeneratorOptions{Samples: 500}, 7)
		if !slices.Equal(a.X, b.X) || !slices.Equal(a.Y, b.Y) || !slices.Equal(a.Teacher, b.Teacher) {
			t.Errorf("%s: two draws with data seed 7 differ", name)
		}
		c := mustGenerate(t, name, GeneratorOptions{Samples: 500}, 8)
		if slices.Equal(a.X, c.X) || slices.Equal(a.Teacher, c.Teacher) {
			t.Errorf("%s: data seeds 7 and 8 give the same points or teacher", name)
		}
		if len(a.X) != 500*10 || len(a.Y) != 500 {
			t.Errorf("%s: %d values, %d labels; want 5000 and 500", name, len(a.X), len(a.Y))
		}
		for _, v := range a.X {
			if v < -1 || v > 1 {
				t.Fatalf("%s: feature %v outside [-1, 1]", name, v)
			}
		}
	}
}

func TestGeneratorsEveryClassInBothSplits(t *testing.T) {
	cases := []struct {
		name string
		o    GeneratorOptions
	}{
		{"halfspace", GeneratorOptions{}},
		{"relu", GeneratorOptions{}},
		{"relu", GeneratorOptions{Features: 2, TeacherWidth: 3, Samples: 50}},
		{"brainnet", GeneratorOptions{}},
		{"brainnet", GeneratorOptions{Classes: 3, Samples: 1000}},
		{"halfspace", GeneratorOptions{Samples: 10, LabelNoise: 0.5}},
	}
	for _, c := range cases {
		for seed := uint64(1); seed <= 5; seed++ {
			ds, err := Load(Spec{Name: c.name, DataSeed: seed, Generator: c.o, Standardize: true})
			if err != nil {
				t.Fatalf("%s %+v seed %d: %v", c.name, c.o, seed, err)
			}
			o := c.o.WithDefaults()
			if ds.Classes != o.Classes || ds.Dim() != o.Features ||
				ds.Train.Len() != o.Samples*4/5 || ds.Test.Len() != o.Samples/5 {
				t.Fatalf("%s: %d classes, %d features, %d train, %d test for %+v", ds.Name, ds.Classes, ds.Dim(), ds.Train.Len(), ds.Test.Len(), o)
			}
			for _, s := range []model.Samples{ds.Train, ds.Test} {
				seen := make([]bool, ds.Classes)
				for _, l := range s.Y {
					seen[l] = true
				}
				if slices.Contains(seen, false) {
					t.Errorf("%s: classes seen %v in a split of %d", ds.Name, seen, s.Len())
				}
			}
		}
	}
}

// fakeDraw returns a teacher draw that gives, for its first lopsided draws,
// labels from bad, and then labels from good; the points are x = [i] for
// sample i, so a teacher can label by index.
func fakeDraw(lopsided int, bad, good func(i int) int32) (teacherDraw, *int) {
	calls := 0
	return func(*rand.Rand) teacher {
		calls++
		f := good
		if calls <= lopsided {
			f = bad
		}
		k := float64(calls)
		return teacher{params: []float64{k}, label: func(x []float64) int32 { return f(int(x[0])) }}
	}, &calls
}

func indexPoints(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i)
	}
	return x
}

func TestLabelPointsRedrawsLopsidedTeachers(t *testing.T) {
	const n = 100
	alternate := func(i int) int32 { return int32(i % 2) }
	bads := map[string]func(i int) int32{
		"one class":           func(int) int32 { return 0 },
		"9% in class 1":       func(i int) int32 { return int32(min(1, i%12)) ^ 1 },
		"none of 1 in test":   func(i int) int32 { return int32(max(0, min(1, 50-i))) }, // 50% class 1, all in training
		"none of 1 in train":  func(i int) int32 { return int32(max(0, min(1, i-84))) }, // 15%, all in test
		"class 2 of 3 absent": alternate,
	}
	for what, bad := range bads {
		classes := 2
		if what == "class 2 of 3 absent" {
			classes = 3
		}
		good := func(i int) int32 { return int32(i % classes) }
		draw, calls := fakeDraw(3, bad, good)
		tt, y, draws, err := labelPoints("fake", indexPoints(n), 1, classes, n/5, nil, draw)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if draws != 4 || *calls != 4 || tt.params[0] != 4 {
			t.Errorf("%s: accepted draw %v after %d draws (%d calls), want the 4th", what, tt.params, draws, *calls)
		}
		for i, l := range y {
			if l != good(i) {
				t.Fatalf("%s: label %d is %d, want the 4th teacher's %d", what, i, l, good(i))
			}
		}
	}
	draw, calls := fakeDraw(1000, bads["one class"], alternate)
	_, _, _, err := labelPoints("fake", indexPoints(n), 1, 2, n/5, nil, draw)
	if err == nil || !strings.HasPrefix(err.Error(), "fake: none of 100 teachers") || *calls != 100 {
		t.Errorf("after %d lopsided teachers: %v", *calls, err)
	}
}

// With one feature and a relu teacher of width 1, half the teachers label
// every point 0 (relu(x w) w2 ties at 0 on half the points, and w2 decides
// the rest): the generator must redraw them from the same stream.
func TestGenerateRedrawsLopsidedRelu(t *testing.T) {
	o := GeneratorOptions{Features: 1, TeacherWidth: 1, Samples: 1000}
	redrawn := 0
	for seed := uint64(1); seed <= 20; seed++ {
		g := mustGenerate(t, "relu", o, seed)
		if g.Draws == 1 {
			continue
		}
		redrawn++
		rng := model.NewRand(seed, "relu", 1)
		draw := reluTeacher(1, 1)
		y := make([]int32, len(g.Y))
		for k := 1; k <= g.Draws; k++ {
			tt := draw(rng)
			for i, v := range g.X {
				y[i] = tt.label([]float64{float64(v)})
			}
			err := checkClasses(y, 2, len(y)/5)
			if k < g.Draws && err == nil {
				t.Errorf("seed %d: teacher %d of %d was balanced but redrawn", seed, k, g.Draws)
			}
			if k == g.Draws && (err != nil || !slices.Equal(tt.params, g.Teacher) || !slices.Equal(y, g.Clean)) {
				t.Errorf("seed %d: the accepted teacher is not the stream's draw %d", seed, k)
			}
		}
	}
	if redrawn == 0 {
		t.Fatal("no seed of 1..20 redrew a relu teacher of width 1")
	}
}

func TestLabelNoiseFlipsTheNoiselessDraw(t *testing.T) {
	const q, n = 0.2, 5000
	for _, c := range []struct {
		name    string
		classes int
	}{{"halfspace", 2}, {"relu", 2}, {"brainnet", 3}} {
		clean := mustGenerate(t, c.name, GeneratorOptions{Classes: c.classes}, 11)
		noisy := mustGenerate(t, c.name, GeneratorOptions{Classes: c.classes, LabelNoise: q}, 11)
		if !slices.Equal(clean.X, noisy.X) || !slices.Equal(clean.Teacher, noisy.Teacher) || !slices.Equal(clean.Y, noisy.Clean) {
			t.Fatalf("%s: label noise changed the points or the teacher", c.name)
		}
		flips := 0
		for i := range n {
			if noisy.Y[i] != clean.Y[i] {
				flips++
			}
			if noisy.Flipped[i] != (noisy.Y[i] != clean.Y[i]) {
				t.Fatalf("%s: sample %d flipped %v, labels %d -> %d", c.name, i, noisy.Flipped[i], clean.Y[i], noisy.Y[i])
			}
		}
		// Binomial(5000, 0.2): mean 1000, deviation 28.3; 5 deviations.
		sd := math.Sqrt(n * q * (1 - q))
		if math.Abs(float64(flips)-n*q) > 5*sd {
			t.Errorf("%s: %d of %d labels flipped, want %v +- %.0f", c.name, flips, n, n*q, 5*sd)
		}
	}
}

// Recompute the halfspace labels from the streams the generator promises to
// use: the points from stream 0, v from stream 1.
func TestHalfspaceLabelsAgreeWithV(t *testing.T) {
	const seed, d = 5, 7
	ds, err := Load(Spec{Name: "halfspace", DataSeed: seed, Generator: GeneratorOptions{Features: d, Samples: 2000}})
	if err != nil {
		t.Fatal(err)
	}
	pts := model.NewRand(seed, "halfspace", 0)
	teach := model.NewRand(seed, "halfspace", 1)
	v := make([]float64, d)
	for j := range v {
		v[j] = 2*teach.Float64() - 1
	}
	ones := 0
	for _, s := range []model.Samples{ds.Train, ds.Test} {
		for i := range s.Len() {
			var dot float64
			for j, x := range s.Row(i) {
				if want := float32(2*pts.Float64() - 1); x != want {
					t.Fatalf("feature %d of a sample is %v, want %v", j, x, want)
				}
				dot += v[j] * float64(x)
			}
			want := int32(0)
			if dot > 0 {
				want, ones = 1, ones+1
			}
			if s.Y[i] != want {
				t.Fatalf("sample %d: label %d, v.x = %v", i, s.Y[i], dot)
			}
		}
	}
	if ones < 500 || ones > 1500 {
		t.Errorf("%d of 2000 labels are 1", ones)
	}
}

// Recompute the brainnet labels from the accepted teacher's parameters with
// plain matrix products, written independently of the generator's loops.
func TestBrainNetLabelsAgreeWithTeacher(t *testing.T) {
	const d, c, h = 4, 3, brainNetHidden
	g := mustGenerate(t, "brainnet", GeneratorOptions{Features: d, Classes: c, Samples: 1000}, 3)
	p := g.Teacher
	take := func(n int) []float64 { v := p[:n]; p = p[n:]; return v }
	inMask, hidMask, whid, wout, bh, bo, win := take(h*d), take(h*h), take(h*h), take(c*h), take(h), take(c), take(h*d)
	if len(p) != 0 {
		t.Fatalf("%d teacher parameters left over", len(p))
	}
	edges := 0
	for i := range h {
		if hidMask[i*h+i] != 0 {
			t.Fatalf("self-loop on hidden neuron %d", i)
		}
		for j := range h {
			edges += int(hidMask[i*h+j])
		}
	}
	if edges < 20 || edges > 100 {
		t.Errorf("%d hidden edges of 380, want about 57", edges)
	}
	mv := func(w, mask []float64, rows int, x []float64) []float64 {
		out := make([]float64, rows)
		for r := range rows {
			for k := range x {
				out[r] += w[r*len(x)+k] * mask[r*len(x)+k] * x[k]
			}
		}
		return out
	}
	capRelu := func(v []float64) []float64 {
		out := make([]float64, len(v))
		idx := make([]int, len(v))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return -cmpFloat(max(v[a], 0), max(v[b], 0)) })
		for _, i := range idx[:brainNetCap] {
			out[i] = max(v[i], 0)
		}
		return out
	}
	ones := make([]float64, c*h)
	for i := range ones {
		ones[i] = 1
	}
	counts := make([]int, c)
	for i := range g.Clean {
		x := make([]float64, d)
		for j := range x {
			x[j] = float64(g.X[i*d+j])
		}
		u := mv(win, inMask, h, x)
		a0 := make([]float64, h)
		for j := range a0 {
			a0[j] = u[j] + bh[j]
		}
		a0 = capRelu(a0)
		s := make([]float64, h)
		for j := range s {
			s[j] = a0[j] + u[j]
		}
		a1 := mv(whid, hidMask, h, s)
		for j := range a1 {
			a1[j] += bh[j]
		}
		a1 = capRelu(a1)
		z := mv(wout, ones, c, a1)
		for k := range z {
			z[k] += bo[k]
		}
		want := int32(0)
		for k := range z {
			if z[k] > z[want] {
				want = int32(k)
			}
		}
		if g.Clean[i] != want {
			t.Fatalf("sample %d: label %d, output %v", i, g.Clean[i], z)
		}
		counts[want]++
	}
	t.Logf("classes %v after %d teachers", counts, g.Draws)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestCapTopKeepsLargestLowerIndexFirst(t *testing.T) {
	a := []float64{0, 3, 1, 3, 0, 2, 0}
	capTop(a, 3, make([]bool, len(a)))
	if want := []float64{0, 3, 0, 3, 0, 2, 0}; !slices.Equal(a, want) {
		t.Errorf("cap 3: %v, want %v", a, want)
	}
	b := []float64{5, 5, 5, 5}
	keep := make([]bool, 4)
	b[2], b[3] = 0, 0
	capTop(b, 1, keep)
	if want := []float64{5, 0, 0, 0}; !slices.Equal(b, want) {
		t.Errorf("cap 1 of ties: %v, want %v", b, want)
	}
}

func TestGeneratedStandardize(t *testing.T) {
	ds, err := Load(Spec{Name: "relu", DataSeed: 2, Standardize: true, Generator: GeneratorOptions{Samples: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := Load(Spec{Name: "relu", DataSeed: 2, Generator: GeneratorOptions{Samples: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ds.Train.Y, raw.Train.Y) || !slices.Equal(ds.Test.Y, raw.Test.Y) {
		t.Fatal("standardising changed the labels")
	}
	for j := range ds.Dim() {
		var m, sq float64
		for i := range ds.Train.Len() {
			m += float64(ds.Train.Row(i)[j])
			sq += float64(ds.Train.Row(i)[j]) * float64(ds.Train.Row(i)[j])
		}
		m /= float64(ds.Train.Len())
		sd := math.Sqrt(sq/float64(ds.Train.Len()) - m*m)
		if math.Abs(m) > 1e-4 || math.Abs(sd-1) > 1e-4 {
			t.Errorf("feature %d: training mean %v, deviation %v", j, m, sd)
		}
	}
	if raw.Train.X[0] == ds.Train.X[0] {
		t.Error("features not standardised")
	}
}

func TestGeneratorOptionsRefused(t *testing.T) {
	cases := []struct {
		name string
		o    GeneratorOptions
		want string
	}{
		{"halfspace", GeneratorOptions{Features: -1}, "halfspace: features must be at least 1, got -1"},
		{"relu", GeneratorOptions{Samples: -5}, "relu: samples must be at least 10"},
		{"brainnet", GeneratorOptions{Samples: 14, Classes: 3}, "brainnet: samples must be at least 15"},
		{"halfspace", GeneratorOptions{LabelNoise: 0.6}, "halfspace: label noise must be in [0, 0.5], got 0.6"},
		{"halfspace", GeneratorOptions{LabelNoise: -0.1}, "label noise must be in [0, 0.5]"},
		{"relu", GeneratorOptions{LabelNoise: math.NaN()}, "label noise must be in [0, 0.5], got NaN"},
		{"relu", GeneratorOptions{LabelNoise: math.Inf(1)}, "label noise must be in [0, 0.5]"},
		{"halfspace", GeneratorOptions{Classes: 3}, "halfspace: classes must be 2"},
		{"relu", GeneratorOptions{Classes: 4}, "relu: classes must be 2"},
		{"brainnet", GeneratorOptions{Classes: 11}, "brainnet: classes must be in [2, 10]"},
		{"brainnet", GeneratorOptions{Classes: -2}, "brainnet: classes must be in [2, 10]"},
		{"relu", GeneratorOptions{TeacherWidth: -1}, "relu: teacher width must be at least 1, got -1"},
		{"relu", GeneratorOptions{TeacherWidth: math.MaxInt}, "relu: teacher width x (features + 2) must be at most 2^31"},
		{"relu", GeneratorOptions{Features: 1 << 30, TeacherWidth: 4, Samples: 1}, "samples must be at least 10"},
		{"relu", GeneratorOptions{Features: 1 << 27, TeacherWidth: 16, Samples: 10}, "relu: teacher width x (features + 2) must be at most 2^31"},
		{"halfspace", GeneratorOptions{Samples: 1 << 40}, "halfspace: samples x features must be at most 2^31"},
		{"halfspace", GeneratorOptions{Samples: math.MaxInt, Features: math.MaxInt}, "samples x features must be at most 2^31"},
		{"brainnet", GeneratorOptions{Features: math.MaxInt - 1}, "samples x features must be at most 2^31"},
	}
	for _, c := range cases {
		_, err := Load(Spec{Name: c.name, Generator: c.o})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s %+v: error %v, want %q", c.name, c.o, err, c.want)
		}
	}
	// Validate sees the filled-in options: a zero there is refused.
	if err := (GeneratorOptions{Samples: 100, TeacherWidth: 1, Classes: 2}).Validate("halfspace"); err == nil ||
		err.Error() != "halfspace: features must be at least 1, got 0" {
		t.Errorf("zero features: %v", err)
	}
	if err := DefaultGeneratorOptions().Validate("relu"); err != nil {
		t.Errorf("defaults: %v", err)
	}
	if err := DefaultGeneratorOptions().Validate("gauss"); err == nil || !strings.Contains(err.Error(), `unknown generator "gauss"`) {
		t.Errorf("unknown generator: %v", err)
	}
	if _, err := Load(Spec{Name: "halfspaces"}); err == nil || !strings.Contains(err.Error(), "halfspace, relu or brainnet") {
		t.Errorf("unknown data set: %v", err)
	}
}

func ExampleNewGenerated() {
	ds, err := NewGenerated("relu", GeneratorOptions{Features: 3, Samples: 100, TeacherWidth: 4, LabelNoise: 0.1}, 1, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds.Name, ds.Train.Len(), ds.Test.Len(), ds.Classes)
	// Output: relu(3 features, teacher width 4, label noise 0.1, 100 samples, data-seed 1) 80 20 2
}

// Recompute the relu labels from the accepted teacher: W1 (d x k), then w2
// (k x 2), row-major.
func TestReluLabelsAgreeWithTeacher(t *testing.T) {
	const d, k = 3, 5
	g := mustGenerate(t, "relu", GeneratorOptions{Features: d, TeacherWidth: k, Samples: 1000}, 4)
	if len(g.Teacher) != d*k+2*k {
		t.Fatalf("%d teacher parameters, want %d", len(g.Teacher), d*k+2*k)
	}
	w1, w2 := g.Teacher[:d*k], g.Teacher[d*k:]
	for i, l := range g.Clean {
		var z [2]float64
		for j := range k {
			var hj float64
			for m := range d {
				hj += float64(g.X[i*d+m]) * w1[m*k+j]
			}
			hj = math.Max(hj, 0)
			z[0] += hj * w2[2*j]
			z[1] += hj * w2[2*j+1]
		}
		want := int32(0)
		if z[1] > z[0] {
			want = 1
		}
		if l != want {
			t.Fatalf("sample %d: label %d, output %v", i, l, z)
		}
	}
}
