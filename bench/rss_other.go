//go:build !unix

package bench

// PeakRSSBytes returns 0: this system does not report the peak resident
// memory through getrusage.
func PeakRSSBytes() int64 { return 0 }
