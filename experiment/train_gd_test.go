package experiment

import (
	"bytes"
	"encoding/gob"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"plasticity/data"
	"plasticity/model"
	"plasticity/rundir"
)

// ourGD is our GD's model (main's bestGD) on the synthetic set's network.
func ourGD(steps int) GDOptions {
	cfg := model.Synthetic(0, 0)
	cfg.Act, cfg.Init, cfg.Drive, cfg.Update = model.ReLU, model.InitScaled, model.DriveRaw, model.UpdateMisclassified
	o := DefaultGD(Options{Model: cfg, Seed: 1, Workers: 1, Batch: 100, EvalLifetimes: 3})
	o.Steps, o.EvalEvery = steps, 100
	return o
}

// TestTrainGDLearns guards the direction of the whole chain (gradient, Adam,
// rules): a few hundred steps must lift the test accuracy well above chance
// (0.25) and lower the loss from where it starts.
func TestTrainGDLearns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a second")
	}
	ds := smallData(t)
	res, err := Train(ourGD(400), ds)
	if err != nil {
		t.Fatal(err)
	}
	first, last := res.Metrics[0], res.Metrics[len(res.Metrics)-1]
	t.Logf("test %.3f majority %.3f", res.Final.TestAccuracy, res.Final.TestMajority)
	if res.Final.TestAccuracy < 0.6 || res.Final.TestMajority > 0.5 {
		t.Errorf("after 400 steps: test accuracy %.3f, majority %.3f", res.Final.TestAccuracy, res.Final.TestMajority)
	}
	var early, late float64
	for i := range 50 {
		early += res.Metrics[i].Loss
		late += res.Metrics[len(res.Metrics)-1-i].Loss
	}
	if !(late < 0.8*early) {
		t.Errorf("mean loss of the first 50 steps %.3f, of the last 50 %.3f", early/50, late/50)
	}
	if first.Step != 1 || last.Step != 400 || math.IsNaN(last.TestAccuracy) || !math.IsNaN(first.TestAccuracy) {
		t.Errorf("rows: first %+v, last %+v", first, last)
	}
	// Frozen tables stay zero; the output table moved.
	r := res.Rules
	if slices.ContainsFunc(r.Input(), func(v float32) bool { return v != 0 }) ||
		slices.ContainsFunc(r.Hidden(), func(v float32) bool { return v != 0 }) {
		t.Error("a frozen table moved")
	}
	if !slices.ContainsFunc(r.Output(), func(v float32) bool { return v != 0 }) {
		t.Error("the output table did not move")
	}
}

