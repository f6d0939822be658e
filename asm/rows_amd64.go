//go:build gc && !purego

package asm

// Kernels over whole matrices: the hidden weights' rule update, fused with the
// product that follows it, and products of one matrix with many vectors.

// AddRowsAVX2 adds row which[i] of the table tab (rows of cols entries) to row
// i of the row-major matrix a, a[i*cols+j] += tab[which[i]*cols+j], for every
// i < len(which) and j < cols&^7. The caller guarantees every which[i] names a
// row of tab and len(a) >= len(which)*cols.
//
//go:noescape
func AddRowsAVX2(a []float32, cols int, tab []float32, which []uint8)

// AddRowsMatVecAVX2 is AddRowsAVX2 over the rows i < len(dst) followed by
// MatVecAVX2 with the updated a, in one pass over a, and rounds exactly as the
// two do one after the other. The caller guarantees cols >= 8, len(which) >=
// len(dst) and what the two kernels need.
//
//go:noescape
func AddRowsMatVecAVX2(dst, a []float32, cols int, tab []float32, which []uint8, x []float32)

// MatVecBatchAVX2 sets dst[s*rows+i] = sum_{j < cols&^7} a[i*cols+j]*x[s*cols+j]
// for every row i < rows and vector s < n, four rows and three vectors at a
// time so that each load of a serves three vectors. Every entry is summed the
// same way (one accumulator of 8 lanes, then a fixed pairwise tree), whatever
// its place in the blocks. The caller guarantees cols >= 8, len(a) >=
// rows*cols, len(x) >= n*cols and len(dst) >= n*rows.
//
//go:noescape
func MatVecBatchAVX2(dst, a []float32, rows, cols int, x []float32, n int)
