package model

import "math"

// LifetimeScore's evaluation over the steps kept aside.
//
// A wide network's transposed lifetime from a Start keeps up to foldSteps
// steps aside (all 100 of a batch of 100) and would fold them into the
// transposed weights when it ends, for the evaluation pass: a read and write
// of every weight (and first the copy of the Start's). LifetimeScore needs no
// final weights, so when that fold would be exact in value only (foldValue)
// its evaluation reads the weights the lifetime folded last (the Start's
// when it never folded) and adds the corrections of the steps still kept
// aside to every product, as the lifetime's rounds do (addPending: the
// histograms of u by each step's patterns over the kept rows, a P x P product
// and a lookup over the neurons per step). Each sample's products are then
// forwardTransposed's with those steps kept aside, bit for bit.
//
// The bound. These products are those of the folded weights in exact
// arithmetic; their rounding differs. With u = 2^-24, L the lifetime's steps,
// K the kept rows (at most Cap), P the patterns, M the largest |T| entry (T
// = hidStep as a P x P table), w0 the weights before the lifetime and
//
//	S_i = sum over the kept rows j of (|w0_ij| + 3 L M) |u_j|,
//
// every partial sum either way (of a product, of a histogram times table
// entries, of the corrections added to a neuron) is at most S_i in
// magnitude. The folded weights are within 3 L u (|w0_ij| + 3 L M) of the
// exact sums (foldvalue.go), and their product takes K roundings: within
// (3 L + K) u S_i (1 + 3 L u) of the exact product. The corrections' product
// takes K roundings for w0's rows, at most K for each histogram, P for each
// v (each at most M times the histogram's sum, sum |u_j|, over the L steps
// at most L M sum |u_j|), L for the lookups added to the neuron's sum and
// L + 2 for the diagonal: within (2 K + P + 2 L + 2) u S_i (1 + ...). So
// the two products differ by at most
//
//	(5 L + 3 K + P + 2) u S_i (1 + (5 L + 3 K + P + 2) u),
//
// pendingProductBound, which TestPendingProducts checks.

// pendingProductBound returns the bound above for a product whose S_i is s,
// after a lifetime of steps steps, over k kept rows and p patterns.
func pendingProductBound(s float64, steps, k, p int) float64 {
	const u = 1.0 / (1 << 24)
	g := float64(5*steps+3*k+p+2) * u
	return g * math.Abs(s) * (1 + g)
}
