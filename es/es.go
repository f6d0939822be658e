// Package es holds evolution strategies over flat float32 genotypes behind one
// ask/tell interface, and a parallel evaluator whose results never depend on
// how many workers ran it.
package es

import (
	"encoding"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// Strategy is an evolution strategy in ask/tell form: Ask returns the
// generation's candidates, Tell takes their fitness (larger is better) in the
// same order and moves the search on.
type Strategy interface {
	// Ask returns the candidates of the current generation. The slices belong
	// to the strategy and stay valid until Tell.
	Ask() [][]float32
	// Tell reports the fitness of every candidate of the last Ask.
	Tell(fitness []float64)
	// Best returns the best candidate of the last generation told and its
	// fitness.
	Best() ([]float32, float64)
	// Center returns the strategy's current estimate of the optimum: the mean
	// of its search distribution, or its elite for the simple ES.
	Center() []float32
	// Generation returns how many generations have been told.
	Generation() int
	// StepSize returns the current mutation scale: sigma.
	StepSize() float64
	// MarshalBinary saves the strategy's complete state, its generator
	// included, between a Tell and the next Ask; UnmarshalBinary restores
	// it into a strategy built with the same Config and dimension, which then
	// continues exactly as the saved one would have.
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

// Names lists the strategies New knows.
var Names = []string{"simple", "openai", "cmaes", "sepcmaes"}

// Config selects a strategy and its settings; zero fields take the
// strategy's defaults (see Defaults).
type Config struct {
	Name    string  `json:"name"`
	PopSize int     `json:"popsize"`
	Sigma   float64 `json:"sigma"`
	// Parents is the simple ES's number of elite parents.
	Parents int `json:"parents,omitempty"`
	// LR and WeightDecay are OpenAI-ES's Adam step size and weight decay.
	LR          float64 `json:"lr,omitempty"`
	WeightDecay float64 `json:"wd,omitempty"`
	// Restarts is how many IPOP restarts CMA-ES may make.
	Restarts int `json:"restarts,omitempty"`
}

// Defaults returns c with every zero setting replaced by the default of its
// strategy for genotypes of length dim: the seed paper's for simple
// (population 10, sigma 0.01, 2 parents); Hansen's population
// 4 + floor(3 ln dim) and sigma 1 for CMA-ES; population 40, sigma 1 and
// Adam step 0.1 for OpenAI-ES. Rule genotypes start at zero, and entries of
// order 1 to 10 are what moves weights of order 1 within a 100-sample
// lifetime at eta 0.01, hence the large sigmas.
func Defaults(c Config, dim int) Config {
	set := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	setf := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	switch c.Name {
	case "simple":
		set(&c.PopSize, 10)
		setf(&c.Sigma, 0.01)
		set(&c.Parents, 2)
	case "openai":
		set(&c.PopSize, 40)
		setf(&c.Sigma, 1)
		setf(&c.LR, 0.1)
	case "cmaes", "sepcmaes":
		set(&c.PopSize, DefaultCMAParams(dim, 0, c.Name == "sepcmaes").PopSize)
		setf(&c.Sigma, 1)
	}
	return c
}

// New builds the strategy c names for genotypes of length dim, with default
// settings where c leaves them zero, drawing its randomness from rng.
func New(c Config, dim int, rng *rand.Rand) (Strategy, error) {
	c = Defaults(c, dim)
	switch c.Name {
	case "simple":
		return NewSimple(dim, c.PopSize, c.Sigma, c.Parents, rng)
	case "openai":
		return NewOpenAI(dim, OpenAIOptions{PopSize: c.PopSize, Sigma: c.Sigma, LR: c.LR, WeightDecay: c.WeightDecay}, rng)
	case "cmaes", "sepcmaes":
		return NewCMAES(dim, CMAOptions{PopSize: c.PopSize, Sigma: c.Sigma, Separable: c.Name == "sepcmaes", Restarts: c.Restarts}, rng)
	}
	return nil, fmt.Errorf("unknown evolution strategy %q (want one of %v)", c.Name, Names)
}

// Evaluate calls fitness(worker, i) for every candidate i in 0..n-1 on the
// given number of goroutines (all cores when workers < 1) and returns the
// results in candidate order. worker is in 0..workers-1 and lets each
// goroutine use its own scratch space; what fitness computes must not depend
// on it, so the results are the same for any worker count.
func Evaluate(workers, n int, fitness func(worker, i int) float64) []float64 {
	out := make([]float64, n)
	ForEach(workers, n, func(w, i int) { out[i] = fitness(w, i) })
	return out
}

// Workers returns the number of goroutines ForEach uses for a request of w:
// all cores when w < 1.
func Workers(w int) int {
	if w < 1 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// ForEach calls fn(worker, i) for every i in 0..n-1 on Workers(workers)
// goroutines; worker identifies the goroutine (0..Workers-1) so each can keep
// its own scratch space.
func ForEach(workers, n int, fn func(worker, i int)) {
	workers = min(Workers(workers), n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(w, i)
			}
		}()
	}
	wg.Wait()
}

// Ranking returns candidate indices from best to worst fitness; equal
// fitness ranks the lower index first, and NaN ranks last, so the order is a
// pure function of the fitness values.
func Ranking(fitness []float64) []int {
	idx := make([]int, len(fitness))
	for i := range idx {
		idx[i] = i
	}
	better := func(a, b int) bool {
		fa, fb := fitness[a], fitness[b]
		na, nb := fa != fa, fb != fb
		switch {
		case na != nb:
			return nb
		case !na && fa != fb:
			return fa > fb
		}
		return a < b
	}
	// Insertion sort: populations are small and the order must be stable.
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && better(idx[j], idx[j-1]); j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	return idx
}
