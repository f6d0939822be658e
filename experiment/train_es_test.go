package experiment

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"plasticity/data"
	"plasticity/model"
	"plasticity/rundir"
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
	sameRows(t, "es", a, b, 7)
}

// sameRows compares metrics rows as metrics.csv has them, but for the last
// column (the wall time); the test columns (their first one the test
// accuracy, empty when not measured) only where both rows measured it.
func sameRows(t *testing.T, kind string, a, b []Row, test ...int) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d and %d metrics rows", len(a), len(b))
	}
	for i := range a {
		ra, rb := a[i].Strings(kind), b[i].Strings(kind)
		if ra[test[0]] == "" || rb[test[0]] == "" {
			for _, c := range test {
				ra[c], rb[c] = "", ""
			}
		}
		if strings.Join(ra[:len(ra)-1], ",") != strings.Join(rb[:len(rb)-1], ",") {
			t.Fatalf("metrics row %d: %v vs %v", i, ra, rb)
		}
	}
}

func TestTrainESWorkersIdentical(t *testing.T) {
	ds := smallData(t)
	for _, s := range strategies {
		t.Run(s, func(t *testing.T) { workersAgree(t, smallES(s, 6), ds) })
	}
}

// workersAgree runs o on one worker and on two, fails unless rules and
// metrics are the same, and returns the first run.
func workersAgree(t *testing.T, o ESOptions, ds data.Dataset) Result {
	t.Helper()
	o.Workers = 1
	a, err := Train(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	o.Workers = 2
	b, err := Train(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "rules with workers 1 and 2", a.Rules.Theta, b.Rules.Theta)
	sameMetrics(t, a.Metrics, b.Metrics)
	return a
}

// TestResumeIsExact stops a run after its first generation (a closed Stop
// channel), resumes it from the checkpoint file in two more segments, and
// checks rules and metrics against an uninterrupted run.
func TestResumeIsExact(t *testing.T) {
	ds := smallData(t)
	const total = 12
	for _, s := range strategies {
		t.Run(s, func(t *testing.T) {
			full, err := Train(smallES(s, total), ds)
			if err != nil {
				t.Fatal(err)
			}
			// Up to 7 generations, then the rest.
			_, part := resumeInSegments(t, smallES(s, total), ds, 7, total)
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
	ck, _ := checkpointed(t, smallES("cmaes", 3), ds)
	changed := *ck.ES
	changed.Seed++
	if _, err := Resume(ck, changed, ds); err == nil {
		t.Error("resumed with another seed")
	}
	back := *ck.ES
	back.Generations = 2
	if _, err := Resume(ck, back, ds); err == nil || !strings.Contains(err.Error(), "go back") {
		t.Errorf("resumed to fewer generations: %v", err)
	}
	other, err := data.NewSynthetic(data.SeedSynthetic(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Resume(ck, *ck.ES, other); err == nil || !strings.Contains(err.Error(), "data set differs") {
		t.Errorf("resumed on other data: %v", err)
	}
}

// checkpointMagic opens every checkpoint file (package rundir).
const checkpointMagic = "plasticity-checkpoint\n"

func TestCheckpointRefusesDamage(t *testing.T) {
	ds := smallData(t)
	dir := t.TempDir()
	o := smallES("sepcmaes", 3)
	o.Dir = dir
	if _, err := Train(o, ds); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, rundir.Checkpoint)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCheckpoint(dir); err != nil {
		t.Fatalf("intact checkpoint refused: %v", err)
	}
	// A version 1 file (no -freeze, no -horizon; its payload is a version 2
	// one's) is still read.
	v2, err := os.ReadFile(filepath.Join("testdata", "checkpoint-v2.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, withVersion(v2, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCheckpoint(dir); err != nil {
		t.Errorf("version 1 checkpoint refused: %v", err)
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
		{"other version", fmt.Sprintf("version %d", CheckpointVersion+1), otherVersion},
		{"version 0", "version 0", withVersion(good, 0)},
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

// TestReadsVersion2Checkpoint resumes a checkpoint written by the version 2
// format (testdata/checkpoint-v2.bin: smallES("openai", 3) with the input
// and hidden tables frozen, on smallData) and fails unless it ends where an
// uninterrupted run does.
func TestReadsVersion2Checkpoint(t *testing.T) {
	ck, err := ReadCheckpoint(filepath.Join("testdata", "checkpoint-v2.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if ck.Kind != "es" || ck.Step != 3 || ck.ES.Strategy != "openai" {
		t.Fatalf("read as kind %q at generation %d of %q", ck.Kind, ck.Step, ck.ES.Strategy)
	}
	ds := smallData(t)
	o := smallES("openai", 6)
	o.Freeze = []string{"input", "hidden"}
	full, err := Train(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	ro := *ck.ES
	ro.Generations, ro.Dir = 6, ""
	res, err := Resume(ck, ro, ds)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "rules", full.Rules.Theta, res.Rules.Theta)
	sameMetrics(t, full.Metrics, res.Metrics)
}

// checkTables fails unless the tables of r named in zero are exactly zero
// and every other table has a non-zero entry.
func checkTables(t *testing.T, r model.Rules, zero ...string) {
	t.Helper()
	for _, name := range []string{"input", "hidden", "output"} {
		tbl, _, err := ruleTable(r, name)
		if err != nil {
			t.Fatal(err)
		}
		nonZero := 0
		for _, v := range tbl {
			if math.Float32bits(v) != 0 {
				nonZero++
			}
		}
		if frozen := slices.Contains(zero, name); frozen && nonZero > 0 {
			t.Errorf("frozen %s table has %d non-zero entries", name, nonZero)
		} else if !frozen && nonZero == 0 {
			t.Errorf("free %s table is all zero", name)
		}
	}
}

// TestTrainESFreeze learns with tables frozen, for every strategy: the
// frozen tables stay exactly zero in the rules, the others are learned, and
// the run is the same for any worker count and when resumed.
func TestTrainESFreeze(t *testing.T) {
	ds := smallData(t)
	for _, freeze := range [][]string{{"input", "hidden"}, {"output"}} {
		for _, s := range strategies {
			t.Run(s+"/"+strings.Join(freeze, ","), func(t *testing.T) {
				o := smallES(s, 8)
				o.Freeze = freeze
				a := workersAgree(t, o, ds)
				checkTables(t, a.Rules, freeze...)
				o.Workers = 2
				c, ck := splitRun(t, o, ds, 3)
				sameBits(t, "resumed rules", a.Rules.Theta, c.Rules.Theta)
				sameMetrics(t, a.Metrics, c.Metrics)
				// Another mask cannot continue this run.
				other := *ck.ES
				other.Freeze = nil
				if _, err := Resume(ck, other, ds); err == nil {
					t.Error("resumed a frozen run without its -freeze")
				}
			})
		}
	}
}

func TestTrainESFreezeRefused(t *testing.T) {
	ds := smallData(t)
	for _, c := range []struct {
		freeze []string
		want   string
	}{
		{[]string{"input", "weights"}, `unknown rule table "weights"`},
		{[]string{"input", "hidden", "output"}, "nothing left to learn"},
	} {
		o := smallES("openai", 2)
		o.Freeze = c.freeze
		if _, err := Train(o, ds); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("-freeze %v: error %v, want one mentioning %q", c.freeze, err, c.want)
		}
	}
}

// TestHorizonFitness checks the first generation of a run with a second,
// longer lifetime against fitness computed here: the mean of each
// candidate's batch lifetime and its lifetime over the horizon's window,
// both from the generation's initial weights.
func TestHorizonFitness(t *testing.T) {
	ds := smallData(t)
	o := smallES("openai", 1)
	o.Horizon, o.Fitness, o.Freeze = 150, "loss", []string{"input"}
	res, err := Train(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	cfg := fitModel(o.Model, ds)
	strat, err := o.newStrategy(cfg.Rounds)
	if err != nil {
		t.Fatal(err)
	}
	l, err := newLifetimes(cfg, ds, 1)
	if err != nil {
		t.Fatal(err)
	}
	l.template.Init(model.NewRand(o.Seed, "init", 0))
	pop := strat.Ask()
	short, err := l.generation(1, cfg.Rounds, pop, NewBatches(o.Seed, ds.Train.Len(), o.Batch).Batch(0), "")
	if err != nil {
		t.Fatal(err)
	}
	window := horizonWindow(o.Seed, 0, ds.Train.Len(), o.Horizon)
	if len(window) != o.Horizon || slices.Equal(window, horizonWindow(o.Seed, 1, ds.Train.Len(), o.Horizon)) {
		t.Fatalf("horizon windows: %d samples, the same for generations 0 and 1", len(window))
	}
	long, err := l.generation(1, cfg.Rounds, pop, window, "")
	if err != nil {
		t.Fatal(err)
	}
	fit := make([]float64, len(pop))
	for i := range pop {
		fit[i] = -(short[i].Loss + long[i].Loss) / 2
	}
	mean, std := meanStd(fit)
	row := res.Metrics[0]
	if math.Abs(row.MeanFitness-mean) > 1e-12 || math.Abs(row.StdFitness-std) > 1e-12 {
		t.Errorf("generation 1: mean fitness %v, std %v; want %v, %v", row.MeanFitness, row.StdFitness, mean, std)
	}
	if math.Abs(row.BestFitness+row.Loss) < 1e-9 {
		t.Errorf("best fitness %v is its batch loss alone", row.BestFitness)
	}
	o.Horizon = ds.Train.Len() + 1
	if _, err := Train(o, ds); err == nil || !strings.Contains(err.Error(), "horizon must") {
		t.Errorf("horizon longer than the training split: %v", err)
	}
}

// TestHorizonWorkersAndResume: a run with a horizon is the same for any
// worker count and when resumed.
func TestHorizonWorkersAndResume(t *testing.T) {
	ds := smallData(t)
	o := smallES("cmaes", 6)
	o.Horizon = 100
	a, err := Train(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	plain := smallES("cmaes", 6)
	p, err := Train(plain, ds)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a.Rules.Theta, p.Rules.Theta) {
		t.Error("the horizon changed nothing")
	}
	o.Workers = 2
	b, _ := splitRun(t, o, ds, 2)
	sameBits(t, "rules", a.Rules.Theta, b.Rules.Theta)
	sameMetrics(t, a.Metrics, b.Metrics)
}

// splitRun runs o for its first generations into a fresh directory, resumes
// it from the checkpoint up to o.Generations, and returns the resumed run's
// result and the checkpoint it started from.
func splitRun(t *testing.T, o ESOptions, ds data.Dataset, first int) (Result, *Checkpoint) {
	t.Helper()
	total := o.Generations
	o.Generations = first
	ck, dir := checkpointed(t, o, ds)
	ro := *ck.ES
	ro.Generations, ro.Dir = total, dir
	res, err := Resume(ck, ro, ds)
	if err != nil {
		t.Fatal(err)
	}
	return res, ck
}

// withVersion returns a copy of a checkpoint file with its format version
// replaced.
func withVersion(b []byte, v uint32) []byte {
	b = bytes.Clone(b)
	binary.LittleEndian.PutUint32(b[len(checkpointMagic):], v)
	return b
}

// checkpointed runs o (on ds and the more draws of a run with tasks) into a
// fresh run directory and returns the checkpoint it left there and the
// directory.
func checkpointed(t *testing.T, o ESOptions, ds data.Dataset, more ...data.Dataset) (*Checkpoint, string) {
	t.Helper()
	o.Dir = t.TempDir()
	if _, err := Train(o, ds, more...); err != nil {
		t.Fatal(err)
	}
	ck, err := ReadCheckpoint(o.Dir)
	if err != nil {
		t.Fatal(err)
	}
	return ck, o.Dir
}
