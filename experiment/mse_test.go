package experiment

import (
	"math"
	"slices"
	"testing"

	"plasticity/model"
)

// TestMSEOptions checks that -fitness mse ranks by minus the squared error,
// and that GD with -loss mse follows another gradient than the default loss.
func TestMSEOptions(t *testing.T) {
	o := ESOptions{Fitness: "mse"}
	if f := o.fitnessOf(model.Score{Accuracy: 0.5, Loss: 0.7, MSE: 0.2}); f != -0.2 {
		t.Errorf("mse fitness %v, want -0.2", f)
	}
	if f := o.fitnessOf(model.Score{Loss: math.NaN(), MSE: math.NaN()}); !math.IsInf(f, -1) {
		t.Errorf("mse fitness of a NaN loss %v, want -Inf", f)
	}
	ds := smallData(t)
	g := ourGD(20)
	a, err := Train(g, ds)
	if err != nil {
		t.Fatal(err)
	}
	g.Loss = "mse"
	b, err := Train(g, ds)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a.Rules.Theta, b.Rules.Theta) {
		t.Error("-loss mse learned the same rules as -loss logits")
	}
	g.Loss = "msx"
	if _, err := Train(g, ds); err == nil {
		t.Error("loss msx accepted")
	}
}
