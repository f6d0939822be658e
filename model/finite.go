package model

import (
	"fmt"

	"plasticity/linalg"
)

// A lifetime checks, for each sample, the values its forward pass computes
// anyway: the drive Win x, each round's product over Whid before the
// activation, and the logits (and, under norm=outgoing, the column norms). A
// non-finite weight makes the product over its row NaN or infinite whatever
// the input (NaN or infinity times zero is NaN), so the first sample to read
// it is caught for the price of one dot product per vector. Only when a check
// fires, or when the lifetime ends, are the weights themselves scanned, to
// tell a non-finite table from finite weights too large for their products.
// A weight no forward pass reads (a row the transposed lifetime skips, an
// input weight whose update the fast path adds at the end) is found by the
// scan at the end and named with the lifetime's last sample.

// The weight tables, in the order a forward pass reads them.
const (
	inputTable = iota + 1
	hiddenTable
	outputTable
)

var tableNames = [...]string{"", "input", "hidden", "output"}

// NonFiniteError reports a lifetime whose numbers left float32: a weight
// became NaN or infinite, or finite weights gave an infinite product.
type NonFiniteError struct {
	// Sample is the position, among the lifetime's samples, of the first
	// whose step met the non-finite value (the updates before it made it).
	Sample int
	// Table is "input", "hidden" or "output": the weights that became
	// non-finite, or whose products overflowed.
	Table string
	// Weights says whether the weights themselves are NaN or infinite; when
	// false, they are finite but too large for their products.
	Weights bool
}

func (e NonFiniteError) Error() string {
	if e.Weights {
		return fmt.Sprintf("the %s weights became NaN or infinite by sample %d", e.Table, e.Sample)
	}
	return fmt.Sprintf("the %s weights' products overflowed float32 by sample %d", e.Table, e.Sample)
}

// check notes table as the first whose values went non-finite in this
// lifetime when x holds NaN or an infinity: x . 0 is 0 when every entry of x
// is finite, NaN otherwise. Short vectors (a small network's, the logits)
// take a loop here, which costs less than the call of the kernel.
func (n *Network) check(x []float32, table int) {
	if n.fault != 0 {
		return
	}
	var s float32
	if len(x) < 64 {
		for _, v := range x {
			s += v * 0
		}
	} else {
		s = linalg.Dot(x, n.zeros[:len(x)])
	}
	if s != 0 {
		n.fault = table
	}
}

// weightsFinite reports whether every weight of table is finite.
func (n *Network) weightsFinite(table int) bool {
	c := n.Cfg
	w, cols := n.Win, c.Inputs
	switch table {
	case hiddenTable:
		w, cols = n.Whid, c.Hidden
	case outputTable:
		w, cols = n.Wout, c.Hidden
	}
	z := n.zeros[:cols]
	for i := 0; i < len(w); i += cols {
		if linalg.Dot(w[i:i+cols], z) != 0 {
			return false
		}
	}
	return true
}

// nonFinite returns the NonFiniteError of a lifetime of steps samples that
// stopped after sample end, or nil when its values and weights stayed finite.
// The weights must hold every update of the lifetime.
func (n *Network) nonFinite(end, steps int) error {
	bad := 0
	if n.fault != 0 && !n.weightsFinite(n.fault) {
		bad = n.fault
	}
	for t := inputTable; bad == 0 && t <= outputTable; t++ {
		if !n.weightsFinite(t) {
			bad = t
		}
	}
	switch {
	case bad != 0 && n.fault == 0:
		return NonFiniteError{Sample: max(steps-1, 0), Table: tableNames[bad], Weights: true}
	case bad != 0:
		return NonFiniteError{Sample: min(end, steps-1), Table: tableNames[bad], Weights: true}
	case n.fault != 0:
		return NonFiniteError{Sample: min(end, steps-1), Table: tableNames[n.fault]}
	}
	return nil
}
