package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Every test runs on each kernel set the CPU supports (SetKernel), comparing
// the exported, dispatched function with its generic twin: bit for bit where
// the package promises it, within a stated float32 rounding bound for sums.
// Output slices sit between guard values in a larger buffer, at offsets 0..7,
// so a write outside them fails the test.

const guard = 16

var guardValue = math.Float32frombits(0x7fc0dead) // a NaN no kernel makes

// forEachKernel runs f once per kernel set, with that set in use.
func forEachKernel(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, k := range Kernels() {
		t.Run(k, func(t *testing.T) {
			restore, err := SetKernel(k)
			if err != nil {
				t.Fatal(err)
			}
			defer restore()
			if Kernel() != k {
				t.Fatalf("Kernel() = %q after SetKernel(%q)", Kernel(), k)
			}
			f(t)
		})
	}
}

// lengths are 0..300, then sizes around the wider vector blocks and the
// network sizes.
func lengths() []int {
	var ls []int
	for n := 0; n <= 300; n++ {
		ls = append(ls, n)
	}
	return append(ls, 503, 504, 505, 511, 512, 513, 784, 1000, 1023, 1024, 1025)
}

// guarded returns a slice of length n at offset off inside a buffer whose
// other entries hold guardValue, and the check that they still do.
func guarded(n, off int) ([]float32, func(t *testing.T, what string)) {
	buf := make([]float32, guard+off+n+guard)
	for i := range buf {
		buf[i] = guardValue
	}
	s := buf[guard+off : guard+off+n : guard+off+n]
	return s, func(t *testing.T, what string) {
		t.Helper()
		for i, v := range buf {
			if (i < guard+off || i >= guard+off+n) && math.Float32bits(v) != math.Float32bits(guardValue) {
				t.Fatalf("%s: wrote outside its slice at %d (n %d, offset %d)", what, i-guard-off, n, off)
			}
		}
	}
}

func randVec(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

// sameResult is sameBits except that any two NaNs match: which payload an
// operation on two NaNs propagates depends on the operand order the compiler
// picks (it differs under -race), so no kernel can promise it.
func sameResult(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) && (a[i] == a[i] || b[i] == b[i]) {
			return i
		}
	}
	return -1
}

func sameBits(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// sumTol is the rounding bound for a float32 sum of n terms whose absolute
// values add to abs: both the generic and the vector order are within
// n*2^-24*abs of the exact sum.
func sumTol(n int, abs float64) float64 {
	return 2*float64(n+1)*math.Ldexp(abs, -24) + 1e-30
}

func checkSum(t *testing.T, what string, got float32, want float64, n int, abs float64) {
	t.Helper()
	if d := math.Abs(float64(got) - want); !(d <= sumTol(n, abs)) {
		t.Fatalf("%s: got %v, want %v (diff %g > tolerance %g)", what, got, want, d, sumTol(n, abs))
	}
}

func TestKernelSwitch(t *testing.T) {
	ks := Kernels()
	if ks[len(ks)-1] != "generic" {
		t.Fatalf("Kernels() = %v, want generic last", ks)
	}
	if Kernel() != ks[0] {
		t.Errorf("Kernel() = %q at start, want the fastest, %q", Kernel(), ks[0])
	}
	if _, err := SetKernel("avx9000"); err == nil {
		t.Error("SetKernel of an unknown kernel did not fail")
	}
}

func TestDot(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 1))
		for _, n := range lengths() {
			for off := range 8 {
				x, y := randVec(rng, n+off)[off:], randVec(rng, n+off)[off:]
				var want, abs float64
				for i := range x {
					want += float64(x[i]) * float64(y[i])
					abs += math.Abs(float64(x[i]) * float64(y[i]))
				}
				checkSum(t, fmt.Sprintf("Dot n %d off %d", n, off), Dot(x, y), want, n, abs)
			}
		}
	})
}

// matShapes are the row counts tried with every column count.
var matRows = []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 13}

func TestMatVec(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(2, 2))
		for _, rows := range matRows {
			for cols := 0; cols <= 300; cols++ {
				off := (rows + cols) % 8
				a := randVec(rng, rows*cols+off)[off:]
				x := randVec(rng, cols+off)[off:]
				dst, check := guarded(rows, off)
				MatVec(dst, a, rows, cols, x)
				check(t, "MatVec")
				for i := range rows {
					var want, abs float64
					for j := range cols {
						p := float64(a[i*cols+j]) * float64(x[j])
						want += p
						abs += math.Abs(p)
					}
					checkSum(t, fmt.Sprintf("MatVec %dx%d row %d", rows, cols, i), dst[i], want, cols, abs)
				}
			}
		}
	})
}

