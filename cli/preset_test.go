package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"plasticity/experiment"
	"plasticity/model"
	"plasticity/rundir"
)

// trainOptions returns the options plasticity train builds from args, as
// config.json would record them.
func trainOptions(t *testing.T, args ...string) string {
	t.Helper()
	var l learnFlags
	fs := newFlagSet("train")
	l.register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	tr, err := l.trainer(givenIn(fs), nil)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	b, err := json.Marshal(tr.config(map[string]any{"name": tr.name}))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPresetsAreTheirFlags: each preset gives the settings of the command
// line its recipe stands for (the documented ones for synthetic and mnist),
// by ES and by GD, and no other.
func TestPresetsAreTheirFlags(t *testing.T) {
	paperNet := []string{"-act", "sigmoid", "-drive", "a0", "-init", "normal", "-norm", "none", "-update", "always",
		"-rounds", "3", "-eta", "0.01", "-p", "1"}
	ourNet := []string{"-act", "relu", "-drive", "raw", "-init", "scaled", "-update", "misclassified"}
	synNet := []string{"-norm", "both", "-free-readout", "-input-rule", "hebbian", "-output-edges", "predicted",
		"-eta-decay", "8000"}
	cat := func(a ...[]string) []string {
		var s []string
		for _, x := range a {
			s = append(s, x...)
		}
		return s
	}
	for _, c := range []struct {
		preset string
		flags  []string
	}{
		{"paper", cat([]string{"-es", "simple", "-generations", "1500", "-popsize", "10", "-sigma", "0.01", "-parents", "2",
			"-fitness", "accuracy", "-freeze", "none"}, paperNet)},
		{"paper", cat([]string{"-method", "gd", "-gd", "paper"}, paperNet)},
		{"synthetic", cat([]string{"-method", "es", "-es", "openai", "-popsize", "40", "-lr", "0.03", "-fitness", "loss",
			"-freeze", "none", "-horizon", "1000", "-generations", "300", "-parents", "0"}, ourNet, synNet)},
		{"synthetic", cat([]string{"-method", "gd", "-freeze", "none", "-horizon", "1000", "-steps", "4000"}, ourNet, synNet)},
		{"mnist", cat([]string{"-es", "openai", "-data", "mnist", "-rounds", "0", "-hidden", "1000", "-cap", "100",
			"-freeze", "hidden", "-popsize", "20", "-sigma", "0.001", "-lr", "0.001", "-fitness", "accuracy", "-batch", "1000",
			"-horizon", "5000", "-generations", "100", "-eval-every", "10", "-parents", "0"}, ourNet)},
		{"mnist", cat([]string{"-method", "gd", "-data", "mnist", "-rounds", "0", "-hidden", "1000", "-cap", "100",
			"-freeze", "input,hidden", "-lr", "0.1", "-steps", "100", "-batch", "1000"}, ourNet)},
	} {
		method := c.flags[:0]
		if c.flags[0] == "-method" {
			method = c.flags[:2]
		}
		got := trainOptions(t, append([]string{"-preset", c.preset}, method...)...)
		if want := trainOptions(t, c.flags...); got != want {
			t.Errorf("-preset %s %v:\n%s\nwant (%v)\n%s", c.preset, method, got, c.flags, want)
		}
	}
	// -preset synthetic trains by GD unless -method says otherwise.
	if trainOptions(t, "-preset", "synthetic") != trainOptions(t, "-preset", "synthetic", "-method", "gd") {
		t.Error("-preset synthetic without -method does not train by GD")
	}
	if trainOptions(t, "-preset", "mnist") != trainOptions(t, "-preset", "mnist", "-method", "es") {
		t.Error("-preset mnist without -method does not train by ES")
	}
	// Without a preset nothing changes: the GD of -preset paper is not ours.
	if trainOptions(t, "-method", "gd") == trainOptions(t, "-method", "gd", "-preset", "paper") {
		t.Error("-preset paper changed nothing of GD")
	}
}

// TestPresetFlagsOverride: flags given win over the preset, which keeps the
// rest of its recipe.
func TestPresetFlagsOverride(t *testing.T) {
	var l learnFlags
	fs := newFlagSet("train")
	l.register(fs)
	fs.Parse([]string{"-preset", "mnist", "-popsize", "50", "-act", "sigmoid", "-batch", "30", "-hidden", "40",
		"-data", "synthetic", "-data-seed", "4"})
	tr, err := l.trainer(givenIn(fs), nil)
	if err != nil {
		t.Fatal(err)
	}
	o := tr.options.(*experiment.ESOptions)
	if o.PopSize != 50 || o.Batch != 30 || o.Sigma != 0.001 || o.Horizon != 5000 || !reflect.DeepEqual(o.Freeze, []string{"hidden"}) {
		t.Errorf("options %+v", o)
	}
	if m := o.Model; m.Act != model.Sigmoid || m.Hidden != 40 || m.Cap != 20 || m.Rounds != 0 || m.Drive != model.DriveRaw {
		t.Errorf("network %+v", m)
	}
	if o.Data.Name != "synthetic" || o.Data.DataSeed != 4 {
		t.Errorf("data %+v", o.Data)
	}
}

// transferSettings returns what plasticity transfer builds from args.
func transferSettings(t *testing.T, args ...string) (experiment.TransferOptions, experiment.DataSpec) {
	t.Helper()
	c := newTransferCommand()
	if err := c.fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	_, o, d, err := c.settings(nil)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return o, d
}

// TestTransferPrecedence: the flags given, then the rules file, then the
// preset: the file's network and batch over the preset's, the preset's data
// set and passes over the defaults.
func TestTransferPrecedence(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, batch int) string {
		cfg := model.Config{Inputs: 10, Outputs: 4, Hidden: 12, Cap: 3, Rounds: 0, Eta: 0.02, EdgeProb: 1, Act: model.ReLU}
		rf := rundir.NewRulesFile(model.NewRules(0), cfg)
		rf.Batch = batch
		path := filepath.Join(dir, name)
		if err := rundir.WriteJSON(path, rf); err != nil {
			t.Fatal(err)
		}
		return path
	}
	withBatch, noBatch := write("a.json", 40), write("b.json", 0)
	for _, c := range []struct {
		args                []string
		data                string
		hidden, capK, batch int
		passes              int
		act                 model.Activation
	}{
		{[]string{"-rules", withBatch}, "synthetic", 12, 3, 40, 50, model.ReLU},
		{[]string{"-rules", withBatch, "-preset", "mnist"}, "mnist", 12, 3, 40, 1, model.ReLU},
		{[]string{"-rules", noBatch, "-preset", "mnist"}, "mnist", 12, 3, 1000, 1, model.ReLU},
		{[]string{"-rules", withBatch, "-preset", "mnist", "-data", "synthetic", "-hidden", "16", "-batch", "7", "-passes", "3",
			"-act", "linear"}, "synthetic", 16, 8, 7, 3, model.Linear},
		{[]string{"-rules", withBatch, "-preset", "mnist", "-hidden", "4000", "-cap-fraction", "0.1"}, "mnist", 4000, 400, 40, 1, model.ReLU},
		{[]string{"-rules", withBatch, "-hidden", "1000", "-cap-fraction", "0.25"}, "synthetic", 1000, 250, 40, 50, model.ReLU},
	} {
		o, d := transferSettings(t, c.args...)
		m := o.Model
		if d.Name != c.data || m.Hidden != c.hidden || m.Cap != c.capK || o.Batch != c.batch || o.Passes != c.passes ||
			m.Act != c.act || m.Eta != 0.02 {
			t.Errorf("%v: data %s, network %+v, batch %d, passes %d", c.args, d.Name, m, o.Batch, o.Passes)
		}
	}
}

