package linalg

// backUndoRowGeneric is BackUndoRow's specification, every operation rounded
// to float32 on its own. w, d, inv, mul, next and (for a table of more than
// one entry) idx hold len(g) entries.
func backUndoRowGeneric(g, w, d, inv, mul, next, tbl []float32, idx []uint8) {
	w, d, inv, mul, next = w[:len(g)], d[:len(g)], inv[:len(g)], mul[:len(g)], next[:len(g)]
	if len(tbl) != 1 {
		idx = idx[:len(g)]
	}
	for j := range g {
		v := (g[j] + w[j]*d[j]) * inv[j]
		g[j] = v
		var t float32
		if len(tbl) == 1 {
			t = tbl[0]
		} else {
			t = tbl[idx[j]]
		}
		u := w[j]*mul[j] + t
		w[j] = u
		next[j] += u * v
	}
}