func TestMatVecCols(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 3))
		for _, rows := range matRows {
			for cols := 1; cols <= 300; cols++ {
				off := (rows + cols) % 8
				a := randVec(rng, rows*cols+off)[off:]
				x := randVec(rng, cols+off)[off:]
				// Any subset in any order, duplicates allowed; most often
				// an ascending subset, as after a cap.
				// Dense subsets take the masked dense product, sparse
				// ones the gather.
				keep := func() bool { return rng.IntN(3) > 0 }
				if cols%2 == 0 {
					keep = func() bool { return rng.IntN(20) == 0 }
				}
				var idx []int32
				for j := range cols {
					if keep() {
						idx = append(idx, int32(j))
					}
				}
				if cols%3 == 0 {
					for range cols / 2 {
						idx = append(idx, int32(rng.IntN(cols)))
					}
					rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
				}
				dst, check := guarded(rows, off)
				MatVecCols(dst, a, rows, cols, x, idx)
				check(t, "MatVecCols")
				for i := range rows {
					var want, abs float64
					for _, j := range idx {
						p := float64(a[i*cols+int(j)]) * float64(x[j])
						want += p
						abs += math.Abs(p)
					}
					checkSum(t, fmt.Sprintf("MatVecCols %dx%d row %d", rows, cols, i), dst[i], want, len(idx), abs)
				}
			}
		}
	})
}

// TestMatVecColsIgnoresOthers puts Inf and NaN in the columns outside idx,
// in A and in x: the product must not see them, whatever path it takes.
func TestMatVecColsIgnoresOthers(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(10, 10))
		for _, cols := range []int{16, 40, 100, 1000} {
			rows := 9
			a, x := randVec(rng, rows*cols), randVec(rng, cols)
			var idx []int32
			for j := 0; j < cols; j += 2 {
				idx = append(idx, int32(j))
				bad := []float32{float32(math.Inf(1)), float32(math.NaN()), float32(math.Inf(-1))}[j%3]
				x[j+1] = bad
				a[(j/2%rows)*cols+j+1] = bad
			}
			for _, n := range []int{len(idx), 8 + len(idx)%8} {
				dst := make([]float32, rows)
				MatVecCols(dst, a, rows, cols, x, idx[:n])
				for i := range rows {
					var want, abs float64
					for _, j := range idx[:n] {
						p := float64(a[i*cols+int(j)]) * float64(x[j])
						want += p
						abs += math.Abs(p)
					}
					checkSum(t, fmt.Sprintf("MatVecCols %dx%d/%d row %d", rows, cols, n, i), dst[i], want, n, abs)
				}
			}
		}
	})
}

func TestMatVecTrans(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(4, 4))
		for _, rows := range matRows {
			for cols := 0; cols <= 300; cols++ {
				off := (rows + cols) % 8
				a := randVec(rng, rows*cols+off)[off:]
				v := randVec(rng, rows+off)[off:]
				dst, check := guarded(cols, off)
				init := randVec(rng, cols)
				copy(dst, init)
				MatVecTrans(dst, a, rows, cols, v)
				check(t, "MatVecTrans")
				for j := range cols {
					want, abs := float64(init[j]), math.Abs(float64(init[j]))
					for i := range rows {
						p := float64(v[i]) * float64(a[i*cols+j])
						want += p
						abs += math.Abs(p)
					}
					checkSum(t, fmt.Sprintf("MatVecTrans %dx%d col %d", rows, cols, j), dst[j], want, rows+1, abs)
				}
			}
		}
	})
}

func TestAddOuter(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 5))
		for _, rows := range matRows {
			for cols := 0; cols <= 300; cols++ {
				off := (rows + cols) % 8
				a, check := guarded(rows*cols, off)
				init := randVec(rng, rows*cols)
				copy(a, init)
				u, v := randVec(rng, rows), randVec(rng, cols+off)[off:]
				AddOuter(a, rows, cols, u, v)
				check(t, "AddOuter")
				for i := range rows {
					for j := range cols {
						want := float64(init[i*cols+j]) + float64(u[i])*float64(v[j])
						abs := math.Abs(float64(init[i*cols+j])) + math.Abs(float64(u[i])*float64(v[j]))
						checkSum(t, fmt.Sprintf("AddOuter %dx%d (%d,%d)", rows, cols, i, j), a[i*cols+j], want, 2, abs)
					}
				}
			}
		}
	})
}

