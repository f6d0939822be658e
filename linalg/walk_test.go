package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// walkCase holds the inputs of one BackUndoRow call.
type walkCase struct {
	g, w, d, inv, mul, next, tbl []float32
	idx                          []uint8
	off                          int // 0..7: run places the six vectors at offsets from it
}

// walkValues says how a case's numbers are drawn.
type walkValues int

const (
	// walkRandom draws normal values with IEEE specials mixed in (infinities,
	// NaNs, zeros, subnormals, the largest floats); the kernels agree within
	// BackUndoRow's rounding bound.
	walkRandom walkValues = iota
	// walkExact draws small integers, powers of two as inv and mul, and
	// ±0, ±Inf and NaN: every product is exact, so fusing changes no
	// rounding and the kernels must agree bit for bit.
	walkExact
)

// newWalkCase draws a case of n entries for a table of p entries, each slice
// at its own offset from off so that the slices are aligned differently.
func newWalkCase(rng *rand.Rand, n, p, off int, vals walkValues) walkCase {
	vec := func(k, o int, pow2 bool) []float32 {
		if vals == walkRandom {
			return specialVec(rng, k+o)[o:]
		}
		v := make([]float32, k+o)[o:]
		for i := range v {
			switch r := rng.IntN(40); {
			case r == 0:
				v[i] = float32(math.Inf(1 - 2*rng.IntN(2)))
			case r == 1:
				v[i] = float32(math.NaN())
			case r == 2:
				v[i] = float32(math.Copysign(0, -1))
			case pow2:
				v[i] = float32(math.Ldexp(1, rng.IntN(5)-2)) * float32(1-2*rng.IntN(2))
			default:
				v[i] = float32(rng.IntN(17) - 8)
			}
		}
		return v
	}
	c := walkCase{
		g: vec(n, off, false), w: vec(n, (off+3)%8, false), d: vec(n, (off+1)%8, false),
		inv: vec(n, (off+2)%8, true), mul: vec(n, (off+7)%8, true), next: vec(n, (off+5)%8, false),
		tbl: vec(p, off, false), off: off,
	}
	if p != 1 {
		c.idx = randWhich(rng, n, p, off)
	}
	return c
}

// run calls BackUndoRow with the case's six vectors copied into one buffer,
// each at its own offset between fences of the value 3, and returns g, w and
// next. It fails the test if the call wrote anywhere but g, w and next (a
// write outside them computes from fence values and stores some number other
// than 3) or changed the table or the indices.
func (c walkCase) run(t *testing.T, what string) (g, w, next []float32) {
	t.Helper()
	n := len(c.g)
	vs := [][]float32{c.g, c.w, c.next, c.d, c.inv, c.mul}
	stride := guard + 8 + n
	buf := make([]float32, len(vs)*stride+guard)
	for i := range buf {
		buf[i] = 3
	}
	at := make([]int, len(vs))
	s := make([][]float32, len(vs))
	for k, v := range vs {
		at[k] = guard + k*stride + (c.off+3*k)%8
		s[k] = buf[at[k] : at[k]+n : at[k]+n]
		copy(s[k], v)
	}
	want := slices.Clone(buf)
	tbl, idx := slices.Clone(c.tbl), slices.Clone(c.idx)
	BackUndoRow(s[0], s[1], s[3], s[4], s[5], s[2], c.tbl, c.idx)
	for k := range 3 {
		copy(want[at[k]:], s[k])
	}
	if i := sameBits(buf, want); i >= 0 {
		t.Fatalf("%s: wrote %v over %v at %d, outside g, w and next (n %d, offset %d)", what, buf[i], want[i], i, n, c.off)
	}
	if i := sameBits(tbl, c.tbl); i >= 0 || !slices.Equal(idx, c.idx) {
		t.Fatalf("%s: changed the table or the indices", what)
	}
	return s[0], s[1], s[2]
}

// generic returns the generic twin's g, w and next for the case.
func (c walkCase) generic() (g, w, next []float32) {
	g, w, next = slices.Clone(c.g), slices.Clone(c.w), slices.Clone(c.next)
	backUndoRowGeneric(g, w, c.d, c.inv, c.mul, next, c.tbl, c.idx)
	return g, w, next
}

