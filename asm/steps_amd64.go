//go:build gc && !purego

package asm

// AddStepsAVX2 adds to a[i], one after the other, tab[which[s]*stride+i] for
// s = 0, 1, ..., len(which)-1, for every i < len(a)&^7: the steps of the
// hidden rule held back, written into a segment of a weight row in one pass,
// rounding as separate updates would. The caller guarantees every which
// names a row with len(a) entries of tab and stride >= 0.
//
//go:noescape
func AddStepsAVX2(a, tab []float32, stride int, which []int32)
