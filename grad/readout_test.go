package grad

import "testing"

// TestWrongFreeReadoutGradientFails: under FreeReadout the walk takes Wout's
// normalisation Jacobians as the identity (the model records its norms as
// zero). The gradient derived as if Wout were normalised, the deliberately
// wrong term here, must fail the finite-difference check of the free
// readout's loss wherever it differs from the right one.
func TestWrongFreeReadoutGradientFails(t *testing.T) {
	expectCaught(t, "the gradient of a normalised readout", variantNamed("free-readout"), func(p fdProblem) []float32 {
		p.cfg.FreeReadout = false
		return p.gradient(t, faultNone)
	})
}
