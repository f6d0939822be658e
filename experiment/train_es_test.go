package experiment

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plasticity/data"
	"plasticity/model"
)

func smallData(t *testing.T) data.Dataset {
	t.Helper()
	ds, err := data.NewSynthetic(data.SeedSynthetic(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// smallES is a quick run: a narrow network, short lifetimes, few generations.
func smallES(strategy string, gens int) ESOptions {
	cfg := model.Synthetic(0, 0)
	cfg.Hidden, cfg.Cap, cfg.Rounds = 8, 4, 2
	o := DefaultES(Options{Model: cfg, Seed: 3, Workers: 1, Batch: 20, EvalLifetimes: 2})
	o.Strategy, o.Generations, o.EvalEvery, o.CheckpointEvery = strategy, gens, 4, 5
	o.PopSize, o.Sigma, o.Parents = 0, 0, 2
	return o
}

var strategies = []string{"simple", "openai", "cmaes", "sepcmaes"}

func sameBits(t *testing.T, what string, a, b []float32) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: lengths %d and %d", what, len(a), len(b))
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("%s: entry %d differs: %v vs %v", what, i, a[i], b[i])
		}
	}
}

// sameMetrics compares every column but the wall time. A segment of a
// resumed run also measures test accuracy at its last generation, which the
// uninterrupted run may not: test accuracy is compared where both measured it.
func sameMetrics(t *testing.T, a, b []Row) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d and %d metrics rows", len(a), len(b))
	}
	for i := range a {
		x, y := a[i], b[i]
		if math.IsNaN(x.TestAccuracy) || math.IsNaN(y.TestAccuracy) {
			x.TestAccuracy, y.TestAccuracy = math.NaN(), math.NaN()
		}
		ra, rb := x.Strings(), y.Strings()
		if strings.Join(ra[:len(ra)-1], ",") != strings.Join(rb[:len(rb)-1], ",") {
			t.Fatalf("metrics row %d: %v vs %v", i, ra, rb)
		}
	}
}

func TestTrainESWorkersIdentical(t *testing.T) {
	ds := smallData(t)
	for _, s := range strategies {
		t.Run(s, func(t *testing.T) {
			o := smallES(s, 6)
			a, err := TrainES(o, ds)
			if err != nil {
				t.Fatal(err)
			}
			o.Workers = 2
			b, err := TrainES(o, ds)
			if err != nil {
				t.Fatal(err)
			}
			sameBits(t, "rules", a.Rules.Theta, b.Rules.Theta)
			sameMetrics(t, a.Metrics, b.Metrics)
		})
	}
}

// TestResumeIsExact stops a run after its first generation (a closed Stop
// channel), resumes it from the checkpoint file in two more segments, and
// checks rules and metrics against an uninterrupted run.
func TestResumeIsExact(t *testing.T) {
	ds := smallData(t)
	const total = 12
	for _, s := range strategies {
		t.Run(s, func(t *testing.T) {
			full, err := TrainES(smallES(s, total), ds)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			o := smallES(s, total)
			o.Dir = dir
			stop := make(chan struct{})
			close(stop)
			o.Stop = stop
			part, err := TrainES(o, ds)
			if err != nil {
				t.Fatal(err)
			}
			if !part.Interrupted || part.Steps != 1 || part.Checkpoint != filepath.Join(dir, CheckpointFile) {
				t.Fatalf("stopped run: interrupted %v after %d generations, checkpoint %q", part.Interrupted, part.Steps, part.Checkpoint)
			}
			// Second segment: up to 7 generations, then the rest.
			for _, upTo := range []int{7, total} {
				ck, err := ReadCheckpoint(dir)
				if err != nil {
					t.Fatal(err)
				}
				ro := ck.Options
				ro.Generations, ro.Workers, ro.Dir = upTo, 2, dir
				part, err = ResumeES(ck, ro, ds)
				if err != nil {
					t.Fatal(err)
				}
				if part.Interrupted || part.Steps != upTo {
					t.Fatalf("resumed run: interrupted %v after %d generations", part.Interrupted, part.Steps)
				}
			}
			sameBits(t, "rules", full.Rules.Theta, part.Rules.Theta)
			sameMetrics(t, full.Metrics, part.Metrics)
			if full.Final != part.Final {
				t.Errorf("final scores %+v vs %+v", full.Final, part.Final)
			}
		})
	}
}

func TestResumeRefusesChangedRun(t *testing.T) {
	ds := smallData(t)
	dir := t.TempDir()
	o := smallES("cmaes", 3)
	o.Dir = dir
	if _, err := TrainES(o, ds); err != nil {
		t.Fatal(err)
	}
	ck, err := ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	changed := ck.Options
	changed.Seed++
	if _, err := ResumeES(ck, changed, ds); err == nil {
		t.Error("resumed with another seed")
	}
	back := ck.Options
	back.Generations = 2
	if _, err := ResumeES(ck, back, ds); err == nil || !strings.Contains(err.Error(), "go back") {
		t.Errorf("resumed to fewer generations: %v", err)
	}
	other, err := data.NewSynthetic(data.SeedSynthetic(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ResumeES(ck, ck.Options, other); err == nil || !strings.Contains(err.Error(), "data set differs") {
		t.Errorf("resumed on other data: %v", err)
	}
}

func TestCheckpointRefusesDamage(t *testing.T) {
	ds := smallData(t)
	dir := t.TempDir()
	o := smallES("sepcmaes", 3)
	o.Dir = dir
	if _, err := TrainES(o, ds); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, CheckpointFile)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCheckpoint(dir); err != nil {
		t.Fatalf("intact checkpoint refused: %v", err)
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 1
	otherVersion := bytes.Clone(good)
	binary.LittleEndian.PutUint32(otherVersion[len(checkpointMagic):], CheckpointVersion+1)
	for _, c := range []struct {
		name, want string
		b          []byte
	}{
		{"empty", "not a plasticity checkpoint", nil},
		{"other file", "not a plasticity checkpoint", []byte(`{"format":"plasticity-rules/1"}`)},
		{"header only", "truncated", good[:len(checkpointMagic)+5]},
		{"truncated", "truncated", good[:len(good)-40]},
		{"one byte short", "truncated", good[:len(good)-1]},
		{"appended", "truncated or damaged", append(bytes.Clone(good), 0)},
		{"flipped bit", "checksum", flipped},
		{"other version", "version 2", otherVersion},
	} {
		if err := os.WriteFile(path, c.b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadCheckpoint(dir)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}
