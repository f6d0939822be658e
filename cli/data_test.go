package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The MNIST subset of testdata: 300 training and 100 test images.
const testMNIST = "../testdata/mnist-gz"

// TestHostileDataFilesExitTwo runs train on malformed MNIST and CSV files:
// each must end with exit status 2 and one line naming the file.
func TestHostileDataFilesExitTwo(t *testing.T) {
	dir := t.TempDir()
	mnistWith := func(name string, content []byte) string {
		d, err := os.MkdirTemp(dir, "mnist")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
			b, err := os.ReadFile(filepath.Join(testMNIST, e+".gz"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, e+".gz"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(d, name+".gz"), content, 0o644); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(d, name+".gz")
	}
	csvFile := func(content string) string {
		f, err := os.CreateTemp(dir, "*.csv")
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(content)
		f.Close()
		return f.Name()
	}
	huge := []byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28, 0, 0, 0, 28}
	type hostile struct {
		args       []string
		file, want string
	}
	var cases []hostile
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"train-images-idx3-ubyte", huge, "announce more than"},
		{"train-images-idx3-ubyte", []byte{0, 0, 8, 3, 0, 0, 1, 0x2c, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3}, "truncated"},
		{"train-labels-idx1-ubyte", []byte{0x1f, 0x8b, 8, 0, 0, 0}, "corrupt gzip stream"},
		{"t10k-labels-idx1-ubyte", []byte("<html>not found</html>"), "neither gzip nor IDX"},
		{"t10k-labels-idx1-ubyte", []byte{0, 0, 8, 1, 0, 0, 0, 100}, "truncated"},
	} {
		p := mnistWith(c.name, c.b)
		cases = append(cases, hostile{[]string{"-data", "mnist", "-mnist", filepath.Dir(p)}, p, c.want})
	}
	for _, c := range []struct{ text, want string }{
		{"", "empty file"},
		{"a,b,y\n1,2,0\n1,2\n", ":3: 2 fields, want 3"},
		{"1,2,0\n1,NaN,1\n", ":2: column 2:"},
		{"1,2,0\n1,2,-4\n", ":2: column 3 (the label)"},
	} {
		p := csvFile(c.text)
		cases = append(cases, hostile{[]string{"-data", "csv:" + p}, p, c.want})
	}
	for _, c := range cases {
		args := append([]string{"train", "-generations", "1", "-out", t.TempDir()}, c.args...)
		_, e, code := run(t, args...)
		if code != 2 || strings.Count(e, "\n") != 1 || !strings.Contains(e, c.file) || !strings.Contains(e, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line naming %s with %q", c.args, code, e, c.file, c.want)
		}
	}
}

// trainRules trains rules for a few generations and returns rules.json.
func trainRules(t *testing.T, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	_, e, code := run(t, append([]string{"train", "-generations", "3", "-eval-lifetimes", "1", "-out", dir}, args...)...)
	if code != 0 {
		t.Fatalf("train %v: exit %d: %s", args, code, e)
	}
	return filepath.Join(dir, "rules.json")
}

func transferJSONOf(t *testing.T, args ...string) map[string]any {
	t.Helper()
	o, e, code := run(t, append([]string{"transfer", "-json", "-passes", "1"}, args...)...)
	if code != 0 {
		t.Fatalf("transfer %v: exit %d: %s", args, code, e)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(o), &m); err != nil {
		t.Fatalf("transfer -json: %v\n%s", err, o)
	}
	delete(m, "seconds")
	delete(m, "peak_rss_bytes")
	return m
}

// TestRulesTransferAcrossDatasets applies rules learned on the synthetic set
// (10 inputs, 4 classes) to MNIST (784 inputs, 10 classes) and back: the
// tables are size-free, so only the network's shape changes.
func TestRulesTransferAcrossDatasets(t *testing.T) {
	synth := trainRules(t)
	mn := trainRules(t, "-data", "mnist", "-mnist", testMNIST, "-hidden", "40", "-init", "scaled", "-batch", "50")
	tr := transferJSONOf(t, "-rules", synth, "-data", "mnist", "-mnist", testMNIST)
	if tr["data"] != "mnist" || len(tr["curve"].([]any)) == 0 {
		t.Errorf("synthetic rules on MNIST: %v", tr)
	}
	tr = transferJSONOf(t, "-rules", mn, "-data", "synthetic")
	if tr["data"] != "synthetic" || len(tr["curve"].([]any)) == 0 {
		t.Errorf("MNIST rules on synthetic: %v", tr)
	}
	for _, c := range [][]string{
		{"eval", "-rules", synth, "-data", "mnist", "-mnist", testMNIST, "-eval-lifetimes", "2"},
		{"eval", "-rules", mn, "-data", "synthetic", "-eval-lifetimes", "2"},
		{"eval", "-rules", mn, "-data", "csv:../testdata/csv/blobs.csv", "-eval-lifetimes", "2", "-batch", "20"},
	} {
		if _, e, code := run(t, c...); code != 0 {
			t.Errorf("%v: exit %d: %s", c, code, e)
		}
	}
}

// TestTransferBuildsTheRulesNetwork checks that a rules file alone fixes the
// network: transfer without model flags equals transfer with the flags the
// rules were trained with, and a flag given overrides the file.
func TestTransferBuildsTheRulesNetwork(t *testing.T) {
	model := []string{"-hidden", "30", "-cap", "7", "-init", "scaled", "-act", "relu"}
	rules := trainRules(t, append([]string{"-data", "mnist", "-mnist", testMNIST, "-batch", "50"}, model...)...)
	data := []string{"-rules", rules, "-data", "csv:../testdata/csv/blobs.csv"}
	plain := transferJSONOf(t, data...)
	explicit := transferJSONOf(t, append(data, model...)...)
	other := transferJSONOf(t, append(data, "-hidden", "31")...)
	a, _ := json.Marshal(plain)
	b, _ := json.Marshal(explicit)
	c, _ := json.Marshal(other)
	if string(a) != string(b) {
		t.Errorf("transfer without flags differs from transfer with the rules' own configuration:\n%s\n%s", a, b)
	}
	if string(a) == string(c) {
		t.Error("-hidden 31 did not override the rules' configuration")
	}
}
