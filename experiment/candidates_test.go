package experiment

import (
	"reflect"
	"testing"

	"plasticity/model"
)

// TestCandidatesInChunks checks what package cluster relies on: candidates
// scored in chunks, generations and parts interleaved as workers see them,
// get the scores of the whole population scored at once by a fresh
// Candidates, with the shared start (startFor) and without (norm outgoing).
func TestCandidatesInChunks(t *testing.T) {
	ds := smallData(t)
	for _, c := range []struct {
		norm    model.Norm
		horizon int
	}{{model.NormNone, 60}, {model.NormNone, 0}, {model.NormOutgoing, 60}, {model.NormOutgoing, 0}} {
		norm := c.norm
		o := smallES("openai", 3)
		o.Horizon, o.Model.Norm, o.PopSize = c.horizon, norm, 8
		parts := []string{"batch", "horizon"}
		if c.horizon == 0 {
			parts = parts[:1]
		}
		strat, err := o.newStrategy(o.Model.Rounds)
		if err != nil {
			t.Fatal(err)
		}
		chunked, err := NewCandidates(o, ds)
		if err != nil {
			t.Fatal(err)
		}
		for g := range 3 {
			pop := strat.Ask()
			fit := make([]float64, len(pop))
			for _, part := range parts {
				whole, err := NewCandidates(o, ds)
				if err != nil {
					t.Fatal(err)
				}
				want, err := whole.Evaluate(Work{Generation: g, Part: part, Pop: pop})
				if err != nil {
					t.Fatal(err)
				}
				var got []model.Score
				for lo := 0; lo < len(pop); lo += 3 {
					s, err := chunked.Evaluate(Work{Generation: g, Part: part, Pop: pop[lo:min(lo+3, len(pop))]})
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, s...)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("norm %v, generation %d, %s: chunks score %v, the whole population %v", norm, g, part, got, want)
				}
				for i, s := range want {
					fit[i] += s.Loss
				}
			}
			strat.Tell(fit)
		}
	}
}
