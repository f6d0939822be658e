package model

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
)

// Rules is one rule genotype theta = [input | hidden | output] for networks of
// Rounds recurrent rounds (docs/model.md §2). The tables are size-free: the
// same rules drive a network of any width.
type Rules struct {
	Rounds int
	Theta  []float32
}

// NewRules returns all-zero rules for R rounds.
func NewRules(rounds int) Rules {
	return Rules{Rounds: rounds, Theta: make([]float32, GenotypeLen(rounds))}
}

// RulesFromTables assembles a genotype from its three tables, checking their
// lengths against R.
func RulesFromTables(rounds int, input, hidden, output []float32) (Rules, error) {
	if rounds < 0 || rounds > MaxRounds {
		return Rules{}, fmt.Errorf("rounds must be 0..%d, got %d", MaxRounds, rounds)
	}
	p := Patterns(rounds)
	if len(input) != p || len(hidden) != p*p || len(output) != 2*p {
		return Rules{}, fmt.Errorf("rule tables of lengths %d, %d, %d do not fit R = %d (want %d, %d, %d)",
			len(input), len(hidden), len(output), rounds, p, p*p, 2*p)
	}
	r := NewRules(rounds)
	copy(r.Input(), input)
	copy(r.Hidden(), hidden)
	copy(r.Output(), output)
	return r, nil
}

// Input is the input table: entry p is the change of every incoming input
// weight of a hidden neuron with firing pattern p.
func (r Rules) Input() []float32 { p := Patterns(r.Rounds); return r.Theta[:p] }

// Hidden is the hidden table: entry pj*P + pi is the change of the synapse from
// a neuron with pattern pj to one with pattern pi.
func (r Rules) Hidden() []float32 { p := Patterns(r.Rounds); return r.Theta[p : p+p*p] }

// Output is the output table: entry 2p is the change of the weight from a
// hidden neuron with pattern p to the correct class, entry 2p+1 to any other.
func (r Rules) Output() []float32 { p := Patterns(r.Rounds); return r.Theta[p+p*p:] }

// Clone returns a deep copy.
func (r Rules) Clone() Rules {
	return Rules{Rounds: r.Rounds, Theta: append([]float32(nil), r.Theta...)}
}

// NewRand returns the generator for one named use of a seed. Every random
// number in plasticity comes from such a generator, so a run is a function of
// its seed alone; stream names the use and index separates its instances (a
// generation, a batch).
func NewRand(seed uint64, stream string, index uint64) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(stream))
	s := h.Sum64()
	return rand.New(rand.NewPCG(splitmix(seed^s), splitmix(index+splitmix(s))))
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
