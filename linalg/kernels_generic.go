package linalg

import "math"

// This file holds the pure-Go kernels. They are always compiled and are the
// specification the assembly must agree with: bit for bit for the cap and the
// table lookups, within float32 rounding for the sums.

func dotGeneric(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
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

func matVecGeneric(dst, a []float32, rows, cols int, x []float32) {
	x = x[:cols]
	for i := range rows {
		dst[i] = dotGeneric(a[i*cols:(i+1)*cols], x)
	}
}

func matVecColsGeneric(dst, a []float32, rows, cols int, x []float32, idx []int32) {
	for i := range rows {
		row := a[i*cols : (i+1)*cols]
		var s float32
		for _, j := range idx {
			s += row[j] * x[j]
		}
		dst[i] = s
	}
}

func axpyGeneric(dst []float32, alpha float32, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += alpha * x[i]
	}
}

func addLookupGeneric(row, table []float32, idx []uint8) {
	idx = idx[:len(row)]
	for j := range row {
		row[j] += table[idx[j]]
	}
}

func addConstGeneric(row []float32, c float32) {
	for j := range row {
		row[j] += c
	}
}

func addSquaresGeneric(acc, row []float32) {
	row = row[:len(acc)]
	for j := range acc {
		acc[j] += row[j] * row[j]
	}
}

func mulElemGeneric(row, s []float32) {
	s = s[:len(row)]
	for j := range row {
		row[j] *= s[j]
	}
}

// capKey maps a float32 to a uint32 whose unsigned order is the cap's order of
// values: NaN lowest of all, then -Inf ... +Inf, with -0 and +0 equal.
func capKey(v float32) uint32 {
	if v != v {
		return 0
	}
	if v == 0 {
		return 0x80000000
	}
	b := math.Float32bits(v)
	if b&0x80000000 == 0 {
		return b | 0x80000000
	}
	return ^b
}

func capGeneric(x []float32, k int, sel []int32, scratch []uint64) int {
	n := len(x)
	if k >= n {
		for i := range x {
			sel[i] = int32(i)
		}
		return n
	}
	if k <= 0 {
		clear(x)
		return 0
	}
	// A composite key orders by value, then by lower index, and is unique, so
	// the selected set never depends on the selection algorithm.
	keys := scratch[:n]
	for i, v := range x {
		keys[i] = uint64(capKey(v))<<32 | uint64(^uint32(i))
	}
	t := kthLargest(keys, k)
	m := 0
	for i, v := range x {
		if uint64(capKey(v))<<32|uint64(^uint32(i)) >= t {
			sel[m] = int32(i)
			m++
		} else {
			x[i] = 0
		}
	}
	return m
}

// kthLargest returns the k-th largest (1-based) of distinct keys, reordering
// keys in place (quickselect with a median-of-three pivot).
func kthLargest(keys []uint64, k int) uint64 {
	lo, hi := 0, len(keys)-1
	want := k - 1 // position in descending order
	for lo < hi {
		mid := lo + (hi-lo)/2
		a, b, c := keys[lo], keys[mid], keys[hi]
		pivot := b
		if (a > b) != (a > c) {
			pivot = a
		} else if (c > a) != (c > b) {
			pivot = c
		}
		i, j := lo, hi
		for i <= j {
			for keys[i] > pivot {
				i++
			}
			for keys[j] < pivot {
				j--
			}
			if i <= j {
				keys[i], keys[j] = keys[j], keys[i]
				i++
				j--
			}
		}
		switch {
		case want <= j:
			hi = j
		case want >= i:
			lo = i
		default:
			return keys[want]
		}
	}
	return keys[want]
}

func matVecTransGeneric(dst, a []float32, rows, cols int, v []float32) {
	dst = dst[:cols]
	for i := range rows {
		row := a[i*cols : (i+1)*cols]
		vi := v[i]
		for j, w := range row {
			dst[j] += vi * w
		}
	}
}

func addOuterGeneric(a []float32, rows, cols int, u, v []float32) {
	v = v[:cols]
	for i := range rows {
		row := a[i*cols : (i+1)*cols]
		ui := u[i]
		for j, w := range v {
			row[j] += ui * w
		}
	}
}

func addScaledGeneric(dst, x []float32, alpha float32, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + alpha*y[i]
	}
}

func sigmoidGeneric(x []float32) {
	for i, v := range x {
		x[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}

func reluGeneric(x []float32) {
	for i, v := range x {
		if !(v > 0) {
			x[i] = 0
		}
	}
}

func addRowsGeneric(a []float32, rows, cols int, tab []float32, which []uint8) {
	for i, q := range which[:rows] {
		row, t := a[i*cols:(i+1)*cols], tab[int(q)*cols:(int(q)+1)*cols]
		for j, v := range t {
			row[j] += v
		}
	}
}

func matVecBatchGeneric(dst, a []float32, rows, cols int, x []float32, n int) {
	for s := range n {
		matVecGeneric(dst[s*rows:(s+1)*rows], a, rows, cols, x[s*cols:(s+1)*cols])
	}
}

func matVecTransRowsGeneric(dst, a []float32, cols int, v []float32, idx []int32) {
	dst = dst[:cols]
	for _, j := range idx {
		vj, row := v[j], a[int(j)*cols:(int(j)+1)*cols]
		for i, w := range row {
			dst[i] += vj * w
		}
	}
}

func addRows4Generic(a []float32, rows, cols int, tab []float32, which []int32) {
	for j := range rows {
		w := which[4*j : 4*j+4]
		t0, t1 := tab[int(w[0])*cols:(int(w[0])+1)*cols], tab[int(w[1])*cols:(int(w[1])+1)*cols]
		t2, t3 := tab[int(w[2])*cols:(int(w[2])+1)*cols], tab[int(w[3])*cols:(int(w[3])+1)*cols]
		row := a[j*cols : (j+1)*cols]
		for i, x := range row {
			x += t0[i]
			x += t1[i]
			x += t2[i]
			x += t3[i]
			row[i] = x
		}
	}
}

// transposeGeneric transposes tile by tile, so that both matrices stay in
// the cache.
func transposeGeneric(dst, a []float32, rows, cols int) {
	const tile = 32
	for i0 := 0; i0 < rows; i0 += tile {
		i1 := min(i0+tile, rows)
		for j0 := 0; j0 < cols; j0 += tile {
			j1 := min(j0+tile, cols)
			for i := i0; i < i1; i++ {
				row := a[i*cols+j0 : i*cols+j1]
				for j, v := range row {
					dst[(j0+j)*rows+i] = v
				}
			}
		}
	}
}
