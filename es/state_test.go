package es

import (
	"bytes"
	"encoding/gob"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func step(s Strategy, f func([]float32) float64) {
	pop := s.Ask()
	fit := make([]float64, len(pop))
	for i, x := range pop {
		fit[i] = -f(x)
	}
	s.Tell(fit)
}

// TestStateRoundTrip runs each strategy some generations, saves it, restores
// the state into a freshly built strategy, and checks that both continue
// with bit-identical populations and means.
func TestStateRoundTrip(t *testing.T) {
	const dim = 12
	rastrigin := func(x []float32) float64 {
		s := 0.0
		for _, v := range x {
			s += float64(v)*float64(v) - 10*math.Cos(2*math.Pi*float64(v))
		}
		return s
	}
	for _, c := range []Config{
		{Name: "simple"},
		{Name: "openai", WeightDecay: 0.01},
		{Name: "cmaes"},
		{Name: "sepcmaes"},
		{Name: "cmaes", Restarts: 3, Sigma: 1e-3},
	} {
		t.Run(c.Name, func(t *testing.T) {
			build := func() Strategy {
				s, err := New(c, dim, rand.New(rand.NewPCG(5, 6)))
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			a := build()
			for range 300 {
				step(a, rastrigin)
			}
			state, err := a.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			b := build()
			if err := b.UnmarshalBinary(state); err != nil {
				t.Fatal(err)
			}
			if cm, ok := a.(*CMAES); ok && c.Restarts > 0 && cm.Restarts() == 0 {
				t.Fatal("the restart case made no restart before saving")
			}
			for g := range 50 {
				samePopulations(t, g, a, b)
				step(a, rastrigin)
				step(b, rastrigin)
			}
			ca, cb := a.Center(), b.Center()
			for j := range ca {
				if math.Float32bits(ca[j]) != math.Float32bits(cb[j]) {
					t.Fatalf("centres differ at %d", j)
				}
			}
			if a.Generation() != b.Generation() || a.StepSize() != b.StepSize() {
				t.Fatalf("generation %d/%d, step size %v/%v", a.Generation(), b.Generation(), a.StepSize(), b.StepSize())
			}
		})
	}
}

// samePopulations fails unless a and b ask for bit-identical candidates in
// generation g after a restore.
func samePopulations(t *testing.T, g int, a, b Strategy) {
	t.Helper()
	pa, pb := a.Ask(), b.Ask()
	if len(pa) != len(pb) {
		t.Fatalf("generation %d: populations of %d and %d", g, len(pa), len(pb))
	}
	for i := range pa {
		for j := range pa[i] {
			if math.Float32bits(pa[i][j]) != math.Float32bits(pb[i][j]) {
				t.Fatalf("generation %d after restore: candidate %d differs at %d", g, i, j)
			}
		}
	}
}

func TestStateRefused(t *testing.T) {
	rng := func() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }
	cma, _ := NewCMAES(8, CMAOptions{Sigma: 1}, rng())
	state, err := cma.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	fresh := func() *CMAES { c, _ := NewCMAES(8, CMAOptions{Sigma: 1}, rng()); return c }
	if err := fresh().UnmarshalBinary(state[:len(state)/2]); err == nil {
		t.Error("truncated state accepted")
	}
	sep, _ := NewCMAES(8, CMAOptions{Sigma: 1, Separable: true}, rng())
	if err := sep.UnmarshalBinary(state); err == nil || !strings.Contains(err.Error(), `strategy "cmaes"`) {
		t.Errorf("full CMA-ES state into sep-CMA-ES: %v", err)
	}
	other, _ := NewCMAES(9, CMAOptions{Sigma: 1}, rng())
	if err := other.UnmarshalBinary(state); err == nil {
		t.Error("state of dimension 8 accepted by dimension 9")
	}
	if err := fresh().UnmarshalBinary(withVersion(t, state, StateVersion)); err != nil {
		t.Fatalf("re-wrapped state refused: %v", err)
	}
	if err := fresh().UnmarshalBinary(withVersion(t, state, StateVersion+1)); err == nil || !strings.Contains(err.Error(), "version") {
		t.Errorf("state of another version: %v", err)
	}
}

// withVersion rewrites the version number of a saved state.
func withVersion(t *testing.T, state []byte, v int) []byte {
	var env envelope
	if err := gob.NewDecoder(bytes.NewReader(state)).Decode(&env); err != nil {
		t.Fatal(err)
	}
	env.Version = v
	var out bytes.Buffer
	if err := gob.NewEncoder(&out).Encode(env); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestCentredRanks(t *testing.T) {
	got := CentredRanks([]float64{0.5, 0.9, 0.5, math.NaN(), 0.1})
	// Ranks from the worst: NaN 0, 0.1 1, the tied 0.5s share (2+3)/2, 0.9
	// 4; utility rank/4 - 0.5.
	want := []float64{0.125, 0.5, 0.125, -0.5, -0.25}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-15 {
			t.Fatalf("CentredRanks = %v, want %v", got, want)
		}
	}
	var sum float64
	for _, v := range got {
		sum += v
	}
	if math.Abs(sum) > 1e-15 {
		t.Errorf("utilities sum to %g, want 0", sum)
	}
}
