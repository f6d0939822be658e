//go:build !amd64 || !gc || purego

package linalg

func backUndoRow(g, w, d, inv, mul, next, tbl []float32, idx []uint8) {
	backUndoRowGeneric(g, w, d, inv, mul, next, tbl, idx)
}
