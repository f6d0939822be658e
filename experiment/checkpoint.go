package experiment

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"io"
	"math"

	"plasticity/data"
	"plasticity/grad"
	"plasticity/model"
	"plasticity/rundir"
)

// CheckpointVersion is the version of the checkpoint's payload. A
// checkpoint of a newer version is refused: bump it whenever the payload or a
// strategy's state (es.StateVersion) changes meaning. Version 2 added
// ESOptions.Freeze and ESOptions.Horizon, which a version 1 reader would drop
// without a word; version 3 added GD runs; version 4 holds either trainer's
// options, its state as bytes and one metrics table (versions 1 to 3 are read
// through checkpointV3); version 5 added GDOptions.Horizon and the model's
// FreeReadout, which a version 4 reader would drop without a word; version 6
// added the model's EtaDecay, likewise (versions 4 and 5 read as 6 with no
// decay).
const CheckpointVersion = 6

// oldestCheckpointVersion is the oldest format still read: a version 1
// payload is a version 2 one with no table frozen and no horizon, and a
// version 2 payload a version 3 ES one.
const oldestCheckpointVersion = 1

// Checkpoint is everything a resumed run needs to end bit for bit where an
// uninterrupted one would: the options, the trainer's complete state (for ES
// the strategy's, its generator included; for GD the rules and Adam's
// moments and step count) and the metrics so far. Batches and initial
// weights are drawn per generation or step from the seed, so they need no
// saving.
type Checkpoint struct {
	// Kind is "es" or "gd"; ES or GD holds the run's options.
	Kind string
	ES   *ESOptions
	GD   *GDOptions
	// Step is how many generations (ES) or steps (GD) are done.
	Step int
	// Samples and Seconds are the training samples shown and the wall time
	// spent so far.
	Samples int
	Seconds float64
	// State is the trainer's state.
	State   []byte
	Metrics []Row
	// DataHash identifies the data set trained on (DataHash).
	DataHash string
}

// init numbers the gob types of checkpoints before anything else in the
// process is encoded, so the same checkpoint has the same bytes in every
// process (see es's init).
func init() {
	for _, v := range []any{Checkpoint{ES: &ESOptions{}, GD: &GDOptions{}, Metrics: []Row{{}}}, gdState{}} {
		if err := gob.NewEncoder(io.Discard).Encode(v); err != nil {
			panic(fmt.Sprintf("experiment: numbering gob type %T: %v", v, err))
		}
	}
}

// newCheckpoint is the fixed part of m's checkpoints.
func newCheckpoint(m Method, hash string) Checkpoint {
	c := Checkpoint{DataHash: hash}
	m.into(&c)
	return c
}

func (o ESOptions) into(c *Checkpoint) { c.Kind, c.ES = "es", &o }

func (o GDOptions) into(c *Checkpoint) { c.Kind, c.GD = "gd", &o }

// Method returns the options the checkpoint's run was started with.
func (c *Checkpoint) Method() Method {
	switch {
	case c.Kind == "es" && c.ES != nil:
		return *c.ES
	case c.Kind == "gd" && c.GD != nil:
		return *c.GD
	}
	return nil
}

// Write saves the checkpoint atomically at path (rundir.WriteCheckpoint).
func (c *Checkpoint) Write(path string) error {
	// The log and the stop channel belong to the process, not the run.
	saved := *c
	if c.ES != nil {
		o := *c.ES
		o.Log, o.Stop, o.Evaluator, o.Weights = nil, nil, nil, nil
		saved.ES = &o
	}
	if c.GD != nil {
		o := *c.GD
		o.Log, o.Stop, o.Weights = nil, nil, nil
		saved.GD = &o
	}
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(saved); err != nil {
		return fmt.Errorf("encoding checkpoint: %w", err)
	}
	return rundir.WriteCheckpoint(path, CheckpointVersion, body.Bytes())
}

// ReadCheckpoint reads the checkpoint of run directory dir (or the file dir
// itself when it is not a directory), refusing a file of another format
// version, a truncated one, or one whose checksum does not match.
func ReadCheckpoint(dir string) (*Checkpoint, error) {
	v, payload, err := rundir.ReadCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	c, err := parsePayload(v, payload)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", rundir.CheckpointPath(dir), err)
	}
	return c, nil
}

