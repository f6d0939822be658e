package data

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"plasticity/model"
)

// GeneratorOptions size BrainNet's data generators (halfspace, relu,
// brainnet). A zero field means its default: 10 features, 5000 samples,
// teacher width 10, 2 classes, no label noise.
type GeneratorOptions struct {
	Features     int     // d: features uniform on [-1, 1]^d
	Samples      int     // N in all; the last 20% form the test split
	TeacherWidth int     // k: hidden units of the relu teacher (relu only)
	Classes      int     // C: classes of the brainnet teacher; halfspace and relu have 2
	LabelNoise   float64 // q in [0, 0.5]: each label moves to another class with probability q
}

// DefaultGeneratorOptions returns the defaults that zero fields stand for
// (without label noise), for a command line to show.
func DefaultGeneratorOptions() GeneratorOptions {
	return GeneratorOptions{Features: 10, Samples: 5000, TeacherWidth: 10, Classes: 2}
}

// WithDefaults returns o with every zero size replaced by its default.
func (o GeneratorOptions) WithDefaults() GeneratorOptions {
	d := DefaultGeneratorOptions()
	if o.Features == 0 {
		o.Features = d.Features
	}
	if o.Samples == 0 {
		o.Samples = d.Samples
	}
	if o.TeacherWidth == 0 {
		o.TeacherWidth = d.TeacherWidth
	}
	if o.Classes == 0 {
		o.Classes = d.Classes
	}
	return o
}

// Generators lists the names of BrainNet's data generators.
func Generators() []string { return []string{"halfspace", "relu", "brainnet"} }

// IsGenerator reports whether name is one of Generators.
func IsGenerator(name string) bool {
	for _, g := range Generators() {
		if name == g {
			return true
		}
	}
	return false
}

const (
	maxGeneratedValues = 1 << 31 // samples x features (and teacher entries) at most
	maxClasses         = 10      // every class holds at least 10% of the samples
	maxDraws           = 100     // teachers (and noise draws) tried before giving up
	brainNetHidden     = 20
	brainNetCap        = 5
	brainNetEdgeP      = 0.15
)

// Validate checks options whose defaults have been filled in (zero sizes are
// refused here) for the generator name.
func (o GeneratorOptions) Validate(name string) error {
	if !IsGenerator(name) {
		return fmt.Errorf("data: unknown generator %q (want halfspace, relu or brainnet)", name)
	}
	switch {
	case o.Features < 1:
		return fmt.Errorf("%s: features must be at least 1, got %d", name, o.Features)
	case o.Classes < 2 || o.Classes > maxClasses:
		return fmt.Errorf("%s: classes must be in [2, %d] (each class needs 10%% of the samples), got %d", name, maxClasses, o.Classes)
	case name != "brainnet" && o.Classes != 2:
		return fmt.Errorf("%s: classes must be 2 (only brainnet has more), got %d", name, o.Classes)
	case o.Samples < 5*o.Classes:
		return fmt.Errorf("%s: samples must be at least %d so that the test split (the last 20%%) can hold all %d classes, got %d",
			name, 5*o.Classes, o.Classes, o.Samples)
	case o.Samples > maxGeneratedValues/o.Features:
		return fmt.Errorf("%s: samples x features must be at most 2^31, got %d x %d", name, o.Samples, o.Features)
	case !(o.LabelNoise >= 0 && o.LabelNoise <= 0.5):
		return fmt.Errorf("%s: label noise must be in [0, 0.5], got %v", name, o.LabelNoise)
	}
	if name == "relu" {
		if o.TeacherWidth < 1 {
			return fmt.Errorf("relu: teacher width must be at least 1, got %d", o.TeacherWidth)
		}
		if o.TeacherWidth > maxGeneratedValues/(o.Features+2) {
			return fmt.Errorf("relu: teacher width x (features + 2) must be at most 2^31, got %d x %d", o.TeacherWidth, o.Features+2)
		}
	}
	return nil
}

