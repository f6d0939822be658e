package experiment

import (
	"reflect"
	"testing"

	"plasticity/model"
)

// TestPaperPreset: the paper preset turns other settings into the seed
// paper's: DefaultES, PaperGD and the default network.
func TestPaperPreset(t *testing.T) {
	opts := Options{Seed: 3, Batch: 50}
	es := DefaultES(opts)
	es.Strategy, es.PopSize, es.LR, es.Freeze, es.Horizon, es.Generations = "openai", 200, 0.03, []string{"input"}, 60, 700
	Paper.ApplyES(&es)
	if !reflect.DeepEqual(es, DefaultES(opts)) {
		t.Errorf("paper ES %+v, want %+v", es, DefaultES(opts))
	}
	gd := DefaultGD(opts)
	Paper.ApplyGD(&gd)
	if !reflect.DeepEqual(gd, PaperGD(opts)) {
		t.Errorf("paper GD %+v, want %+v", gd, PaperGD(opts))
	}
	cfg := model.Config{Hidden: 7, Rounds: 2, Norm: model.NormOutgoing}
	OurGDModel.ApplyModel(&cfg)
	Paper.ApplyModel(&cfg)
	if want := (model.Config{Hidden: 7, Rounds: 3, Eta: 0.01, EdgeProb: 1}); cfg != want {
		t.Errorf("paper network %+v, want %+v", cfg, want)
	}
	var none Preset
	none.ApplyES(&es)
	none.ApplyModel(&cfg)
	if !reflect.DeepEqual(es, DefaultES(opts)) {
		t.Error("the empty preset changed ES settings")
	}
}
