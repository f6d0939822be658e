// Package data holds the data sets plasticity learns from: the seed paper's
// synthetic classification set, CSV tables, and the train/test split and
// standardisation they share.
package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"plasticity/model"
)

// Dataset is a train and a test split of one classification problem.
type Dataset struct {
	Name    string
	Classes int
	Train   model.Samples
	Test    model.Samples
}

// Dim returns the number of features.
func (d Dataset) Dim() int { return d.Train.Dim }

// SyntheticOptions are the parameters of scikit-learn's make_classification
// that the seed paper set; the zero value is not useful, start from
// SeedSynthetic.
type SyntheticOptions struct {
	Samples          int
	Informative      int // every feature is informative
	Classes          int
	ClustersPerClass int
	ClassSep         float64 // vertices at +-ClassSep: a hypercube of side 2*ClassSep
	FlipY            float64 // share of samples whose label is redrawn at random
	TestSamples      int     // the last TestSamples of the shuffled set form the test split
	NoShuffle        bool
	NoStandardize    bool
}

// SeedSynthetic is the seed paper's set: 5000 samples, 10 informative
// features, 4 classes, 2 clusters per class, class_sep 10, 1% flipped labels,
// 4000 train and 1000 test.
func SeedSynthetic() SyntheticOptions {
	return SyntheticOptions{Samples: 5000, Informative: 10, Classes: 4, ClustersPerClass: 2,
		ClassSep: 10, FlipY: 0.01, TestSamples: 1000}
}

// Synthetic is the result of the generator before the split, kept for tests:
// the cluster of every sample, the centroids, and which labels were redrawn.
type Synthetic struct {
	X         []float64 // Samples x Informative
	Y         []int32
	Cluster   []int32     // cluster of each sample (its label before flipping is Cluster % Classes)
	Centroids [][]float64 // ClustersPerClass*Classes vertices of the hypercube, +-ClassSep
	Flipped   []bool      // label redrawn (possibly to the same class)
}

