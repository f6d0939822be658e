//go:build !amd64 || !gc || purego

package linalg

// Without assembly every kernel is the generic one.

func kernels() []string { return []string{"generic"} }
func kernel() string    { return "generic" }
func setKernel(string)  {}

func dot(x, y []float32) float32 { return dotGeneric(x, y) }

func matVec(dst, a []float32, rows, cols int, x []float32) {
	matVecGeneric(dst, a, rows, cols, x)
}

func matVecCols(dst, a []float32, rows, cols int, x []float32, idx []int32) {
	matVecColsGeneric(dst, a, rows, cols, x, idx)
}

func matVecTrans(dst, a []float32, rows, cols int, v []float32) {
	matVecTransGeneric(dst, a, rows, cols, v)
}

func addOuter(a []float32, rows, cols int, u, v []float32) { addOuterGeneric(a, rows, cols, u, v) }

func axpy(dst []float32, alpha float32, x []float32) { axpyGeneric(dst, alpha, x) }
func addConst(row []float32, c float32)              { addConstGeneric(row, c) }
func addSquares(acc, row []float32)                  { addSquaresGeneric(acc, row) }
func mulElem(row, s []float32)                       { mulElemGeneric(row, s) }
func addLookup(row, table []float32, idx []uint8)    { addLookupGeneric(row, table, idx) }

func capSelect(x []float32, k int, sel []int32, scratch []uint64) int {
	return capGeneric(x, k, sel, scratch)
}

func addScaled(dst, x []float32, alpha float32, y []float32) { addScaledGeneric(dst, x, alpha, y) }
func sigmoid(x []float32)                                    { sigmoidGeneric(x) }
func relu(x []float32)                                       { reluGeneric(x) }

func addRows(a []float32, rows, cols int, tab []float32, which []uint8) {
	addRowsGeneric(a, rows, cols, tab, which)
}

func addRowsMatVec(dst, a []float32, rows, cols int, tab []float32, which []uint8, x []float32) {
	addRowsGeneric(a, rows, cols, tab, which)
	matVecGeneric(dst, a, rows, cols, x)
}

func matVecBatch(dst, a []float32, rows, cols int, x []float32, n int) {
	matVecBatchGeneric(dst, a, rows, cols, x, n)
}

func matVecTransRows(dst, a []float32, rows, cols int, v []float32, idx []int32) {
	matVecTransRowsGeneric(dst, a, cols, v, idx)
}

func addRows4(a []float32, rows, cols int, tab []float32, which []int32) {
	addRows4Generic(a, rows, cols, tab, which)
}

func transpose(dst, a []float32, rows, cols int) { transposeGeneric(dst, a, rows, cols) }
