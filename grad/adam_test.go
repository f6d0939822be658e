package grad

import (
	"math"
	"testing"
)

func TestAdamKnownSteps(t *testing.T) {
	a, err := NewAdam(3, 0.01, 0)
	if err != nil {
		t.Fatal(err)
	}
	theta := []float32{1, -2, 0.5}
	// First step: m^ = g and v^ = g^2, so each parameter moves by lr against
	// the gradient's sign (and not at all where g = 0).
	a.Step(theta, []float32{0.3, -4, 0})
	want := []float64{0.99, -1.99, 0.5}
	for i := range want {
		if math.Abs(float64(theta[i])-want[i]) > 1e-6 {
			t.Fatalf("after step 1: theta[%d] = %v, want %v", i, theta[i], want[i])
		}
	}
	// Second step with g = 1 on the first parameter: m = 0.09*0.3... worked out
	// in float64 from the definition.
	g2 := 1.0
	m := 0.9*(0.1*0.3) + 0.1*g2
	v := 0.999*(0.001*0.09) + 0.001*g2*g2
	mh, vh := m/(1-0.81), v/(1-0.999*0.999)
	w0 := 0.99 - 0.01*mh/(math.Sqrt(vh)+1e-8)
	a.Step(theta, []float32{float32(g2), 0, 0})
	if math.Abs(float64(theta[0])-w0) > 1e-6 {
		t.Fatalf("after step 2: theta[0] = %v, want %v", theta[0], w0)
	}
}

func TestAdamWeightDecay(t *testing.T) {
	a, err := NewAdam(1, 0.1, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	theta := []float32{2}
	a.Step(theta, []float32{0})
	// No gradient: only the decoupled decay, theta *= 1 - lr*wd.
	if math.Abs(float64(theta[0])-2*0.95) > 1e-6 {
		t.Fatalf("theta = %v, want %v", theta[0], 2*0.95)
	}
}

func TestAdamMinimisesQuadratic(t *testing.T) {
	a, err := NewAdam(2, 0.05, 0)
	if err != nil {
		t.Fatal(err)
	}
	theta := []float32{3, -1}
	g := make([]float32, 2)
	for range 2000 {
		g[0] = 2 * (theta[0] - 1)
		g[1] = 20 * (theta[1] + 0.5)
		a.Step(theta, g)
	}
	if math.Abs(float64(theta[0])-1) > 1e-2 || math.Abs(float64(theta[1])+0.5) > 1e-2 {
		t.Fatalf("theta = %v, want [1 -0.5]", theta)
	}
}

func TestAdamRejectsBadSettings(t *testing.T) {
	for _, c := range []struct{ lr, wd float64 }{{0, 0}, {-1, 0}, {math.NaN(), 0}, {0.01, -1}, {0.01, math.Inf(1)}} {
		if _, err := NewAdam(3, c.lr, c.wd); err == nil {
			t.Errorf("lr %v wd %v accepted", c.lr, c.wd)
		}
	}
}