func TestAxpy(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(6, 6))
		for _, n := range lengths() {
			for off := range 8 {
				dst, check := guarded(n, off)
				init := randVec(rng, n)
				copy(dst, init)
				x := randVec(rng, n+off)[off:]
				alpha := float32(rng.NormFloat64())
				Axpy(dst, alpha, x)
				check(t, "Axpy")
				for i := range n {
					p := float64(alpha) * float64(x[i])
					checkSum(t, fmt.Sprintf("Axpy n %d [%d]", n, i), dst[i], float64(init[i])+p, 2, math.Abs(float64(init[i]))+math.Abs(p))
				}
			}
		}
	})
}

func TestAddScaled(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 11))
		for _, n := range lengths() {
			for off := range 8 {
				dst, check := guarded(n, off)
				x, y := randVec(rng, n+off)[off:], randVec(rng, n+7-off)[7-off:]
				alpha := float32(rng.NormFloat64())
				AddScaled(dst, x, alpha, y)
				check(t, "AddScaled")
				for i := range n {
					p := float64(alpha) * float64(y[i])
					checkSum(t, fmt.Sprintf("AddScaled n %d [%d]", n, i), dst[i], float64(x[i])+p, 2, math.Abs(float64(x[i]))+math.Abs(p))
				}
			}
		}
	})
}

// TestSigmoid compares Sigmoid with the generic float64 formula: the same
// float32 or one unit in the last place away, and no more than one value in
// ten thousand off at all; NaN stays NaN.
func TestSigmoid(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(12, 12))
		total, off1 := 0, 0
		check := func(what string, got, in []float32) {
			t.Helper()
			for i, g := range got {
				w := float32(1 / (1 + math.Exp(-float64(in[i]))))
				switch {
				case w != w:
					if g == g {
						t.Fatalf("%s: Sigmoid(%v) = %v, want NaN", what, in[i], g)
					}
				case g == w:
				case math.Float32bits(g)-math.Float32bits(w)+1 <= 2:
					off1++
				default:
					t.Fatalf("%s: Sigmoid(%v) = %v (%x), want %v (%x)", what, in[i], g, math.Float32bits(g), w, math.Float32bits(w))
				}
			}
			total += len(got)
		}
		for _, n := range lengths() {
			for off := range 8 {
				in := specialVec(rng, n)
				scale := []float32{1, 10, 100}[n%3]
				for i := range in {
					in[i] *= scale
				}
				x, guardCheck := guarded(n, off)
				copy(x, in)
				Sigmoid(x)
				guardCheck(t, "Sigmoid")
				check(fmt.Sprintf("n %d off %d", n, off), x, in)
			}
		}
		// A sweep over the whole range where the result is neither 0 nor
		// 1, through saturation on both sides.
		var in []float32
		for v := float32(-110); v <= 20; v += 1.0 / 64 {
			in = append(in, v, math.Nextafter32(v, 30))
		}
		x := slices.Clone(in)
		Sigmoid(x)
		check("sweep", x, in)
		if off1*10000 > total {
			t.Errorf("%d of %d values one unit off", off1, total)
		}
		t.Logf("%d of %d values one unit off", off1, total)
	})
}

func TestAddSquaresAndColumnNorms(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 7))
		for _, n := range lengths() {
			for off := range 8 {
				acc, check := guarded(n, off)
				init := randVec(rng, n)
				for i := range init {
					init[i] = float32(math.Abs(float64(init[i])))
				}
				copy(acc, init)
				row := randVec(rng, n+off)[off:]
				AddSquares(acc, row)
				check(t, "AddSquares")
				for i := range n {
					want := float64(init[i]) + float64(row[i])*float64(row[i])
					checkSum(t, fmt.Sprintf("AddSquares n %d [%d]", n, i), acc[i], want, 2, want)
				}
			}
		}
		for _, rows := range matRows {
			for cols := 0; cols <= 300; cols += 7 {
				a := randVec(rng, rows*cols)
				norms, check := guarded(cols, cols%8)
				ColumnNorms(norms, a, rows, cols)
				check(t, "ColumnNorms")
				for j := range cols {
					var ss float64
					for i := range rows {
						ss += float64(a[i*cols+j]) * float64(a[i*cols+j])
					}
					checkSum(t, fmt.Sprintf("ColumnNorms %dx%d col %d", rows, cols, j), norms[j], math.Sqrt(ss), rows+1, math.Sqrt(ss))
				}
			}
		}
	})
}

