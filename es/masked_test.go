package es

import (
	"math"
	"math/rand/v2"
	"testing"
)

// maskedProblem is a shifted sphere over 12 coordinates of which every third
// is frozen: the optimum of the free ones is at 1 + index/10, and a frozen
// coordinate costs (x - 3)^2, so a strategy that moved one would be drawn
// away from zero.
const maskedDim = 12

var maskedFree = []int{0, 1, 3, 4, 6, 7, 9, 10}

func isFree(i int) bool {
	for _, f := range maskedFree {
		if f == i {
			return true
		}
	}
	return false
}

func shiftedSphere(x []float32) float64 {
	var s float64
	for i, v := range x {
		want := 3.0
		if isFree(i) {
			want = 1 + float64(i)/10
		}
		d := float64(v) - want
		s += d * d
	}
	return s
}

func newMasked(t *testing.T, c Config) *Masked {
	t.Helper()
	inner, err := New(c, len(maskedFree), rand.New(rand.NewPCG(7, 8)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMasked(inner, maskedDim, maskedFree)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// checkFrozen fails unless every frozen coordinate of x is exactly zero.
func checkFrozen(t *testing.T, what string, x []float32) {
	t.Helper()
	if len(x) != maskedDim {
		t.Fatalf("%s has %d coordinates, want %d", what, len(x), maskedDim)
	}
	for i, v := range x {
		if !isFree(i) && math.Float32bits(v) != 0 {
			t.Fatalf("%s: frozen coordinate %d is %v", what, i, v)
		}
	}
}

// TestMaskedSearchesFreeCoordinates runs each strategy behind a mask on the
// shifted sphere: every candidate, best and centre holds exact zeros where
// frozen and the inner strategy's values where free, and the free
// coordinates reach their optimum.
func TestMaskedSearchesFreeCoordinates(t *testing.T) {
	for _, c := range []Config{
		{Name: "simple", Sigma: 0.05},
		{Name: "openai", Sigma: 0.1, LR: 0.05},
		{Name: "cmaes", Sigma: 0.5},
		{Name: "sepcmaes", Sigma: 0.5},
	} {
		t.Run(c.Name, func(t *testing.T) {
			m := newMasked(t, c)
			for g := range 600 {
				pop := m.Ask()
				in := m.inner.Ask()
				if len(pop) != len(in) {
					t.Fatalf("generation %d: %d candidates, inner strategy %d", g, len(pop), len(in))
				}
				for k, x := range pop {
					checkFrozen(t, "candidate", x)
					for j, i := range maskedFree {
						if x[i] != in[k][j] {
							t.Fatalf("candidate %d coordinate %d is %v, inner coordinate %d is %v", k, i, x[i], j, in[k][j])
						}
					}
				}
				step(m, shiftedSphere)
				b, _ := m.Best()
				checkFrozen(t, "best", b)
				if m.Generation() != g+1 || m.StepSize() != m.inner.StepSize() {
					t.Fatalf("generation %d, step size %v: not the inner strategy's", m.Generation(), m.StepSize())
				}
			}
			center := m.Center()
			checkFrozen(t, "centre", center)
			// Frozen coordinates cost 9 each (4 of them); the free part
			// should be close to its optimum.
			if got := shiftedSphere(center) - 36; got > 0.05 {
				t.Errorf("free part of the centre at distance^2 %.3g from its optimum, want < 0.05", got)
			}
		})
	}
}

// TestMaskedStateRoundTrip saves a masked strategy mid-run, restores it into
// a fresh one with the same mask, and checks both go on identically.
func TestMaskedStateRoundTrip(t *testing.T) {
	c := Config{Name: "openai", Sigma: 0.1, LR: 0.05}
	a := newMasked(t, c)
	for range 20 {
		step(a, shiftedSphere)
	}
	state, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	b := newMasked(t, c)
	if err := b.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	for g := range 10 {
		samePopulations(t, g, a, b)
		step(a, shiftedSphere)
		step(b, shiftedSphere)
	}
	// A state of the unmasked dimension does not fit the inner strategy.
	full, err := New(c, maskedDim, rand.New(rand.NewPCG(7, 8)))
	if err != nil {
		t.Fatal(err)
	}
	st, err := full.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := newMasked(t, c).UnmarshalBinary(st); err == nil {
		t.Error("restored the state of an unmasked strategy into a masked one")
	}
}

func TestNewMaskedRefuses(t *testing.T) {
	inner, err := New(Config{Name: "openai"}, 3, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		dim  int
		free []int
	}{
		{"none free", 5, nil},
		{"decreasing", 5, []int{0, 2, 1}},
		{"repeated", 5, []int{0, 2, 2}},
		{"out of range", 5, []int{0, 2, 5}},
		{"negative", 5, []int{-1, 2, 3}},
		{"inner of another dimension", 5, []int{0, 1, 2, 3}},
	} {
		if _, err := NewMasked(inner, c.dim, c.free); err == nil {
			t.Errorf("%s: accepted free coordinates %v of %d", c.name, c.free, c.dim)
		}
	}
	if _, err := NewMasked(inner, 5, []int{0, 2, 4}); err != nil {
		t.Errorf("valid mask refused: %v", err)
	}
}
