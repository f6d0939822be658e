package es

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// CMAParams are the constants of CMA-ES. DefaultCMAParams gives the values of
// Hansen's tutorial ("The CMA Evolution Strategy: A Tutorial", 2016, table 1);
// they are exported so a caller can study other settings, and are saved with
// the strategy's state.
type CMAParams struct {
	// PopSize is lambda, Mu the number of parents recombined, Weights their
	// positive recombination weights (summing to 1, best first), MuEff the
	// variance-effective selection mass 1/sum(w^2).
	PopSize int
	Mu      int
	Weights []float64
	MuEff   float64
	// Cs and Ds are the learning rate and damping of cumulative step-size
	// adaptation; Cc the learning rate of the evolution path of the
	// covariance; C1 and Cmu the rank-one and rank-mu learning rates.
	Cs, Ds, Cc, C1, Cmu float64
	// EigenGap is how many generations pass between two eigendecompositions
	// of the covariance (full CMA-ES only).
	EigenGap int
}

// DefaultCMAParams returns the tutorial's constants for dimension dim and
// population popsize (0: 4 + floor(3 ln dim)). The separable variant
// (Ros and Hansen 2008) learns only the diagonal and may do so
// (dim+2)/3 times faster.
func DefaultCMAParams(dim, popsize int, separable bool) CMAParams {
	n := float64(dim)
	if popsize <= 0 {
		popsize = 4 + int(math.Floor(3*math.Log(n)))
	}
	mu := popsize / 2
	w := make([]float64, mu)
	var sum float64
	for i := range w {
		w[i] = math.Log(float64(popsize+1)/2) - math.Log(float64(i+1))
		sum += w[i]
	}
	var sq float64
	for i := range w {
		w[i] /= sum
		sq += w[i] * w[i]
	}
	mueff := 1 / sq
	p := CMAParams{PopSize: popsize, Mu: mu, Weights: w, MuEff: mueff}
	p.Cs = (mueff + 2) / (n + mueff + 5)
	p.Ds = 1 + 2*math.Max(0, math.Sqrt((mueff-1)/(n+1))-1) + p.Cs
	p.Cc = (4 + mueff/n) / (n + 4 + 2*mueff/n)
	const alphaCov = 2
	p.C1 = alphaCov / ((n+1.3)*(n+1.3) + mueff)
	p.Cmu = math.Min(1-p.C1, alphaCov*(mueff-2+1/mueff)/((n+2)*(n+2)+alphaCov*mueff/2))
	if separable {
		f := (n + 2) / 3
		p.C1 = math.Min(1, p.C1*f)
		p.Cmu = math.Min(1-p.C1, p.Cmu*f)
	}
	// The tutorial refreshes B and D every 1/(10 n (c1+cmu)) generations to
	// keep the cost O(n^2) per generation; pycma waits 0.5/(n (c1+cmu)),
	// which at n = 304 is 15 generations instead of 3, and the search does
	// not notice: the covariance moves by a share c1+cmu per generation.
	p.EigenGap = max(1, int(math.Floor(0.5/(n*(p.C1+p.Cmu)))))
	return p
}

// CMAOptions configure NewCMAES.
type CMAOptions struct {
	// PopSize is lambda (0: 4 + floor(3 ln dim)).
	PopSize int
	// Sigma is the initial step size (must be positive).
	Sigma float64
	// Mean is the initial mean (nil: zeros).
	Mean []float64
	// Separable selects sep-CMA-ES: a diagonal covariance, O(dim) per
	// sample instead of O(dim^2), for large genotypes.
	Separable bool
	// Restarts is how many IPOP restarts (Auger and Hansen 2005) may follow
	// a stagnated run, each with twice the population; 0 never restarts.
	Restarts int
}

