//go:build unix

package data

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestNamedPipeIsRefused checks that a named pipe is refused without being
// opened: opening it would wait for a writer forever.
func TestNamedPipeIsRefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCSV(fifo, true); err == nil || !strings.Contains(err.Error(), fifo+": not a regular file") {
		t.Errorf("named pipe: %v", err)
	}
}
