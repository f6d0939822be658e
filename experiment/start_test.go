package experiment

import (
	"math"
	"strings"
	"testing"

	"plasticity/model"
)

// TestStartZeroIsNoStart: a start of zeros runs exactly as no start (the
// strategy draws the same numbers), with and without frozen tables, while
// a start elsewhere changes the run.
func TestStartZeroIsNoStart(t *testing.T) {
	ds := smallData(t)
	for _, freeze := range [][]string{nil, {"hidden"}} {
		o := smallES("openai", 3)
		o.Freeze = freeze
		plain, err := Train(o, ds)
		if err != nil {
			t.Fatal(err)
		}
		o.Start = make([]float64, model.GenotypeLen(o.Model.Rounds))
		zero, err := Train(o, ds)
		if err != nil {
			t.Fatal(err)
		}
		sameBits(t, "rules", plain.Rules.Theta, zero.Rules.Theta)
		o.Start[len(o.Start)-1] = 0.5
		moved, err := Train(o, ds)
		if err != nil {
			t.Fatal(err)
		}
		if d := moved.Rules.Theta[len(o.Start)-1] - plain.Rules.Theta[len(o.Start)-1]; math.Abs(float64(d)-0.5) > 0.1 {
			t.Errorf("freeze %v: last entry moved by %v from a start 0.5 away", freeze, d)
		}
	}
}

// TestStartIsTheFirstCentre: the strategy's centre before its first step is
// the start, frozen entries included (as 0), with and without a mask.
func TestStartIsTheFirstCentre(t *testing.T) {
	for _, freeze := range [][]string{nil, {"input"}} {
		o := smallES("openai", 1)
		o.Freeze = freeze
		n := model.GenotypeLen(o.Model.Rounds)
		o.Start = make([]float64, n)
		free, _ := freeCoordinates(o.Model.Rounds, freeze)
		for _, i := range free {
			o.Start[i] = float64(i) / 10
		}
		s, err := o.newStrategy(o.Model.Rounds)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range s.Center() {
			if v != float32(o.Start[i]) {
				t.Fatalf("freeze %v: centre entry %d is %v, want %v", freeze, i, v, o.Start[i])
			}
		}
	}
}

// TestStartRefused: a start the run cannot use is named in one error.
func TestStartRefused(t *testing.T) {
	ds := smallData(t)
	n := model.GenotypeLen(2)
	frozen := make([]float64, n)
	frozen[0] = 1
	for _, c := range []struct {
		strategy, want string
		start          []float64
		freeze         []string
	}{
		{"simple", "need strategy openai", make([]float64, n), nil},
		{"openai", "entries, want", make([]float64, n-1), nil},
		{"openai", "finite", append(make([]float64, n-1), math.NaN()), nil},
		{"openai", "frozen table", frozen, []string{"input"}},
	} {
		o := smallES(c.strategy, 1)
		o.Start, o.Freeze = c.start, c.freeze
		if _, err := Train(o, ds); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s start %v freeze %v: %v, want %q", c.strategy, c.start, c.freeze, err, c.want)
		}
	}
}
