package grad

// mseGrad sets dlog to dL/dlogits of one sample's share of the MSE loss,
// L = 1/(N K) sum_c (s_c - e_y,c)^2 with s = softmax(z), given dlog = s (as
// lossGrad leaves it). With g = dL/ds = 2 (s - e_y) / (N K), the softmax's
// Jacobian diag(s) - s s' gives dL/dz_k = s_k (g_k - sum_m s_m g_m).
func (b *Backprop) mseGrad(y int) {
	s := b.dlog
	scale := 2 * b.invN / float32(len(s))
	g := b.dsoft
	var dot float32
	for k, v := range s {
		g[k] = v
		if k == y {
			g[k]--
		}
		g[k] *= scale
		dot += v * g[k]
	}
	if b.fault == faultMSEDropCoupling {
		dot = 0
	}
	for k, v := range s {
		s[k] = v * (g[k] - dot)
	}
}
