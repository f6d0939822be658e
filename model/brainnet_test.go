package model

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// brainnetCase is one golden lifetime of BrainNet's own code, written by
// testdata/brainnet/gen.py: the initial weights, the rule tables, the samples
// and BrainNet's final weights.
type brainnetCase struct {
	Inputs, Hidden, Outputs, Cap, Rounds int
	Eta                                  float64
	RuleForm                             string `json:"rule_form"`
	Update                               string
	OutputEdges                          string `json:"output_edges"`
	Fire                                 string
	Mask, Win, Whid, Wout                []float64
	HiddenRule                           []float64 `json:"hidden_rule"`
	OutputRule                           []float64 `json:"output_rule"`
	X                                    []float64
	Y                                    []int32
	FinalWin                             []float64 `json:"final_win"`
	FinalWhid                            []float64 `json:"final_whid"`
	FinalWout                            []float64 `json:"final_wout"`
}

func f32s(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// replay runs the case's lifetime on our model with fire read as fire, and
// returns the largest difference from BrainNet's final weights relative to
// the larger of 1 and their largest magnitude.
func (c brainnetCase) replay(t *testing.T, fire Fire) float64 {
	t.Helper()
	cfg := Config{Inputs: c.Inputs, Hidden: c.Hidden, Outputs: c.Outputs, Rounds: c.Rounds, Cap: c.Cap,
		Eta: float32(c.Eta), EdgeProb: 1, Act: ReLU, Drive: DriveRaw, Fire: fire}
	var err error
	for _, e := range []error{
		func() error { cfg.RuleForm, err = ParseRuleForm(c.RuleForm); return err }(),
		func() error { cfg.Update, err = ParseUpdate(c.Update); return err }(),
		func() error { cfg.OutputEdges, err = ParseOutputEdges(c.OutputEdges); return err }(),
	} {
		if e != nil {
			t.Fatal(e)
		}
	}
	n, err := NewNetwork(cfg)
	if err != nil {
		t.Fatal(err)
	}
	copy(n.Win, f32s(c.Win))
	copy(n.Whid, f32s(c.Whid))
	copy(n.Wout, f32s(c.Wout))
	n.absent = n.absent[:0]
	for i, m := range c.Mask {
		if m == 0 {
			n.absent = append(n.absent, int32(i))
		}
	}
	p := Patterns(c.Rounds)
	r, err := RulesFromTables(c.Rounds, make([]float32, p), f32s(c.HiddenRule), f32s(c.OutputRule))
	if err != nil {
		t.Fatal(err)
	}
	ds := Samples{X: f32s(c.X), Y: c.Y, Dim: c.Inputs}
	idx := allIndices(len(c.Y))
	if _, err := n.Lifetime(r, ds, idx, nil); err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for _, m := range []struct {
		got  []float32
		want []float64
	}{{n.Win, c.FinalWin}, {n.Whid, c.FinalWhid}, {n.Wout, c.FinalWout}} {
		scale := 1.0
		for _, v := range m.want {
			scale = max(scale, math.Abs(v))
		}
		for i, v := range m.want {
			worst = max(worst, math.Abs(float64(m.got[i])-v)/scale)
		}
	}
	return worst
}

func loadBrainnet(t *testing.T, path string) brainnetCase {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c brainnetCase
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestBrainNetGoldenLifetimes replays every lifetime BrainNet's own code
// computed (testdata/brainnet/gen.py: relu, raw drive, R = 0..3, additive
// and multiplicative, misclassified and always, all and predicted edges,
// BrainNet's top-k reading of "fired" and, patched, the non-zero one) and
// asks for its final weights within 1e-5. Replayed with the other reading of
// "fired" the report's 100-sample lifetimes must not agree: the test can tell
// the readings apart.
func TestBrainNetGoldenLifetimes(t *testing.T) {
	files, err := filepath.Glob("testdata/brainnet/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 32 {
		t.Fatalf("%d golden files, want at least 32", len(files))
	}
	for _, f := range files {
		c := loadBrainnet(t, f)
		fire, err := ParseFire(c.Fire)
		if err != nil {
			t.Fatal(err)
		}
		d := c.replay(t, fire)
		t.Logf("%s: our fire %v agrees with BrainNet within %.3g", filepath.Base(f), fire, d)
		if !(d <= 1e-5) {
			t.Errorf("%s: final weights differ from BrainNet's by %.3g", filepath.Base(f), d)
		}
		if strings.HasPrefix(filepath.Base(f), "report-") {
			other := 1 - fire
			d := c.replay(t, other)
			t.Logf("%s: our fire %v differs from it by %.3g", filepath.Base(f), other, d)
			if d <= 1e-5 {
				t.Errorf("%s: the other reading (%v) agrees too: nothing tells them apart", filepath.Base(f), other)
			}
		}
	}
}
