package linalg

import (
	"math"
	"slices"
	"testing"
)

// These tests pin the meaning of the kernels with answers worked by hand;
// the comparisons of fast paths against the pure-Go twins live beside them.

func capOf(x []float32, k int) ([]float32, []int32) {
	x = slices.Clone(x)
	sel := make([]int32, len(x))
	m := Cap(x, k, sel, make([]uint64, len(x)))
	return x, sel[:m]
}

func TestCapKnownAnswers(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	negZero := float32(math.Copysign(0, -1))
	cases := []struct {
		name string
		x    []float32
		k    int
		want []float32
		sel  []int32
	}{
		{"keeps the largest", []float32{1, 5, 3, 4}, 2, []float32{0, 5, 0, 4}, []int32{1, 3}},
		{"ties go to the lower index", []float32{2, 7, 2, 2}, 2, []float32{2, 7, 0, 0}, []int32{0, 1}},
		{"all equal", []float32{3, 3, 3, 3, 3}, 3, []float32{3, 3, 3, 0, 0}, []int32{0, 1, 2}},
		{"k = n keeps all", []float32{1, -2, 3}, 3, []float32{1, -2, 3}, []int32{0, 1, 2}},
		{"k > n keeps all", []float32{1, -2}, 5, []float32{1, -2}, []int32{0, 1}},
		{"k = 1", []float32{-1, -0.5, -3}, 1, []float32{0, -0.5, 0}, []int32{1}},
		{"negatives below zeros (relu output)", []float32{0, -1, 0, 2, -3}, 3, []float32{0, 0, 0, 2, 0}, []int32{0, 2, 3}},
		{"-0 equals +0", []float32{negZero, 0, -1}, 1, []float32{0, 0, 0}, []int32{0}},
		{"NaN ranks below -Inf", []float32{nan, -inf, 1}, 2, []float32{0, -inf, 1}, []int32{1, 2}},
		{"+Inf first", []float32{1, inf, 2}, 1, []float32{0, inf, 0}, []int32{1}},
		{"k = 0 silences all", []float32{1, 2}, 0, []float32{0, 0}, []int32{}},
	}
	for _, c := range cases {
		got, sel := capOf(c.x, c.k)
		if !slices.Equal(sel, c.sel) {
			t.Errorf("%s: kept %v, want %v", c.name, sel, c.sel)
		}
		for i := range got {
			if got[i] != c.want[i] && !(got[i] != got[i] && c.want[i] != c.want[i]) {
				t.Errorf("%s: x = %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}

func TestCapLargeAgainstSort(t *testing.T) {
	// A slow, obviously right top-k: sort indices by (value desc, index asc).
	for _, n := range []int{1, 2, 7, 64, 1000} {
		for _, k := range []int{1, n / 3, n / 2, n - 1} {
			if k < 1 {
				continue
			}
			x := make([]float32, n)
			for i := range x {
				x[i] = float32((i*7919)%13) - 6 // many ties
			}
			idx := make([]int, n)
			for i := range idx {
				idx[i] = i
			}
			slices.SortStableFunc(idx, func(a, b int) int {
				switch {
				case x[a] > x[b]:
					return -1
				case x[a] < x[b]:
					return 1
				}
				return a - b
			})
			want := slices.Clone(idx[:k])
			slices.Sort(want)
			_, sel := capOf(x, k)
			if len(sel) != k {
				t.Fatalf("n %d k %d: kept %d", n, k, len(sel))
			}
			for i := range want {
				if int(sel[i]) != want[i] {
					t.Fatalf("n %d k %d: kept %v, want %v", n, k, sel, want)
				}
			}
		}
	}
}

func TestMatVecAndNormsKnownAnswers(t *testing.T) {
	a := []float32{1, 2, 3, 4, 5, 6} // 2 x 3
	dst := make([]float32, 2)
	MatVec(dst, a, 2, 3, []float32{1, 0, -1})
	if !slices.Equal(dst, []float32{-2, -2}) {
		t.Errorf("MatVec = %v, want [-2 -2]", dst)
	}
	MatVecCols(dst, a, 2, 3, []float32{1, 9, -1}, []int32{0, 2})
	if !slices.Equal(dst, []float32{-2, -2}) {
		t.Errorf("MatVecCols skipping column 1 = %v, want [-2 -2]", dst)
	}
	norms := make([]float32, 3)
	ColumnNorms(norms, []float32{3, 0, 1, 4, 0, 0}, 2, 3)
	if !slices.Equal(norms, []float32{5, 0, 1}) {
		t.Errorf("ColumnNorms = %v, want [5 0 1]", norms)
	}
	row := []float32{1, 1, 1}
	AddLookup(row, []float32{10, 20, 30}, []uint8{2, 0, 2})
	if !slices.Equal(row, []float32{31, 11, 31}) {
		t.Errorf("AddLookup = %v, want [31 11 31]", row)
	}
	lp := make([]float32, 3)
	if best := LogSoftmax(lp, []float32{0, 2, 2}); best != 1 {
		t.Errorf("LogSoftmax argmax %d, want 1 (first of the tied)", best)
	}
	var s float64
	for _, v := range lp {
		s += math.Exp(float64(v))
	}
	if math.Abs(s-1) > 1e-6 {
		t.Errorf("softmax sums to %v", s)
	}
}