// CMAES is the covariance matrix adaptation evolution strategy with weighted
// recombination, cumulative step-size adaptation, rank-one and rank-mu
// covariance updates and a lazily refreshed eigendecomposition (Jacobi, this
// package), or its separable variant, with optional IPOP restarts. It
// maximises fitness.
type CMAES struct {
	// The learning rates and EigenGap in Params may be changed before the
	// first Tell (PopSize, Mu and Weights may not); a restart recomputes
	// them for the new population.
	Params CMAParams

	opts  CMAOptions
	dim   int
	chiN  float64
	mean  []float64
	sigma float64
	// cov is the covariance: dim x dim (upper triangle kept) or, separable,
	// its diagonal.
	cov    []float64
	eig    *Eigen
	scale  []float64 // sqrt of the eigenvalues, or of the diagonal
	pc, ps []float64
	// gen counts generations told over all runs, runGen those of the
	// current run (since the last restart), eigenGen the run generation of
	// the last eigendecomposition.
	gen, runGen, eigenGen int
	restarts              int
	// history is the best fitness of each generation of the current run,
	// for the TolFun restart test.
	history []float64

	z   [][]float64 // the current population's standard normal draws
	y   [][]float64 // B D z
	pop [][]float32 // mean + sigma y

	bestTheta []float32
	bestFit   float64
	rng       source
	// tmp is scratch of length dim.
	tmp []float64
}

// NewCMAES returns CMA-ES (or sep-CMA-ES) for genotypes of length dim, drawing
// its own generator's seed from rng.
func NewCMAES(dim int, o CMAOptions, rng *rand.Rand) (*CMAES, error) {
	name := "cmaes"
	if o.Separable {
		name = "sepcmaes"
	}
	switch {
	case dim < 2:
		return nil, fmt.Errorf("es %s: need dim >= 2, got %d", name, dim)
	case o.PopSize != 0 && o.PopSize < 4:
		return nil, fmt.Errorf("es %s: population must be at least 4, got %d", name, o.PopSize)
	case !(o.Sigma > 0) || math.IsInf(o.Sigma, 0):
		return nil, fmt.Errorf("es %s: sigma must be positive and finite, got %v", name, o.Sigma)
	case o.Mean != nil && len(o.Mean) != dim:
		return nil, fmt.Errorf("es %s: initial mean of length %d, want %d", name, len(o.Mean), dim)
	case o.Restarts < 0:
		return nil, fmt.Errorf("es %s: restarts must be >= 0, got %d", name, o.Restarts)
	}
	if o.Mean == nil {
		o.Mean = make([]float64, dim)
	}
	o.Mean = append([]float64(nil), o.Mean...)
	n := float64(dim)
	c := &CMAES{opts: o, dim: dim, rng: newSource(rng), tmp: make([]float64, dim),
		chiN: math.Sqrt(n) * (1 - 1/(4*n) + 1/(21*n*n))}
	c.start(o.PopSize, o.Mean)
	c.sample()
	return c, nil
}

// start begins a run from mean with population popsize (0: the default):
// identity covariance, the initial step size, empty paths.
func (c *CMAES) start(popsize int, mean []float64) {
	d := c.dim
	c.Params = DefaultCMAParams(d, popsize, c.opts.Separable)
	c.mean = append(c.mean[:0], mean...)
	c.sigma = c.opts.Sigma
	c.pc, c.ps = make([]float64, d), make([]float64, d)
	c.scale = make([]float64, d)
	for i := range c.scale {
		c.scale[i] = 1
	}
	if c.opts.Separable {
		c.cov = make([]float64, d)
		for i := range c.cov {
			c.cov[i] = 1
		}
	} else {
		c.cov = make([]float64, d*d)
		for i := range d {
			c.cov[i*d+i] = 1
		}
		c.eig = NewEigen(d)
	}
	c.runGen, c.eigenGen = 0, 0
	c.history = c.history[:0]
	lam := c.Params.PopSize
	c.z, c.y, c.pop = make([][]float64, lam), make([][]float64, lam), make([][]float32, lam)
	for k := range lam {
		c.z[k], c.y[k], c.pop[k] = make([]float64, d), make([]float64, d), make([]float32, d)
	}
}