func TestTrainGDDeterministic(t *testing.T) {
	ds := smallData(t)
	o := ourGD(30)
	o.Freeze, o.RuleInitStd = nil, 1
	o.Model.Norm = model.NormOutgoing
	a, err := Train(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	o.Workers = 2
	b, err := Train(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "rules", a.Rules.Theta, b.Rules.Theta)
	o.Seed = 2
	c, err := Train(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a.Rules.Theta, c.Rules.Theta) {
		t.Error("another seed gave the same rules")
	}
}

func TestGDStepperStepAndTest(t *testing.T) {
	ds := smallData(t)
	s, err := NewGDStepper(ourGD(1), ds)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Test(); err == nil {
		t.Error("Test before any step gave no error")
	}
	before := s.Rules.Clone()
	row, err := s.Step()
	if err != nil {
		t.Fatal(err)
	}
	if row.Step != 1 || !(row.GradNorm > 0) || row.Loss <= 0 {
		t.Errorf("row %+v", row)
	}
	if slices.Equal(before.Theta, s.Rules.Theta) {
		t.Error("a step left the rules unchanged")
	}
	sc, err := s.Test()
	if err != nil || sc.N != ds.Test.Len() {
		t.Errorf("Test: %v, %d samples", err, sc.N)
	}
}

func TestGDOptionsRejected(t *testing.T) {
	ds := smallData(t)
	for name, change := range map[string]func(*GDOptions){
		"steps":    func(o *GDOptions) { o.Steps = 0 },
		"lr":       func(o *GDOptions) { o.LR = -1 },
		"wd":       func(o *GDOptions) { o.WeightDecay = math.NaN() },
		"std":      func(o *GDOptions) { o.RuleInitStd = -1 },
		"freeze":   func(o *GDOptions) { o.Freeze = []string{"outputs"} },
		"loss":     func(o *GDOptions) { o.Loss = "mae" },
		"learn":    func(o *GDOptions) { o.LearnWeights = []string{"bias"} },
		"every":    func(o *GDOptions) { o.EvalEvery = -1 },
		"ckpt":     func(o *GDOptions) { o.CheckpointEvery = -1 },
		"batch":    func(o *GDOptions) { o.Batch = 0 },
		"capacity": func(o *GDOptions) { o.Model.Cap = 50 },
	} {
		o := ourGD(10)
		change(&o)
		if _, err := Train(o, ds); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// sameGDRows compares every column but the wall time; test accuracy where
// both runs measured it (a resumed segment also measures at its last step).
func sameGDRows(t *testing.T, a, b []Row) {
	t.Helper()
	sameRows(t, "gd", a, b, 4, 5)
}

// resumableGD is a GD run that exercises all of Adam's state: every table
// learned from random rules, outgoing normalisation.
func resumableGD(steps int) GDOptions {
	o := ourGD(steps)
	o.Freeze, o.RuleInitStd, o.EvalEvery, o.CheckpointEvery = nil, 1, 4, 5
	o.Model.Norm = model.NormOutgoing
	o.Batch = 20
	return o
}

func TestResumeGDIsExact(t *testing.T) {
	ds := smallData(t)
	const total = 17
	full, err := Train(resumableGD(total), ds)
	if err != nil {
		t.Fatal(err)
	}
	// Up to 8 steps, then the rest, then once more at the end already.
	dir, part := resumeInSegments(t, resumableGD(total), ds, 8, total, total)
	sameBits(t, "rules", full.Rules.Theta, part.Rules.Theta)
	sameGDRows(t, full.Metrics, part.Metrics)
	if full.Final != part.Final {
		t.Errorf("final scores %+v vs %+v", full.Final, part.Final)
	}
	// Adam's moments are part of the state: a resume that started them
	// afresh would end elsewhere.
	ck, err := ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	ck.Step, ck.Metrics = 8, ck.Metrics[:8]
	st := gdStateOf(t, ck)
	st.Adam.M, st.Adam.V, st.Adam.T = make([]float64, len(st.Adam.M)), make([]float64, len(st.Adam.V)), 8
	setGDState(t, ck, st)
	ro := *ck.GD
	ro.Dir = ""
	fresh, err := Resume(ck, ro, ds)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(fresh.Rules.Theta, full.Rules.Theta) {
		t.Error("resuming with Adam's moments reset ended at the same rules")
	}
}

func TestResumeGDRefused(t *testing.T) {
	ds := smallData(t)
	o := resumableGD(3)
	o.Dir = t.TempDir()
	if _, err := Train(o, ds); err != nil {
		t.Fatal(err)
	}
	ck, err := ReadCheckpoint(o.Dir)
	if err != nil {
		t.Fatal(err)
	}
	changed := *ck.GD
	changed.LR *= 2
	if _, err := Resume(ck, changed, ds); err == nil || !strings.Contains(err.Error(), "options differ") {
		t.Errorf("resumed with another -lr: %v", err)
	}
	back := *ck.GD
	back.Steps = 2
	if _, err := Resume(ck, back, ds); err == nil || !strings.Contains(err.Error(), "go back") {
		t.Errorf("resumed to fewer steps: %v", err)
	}
	other, err := data.NewSynthetic(data.SeedSynthetic(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Resume(ck, *ck.GD, other); err == nil || !strings.Contains(err.Error(), "data set differs") {
		t.Errorf("resumed on other data: %v", err)
	}
	if _, err := Resume(ck, smallES("openai", 4), ds); err == nil || !strings.Contains(err.Error(), "GD run") {
		t.Errorf("a GD checkpoint resumed as ES: %v", err)
	}
	esck, _ := checkpointed(t, smallES("openai", 2), ds)
	if _, err := Resume(esck, *ck.GD, ds); err == nil || !strings.Contains(err.Error(), "ES run") {
		t.Errorf("an ES checkpoint resumed as GD: %v", err)
	}
	// A GD checkpoint whose state does not add up is refused on reading.
	for name, damage := range map[string]func(*Checkpoint){
		"rows":   func(c *Checkpoint) { c.Metrics = c.Metrics[:1] },
		"adam t": func(c *Checkpoint) { st := gdStateOf(t, c); st.Adam.T++; setGDState(t, c, st) },
		"theta":  func(c *Checkpoint) { st := gdStateOf(t, c); st.Theta = st.Theta[:10]; setGDState(t, c, st) },
		"rounds": func(c *Checkpoint) { c.GD.Model.Rounds = 40 },
		"kind":   func(c *Checkpoint) { c.Kind = "sgd" },
		"no gd":  func(c *Checkpoint) { c.GD = nil },
	} {
		c := *ck
		gd := *ck.GD
		c.GD, c.Metrics, c.State = &gd, slices.Clone(ck.Metrics), slices.Clone(ck.State)
		damage(&c)
		path := filepath.Join(t.TempDir(), rundir.Checkpoint)
		if err := c.Write(path); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadCheckpoint(path); err == nil || !strings.Contains(err.Error(), "damaged") && !strings.Contains(err.Error(), "unknown method") {
			t.Errorf("%s: read with error %v", name, err)
		}
	}
}

// gdStateOf decodes a GD checkpoint's state without checking it.
func gdStateOf(t *testing.T, c *Checkpoint) gdState {
	t.Helper()
	var st gdState
	if err := gob.NewDecoder(bytes.NewReader(c.State)).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func setGDState(t *testing.T, c *Checkpoint, st gdState) {
	t.Helper()
	b, err := st.encode()
	if err != nil {
		t.Fatal(err)
	}
	c.State = b
}
