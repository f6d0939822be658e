package cli

import (
	"flag"
	"io"
	"math"
	"strings"

	"plasticity/data"
	"plasticity/experiment"
	"plasticity/model"
)

// presetFlag names a recipe of settings (experiment.Presets) for train,
// transfer and run. Without it every command keeps its defaults; with it the
// settings are the defaults, then the preset, then the flags given (for
// transfer: the preset, then the rules file, then the flags given).
type presetFlag struct{ name string }

func (p *presetFlag) register(fs *flag.FlagSet) {
	var names []string
	for _, q := range experiment.Presets {
		names = append(names, q.Name)
	}
	fs.StringVar(&p.name, "preset", "", "recipe of settings: "+strings.Join(names, ", ")+
		" (paper: the seed paper's; synthetic, mnist: our best recipes, mnist sets -data mnist); flags given override it")
}

// preset returns the preset named, the empty one without -preset.
func (p *presetFlag) preset() (experiment.Preset, error) {
	if p.name == "" {
		return experiment.Preset{}, nil
	}
	q, err := experiment.PresetNamed(p.name)
	if err != nil {
		return q, badInput("-preset: %v", err)
	}
	return q, nil
}

// withTasks returns the data set d with -tasks if given.
func (t *trainFlags) withTasks(d experiment.DataSpec, given given) experiment.DataSpec {
	if given("tasks") {
		d.Tasks = t.tasks
	}
	return d
}

// checkTasks refuses -tasks on a data set that has no other draws before any
// data is read.
func checkTasks(d experiment.DataSpec) error {
	if _, err := d.Draws(); err != nil {
		return badInput("-tasks: %v", err)
	}
	return nil
}

// loadDraws loads every draw t's run learns on: the data set (draw 0),
// which it returns, and with -tasks N the draws 1 .. N-1 (loadTasks).
func (t *trainer) loadDraws(log io.Writer) (data.Dataset, error) {
	ds, err := loadData(*t.data, t.data.DataSeed, log)
	if err != nil {
		return ds, err
	}
	return ds, t.loadTasks(log)
}

// loadTasks loads the draws 1 .. N-1 of a run with -tasks N for t's run
// (none otherwise); draw 0 is the data set the command loads.
func (t *trainer) loadTasks(log io.Writer) error {
	n, err := t.data.Draws()
	if err != nil {
		return badInput("-tasks: %v", err)
	}
	t.more = nil
	for k := 1; k < n; k++ {
		ds, err := loadData(*t.data, t.data.DataSeed+uint64(k), log)
		if err != nil {
			return err
		}
		t.more = append(t.more, ds)
	}
	return nil
}

// draws returns draw 0 and the others of t's run.
func (t *trainer) draws(ds data.Dataset) []data.Dataset {
	return append([]data.Dataset{ds}, t.more...)
}

// applyCapFraction sets the cap to -cap-fraction of the hidden neurons, if
// given, rounded to the nearest whole neuron (at least one).
func (m *modelFlags) applyCapFraction(cfg *model.Config, given given) error {
	if !given("cap-fraction") {
		return nil
	}
	f := m.capFraction
	switch {
	case given("cap"):
		return badInput("-cap and -cap-fraction both set the cap: give one")
	case !(f > 0 && f <= 1):
		return badInput("-cap-fraction must be in (0, 1], got %v", f)
	}
	cfg.Cap = max(1, int(math.Round(f*float64(cfg.Hidden))))
	return nil
}