// sample draws the next population's standard normal vectors and expresses
// them.
func (c *CMAES) sample() {
	for _, z := range c.z {
		for i := range z {
			z[i] = c.rng.NormFloat64()
		}
	}
	c.express()
}

// express computes y = B D z and the candidates mean + sigma y from the
// current draws; it is a pure function of the state, so a restored state
// rebuilds the same population bit for bit.
func (c *CMAES) express() {
	for k, z := range c.z {
		y := c.y[k]
		if c.opts.Separable {
			for i := range y {
				y[i] = c.scale[i] * z[i]
			}
		} else {
			clear(y)
			v, d := c.eig.Vectors, c.dim
			for j := range d {
				axpy64(y, c.scale[j]*z[j], v[j*d:(j+1)*d])
			}
		}
		for i, v := range y {
			c.pop[k][i] = float32(c.mean[i] + c.sigma*v)
		}
	}
}

// Ask returns the current population.
func (c *CMAES) Ask() [][]float32 { return c.pop }

// Tell ranks the population by fitness (larger is better, ties to the lower
// index, NaN last) and updates mean, paths, covariance and step size.
func (c *CMAES) Tell(fitness []float64) {
	p := c.Params
	if len(fitness) != len(c.pop) {
		panic(fmt.Sprintf("es cmaes: %d fitness values for %d candidates", len(fitness), len(c.pop)))
	}
	d := c.dim
	n := float64(d)
	rank := Ranking(fitness)
	c.bestTheta = append(c.bestTheta[:0], c.pop[rank[0]]...)
	c.bestFit = fitness[rank[0]]

	yw, zw := make([]float64, d), make([]float64, d)
	for i, w := range p.Weights {
		axpy64(yw, w, c.y[rank[i]])
		axpy64(zw, w, c.z[rank[i]])
	}
	for i := range c.mean {
		c.mean[i] += c.sigma * yw[i]
	}
	// C^(-1/2) yw = B zw, since yw = B D zw.
	cinv := c.tmp
	if c.opts.Separable {
		copy(cinv, zw)
	} else {
		clear(cinv)
		v := c.eig.Vectors
		for j := range d {
			axpy64(cinv, zw[j], v[j*d:(j+1)*d])
		}
	}
	csn := math.Sqrt(p.Cs * (2 - p.Cs) * p.MuEff)
	for i := range c.ps {
		c.ps[i] = (1-p.Cs)*c.ps[i] + csn*cinv[i]
	}
	psNorm := math.Sqrt(dot64(c.ps, c.ps))
	c.runGen++
	hsig := 0.0
	if psNorm/math.Sqrt(1-math.Pow(1-p.Cs, float64(2*c.runGen))) < (1.4+2/(n+1))*c.chiN {
		hsig = 1
	}
	ccn := hsig * math.Sqrt(p.Cc*(2-p.Cc)*p.MuEff)
	for i := range c.pc {
		c.pc[i] = (1-p.Cc)*c.pc[i] + ccn*yw[i]
	}
	delta := (1 - hsig) * p.Cc * (2 - p.Cc)
	keep := 1 + p.C1*delta - p.C1 - p.Cmu
	if c.opts.Separable {
		for i := range c.cov {
			s := 0.0
			for k, w := range p.Weights {
				y := c.y[rank[k]][i]
				s += w * y * y
			}
			c.cov[i] = keep*c.cov[i] + p.C1*c.pc[i]*c.pc[i] + p.Cmu*s
		}
	} else {
		c.updateCovariance(rank, keep)
	}
	// Clamp the exponent so one wild generation cannot blow sigma up by
	// more than a factor e.
	c.sigma *= math.Exp(math.Min(1, p.Cs/p.Ds*(psNorm/c.chiN-1)))
	c.gen++
	c.history = append(c.history, c.bestFit)
	if span := c.historySpan(); len(c.history) > span {
		c.history = append(c.history[:0], c.history[len(c.history)-span:]...)
	}

	if c.restarts < c.opts.Restarts && c.stagnated(fitness) {
		c.restarts++
		mean := make([]float64, d)
		for i := range mean {
			mean[i] = c.opts.Mean[i] + c.opts.Sigma*c.rng.NormFloat64()
		}
		c.start(2*p.PopSize, mean)
	} else if !c.opts.Separable && c.runGen-c.eigenGen >= p.EigenGap {
		c.refresh()
	}
	if c.opts.Separable {
		for i, v := range c.cov {
			c.scale[i] = math.Sqrt(math.Max(v, 0))
		}
	}
	c.sample()
}

