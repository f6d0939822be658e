package linalg

import "fmt"

// AddSteps adds to a, one after the other, the rows of the table tab named by
// which, each stride entries after the last: a[i] = ((a[i] + tab[which[0]*stride+i])
// + tab[which[1]*stride+i]) + ... for every i < len(a). Every element adds
// its terms in which's order, rounding each addition, so the result is that
// of len(which) separate updates bit for bit: a lifetime that holds back its
// hidden updates writes a segment of a weight row with it, all the held steps
// at once. Every row named must hold len(a) entries of tab, or AddSteps
// panics.
func AddSteps(a, tab []float32, stride int, which []int32) {
	if len(which) == 0 || len(a) == 0 {
		return
	}
	if stride < 0 {
		panic(fmt.Sprintf("linalg.AddSteps: stride %d", stride))
	}
	for _, q := range which {
		if q < 0 || int(q)*stride+len(a) > len(tab) {
			panic(fmt.Sprintf("linalg.AddSteps: table row %d of stride %d out of a table of %d entries for %d", q, stride, len(tab), len(a)))
		}
	}
	addSteps(a, tab, stride, which)
}

// addStepsGeneric is AddSteps's specification. Going row by row of the table
// keeps every element's additions in which's order.
func addStepsGeneric(a, tab []float32, stride int, which []int32) {
	for _, q := range which {
		row := tab[int(q)*stride : int(q)*stride+len(a)]
		for i, v := range row {
			a[i] += v
		}
	}
}
