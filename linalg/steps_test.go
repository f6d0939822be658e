package linalg

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// addStepsRef is AddSteps written as separate updates, one per step, each
// element rounded after every addition: what AddSteps must equal bit for bit.
func addStepsRef(a, tab []float32, stride int, which []int32) {
	for _, q := range which {
		for i := range a {
			a[i] = a[i] + tab[int(q)*stride+i]
		}
	}
}

// TestAddSteps checks AddSteps on every kernel set against separate updates,
// bit for bit, over lengths 0..300 and around the vector blocks, offsets 0..7
// of both slices, 0 to 20 steps, strides shorter and longer than the
// segment, special values (NaN, +-Inf, zeros of both signs) in both slices,
// and guard values around the segment.
func TestAddSteps(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(31, 31))
		for _, n := range lengths() {
			for off := range 8 {
				steps := (n + off) % 21
				stride := n + (n*7+off)%13 - 6
				if stride < 0 {
					stride = n
				}
				rowsTab := 1 + (n+off)%9
				tab := specialVec(rng, rowsTab*stride+n+off)[off:]
				which := make([]int32, steps)
				for s := range which {
					which[s] = int32(rng.IntN(rowsTab))
				}
				init := specialVec(rng, n)
				a, check := guarded(n, (off+3)%8)
				copy(a, init)
				AddSteps(a, tab, stride, which)
				check(t, "AddSteps")
				want := slices.Clone(init)
				addStepsRef(want, tab, stride, which)
				if i := sameResult(a, want); i >= 0 {
					t.Fatalf("AddSteps n %d off %d steps %d stride %d [%d]: %x, want %x", n, off, steps, stride, i,
						math.Float32bits(a[i]), math.Float32bits(want[i]))
				}
			}
		}
	})
}

// TestAddStepsOrder shows that the order of the steps is kept: adding 1e8,
// then 1, then -1e8 gives 0 in float32 (the 1 is lost), the other order 1.
// A kernel that summed the steps first, or took them in another order, fails.
func TestAddStepsOrder(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		const n = 70
		tab := make([]float32, 3*n)
		for i := range n {
			tab[i], tab[n+i], tab[2*n+i] = 1e8, 1, -1e8
		}
		for _, c := range []struct {
			which []int32
			want  float32
		}{{[]int32{0, 1, 2}, 0}, {[]int32{0, 2, 1}, 1}, {[]int32{1, 0, 2}, 0}} {
			a := make([]float32, n)
			AddSteps(a, tab, n, c.which)
			for i, v := range a {
				if v != c.want {
					t.Fatalf("steps %v: [%d] = %v, want %v", c.which, i, v, c.want)
				}
			}
		}
	})
}

// TestAddStepsBadRow checks that a row outside the table panics before
// anything is written.
func TestAddStepsBadRow(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		for _, which := range [][]int32{{0, 3}, {-1}, {2, 0}} {
			a := make([]float32, 10)
			tab := make([]float32, 25) // rows 0 and 1 of stride 10 hold 10 entries; row 2 only 5
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("which %v: no panic", which)
					}
				}()
				AddSteps(a, tab, 10, which)
			}()
		}
		if stride := -1; true {
			defer func() {
				if recover() == nil {
					t.Errorf("stride %d: no panic", stride)
				}
			}()
			AddSteps(make([]float32, 4), make([]float32, 10), stride, []int32{0})
		}
	})
}

func FuzzAddSteps(f *testing.F) {
	f.Add(uint16(37), uint8(5), uint16(40), uint8(3), uint64(1))
	f.Fuzz(func(t *testing.T, n uint16, steps uint8, stride uint16, off uint8, seed uint64) {
		ln, ns, st, o := int(n%700), int(steps%40), int(stride%800), int(off%8)
		rng := rand.New(rand.NewPCG(seed, 3))
		rowsTab := 1 + int(seed%7)
		tab := specialVec(rng, rowsTab*st+ln+o)[o:]
		which := make([]int32, ns)
		for s := range which {
			which[s] = int32(rng.IntN(rowsTab))
		}
		init := specialVec(rng, ln+o)[o:]
		want := slices.Clone(init)
		addStepsRef(want, tab, st, which)
		for _, k := range Kernels() {
			restore, err := SetKernel(k)
			if err != nil {
				t.Fatal(err)
			}
			a := slices.Clone(init)
			AddSteps(a, tab, st, which)
			restore()
			if i := sameResult(a, want); i >= 0 {
				t.Fatalf("%s: [%d] = %v, want %v", k, i, a[i], want[i])
			}
		}
	})
}
