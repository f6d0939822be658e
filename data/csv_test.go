package data

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const blobs = "../testdata/csv/blobs.csv"

func TestLoadCSVSplit(t *testing.T) {
	ds, err := Load(Spec{Name: "csv:" + blobs, Standardize: false})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Train.Len() != 80 || ds.Test.Len() != 20 || ds.Dim() != 4 || ds.Classes != 3 {
		t.Fatalf("%d train, %d test, %d features, %d classes", ds.Train.Len(), ds.Test.Len(), ds.Dim(), ds.Classes)
	}
	// Line 2 is the first training row, line 101 the last test row.
	if got, want := ds.Train.Row(0), []float32{1.288, 1.449, 0.066, -0.765}; !equal(got, want) || ds.Train.Y[0] != 0 {
		t.Errorf("first row %v label %d, want %v label 0", got, ds.Train.Y[0], want)
	}
	last := ds.Test.Len() - 1
	if got := ds.Test.Row(last); !equal(got, lastBlobsRow(t)) || ds.Test.Y[last] != 99%3 {
		t.Errorf("last row %v label %d", got, ds.Test.Y[last])
	}
	// The test split starts at row 81 of 100 (line 82).
	if ds.Test.Y[0] != 80%3 || ds.Train.Y[79] != 79%3 {
		t.Errorf("split at the wrong row: labels %d, %d", ds.Train.Y[79], ds.Test.Y[0])
	}
}

func lastBlobsRow(t *testing.T) []float32 {
	b, err := os.ReadFile(blobs)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	s, err := ReadCSV(strings.NewReader(lines[len(lines)-1]), "last")
	if err != nil {
		t.Fatal(err)
	}
	return s.Row(0)
}