// Generated is one draw of a generator before the split, kept for tests: the
// points, the teacher's labels, the labels after noise and the teacher.
type Generated struct {
	Name     string
	Features int
	Classes  int
	X        []float32 // Samples x Features, uniform on [-1, 1]
	Clean    []int32   // the accepted teacher's labels
	Y        []int32   // Clean after label noise
	Flipped  []bool    // Y[i] != Clean[i]
	// Teacher holds the accepted teacher's parameters in the order drawn:
	// halfspace v; relu W1 (d x k) then w2 (k x 2); brainnet the input and
	// hidden masks, Whid, Wout, the hidden and output biases, then Win.
	Teacher []float64
	Draws   int // teachers drawn, the accepted one included
}

// teacher labels one point; params are its parameters, for tests.
type teacher struct {
	params []float64
	label  func(x []float64) int32
}

// teacherDraw draws the next teacher from a generator's teacher stream.
type teacherDraw func(rng *rand.Rand) teacher

// Generate draws the points, the teacher and the label noise of generator
// name from three streams of the data seed: model.NewRand(dataSeed, name, 0)
// for the points, 1 for the teachers and 2 for the noise, so noise changes no
// point and no teacher. Zero options take their defaults.
func Generate(name string, o GeneratorOptions, dataSeed uint64) (Generated, error) {
	o = o.WithDefaults()
	if err := o.Validate(name); err != nil {
		return Generated{}, err
	}
	var draw teacherDraw
	switch name {
	case "halfspace":
		draw = halfspaceTeacher(o.Features)
	case "relu":
		draw = reluTeacher(o.Features, o.TeacherWidth)
	case "brainnet":
		draw = brainNetTeacher(o.Features, o.Classes)
	}
	d, n := o.Features, o.Samples
	pts := model.NewRand(dataSeed, name, 0)
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(2*pts.Float64() - 1)
	}
	g := Generated{Name: name, Features: d, Classes: o.Classes, X: x}
	t, clean, draws, err := labelPoints(name, x, d, o.Classes, testSplit(n), model.NewRand(dataSeed, name, 1), draw)
	if err != nil {
		return Generated{}, err
	}
	g.Clean, g.Teacher, g.Draws = clean, t.params, draws
	g.Y, g.Flipped, err = addLabelNoise(name, clean, o.Classes, testSplit(n), o.LabelNoise, model.NewRand(dataSeed, name, 2))
	if err != nil {
		return Generated{}, err
	}
	return g, nil
}

// NewGenerated draws generator name's data set for a data seed and splits it,
// the last 20% of the samples the test split; features are standardised by
// the training split's statistics when standardize is set.
func NewGenerated(name string, o GeneratorOptions, dataSeed uint64, standardize bool) (Dataset, error) {
	g, err := Generate(name, o, dataSeed)
	if err != nil {
		return Dataset{}, err
	}
	o = o.WithDefaults()
	d, n := g.Features, len(g.Y)
	nTrain := n - testSplit(n)
	desc := fmt.Sprintf("%d features", d)
	switch name {
	case "relu":
		desc += fmt.Sprintf(", teacher width %d", o.TeacherWidth)
	case "brainnet":
		desc += fmt.Sprintf(", %d classes", g.Classes)
	}
	if o.LabelNoise > 0 {
		desc += fmt.Sprintf(", label noise %g", o.LabelNoise)
	}
	ds := Dataset{
		Name:    fmt.Sprintf("%s(%s, %d samples, data-seed %d)", name, desc, n, dataSeed),
		Classes: g.Classes,
		Train:   model.Samples{X: g.X[:nTrain*d], Y: g.Y[:nTrain], Dim: d},
		Test:    model.Samples{X: g.X[nTrain*d:], Y: g.Y[nTrain:], Dim: d},
	}
	if standardize {
		Standardize(&ds)
	}
	return ds, nil
}

// testSplit is the size of the test split of n samples: the last 20%.
func testSplit(n int) int { return n / 5 }

// errLopsided marks labels in which some class is too rare.
var errLopsided = errors.New("lopsided")

