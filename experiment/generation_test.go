package experiment

import (
	"reflect"
	"testing"

	"plasticity/es"
	"plasticity/model"
)

// TestGenerationWorkers checks that a generation's scores do not depend on
// the number of workers on a network wide enough for the transposed lifetime
// and the shared start's products, and that a generation from a reused start
// scores as one from a fresh start.
func TestGenerationWorkers(t *testing.T) {
	s := Scale{Name: "test", Inputs: 40, Hidden: 160, Outputs: 5, Cap: 80}
	ds, err := benchData(s, 3, 30)
	if err != nil {
		t.Fatal(err)
	}
	cfg := benchConfig(s)
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
			scores, err := l.generation(workers, cfg.Rounds, pop, batch)
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
