//go:build !amd64 || !gc || purego

package linalg

func matVecTransRowsSpan(dst, a []float32, rows, cols, lo, hi int, v []float32, idx []int32) {
	matVecTransRowsSpanGeneric(dst, a, cols, lo, hi, v, idx)
}
