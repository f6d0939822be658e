package model

import "testing"

// benchLifetime times one batch lifetime plus its evaluation pass, the unit
// of work of every trainer, and reports samples shown per second.
func benchLifetime(b *testing.B, cfg Config, batch int) {
	n, err := NewNetwork(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ds := randomSamples(batch, cfg.Inputs, cfg.Outputs, 1)
	idx := allIndices(batch)
	r := normalRules(cfg.Rounds, NewRand(1, "bench-rules", 0))
	init := NewRand(1, "bench-init", 0)
	b.ResetTimer()
	for range b.N {
		n.Init(init)
		if _, err := n.Lifetime(r, ds, idx, nil); err != nil {
			b.Fatal(err)
		}
		n.Evaluate(ds, idx)
	}
	b.ReportMetric(float64(2*batch*b.N)/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkLifetimeSynthetic(b *testing.B) {
	benchLifetime(b, Config{Inputs: 10, Hidden: 20, Outputs: 4, Rounds: 3, Cap: 10, Eta: 0.01, EdgeProb: 1}, 100)
}

func BenchmarkLifetimeMNIST(b *testing.B) {
	benchLifetime(b, Config{Inputs: 784, Hidden: 1000, Outputs: 10, Rounds: 3, Cap: 500, Eta: 0.01, EdgeProb: 1, Init: InitScaled}, 100)
}

// BenchmarkGenerationMNIST times one ES generation's work on one core: a
// Start over a batch of 100 from shared initial weights, then ten candidates'
// lifetimes and evaluation passes from it (LifetimeScore, as experiment runs
// a generation), at the seed's MNIST size with the bench's N(0,1) initial
// weights and rules.
//
//	go test -run - -bench GenerationMNIST ./model
func BenchmarkGenerationMNIST(b *testing.B) {
	cfg := Config{Inputs: 784, Hidden: 1000, Outputs: 10, Rounds: 3, Cap: 500, Eta: 0.01, EdgeProb: 1}
	const batch, pop = 100, 10
	ds := randomSamples(batch, cfg.Inputs, cfg.Outputs, 1)
	idx := allIndices(batch)
	rules := make([]Rules, pop)
	for c := range rules {
		rules[c] = NewRules(cfg.Rounds)
		rng := NewRand(1, "bench-rules", uint64(c))
		for i := range rules[c].Theta {
			rules[c].Theta[i] = float32(rng.NormFloat64())
		}
	}
	w0, err := NewNetwork(cfg)
	if err != nil {
		b.Fatal(err)
	}
	w0.Init(NewRand(1, "bench-init", 0))
	n, _ := NewNetwork(cfg)
	for b.Loop() {
		st, err := NewStart(w0, ds, idx)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rules {
			if _, _, err := n.LifetimeScore(st, r); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/generation")
}
