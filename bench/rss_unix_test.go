//go:build unix

package bench

import "testing"

// TestPeakRSSBytes checks that the peak resident memory covers 64 MiB just
// allocated and touched, and never goes down.
func TestPeakRSSBytes(t *testing.T) {
	before := PeakRSSBytes()
	if before <= 0 {
		t.Fatalf("PeakRSSBytes() = %d before allocating, want > 0", before)
	}
	const n = 64 << 20
	buf := make([]byte, n)
	for i := 0; i < n; i += 4096 {
		buf[i] = byte(i>>12) | 1
	}
	after := PeakRSSBytes()
	if after < before {
		t.Errorf("PeakRSSBytes went down: %d, then %d", before, after)
	}
	if after < n {
		t.Errorf("PeakRSSBytes() = %d after touching %d bytes", after, n)
	}
	// Keep buf alive (and its pages touched) until after the second reading.
	sum := 0
	for i := 0; i < n; i += 4096 {
		sum += int(buf[i])
	}
	if sum == 0 {
		t.Error("the touched pages read back as zero")
	}
	if last := PeakRSSBytes(); last < after {
		t.Errorf("PeakRSSBytes went down after freeing: %d, then %d", after, last)
	}
}
