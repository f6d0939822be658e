package rundir

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"plasticity/model"
)

// weightsMagic opens a weights file (Weights): the format's name and version.
const weightsMagic = "plasticity-weights/1\n"

// weightsHeader follows the magic: the network's sizes and which matrices
// follow (bit 0 Win, 1 Whid, 2 Wout), then each set matrix as little-endian
// float32s, then, with Whid, the number of absent synapses and their indices
// as int32s.
type weightsHeader struct {
	Inputs, Hidden, Outputs uint32
	Learned                 uint32
}

// EncodeWeights is the content of a weights file holding w.
func EncodeWeights(w *model.Weights) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(weightsMagic)
	h := weightsHeader{Inputs: uint32(w.Inputs), Hidden: uint32(w.Hidden), Outputs: uint32(w.Outputs)}
	for k, set := range w.Learned() {
		if set {
			h.Learned |= 1 << k
		}
	}
	parts := []any{h}
	for _, m := range [][]float32{w.Win, w.Whid, w.Wout} {
		if m != nil {
			parts = append(parts, m)
		}
	}
	if w.Whid != nil {
		parts = append(parts, uint32(len(w.Absent)), w.Absent)
	}
	for _, p := range parts {
		if err := binary.Write(&b, binary.LittleEndian, p); err != nil {
			return nil, fmt.Errorf("encoding weights: %w", err)
		}
	}
	return b.Bytes(), nil
}

// WriteWeights writes w atomically at path and returns the file's SHA-256
// in hex, for the rules file to name it by.
func WriteWeights(path string, w *model.Weights) (string, error) {
	b, err := EncodeWeights(w)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), WriteFileAtomic(path, b)
}

// ReadWeights reads the weights file at path, refusing a missing one, one
// whose SHA-256 is not sha (the rules file's record of it) and a malformed one.
func ReadWeights(path, sha string) (*model.Weights, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("learned weights: %w", err)
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != sha {
		return nil, fmt.Errorf("learned weights %s: SHA-256 differs from the rules file's record (altered or from another run)", path)
	}
	w, err := ParseWeights(b)
	if err != nil {
		return nil, fmt.Errorf("learned weights %s: %w", path, err)
	}
	return w, nil
}

// maxWeightsSide bounds each size read, so a corrupt header cannot ask for
// terabytes.
const maxWeightsSide = 1 << 20

// ParseWeights reads the content of a weights file.
func ParseWeights(b []byte) (*model.Weights, error) {
	if !bytes.HasPrefix(b, []byte(weightsMagic)) {
		return nil, errors.New("not a weights file")
	}
	r := bytes.NewReader(b[len(weightsMagic):])
	var h weightsHeader
	if err := binary.Read(r, binary.LittleEndian, &h); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if h.Inputs > maxWeightsSide || h.Hidden > maxWeightsSide || h.Outputs > maxWeightsSide || h.Learned >= 8 {
		return nil, fmt.Errorf("impossible header %+v", h)
	}
	w := &model.Weights{Inputs: int(h.Inputs), Hidden: int(h.Hidden), Outputs: int(h.Outputs)}
	sizes := [3]int{w.Hidden * w.Inputs, w.Hidden * w.Hidden, w.Outputs * w.Hidden}
	mats := [3]*[]float32{&w.Win, &w.Whid, &w.Wout}
	for k, n := range sizes {
		if h.Learned&(1<<k) == 0 {
			continue
		}
		if n*4 > r.Len() {
			return nil, errors.New("truncated")
		}
		*mats[k] = make([]float32, n)
		if err := binary.Read(r, binary.LittleEndian, *mats[k]); err != nil {
			return nil, err
		}
	}
	if w.Whid != nil {
		var n uint32
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil || int(n)*4 > r.Len() {
			return nil, errors.New("truncated")
		}
		w.Absent = make([]int32, n)
		if err := binary.Read(r, binary.LittleEndian, w.Absent); err != nil {
			return nil, err
		}
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%d bytes after the weights", r.Len())
	}
	cfg := model.Config{Inputs: w.Inputs, Hidden: w.Hidden, Outputs: w.Outputs}
	if err := w.Fits(cfg); err != nil {
		return nil, err
	}
	return w, nil
}