// ParseCheckpoint reads a checkpoint file's content.
func ParseCheckpoint(b []byte) (*Checkpoint, error) {
	v, payload, err := rundir.ParseCheckpoint(b)
	if err != nil {
		return nil, err
	}
	return parsePayload(v, payload)
}

func parsePayload(v uint32, payload []byte) (*Checkpoint, error) {
	if v < oldestCheckpointVersion || v > CheckpointVersion {
		return nil, fmt.Errorf("format version %d, this plasticity reads versions %d to %d", v,
			oldestCheckpointVersion, CheckpointVersion)
	}
	c := new(Checkpoint)
	dec := gob.NewDecoder(bytes.NewReader(payload))
	if v < 4 {
		var old checkpointV3
		if err := dec.Decode(&old); err != nil {
			return nil, fmt.Errorf("reading payload: %w", err)
		}
		var err error
		if c, err = old.upgrade(); err != nil {
			return nil, err
		}
	} else if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("reading payload: %w", err)
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

// check refuses a payload whose parts do not fit together.
func (c *Checkpoint) check() error {
	m := c.Method()
	if m == nil {
		return fmt.Errorf("damaged: a run of kind %q without its options", c.Kind)
	}
	if c.Step < 0 || c.Step != len(c.Metrics) {
		return fmt.Errorf("damaged: %d done with %d metrics rows", c.Step, len(c.Metrics))
	}
	if r := m.Common().Model.Rounds; r < 0 || r > model.MaxRounds {
		return fmt.Errorf("damaged: R = %d", r)
	}
	if c.Kind == "gd" {
		var st gdState
		if err := st.decode(c.State, c.GD.Model.Rounds, c.Step); err != nil {
			return fmt.Errorf("damaged: %w", err)
		}
	}
	return nil
}

// checkpointV3 is the payload of checkpoint versions 1 to 3, whose fields
// gob matches by name: Method "" (ES) or "gd", Generation counting either.
type checkpointV3 struct {
	Method     string
	Options    ESOptions
	Generation int
	Samples    int
	Seconds    float64
	State      []byte
	Metrics    []Row
	DataHash   string
	GD         GDOptions
	Theta      []float32
	Adam       grad.Adam
	GDMetrics  []Row
}

func (o checkpointV3) upgrade() (*Checkpoint, error) {
	c := &Checkpoint{Step: o.Generation, Samples: o.Samples, Seconds: o.Seconds, DataHash: o.DataHash}
	switch o.Method {
	case "":
		c.Kind, c.ES, c.State, c.Metrics = "es", &o.Options, o.State, o.Metrics
	case "gd":
		gd := o.GD
		if gd.Variant == "seed" {
			gd.Variant = "paper"
		}
		state, err := gdState{Theta: o.Theta, Adam: o.Adam}.encode()
		if err != nil {
			return nil, err
		}
		c.Kind, c.GD, c.State, c.Metrics = "gd", &gd, state, o.GDMetrics
	default:
		return nil, fmt.Errorf("unknown method %q", o.Method)
	}
	return c, nil
}

// DataHash returns a SHA-256 of a data set's splits, so a run is never
// resumed on other data than it started with.
func DataHash(ds data.Dataset) string {
	h := sha256.New()
	var buf [8]byte
	put := func(v uint64) {
		binary.LittleEndian.PutUint64(buf[:], v)
		h.Write(buf[:])
	}
	put(uint64(ds.Classes))
	for _, s := range []model.Samples{ds.Train, ds.Test} {
		put(uint64(s.Dim))
		put(uint64(len(s.X)))
		// In blocks: one Write per value would dominate on MNIST.
		block := make([]byte, 0, 1<<14)
		for i, v := range s.X {
			block = binary.LittleEndian.AppendUint32(block, math.Float32bits(v))
			if len(block) == cap(block) || i == len(s.X)-1 {
				h.Write(block)
				block = block[:0]
			}
		}
		for i, y := range s.Y {
			block = binary.LittleEndian.AppendUint32(block, uint32(y))
			if len(block) == cap(block) || i == len(s.Y)-1 {
				h.Write(block)
				block = block[:0]
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