// MakeClassification ports the algorithm of scikit-learn's make_classification
// with every feature informative (no redundant, repeated or useless features,
// shift 0, scale 1): clusters of standard normal points, each mixed by its own
// random matrix with entries uniform in [-1,1] and moved onto a distinct
// vertex of the hypercube; labels assigned cluster by cluster, a share FlipY
// redrawn uniformly, then samples and features shuffled. The random numbers
// come from rng (PCG), not NumPy's, so the sets match scikit-learn's in
// distribution, not digit for digit.
func MakeClassification(o SyntheticOptions, rng *rand.Rand) (Synthetic, error) {
	d := o.Informative
	nClusters := o.Classes * o.ClustersPerClass
	switch {
	case o.Samples < 1 || d < 1 || o.Classes < 2 || o.ClustersPerClass < 1:
		return Synthetic{}, fmt.Errorf("synthetic: impossible sizes %+v", o)
	case d < 31 && nClusters > 1<<d:
		return Synthetic{}, fmt.Errorf("synthetic: %d clusters need more than %d informative features", nClusters, d)
	case d > 30:
		return Synthetic{}, fmt.Errorf("synthetic: at most 30 informative features, got %d", d)
	}
	perCluster := make([]int, nClusters)
	total := 0
	for k := range perCluster {
		perCluster[k] = o.Samples / o.Classes / o.ClustersPerClass
		total += perCluster[k]
	}
	for i := 0; i < o.Samples-total; i++ {
		perCluster[i%nClusters]++
	}

	// Distinct vertices: sample without replacement from 0..2^d-1 and read
	// the low d bits, most significant first, as scikit-learn's
	// _generate_hypercube does.
	vertices := sampleWithoutReplacement(1<<d, nClusters, rng)
	cent := make([][]float64, nClusters)
	for k, v := range vertices {
		cent[k] = make([]float64, d)
		for j := range d {
			bit := (v >> (d - 1 - j)) & 1
			cent[k][j] = float64(bit)*2*o.ClassSep - o.ClassSep
		}
	}

	n := o.Samples
	x := make([]float64, n*d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	y := make([]int32, n)
	cluster := make([]int32, n)
	a := make([]float64, d*d)
	row := make([]float64, d)
	stop := 0
	for k := range nClusters {
		start := stop
		stop += perCluster[k]
		for i := range a {
			a[i] = 2*rng.Float64() - 1
		}
		for s := start; s < stop; s++ {
			y[s] = int32(k % o.Classes)
			cluster[s] = int32(k)
			xs := x[s*d : (s+1)*d]
			for j := range d {
				var v float64
				for m := range d {
					v += xs[m] * a[m*d+j]
				}
				row[j] = v
			}
			for j := range d {
				xs[j] = row[j] + cent[k][j]
			}
		}
	}

	flipped := make([]bool, n)
	for i := range n {
		flipped[i] = rng.Float64() < o.FlipY
	}
	for i := range n {
		if flipped[i] {
			y[i] = int32(rng.IntN(o.Classes))
		}
	}

	out := Synthetic{X: x, Y: y, Cluster: cluster, Centroids: cent, Flipped: flipped}
	if !o.NoShuffle {
		out.shuffle(d, rng)
	}
	return out, nil
}

// shuffle permutes the samples, then the features (of the samples and the
// centroids alike), as make_classification's shuffle does.
func (s *Synthetic) shuffle(d int, rng *rand.Rand) {
	n := len(s.Y)
	perm := rng.Perm(n)
	x2 := make([]float64, n*d)
	y2 := make([]int32, n)
	c2 := make([]int32, n)
	f2 := make([]bool, n)
	for i, p := range perm {
		copy(x2[i*d:(i+1)*d], s.X[p*d:(p+1)*d])
		y2[i], c2[i], f2[i] = s.Y[p], s.Cluster[p], s.Flipped[p]
	}
	s.X, s.Y, s.Cluster, s.Flipped = x2, y2, c2, f2
	fperm := rng.Perm(d)
	row := make([]float64, d)
	for i := range n {
		xs := s.X[i*d : (i+1)*d]
		copy(row, xs)
		for j, p := range fperm {
			xs[j] = row[p]
		}
	}
	for k := range s.Centroids {
		copy(row, s.Centroids[k])
		for j, p := range fperm {
			s.Centroids[k][j] = row[p]
		}
	}
}

// sampleWithoutReplacement returns k distinct integers of 0..n-1 in the order
// drawn, by a partial Fisher-Yates shuffle over a sparse map (n may be 2^30).
func sampleWithoutReplacement(n, k int, rng *rand.Rand) []int {
	chosen := make(map[int]int, k) // sparse Fisher-Yates: position -> value
	out := make([]int, k)
	for i := range k {
		j := i + rng.IntN(n-i)
		vj, ok := chosen[j]
		if !ok {
			vj = j
		}
		vi, ok := chosen[i]
		if !ok {
			vi = i
		}
		chosen[j] = vi
		out[i] = vj
	}
	return out
}

// NewSynthetic draws the seed paper's set for a data seed and splits it into
// train and test; features are standardised by the training split's mean and
// deviation unless o.NoStandardizeis set.
func NewSynthetic(o SyntheticOptions, dataSeed uint64) (Dataset, error) {
	s, err := MakeClassification(o, model.NewRand(dataSeed, "synthetic", 0))
	if err != nil {
		return Dataset{}, err
	}
	if o.TestSamples < 1 || o.TestSamples >= o.Samples {
		return Dataset{}, fmt.Errorf("synthetic: test split %d of %d samples", o.TestSamples, o.Samples)
	}
	d := o.Informative
	x := make([]float32, len(s.X))
	for i, v := range s.X {
		x[i] = float32(v)
	}
	nTrain := o.Samples - o.TestSamples
	ds := Dataset{
		Name:    fmt.Sprintf("synthetic(data-seed %d)", dataSeed),
		Classes: o.Classes,
		Train:   model.Samples{X: x[:nTrain*d], Y: s.Y[:nTrain], Dim: d},
		Test:    model.Samples{X: x[nTrain*d:], Y: s.Y[nTrain:], Dim: d},
	}
	if !o.NoStandardize {
		Standardize(&ds)
	}
	return ds, nil
}

// Standardize shifts and scales every feature of both splits by the training
// split's mean and standard deviation (a constant feature is only centred).
func Standardize(ds *Dataset) {
	d := ds.Train.Dim
	n := ds.Train.Len()
	if n == 0 {
		return
	}
	mean := make([]float64, d)
	sq := make([]float64, d)
	for i := range n {
		for j, v := range ds.Train.Row(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for i := range n {
		for j, v := range ds.Train.Row(i) {
			e := float64(v) - mean[j]
			sq[j] += e * e
		}
	}
	inv := make([]float64, d)
	for j := range sq {
		sd := math.Sqrt(sq[j] / float64(n))
		inv[j] = 1
		if sd > 0 {
			inv[j] = 1 / sd
		}
	}
	for _, s := range []model.Samples{ds.Train, ds.Test} {
		for i := range s.Len() {
			r := s.Row(i)
			for j, v := range r {
				r[j] = float32((float64(v) - mean[j]) * inv[j])
			}
		}
	}
}
