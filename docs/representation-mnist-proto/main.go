// Command proto is a throwaway simulation of the R = 0 network of
// docs/representation-mnist.md (not the model's code): a capped random layer
// with a perceptron readout and a competitive Hebbian input rule, to see what
// an input rule must do to beat random features. Run from this folder:
// go run . -rule hebnorm -center -a 0.01 -learnk 5
package main

import (
	"compress/gzip"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"sort"
)

const dir = "/root/go/pkg/mod/github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63/data/"

func read(name string) []byte {
	f, _ := os.Open(dir + name)
	g, _ := gzip.NewReader(f)
	b, _ := io.ReadAll(g)
	return b
}

func load(img, lab string) ([][]float32, []int) {
	b := read(img)
	l := read(lab)
	n := int(binary.BigEndian.Uint32(b[4:]))
	X := make([][]float32, n)
	Y := make([]int, n)
	for i := range n {
		X[i] = make([]float32, 784)
		for m := range 784 {
			X[i][m] = float32(b[16+i*784+m]) / 255
		}
		Y[i] = int(l[8+i])
	}
	return X, Y
}

var (
	H       = flag.Int("h", 1000, "")
	K       = flag.Int("k", 100, "")
	rule    = flag.String("rule", "none", "none|hebnorm|instar|hebc")
	a       = flag.Float64("a", 0.01, "input step")
	aLose   = flag.Float64("alose", 0, "step for losers")
	eta     = flag.Float64("eta", 0.01, "output step")
	always  = flag.Bool("always", false, "input rule on every sample (else on mistakes)")
	normOut = flag.Bool("normout", false, "normalise Wout rows too")
	center  = flag.Bool("center", false, "center x by the running mean")
	unitx   = flag.Bool("unitx", false, "divide x by its norm")
	n       = flag.Int("n", 60000, "train samples")
	seed    = flag.Int64("seed", 1, "")
	learnk  = flag.Int("learnk", 0, "only the top learnk winners learn (0: all fired)")
)

func main() {
	flag.Parse()
	X, Y := load("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
	TX, TY := load("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
	rng := rand.New(rand.NewSource(*seed))
	h, k := *H, *K
	W, O := initial(rng, h)
	mean := make([]float32, 784)
	xc := make([]float32, 784)
	d := make([]float32, h)
	idx := make([]int, h)
	fired := make([]int, 0, k)
	wins := make([]int, h)
	prep := func(x []float32) []float32 {
		copy(xc, x)
		if *center {
			for m := range xc {
				xc[m] -= mean[m]
			}
		}
		if *unitx {
			unit(xc)
		}
		return xc
	}
	fwd := func(x []float32) int {
		fired = fired[:0]
		for i := range W {
			var s float32
			for m, v := range x {
				s += W[i][m] * v
			}
			d[i] = s
			idx[i] = i
		}
		sort.Slice(idx, func(p, q int) bool { return d[idx[p]] > d[idx[q]] || d[idx[p]] == d[idx[q]] && idx[p] < idx[q] })
		for _, i := range idx[:k] {
			if d[i] > 0 {
				fired = append(fired, i)
			}
		}
		best, bv := 0, float32(math.Inf(-1))
		for c := range O {
			var s float32
			for _, i := range fired {
				s += O[c][i] * d[i]
			}
			if s > bv {
				best, bv = c, s
			}
		}
		return best
	}
	perm := rng.Perm(len(X))[:*n]
	correct := 0
	for t, s := range perm {
		if *center {
			for m := range mean {
				mean[m] += (X[s][m] - mean[m]) / float32(t+1)
			}
		}
		x := prep(X[s])
		y := fwd(x)
		if y == Y[s] {
			correct++
		}
		if y != Y[s] {
			for _, i := range fired {
				O[Y[s]][i] += float32(*eta)
				O[y][i] -= float32(*eta)
			}
			if *normOut {
				unit(O[Y[s]])
				unit(O[y])
			}
		}
		for _, i := range fired {
			wins[i]++
		}
		if *always || y != Y[s] {
			lf := fired
			if *learnk > 0 && *learnk < len(lf) {
				lf = lf[:*learnk]
			}
			learn(W, x, lf, idx[k:], float32(*a), float32(*aLose))
		}
		if (t+1)%20000 == 0 {
			fmt.Printf("t=%d online=%.4f test=%.4f used=%d\n", t+1, float64(correct)/float64(t+1), test(TX, TY, prep, fwd), used(wins))
		}
	}
}

// initial returns the scaled random input rows (of unit length under
// hebnorm) and readout rows.
func initial(rng *rand.Rand, h int) (W, O [][]float32) {
	W = make([][]float32, h)
	for i := range W {
		W[i] = make([]float32, 784)
		for m := range W[i] {
			W[i][m] = float32(rng.NormFloat64() / 28)
		}
	}
	if *rule == "hebnorm" {
		for i := range W {
			unit(W[i])
		}
	}
	O = make([][]float32, 10)
	for c := range O {
		O[c] = make([]float32, h)
		for j := range O[c] {
			O[c][j] = float32(rng.NormFloat64() / math.Sqrt(float64(h)))
		}
	}
	return W, O
}

func used(w []int) int {
	c := 0
	for _, v := range w {
		if v > 0 {
			c++
		}
	}
	return c
}

func test(TX [][]float32, TY []int, prep func([]float32) []float32, fwd func([]float32) int) float64 {
	c := 0
	for i := range TX {
		if fwd(prep(TX[i])) == TY[i] {
			c++
		}
	}
	return float64(c) / float64(len(TX))
}

func unit(w []float32) {
	var ss float64
	for _, v := range w {
		ss += float64(v) * float64(v)
	}
	if ss > 0 {
		f := float32(1 / math.Sqrt(ss))
		for i := range w {
			w[i] *= f
		}
	}
}

func learn(W [][]float32, x []float32, fired, losers []int, a, al float32) {
	switch *rule {
	case "hebnorm":
		for _, i := range fired {
			for m, v := range x {
				W[i][m] += a * v
			}
			unit(W[i])
		}
		if al != 0 {
			for _, i := range losers {
				for m, v := range x {
					W[i][m] += al * v
				}
				unit(W[i])
			}
		}
	case "instar":
		for _, i := range fired {
			for m, v := range x {
				W[i][m] += a * (v - W[i][m])
			}
		}
	}
}
