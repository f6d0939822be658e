package figures

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"plasticity/rundir"
	"strings"
	"testing"
)

func TestMovingAverage(t *testing.T) {
	// y = x over batches 1..100: the trailing mean of 40 is x - 19.5, first
	// at batch 40.
	var x, y []float64
	for i := 1; i <= 100; i++ {
		x, y = append(x, float64(i)), append(y, float64(i))
	}
	mx, my, w := MovingAverage(x, y, 40)
	if w != 40 || len(mx) != 61 || mx[0] != 40 || mx[60] != 100 {
		t.Fatalf("window %g, %d points from %v to %v; want 40, 61 points from 40 to 100", w, len(mx), mx[0], mx[len(mx)-1])
	}
	for i := range mx {
		if my[i] != mx[i]-19.5 {
			t.Fatalf("average at %g = %g, want %g", mx[i], my[i], mx[i]-19.5)
		}
	}

	// Measured every 10 batches with a gap (NaN): the window counts batches,
	// not points, and skips the missing value.
	x = []float64{10, 20, 30, 40, 50, 60, 70}
	y = []float64{1, 2, math.NaN(), 4, 5, 6, 7}
	mx, my, _ = MovingAverage(x, y, 40)
	want := map[float64]float64{50: (2 + 4 + 5) / 3.0, 60: (4 + 5 + 6) / 3.0, 70: (4 + 5 + 6 + 7) / 4.0}
	if len(mx) != len(want) {
		t.Fatalf("sparse: %v %v, want points at 50, 60, 70", mx, my)
	}
	for i := range mx {
		if math.Abs(my[i]-want[mx[i]]) > 1e-12 {
			t.Errorf("sparse: average at %g = %g, want %g", mx[i], my[i], want[mx[i]])
		}
	}

	// A run shorter than the window averages over its span.
	mx, my, w = MovingAverage([]float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, 40)
	if w != 4 || len(mx) != 1 || mx[0] != 4 || my[0] != 2.5 {
		t.Errorf("short run: window %g, %v %v; want 4, [4] [2.5]", w, mx, my)
	}
	if mx, _, _ := MovingAverage([]float64{1, 2}, []float64{math.NaN(), math.NaN()}, 40); len(mx) != 0 {
		t.Errorf("all NaN: %v, want nothing", mx)
	}
}

func TestAcross(t *testing.T) {
	x, mean, sd := across([]series{
		{x: []float64{1, 2, 3}, y: []float64{1, 2, 3}},
		{x: []float64{2, 3, 4}, y: []float64{4, 6, 8}},
	})
	if len(x) != 2 || x[0] != 2 || x[1] != 3 {
		t.Fatalf("x = %v, want the common [2 3]", x)
	}
	if mean[0] != 3 || mean[1] != 4.5 {
		t.Errorf("mean = %v, want [3 4.5]", mean)
	}
	if math.Abs(sd[0]-math.Sqrt(2)) > 1e-12 || math.Abs(sd[1]-math.Sqrt(4.5)) > 1e-12 {
		t.Errorf("sd = %v, want sample deviations [1.414 2.121]", sd)
	}
}

