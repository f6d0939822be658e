package es

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"io"
	"math/rand/v2"
)

// StateVersion is the version of the strategies' serialised state. A state of
// another version is refused rather than half-read: bump it whenever a state
// struct changes meaning.
const StateVersion = 1

// envelope wraps every serialised strategy so the reader can tell a state of
// another strategy or another version apart before decoding its body.
type envelope struct {
	Kind    string
	Version int
	Body    []byte
}

func encodeState(kind string, state any) ([]byte, error) {
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(state); err != nil {
		return nil, fmt.Errorf("es %s: encoding state: %w", kind, err)
	}
	var out bytes.Buffer
	if err := gob.NewEncoder(&out).Encode(envelope{Kind: kind, Version: StateVersion, Body: body.Bytes()}); err != nil {
		return nil, fmt.Errorf("es %s: encoding state: %w", kind, err)
	}
	return out.Bytes(), nil
}

func decodeState(b []byte, kind string, state any) error {
	var env envelope
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&env); err != nil {
		return fmt.Errorf("es %s: reading state: %w", kind, err)
	}
	if env.Kind != kind {
		return fmt.Errorf("es %s: the state is of strategy %q", kind, env.Kind)
	}
	if env.Version != StateVersion {
		return fmt.Errorf("es %s: state format version %d, this build reads version %d", kind, env.Version, StateVersion)
	}
	if err := gob.NewDecoder(bytes.NewReader(env.Body)).Decode(state); err != nil {
		return fmt.Errorf("es %s: reading state: %w", kind, err)
	}
	return nil
}

// source is a strategy's own generator: a PCG whose state is saved with the
// strategy, so a resumed run draws exactly the numbers an uninterrupted one
// would.
type source struct {
	pcg *rand.PCG
	*rand.Rand
}

// newSource derives a strategy's generator from rng.
func newSource(rng *rand.Rand) source {
	p := rand.NewPCG(rng.Uint64(), rng.Uint64())
	return source{pcg: p, Rand: rand.New(p)}
}

func (s source) marshal() ([]byte, error) { return s.pcg.MarshalBinary() }

func (s *source) unmarshal(b []byte) error {
	p := new(rand.PCG)
	if err := p.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("generator state: %w", err)
	}
	s.pcg, s.Rand = p, rand.New(p)
	return nil
}

// checkLen reports whether a decoded vector has the length the rest of the
// state implies, so a damaged state is refused instead of indexing out of
// range later.
func checkLen(kind, name string, got, want int) error {
	if got != want {
		return fmt.Errorf("es %s: state field %s has %d entries, want %d", kind, name, got, want)
	}
	return nil
}

// init numbers the gob types of the strategies' states before anything else
// in the process is encoded. gob numbers a type when it first meets it, and
// the numbers are written into the bytes, so without this a process that
// had encoded other types first (a cluster coordinator's messages) would
// write the same state in other bytes than a local run does.
func init() {
	for _, v := range []any{envelope{}, simpleState{}, openaiState{}, cmaState{}} {
		if err := gob.NewEncoder(io.Discard).Encode(v); err != nil {
			panic(fmt.Sprintf("es: numbering gob type %T: %v", v, err))
		}
	}
}
