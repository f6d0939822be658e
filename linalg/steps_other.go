//go:build !amd64 || !gc || purego

package linalg

func addSteps(a, tab []float32, stride int, which []int32) { addStepsGeneric(a, tab, stride, which) }
