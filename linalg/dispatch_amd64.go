//go:build gc && !purego

package linalg

import (
	"fmt"
	"math"
	"math/bits"
	"unsafe"

	"github.com/klauspost/cpuid/v2"

	"plasticity/asm"
)

// hasAVX2 says whether this CPU can run the assembly kernels; useAVX2 whether
// they run now. It is chosen once here and changed only by SetKernel, so each
// kernel call costs one predictable branch.
var (
	hasAVX2 = cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3)
	useAVX2 = hasAVX2
)

func kernels() []string {
	if hasAVX2 {
		return []string{"avx2", "generic"}
	}
	return []string{"generic"}
}

func kernel() string {
	if useAVX2 {
		return "avx2"
	}
	return "generic"
}

func setKernel(name string) { useAVX2 = name == "avx2" }

// The functions below pass whole vector blocks to the assembly and finish the
// remaining elements in Go. Below a few blocks, where the call and the tail
// cost more than the vectors save (measured at the synthetic scale's lengths
// of 10 and 20), they run the generic code.

func dot(x, y []float32) float32 {
	if !useAVX2 || len(x) < 32 {
		return dotGeneric(x, y)
	}
	y = y[:len(x)]
	s := asm.DotAVX2(x, y)
	for i := len(x) &^ 7; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

func matVec(dst, a []float32, rows, cols int, x []float32) {
	if !useAVX2 || cols < 8 {
		matVecGeneric(dst, a, rows, cols, x)
		return
	}
	dst = dst[:rows]
	asm.MatVecAVX2(dst, a[:rows*cols], cols, x[:cols])
	if b := cols &^ 7; b < cols {
		xt := x[b:cols]
		for i := range dst {
			row := a[i*cols+b : (i+1)*cols]
			s := dst[i]
			for j, v := range row {
				s += v * xt[j]
			}
			dst[i] = s
		}
	}
}

func matVecCols(dst, a []float32, rows, cols int, x []float32, idx []int32) {
	if !useAVX2 || len(idx) < 8 {
		matVecColsGeneric(dst, a, rows, cols, x, idx)
		return
	}
	// A gather is slow (on AMD Zen 3 a gathered block costs about ten
	// loaded ones), so from one kept column in eight on, a dense product
	// with a copy of x that is zero outside idx is faster. The copy lives
	// on the stack, in the smallest of three sizes that holds it, since Go
	// zeroes the whole array.
	if 8*len(idx) >= cols {
		switch {
		case cols <= 64:
			var buf [64]float32
			matVecColsDense(dst, a, rows, cols, x, idx, buf[:cols])
			return
		case cols <= 1024:
			var buf [1024]float32
			matVecColsDense(dst, a, rows, cols, x, idx, buf[:cols])
			return
		case cols <= 4096:
			var buf [4096]float32
			matVecColsDense(dst, a, rows, cols, x, idx, buf[:cols])
			return
		}
	}
	dst = dst[:rows]
	asm.MatVecColsAVX2(dst, a[:rows*cols], cols, x[:cols], idx)
	if b := len(idx) &^ 7; b < len(idx) {
		it := idx[b:]
		for i := range dst {
			row := a[i*cols : (i+1)*cols]
			s := dst[i]
			for _, j := range it {
				s += row[j] * x[j]
			}
			dst[i] = s
		}
	}
}

// matVecColsDense is matVecCols as a dense product with xs, all zero, set to
// x on the columns of idx.
func matVecColsDense(dst, a []float32, rows, cols int, x []float32, idx []int32, xs []float32) {
	for _, j := range idx {
		xs[j] += x[j]
	}
	matVec(dst, a, rows, cols, xs)
	// 0 * Inf or 0 * NaN in a column outside idx makes a NaN the generic
	// sum never sees: redo such rows over idx alone.
	for i, v := range dst[:rows] {
		if v != v {
			matVecColsGeneric(dst[i:i+1], a[i*cols:(i+1)*cols], 1, cols, x, idx)
		}
	}
}

func matVecTrans(dst, a []float32, rows, cols int, v []float32) {
	if !useAVX2 || cols < 8 {
		matVecTransGeneric(dst, a, rows, cols, v)
		return
	}
	dst, v = dst[:cols], v[:rows]
	asm.MatVecTransAVX2(dst, a[:rows*cols], cols, v)
	if b := cols &^ 7; b < cols {
		dt := dst[b:]
		for i, vi := range v {
			row := a[i*cols+b : (i+1)*cols]
			for j, w := range row {
				dt[j] += vi * w
			}
		}
	}
}

func addOuter(a []float32, rows, cols int, u, v []float32) {
	if !useAVX2 || cols < 8 {
		addOuterGeneric(a, rows, cols, u, v)
		return
	}
	u, v = u[:rows], v[:cols]
	asm.AddOuterAVX2(a[:rows*cols], cols, u, v)
	if b := cols &^ 7; b < cols {
		vt := v[b:]
		for i, ui := range u {
			row := a[i*cols+b : (i+1)*cols]
			for j, w := range vt {
				row[j] += ui * w
			}
		}
	}
}

func axpy(dst []float32, alpha float32, x []float32) {
	if !useAVX2 {
		axpyGeneric(dst, alpha, x)
		return
	}
	x = x[:len(dst)]
	asm.AxpyAVX2(dst, alpha, x)
	for i := len(dst) &^ 7; i < len(dst); i++ {
		dst[i] += alpha * x[i]
	}
}

func addConst(row []float32, c float32) {
	if !useAVX2 || len(row) < 16 {
		addConstGeneric(row, c)
		return
	}
	asm.AddConstAVX2(row, c)
	for i := len(row) &^ 7; i < len(row); i++ {
		row[i] += c
	}
}

func addSquares(acc, row []float32) {
	if !useAVX2 || len(acc) < 16 {
		addSquaresGeneric(acc, row)
		return
	}
	row = row[:len(acc)]
	asm.AddSquaresAVX2(acc, row)
	for i := len(acc) &^ 7; i < len(acc); i++ {
		acc[i] += row[i] * row[i]
	}
}

func mulElem(row, s []float32) {
	if !useAVX2 || len(row) < 16 {
		mulElemGeneric(row, s)
		return
	}
	s = s[:len(row)]
	asm.MulElemAVX2(row, s)
	for i := len(row) &^ 7; i < len(row); i++ {
		row[i] *= s[i]
	}
}

func addLookup(row, table []float32, idx []uint8) {
	// Tables of up to 16 entries (R <= 3) fit in two registers; larger ones
	// take the generic loop.
	if !useAVX2 || len(table) > 16 || len(row) < 32 {
		addLookupGeneric(row, table, idx)
		return
	}
	t := &[16]float32{}
	if len(table) == 16 {
		t = (*[16]float32)(table)
	} else {
		copy(t[:], table)
	}
	b := len(row) &^ 7
	if m := asm.AddLookup16AVX2(row, t, idx[:b]); int(m) >= len(table) {
		panic(fmt.Sprintf("linalg.AddLookup: index %d out of a table of %d", m, len(table)))
	}
	addLookupGeneric(row[b:], table, idx[b:len(row)])
}

// capSelect is capGeneric by a threshold instead of a selection: the k-th
// largest key is found by bisection over its bits with vector counting
// passes, and ties at the threshold go to the lowest indices, which is the
// generic composite key's order.
func capSelect(x []float32, k int, sel []int32, scratch []uint64) int {
	n := len(x)
	if !useAVX2 || n < 8 || k <= 0 || k >= n {
		return capGeneric(x, k, sel, scratch)
	}
	// scratch holds 2n int32 keys; n >= 8 leaves room to pad to a block
	// with keys that no threshold counts.
	np := (n + 7) &^ 7
	keys := unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(scratch))), 2*len(scratch))[:np]
	b := n &^ 7
	lo, hi := asm.CapKeysAVX2(keys[:b], x[:b])
	for i := b; i < n; i++ {
		key := int32(capKey(x[i]) ^ 0x80000000)
		keys[i] = key
		lo, hi = min(lo, key), max(hi, key)
	}
	for i := n; i < np; i++ {
		keys[i] = math.MinInt32
	}
	// Every key shares the bits above the highest one where the smallest
	// and the largest differ, so the bisection starts below them, from a
	// threshold every key reaches.
	ulo, uhi := uint32(lo)^0x80000000, uint32(hi)^0x80000000
	u0, bit := uhi, uint32(0) // all keys equal: only the final pass
	if d := ulo ^ uhi; d != 0 {
		bit = 1 << (bits.Len32(d) - 1)
		u0 = uhi &^ (bit<<1 - 1)
	}
	t, need := asm.CapThresholdAVX2(keys, k, u0, bit)
	m, need := asm.CapSelectAVX2(x[:b], keys[:b], t, need, sel, 0)
	for i := b; i < n; i++ {
		switch key := keys[i]; {
		case key > t:
		case key == t && need > 0:
			need--
		default:
			x[i] = 0
			continue
		}
		sel[m] = int32(i)
		m++
	}
	return m
}

