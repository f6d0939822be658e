//go:build gc && !purego

package linalg

import "plasticity/asm"

// addSteps runs whole blocks of 8 in the assembly and the rest in Go.
func addSteps(a, tab []float32, stride int, which []int32) {
	b := len(a) &^ 7
	if !useAVX2 || b == 0 {
		addStepsGeneric(a, tab, stride, which)
		return
	}
	asm.AddStepsAVX2(a[:b], tab, stride, which)
	if b < len(a) {
		addStepsGeneric(a[b:], tab[b:], stride, which)
	}
}
