package model

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// decayNet returns a small network under -eta-decay tau with initial
// weights drawn, rules with every table N(0,1), and 60 samples.
func decayNet(t *testing.T, tau float64) (*Network, Rules, Samples) {
	t.Helper()
	cfg := Config{Inputs: 5, Hidden: 12, Outputs: 3, Rounds: 2, Cap: 6, Eta: 0.05, EdgeProb: 1,
		Act: ReLU, Drive: DriveRaw, Init: InitScaled, Norm: NormBoth, InputRule: InputHebbian, EtaDecay: tau}
	n, err := NewNetwork(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n.Init(NewRand(1, "decay-init", 0))
	r := normalRules(cfg.Rounds, NewRand(2, "decay-rules", 0))
	return n, r, randomSamples(60, cfg.Inputs, cfg.Outputs, 3)
}

// TestEtaDecayAgeSpansLifetimes checks that the age the decay is taken at
// runs on across Lifetime calls (a transfer's many lifetimes settle as one
// long lifetime would), and is reset by Init, CopyWeights and ApplyWeights.
func TestEtaDecayAgeSpansLifetimes(t *testing.T) {
	idx := allIndices(60)
	one, r, ds := decayNet(t, 5)
	w0 := flatWeights(one)
	if _, err := one.Lifetime(r, ds, idx, nil); err != nil {
		t.Fatal(err)
	}
	two, _, _ := decayNet(t, 5)
	for _, part := range [][]int32{idx[:17], idx[17:40], idx[40:]} {
		if _, err := two.Lifetime(r, ds, part, nil); err != nil {
			t.Fatal(err)
		}
	}
	if one.Age() != 60 || two.Age() != 60 {
		t.Errorf("ages %d and %d after 60 samples", one.Age(), two.Age())
	}
	if i := sameValues(flatWeights(two), flatWeights(one)); i >= 0 {
		t.Errorf("three lifetimes differ from one of the same samples at weight %d", i)
	}
	// Without the decay, or with a network whose age was not reset, the
	// weights differ: the comparison above can fail.
	fixed, _, _ := decayNet(t, 0)
	if _, err := fixed.Lifetime(r, ds, idx, nil); err != nil {
		t.Fatal(err)
	}
	if sameValues(flatWeights(fixed), flatWeights(one)) < 0 {
		t.Error("the decay changed nothing")
	}
	// Every way of setting initial weights starts the age at 0.
	src, _, _ := decayNet(t, 5)
	w := src.TakeWeights([3]bool{true, true, true})
	resets := map[string]func(n *Network){
		"Init":         func(n *Network) { n.Init(NewRand(1, "decay-init", 0)) },
		"CopyWeights":  func(n *Network) { n.CopyWeights(src) },
		"ApplyWeights": func(n *Network) { _ = n.ApplyWeights(w) },
	}
	for name, reset := range resets {
		n, _, _ := decayNet(t, 5)
		if _, err := n.Lifetime(r, ds, idx[:30], nil); err != nil {
			t.Fatal(err)
		}
		reset(n)
		if n.Age() != 0 || sameValues(flatWeights(n), w0) >= 0 {
			t.Fatalf("%s: age %d, weights not the initial ones", name, n.Age())
		}
		if _, err := n.Lifetime(r, ds, idx, nil); err != nil {
			t.Fatal(err)
		}
		if i := sameValues(flatWeights(n), flatWeights(one)); i >= 0 {
			t.Errorf("after %s the lifetime differs from a fresh one at weight %d", name, i)
		}
	}
}

// TestEtaDecaySteps checks the steps of the update after the t-th sample:
// eta / (1 + t/tau) times each entry, and eta itself without the decay.
func TestEtaDecaySteps(t *testing.T) {
	n, r, _ := decayNet(t, 4)
	if err := n.SetRules(r); err != nil {
		t.Fatal(err)
	}
	for _, age := range []int64{0, 1, 4, 1000} {
		n.SetStepFactor(n.Cfg.DecayFactor(age))
		want := float64(n.Cfg.Eta) / (1 + float64(age)/4)
		in, _, _, _ := n.RuleSteps()
		if got := float64(in[3]) / float64(r.Input()[3]); math.Abs(got-want) > 1e-6*want {
			t.Errorf("age %d: step/entry %v, want %v", age, got, want)
		}
	}
	var c Config
	if c.DecayFactor(12345) != 1 {
		t.Error("no decay: factor not 1")
	}
}

func TestEtaDecayConfig(t *testing.T) {
	ok := Config{Inputs: 2, Hidden: 4, Outputs: 2, Rounds: 3, Cap: 2, Eta: 0.01, EdgeProb: 1}
	for _, v := range []float64{-1, math.NaN(), math.Inf(1)} {
		c := ok
		c.EtaDecay = v
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "eta_decay") {
			t.Errorf("eta decay %v: error %v", v, err)
		}
	}
	// Files written before the option read as 0, and it is written only
	// when set.
	b, _ := json.Marshal(ok)
	if strings.Contains(string(b), "eta_decay") {
		t.Errorf("eta_decay written at 0: %s", b)
	}
	ok.EtaDecay = 4000
	b, _ = json.Marshal(ok)
	var back Config
	if err := json.Unmarshal(b, &back); err != nil || back != ok {
		t.Errorf("%s read back as %+v (%v)", b, back, err)
	}
	if !ok.stepwise() {
		t.Error("a decaying configuration is not stepwise")
	}
}