func equal(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLoadCSVStandardizes(t *testing.T) {
	raw, err := LoadCSV(blobs, false)
	if err != nil {
		t.Fatal(err)
	}
	std, err := LoadCSV(blobs, true)
	if err != nil {
		t.Fatal(err)
	}
	n := float64(raw.Train.Len())
	for j := range raw.Dim() {
		var m, s, sm, ss float64
		for i := range raw.Train.Len() {
			v, w := float64(raw.Train.Row(i)[j]), float64(std.Train.Row(i)[j])
			m, s, sm, ss = m+v, s+v*v, sm+w, ss+w*w
		}
		m /= n
		sd := math.Sqrt(s/n - m*m)
		if math.Abs(sm/n) > 1e-5 || math.Abs(ss/n-1) > 1e-4 {
			t.Errorf("feature %d: standardised training mean %g, mean square %g", j, sm/n, ss/n)
		}
		// The test split is moved by the training split's statistics.
		want := (float64(raw.Test.Row(0)[j]) - m) / sd
		if got := float64(std.Test.Row(0)[j]); math.Abs(got-want) > 1e-4 {
			t.Errorf("feature %d: test value %g, want %g", j, got, want)
		}
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadCSVTrainTest(t *testing.T) {
	dir := t.TempDir()
	tr := writeFile(t, dir, "train.csv", "a,b,y\n1,2,0\n3,4,1\n")
	te := writeFile(t, dir, "test.csv", "5,6,2\n")
	ds, err := LoadCSV(tr+","+te, false)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Train.Len() != 2 || ds.Test.Len() != 1 || ds.Classes != 3 || !equal(ds.Test.Row(0), []float32{5, 6}) {
		t.Errorf("got %+v", ds)
	}
	other := writeFile(t, dir, "other.csv", "1,2,3,0\n")
	if _, err := LoadCSV(tr+","+other, false); err == nil || !strings.Contains(err.Error(), other+" has 3 features, "+tr+" has 2") {
		t.Errorf("different columns: %v", err)
	}
	// A path with a comma that exists is one file.
	comma := writeFile(t, dir, "a,b.csv", "1,0\n2,1\n3,0\n4,1\n5,0\n")
	if ds, err := LoadCSV(comma, false); err != nil || ds.Train.Len() != 4 || ds.Test.Len() != 1 {
		t.Errorf("path with a comma: %v", err)
	}
}

func TestReadCSVForms(t *testing.T) {
	want := []float32{1, 2.5, -3, 4}
	for name, text := range map[string]string{
		"no header":        "1,2.5,0\n-3,4,2\n",
		"header":           "x,y,class\n1,2.5,0\n-3,4,2\n",
		"byte order mark":  "\uFEFFx,y,class\n1,2.5,0\n-3,4,2\n",
		"CRLF":             "x,y,class\r\n1,2.5,0\r\n-3,4,2\r\n",
		"no final newline": "1,2.5,0\n-3,4,2",
		"blank lines":      "\n1,2.5,0\n\n-3,4,2\n\n",
		"spaces, quotes":   "\"x\", \"y\", \"class\"\n 1 ,\"2.5\", 0\n-3 , 4,2.0\n",
		"exponents":        "1e0,0.25e1,0\n-3,4e0,2\n",
	} {
		s, err := ReadCSV(strings.NewReader(text), name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if s.Dim != 2 || !equal(s.X, want) || len(s.Y) != 2 || s.Y[0] != 0 || s.Y[1] != 2 {
			t.Errorf("%s: got %+v", name, s)
		}
	}
}

// hostileCSV lists malformed tables and the error each must give, line
// number included.
var hostileCSV = []struct{ name, text, want string }{
	{"empty", "", "f: empty file"},
	{"blank lines only", "\n\n\r\n", "f: empty file"},
	{"header only", "a,b,label\n", "f: no data rows after the header"},
	{"one column", "1\n2\n", "f:1: 1 column; want at least one feature and the label"},
	{"ragged short", "a,b,c\n1,2,0\n1,0\n", "f:3: 2 fields, want 3 as on line 1"},
	{"ragged long", "1,2,0\n1,2,3,0\n", "f:2: 4 fields, want 3 as on line 1"},
	{"not a number", "a,b,c\n1,2,0\n1,abc,1\n", `f:3: column 2: "abc" is not a number`},
	{"empty feature", "1,2,0\n,2,0\n", "f:2: column 1: empty field"},
	{"NaN", "1,2,0\n1,NaN,0\n", `f:2: column 2: "NaN" is not a finite number`},
	{"Inf", "1,2,0\n-Inf,2,0\n", `f:2: column 1: "-Inf" is not a finite number`},
	{"infinity", "1,2,0\n1,infinity,0\n", `f:2: column 2: "infinity" is not a finite number`},
	{"out of float64 range", "1,2,0\n1,1e400,0\n", `f:2: column 2: "1e400" is out of range`},
	{"out of float32 range", "1,2,0\n1e39,2,0\n", `f:2: column 1: "1e39" does not fit a float32`},
	{"negative label", "1,2,0\n1,2,-1\n", `f:2: column 3 (the label): "-1" is not a class (an integer 0..999)`},
	{"fractional label", "1,2,0\n1,2,2.5\n", `f:2: column 3 (the label): "2.5" is not a class`},
	{"huge label", "1,2,0\n1,2,1e9\n", `f:2: column 3 (the label): "1e9" is not a class`},
	{"label 1000", "1,2,0\n1,2,1000\n", `"1000" is not a class`},
	{"NaN label", "1,2,0\n1,2,NaN\n", `"NaN" is not a class`},
	{"text label", "x,y,z\n1,2,cat\n", `f:2: column 3 (the label): "cat" is not a class`},
	{"empty label", "1,2,0\n1,2,\n", `f:2: column 3 (the label): "" is not a class`},
	{"bare quote", "1,2,0\n1,2\"x,0\n", `f:2: column 4: bare " in non-quoted-field`},
	{"unterminated quote", "1,2,0\n\"1,2,0\n3,4,1\n", `f:3: column 7: extraneous or missing " in quoted-field`},
	{"long junk field", "1,2,0\n" + strings.Repeat("x", 1<<19) + ",2,0\n", `f:2: column 1: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" is not a number`},
	{"line over 1 MiB", "1,2,0\n3,4,1\n" + strings.Repeat("1,", 1<<19) + "0\n", "f:3: a line longer than 1048576 bytes"},
	{"no newline in 2 MiB", strings.Repeat("1", 2<<20), "f:1: a line longer than 1048576 bytes"},
	{"NUL bytes", "1,2,0\n3,4,1\n\x00\x00,2,0\n", `f:3: NUL bytes: not a text table`},
	{"NUL bytes on line 1", "\x00,2,0\n", `f:1: NUL bytes: not a text table`},
	{"newline inside quotes", "1,2,0\n\"1\n2\",2,0\n", `f:2: column 1: "1\n2" is not a number`},
}

func TestReadCSVHostile(t *testing.T) {
	for _, c := range hostileCSV {
		_, err := ReadCSV(strings.NewReader(c.text), "f")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error of several lines: %q", c.name, err)
		}
	}
}

func TestLoadCSVHostile(t *testing.T) {
	dir := t.TempDir()
	gz, err := os.ReadFile("../testdata/mnist-gz/t10k-labels-idx1-ubyte.gz")
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ arg, want string }{
		"missing":      {filepath.Join(dir, "missing.csv"), "no such file"},
		"directory":    {dir, dir + ": not a regular file"},
		"device":       {"/dev/null", "/dev/null: not a regular file"},
		"empty arg":    {"", "wants csv:PATH or csv:TRAIN,TEST"},
		"no test file": {writeFile(t, dir, "t.csv", "1,0\n2,1\n") + ",", "wants csv:PATH or csv:TRAIN,TEST"},
		"too few rows": {writeFile(t, dir, "four.csv", "1,0\n2,1\n3,0\n4,1\n"), "4 rows are too few for an 80/20 split"},
		"one class":    {writeFile(t, dir, "zeros.csv", "1,0\n2,0\n3,0\n4,0\n5,0\n"), "every label is 0"},
		"binary":       {writeFile(t, dir, "bin.csv", string(gz)), "bin.csv:1: NUL bytes: not a text table"},
		"error line":   {writeFile(t, dir, "bad.csv", "a,b\n1,0\n2,1\n3,x\n"), "csv: " + filepath.Join(dir, "bad.csv") + ":4: column 2 (the label)"},
	} {
		_, err := Load(Spec{Name: "csv:" + c.arg, Standardize: true})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", name, err, c.want)
		}
	}
}

// FuzzReadCSV feeds arbitrary text to ReadCSV: never a panic, errors of one
// line, and an accepted table is rectangular, finite and labelled in range.
func FuzzReadCSV(f *testing.F) {
	files, err := filepath.Glob("../testdata/csv/*.csv")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed tables: %v", err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, c := range hostileCSV {
		f.Add([]byte(c.text))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ReadCSV(bytes.NewReader(b), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: want one line starting with the name", err)
			}
			return
		}
		if s.Dim < 1 || s.Len() < 1 || len(s.X) != s.Len()*s.Dim {
			t.Fatalf("%d rows of %d features in %d values", s.Len(), s.Dim, len(s.X))
		}
		for _, v := range s.X {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("non-finite feature %v", v)
			}
		}
		for _, y := range s.Y {
			if y < 0 || y >= MaxCSVClasses {
				t.Fatalf("label %d", y)
			}
		}
	})
}