func addScaled(dst, x []float32, alpha float32, y []float32) {
	if !useAVX2 {
		addScaledGeneric(dst, x, alpha, y)
		return
	}
	x, y = x[:len(dst)], y[:len(dst)]
	asm.AddScaledAVX2(dst, x, alpha, y)
	for i := len(dst) &^ 7; i < len(dst); i++ {
		dst[i] = x[i] + alpha*y[i]
	}
}

func sigmoid(x []float32) {
	if !useAVX2 {
		sigmoidGeneric(x)
		return
	}
	asm.SigmoidAVX2(x)
	// The tail goes through the assembly too, padded to a block: the
	// generic exp costs ten times more per value.
	if t := x[len(x)&^7:]; len(t) > 0 {
		var buf [8]float32
		copy(buf[:], t)
		asm.SigmoidAVX2(buf[:])
		copy(t, buf[:])
	}
}

func relu(x []float32) {
	if !useAVX2 {
		reluGeneric(x)
		return
	}
	asm.ReLUAVX2(x)
	reluGeneric(x[len(x)&^7:])
}

func addRows(a []float32, rows, cols int, tab []float32, which []uint8) {
	if !useAVX2 || cols < 16 {
		addRowsGeneric(a, rows, cols, tab, which)
		return
	}
	which = which[:rows]
	asm.AddRowsAVX2(a[:rows*cols], cols, tab, which)
	if b := cols &^ 7; b < cols {
		for i, q := range which {
			row, t := a[i*cols+b:(i+1)*cols], tab[int(q)*cols+b:(int(q)+1)*cols]
			for j, v := range t {
				row[j] += v
			}
		}
	}
}

