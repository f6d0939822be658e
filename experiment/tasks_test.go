package experiment

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"plasticity/data"
	"plasticity/model"
)

// draws returns draws 0 .. n-1 of the synthetic set.
func draws(t *testing.T, n int) []data.Dataset {
	t.Helper()
	var d []data.Dataset
	for k := range n {
		ds, err := data.NewSynthetic(data.SeedSynthetic(), uint64(k))
		if err != nil {
			t.Fatal(err)
		}
		d = append(d, ds)
	}
	return d
}

// tasksES is smallES learning every table on n draws of the synthetic set.
func tasksES(n int) ESOptions {
	o := smallES("openai", 8)
	o.Data = DataSpec{Name: "synthetic", Standardize: true, Tasks: n}
	return o
}

// TestTaskOf: the draw of a generation is a function of the seed and the
// generation alone, 0 with one draw, and over a run every draw comes up.
func TestTaskOf(t *testing.T) {
	seen := map[int]int{}
	for g := range 60 {
		k := taskOf(3, g, 4)
		if k != taskOf(3, g, 4) || k < 0 || k >= 4 {
			t.Fatalf("generation %d: draw %d, then %d", g, k, taskOf(3, g, 4))
		}
		seen[k]++
		if taskOf(3, g, 1) != 0 || taskOf(3, g, 0) != 0 {
			t.Fatalf("generation %d of a run with one draw takes draw %d", g, taskOf(3, g, 1))
		}
	}
	if len(seen) != 4 {
		t.Errorf("60 generations took draws %v, want all of 0..3", seen)
	}
	same := 0
	for g := range 60 {
		if taskOf(3, g, 4) == taskOf(4, g, 4) {
			same++
		}
	}
	if same > 30 {
		t.Errorf("seeds 3 and 4 chose the same draw in %d of 60 generations", same)
	}
}

// TestTasksEveryCandidateSameDraw: every candidate of a generation lives on
// the generation's draw (taskOf): identical genotypes score alike, and as a
// run with that draw alone (same seed, so same batch and initial weights)
// scores them.
func TestTasksEveryCandidateSameDraw(t *testing.T) {
	d := draws(t, 3)
	o := tasksES(3)
	c, err := NewCandidates(o, d[0], d[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	rng := model.NewRand(9, "test-genotype", 0)
	g0 := make([]float32, model.GenotypeLen(o.Model.Rounds))
	for i := range g0 {
		g0[i] = float32(rng.NormFloat64())
	}
	pop := [][]float32{g0, slices.Clone(g0), slices.Clone(g0), slices.Clone(g0)}
	used := map[int]bool{}
	for gen := range 12 {
		k := taskOf(o.Seed, gen, 3)
		used[k] = true
		got, err := c.Evaluate(Work{Generation: gen, Part: "batch", Pop: pop})
		if err != nil {
			t.Fatal(err)
		}
		one := o
		one.Data.Tasks = 0
		alone, err := NewCandidates(one, d[k])
		if err != nil {
			t.Fatal(err)
		}
		want, err := alone.Evaluate(Work{Generation: gen, Part: "batch", Pop: pop[:1]})
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], want[0]) {
				t.Fatalf("generation %d (draw %d), candidate %d: %+v, want %+v", gen, k, i, got[i], want[0])
			}
		}
	}
	if len(used) < 2 {
		t.Fatalf("12 generations used draws %v only", used)
	}
}

// TestTasksOneIsToday: a run with one task is bit for bit the run without
// the option, checkpoint data hash included; with three it is another run,
// whose final scores are those of draw 0.
func TestTasksOneIsToday(t *testing.T) {
	d := draws(t, 3)
	for _, m := range []func(int) Method{
		func(n int) Method { return tasksES(n) },
		func(n int) Method { o := resumableGD(8); o.Data = tasksES(n).Data; return o },
	} {
		today := m(0)
		a, err := Train(today, d[0])
		if err != nil {
			t.Fatal(err)
		}
		b, err := Train(m(1), d[0])
		if err != nil {
			t.Fatal(err)
		}
		sameBits(t, "rules of tasks 0 and 1", a.Rules.Theta, b.Rules.Theta)
		sameRows(t, a.Kind, a.Metrics, b.Metrics, 0) // column 0 is never empty: every column compared
		if a.Final != b.Final {
			t.Errorf("final scores %+v vs %+v", a.Final, b.Final)
		}
		if drawsHash(d[:1]) != DataHash(d[0]) {
			t.Error("the data hash of one draw changed")
		}
		c, err := Train(m(3), d[0], d[1:]...)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Equal(a.Rules.Theta, c.Rules.Theta) {
			t.Errorf("%s: three tasks changed nothing", a.Method)
		}
		want, err := Score(today.Common(), d[0], c.Rules)
		if err != nil {
			t.Fatal(err)
		}
		if c.Final != want {
			t.Errorf("%s: final scores %+v, want draw 0's %+v", a.Method, c.Final, want)
		}
	}
}

