package linalg

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// spanCase runs MatVecTransRowsSpan on columns lo..hi-1 of a guarded dst and
// compares it bit for bit with MatVecTransRows on the same kernel: the span
// must hold the whole product's values, every other column its initial ones.
func spanCase(t *testing.T, rng *rand.Rand, rows, cols, lo, hi, off int) {
	t.Helper()
	a := specialVec(rng, rows*cols+off)[off:]
	v := specialVec(rng, rows+off)[off:]
	var idx []int32
	for j := range rows {
		if rng.IntN(3) > 0 {
			idx = append(idx, int32(j))
		}
	}
	if rows%2 == 1 {
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	init := specialVec(rng, cols)
	want := slices.Clone(init)
	MatVecTransRows(want, a, rows, cols, v, idx)
	copy(want[:lo], init[:lo])
	copy(want[hi:], init[hi:])
	dst, check := guarded(cols, (off+3)%8)
	copy(dst, init)
	MatVecTransRowsSpan(dst, a, rows, cols, lo, hi, v, idx)
	check(t, "MatVecTransRowsSpan")
	if i := sameResult(dst, want); i >= 0 {
		t.Fatalf("MatVecTransRowsSpan %dx%d columns %d..%d, %d rows: [%d] = %v, MatVecTransRows %v", rows, cols, lo, hi,
			len(idx), i, dst[i], want[i])
	}
}

// spans returns the column spans tried on cols columns: the whole row, the
// empty span, the vector part and the tail, and a few random ones.
func spans(rng *rand.Rand, cols int) [][2]int {
	s := [][2]int{{0, cols}, {0, 0}, {cols &^ 7, cols}, {0, cols &^ 7}}
	for range 4 {
		lo := 8 * rng.IntN(cols/8+1)
		hi := cols
		if n := (cols - lo) / 8; n > 0 && rng.IntN(2) == 0 {
			hi = lo + 8*rng.IntN(n+1)
		}
		s = append(s, [2]int{lo, hi})
	}
	return s
}

// TestMatVecTransRowsSpan checks the span against the whole product on every
// kernel, every column count 0..300 and offsets 0..7, NaN and infinities
// included, with guards around dst.
func TestMatVecTransRowsSpan(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(31, 31))
		for _, rows := range []int{1, 3, 4, 5, 9, 17} {
			for cols := 0; cols <= 300; cols++ {
				for _, sp := range spans(rng, cols) {
					spanCase(t, rng, rows, cols, sp[0], sp[1], (rows+cols)%8)
				}
			}
		}
	})
}

// TestMatVecTransRowsSpanPanics checks that spans the kernels cannot match
// MatVecTransRows on are refused.
func TestMatVecTransRowsSpanPanics(t *testing.T) {
	a, v := make([]float32, 4*20), make([]float32, 4)
	for _, sp := range [][2]int{{4, 16}, {8, 12}, {-8, 8}, {16, 8}, {8, 24}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("columns %d..%d of 20 accepted", sp[0], sp[1])
				}
			}()
			MatVecTransRowsSpan(make([]float32, 20), a, 4, 20, sp[0], sp[1], v, []int32{1})
		}()
	}
	MatVecTransRowsSpan(make([]float32, 20), a, 4, 20, 8, 20, v, []int32{1})
}

// FuzzMatVecTransRowsSpan compares the span with the whole product on every
// kernel.
func FuzzMatVecTransRowsSpan(f *testing.F) {
	f.Add(uint8(5), uint16(37), uint8(1), uint8(2), uint8(3), uint64(1))
	f.Fuzz(func(t *testing.T, rows uint8, cols uint16, lo, hi, off uint8, seed uint64) {
		r, c, o := 1+int(rows%40), int(cols%700), int(off%8)
		l := 8 * (int(lo) % (c/8 + 1))
		h := c
		if n := (c - l) / 8; n > 0 && hi%2 == 0 {
			h = l + 8*(int(hi)%(n+1))
		}
		for _, k := range Kernels() {
			restore, err := SetKernel(k)
			if err != nil {
				t.Fatal(err)
			}
			t.Run(fmt.Sprint(k), func(t *testing.T) { spanCase(t, rand.New(rand.NewPCG(seed, 7)), r, c, l, h, o) })
			restore()
		}
	})
}

