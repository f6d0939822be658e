package experiment

import (
	"errors"
	"math"
	"testing"

	"plasticity/data"
	"plasticity/model"
)

// elsewhere is a TestEvaluator as package cluster's coordinator without
// local goroutines is one: its own Candidates (as a worker's), counting the
// parts it is asked for, and failing at the fail-th Work of part failPart.
type elsewhere struct {
	c        *Candidates
	parts    map[string]int
	failPart string
	fail     int
}

func newElsewhere(t *testing.T, o ESOptions, ds data.Dataset) *elsewhere {
	t.Helper()
	o.Workers = 3
	c, err := NewCandidates(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	return &elsewhere{c: c, parts: map[string]int{}}
}

func (e *elsewhere) EvaluatesTests() bool { return true }

func (e *elsewhere) Evaluate(w Work) ([]model.Score, error) {
	e.parts[w.Part]++
	if w.Part == e.failPart && e.parts[w.Part] == e.fail {
		return nil, errors.New("server lost")
	}
	return e.c.Evaluate(w)
}

// TestTestsElsewhereIdentical: a run whose evaluator takes the test
// measurements and the final scores too ends as a local run, bit for bit,
// and the evaluator was asked for every one of them.
func TestTestsElsewhereIdentical(t *testing.T) {
	ds := smallData(t)
	o := smallES("openai", 9)
	o.EvalLifetimes = 3
	want, err := Train(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	e := newElsewhere(t, o, ds)
	o.Evaluator = e
	got, err := Train(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "rules", want.Rules.Theta, got.Rules.Theta)
	sameRows(t, "es", want.Metrics, got.Metrics, 7)
	if want.Final != got.Final {
		t.Errorf("final scores %+v, want %+v", got.Final, want.Final)
	}
	for i, r := range got.Metrics {
		if math.Float64bits(r.TestAccuracy) != math.Float64bits(want.Metrics[i].TestAccuracy) {
			t.Errorf("generation %d: test accuracy %v, want %v", i+1, r.TestAccuracy, want.Metrics[i].TestAccuracy)
		}
	}
	// Generations 4, 8 and 9 measure the test split; one final score.
	if e.parts[PartTest] != 3 || e.parts[PartScore] != 1 || e.parts["batch"] != 9 {
		t.Errorf("the evaluator was asked for %v, want 9 batch, 3 test, 1 score", e.parts)
	}
}

// TestTestElsewhereFails: an evaluator lost in a test measurement leaves the
// checkpoint of the generations before it, from which a resume ends as the
// uninterrupted run.
func TestTestElsewhereFails(t *testing.T) {
	ds := smallData(t)
	o := smallES("openai", 9)
	want, err := Train(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	o.Dir = t.TempDir()
	e := newElsewhere(t, o, ds)
	e.failPart, e.fail = PartTest, 2 // at generation 8
	o.Evaluator = e
	_, err = Train(o, ds)
	if !errors.Is(err, ErrEvaluator) {
		t.Fatalf("error %v, want one wrapping ErrEvaluator", err)
	}
	ck, err := ReadCheckpoint(o.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Step != 7 || len(ck.Metrics) != 7 {
		t.Fatalf("checkpoint at generation %d with %d rows, want 7", ck.Step, len(ck.Metrics))
	}
	e.failPart = ""
	got, err := Resume(ck, o, ds)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "rules", want.Rules.Theta, got.Rules.Theta)
	sameMetrics(t, want.Metrics, got.Metrics)
	if want.Final != got.Final {
		t.Errorf("final scores %+v, want %+v", got.Final, want.Final)
	}
}
