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
	"plasticity/model"
)

// CheckpointFile is the name of the checkpoint in a run directory.
const CheckpointFile = "checkpoint.bin"

// CheckpointVersion is the version of the checkpoint format. A checkpoint of
// another version is refused: bump it whenever the payload or a strategy's
// state (es.StateVersion) changes meaning. Version 2 added ESOptions.Freeze
// and ESOptions.Horizon, which a version 1 reader would drop without a word.
const CheckpointVersion = 2

// oldestCheckpointVersion is the oldest format still read: a version 1
// payload is a version 2 one with no table frozen and no horizon.
const oldestCheckpointVersion = 1

// checkpointMagic opens every checkpoint file.
const checkpointMagic = "plasticity-checkpoint\n"

// Checkpoint is everything a resumed ES run needs to end bit for bit where an
// uninterrupted one would: the options, the strategy's complete state (its
// generator included), and the metrics so far. Batches and initial weights
// are drawn per generation from the seed, so they need no saving.
type Checkpoint struct {
	Options ESOptions
	// Generation is how many generations are done.
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
}

// Write saves the checkpoint atomically at path. The file is the magic line,
// the format version (uint32), the payload length (uint64), the payload and
// its SHA-256, so a truncated or damaged file is recognised as such.
func (c *Checkpoint) Write(path string) error {
	// The log and the stop channel belong to the process, not the run.
	saved := *c
	saved.Options.Log, saved.Options.Stop = nil, nil
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
	if c.Generation < 0 || c.Generation != len(c.Metrics) {
		return nil, fmt.Errorf("damaged: generation %d with %d metrics rows", c.Generation, len(c.Metrics))
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