// updateCovariance applies the rank-one and rank-mu updates to the upper
// triangle of the full covariance.
func (c *CMAES) updateCovariance(rank []int, keep float64) {
	p, d := c.Params, c.dim
	for i := range d {
		row := c.cov[i*d : (i+1)*d]
		for j := i; j < d; j++ {
			row[j] = keep*row[j] + p.C1*c.pc[i]*c.pc[j]
		}
		for k, w := range p.Weights {
			y := c.y[rank[k]]
			axpy64(row[i:], p.Cmu*w*y[i], y[i:])
		}
	}
}

// refresh recomputes B and D from the covariance, starting the Jacobi
// rotations from the previous basis.
func (c *CMAES) refresh() {
	d := c.dim
	for i := range d {
		for j := 0; j < i; j++ {
			c.cov[i*d+j] = c.cov[j*d+i]
		}
	}
	if err := c.eig.Decompose(c.cov, true); err != nil {
		// Only NaN or Inf in the covariance gets here: it comes from
		// NaN fitness everywhere or an overflowing sigma. Keep the old
		// basis; the run is lost, but the process is not.
		return
	}
	for i, v := range c.eig.Values {
		c.scale[i] = math.Sqrt(math.Max(v, 0))
	}
	c.eigenGen = c.runGen
}

