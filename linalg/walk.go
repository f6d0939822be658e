package linalg

import "fmt"

// BackUndoRow does one weight row of the gradient's backward walk under
// outgoing normalisation in one pass: for every j < len(g),
//
//	v = (g[j] + w[j]*d[j]) * inv[j];  g[j] = v
//	u = w[j]*mul[j] + tbl[idx[j]];    w[j] = u
//	next[j] += u * v
//
// that is, dL/dW through the normalisation's Jacobian, the step undone on the
// weights and the next step's column dots. A table of one entry is a constant
// added to every weight, and idx is not read; otherwise every idx[j] must be
// an index of tbl, or BackUndoRow panics (having written some of the row).
// The slices written (g, w, next) must not overlap any other.
//
// The generic code rounds every operation; the assembly (tables of up to 16
// entries) fuses each line's multiply and add, rounding them once. Where no
// value reaches the float32 range's edge and no rounded sum cancels to zero,
// the results are within |dg| <= 8*2^-24*(|g|+|w*d|)*|inv|,
// |dw| <= 4*2^-24*(|w*mul|+|t|) and |dnext| <= 16*2^-24*(|next|+|u*v|) of the
// generic ones (the magnitudes taken before the step; plus a few multiples of
// 2^-149 where results are subnormal), NaN where those are NaN and the same
// infinity where they are infinite.
func BackUndoRow(g, w, d, inv, mul, next, tbl []float32, idx []uint8) {
	n := len(g)
	if len(w) < n || len(d) < n || len(inv) < n || len(mul) < n || len(next) < n || (len(tbl) != 1 && len(idx) < n) {
		panic(fmt.Sprintf("linalg.BackUndoRow: w %d, d %d, inv %d, mul %d, next %d, idx %d for g %d (table %d)",
			len(w), len(d), len(inv), len(mul), len(next), len(idx), n, len(tbl)))
	}
	if len(tbl) != 1 {
		idx = idx[:n]
	}
	backUndoRow(g, w[:n], d[:n], inv[:n], mul[:n], next[:n], tbl, idx)
}
