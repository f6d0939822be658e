package rundir

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckpointEnvelope(t *testing.T) {
	dir := t.TempDir()
	payload := []byte("the trainer's state")
	if err := WriteCheckpoint(filepath.Join(dir, Checkpoint), 7, payload); err != nil {
		t.Fatal(err)
	}
	v, got, err := ReadCheckpoint(dir)
	if err != nil || v != 7 || !bytes.Equal(got, payload) {
		t.Fatalf("read version %d payload %q err %v; wrote 7 %q", v, got, err, payload)
	}
	b, _ := os.ReadFile(filepath.Join(dir, Checkpoint))
	for name, bad := range map[string][]byte{
		"empty":     nil,
		"no magic":  append([]byte("x"), b...),
		"truncated": b[:len(b)-1],
		"longer":    append(append([]byte(nil), b...), 0),
		"flipped":   flip(b, len(checkpointMagic)+12+2),
		"no header": b[:len(checkpointMagic)+5],
	} {
		if _, _, err := ParseCheckpoint(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 1
	return c
}

// FuzzParseCheckpoint: the envelope reader returns a payload whose checksum
// matched, or an error, never a panic, whatever the bytes.
func FuzzParseCheckpoint(f *testing.F) {
	dir := f.TempDir()
	p := filepath.Join(dir, Checkpoint)
	if err := WriteCheckpoint(p, 4, []byte("payload")); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(p)
	f.Add(good)
	f.Add([]byte(checkpointMagic + strings.Repeat("\xff", 12)))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, payload, err := ParseCheckpoint(b)
		if err == nil && len(payload)+len(checkpointMagic)+12+32 != len(b) {
			t.Fatalf("accepted %d bytes with a payload of %d", len(b), len(payload))
		}
	})
}
