package es

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// OpenAIOptions configure NewOpenAI.
type OpenAIOptions struct {
	// PopSize is the number of candidates, an even number: PopSize/2
	// mirrored pairs.
	PopSize int
	// Sigma is the fixed standard deviation of the perturbations.
	Sigma float64
	// LR is Adam's step size.
	LR float64
	// WeightDecay pulls the mean towards zero: the ascent direction is the
	// gradient estimate minus WeightDecay times the mean.
	WeightDecay float64
	// Mean is the initial mean (nil: zeros).
	Mean []float64
}

// Adam's constants, as Kingma and Ba and Salimans et al. use them.
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// OpenAI is the evolution strategy of Salimans et al. (2017): mirrored
// Gaussian perturbations of one mean, fitness replaced by centred ranks, the
// resulting gradient estimate followed by Adam, with weight decay. It
// maximises fitness.
type OpenAI struct {
	opts OpenAIOptions
	dim  int
	mean []float64
	// Adam's moment estimates and step count.
	m, v  []float64
	steps int
	gen   int

	eps [][]float64 // PopSize/2 perturbation directions
	pop [][]float32 // mean + sigma eps_i, mean - sigma eps_i, interleaved

	bestTheta []float32
	bestFit   float64
	rng       source
}

// NewOpenAI returns OpenAI-ES for genotypes of length dim, drawing its own
// generator's seed from rng.
func NewOpenAI(dim int, o OpenAIOptions, rng *rand.Rand) (*OpenAI, error) {
	switch {
	case dim < 1:
		return nil, fmt.Errorf("es openai: need dim >= 1, got %d", dim)
	case o.PopSize < 2 || o.PopSize%2 != 0:
		return nil, fmt.Errorf("es openai: population must be even and at least 2 (mirrored pairs), got %d", o.PopSize)
	case !(o.Sigma > 0) || math.IsInf(o.Sigma, 0):
		return nil, fmt.Errorf("es openai: sigma must be positive and finite, got %v", o.Sigma)
	case !(o.LR > 0) || math.IsInf(o.LR, 0):
		return nil, fmt.Errorf("es openai: learning rate must be positive and finite, got %v", o.LR)
	case !(o.WeightDecay >= 0) || math.IsInf(o.WeightDecay, 0):
		return nil, fmt.Errorf("es openai: weight decay must be >= 0 and finite, got %v", o.WeightDecay)
	case o.Mean != nil && len(o.Mean) != dim:
		return nil, fmt.Errorf("es openai: initial mean of length %d, want %d", len(o.Mean), dim)
	}
	s := &OpenAI{opts: o, dim: dim, rng: newSource(rng),
		mean: make([]float64, dim), m: make([]float64, dim), v: make([]float64, dim)}
	if o.Mean != nil {
		copy(s.mean, o.Mean)
	}
	s.opts.Mean = nil
	s.eps = make([][]float64, o.PopSize/2)
	for i := range s.eps {
		s.eps[i] = make([]float64, dim)
	}
	s.pop = make([][]float32, o.PopSize)
	for i := range s.pop {
		s.pop[i] = make([]float32, dim)
	}
	s.sample()
	return s, nil
}

func (s *OpenAI) sample() {
	for _, e := range s.eps {
		for i := range e {
			e[i] = s.rng.NormFloat64()
		}
	}
	s.express()
}

// express builds the candidates from the mean and the draws.
func (s *OpenAI) express() {
	sg := s.opts.Sigma
	for k, e := range s.eps {
		plus, minus := s.pop[2*k], s.pop[2*k+1]
		for i, v := range e {
			plus[i] = float32(s.mean[i] + sg*v)
			minus[i] = float32(s.mean[i] - sg*v)
		}
	}
}

// Ask returns the current population: pairs mean + sigma eps, mean - sigma eps.
func (s *OpenAI) Ask() [][]float32 { return s.pop }