func TestSummarize(t *testing.T) {
	nan := math.NaN()
	outs := []Outcome{
		{Method: "a", Seed: 1, Steps: 10, BatchAccuracy: 1, TestAccuracy: 0.5, Loss: 1, TestMajority: 0.3, TransferAccuracy: nan, Seconds: 2},
		{Method: "b", Seed: 1, Steps: 20, BatchAccuracy: 0.2, TestAccuracy: 0.2, Loss: 2, TestMajority: 1, TransferAccuracy: 0.3, Seconds: 5},
		{Method: "a", Seed: 2, Steps: 10, BatchAccuracy: 2, TestAccuracy: 0.7, Loss: 3, TestMajority: 0.3, TransferAccuracy: 0.4, Seconds: 4},
		{Method: "a", Seed: 3, Steps: 10, BatchAccuracy: 3, TestAccuracy: 0.9, Loss: 5, TestMajority: 0.3, TransferAccuracy: 0.6, Seconds: 6},
		{Method: "a", Seed: 4, Steps: 10, BatchAccuracy: 4, TestAccuracy: 1.1, Loss: 7, TestMajority: 0.3, TransferAccuracy: nan, Seconds: 8},
	}
	ss := Summarize(outs)
	if len(ss) != 2 || ss[0].Method != "a" || ss[1].Method != "b" || len(ss[0].Seeds) != 4 || ss[0].Steps != 10 {
		t.Fatalf("summary %+v", ss)
	}
	a := ss[0]
	if st := a.Measures[0]; st.Name != "batch acc" || st.N != 4 || st.Mean != 2.5 || math.Abs(st.SD-math.Sqrt(5.0/3)) > 1e-12 {
		t.Errorf("batch accuracy %+v, want 2.5 ± 1.291 (n-1) over 4", st)
	}
	// Transfer measured on two seeds only: NaN is left out, not averaged.
	if st := a.Measures[4]; st.N != 2 || math.Abs(st.Mean-0.5) > 1e-12 || math.Abs(st.SD-math.Sqrt(0.02)) > 1e-12 {
		t.Errorf("transfer %+v, want 0.5 ± 0.141 over 2", st)
	}
	if st := ss[1].Measures[4]; st.N != 1 || st.Mean != 0.3 || st.SD != 0 {
		t.Errorf("one seed: %+v, want 0.3 ± 0", st)
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, ss); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "2.500 ± 1.291") || !strings.Contains(lines[2], "0.200") ||
		strings.Contains(lines[2], "±") {
		t.Errorf("table:\n%s", buf.String())
	}
	md := MarkdownTable(ss)
	if !strings.HasPrefix(md, "| method | seeds | steps | batch acc |") || !strings.Contains(md, "| a | 4 | 10 | 2.500 ± 1.291 | 0.800 ± 0.258 |") {
		t.Errorf("markdown:\n%s", md)
	}
}

func TestReadTableErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tb, err := ReadTable(write("ok.csv", "step,loss,test_accuracy\n1,0.5,\n2,0.25,0.75\n"))
	if err != nil {
		t.Fatal(err)
	}
	if tb.Rows != 2 || tb.Column("loss")[1] != 0.25 || !math.IsNaN(tb.Column("test_accuracy")[0]) ||
		tb.Last("test_accuracy") != 0.75 || tb.Column("batch_accuracy") != nil {
		t.Errorf("read %+v", tb)
	}
	if s, err := tb.Steps(); err != nil || s[1] != 2 {
		t.Errorf("steps %v, %v", s, err)
	}
	for _, c := range []struct{ name, body, want string }{
		{"empty.csv", "", "empty file"},
		{"word.csv", "step,loss\n1,abc\n", ":2: column loss: \"abc\" is not a number"},
		{"ragged.csv", "step,loss\n1\n", "wrong number of fields"},
		{"dup.csv", "step,step\n1,2\n", "twice"},
	} {
		if _, err := ReadTable(write(c.name, c.body)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one with %q", c.name, err, c.want)
		}
	}
	noStep := filepath.Join(dir, "run")
	os.MkdirAll(noStep, 0o755)
	os.WriteFile(filepath.Join(noStep, "metrics.csv"), []byte("loss\n1\n"), 0o644)
	if _, err := FindRuns(noStep); err == nil || !strings.Contains(err.Error(), "no generation or step column") {
		t.Errorf("metrics without steps: %v", err)
	}
	if _, err := FindRuns(t.TempDir()); err == nil || !strings.Contains(err.Error(), "holds no run") {
		t.Errorf("empty directory: %v", err)
	}
	if _, err := Draw(filepath.Join(dir, "ok.csv")); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file as directory: %v", err)
	}
	bad := filepath.Join(dir, "bad")
	os.MkdirAll(bad, 0o755)
	os.WriteFile(filepath.Join(bad, "metrics.csv"), []byte("step,loss\n1,2\n"), 0o644)
	os.WriteFile(filepath.Join(bad, rundir.Confusion), []byte(`{"classes": 2, "counts": [1, 2, 3]}`), 0o644)
	if _, err := FindRuns(bad); err == nil || !strings.Contains(err.Error(), "3 counts for 2 classes") {
		t.Errorf("bad confusion: %v", err)
	}
}