// stagnated applies the restart tests of IPOP-CMA-ES: the step has become
// negligible (TolX), the covariance ill-conditioned (ConditionCov), or the
// fitness flat over the recent generations and the population (TolFun).
func (c *CMAES) stagnated(fitness []float64) bool {
	d := c.dim
	var maxStd float64
	for i := range d {
		ci := c.cov[i]
		if !c.opts.Separable {
			ci = c.cov[i*d+i]
		}
		maxStd = math.Max(maxStd, math.Max(math.Abs(c.pc[i]), math.Sqrt(ci)))
	}
	if c.sigma*maxStd < 1e-12*c.opts.Sigma {
		return true
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range c.scale {
		lo, hi = math.Min(lo, s), math.Max(hi, s)
	}
	if hi*hi > 1e14*lo*lo {
		return true
	}
	span := c.historySpan()
	if len(c.history) < span {
		return false
	}
	flo, fhi := math.Inf(1), math.Inf(-1)
	for _, fs := range [][]float64{c.history[len(c.history)-span:], fitness} {
		for _, f := range fs {
			flo, fhi = math.Min(flo, f), math.Max(fhi, f)
		}
	}
	return fhi-flo < 1e-12
}

// historySpan is how many generations of best fitness TolFun looks back.
func (c *CMAES) historySpan() int {
	return 10 + int(math.Ceil(30*float64(c.dim)/float64(c.Params.PopSize)))
}

// Best returns the best candidate of the last generation told.
func (c *CMAES) Best() ([]float32, float64) { return c.bestTheta, c.bestFit }

// Center returns the mean of the search distribution.
func (c *CMAES) Center() []float32 {
	out := make([]float32, c.dim)
	for i, v := range c.mean {
		out[i] = float32(v)
	}
	return out
}

// Generation returns how many generations have been told, over all restarts.
func (c *CMAES) Generation() int { return c.gen }

// StepSize returns sigma.
func (c *CMAES) StepSize() float64 { return c.sigma }

// Restarts returns how many IPOP restarts have happened.
func (c *CMAES) Restarts() int { return c.restarts }

func (c *CMAES) kind() string {
	if c.opts.Separable {
		return "sepcmaes"
	}
	return "cmaes"
}

// cmaState is the serialised state of CMAES.
type cmaState struct {
	Params                   CMAParams
	Opts                     CMAOptions
	Dim                      int
	Mean, Cov, Scale, Pc, Ps []float64
	Sigma                    float64
	EigValues, EigVectors    []float64
	Gen, RunGen, EigenGen    int
	Restarts                 int
	History                  []float64
	Z                        [][]float64
	BestTheta                []float32
	BestFit                  float64
	RNG                      []byte
}

// MarshalBinary saves the complete state, generator included.
func (c *CMAES) MarshalBinary() ([]byte, error) {
	rng, err := c.rng.marshal()
	if err != nil {
		return nil, err
	}
	s := cmaState{Params: c.Params, Opts: c.opts, Dim: c.dim, Mean: c.mean, Cov: c.cov, Scale: c.scale,
		Pc: c.pc, Ps: c.ps, Sigma: c.sigma, Gen: c.gen, RunGen: c.runGen, EigenGen: c.eigenGen,
		Restarts: c.restarts, History: c.history, Z: c.z, BestTheta: c.bestTheta, BestFit: c.bestFit, RNG: rng}
	if c.eig != nil {
		s.EigValues, s.EigVectors = c.eig.Values, c.eig.Vectors
	}
	return encodeState(c.kind(), s)
}

// UnmarshalBinary restores a state saved by MarshalBinary into a strategy
// made by NewCMAES with the same dimension and variant.
func (c *CMAES) UnmarshalBinary(b []byte) error {
	var s cmaState
	kind := c.kind()
	if err := decodeState(b, kind, &s); err != nil {
		return err
	}
	d := c.dim
	covLen := d * d
	if s.Opts.Separable {
		covLen = d
	}
	lam := s.Params.PopSize
	errs := []error{
		checkLen(kind, "dim", s.Dim, d),
		checkLen(kind, "mean", len(s.Mean), d), checkLen(kind, "cov", len(s.Cov), covLen),
		checkLen(kind, "scale", len(s.Scale), d), checkLen(kind, "pc", len(s.Pc), d), checkLen(kind, "ps", len(s.Ps), d),
		checkLen(kind, "weights", len(s.Params.Weights), s.Params.Mu), checkLen(kind, "population", len(s.Z), lam),
		checkLen(kind, "initial mean", len(s.Opts.Mean), d),
	}
	if s.Params.Mu < 1 || s.Params.Mu > lam {
		errs = append(errs, fmt.Errorf("es %s: state has mu %d for population %d", kind, s.Params.Mu, lam))
	}
	if s.Opts.Separable != c.opts.Separable {
		errs = append(errs, fmt.Errorf("es %s: state of the other CMA-ES variant", kind))
	}
	if !s.Opts.Separable {
		errs = append(errs, checkLen(kind, "eigenvalues", len(s.EigValues), d), checkLen(kind, "eigenvectors", len(s.EigVectors), d*d))
	}
	for _, z := range s.Z {
		errs = append(errs, checkLen(kind, "draw", len(z), d))
	}
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	var rng source
	if err := rng.unmarshal(s.RNG); err != nil {
		return fmt.Errorf("es %s: %w", kind, err)
	}
	c.opts = s.Opts
	c.start(lam, s.Mean)
	c.Params = s.Params
	c.cov, c.scale, c.pc, c.ps, c.sigma = s.Cov, s.Scale, s.Pc, s.Ps, s.Sigma
	if c.eig != nil {
		copy(c.eig.Values, s.EigValues)
		copy(c.eig.Vectors, s.EigVectors)
	}
	c.gen, c.runGen, c.eigenGen, c.restarts = s.Gen, s.RunGen, s.EigenGen, s.Restarts
	c.history = s.History
	c.z = s.Z
	c.bestTheta, c.bestFit = s.BestTheta, s.BestFit
	c.rng = rng
	c.express()
	return nil
}

func axpy64(dst []float64, a float64, x []float64) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += a * x[i]
	}
}