// Tell shapes fitness to centred ranks, estimates the gradient from the
// mirrored pairs and takes one Adam step on the mean.
func (s *OpenAI) Tell(fitness []float64) {
	if len(fitness) != len(s.pop) {
		panic(fmt.Sprintf("es openai: %d fitness values for %d candidates", len(fitness), len(s.pop)))
	}
	rank := Ranking(fitness)
	s.bestTheta = append(s.bestTheta[:0], s.pop[rank[0]]...)
	s.bestFit = fitness[rank[0]]
	u := CentredRanks(fitness)
	g := make([]float64, s.dim)
	scale := 1 / (float64(len(fitness)) * s.opts.Sigma)
	for k, e := range s.eps {
		axpy64(g, scale*(u[2*k]-u[2*k+1]), e)
	}
	s.steps++
	lr := s.opts.LR * math.Sqrt(1-math.Pow(adamBeta2, float64(s.steps))) / (1 - math.Pow(adamBeta1, float64(s.steps)))
	for i := range s.mean {
		gi := g[i] - s.opts.WeightDecay*s.mean[i]
		s.m[i] = adamBeta1*s.m[i] + (1-adamBeta1)*gi
		s.v[i] = adamBeta2*s.v[i] + (1-adamBeta2)*gi*gi
		s.mean[i] += lr * s.m[i] / (math.Sqrt(s.v[i]) + adamEps)
	}
	s.gen++
	s.sample()
}

// CentredRanks maps fitness to utilities in [-0.5, 0.5]: the worst candidate
// gets -0.5, the best 0.5, linearly in rank between. Candidates of equal
// fitness share the mean of their ranks, so a tie (common when fitness is an
// accuracy over a small batch) moves nothing; NaN ranks below everything.
func CentredRanks(fitness []float64) []float64 {
	n := len(fitness)
	u := make([]float64, n)
	if n < 2 {
		return u
	}
	rank := Ranking(fitness)
	for i := 0; i < n; {
		j := i + 1
		for j < n && sameFitness(fitness[rank[i]], fitness[rank[j]]) {
			j++
		}
		// Positions i..j-1 from the best; rank from the worst is n-1-pos.
		r := float64(n-1) - float64(i+j-1)/2
		for _, k := range rank[i:j] {
			u[k] = r/float64(n-1) - 0.5
		}
		i = j
	}
	return u
}

func sameFitness(a, b float64) bool {
	return a == b || (math.IsNaN(a) && math.IsNaN(b))
}

// Best returns the best candidate of the last generation told.
func (s *OpenAI) Best() ([]float32, float64) { return s.bestTheta, s.bestFit }

// Center returns the mean.
func (s *OpenAI) Center() []float32 {
	out := make([]float32, s.dim)
	for i, v := range s.mean {
		out[i] = float32(v)
	}
	return out
}

// Generation returns how many generations have been told.
func (s *OpenAI) Generation() int { return s.gen }

// StepSize returns sigma, which OpenAI-ES keeps fixed.
func (s *OpenAI) StepSize() float64 { return s.opts.Sigma }

// openaiState is the serialised state of OpenAI.
type openaiState struct {
	Opts       OpenAIOptions
	Dim        int
	Mean, M, V []float64
	Steps, Gen int
	Eps        [][]float64
	BestTheta  []float32
	BestFit    float64
	RNG        []byte
}

// MarshalBinary saves the complete state, generator included.
func (s *OpenAI) MarshalBinary() ([]byte, error) {
	rng, err := s.rng.marshal()
	if err != nil {
		return nil, err
	}
	return encodeState("openai", openaiState{Opts: s.opts, Dim: s.dim, Mean: s.mean, M: s.m, V: s.v,
		Steps: s.steps, Gen: s.gen, Eps: s.eps, BestTheta: s.bestTheta, BestFit: s.bestFit, RNG: rng})
}

// UnmarshalBinary restores a state saved by MarshalBinary into a strategy
// made by NewOpenAI with the same dimension and population.
func (s *OpenAI) UnmarshalBinary(b []byte) error {
	var st openaiState
	if err := decodeState(b, "openai", &st); err != nil {
		return err
	}
	d := s.dim
	errs := []error{checkLen("openai", "dim", st.Dim, d), checkLen("openai", "mean", len(st.Mean), d),
		checkLen("openai", "m", len(st.M), d), checkLen("openai", "v", len(st.V), d),
		checkLen("openai", "pairs", len(st.Eps), len(s.eps))}
	for _, e := range st.Eps {
		errs = append(errs, checkLen("openai", "draw", len(e), d))
	}
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	var rng source
	if err := rng.unmarshal(st.RNG); err != nil {
		return fmt.Errorf("es openai: %w", err)
	}
	s.opts = st.Opts
	s.mean, s.m, s.v, s.steps, s.gen, s.eps = st.Mean, st.M, st.V, st.Steps, st.Gen, st.Eps
	s.bestTheta, s.bestFit, s.rng = st.BestTheta, st.BestFit, rng
	s.express()
	return nil
}
