package experiment

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plasticity/data"
	"plasticity/es"
	"plasticity/model"
	"plasticity/rundir"
)

// badAt is a Method whose stepper goes non-finite at step bad (1-based).
type badAt struct {
	GDOptions
	bad int
}

func (m badAt) newStepper(draws []data.Dataset) (stepper, error) {
	s, err := NewGDStepper(m.GDOptions, draws[0])
	return &failing{GDStepper: s, bad: m.bad}, err
}

type failing struct {
	*GDStepper
	bad int
}

func (f *failing) step() (Row, int, error) {
	if f.done+1 == f.bad {
		return Row{}, 0, fmt.Errorf("loss NaN: %w", ErrNonFinite)
	}
	return f.GDStepper.step()
}

// TestNonFiniteStepKeepsLastGoodCheckpoint: a run whose step 4 goes
// non-finite stops with an error wrapping ErrNonFinite that says where the
// checkpoint is, and the checkpoint holds the three good steps, from which
// the run resumes exactly like one that never went bad.
func TestNonFiniteStepKeepsLastGoodCheckpoint(t *testing.T) {
	ds := smallData(t)
	o := resumableGD(6)
	o.Dir, o.CheckpointEvery = t.TempDir(), 0
	_, err := Train(badAt{o, 4}, ds)
	if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "gd 4") || !strings.Contains(err.Error(), "3 good") {
		t.Fatalf("error %v, want step 4 non-finite with 3 good steps kept", err)
	}
	ck, err := ReadCheckpoint(o.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Step != 3 {
		t.Fatalf("checkpoint at step %d, want 3", ck.Step)
	}
	full, err := Train(resumableGD(6), ds)
	if err != nil {
		t.Fatal(err)
	}
	ro := *ck.GD
	ro.Dir = ""
	res, err := Resume(ck, ro, ds)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "rules", full.Rules.Theta, res.Rules.Theta)
}

// TestGDStepRefusesNonFiniteLoss: rules whose lifetime overflows the weights
// give a GD step an error wrapping ErrNonFinite, and the rules are left as
// they were.
func TestGDStepRefusesNonFiniteLoss(t *testing.T) {
	ds := smallData(t)
	o := ourGD(3)
	o.Model.Eta = 1e30
	o.Freeze, o.RuleInitStd = nil, 1
	s, err := NewGDStepper(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	before := s.Rules.Clone()
	if _, err := s.Step(); !errors.Is(err, ErrNonFinite) {
		t.Fatalf("step with eta 1e30: %v, want ErrNonFinite", err)
	}
	sameBits(t, "rules after a refused step", before.Theta, s.Rules.Theta)
}

// TestOverflowingCandidatesRankLast: a candidate whose loss is not finite
// gets fitness -Inf, ranks last, and no NaN reaches the strategy's centre.
func TestOverflowingCandidatesRankLast(t *testing.T) {
	for _, fitness := range []string{"accuracy", "loss"} {
		o := ESOptions{Fitness: fitness}
		for _, l := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			if f := o.fitnessOf(model.Score{Accuracy: 0.5, Loss: l}); !math.IsInf(f, -1) {
				t.Errorf("%s fitness of loss %v: %v, want -Inf", fitness, l, f)
			}
		}
		fit := []float64{o.fitnessOf(model.Score{Accuracy: 0.3, Loss: 2}), math.Inf(-1),
			o.fitnessOf(model.Score{Accuracy: 0.2, Loss: 3})}
		if r := es.Ranking(fit); r[2] != 1 {
			t.Errorf("%s: ranking %v, want the overflowing candidate last", fitness, r)
		}
	}
	if m, s := meanStd([]float64{1, math.Inf(-1), 3}); m != 2 || s != 1 {
		t.Errorf("mean and deviation of the finite fitnesses: %v %v, want 2 1", m, s)
	}
	ds := smallData(t)
	o := smallES("openai", 3)
	o.Model.Eta = 1e30
	res, err := Train(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range res.Rules.Theta {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("rule %d is %v", i, v)
		}
	}
	for _, r := range res.Metrics {
		if math.IsNaN(r.BestFitness) {
			t.Fatalf("generation %d: best fitness NaN", r.Step)
		}
	}
}

// FuzzParseCheckpoint feeds arbitrary bytes to the checkpoint reader, an
// untrusted input: it returns a checkpoint whose parts fit together, or an
// error, never a panic.
func FuzzParseCheckpoint(f *testing.F) {
	for _, name := range []string{"checkpoint-v2.bin"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	dir := f.TempDir()
	ck := Checkpoint{Kind: "gd", GD: &GDOptions{Options: Options{Model: model.Config{Rounds: 1}}}}
	st, _ := gdState{Theta: make([]float32, model.GenotypeLen(1))}.encode()
	ck.State = st
	p := filepath.Join(dir, rundir.Checkpoint)
	if err := ck.Write(p); err != nil {
		f.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCheckpoint(b)
		if err != nil {
			return
		}
		if c.Method() == nil || c.Step != len(c.Metrics) {
			t.Fatalf("accepted a checkpoint of kind %q at %d with %d rows", c.Kind, c.Step, len(c.Metrics))
		}
	})
}

// resumeInSegments trains m into a fresh run directory with its Stop already
// closed, so it stops after its first generation or step, then resumes it
// from the checkpoint up to each of upTo in turn on 2 workers, checking at
// every segment that the checkpoint is of m's kind and where the last
// segment ended. It returns the run directory and the last segment's result.
func resumeInSegments(t *testing.T, m Method, ds data.Dataset, upTo ...int) (string, Result) {
	t.Helper()
	dir := t.TempDir()
	stop := make(chan struct{})
	close(stop)
	c := m.Control()
	c.Dir, c.Stop = dir, stop
	part, err := Train(m.WithControl(c), ds)
	if err != nil {
		t.Fatal(err)
	}
	if !part.Interrupted || part.Steps != 1 || part.Checkpoint != filepath.Join(dir, rundir.Checkpoint) {
		t.Fatalf("stopped run: interrupted %v after %d, checkpoint %q", part.Interrupted, part.Steps, part.Checkpoint)
	}
	kind := newCheckpoint(m, "").Kind
	for _, n := range upTo {
		ck, err := ReadCheckpoint(dir)
		if err != nil {
			t.Fatal(err)
		}
		if ck.Kind != kind || ck.Step != part.Steps {
			t.Fatalf("checkpoint of kind %q at %d, want %s at %d", ck.Kind, ck.Step, kind, part.Steps)
		}
		saved := ck.Method()
		rc := saved.Control()
		rc.Length, rc.Workers, rc.Dir = n, 2, dir
		if part, err = Resume(ck, saved.WithControl(rc), ds); err != nil {
			t.Fatal(err)
		}
		if part.Interrupted || part.Steps != n {
			t.Fatalf("resumed run: interrupted %v after %d", part.Interrupted, part.Steps)
		}
	}
	return dir, part
}
