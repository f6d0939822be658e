// Package linalg holds the numeric kernels of plasticity behind a small Go API:
// matrix-vector products, the top-k cap, the table-driven weight update and
// column norms, all over flat row-major []float32. It knows nothing of
// networks. Every kernel has a pure-Go version (kernels_generic.go) that is the
// specification; faster versions must agree with it.
//
// On amd64 the kernels run hand-written AVX2/FMA assembly (package asm) when
// the CPU has it, chosen once at start-up; the purego build tag or another
// architecture keeps the pure-Go versions. The assembly agrees with them bit
// for bit in Cap, AddLookup, AddRows, AddRows4, AddConst, MulElem,
// ScaleColumns and ReLU (but for which payload an operation on two NaNs
// returns, which Go leaves to the compiler), and within one unit in the last
// place in Sigmoid. Sums (Dot, MatVec, MatVecBatch, MatVecCols, MatVecTrans,
// MatVecTransRows, AddSquares, ColumnNorms) and the fused multiply-adds (Axpy,
// AddScaled, AddOuter) may differ within float32 rounding: for a sum of terms
// t_i, by at most a few times n*2^-24*sum|t_i|. AddRowsMatVec equals AddRows
// then MatVec on the same kernel set, bit for bit. BackUndoRow fuses its
// multiply-adds within the bound its doc states.
package linalg

import (
	"fmt"
	"math"
)

// Dot returns the inner product of x and y, which must have equal lengths.
func Dot(x, y []float32) float32 {
	if len(x) != len(y) {
		panic(fmt.Sprintf("linalg.Dot: lengths %d and %d", len(x), len(y)))
	}
	return dot(x, y)
}

// MatVec sets dst = A x for the rows x cols row-major matrix a.
func MatVec(dst, a []float32, rows, cols int, x []float32) {
	checkMat("MatVec", a, rows, cols)
	if len(dst) < rows || len(x) < cols {
		panic(fmt.Sprintf("linalg.MatVec: dst %d, x %d for %dx%d", len(dst), len(x), rows, cols))
	}
	matVec(dst, a, rows, cols, x)
}

// MatVecCols sets dst = A x using only the columns listed in idx; the other
// entries of x are taken to be zero. It is the product after a cap, where most
// of x is zero.
func MatVecCols(dst, a []float32, rows, cols int, x []float32, idx []int32) {
	checkMat("MatVecCols", a, rows, cols)
	if len(dst) < rows || len(x) < cols {
		panic(fmt.Sprintf("linalg.MatVecCols: dst %d, x %d for %dx%d", len(dst), len(x), rows, cols))
	}
	checkIndices("MatVecCols", "column", idx, cols)
	matVecCols(dst, a, rows, cols, x, idx)
}

// MatVecTrans adds A^T v to dst (dst[j] += sum_i v[i]*a[i*cols+j]) for the
// rows x cols row-major matrix a: the product with the transpose that
// backpropagation needs, without transposing.
func MatVecTrans(dst, a []float32, rows, cols int, v []float32) {
	checkMat("MatVecTrans", a, rows, cols)
	if len(dst) < cols || len(v) < rows {
		panic(fmt.Sprintf("linalg.MatVecTrans: dst %d, v %d for %dx%d", len(dst), len(v), rows, cols))
	}
	matVecTrans(dst, a, rows, cols, v)
}

// AddOuter adds the outer product u v^T to the rows x cols row-major matrix a
// (a[i*cols+j] += u[i]*v[j]): a rank-1 update.
func AddOuter(a []float32, rows, cols int, u, v []float32) {
	checkMat("AddOuter", a, rows, cols)
	if len(u) < rows || len(v) < cols {
		panic(fmt.Sprintf("linalg.AddOuter: u %d, v %d for %dx%d", len(u), len(v), rows, cols))
	}
	addOuter(a, rows, cols, u, v)
}

// AddScaled sets dst = x + alpha*y, the STREAM triad.
func AddScaled(dst, x []float32, alpha float32, y []float32) {
	if len(x) < len(dst) || len(y) < len(dst) {
		panic(fmt.Sprintf("linalg.AddScaled: x %d, y %d < dst %d", len(x), len(y), len(dst)))
	}
	addScaled(dst, x, alpha, y)
}

// Axpy sets dst += alpha * x.
func Axpy(dst []float32, alpha float32, x []float32) {
	if len(x) < len(dst) {
		panic(fmt.Sprintf("linalg.Axpy: x %d < dst %d", len(x), len(dst)))
	}
	axpy(dst, alpha, x)
}