// TestPresetAndTasksRefusals: an unknown preset, -tasks on data without
// other draws and a cap given twice end with one line and status 2, before
// any data is read.
func TestPresetAndTasksRefusals(t *testing.T) {
	for _, c := range [][]string{
		{"train", "-preset", "best"},
		{"transfer", "-preset", "best", "-rules", "x.json"},
		{"run", "-preset", "best"},
		{"train", "-data", "mnist", "-tasks", "3"},
		{"train", "-preset", "mnist", "-tasks", "2"},
		{"train", "-data", "csv:nosuch.csv", "-tasks", "2"},
		{"run", "-data", "mnist", "-tasks", "2"},
		{"train", "-tasks", "-1"},
		{"train", "-cap", "3", "-cap-fraction", "0.1"},
		{"train", "-cap-fraction", "1.5"},
	} {
		_, e, code := run(t, c...)
		if code != 2 || strings.Count(e, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", c, code, e)
		}
		want := "-tasks"
		switch {
		case c[1] == "-preset" && c[2] == "best":
			want = "unknown preset \"best\""
		case strings.HasPrefix(c[1], "-cap"):
			want = "-cap"
		}
		if !strings.Contains(e, want) {
			t.Errorf("%v: stderr %q does not say %q", c, e, want)
		}
	}
}

// TestTasksFlag: -tasks reaches config.json and rules.json, and a run on
// three draws resumes exactly (the draws are loaded again).
func TestTasksFlag(t *testing.T) {
	full, part := t.TempDir(), t.TempDir()
	base := []string{"train", "-method", "gd", "-freeze", "none", "-batch", "20", "-eval-lifetimes", "1", "-eval-every", "2"}
	args := append(base[:len(base):len(base)], "-tasks", "3")
	if _, e, code := run(t, append(args, "-steps", "8", "-out", full)...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if _, e, code := run(t, append(args, "-steps", "3", "-out", part)...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if _, e, code := run(t, "train", "-resume", part, "-steps", "8"); code != 0 {
		t.Fatalf("resume exit %d: %s", code, e)
	}
	a, b := rulesOf(t, full), rulesOf(t, part)
	for _, k := range []string{"input", "hidden", "output", "steps", "scores", "tasks"} {
		if !reflect.DeepEqual(a[k], b[k]) {
			t.Errorf("%s differs between the uninterrupted and the resumed run", k)
		}
	}
	if a["tasks"] != 3.0 {
		t.Errorf("rules.json tasks %v, want 3", a["tasks"])
	}
	var cfg struct {
		GD experiment.GDOptions `json:"gd"`
	}
	b2, _ := os.ReadFile(filepath.Join(full, "config.json"))
	if err := json.Unmarshal(b2, &cfg); err != nil || cfg.GD.Data.Tasks != 3 {
		t.Errorf("config.json: tasks %d (%v)", cfg.GD.Data.Tasks, err)
	}
	one := t.TempDir()
	if _, e, code := run(t, append(base, "-steps", "8", "-out", one)...); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if reflect.DeepEqual(rulesOf(t, one)["hidden"], a["hidden"]) {
		t.Error("-tasks 3 learned the rules of one draw")
	}
}