// checkClasses returns errLopsided unless every class holds at least 10% of
// the labels and appears in both the training split and the last nTest.
func checkClasses(y []int32, classes, nTest int) error {
	n := len(y)
	all := make([]int, classes)
	test := make([]int, classes)
	for i, l := range y {
		all[l]++
		if i >= n-nTest {
			test[l]++
		}
	}
	for c := range classes {
		if all[c]*10 < n || test[c] == 0 || all[c] == test[c] {
			return errLopsided
		}
	}
	return nil
}

// labelPoints labels the points x (rows of d features) with teachers drawn
// one after another from rng until one gives balanced labels (checkClasses),
// at most maxDraws teachers. It returns that teacher, its labels and how many
// teachers were drawn.
func labelPoints(name string, x []float32, d, classes, nTest int, rng *rand.Rand, draw teacherDraw) (teacher, []int32, int, error) {
	n := len(x) / d
	y := make([]int32, n)
	row := make([]float64, d)
	for k := 1; k <= maxDraws; k++ {
		t := draw(rng)
		for i := range n {
			for j, v := range x[i*d : (i+1)*d] {
				row[j] = float64(v)
			}
			y[i] = t.label(row)
		}
		if checkClasses(y, classes, nTest) == nil {
			return t, y, k, nil
		}
	}
	return teacher{}, nil, maxDraws, fmt.Errorf("%s: none of %d teachers gave every class at least 10%% of the samples and a place in both splits (try fewer classes or another data seed)",
		name, maxDraws)
}

// addLabelNoise moves each label, with probability q, to one of the other
// classes chosen uniformly. The flips are drawn first and the new classes
// after, both from rng; a draw that leaves some class out of a split is
// redrawn (the next draw of rng), at most maxDraws times.
func addLabelNoise(name string, clean []int32, classes, nTest int, q float64, rng *rand.Rand) ([]int32, []bool, error) {
	n := len(clean)
	y := make([]int32, n)
	flipped := make([]bool, n)
	if q == 0 {
		copy(y, clean)
		return y, flipped, nil
	}
	for range maxDraws {
		for i := range n {
			flipped[i] = rng.Float64() < q
		}
		for i, l := range clean {
			y[i] = l
			if flipped[i] {
				y[i] = int32((int(l) + 1 + rng.IntN(classes-1)) % classes)
			}
		}
		if checkPresent(y, classes, nTest) {
			return y, flipped, nil
		}
	}
	return nil, nil, fmt.Errorf("%s: none of %d label noise draws left every class in both splits", name, maxDraws)
}

// checkPresent reports whether every class appears in the training split and
// in the last nTest labels.
func checkPresent(y []int32, classes, nTest int) bool {
	n := len(y)
	seen := make([]uint8, classes) // bit 0: training split, bit 1: test split
	for i, l := range y {
		if i >= n-nTest {
			seen[l] |= 2
		} else {
			seen[l] |= 1
		}
	}
	for _, s := range seen {
		if s != 3 {
			return false
		}
	}
	return true
}

// uniform returns n values uniform on [lo, hi) drawn from rng.
func uniform(rng *rand.Rand, n int, lo, hi float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = lo + (hi-lo)*rng.Float64()
	}
	return v
}

// argmax returns the index of the largest value, the lowest index on ties
// (NumPy's and PyTorch's choice).
func argmax(z []float64) int32 {
	best := 0
	for c, v := range z {
		if v > z[best] {
			best = c
		}
	}
	return int32(best)
}

// halfspaceTeacher draws v uniform on [-1, 1]^d; the label is 1 if v.x > 0.
func halfspaceTeacher(d int) teacherDraw {
	return func(rng *rand.Rand) teacher {
		v := uniform(rng, d, -1, 1)
		return teacher{params: v, label: func(x []float64) int32 {
			var s float64
			for j, w := range v {
				s += w * x[j]
			}
			if s > 0 {
				return 1
			}
			return 0
		}}
	}
}

