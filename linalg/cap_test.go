package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// capInputs are the value distributions the cap must order exactly like the
// generic composite key: distinct values, heavy ties, IEEE specials, all
// equal, relu zeros of both signs, saturated sigmoids and raw bit patterns.
var capInputs = []struct {
	name string
	gen  func(rng *rand.Rand, n int) []float32
}{
	{"normal", randVec},
	{"ties", func(rng *rand.Rand, n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.IntN(3)) / 10
		}
		return v
	}},
	{"specials", specialVec},
	{"all-equal", func(rng *rand.Rand, n int) []float32 {
		v := make([]float32, n)
		c := specials[rng.IntN(len(specials))]
		for i := range v {
			v[i] = c
		}
		return v
	}},
	{"signed-zeros", func(rng *rand.Rand, n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			if rng.IntN(2) == 0 {
				v[i] = float32(math.Copysign(0, -1))
			}
		}
		return v
	}},
	{"relu", func(rng *rand.Rand, n int) []float32 {
		v := randVec(rng, n)
		for i := range v {
			if !(v[i] > 0) {
				v[i] = 0
				if rng.IntN(2) == 0 {
					v[i] = float32(math.Copysign(0, -1))
				}
			}
		}
		return v
	}},
	{"saturated", func(rng *rand.Rand, n int) []float32 {
		v := randVec(rng, n)
		for i := range v {
			v[i] = float32(1 / (1 + math.Exp(-20*float64(v[i]))))
		}
		return v
	}},
	{"nan-heavy", func(rng *rand.Rand, n int) []float32 {
		v := randVec(rng, n)
		for i := range v {
			if rng.IntN(3) > 0 {
				v[i] = math.Float32frombits(0x7fc00000 | rng.Uint32()&0x803fffff)
			}
		}
		return v
	}},
	{"bits", func(rng *rand.Rand, n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = math.Float32frombits(rng.Uint32())
		}
		return v
	}},
}

// checkCap runs Cap on a copy of x in guarded buffers and compares x, the
// selection and the count with capGeneric bit for bit.
func checkCap(t *testing.T, what string, x []float32, k, off int) {
	t.Helper()
	n := len(x)
	got, checkX := guarded(n, off)
	copy(got, x)
	kept := min(max(k, 0), n)
	selBuf := make([]int32, kept+2*guard)
	for i := range selBuf {
		selBuf[i] = -7
	}
	sel := selBuf[guard : guard+kept : guard+kept]
	m := Cap(got, k, sel, make([]uint64, n))
	checkX(t, what+": Cap x")
	for i, v := range selBuf {
		if (i < guard || i >= guard+kept) && v != -7 {
			t.Fatalf("%s: Cap wrote sel[%d] outside its slice", what, i-guard)
		}
	}
	want := slices.Clone(x)
	wsel := make([]int32, kept)
	wm := capGeneric(want, k, wsel, make([]uint64, n))
	if m != wm || !slices.Equal(sel[:m], wsel[:wm]) {
		t.Fatalf("%s: Cap kept %d %v, want %d %v", what, m, sel[:m], wm, wsel[:wm])
	}
	if i := sameBits(got, want); i >= 0 {
		t.Fatalf("%s: Cap left x[%d] = %x, want %x", what, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
	}
}

func TestCap(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(9, 9))
		for _, in := range capInputs {
			for _, n := range lengths() {
				x := in.gen(rng, n)
				for _, k := range []int{-1, 0, 1, 2, n / 3, n / 2, n - 1, n, n + 3, rng.IntN(n + 1)} {
					checkCap(t, fmt.Sprintf("%s n %d k %d", in.name, n, k), x, k, (n+k+8)%8)
				}
			}
		}
	})
}

