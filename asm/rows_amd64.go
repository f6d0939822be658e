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

// MatVecTransRowsAVX2 adds v[j]*a[j*cols+i] to dst[i] for every j listed in
// idx, in the order listed, and every i < len(dst)&^7: the product of A^T with
// a vector that is zero outside idx, reading only those rows. Each sum is a
// chain of fused multiply-adds in idx's order, whatever the rows the kernel
// takes per sweep over dst (twelve, then four, then one). The caller
// guarantees every idx is a row of a and of v, and len(dst) <= cols.
//
//go:noescape
func MatVecTransRowsAVX2(dst, a []float32, cols int, v []float32, idx []int32)

// AddRows4AVX2 adds four table rows to each row of a, one after the other:
// a[j*cols+i] = (((a + tab[w0*cols+i]) + tab[w1*cols+i]) + tab[w2*cols+i]) +
// tab[w3*cols+i] with w0..w3 = which[4j..4j+3], for every row j <
// len(which)/4 and i < cols&^7. It applies four steps of the hidden rule in
// one pass, rounding as four AddRows would. The caller guarantees every
// which names a row of tab and len(a) >= len(which)/4*cols.
//
//go:noescape
func AddRows4AVX2(a []float32, cols int, tab []float32, which []int32)

// TransposeAVX2 sets dst[j*rows+i] = a[i*cols+j] for i < rows&^7 and j <
// cols&^7, in blocks of 8 x 8 transposed in registers. The caller guarantees
// len(a) >= rows*cols and len(dst) >= cols*rows.
//
//go:noescape
func TransposeAVX2(dst, a []float32, rows, cols int)
