package experiment

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"plasticity/data"
	"plasticity/model"
)

// Tasks (docs/model.md §10.8): a run on a generated data set may learn its rules on N
// draws of it, DataSeed + 0 .. N-1 (DataSpec.Tasks). Generation g (ES) or
// step g (GD) takes its lifetimes from one draw, chosen from the run's seed
// and g (taskOf); every candidate of a generation sees the same draw. Test
// accuracy while learning and the final scores use draw 0, the data set a
// run with one draw learns on. A caller passes the draws in order: Train's
// ds is draw 0 and its more the others.

// Draws returns how many draws of the data set a run learns on: Tasks, or 1
// when Tasks is 0. Only generated data sets (synthetic, halfspace, relu,
// brainnet) have other draws.
func (d DataSpec) Draws() (int, error) {
	switch {
	case d.Tasks < 0:
		return 0, fmt.Errorf("tasks must be at least 1, got %d", d.Tasks)
	case d.Tasks <= 1:
		return 1, nil
	case d.Name != "synthetic" && !data.IsGenerator(d.Name):
		return 0, fmt.Errorf("tasks must be 1 on %s data (only the generated data sets synthetic, halfspace, relu and brainnet have other draws), got %d",
			d.Name, d.Tasks)
	}
	return d.Tasks, nil
}

// checkDraws refuses draws that are not the ones d asks for: their number,
// and the same features, classes and training-split size in each (batches
// and horizon windows are dealt over the training split's indices).
func checkDraws(d DataSpec, draws []data.Dataset) error {
	n, err := d.Draws()
	if err != nil {
		return err
	}
	if len(draws) != n {
		return fmt.Errorf("tasks %d needs %d draws of the data set, got %d", d.Tasks, n, len(draws))
	}
	a := draws[0]
	for k, b := range draws[1:] {
		if b.Dim() != a.Dim() || b.Classes != a.Classes || b.Train.Len() != a.Train.Len() {
			return fmt.Errorf("draw %d of the data set has %d features, %d classes and %d training samples; draw 0 has %d, %d and %d",
				k+1, b.Dim(), b.Classes, b.Train.Len(), a.Dim(), a.Classes, a.Train.Len())
		}
	}
	return nil
}

// taskOf is the draw generation or step g learns on among n: 0 when there is
// one (no random number is drawn, so such a run is the one it always was),
// else uniform from the seed's "task" stream for g.
func taskOf(seed uint64, g, n int) int {
	if n <= 1 {
		return 0
	}
	return model.NewRand(seed, "task", uint64(g)).IntN(n)
}

// drawsHash identifies the draws a run learns on: DataHash of the one draw,
// so a checkpoint of a run with one draw keeps its hash, or a hash of every
// draw's hash in order.
func drawsHash(draws []data.Dataset) string {
	if len(draws) == 1 {
		return DataHash(draws[0])
	}
	h := sha256.New()
	for _, ds := range draws {
		h.Write([]byte(DataHash(ds)))
	}
	return "tasks:" + hex.EncodeToString(h.Sum(nil))
}