// AddLookup sets row[j] += table[idx[j]]: the update of one weight row by a
// rule table indexed by the pre-synaptic firing pattern. Every idx must be a
// valid index of table.
func AddLookup(row, table []float32, idx []uint8) {
	if len(idx) < len(row) {
		panic(fmt.Sprintf("linalg.AddLookup: idx %d < row %d", len(idx), len(row)))
	}
	addLookup(row, table, idx)
}

// AddRows adds row which[i] of tab, a table of rows of cols entries, to row i
// of the rows x cols row-major matrix a: a[i*cols+j] += tab[which[i]*cols+j].
// It is the hidden rule's update, whose rows take one of at most P distinct
// values (one per post-synaptic pattern), and rounds as AddLookup does.
func AddRows(a []float32, rows, cols int, tab []float32, which []uint8) {
	checkRows("AddRows", a, rows, cols, tab, which)
	addRows(a, rows, cols, tab, which)
}

// AddRowsMatVec is AddRows followed by MatVec(dst, a, rows, cols, x) with the
// updated matrix, in one pass over a: the update of a lifetime's step fused
// with the next product over the same weights. The results equal those of the
// two calls bit for bit.
func AddRowsMatVec(dst, a []float32, rows, cols int, tab []float32, which []uint8, x []float32) {
	checkRows("AddRowsMatVec", a, rows, cols, tab, which)
	if len(dst) < rows || len(x) < cols {
		panic(fmt.Sprintf("linalg.AddRowsMatVec: dst %d, x %d for %dx%d", len(dst), len(x), rows, cols))
	}
	addRowsMatVec(dst, a, rows, cols, tab, which, x)
}

// MatVecBatch sets dst[s*rows+i] to (A x_s)_i for the n vectors x_s =
// x[s*cols:(s+1)*cols]: n products with one rows x cols row-major matrix,
// computed in blocks that load each part of A once for several vectors. Each
// entry is summed the same way wherever it falls in the blocks, so a vector's
// product does not depend on n or on its place in x (it may differ from
// MatVec's within float32 rounding).
func MatVecBatch(dst, a []float32, rows, cols int, x []float32, n int) {
	checkMat("MatVecBatch", a, rows, cols)
	if n < 0 || len(dst) < n*rows || len(x) < n*cols {
		panic(fmt.Sprintf("linalg.MatVecBatch: dst %d, x %d for %d vectors and %dx%d", len(dst), len(x), n, rows, cols))
	}
	matVecBatch(dst, a, rows, cols, x, n)
}

// MatVecTransRows adds A^T v to dst for a v that is zero outside the rows
// listed in idx (dst[i] += sum over j in idx of v[j]*a[j*cols+i]) for the rows
// x cols row-major matrix a: the product after a cap with the weights stored
// transposed, which reads only the rows the cap kept. Each sum runs in idx's
// order.
func MatVecTransRows(dst, a []float32, rows, cols int, v []float32, idx []int32) {
	checkMat("MatVecTransRows", a, rows, cols)
	if len(dst) < cols || len(v) < rows {
		panic(fmt.Sprintf("linalg.MatVecTransRows: dst %d, v %d for %dx%d", len(dst), len(v), rows, cols))
	}
	checkIndices("MatVecTransRows", "row", idx, rows)
	matVecTransRows(dst, a, rows, cols, v, idx)
}

// AddRows4 is four AddRows in one pass over a: row j of the rows x cols
// matrix a adds the rows which[4j], ..., which[4j+3] of tab, in that order,
// with the rounding of four separate updates. A lifetime that holds back its
// hidden updates applies four steps at once with it.
func AddRows4(a []float32, rows, cols int, tab []float32, which []int32) {
	checkMat("AddRows4", a, rows, cols)
	if len(which) < 4*rows {
		panic(fmt.Sprintf("linalg.AddRows4: which %d < 4 x rows %d", len(which), rows))
	}
	for _, q := range which[:4*rows] {
		if q < 0 || (int(q)+1)*cols > len(tab) {
			panic(fmt.Sprintf("linalg.AddRows4: table row %d out of a table of %d entries (%d columns)", q, len(tab), cols))
		}
	}
	addRows4(a, rows, cols, tab, which)
}

// Transpose sets dst (cols x rows) to the transpose of the rows x cols
// row-major matrix a.
func Transpose(dst, a []float32, rows, cols int) {
	checkMat("Transpose", a, rows, cols)
	checkMat("Transpose", dst, cols, rows)
	transpose(dst, a, rows, cols)
}

// AddConst sets row[j] += c.
func AddConst(row []float32, c float32) { addConst(row, c) }

// AddSquares sets acc[j] += row[j]^2, accumulating column sums of squares one
// row at a time.
func AddSquares(acc, row []float32) {
	if len(row) < len(acc) {
		panic(fmt.Sprintf("linalg.AddSquares: row %d < acc %d", len(row), len(acc)))
	}
	addSquares(acc, row)
}