// check compares the outputs of BackUndoRow with the generic twin's: bit
// for bit (but for NaN payloads) when exact, else within its doc's bound.
func (c walkCase) check(t *testing.T, what string, exact bool) {
	t.Helper()
	g, w, next := c.run(t, what)
	wg, ww, wn := c.generic()
	if exact {
		for _, o := range []struct {
			name      string
			got, want []float32
		}{{"g", g, wg}, {"w", w, ww}, {"next", next, wn}} {
			if i := sameResult(o.got, o.want); i >= 0 {
				t.Fatalf("%s: %s[%d] = %v, generic %v", what, o.name, i, o.got[i], o.want[i])
			}
		}
		return
	}
	for j := range g {
		t0 := c.tbl[0]
		if len(c.tbl) != 1 {
			t0 = c.tbl[c.idx[j]]
		}
		checkWalkEntry(t, fmt.Sprintf("%s [%d]", what, j), c.g[j], c.w[j], c.d[j], c.inv[j], c.mul[j], c.next[j], t0,
			[3]float32{g[j], w[j], next[j]}, [3]float32{wg[j], ww[j], wn[j]})
	}
}

// checkWalkEntry checks one entry's g, w and next (got) against the generic
// ones (want) within BackUndoRow's bound, from the inputs g0 .. t. It skips
// the entries the bound leaves out: a value near the float32 range's edge,
// where one rounding may overflow and the other not, and a sum that rounds to
// the other sign or to zero (or is subnormal) in one of the two, where a
// following product with an infinity differs.
func checkWalkEntry(t *testing.T, what string, g0, w0, d, inv, mul, n0, t0 float32, got, want [3]float32) {
	t.Helper()
	G, W, D, I, M, N, T := float64(g0), float64(w0), float64(d), float64(inv), float64(mul), float64(n0), float64(t0)
	s, q := G+W*D, W*M+T // exact: a product of float32s fits in a float64
	for _, x := range []float64{W * D, s, s * I, W * M, q, q * s * I, N + q*s*I} {
		if !math.IsInf(x, 0) && math.Abs(x) >= 0x1p127 {
			return
		}
	}
	class := func(x float64) int {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	}
	sg, qg := float32(g0+float32(w0*d)), float32(float32(w0*mul)+t0) // the generic sums
	for _, p := range [][2]float64{{s, float64(sg)}, {q, float64(qg)}} {
		if class(p[0]) != class(p[1]) || p[0] != 0 && math.Abs(p[0]) < 0x1p-126 {
			return
		}
	}
	const eps, tiny = 0x1p-24, 0x1p-147
	mv, mu := (math.Abs(G)+math.Abs(W*D))*math.Abs(I), math.Abs(W*M)+math.Abs(T)
	tol := [3]float64{
		8*eps*mv + tiny*(math.Abs(I)+1),
		4*eps*mu + tiny,
		16*eps*(math.Abs(N)+mu*mv) + tiny*((math.Abs(I)+1)*mu+mv+1),
	}
	for k, name := range []string{"g", "w", "next"} {
		a, b := got[k], want[k]
		ok := false
		switch {
		case b != b:
			ok = a != a
		case math.IsInf(float64(b), 0):
			ok = a == b
		default:
			ok = math.Abs(float64(a)-float64(b)) <= tol[k]
		}
		if !ok {
			t.Fatalf("%s: %s = %v, generic %v (tolerance %g; g %v w %v d %v inv %v mul %v next %v table %v)",
				what, name, a, b, tol[k], g0, w0, d, inv, mul, n0, t0)
		}
	}
}

// walkTables are the table sizes tried: the constant, the padded and full
// 16-entry tables of the assembly, and larger ones that take the generic
// loop.
var walkTables = []int{1, 2, 5, 8, 16, 17, 32}

// TestBackUndoRow compares BackUndoRow with its generic twin on every kernel
// set, for every length 0..300 and around the vector widths, offsets 0..7,
// the constant and the 16-entry tables (the other sizes at one offset per
// length), random values with specials and exactly computable ones.
func TestBackUndoRow(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(30, 30))
		for _, n := range lengths() {
			for off := range 8 {
				for _, p := range walkTables {
					if p != 1 && p != 16 && off != n%8 {
						continue
					}
					for _, vals := range []walkValues{walkRandom, walkExact} {
						c := newWalkCase(rng, n, p, off, vals)
						c.check(t, fmt.Sprintf("n %d off %d P %d values %d", n, off, p, vals), vals == walkExact)
					}
				}
			}
		}
	})
}

// TestBackUndoRowKnown pins the formula on one entry worked by hand (and the
// same entry in a long row, where the assembly does it), so that the
// generic twin is checked too: v = (1 + 2*3) * 0.5 = 3.5, u = 2*4 + 10 = 18,
// next = 1 + 18*3.5 = 64.
func TestBackUndoRowKnown(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		for _, n := range []int{1, 40} {
			for _, tbl := range [][]float32{{10}, {0, -1, 10, 7}} {
				c := walkCase{g: make([]float32, n), w: make([]float32, n), d: make([]float32, n), inv: make([]float32, n),
					mul: make([]float32, n), next: make([]float32, n), tbl: tbl, idx: make([]uint8, n)}
				for j := range n {
					c.g[j], c.w[j], c.d[j], c.inv[j], c.mul[j], c.next[j], c.idx[j] = 1, 2, 3, 0.5, 4, 1, 2
				}
				g, w, next := c.run(t, "known")
				for j := range n {
					if g[j] != 3.5 || w[j] != 18 || next[j] != 64 {
						t.Fatalf("n %d table %v [%d]: g %v w %v next %v, want 3.5 18 64", n, tbl, j, g[j], w[j], next[j])
					}
				}
			}
		}
	})
}