// specials are values that exercise IEEE corner cases in element-wise
// kernels and in the cap's order.
var specials = []float32{0, float32(math.Copysign(0, -1)), 1, -1, float32(math.Inf(1)), float32(math.Inf(-1)),
	float32(math.NaN()), math.Float32frombits(0x7fa00001), math.Float32frombits(0xffc00123),
	math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, math.MaxFloat32, -math.MaxFloat32, 0.5, 1e-39}

// specialVec mixes normal values with specials.
func specialVec(rng *rand.Rand, n int) []float32 {
	v := randVec(rng, n)
	for i := range v {
		if rng.IntN(4) == 0 {
			v[i] = specials[rng.IntN(len(specials))]
		}
	}
	return v
}

// TestExactElementwise checks the kernels promised bit for bit: AddConst,
// ReLU, MulElem, ScaleColumns and AddLookup (NaN payloads too, but for the
// choice between two NaN operands, see sameResult).
func TestExactElementwise(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(8, 8))
		for _, n := range lengths() {
			for off := range 8 {
				init := specialVec(rng, n)
				want := slices.Clone(init)

				row, check := guarded(n, off)
				copy(row, init)
				c := specials[rng.IntN(len(specials))]
				if n%2 == 0 {
					c = float32(rng.NormFloat64())
				}
				AddConst(row, c)
				addConstGeneric(want, c)
				check(t, "AddConst")
				if i := sameResult(row, want); i >= 0 {
					t.Fatalf("AddConst n %d off %d [%d]: %x, want %x", n, off, i, math.Float32bits(row[i]), math.Float32bits(want[i]))
				}

				copy(row, init)
				copy(want, init)
				ReLU(row)
				reluGeneric(want)
				check(t, "ReLU")
				if i := sameBits(row, want); i >= 0 {
					t.Fatalf("ReLU n %d off %d [%d]: %x, want %x", n, off, i, math.Float32bits(row[i]), math.Float32bits(want[i]))
				}

				s := specialVec(rng, n+off)[off:]
				copy(row, init)
				copy(want, init)
				MulElem(row, s)
				mulElemGeneric(want, s)
				check(t, "MulElem")
				if i := sameResult(row, want); i >= 0 {
					t.Fatalf("MulElem n %d off %d [%d]: %x, want %x", n, off, i, math.Float32bits(row[i]), math.Float32bits(want[i]))
				}

				for _, p := range []int{1, 2, 4, 8, 11, 16, 32, 128} {
					table := specialVec(rng, p)
					idx := make([]uint8, n+off)[off:]
					for j := range idx {
						idx[j] = uint8(rng.IntN(p))
					}
					copy(row, init)
					copy(want, init)
					AddLookup(row, table, idx)
					addLookupGeneric(want, table, idx)
					check(t, "AddLookup")
					if i := sameResult(row, want); i >= 0 {
						t.Fatalf("AddLookup P %d n %d off %d [%d]: %x, want %x", p, n, off, i, math.Float32bits(row[i]), math.Float32bits(want[i]))
					}
				}
			}
		}
		for _, rows := range matRows {
			for cols := 0; cols <= 64; cols++ {
				init := specialVec(rng, rows*cols)
				a, check := guarded(rows*cols, cols%8)
				copy(a, init)
				s := specialVec(rng, cols)
				ScaleColumns(a, rows, cols, s)
				check(t, "ScaleColumns")
				for i := range rows {
					mulElemGeneric(init[i*cols:(i+1)*cols], s)
				}
				if i := sameResult(a, init); i >= 0 {
					t.Fatalf("ScaleColumns %dx%d [%d]", rows, cols, i)
				}
			}
		}
	})
}

// TestAddLookupBadIndex checks that an index outside the table panics on
// every path, as the generic code's bounds check does.
func TestAddLookupBadIndex(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		for _, n := range []int{3, 8, 16, 40} {
			for _, p := range []int{4, 12, 16} {
				idx := make([]uint8, n)
				idx[n-1] = uint8(p)
				func() {
					defer func() {
						if recover() == nil {
							t.Errorf("AddLookup with index %d into a table of %d (n %d) did not panic", p, p, n)
						}
					}()
					AddLookup(make([]float32, n), make([]float32, p), idx)
				}()
			}
		}
	})
}