// MulElem sets row[j] *= s[j].
func MulElem(row, s []float32) {
	if len(s) < len(row) {
		panic(fmt.Sprintf("linalg.MulElem: s %d < row %d", len(s), len(row)))
	}
	mulElem(row, s)
}

// Cap keeps the k largest entries of x and sets the others to zero. Ties break
// by lower index; NaN ranks below every number and -0 equals +0, so the choice
// is a pure function of x. The indices kept are written to sel in ascending
// order and their count (min(k, len(x)), or 0 for k <= 0) is returned.
// scratch must hold len(x) values.
func Cap(x []float32, k int, sel []int32, scratch []uint64) int {
	n := len(x)
	if len(sel) < min(max(k, 0), n) || len(scratch) < n {
		panic(fmt.Sprintf("linalg.Cap: sel %d, scratch %d for n %d, k %d", len(sel), len(scratch), n, k))
	}
	return capSelect(x, k, sel, scratch)
}

// ColumnNorms sets norms[j] to the L2 norm of column j of the rows x cols
// matrix a.
func ColumnNorms(norms, a []float32, rows, cols int) {
	checkMat("ColumnNorms", a, rows, cols)
	norms = norms[:cols]
	clear(norms)
	for i := range rows {
		AddSquares(norms, a[i*cols:(i+1)*cols])
	}
	for j, s := range norms {
		norms[j] = float32(math.Sqrt(float64(s)))
	}
}

// ScaleColumns multiplies column j of a by s[j].
func ScaleColumns(a []float32, rows, cols int, s []float32) {
	checkMat("ScaleColumns", a, rows, cols)
	for i := range rows {
		MulElem(a[i*cols:(i+1)*cols], s[:cols])
	}
}

// LogSoftmax writes the log-probabilities of logits into dst and returns the
// index of the largest logit (the lowest index among equals).
func LogSoftmax(dst, logits []float32) int {
	best := 0
	for i, v := range logits {
		if v > logits[best] {
			best = i
		}
	}
	m := float64(logits[best])
	var s float64
	for _, v := range logits {
		s += math.Exp(float64(v) - m)
	}
	lse := m + math.Log(s)
	for i, v := range logits {
		dst[i] = float32(float64(v) - lse)
	}
	return best
}

// Sigmoid applies the logistic function in place, computed in float64 and
// rounded to float32. The assembly path evaluates exp itself and rounds to the
// same float32 as the generic code in all but rare cases, where it is one unit
// in the last place away.
func Sigmoid(x []float32) { sigmoid(x) }

// ReLU applies max(0, v) in place: every v that is not > 0, NaN and -0
// included, becomes +0.
func ReLU(x []float32) { relu(x) }

// Kernel names the kernel set in use: "avx2" or "generic".
func Kernel() string { return kernel() }

// Kernels lists the kernel sets this CPU and build can run, fastest first;
// "generic" is always last.
func Kernels() []string { return kernels() }

// SetKernel makes the named kernel set, one of Kernels, the one in use and
// returns the function that restores the previous one. It is for tests and
// benchmarks that compare the paths, and must not run while kernels do.
func SetKernel(name string) (restore func(), err error) {
	for _, k := range kernels() {
		if k == name {
			prev := kernel()
			setKernel(name)
			return func() { setKernel(prev) }, nil
		}
	}
	return nil, fmt.Errorf("linalg: kernel %q not available here (have %v)", name, kernels())
}

func checkMat(name string, a []float32, rows, cols int) {
	if rows < 0 || cols < 0 || len(a) < rows*cols {
		panic(fmt.Sprintf("linalg.%s: matrix %d long for %dx%d", name, len(a), rows, cols))
	}
}

// checkRows checks the operands of AddRows: every which[i] must name a whole
// row of tab.
func checkRows(name string, a []float32, rows, cols int, tab []float32, which []uint8) {
	checkMat(name, a, rows, cols)
	if len(which) < rows {
		panic(fmt.Sprintf("linalg.%s: which %d < rows %d", name, len(which), rows))
	}
	var m uint8
	for _, q := range which[:rows] {
		m = max(m, q)
	}
	if rows > 0 && (int(m)+1)*cols > len(tab) {
		panic(fmt.Sprintf("linalg.%s: table row %d out of a table of %d entries (%d columns)", name, m, len(tab), cols))
	}
}

// checkIndices checks that every index of idx names one of n rows or columns.
func checkIndices(name, what string, idx []int32, n int) {
	for _, j := range idx {
		if j < 0 || int(j) >= n {
			panic(fmt.Sprintf("linalg.%s: %s %d out of %d", name, what, j, n))
		}
	}
}