// TestBackUndoRowBadIndex checks that an index outside the table panics on
// every path, wherever it sits in the row, as the generic code's bounds check
// does, and that short operands panic.
func TestBackUndoRowBadIndex(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(31, 31))
		for _, n := range []int{3, 8, 16, 17, 40, 1000} {
			for _, p := range []int{0, 4, 12, 16, 17} {
				for _, at := range []int{0, n / 2, n - 1} {
					for _, bad := range []int{p, 255} {
						c := newWalkCase(rng, n, max(p, 2), 0, walkRandom)
						c.tbl = c.tbl[:p]
						c.idx[at] = uint8(bad)
						func() {
							defer func() {
								if recover() == nil {
									t.Errorf("BackUndoRow with index %d at %d into a table of %d (n %d) did not panic", bad, at, p, n)
								}
							}()
							c.run(t, "bad index")
						}()
					}
				}
			}
		}
		c := newWalkCase(rng, 40, 16, 0, walkRandom)
		for name, f := range map[string]func(){
			"w":    func() { BackUndoRow(c.g, c.w[:39], c.d, c.inv, c.mul, c.next, c.tbl, c.idx) },
			"next": func() { BackUndoRow(c.g, c.w, c.d, c.inv, c.mul, c.next[:39], c.tbl, c.idx) },
			"idx":  func() { BackUndoRow(c.g, c.w, c.d, c.inv, c.mul, c.next, c.tbl, c.idx[:39]) },
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("BackUndoRow with a short %s did not panic", name)
					}
				}()
				f()
			}()
		}
	})
}

// FuzzBackUndoRow compares BackUndoRow (the assembly where the CPU has it)
// with its generic twin on arbitrary bit patterns, cycled through the row's
// inputs, for a table of 1 + p%32 entries.
func FuzzBackUndoRow(f *testing.F) {
	f.Add([]byte{0, 0, 128, 63, 0, 0, 0, 192, 0, 0, 192, 127, 0, 0, 128, 255, 1, 0, 0, 0}, uint16(37), uint8(15))
	f.Add(make([]byte, 64), uint16(1000), uint8(0))
	f.Fuzz(func(t *testing.T, b []byte, n uint16, p uint8) {
		if len(b) < 4 {
			return
		}
		k := 0
		next := func() float32 {
			i := 4 * (k % (len(b) / 4))
			k++
			return math.Float32frombits((uint32(b[i]) | uint32(b[i+1])<<8 | uint32(b[i+2])<<16 | uint32(b[i+3])<<24) +
				uint32(k/(len(b)/4))*0x9e3779b9)
		}
		vec := func(m int) []float32 {
			v := make([]float32, m)
			for i := range v {
				v[i] = next()
			}
			return v
		}
		m, tn := int(n%1100), 1+int(p%32)
		c := walkCase{g: vec(m), w: vec(m), d: vec(m), inv: vec(m), mul: vec(m), next: vec(m), tbl: vec(tn)}
		if tn != 1 {
			c.idx = make([]uint8, m)
			for i := range c.idx {
				c.idx[i] = uint8(b[(i*7)%len(b)]) % uint8(tn)
			}
		}
		c.check(t, "fuzz", false)
	})
}

// BenchmarkBackUndoRow times one MNIST-sized row (1000 entries, the 16-entry
// table) on every kernel set. The values stay put: the inputs are restored
// before each call from copies, whose cost is included.
func BenchmarkBackUndoRow(b *testing.B) {
	for _, k := range Kernels() {
		b.Run(k, func(b *testing.B) {
			restore, err := SetKernel(k)
			if err != nil {
				b.Fatal(err)
			}
			defer restore()
			const n = 1000
			rng := rand.New(rand.NewPCG(32, 32))
			g0, w0, d, inv, mul, next := randVec(rng, n), randVec(rng, n), randVec(rng, n), randVec(rng, n),
				randVec(rng, n), randVec(rng, n)
			tbl, idx := randVec(rng, 16), randWhich(rng, n, 16, 0)
			g, w := slices.Clone(g0), slices.Clone(w0)
			b.SetBytes(n * (9*4 + 1)) // 6 loads and 3 stores of a float32, and the index
			for b.Loop() {
				copy(g, g0)
				copy(w, w0)
				BackUndoRow(g, w, d, inv, mul, next, tbl, idx)
			}
			b.ReportMetric(7*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