// TestDrawMetricsOnly draws a run that holds nothing but a metrics.csv of
// loss (no rules, no transfer, no accuracy): the one curve it allows.
func TestDrawMetricsOnly(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "metrics.csv"), []byte("step,loss\n1,2\n2,1.5\n3,1\n"), 0o644)
	files, err := Draw(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if strings.Join(names, " ") != "curve-loss.svg curve-loss.png report.md" {
		t.Errorf("wrote %v", names)
	}
}

func TestShellJoin(t *testing.T) {
	got := shellJoin([]string{"run", "-data", "csv:a b.csv", "-seed=3", "it's", ""})
	want := `run -data 'csv:a b.csv' -seed=3 'it'\''s' ''`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if s := seedList([]uint64{1, 2, 3, 4, 5}); s != "seeds 1-5" {
		t.Errorf("seedList = %q", s)
	}
	if s := seedList([]uint64{3, 7}); s != "seeds 3, 7" {
		t.Errorf("seedList = %q", s)
	}
}

// TestPaletted checks that a figure of few colours keeps them exactly, and
// that with more than 256 the frequent ones stay exact and the rare ones go
// to their nearest.
func TestPaletted(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	white, blue := color.RGBA{255, 255, 255, 255}, color.RGBA{0, 114, 178, 255}
	for y := range 20 {
		for x := range 40 {
			img.SetRGBA(x, y, white)
			if x < 10 {
				img.SetRGBA(x, y, blue)
			}
		}
	}
	// 300 rare colours, one pixel each, all near blue but not blue.
	for i := range 300 {
		img.SetRGBA(10+i%30, i/30, color.RGBA{uint8(i % 10), 100 + uint8(i/10), 170, 255})
	}
	p := paletted(img)
	if len(p.Palette) != 256 {
		t.Fatalf("palette of %d colours, want 256", len(p.Palette))
	}
	for y := range 20 {
		for x := range 40 {
			want := img.RGBAAt(x, y)
			got := color.RGBAModel.Convert(p.At(x, y)).(color.RGBA)
			if want == white || want == blue {
				if got != want {
					t.Fatalf("(%d, %d): frequent colour %v became %v", x, y, want, got)
				}
				continue
			}
			if got == white {
				t.Fatalf("(%d, %d): %v went to white, not to a near blue", x, y, want)
			}
		}
	}
	small := image.NewRGBA(image.Rect(0, 0, 3, 1))
	small.SetRGBA(0, 0, white)
	small.SetRGBA(1, 0, blue)
	small.SetRGBA(2, 0, color.RGBA{1, 2, 3, 255})
	q := paletted(small)
	for x := range 3 {
		if got := color.RGBAModel.Convert(q.At(x, 0)).(color.RGBA); got != small.RGBAAt(x, 0) {
			t.Errorf("pixel %d: %v, want %v", x, got, small.RGBAAt(x, 0))
		}
	}
}

// TestDrawTransferOnly draws what plasticity transfer -out leaves: the
// transfer curve and the confusion matrix, no training curves.
func TestDrawTransferOnly(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"transfer.csv", rundir.Confusion} {
		b, err := os.ReadFile(filepath.Join(golden, "gd", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	files, err := Draw(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if got := strings.Join(names, " "); got != "transfer.svg transfer.png confusion.svg confusion.png report.md" {
		t.Errorf("wrote %s", got)
	}
}
