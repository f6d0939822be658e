package es

import (
	"fmt"
	"math/rand/v2"
)

// Simple is the seed paper's evolution strategy: a population drawn i.i.d.
// N(0,1), truncation selection of the best Parents, which survive unchanged
// (elitism), and the rest of the next population made by adding N(0, Sigma^2)
// noise to the parents in turn.
type Simple struct {
	Sigma   float64
	Parents int

	pop       [][]float32
	bestTheta []float32
	bestFit   float64
	gen       int
	rng       source
}

// NewSimple returns the seed's ES for genotypes of length dim: popsize
// candidates, mutation sigma, and the number of parents kept each generation.
// The initial population comes from rng; the mutations from the strategy's own
// generator, seeded from rng, whose state is saved with the strategy.
func NewSimple(dim, popsize int, sigma float64, parents int, rng *rand.Rand) (*Simple, error) {
	if dim < 1 || popsize < 2 || parents < 1 || parents >= popsize || !(sigma > 0) {
		return nil, fmt.Errorf("es simple: need dim >= 1, popsize >= 2, 1 <= parents < popsize, sigma > 0 (got %d, %d, %d, %v)",
			dim, popsize, parents, sigma)
	}
	s := &Simple{Sigma: sigma, Parents: parents}
	s.pop = make([][]float32, popsize)
	for i := range s.pop {
		s.pop[i] = make([]float32, dim)
		for j := range s.pop[i] {
			s.pop[i][j] = float32(rng.NormFloat64())
		}
	}
	s.rng = newSource(rng)
	return s, nil
}

// Ask returns the current population.
func (s *Simple) Ask() [][]float32 { return s.pop }

// Tell selects the parents by fitness and breeds the next population.
func (s *Simple) Tell(fitness []float64) {
	if len(fitness) != len(s.pop) {
		panic(fmt.Sprintf("es simple: %d fitness values for %d candidates", len(fitness), len(s.pop)))
	}
	rank := Ranking(fitness)
	next := make([][]float32, len(s.pop))
	for i, r := range rank[:s.Parents] {
		next[i] = s.pop[r]
	}
	for i := s.Parents; i < len(next); i++ {
		parent := next[(i-s.Parents)%s.Parents]
		child := make([]float32, len(parent))
		for j, v := range parent {
			child[j] = v + float32(s.Sigma*s.rng.NormFloat64())
		}
		next[i] = child
	}
	// The elite now sits at index 0 of the new population; remember its
	// fitness from the generation that selected it.
	s.bestTheta = next[0]
	s.bestFit = fitness[rank[0]]
	s.pop = next
	s.gen++
}

// Best returns the best candidate of the last generation told.
func (s *Simple) Best() ([]float32, float64) { return s.bestTheta, s.bestFit }

// Center returns the elite, the simple ES's only estimate of the optimum.
func (s *Simple) Center() []float32 {
	if s.bestTheta == nil {
		return s.pop[0]
	}
	return s.bestTheta
}

// Generation returns how many generations have been told.
func (s *Simple) Generation() int { return s.gen }

// StepSize returns the mutation sigma, which the simple ES keeps fixed.
func (s *Simple) StepSize() float64 { return s.Sigma }

// simpleState is the serialised state of Simple.
type simpleState struct {
	Sigma     float64
	Parents   int
	Pop       [][]float32
	BestTheta []float32
	BestFit   float64
	Gen       int
	RNG       []byte
}

// MarshalBinary saves the complete state, generator included.
func (s *Simple) MarshalBinary() ([]byte, error) {
	rng, err := s.rng.marshal()
	if err != nil {
		return nil, err
	}
	return encodeState("simple", simpleState{Sigma: s.Sigma, Parents: s.Parents, Pop: s.pop,
		BestTheta: s.bestTheta, BestFit: s.bestFit, Gen: s.gen, RNG: rng})
}

// UnmarshalBinary restores a state saved by MarshalBinary into a strategy
// made by NewSimple with the same dimension and population.
func (s *Simple) UnmarshalBinary(b []byte) error {
	var st simpleState
	if err := decodeState(b, "simple", &st); err != nil {
		return err
	}
	d := len(s.pop[0])
	errs := []error{checkLen("simple", "population", len(st.Pop), len(s.pop))}
	for _, p := range st.Pop {
		errs = append(errs, checkLen("simple", "candidate", len(p), d))
	}
	if st.BestTheta != nil {
		errs = append(errs, checkLen("simple", "best", len(st.BestTheta), d))
	}
	if st.Parents < 1 || st.Parents >= len(st.Pop) {
		errs = append(errs, fmt.Errorf("es simple: state keeps %d parents of %d", st.Parents, len(st.Pop)))
	}
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	var rng source
	if err := rng.unmarshal(st.RNG); err != nil {
		return fmt.Errorf("es simple: %w", err)
	}
	s.Sigma, s.Parents, s.pop, s.bestTheta, s.bestFit, s.gen, s.rng = st.Sigma, st.Parents, st.Pop, st.BestTheta, st.BestFit, st.Gen, rng
	return nil
}
