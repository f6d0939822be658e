package es

import (
	"fmt"
	"math"
)

// maxJacobiSweeps bounds the Jacobi iteration. Cyclic Jacobi converges
// quadratically once the off-diagonal part is small; a symmetric matrix of
// any size this package meets needs well under 20 sweeps, so reaching the
// bound means the input held NaN or Inf.
const maxJacobiSweeps = 60

// Eigen holds the workspace of a symmetric eigendecomposition of order N by
// cyclic Jacobi rotations, and its last result: the eigenvalues Values and the
// eigenvectors as the rows of Vectors (row k, Vectors[k*N:(k+1)*N], belongs to
// Values[k]), so that A = sum_k Values[k] v_k v_k^T.
type Eigen struct {
	N       int
	Values  []float64
	Vectors []float64
	// Sweeps is how many Jacobi sweeps the last decomposition took.
	Sweeps int

	a, t []float64
}

// NewEigen returns the workspace for matrices of order n, with the identity
// as the current eigenbasis.
func NewEigen(n int) *Eigen {
	e := &Eigen{N: n, Values: make([]float64, n), Vectors: make([]float64, n*n),
		a: make([]float64, n*n), t: make([]float64, n*n)}
	for i := range n {
		e.Vectors[i*n+i] = 1
	}
	return e
}

// Decompose computes the eigendecomposition of the symmetric n x n row-major
// matrix a, which it does not modify (only its upper triangle is read). With
// warm set, the rotations start from the current eigenbasis: they diagonalise
// V a V^T, which is nearly diagonal when a differs little from the matrix of
// the last decomposition, so one or two sweeps suffice where a cold start
// needs six to ten. The result is the same decomposition up to rounding.
func (e *Eigen) Decompose(a []float64, warm bool) error {
	n := e.N
	if len(a) != n*n {
		return fmt.Errorf("es: eigendecomposition of %d entries, want %d x %d", len(a), n, n)
	}
	m, v := e.a, e.Vectors
	if warm {
		e.rotateInto(a)
	} else {
		for i := range n {
			for j := i; j < n; j++ {
				m[i*n+j], m[j*n+i] = a[i*n+j], a[i*n+j]
			}
		}
		clear(v)
		for i := range n {
			v[i*n+i] = 1
		}
	}
	sweeps, err := jacobi(m, v, n)
	e.Sweeps = sweeps
	for i := range n {
		e.Values[i] = m[i*n+i]
	}
	return err
}

// rotateInto sets the workspace matrix to V a V^T for the current basis V
// (rows are the eigenvectors), using only contiguous row products.
func (e *Eigen) rotateInto(a []float64) {
	n := e.N
	v, t, m := e.Vectors, e.t, e.a
	// a is symmetric, so (V a)[k][i] = sum_j V[k][j] a[i][j]; read the upper
	// triangle only by mirroring it into m first.
	for i := range n {
		for j := i; j < n; j++ {
			m[i*n+j], m[j*n+i] = a[i*n+j], a[i*n+j]
		}
	}
	for k := range n {
		vk := v[k*n : (k+1)*n]
		for i := range n {
			t[k*n+i] = dot64(vk, m[i*n:(i+1)*n])
		}
	}
	// (V a V^T)[k][l] = sum_i V[k][i] (V a)[l][i]
	for k := range n {
		vk := v[k*n : (k+1)*n]
		for l := k; l < n; l++ {
			s := dot64(vk, t[l*n:(l+1)*n])
			m[k*n+l], m[l*n+k] = s, s
		}
	}
}

// jacobi diagonalises the symmetric matrix m in place by cyclic Jacobi
// rotations (Rutishauser's formulation), applying each rotation to the rows of
// v as well. It returns the number of sweeps.
func jacobi(m, v []float64, n int) (int, error) {
	for sweep := range maxJacobiSweeps {
		var off, diag float64
		for i := range n {
			diag += m[i*n+i] * m[i*n+i]
			for j := i + 1; j < n; j++ {
				off += m[i*n+j] * m[i*n+j]
			}
		}
		if math.IsNaN(off) || math.IsInf(off, 0) || math.IsNaN(diag) || math.IsInf(diag, 0) {
			return sweep, fmt.Errorf("es: eigendecomposition of a matrix with NaN or Inf entries")
		}
		// Converged when the off-diagonal mass is at rounding level of the
		// diagonal: the eigenvalues are then exact to a few ulps.
		if off <= 1e-30*diag || off == 0 {
			return sweep, nil
		}
		for p := range n - 1 {
			for q := p + 1; q < n; q++ {
				apq := m[p*n+q]
				app, aqq := m[p*n+p], m[q*n+q]
				// Skip a rotation whose angle is below 1e-13 (or which
				// would not change the diagonal in floating point): it
				// moves the eigenvalues by less than 1e-13 of their gap,
				// and after a warm start most rotations are of that kind.
				if math.Abs(apq) <= 1e-13*math.Abs(aqq-app) || math.Abs(apq) <= 1e-18*math.Sqrt(math.Abs(app*aqq)) {
					m[p*n+q], m[q*n+p] = 0, 0
					continue
				}
				theta := (aqq - app) / (2 * apq)
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				tau := s / (1 + c)
				// Rotate rows p and q whole, mirror them into columns p
				// and q, then set the four entries of the (p,q) block:
				// cheaper than branching on r == p, q in the loops.
				rp, rq := m[p*n:(p+1)*n], m[q*n:(q+1)*n]
				rq = rq[:len(rp)]
				for r := range rp {
					arp, arq := rp[r], rq[r]
					rp[r] = arp - s*(arq+tau*arp)
					rq[r] = arq + s*(arp-tau*arq)
				}
				for r := range n {
					m[r*n+p], m[r*n+q] = rp[r], rq[r]
				}
				m[p*n+p] = app - t*apq
				m[q*n+q] = aqq + t*apq
				m[p*n+q], m[q*n+p] = 0, 0
				vp, vq := v[p*n:(p+1)*n], v[q*n:(q+1)*n]
				for r := range n {
					a, b := vp[r], vq[r]
					vp[r] = a - s*(b+tau*a)
					vq[r] = b + s*(a-tau*b)
				}
			}
		}
	}
	return maxJacobiSweeps, fmt.Errorf("es: Jacobi eigendecomposition did not converge in %d sweeps", maxJacobiSweeps)
}

func dot64(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}
