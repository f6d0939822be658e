//go:build gc && !purego

package linalg

import (
	"fmt"

	"plasticity/asm"
)

// backUndoRow runs whole blocks of 8 in the assembly and the rest in Go;
// tables of more than 16 entries and rows under two blocks, where the call
// costs more than the vectors save, take the generic loop.
func backUndoRow(g, w, d, inv, mul, next, tbl []float32, idx []uint8) {
	n := len(g)
	if !useAVX2 || n < 16 || len(tbl) > 16 {
		backUndoRowGeneric(g, w, d, inv, mul, next, tbl, idx)
		return
	}
	b := n &^ 7
	if len(tbl) == 1 {
		asm.BackUndoConstAVX2(g[:b], w, d, inv, mul, next, tbl[0])
	} else {
		t := &[16]float32{}
		if len(tbl) == 16 {
			t = (*[16]float32)(tbl)
		} else {
			copy(t[:], tbl)
		}
		if m := asm.BackUndo16AVX2(g[:b], w, d, inv, mul, next, t, idx[:b]); int(m) >= len(tbl) {
			panic(fmt.Sprintf("linalg.BackUndoRow: index %d out of a table of %d", m, len(tbl)))
		}
		idx = idx[b:]
	}
	if b < n {
		backUndoRowGeneric(g[b:], w[b:], d[b:], inv[b:], mul[b:], next[b:], tbl, idx)
	}
}
