//go:build unix

package bench

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// PeakRSSBytes returns the peak resident memory of this process so far, in
// bytes, or 0 where the system does not say.
func PeakRSSBytes() int64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	// getrusage counts ru_maxrss in KiB on Linux and the BSDs, in bytes on
	// Apple's systems.
	unit := int64(1024)
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		unit = 1
	}
	return int64(ru.Maxrss) * unit
}
