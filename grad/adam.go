package grad

import (
	"fmt"
	"math"
)

// Adam is the Adam optimiser (Kingma and Ba, 2015) over a float32 genotype,
// with its moments in float64 and optional decoupled weight decay (AdamW:
// theta -= LR*WeightDecay*theta each step, apart from the gradient's moments).
// The fields are exported so a run can save and resume its state.
type Adam struct {
	LR          float64   `json:"lr"`
	Beta1       float64   `json:"beta1"`
	Beta2       float64   `json:"beta2"`
	Eps         float64   `json:"eps"`
	WeightDecay float64   `json:"weight_decay"`
	M           []float64 `json:"m"`
	V           []float64 `json:"v"`
	T           int       `json:"t"`
}

// NewAdam returns Adam for dim parameters with the usual betas (0.9, 0.999)
// and eps 1e-8.
func NewAdam(dim int, lr, weightDecay float64) (*Adam, error) {
	switch {
	case dim < 1:
		return nil, fmt.Errorf("adam: need at least one parameter, got %d", dim)
	case !(lr > 0) || math.IsInf(lr, 0):
		return nil, fmt.Errorf("adam: lr must be positive and finite, got %v", lr)
	case !(weightDecay >= 0) || math.IsInf(weightDecay, 0):
		return nil, fmt.Errorf("adam: weight decay must be >= 0 and finite, got %v", weightDecay)
	}
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: weightDecay,
		M: make([]float64, dim), V: make([]float64, dim)}, nil
}

// Step moves theta against the gradient g.
func (a *Adam) Step(theta, g []float32) {
	if len(theta) != len(a.M) || len(g) != len(a.M) {
		panic(fmt.Sprintf("grad.Adam: %d parameters and %d gradients for %d moments", len(theta), len(g), len(a.M)))
	}
	a.T++
	c1 := 1 - math.Pow(a.Beta1, float64(a.T))
	c2 := 1 - math.Pow(a.Beta2, float64(a.T))
	for i, gi := range g {
		x := float64(gi)
		a.M[i] = a.Beta1*a.M[i] + (1-a.Beta1)*x
		a.V[i] = a.Beta2*a.V[i] + (1-a.Beta2)*x*x
		th := float64(theta[i])
		th -= a.LR * (a.M[i] / c1) / (math.Sqrt(a.V[i]/c2) + a.Eps)
		th -= a.LR * a.WeightDecay * float64(theta[i])
		theta[i] = float32(th)
	}
}
