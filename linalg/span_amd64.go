//go:build gc && !purego

package linalg

import "plasticity/asm"

// matVecTransRowsSpan splits the span as matVecTransRows splits the whole
// row: the whole blocks of 8 below cols&^7 in the assembly, the tail in Go.
func matVecTransRowsSpan(dst, a []float32, rows, cols, lo, hi int, v []float32, idx []int32) {
	if !useAVX2 || cols < 8 {
		matVecTransRowsSpanGeneric(dst, a, cols, lo, hi, v, idx)
		return
	}
	b := cols &^ 7
	if m := min(hi, b); m > lo {
		asm.MatVecTransRowsAVX2(dst[lo:m], a[lo:rows*cols], cols, v[:rows], idx)
	}
	if t := max(lo, b); t < hi {
		matVecTransRowsSpanGeneric(dst, a, cols, t, hi, v, idx)
	}
}
