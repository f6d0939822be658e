package cluster

import (
	"testing"
	"time"

	"plasticity/data"
	"plasticity/experiment"
	"plasticity/model"
)

// BenchmarkChunkCycle measures the coordinator's side of one chunk of
// one candidate over an embedded server on loopback: ask, its reply with
// the genotype (R = 3), and the result with an MNIST-sized score. Its
// inverse is how many chunks a second one coordinator serves
// (docs/distributed.md).
func BenchmarkChunkCycle(b *testing.B) {
	b.Setenv(TokenEnv, "")
	ds, err := data.Load(data.Spec{Name: "synthetic", Standardize: true})
	if err != nil {
		b.Fatal(err)
	}
	o := experiment.DefaultES(experiment.Options{Model: model.Config{Rounds: 3, Hidden: 20, Cap: 10, Eta: 0.01, EdgeProb: 1},
		Seed: 1, Batch: 100, EvalLifetimes: 1})
	e, err := StartEmbedded("embedded")
	if err != nil {
		b.Fatal(err)
	}
	defer e.Shutdown()
	cc, _ := Connect(Dial{URL: e.URL, Grace: time.Second})
	wc, _ := Connect(Dial{URL: e.URL, Grace: time.Second})
	defer cc.Close()
	defer wc.Close()
	c, err := NewCoordinator(cc, o, ds, CoordinatorOptions{LocalWorkers: 0, Beat: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	fp, _ := NewFingerprint(o, ds)
	if _, err := wc.Request(DefaultPrefix+"."+subjJoin, encode(join{Run: c.Run(), Worker: "w", Capacity: 1, Fingerprint: fp}), time.Second); err != nil {
		b.Fatal(err)
	}
	pop := make([][]float32, b.N)
	for i := range pop {
		pop[i] = make([]float32, model.GenotypeLen(3))
	}
	done := make(chan error)
	go func() { _, err := c.Evaluate(experiment.Work{Generation: 0, Part: "batch", Pop: pop}); done <- err }()
	a := encode(ask{Run: c.Run(), Worker: "w", Capacity: 1})
	score := model.Score{N: 6000, Accuracy: 0.5, Loss: 1, Majority: 0.2, Confusion: make([]int, 100)}
	b.ResetTimer()
	for n := 0; n < b.N; {
		m, err := wc.Request(DefaultPrefix+"."+subjAsk, a, time.Second)
		if err != nil {
			b.Fatal(err)
		}
		var ch chunk
		decode(m.Data, &ch)
		if ch.Status != statusWork {
			continue
		}
		wc.Publish(DefaultPrefix+"."+subjResult, encode(result{Run: c.Run(), Worker: "w", ID: ch.ID, Job: ch.Job,
			Index: ch.Index, Scores: []model.Score{score}}))
		n++
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}
