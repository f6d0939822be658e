package linalg

import "fmt"

// MatVecTransRowsSpan is MatVecTransRows on the columns lo..hi-1 only: it
// adds to dst[i], for lo <= i < hi, the sum over the rows j listed in idx of
// v[j] a[j*cols+i], with the operations, in the same order, that
// MatVecTransRows makes on those columns, so the two agree bit for bit. lo
// must be a multiple of 8 and hi one too or cols. An evaluation that runs a
// block of samples over the same rows takes them a span of columns at a time,
// so that the spans of the rows it reads stay in the cache for every sample.
func MatVecTransRowsSpan(dst, a []float32, rows, cols, lo, hi int, v []float32, idx []int32) {
	checkMat("MatVecTransRowsSpan", a, rows, cols)
	if lo < 0 || hi < lo || hi > cols || lo%8 != 0 || (hi%8 != 0 && hi != cols) {
		panic(fmt.Sprintf("linalg.MatVecTransRowsSpan: columns %d..%d of %d", lo, hi, cols))
	}
	if len(dst) < cols || len(v) < rows {
		panic(fmt.Sprintf("linalg.MatVecTransRowsSpan: dst %d, v %d for %dx%d", len(dst), len(v), rows, cols))
	}
	checkIndices("MatVecTransRowsSpan", "row", idx, rows)
	if lo == hi {
		return
	}
	matVecTransRowsSpan(dst, a, rows, cols, lo, hi, v, idx)
}

// matVecTransRowsSpanGeneric is matVecTransRowsGeneric on columns lo..hi-1.
// MatVecTransRowsBlock is MatVecTransRowsSpan over a block of vectors, span
// by span: for each span of width columns (the last one shorter), every
// vector t < len(idx) adds A^T v_t on that span to dst_t, where dst_t =
// dst[t*dstStride:], v_t = v[t*vStride:] and idx[t] lists the rows where v_t
// is not zero. Each dst_t ends as MatVecTransRows leaves it, bit for bit. The
// operands are checked once per vector, not once per span. width must be a
// positive multiple of 8.
func MatVecTransRowsBlock(dst []float32, dstStride int, a []float32, rows, cols int, v []float32, vStride int,
	idx [][]int32, width int) {
	checkMat("MatVecTransRowsBlock", a, rows, cols)
	if width <= 0 || width%8 != 0 {
		panic(fmt.Sprintf("linalg.MatVecTransRowsBlock: span width %d", width))
	}
	m := len(idx)
	if m == 0 || cols == 0 {
		return
	}
	if dstStride < 0 || vStride < 0 || len(dst) < (m-1)*dstStride+cols || len(v) < (m-1)*vStride+rows {
		panic(fmt.Sprintf("linalg.MatVecTransRowsBlock: dst %d (stride %d), v %d (stride %d) for %d vectors, %dx%d",
			len(dst), dstStride, len(v), vStride, m, rows, cols))
	}
	for _, ix := range idx {
		checkIndices("MatVecTransRowsBlock", "row", ix, rows)
	}
	for lo := 0; lo < cols; lo += width {
		hi := min(lo+width, cols)
		for t, ix := range idx {
			matVecTransRowsSpan(dst[t*dstStride:t*dstStride+cols], a, rows, cols, lo, hi, v[t*vStride:t*vStride+rows], ix)
		}
	}
}

func matVecTransRowsSpanGeneric(dst, a []float32, cols, lo, hi int, v []float32, idx []int32) {
	dt := dst[lo:hi]
	for _, j := range idx {
		vj, row := v[j], a[int(j)*cols+lo:int(j)*cols+hi]
		for i, w := range row {
			dt[i] += vj * w
		}
	}
}
