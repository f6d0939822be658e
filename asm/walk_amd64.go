//go:build gc && !purego

package asm

// Kernels of the gradient's normalised backward walk, which goes over each
// weight row once per step of a lifetime.

// BackUndo16AVX2 does one row of the walk for j < len(g)&^7, each line a fused
// multiply-add rounded once:
//
//	v = (g[j] + w[j]*d[j]) * inv[j];  g[j] = v
//	u = w[j]*mul[j] + table[idx[j]&15]; w[j] = u
//	next[j] += u * v
//
// It looks the table up by two register permutes and a blend, as
// AddLookup16AVX2 does, and returns the largest idx it read, so the caller can
// reject an index outside its real table. The caller guarantees that w, d,
// inv, mul, next and idx hold len(g)&^7 entries and that the slices written
// (g, w, next) overlap no other.
//
//go:noescape
func BackUndo16AVX2(g, w, d, inv, mul, next []float32, table *[16]float32, idx []uint8) (maxIdx uint32)

// BackUndoConstAVX2 is BackUndo16AVX2 with the same number c in place of every
// table entry, reading no indices.
//
//go:noescape
func BackUndoConstAVX2(g, w, d, inv, mul, next []float32, c float32)