// TestTasksWorkersAndResume: a run on three draws is the same on one worker
// and on two, and when stopped and resumed; a resume on other draws is
// refused.
func TestTasksWorkersAndResume(t *testing.T) {
	d := draws(t, 4)
	o := tasksES(3)
	o.Workers = 1
	a, err := Train(o, d[0], d[1:3]...)
	if err != nil {
		t.Fatal(err)
	}
	o.Workers = 2
	b, err := Train(o, d[0], d[1:3]...)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "rules with workers 1 and 2", a.Rules.Theta, b.Rules.Theta)
	sameMetrics(t, a.Metrics, b.Metrics)

	o.Generations = 3
	ck, dir := checkpointed(t, o, d[0], d[1:3]...)
	ro := *ck.ES
	ro.Generations, ro.Dir = 8, dir
	res, err := Resume(ck, ro, d[0], d[1:3]...)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "rules after a resume", a.Rules.Theta, res.Rules.Theta)
	sameMetrics(t, a.Metrics, res.Metrics)
	if a.Final != res.Final {
		t.Errorf("final scores %+v vs %+v", a.Final, res.Final)
	}
	if _, err := Resume(ck, ro, d[0], d[1], d[3]); err == nil || !strings.Contains(err.Error(), "data set differs") {
		t.Errorf("resume on other draws: %v", err)
	}

	g := resumableGD(9)
	g.Data = o.Data
	full, err := Train(g, d[0], d[1:3]...)
	if err != nil {
		t.Fatal(err)
	}
	g.Steps = 4
	g.Dir = t.TempDir()
	if _, err := Train(g, d[0], d[1:3]...); err != nil {
		t.Fatal(err)
	}
	gck, err := ReadCheckpoint(g.Dir)
	if err != nil {
		t.Fatal(err)
	}
	rg := *gck.GD
	rg.Steps = 9
	part, err := Resume(gck, rg, d[0], d[1:3]...)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "GD rules after a resume", full.Rules.Theta, part.Rules.Theta)
	sameGDRows(t, full.Metrics, part.Metrics)
}

// TestTasksRefused: a task count that is not the draws', or on data with
// no other draws, is refused with the field named.
func TestTasksRefused(t *testing.T) {
	d := draws(t, 3)
	csv := d[1]
	csv.Train.Dim, csv.Train.X = 5, csv.Train.X[:5*csv.Train.Len()]
	for _, c := range []struct {
		spec  DataSpec
		draws []data.Dataset
		want  string
	}{
		{DataSpec{Name: "mnist", Tasks: 3}, d, "tasks must be 1 on mnist"},
		{DataSpec{Name: "csv:a.csv", Tasks: 2}, d[:2], "tasks must be 1 on csv:a.csv"},
		{DataSpec{Name: "synthetic", Tasks: -1}, d[:1], "tasks must be at least 1"},
		{DataSpec{Name: "synthetic", Tasks: 3}, d[:2], "needs 3 draws"},
		{DataSpec{Name: "synthetic", Tasks: 0}, d[:2], "needs 1 draws"},
		{DataSpec{Name: "relu", Tasks: 2}, []data.Dataset{d[0], csv}, "draw 1 of the data set has 5 features"},
	} {
		o := tasksES(0)
		o.Data = c.spec
		_, err := Train(o, c.draws[0], c.draws[1:]...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v with %d draws: %v, want %q", c.spec, len(c.draws), err, c.want)
		}
		g := resumableGD(2)
		g.Data = c.spec
		_, err = Train(g, c.draws[0], c.draws[1:]...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("GD %+v with %d draws: %v, want %q", c.spec, len(c.draws), err, c.want)
		}
	}
}

// TestTasksTestOnDrawZero: the test accuracy measured while learning on three
// draws is that of draw 0, whatever draw the last generation or step took.
func TestTasksTestOnDrawZero(t *testing.T) {
	d := draws(t, 3)
	for _, m := range []Method{tasksES(3), func() Method { o := resumableGD(8); o.Data = tasksES(3).Data; return o }()} {
		n := m.Control().Length
		for taskOf(m.Common().Seed, n-1, 3) == 0 {
			n++ // a last generation or step on another draw than 0
		}
		m = m.WithControl(Control{Length: n, EvalEvery: n, Workers: 1})
		res, err := Train(m, d[0], d[1:]...)
		if err != nil {
			t.Fatal(err)
		}
		// The same measurement by a run of draw 0 alone holding the final rules.
		var want model.Score
		switch o := m.(type) {
		case ESOptions:
			o.Data.Tasks = 0
			c, err := NewCandidates(o, d[0])
			if err != nil {
				t.Fatal(err)
			}
			c.prepare(n - 1)
			net, _, err := c.l.run(0, res.Rules, c.batches.Batch(n-1))
			if err != nil {
				t.Fatal(err)
			}
			want = net.Evaluate(d[0].Test, nil)
		case GDOptions:
			o.Data.Tasks = 0
			s, err := NewGDStepper(o, d[0])
			if err != nil {
				t.Fatal(err)
			}
			s.Rules, s.done = res.Rules, n
			if want, err = s.Test(); err != nil {
				t.Fatal(err)
			}
		}
		if got := res.Metrics[n-1].TestAccuracy; got != want.Accuracy {
			t.Errorf("%s: test accuracy %v, want draw 0's %v", res.Method, got, want.Accuracy)
		}
	}
}
