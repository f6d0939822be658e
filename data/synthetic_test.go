package data

import (
	"math"
	"slices"
	"testing"

	"plasticity/model"
)

func TestMakeClassificationStructure(t *testing.T) {
	o := SeedSynthetic()
	s, err := MakeClassification(o, model.NewRand(3, "synthetic", 0))
	if err != nil {
		t.Fatal(err)
	}
	d := o.Informative
	// Eight distinct centroids on the vertices of the hypercube [-10, 10]^10.
	seen := map[string]bool{}
	for _, c := range s.Centroids {
		key := ""
		for _, v := range c {
			if v != 10 && v != -10 {
				t.Fatalf("centroid coordinate %v is not +-10", v)
			}
			key += map[bool]string{true: "+", false: "-"}[v > 0]
		}
		if seen[key] {
			t.Fatalf("centroid %s appears twice", key)
		}
		seen[key] = true
	}
	if len(seen) != 8 {
		t.Fatalf("%d centroids, want 8", len(seen))
	}
	// Mixing a standard normal by a matrix keeps its mean, so each cluster's
	// sample mean sits near its vertex.
	count := make([]int, 8)
	mean := make([][]float64, 8)
	for k := range mean {
		mean[k] = make([]float64, d)
	}
	for i, k := range s.Cluster {
		count[k]++
		for j := range d {
			mean[k][j] += s.X[i*d+j]
		}
	}
	for k := range mean {
		if count[k] != 625 {
			t.Errorf("cluster %d has %d samples, want 625", k, count[k])
		}
		for j := range d {
			if m := mean[k][j] / float64(count[k]); math.Abs(m-s.Centroids[k][j]) > 0.5 {
				t.Errorf("cluster %d feature %d mean %.2f, vertex %v", k, j, m, s.Centroids[k][j])
			}
		}
	}
	// Two clusters per class, labels k mod 4 before flipping.
	classes := make([]int, 4)
	flipped, changed := 0, 0
	for i, y := range s.Y {
		classes[y]++
		orig := s.Cluster[i] % 4
		if s.Flipped[i] {
			flipped++
		} else if y != orig {
			t.Fatalf("sample %d changed label without being flipped", i)
		}
		if y != orig {
			changed++
		}
	}
	for c, n := range classes {
		if n < 1200 || n > 1300 {
			t.Errorf("class %d has %d of 5000 samples, want about 1250", c, n)
		}
	}
	if flipped < 25 || flipped > 80 {
		t.Errorf("%d labels redrawn, want about 1%% of 5000", flipped)
	}
	if changed == 0 || changed > flipped {
		t.Errorf("%d labels changed of %d redrawn", changed, flipped)
	}
}

func TestMixingIsPerCluster(t *testing.T) {
	// Each cluster has its own random covariance: the per-cluster deviations
	// of one feature differ.
	s, err := MakeClassification(SeedSynthetic(), model.NewRand(1, "synthetic", 0))
	if err != nil {
		t.Fatal(err)
	}
	d := 10
	sd := make([]float64, 8)
	cnt := make([]float64, 8)
	for i, k := range s.Cluster {
		v := s.X[i*d] - s.Centroids[k][0]
		sd[k] += v * v
		cnt[k]++
	}
	for k := range sd {
		sd[k] = math.Sqrt(sd[k] / cnt[k])
	}
	if slices.Max(sd)/slices.Min(sd) < 1.2 {
		t.Errorf("feature 0 deviations per cluster %v look unmixed", sd)
	}
}

func TestSyntheticSplitsAndSeeds(t *testing.T) {
	a, err := NewSynthetic(SeedSynthetic(), 0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSynthetic(SeedSynthetic(), 0)
	c, _ := NewSynthetic(SeedSynthetic(), 1)
	if a.Train.Len() != 4000 || a.Test.Len() != 1000 || a.Dim() != 10 || a.Classes != 4 {
		t.Fatalf("split %d/%d, dim %d, classes %d", a.Train.Len(), a.Test.Len(), a.Dim(), a.Classes)
	}
	if !slices.Equal(a.Train.X, b.Train.X) || !slices.Equal(a.Test.Y, b.Test.Y) {
		t.Error("the same data seed gave different data")
	}
	if slices.Equal(a.Train.X, c.Train.X) {
		t.Error("another data seed gave the same data")
	}
	// Standardised by the training split: mean 0, deviation 1 per feature.
	for j := range a.Dim() {
		var m, s float64
		for i := range a.Train.Len() {
			m += float64(a.Train.Row(i)[j])
		}
		m /= 4000
		for i := range a.Train.Len() {
			v := float64(a.Train.Row(i)[j]) - m
			s += v * v
		}
		if math.Abs(m) > 1e-4 || math.Abs(math.Sqrt(s/4000)-1) > 1e-4 {
			t.Errorf("feature %d: train mean %v, deviation %v", j, m, math.Sqrt(s/4000))
		}
	}
	o := SeedSynthetic()
	o.NoStandardize = true
	raw, _ := NewSynthetic(o, 0)
	var big int
	for _, v := range raw.Train.X {
		if math.Abs(float64(v)) > 5 {
			big++
		}
	}
	if big < len(raw.Train.X)/2 {
		t.Errorf("unstandardised features: only %d of %d beyond 5 (vertices are at +-10)", big, len(raw.Train.X))
	}
}

func TestLoadUnknown(t *testing.T) {
	if _, err := Load(Spec{Name: "imagenet"}); err == nil {
		t.Error("unknown data set accepted")
	}
}