// addRowsMatVec is addRows then matVec. Its assembly repeats MatVecAVX2's
// sums, and below 8 columns both run the generic code, so the result is
// that of the two calls bit for bit on either kernel set.
func addRowsMatVec(dst, a []float32, rows, cols int, tab []float32, which []uint8, x []float32) {
	if !useAVX2 || cols < 8 {
		addRows(a, rows, cols, tab, which)
		matVec(dst, a, rows, cols, x)
		return
	}
	dst, which = dst[:rows], which[:rows]
	asm.AddRowsMatVecAVX2(dst, a[:rows*cols], cols, tab, which, x[:cols])
	if b := cols &^ 7; b < cols {
		xt := x[b:cols]
		for i, q := range which {
			row, t := a[i*cols+b:(i+1)*cols], tab[int(q)*cols+b:(int(q)+1)*cols]
			s := dst[i]
			for j, v := range t {
				row[j] += v
				s += row[j] * xt[j]
			}
			dst[i] = s
		}
	}
}

func matVecBatch(dst, a []float32, rows, cols int, x []float32, n int) {
	if !useAVX2 || cols < 8 {
		matVecBatchGeneric(dst, a, rows, cols, x, n)
		return
	}
	asm.MatVecBatchAVX2(dst[:n*rows], a[:rows*cols], rows, cols, x[:n*cols], n)
	if b := cols &^ 7; b < cols {
		for s := range n {
			xt, d := x[s*cols+b:(s+1)*cols], dst[s*rows:(s+1)*rows]
			for i := range d {
				row := a[i*cols+b : (i+1)*cols]
				v := d[i]
				for j, w := range row {
					v += w * xt[j]
				}
				d[i] = v
			}
		}
	}
}

func matVecTransRows(dst, a []float32, rows, cols int, v []float32, idx []int32) {
	if !useAVX2 || cols < 8 {
		matVecTransRowsGeneric(dst, a, cols, v, idx)
		return
	}
	dst = dst[:cols]
	asm.MatVecTransRowsAVX2(dst, a[:rows*cols], cols, v[:rows], idx)
	if b := cols &^ 7; b < cols {
		dt := dst[b:]
		for _, j := range idx {
			vj, row := v[j], a[int(j)*cols+b:(int(j)+1)*cols]
			for i, w := range row {
				dt[i] += vj * w
			}
		}
	}
}

func addRows4(a []float32, rows, cols int, tab []float32, which []int32) {
	if !useAVX2 || cols < 16 || rows == 0 {
		addRows4Generic(a, rows, cols, tab, which)
		return
	}
	which = which[:4*rows]
	asm.AddRows4AVX2(a[:rows*cols], cols, tab, which)
	if b := cols &^ 7; b < cols {
		for j := range rows {
			w := which[4*j : 4*j+4]
			row := a[j*cols+b : (j+1)*cols]
			for i := range row {
				x := row[i]
				for _, q := range w {
					x += tab[int(q)*cols+b+i]
				}
				row[i] = x
			}
		}
	}
}

func transpose(dst, a []float32, rows, cols int) {
	if !useAVX2 || rows < 8 || cols < 8 {
		transposeGeneric(dst, a, rows, cols)
		return
	}
	asm.TransposeAVX2(dst[:rows*cols], a[:rows*cols], rows, cols)
	// The rows and columns left over, below and right of the blocks.
	rb, cb := rows&^7, cols&^7
	for i := range rows {
		j0 := cb
		if i >= rb {
			j0 = 0
		}
		for j := j0; j < cols; j++ {
			dst[j*rows+i] = a[i*cols+j]
		}
	}
}