// TestMatVecTransRowsBlock checks the block of products span by span against
// MatVecTransRows on each vector, bit for bit, on every kernel: column counts
// 0..300, span widths from one block to more than the row, strides with gaps
// between the vectors (which must keep their values), NaN and infinities,
// guards around dst.
func TestMatVecTransRowsBlock(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(37, 37))
		for _, rows := range []int{1, 4, 9} {
			for cols := 0; cols <= 300; cols += 1 + cols/40 {
				for _, width := range []int{8, 16, 128, 304} {
					m := 1 + rng.IntN(4)
					gap := rng.IntN(3)
					blockCase(t, rng, rows, cols, m, cols+gap, width)
				}
			}
		}
	})
}

func blockCase(t *testing.T, rng *rand.Rand, rows, cols, m, stride, width int) {
	t.Helper()
	off := (rows + cols) % 8
	a := specialVec(rng, rows*cols+off)[off:]
	vStride := rows + 1
	v := specialVec(rng, m*vStride)
	idx := make([][]int32, m)
	for k := range idx {
		for j := range rows {
			if rng.IntN(3) > 0 {
				idx[k] = append(idx[k], int32(j))
			}
		}
	}
	n := max(0, (m-1)*stride+cols)
	init := specialVec(rng, n)
	want := slices.Clone(init)
	for k := range m {
		MatVecTransRows(want[k*stride:k*stride+cols], a, rows, cols, v[k*vStride:k*vStride+rows], idx[k])
	}
	dst, check := guarded(n, (off+1)%8)
	copy(dst, init)
	MatVecTransRowsBlock(dst, stride, a, rows, cols, v, vStride, idx, width)
	check(t, "MatVecTransRowsBlock")
	if i := sameResult(dst, want); i >= 0 {
		t.Fatalf("MatVecTransRowsBlock %dx%d, %d vectors, stride %d, width %d: [%d] = %v, MatVecTransRows %v",
			rows, cols, m, stride, width, i, dst[i], want[i])
	}
}

// TestMatVecTransRowsBlockPanics checks that bad widths, short operands and
// rows out of range are refused.
func TestMatVecTransRowsBlockPanics(t *testing.T) {
	a, v := make([]float32, 4*16), make([]float32, 8)
	ok := [][]int32{{0, 3}, {1}}
	for name, f := range map[string]func(){
		"width 0":    func() { MatVecTransRowsBlock(make([]float32, 32), 16, a, 4, 16, v, 4, ok, 0) },
		"width 12":   func() { MatVecTransRowsBlock(make([]float32, 32), 16, a, 4, 16, v, 4, ok, 12) },
		"short dst":  func() { MatVecTransRowsBlock(make([]float32, 31), 16, a, 4, 16, v, 4, ok, 8) },
		"short v":    func() { MatVecTransRowsBlock(make([]float32, 32), 16, a, 4, 16, v[:7], 4, ok, 8) },
		"row 4 of 4": func() { MatVecTransRowsBlock(make([]float32, 32), 16, a, 4, 16, v, 4, [][]int32{{0}, {4}}, 8) },
		"short a":    func() { MatVecTransRowsBlock(make([]float32, 32), 16, a[:63], 4, 16, v, 4, ok, 8) },
		"stride -1":  func() { MatVecTransRowsBlock(make([]float32, 32), -1, a, 4, 16, v, 4, ok, 8) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s accepted", name)
				}
			}()
			f()
		}()
	}
	MatVecTransRowsBlock(make([]float32, 32), 16, a, 4, 16, v, 4, ok, 8)
}
