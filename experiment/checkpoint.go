package experiment

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"plasticity/data"
	"plasticity/grad"
	"plasticity/model"
)

// CheckpointFile is the name of the checkpoint in a run directory.
const CheckpointFile = "checkpoint.bin"

// CheckpointVersion is the version of the checkpoint format. A checkpoint of
// another version is refused: bump it whenever the payload or a strategy's
// state (es.StateVersion) changes meaning. Version 2 added ESOptions.Freeze
// and ESOptions.Horizon, which a version 1 reader would drop without a word;
// version 3 added GD runs (Method, GD, Theta, Adam, GDMetrics), which a
// version 2 reader would take for an ES run.
const CheckpointVersion = 3

// oldestCheckpointVersion is the oldest format still read: a version 1
// payload is a version 2 one with no table frozen and no horizon, and a
// version 2 payload a version 3 ES one.
const oldestCheckpointVersion = 1

// checkpointMagic opens every checkpoint file.
const checkpointMagic = "plasticity-checkpoint\n"

// Checkpoint is everything a resumed run needs to end bit for bit where an
// uninterrupted one would. For ES: the options, the strategy's complete state
// (its generator included), and the metrics so far. For GD: the options, the
// rules, Adam's moments and step count, and the metrics so far. Batches and
// initial weights are drawn per generation or step from the seed, so they
// need no saving.
type Checkpoint struct {
	// Method is "gd" for a GD run and "" for an ES run (so that a version 1
	// or 2 file, which has no Method, reads as the ES run it is).
	Method  string
	Options ESOptions
	// Generation is how many generations (ES) or steps (GD) are done.
	Generation int
	// Samples and Seconds are the training samples shown and the wall time
	// spent so far.
	Samples int
	Seconds float64
	// State is the strategy's es.Strategy.MarshalBinary.
	State   []byte
	Metrics []Row
	// DataHash identifies the data set trained on (DataHash).
	DataHash string
	// GD, Theta, Adam and GDMetrics are a GD run's options, rules,
	// optimiser state and metrics (Method "gd").
	GD        GDOptions
	Theta     []float32
	Adam      grad.Adam
	GDMetrics []GDRow
}

// Write saves the checkpoint atomically at path. The file is the magic line,
// the format version (uint32), the payload length (uint64), the payload and
// its SHA-256, so a truncated or damaged file is recognised as such.
func (c *Checkpoint) Write(path string) error {
	// The log and the stop channel belong to the process, not the run.
	saved := *c
	saved.Options.Log, saved.Options.Stop = nil, nil
	saved.GD.Log, saved.GD.Stop = nil, nil
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(saved); err != nil {
		return fmt.Errorf("encoding checkpoint: %w", err)
	}
	var out bytes.Buffer
	out.WriteString(checkpointMagic)
	binary.Write(&out, binary.LittleEndian, uint32(CheckpointVersion))
	binary.Write(&out, binary.LittleEndian, uint64(body.Len()))
	out.Write(body.Bytes())
	sum := sha256.Sum256(body.Bytes())
	out.Write(sum[:])
	return WriteFileAtomic(path, out.Bytes())
}

// ReadCheckpoint reads the checkpoint of run directory dir (or the file dir
// itself when it is not a directory), refusing a file of another format
// version, a truncated one, or one whose checksum does not match.
func ReadCheckpoint(dir string) (*Checkpoint, error) {
	path := dir
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		path = filepath.Join(dir, CheckpointFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	c, err := parseCheckpoint(b)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return c, nil
}

func parseCheckpoint(b []byte) (*Checkpoint, error) {
	if !bytes.HasPrefix(b, []byte(checkpointMagic)) {
		return nil, errors.New("not a plasticity checkpoint")
	}
	b = b[len(checkpointMagic):]
	if len(b) < 12 {
		return nil, errors.New("truncated (no header)")
	}
	if v := binary.LittleEndian.Uint32(b); v < oldestCheckpointVersion || v > CheckpointVersion {
		return nil, fmt.Errorf("format version %d, this plasticity reads versions %d to %d", v,
			oldestCheckpointVersion, CheckpointVersion)
	}
	n := binary.LittleEndian.Uint64(b[4:])
	b = b[12:]
	if uint64(len(b)) != n+sha256.Size {
		return nil, fmt.Errorf("truncated or damaged: %d bytes after the header, want %d", len(b), n+sha256.Size)
	}
	body, sum := b[:n], b[n:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, errors.New("damaged: checksum mismatch")
	}
	c := new(Checkpoint)
	if err := gob.NewDecoder(bytes.NewReader(body)).Decode(c); err != nil {
		return nil, fmt.Errorf("reading payload: %w", err)
	}
	switch c.Method {
	case "":
		if c.Generation < 0 || c.Generation != len(c.Metrics) {
			return nil, fmt.Errorf("damaged: generation %d with %d metrics rows", c.Generation, len(c.Metrics))
		}
	case "gd":
		if c.Generation < 0 || c.Generation != len(c.GDMetrics) || c.Generation != c.Adam.T {
			return nil, fmt.Errorf("damaged: step %d with %d metrics rows and %d Adam steps", c.Generation,
				len(c.GDMetrics), c.Adam.T)
		}
		if r := c.GD.Model.Rounds; r < 0 || r > model.MaxRounds {
			return nil, fmt.Errorf("damaged: R = %d", r)
		}
		if n := model.GenotypeLen(c.GD.Model.Rounds); len(c.Theta) != n || len(c.Adam.M) != n || len(c.Adam.V) != n {
			return nil, fmt.Errorf("damaged: %d rules and %d/%d Adam moments for R = %d (want %d)", len(c.Theta),
				len(c.Adam.M), len(c.Adam.V), c.GD.Model.Rounds, n)
		}
	default:
		return nil, fmt.Errorf("unknown method %q", c.Method)
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
