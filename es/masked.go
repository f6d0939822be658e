package es

import (
	"fmt"
	"slices"
)

// Masked searches only some coordinates of a genotype: an inner strategy
// works on the free coordinates alone, and Masked expresses its candidates,
// best and centre as full genotypes whose other coordinates are exactly zero.
// Rule tables held fixed (experiment's Freeze) are such coordinates; leaving
// them out of the search spares the strategy dimensions that cannot help, and
// its step sizes, covariance and Adam moments never see them.
type Masked struct {
	inner Strategy
	dim   int
	free  []int
	pop   [][]float32
}

// NewMasked wraps inner, a strategy over len(free) coordinates, into one over
// genotypes of length dim in which coordinate free[k] is inner's coordinate k
// and every coordinate not in free is zero. free must be strictly increasing
// indices in 0..dim-1.
func NewMasked(inner Strategy, dim int, free []int) (*Masked, error) {
	if len(free) == 0 {
		return nil, fmt.Errorf("es: no free coordinate to search")
	}
	for k, i := range free {
		if i < 0 || i >= dim || (k > 0 && i <= free[k-1]) {
			return nil, fmt.Errorf("es: free coordinates must increase strictly within 0..%d, got %v", dim-1, free)
		}
	}
	if got := len(inner.Center()); got != len(free) {
		return nil, fmt.Errorf("es: inner strategy searches %d coordinates, %d are free", got, len(free))
	}
	return &Masked{inner: inner, dim: dim, free: slices.Clone(free)}, nil
}

// expand writes the free coordinates x into a full genotype (dst, reused when
// long enough) and returns it.
func (m *Masked) expand(dst, x []float32) []float32 {
	if cap(dst) < m.dim {
		dst = make([]float32, m.dim)
	}
	dst = dst[:m.dim]
	clear(dst)
	for k, i := range m.free {
		dst[i] = x[k]
	}
	return dst
}

// Ask returns the inner strategy's candidates as full genotypes. The slices
// belong to Masked and stay valid until Tell.
func (m *Masked) Ask() [][]float32 {
	in := m.inner.Ask()
	// IPOP restarts change the population size.
	for len(m.pop) < len(in) {
		m.pop = append(m.pop, nil)
	}
	m.pop = m.pop[:len(in)]
	for i, x := range in {
		m.pop[i] = m.expand(m.pop[i], x)
	}
	return m.pop
}

// Tell passes the fitness on to the inner strategy.
func (m *Masked) Tell(fitness []float64) { m.inner.Tell(fitness) }

// Best returns the inner strategy's best candidate as a full genotype (nil
// before the first Tell).
func (m *Masked) Best() ([]float32, float64) {
	b, f := m.inner.Best()
	if b == nil {
		return nil, f
	}
	return m.expand(nil, b), f
}

// Center returns the inner strategy's centre as a full genotype.
func (m *Masked) Center() []float32 { return m.expand(nil, m.inner.Center()) }

// Generation returns how many generations have been told.
func (m *Masked) Generation() int { return m.inner.Generation() }

// StepSize returns the inner strategy's step size.
func (m *Masked) StepSize() float64 { return m.inner.StepSize() }

// MarshalBinary saves the inner strategy's state: the mask itself is part of
// the configuration the strategy is rebuilt from.
func (m *Masked) MarshalBinary() ([]byte, error) { return m.inner.MarshalBinary() }

// UnmarshalBinary restores a state saved by MarshalBinary into a Masked
// built with the same inner configuration and mask.
func (m *Masked) UnmarshalBinary(b []byte) error { return m.inner.UnmarshalBinary(b) }
