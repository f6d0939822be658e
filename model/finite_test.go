package model

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

// overflowCase is a network worked by hand whose weights of one table leave
// float32: all-zero initial weights, every input x = (x0, 0, 0, 0), cap 1,
// R = 1, sigmoid, and rules whose only non-zero table is table, every entry
// 1, under eta. With x0 = 1 and eta = 1.5e38 each update adds 1.5e38 to
// every weight of the table (but the hidden diagonal), so after two steps
// they are 3e38 and after the third +Inf, while every product stays finite
// until then: the drive is t*eta*x0, round 1's input is (1, 0, 0, ...) (a0 is
// 0.5 everywhere and the cap keeps neuron 0), and the logits are Wout
// (0.5, 0, ...). The fourth sample (index 3) is the first to meet them.
func overflowCase(t *testing.T, table string, eta, x0 float32, norm Norm) (*Network, Rules, Samples) {
	t.Helper()
	cfg := Config{Inputs: 4, Hidden: 6, Outputs: 2, Rounds: 1, Cap: 1, Eta: eta, EdgeProb: 1, Init: InitZero, Norm: norm}
	n, err := NewNetwork(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n.Init(NewRand(1, "overflow", 0))
	r := NewRules(cfg.Rounds)
	tab := map[string][]float32{"input": r.Input(), "hidden": r.Hidden(), "output": r.Output()}[table]
	for i := range tab {
		tab[i] = 1
	}
	ds := Samples{X: make([]float32, 8*cfg.Inputs), Y: make([]int32, 8), Dim: cfg.Inputs}
	for i := range ds.Y {
		ds.X[i*cfg.Inputs] = x0
		ds.Y[i] = int32(i % 2)
	}
	return n, r, ds
}

// lifetimePaths runs f once on each way a lifetime without normalisation can go:
// the row-major products with the fused hidden update, the transposed
// lifetime, and every update written at once for an Observer.
func lifetimePaths(t *testing.T, f func(path string, obs Observer)) {
	defer func(m, s int) { transposedMin, transposedSteps = m, s }(transposedMin, transposedSteps)
	for _, path := range []string{"rows", "transposed", "observer"} {
		transposedMin, transposedSteps = math.MaxInt, math.MaxInt
		var obs Observer
		switch path {
		case "transposed":
			transposedMin, transposedSteps = 1, 1
		case "observer":
			obs = &countObserver{}
		}
		f(path, obs)
	}
}

// firstNonFinite returns the first step after which the straightforward
// lifetime's weights hold a non-finite value, and which table's.
func firstNonFinite(ref refRun, c Config) (int, string) {
	h := c.Hidden
	for step, w := range ref.weights {
		for i, v := range w {
			if !math.IsInf(float64(v), 0) && !math.IsNaN(float64(v)) {
				continue
			}
			switch {
			case i < h*c.Inputs:
				return step, "input"
			case i < h*c.Inputs+h*h:
				return step, "hidden"
			}
			return step, "output"
		}
	}
	return -1, ""
}

func TestNonFiniteWeightsNamed(t *testing.T) {
	for _, table := range []string{"input", "hidden", "output"} {
		// The straightforward lifetime, every update written at once, says
		// when the weights leave float32: the step after is the first to
		// meet them.
		n, r, ds := overflowCase(t, table, 1.5e38, 1, NormNone)
		idx := []int32{0, 1, 2, 3, 4, 5, 6, 7}
		ref := runRef(t, n, r, ds, idx)
		step, refTable := firstNonFinite(ref, n.Cfg)
		if step != 2 || refTable != table {
			t.Fatalf("%s: the straightforward weights leave float32 after step %d in the %s table, worked by hand: step 2 in %s",
				table, step, refTable, table)
		}
		want := NonFiniteError{Sample: 3, Table: table, Weights: true}
		lifetimePaths(t, func(path string, obs Observer) {
			n, r, ds := overflowCase(t, table, 1.5e38, 1, NormNone)
			_, err := n.Lifetime(r, ds, idx, obs)
			var got NonFiniteError
			if !errors.As(err, &got) || got != want {
				t.Errorf("%s table, %s path: error %v, want %v", table, path, err, want)
			}
			if c, ok := obs.(*countObserver); ok && len(c.updated) != want.Sample+1 {
				t.Errorf("%s table: the lifetime went on for %d steps, want it to stop after %d", table, len(c.updated), want.Sample+1)
			}
			// The next lifetime starts afresh.
			n.Init(NewRand(1, "overflow", 0))
			if _, err := n.Lifetime(NewRules(n.Cfg.Rounds), ds, idx, nil); err != nil {
				t.Errorf("%s table, %s path: a lifetime of finite values after the error: %v", table, path, err)
			}
		})
	}
}

func TestNonFiniteProductsNamed(t *testing.T) {
	// One update makes the input weights 1e38; the next drive, 1e38 * 4,
	// overflows while every weight is finite.
	want := NonFiniteError{Sample: 1, Table: "input"}
	lifetimePaths(t, func(path string, obs Observer) {
		n, r, ds := overflowCase(t, "input", 1e38, 4, NormNone)
		_, err := n.Lifetime(r, ds, []int32{0, 1, 2, 3}, obs)
		var got NonFiniteError
		if !errors.As(err, &got) || got != want {
			t.Errorf("%s path: error %v, want %v", path, err, want)
		}
	})
	// Normalisation squares the weights: 1.5e38 overflows at the first step's
	// column norms, whose infinity would otherwise clear the columns.
	for _, table := range []string{"input", "hidden", "output"} {
		n, r, ds := overflowCase(t, table, 1.5e38, 1, NormOutgoing)
		_, err := n.Lifetime(r, ds, []int32{0, 1, 2, 3}, nil)
		want := NonFiniteError{Sample: 0, Table: table}
		var got NonFiniteError
		if !errors.As(err, &got) || got != want {
			t.Errorf("norm outgoing, %s table: error %v, want %v", table, err, want)
		}
	}
}

func TestNonFiniteAtTheEnd(t *testing.T) {
	// The third update, the last sample's, makes Wout infinite: no forward
	// pass reads it, the scan at the end finds it.
	want := NonFiniteError{Sample: 2, Table: "output", Weights: true}
	lifetimePaths(t, func(path string, obs Observer) {
		n, r, ds := overflowCase(t, "output", 1.5e38, 1, NormNone)
		_, err := n.Lifetime(r, ds, []int32{0, 1, 2}, obs)
		var got NonFiniteError
		if !errors.As(err, &got) || got != want {
			t.Errorf("%s path: error %v, want %v", path, err, want)
		}
	})
}

func TestNonFiniteErrorMessage(t *testing.T) {
	for _, c := range []struct {
		err  NonFiniteError
		want string
	}{
		{NonFiniteError{Sample: 12, Table: "hidden", Weights: true}, "the hidden weights became NaN or infinite by sample 12"},
		{NonFiniteError{Sample: 0, Table: "input"}, "the input weights' products overflowed float32 by sample 0"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.err, got, c.want)
		}
		if got := fmt.Sprint(error(c.err)); got != c.want {
			t.Errorf("%+v as an error: %q", c.err, got)
		}
	}
}
