package experiment

import (
	"reflect"
	"testing"

	"plasticity/data"
	"plasticity/es"
	"plasticity/model"
)

// TestGenerationWorkers checks that a generation's scores do not depend on
// the number of workers on a network wide enough for the transposed lifetime
// and the shared start's products, and that a generation from a reused start
// scores as one from a fresh start.
func TestGenerationWorkers(t *testing.T) {
	cfg := model.Config{Inputs: 40, Hidden: 160, Outputs: 5, Rounds: 3, Cap: 80, Eta: 0.01, EdgeProb: 1}
	ds := randomData(cfg, 30, 3)
	strat, err := es.NewSimple(model.GenotypeLen(cfg.Rounds), 6, 0.01, 2, model.NewRand(3, "es", 0))
	if err != nil {
		t.Fatal(err)
	}
	pop := strat.Ask()
	batch := NewBatches(3, ds.Train.Len(), 30).Batch(0)
	var first []model.Score
	for _, workers := range []int{1, 2, 3} {
		l, err := newLifetimes(cfg, ds, workers)
		if err != nil {
			t.Fatal(err)
		}
		l.template.Init(model.NewRand(3, "init", 0))
		for range 2 { // the second from the reused start
			scores, err := l.generation(workers, cfg.Rounds, pop, batch, "")
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = scores
				continue
			}
			if !reflect.DeepEqual(scores, first) {
				t.Fatalf("%d workers: scores %+v, want %+v", workers, scores, first)
			}
		}
	}
}

// randomData returns n random samples shaped for cfg (inputs in [0,1), labels
// uniform over the outputs) as both splits of a data set.
func randomData(cfg model.Config, n int, seed uint64) data.Dataset {
	rng := model.NewRand(seed, "test-data", 0)
	smp := model.Samples{X: make([]float32, n*cfg.Inputs), Y: make([]int32, n), Dim: cfg.Inputs}
	for i := range smp.X {
		smp.X[i] = float32(rng.Float64())
	}
	for i := range smp.Y {
		smp.Y[i] = int32(rng.IntN(cfg.Outputs))
	}
	return data.Dataset{Name: "random", Classes: cfg.Outputs, Train: smp, Test: smp}
}

// TestGenerationsRun checks that the exported runner scores as the
// unexported generation does, from the same initial weights.
func TestGenerationsRun(t *testing.T) {
	cfg := model.Config{Inputs: 12, Hidden: 30, Outputs: 3, Rounds: 2, Cap: 10, Eta: 0.01, EdgeProb: 1}
	ds := randomData(cfg, 20, 5)
	strat, err := es.NewSimple(model.GenotypeLen(cfg.Rounds), 4, 0.01, 2, model.NewRand(5, "es", 0))
	if err != nil {
		t.Fatal(err)
	}
	pop := strat.Ask()
	batch := NewBatches(5, ds.Train.Len(), 10).Batch(0)
	g, err := NewGenerations(cfg, ds, 2)
	if err != nil {
		t.Fatal(err)
	}
	g.InitWeights(model.NewRand(5, "init", 0))
	got, err := g.Run(pop, batch)
	if err != nil {
		t.Fatal(err)
	}
	l, err := newLifetimes(cfg, ds, 1)
	if err != nil {
		t.Fatal(err)
	}
	l.template.Init(model.NewRand(5, "init", 0))
	want, err := l.generation(1, cfg.Rounds, pop, batch, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(pop) || !reflect.DeepEqual(got, want) {
		t.Fatalf("Generations.Run: %+v, want %+v", got, want)
	}
	bad := cfg
	bad.Cap = cfg.Hidden + 1
	if _, err := NewGenerations(bad, ds, 1); err == nil {
		t.Error("NewGenerations accepted a cap above the hidden size")
	}
}
