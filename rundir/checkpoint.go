package rundir

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// checkpointMagic opens every checkpoint file.
const checkpointMagic = "plasticity-checkpoint\n"

// WriteCheckpoint saves a checkpoint's payload atomically at path, in an
// envelope of the magic line, the payload's format version (uint32), its
// length (uint64), the payload and its SHA-256, so that a truncated or
// damaged file is recognised as such. What the payload holds is the
// trainer's business (package experiment).
func WriteCheckpoint(path string, version uint32, payload []byte) error {
	var out bytes.Buffer
	out.WriteString(checkpointMagic)
	binary.Write(&out, binary.LittleEndian, version)
	binary.Write(&out, binary.LittleEndian, uint64(len(payload)))
	out.Write(payload)
	sum := sha256.Sum256(payload)
	out.Write(sum[:])
	return WriteFileAtomic(path, out.Bytes())
}

// CheckpointPath returns the checkpoint of run directory dir, or dir itself
// when it is not a directory.
func CheckpointPath(dir string) string {
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return filepath.Join(dir, Checkpoint)
	}
	return dir
}

// ReadCheckpoint reads the checkpoint of run directory dir (or the file dir
// itself) and returns its format version and payload, refusing a file that
// is not a checkpoint, is truncated, or whose checksum does not match.
func ReadCheckpoint(dir string) (version uint32, payload []byte, err error) {
	path := CheckpointPath(dir)
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, fmt.Errorf("checkpoint: %w", err)
	}
	version, payload, err = ParseCheckpoint(b)
	if err != nil {
		return 0, nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return version, payload, nil
}

// ParseCheckpoint opens the envelope of a checkpoint file's content.
func ParseCheckpoint(b []byte) (version uint32, payload []byte, err error) {
	if !bytes.HasPrefix(b, []byte(checkpointMagic)) {
		return 0, nil, errors.New("not a plasticity checkpoint")
	}
	b = b[len(checkpointMagic):]
	if len(b) < 12 {
		return 0, nil, errors.New("truncated (no header)")
	}
	version = binary.LittleEndian.Uint32(b)
	n := binary.LittleEndian.Uint64(b[4:])
	b = b[12:]
	if n > uint64(len(b)) || uint64(len(b)) != n+sha256.Size {
		return 0, nil, fmt.Errorf("truncated or damaged: %d bytes after the header, want %d", len(b), n+sha256.Size)
	}
	body, sum := b[:n], b[n:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return 0, nil, errors.New("damaged: checksum mismatch")
	}
	return version, body, nil
}