// reluTeacher draws W1 (d x k) and then w2 (k x 2), row-major, entries
// uniform on [-1, 1]; the label is argmax(relu(x W1) w2) (BrainNet's
// layer_relu_data; its softmax does not change the argmax).
func reluTeacher(d, k int) teacherDraw {
	return func(rng *rand.Rand) teacher {
		params := uniform(rng, d*k+2*k, -1, 1)
		w1, w2 := params[:d*k], params[d*k:]
		h := make([]float64, k)
		z := make([]float64, 2)
		return teacher{params: params, label: func(x []float64) int32 {
			clear(h)
			for m, xm := range x {
				for j, w := range w1[m*k : (m+1)*k] {
					h[j] += xm * w
				}
			}
			z[0], z[1] = 0, 0
			for j, hj := range h {
				if hj > 0 {
					z[0] += hj * w2[2*j]
					z[1] += hj * w2[2*j+1]
				}
			}
			return argmax(z)
		}}
	}
}

// brainNetTeacher draws a capped recurrent network the way BrainNet's
// brainnet_data does (full_gd weights, outlayer_connected): an input mask
// (h x d) and a hidden mask (h x h, no self-loops) with edge probability 0.15,
// then hidden weights (h x h), output weights (C x h), hidden biases (h),
// output biases (C) and input weights (h x d), all uniform on [-0.5, 0.5),
// with h = 20 hidden neurons. The label of x is the argmax of
//
//	u  = Win x
//	a0 = cap5(relu(u + bh))
//	a1 = cap5(relu(Whid (a0 + u) + bh))
//	z  = Wout a1 + bo
//
// BrainNet's feed_input and one step_once_graph (raw drive, R = 1); its
// softmax does not change the argmax.
func brainNetTeacher(d, classes int) teacherDraw {
	const h = brainNetHidden
	return func(rng *rand.Rand) teacher {
		inMask := bernoulli(rng, h*d, brainNetEdgeP)
		hidMask := bernoulli(rng, h*h, brainNetEdgeP)
		for i := range h {
			hidMask[i*h+i] = 0
		}
		whid := uniform(rng, h*h, -0.5, 0.5)
		wout := uniform(rng, classes*h, -0.5, 0.5)
		bh := uniform(rng, h, -0.5, 0.5)
		bo := uniform(rng, classes, -0.5, 0.5)
		win := uniform(rng, h*d, -0.5, 0.5)
		var params []float64
		for _, p := range [][]float64{inMask, hidMask, whid, wout, bh, bo, win} {
			params = append(params, p...)
		}
		for i := range win {
			win[i] *= inMask[i]
		}
		for i := range whid {
			whid[i] *= hidMask[i]
		}
		u := make([]float64, h)
		a := make([]float64, h)
		s := make([]float64, h)
		z := make([]float64, classes)
		keep := make([]bool, h)
		return teacher{params: params, label: func(x []float64) int32 {
			for i := range h {
				var v float64
				for m, w := range win[i*d : (i+1)*d] {
					v += w * x[m]
				}
				u[i] = v
				a[i] = max(v+bh[i], 0)
			}
			capTop(a, brainNetCap, keep)
			for j := range h {
				s[j] = a[j] + u[j]
			}
			for i := range h {
				var v float64
				for j, w := range whid[i*h : (i+1)*h] {
					v += w * s[j]
				}
				a[i] = max(v+bh[i], 0)
			}
			capTop(a, brainNetCap, keep)
			for c := range classes {
				v := bo[c]
				for j, w := range wout[c*h : (c+1)*h] {
					v += w * a[j]
				}
				z[c] = v
			}
			return argmax(z)
		}}
	}
}

// bernoulli returns n values, each 1 with probability p and 0 otherwise.
func bernoulli(rng *rand.Rand, n int, p float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		if rng.Float64() < p {
			v[i] = 1
		}
	}
	return v
}

// capTop keeps the k largest entries of a and sets the rest to 0; ties keep
// the lower index (docs/model.md §1). keep is scratch space of len(a).
func capTop(a []float64, k int, keep []bool) {
	if k >= len(a) {
		return
	}
	clear(keep)
	for range k {
		best := -1
		for i, v := range a {
			if !keep[i] && (best < 0 || v > a[best]) {
				best = i
			}
		}
		keep[best] = true
	}
	for i := range a {
		if !keep[i] {
			a[i] = 0
		}
	}
}
