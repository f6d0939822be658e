package baseline

import "math"

// dense is one fully connected layer z = W x + b (W out x in, row-major),
// with a relu after it when relu is set, and the gradient of its last step.
type dense struct {
	in, out int
	relu    bool
	w, b    []float32
	gw, gb  []float32
}

func newDense(out, in int, relu bool) *dense {
	return &dense{in: in, out: out, relu: relu,
		w: make([]float32, out*in), b: make([]float32, out),
		gw: make([]float32, out*in), gb: make([]float32, out)}
}

// params returns the layer's parameters and their gradients, in one order.
func (d *dense) params() (p, g [][]float32) {
	return [][]float32{d.w, d.b}, [][]float32{d.gw, d.gb}
}

// sign is the direction of the Adam update: 1 descends the loss. Tests set
// it to -1 to show that the accuracy tests fail on a wrong update.
var sign = 1.0

// adam is Adam (Kingma & Ba 2015, beta1 0.9, beta2 0.999, eps 1e-8) over
// every parameter of the layers.
type adam struct {
	lr   float64
	t    int
	m, v [][]float32
}

func newAdam(lr float64, layers []*dense) *adam {
	a := &adam{lr: lr}
	for _, d := range layers {
		p, _ := d.params()
		for _, x := range p {
			a.m = append(a.m, make([]float32, len(x)))
			a.v = append(a.v, make([]float32, len(x)))
		}
	}
	return a
}

// update takes one Adam step from the layers' gradients.
func (a *adam) update(layers []*dense) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	a.t++
	step := float32(sign * a.lr * math.Sqrt(1-math.Pow(b2, float64(a.t))) / (1 - math.Pow(b1, float64(a.t))))
	k := 0
	for _, d := range layers {
		p, g := d.params()
		for i, x := range p {
			m, v := a.m[k], a.v[k]
			k++
			for j, gj := range g[i] {
				m[j] = b1*m[j] + (1-b1)*gj
				v[j] = b2*v[j] + (1-b2)*gj*gj
				x[j] -= step * m[j] / (float32(math.Sqrt(float64(v[j]))) + eps)
			}
		}
	}
}
