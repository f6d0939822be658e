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
func matVecTransRowsSpanGeneric(dst, a []float32, cols, lo, hi int, v []float32, idx []int32) {
	dt := dst[lo:hi]
	for _, j := range idx {
		vj, row := v[j], a[int(j)*cols+lo:int(j)*cols+hi]
		for i, w := range row {
			dt[i] += vj * w
		}
	}
}
