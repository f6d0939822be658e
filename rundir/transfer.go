package rundir

import "fmt"

// CurvePoint is one measurement during a transfer: a row of TransferCurve.
type CurvePoint struct {
	// Pass is the number of passes over the training split so far
	// (fractional within the first pass).
	Pass    float64 `json:"pass"`
	Samples int     `json:"samples"`
	// OnlineAccuracy is the share of the samples since the previous point
	// that were classified correctly before their own update.
	OnlineAccuracy float64 `json:"online_accuracy"`
	// TestAccuracy is over the whole test split with the weights frozen.
	TestAccuracy float64 `json:"test_accuracy"`
}

// TransferHeader is the header of TransferCurve.
var TransferHeader = []string{"pass", "samples", "online_accuracy", "test_accuracy"}

// WriteTransferCurve writes a transfer's curve as transfer.csv at path.
func WriteTransferCurve(path string, curve []CurvePoint) error {
	rows := make([][]string, len(curve))
	for i, p := range curve {
		rows[i] = []string{fmt.Sprintf("%.4f", p.Pass), fmt.Sprint(p.Samples),
			fmt.Sprintf("%.6g", p.OnlineAccuracy), fmt.Sprintf("%.6g", p.TestAccuracy)}
	}
	return WriteCSV(path, TransferHeader, rows)
}