// TestCapKnown pins the order on a hand-made case: larger value first, then
// lower index; NaN below -Inf; -0 equal to +0.
func TestCapKnown(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	negz := float32(math.Copysign(0, -1))
	forEachKernel(t, func(t *testing.T) {
		x := []float32{nan, 0.5, -inf, negz, 2, 0.5, 0, 0.5, inf, -1, nan, 0.5}
		// Order: inf(8) 2(4) 0.5(1) 0.5(5) 0.5(7) 0.5(11) -0(3) 0(6) -1(9) -inf(2) nan(0) nan(10).
		for k, want := range [][]int32{{}, {8}, {4, 8}, {1, 4, 8}, {1, 4, 5, 8}, {1, 4, 5, 7, 8},
			{1, 4, 5, 7, 8, 11}, {1, 3, 4, 5, 7, 8, 11}, {1, 3, 4, 5, 6, 7, 8, 11},
			{1, 3, 4, 5, 6, 7, 8, 9, 11}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 11}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11}} {
			v := slices.Clone(x)
			sel := make([]int32, k)
			m := Cap(v, k, sel, make([]uint64, len(v)))
			if !slices.Equal(sel[:m], want) {
				t.Errorf("k %d: kept %v, want %v", k, sel[:m], want)
			}
			for i := range v {
				if !slices.Contains(want, int32(i)) && math.Float32bits(v[i]) != 0 {
					t.Errorf("k %d: x[%d] = %v not cleared to +0", k, i, v[i])
				}
			}
		}
	})
}

// FuzzCap compares the cap in use (the assembly where the CPU has it) with
// the generic one on arbitrary bit patterns; an input of n values under 8
// is padded with copies so every length reaches the vector path.
func FuzzCap(f *testing.F) {
	f.Add([]byte{0, 0, 192, 127, 0, 0, 128, 63, 0, 0, 0, 128, 0, 0, 0, 0}, uint16(1), uint8(0))
	f.Add(make([]byte, 4*40), uint16(20), uint8(3))
	f.Fuzz(func(t *testing.T, b []byte, k uint16, off uint8) {
		x := make([]float32, len(b)/4)
		for i := range x {
			x[i] = math.Float32frombits(uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24)
		}
		for len(x) > 0 && len(x) < 8 {
			x = append(x, x...)
		}
		checkCap(t, "fuzz", x, int(k)%(len(x)+2), int(off%8))
	})
}

// FuzzAddLookup compares AddLookup with its generic twin bit for bit.
func FuzzAddLookup(f *testing.F) {
	f.Add([]byte{1, 2, 3}, uint8(16), uint64(1))
	f.Fuzz(func(t *testing.T, idx []byte, p uint8, seed uint64) {
		if p == 0 {
			return
		}
		rng := rand.New(rand.NewPCG(seed, 0))
		table := specialVec(rng, int(p))
		for i := range idx {
			idx[i] %= p
		}
		row := specialVec(rng, len(idx))
		want := slices.Clone(row)
		AddLookup(row, table, idx)
		addLookupGeneric(want, table, idx)
		if i := sameResult(row, want); i >= 0 {
			t.Fatalf("[%d]: %x, want %x", i, math.Float32bits(row[i]), math.Float32bits(want[i]))
		}
	})
}

// FuzzMatVec compares MatVec with a float64 product within the rounding
// bound.
func FuzzMatVec(f *testing.F) {
	f.Add(uint8(5), uint16(37), uint64(1))
	f.Fuzz(func(t *testing.T, rows uint8, cols uint16, seed uint64) {
		r, c := int(rows%20), int(cols%1100)
		rng := rand.New(rand.NewPCG(seed, 1))
		a, x := randVec(rng, r*c), randVec(rng, c)
		dst := make([]float32, r)
		MatVec(dst, a, r, c, x)
		for i := range r {
			var want, abs float64
			for j := range c {
				p := float64(a[i*c+j]) * float64(x[j])
				want += p
				abs += math.Abs(p)
			}
			checkSum(t, fmt.Sprintf("row %d", i), dst[i], want, c, abs)
		}
	})
}

// FuzzSigmoid compares Sigmoid with the generic formula on arbitrary bit
// patterns: equal, or one unit in the last place away; NaN for NaN.
func FuzzSigmoid(f *testing.F) {
	f.Add(uint32(0x41800000), uint8(9))
	f.Fuzz(func(t *testing.T, bits uint32, n uint8) {
		x := make([]float32, int(n%40)+1)
		for i := range x {
			x[i] = math.Float32frombits(bits + uint32(i)*0x9e3779b9)
		}
		in := slices.Clone(x)
		Sigmoid(x)
		for i, g := range x {
			w := float32(1 / (1 + math.Exp(-float64(in[i]))))
			if w != w {
				if g == g {
					t.Fatalf("Sigmoid(%v) = %v, want NaN", in[i], g)
				}
				continue
			}
			if d := math.Float32bits(g) - math.Float32bits(w) + 1; d > 2 {
				t.Fatalf("Sigmoid(%v) = %v, want %v", in[i], g, w)
			}
		}
	})
}
