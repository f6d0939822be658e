package es

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomSymmetric returns a random symmetric n x n matrix with entries
// N(0,1), and a well-spread spectrum.
func randomSymmetric(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	a := make([]float64, n*n)
	for i := range n {
		for j := i; j < n; j++ {
			v := rng.NormFloat64()
			a[i*n+j], a[j*n+i] = v, v
		}
	}
	return a
}

// checkEigen verifies A v_k = lambda_k v_k for every pair and V V^T = I.
func checkEigen(t *testing.T, a []float64, e *Eigen, tol float64) {
	t.Helper()
	n := e.N
	var norm float64
	for _, v := range a {
		norm = math.Max(norm, math.Abs(v))
	}
	for k := range n {
		vk := e.Vectors[k*n : (k+1)*n]
		for i := range n {
			av := dot64(a[i*n:(i+1)*n], vk)
			if d := math.Abs(av - e.Values[k]*vk[i]); d > tol*norm*float64(n) {
				t.Fatalf("n=%d: (A v_%d)[%d] - lambda v = %g", n, k, i, d)
			}
		}
		for l := k; l < n; l++ {
			want := 0.0
			if k == l {
				want = 1
			}
			if d := math.Abs(dot64(vk, e.Vectors[l*n:(l+1)*n]) - want); d > tol*float64(n) {
				t.Fatalf("n=%d: v_%d . v_%d off by %g", n, k, l, d)
			}
		}
	}
	var trace, sum float64
	for i := range n {
		trace += a[i*n+i]
		sum += e.Values[i]
	}
	if math.Abs(trace-sum) > tol*norm*float64(n) {
		t.Fatalf("n=%d: sum of eigenvalues %g, trace %g", n, sum, trace)
	}
}

func TestEigenRandomSymmetric(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 30, 80} {
		a := randomSymmetric(n, uint64(n))
		e := NewEigen(n)
		if err := e.Decompose(a, false); err != nil {
			t.Fatal(err)
		}
		checkEigen(t, a, e, 1e-13)
	}
}

func TestEigenKnownSpectrum(t *testing.T) {
	// Q diag(1..n) Q^T for a random orthogonal Q (from a decomposition)
	// must give back exactly the eigenvalues 1..n.
	n := 12
	q := NewEigen(n)
	if err := q.Decompose(randomSymmetric(n, 3), false); err != nil {
		t.Fatal(err)
	}
	a := make([]float64, n*n)
	for k := range n {
		vk := q.Vectors[k*n : (k+1)*n]
		for i := range n {
			axpy64(a[i*n:(i+1)*n], float64(k+1)*vk[i], vk)
		}
	}
	e := NewEigen(n)
	if err := e.Decompose(a, false); err != nil {
		t.Fatal(err)
	}
	seen := make([]bool, n)
	for _, v := range e.Values {
		k := int(math.Round(v)) - 1
		if k < 0 || k >= n || seen[k] || math.Abs(v-float64(k+1)) > 1e-12 {
			t.Fatalf("eigenvalues %v, want a permutation of 1..%d", e.Values, n)
		}
		seen[k] = true
	}
}

func TestEigenWarmStart(t *testing.T) {
	n := 40
	a := randomSymmetric(n, 11)
	e := NewEigen(n)
	if err := e.Decompose(a, false); err != nil {
		t.Fatal(err)
	}
	cold := e.Sweeps
	// A small symmetric change, as one CMA-ES generation makes.
	b := randomSymmetric(n, 12)
	for i := range a {
		a[i] += 1e-3 * b[i]
	}
	if err := e.Decompose(a, true); err != nil {
		t.Fatal(err)
	}
	checkEigen(t, a, e, 1e-13)
	if e.Sweeps >= cold {
		t.Errorf("warm start took %d sweeps, cold %d", e.Sweeps, cold)
	}
}

func TestEigenRejectsNaN(t *testing.T) {
	a := randomSymmetric(4, 1)
	a[5] = math.NaN()
	if err := NewEigen(4).Decompose(a, false); err == nil {
		t.Fatal("NaN matrix decomposed without error")
	}
}

func BenchmarkEigen304(b *testing.B) {
	n := 304
	a := randomSymmetric(n, 1)
	e := NewEigen(n)
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			e.Decompose(a, false)
		}
		b.ReportMetric(float64(e.Sweeps), "sweeps")
	})
	c := randomSymmetric(n, 2)
	b.Run("warm", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			for j := range a {
				a[j] += 1e-4 * c[j]
			}
			e.Decompose(a, true)
		}
		b.ReportMetric(float64(e.Sweeps), "sweeps")
	})
}
