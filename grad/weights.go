package grad

// The gradient with respect to the initial weights W_0 (docs/model.md §10.4), which a
// run may learn beside the rules. The patterns, cap choices and update
// decisions are held fixed, as for the rules, so:
//
// Without normalisation W_T = W_0 + eta sum_t Delta_t, and Delta_t depends on
// the rules and the step's (fixed) patterns only, so dL/dW_0 = dL/dW_T = G,
// the evaluation pass's gradient. The rules' gradient needs only G's
// pattern-group sums (and of Win only its row sums, and of Whid perhaps only
// its factors); with Learn set, G itself is formed.
//
// With norm=outgoing, W_t = N(W_(t-1) + eta Delta_t): the walk back through
// the steps turns dL/dW_t into dL/dV_t = dL/dW_(t-1), and after the first
// step (t = 1) the buffers hold dL/dV_1 = dL/dW_0. With no update at all,
// W_T = W_0 and G is the answer in either case.

// need reports whether the gradient with respect to weight matrix k (Input,
// Hidden, Output) must be formed: for its rule table or for its initial value.
func (b *Backprop) need(k int) bool { return !b.Frozen[k] || b.Learn[k] }

// InitialGradient returns dL/dW_0 of weight matrix k (Input: Win, Hidden:
// Whid, Output: Wout) from the last Gradient, row-major as the network holds
// it, or nil when Learn[k] is not set. Absent synapses have gradient 0. The
// slice is the Backprop's own and valid until the next Gradient.
func (b *Backprop) InitialGradient(k int) []float32 {
	if k < Input || k > Output || !b.Learn[k] {
		return nil
	}
	return [3][]float32{b.gIn, b.gHid, b.gOut}[k]
}
