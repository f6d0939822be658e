package figures

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/color"
	"image/png"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"plasticity/rundir"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// golden is a small real run directory: plasticity run -rounds 2 (P = 8)
// with its four methods, 120 generations or steps each, test accuracy every
// 10, transfer over 3 passes. gd's input and hidden tables are all zero.
const golden = "../testdata/rundir"

var goldenMethods = []string{"es-openai", "es-simple", "gd", "gd-seed"}

// copyDir copies the run directory src into a fresh temporary folder, so
// that drawing never writes into testdata.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// drawnDir is the golden directory copied and drawn once for the tests that
// only read the figures.
var drawnDir string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "figures-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	drawnDir = dir
	return m.Run()
}

var drawOnce sync.Once

// drawn returns the drawn copy of the golden directory, drawing it at the
// first call; the tests must not write into it.
func drawn(t *testing.T) string {
	t.Helper()
	var err error
	drawOnce.Do(func() {
		copyDir(t, golden, drawnDir)
		_, err = Draw(drawnDir)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(drawnDir, rundir.Report)); err != nil {
		t.Fatalf("the golden directory was not drawn: %v", err)
	}
	return drawnDir
}

// column reads one column of a CSV file with encoding/csv, independently
// of ReadTable: the x value and the cell of every row whose cell is not
// empty.
func column(t *testing.T, path, xname, name string) (x, y []float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	xi, yi := slices.Index(recs[0], xname), slices.Index(recs[0], name)
	if xi < 0 || yi < 0 {
		t.Fatalf("%s: no column %s or %s", path, xname, name)
	}
	for _, r := range recs[1:] {
		if r[yi] == "" {
			continue
		}
		a, err1 := strconv.ParseFloat(r[xi], 64)
		b, err2 := strconv.ParseFloat(r[yi], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: bad row %v", path, r)
		}
		x, y = append(x, a), append(y, b)
	}
	return x, y
}

// averagedPoints is how many points a trailing moving average over Window
// batches has: those at least Window-1 batches after the first point.
func averagedPoints(x []float64) int {
	n := 0
	for _, v := range x {
		if v >= x[0]+Window-1 {
			n++
		}
	}
	return n
}

func stepColumn(method string) string {
	if strings.HasPrefix(method, "gd") {
		return "step"
	}
	return "generation"
}

func allZero(v []float64) bool {
	return !slices.ContainsFunc(v, func(x float64) bool { return x != 0 })
}

func TestDrawWritesEveryFigure(t *testing.T) {
	dir := drawn(t)
	want := []string{"curve-batch-accuracy", "curve-test-accuracy", "curve-loss", "transfer"}
	for _, m := range goldenMethods {
		for _, f := range []string{"rule-hidden", "rule-input", "rule-output", "confusion"} {
			want = append(want, filepath.Join(m, f))
		}
	}
	for _, name := range want {
		readSVG(t, filepath.Join(dir, name+".svg"))
		f, err := os.Open(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s.png: %v", name, err)
		}
		if cfg.Width < 300 || cfg.Width > 800 || cfg.Height < 200 || cfg.Height > 700 {
			t.Errorf("%s.png is %dx%d pixels, want a README-sized figure", name, cfg.Width, cfg.Height)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, rundir.Report)); err != nil {
		t.Fatal(err)
	}
}

// TestTrainingCurves checks each measure's figure: per method a faint line
// through every measurement, a bold moving average with one point per full
// window, the legend naming the methods and the axis naming the measure.
func TestTrainingCurves(t *testing.T) {
	dir := drawn(t)
	for _, m := range curveMeasures {
		doc := readSVG(t, filepath.Join(dir, m.file+".svg"))
		if !doc.hasText(m.label) {
			t.Errorf("%s: no axis label %q", m.file, m.label)
		}
		if !doc.hasText("training batches (one per ES generation or GD step)") {
			t.Errorf("%s: no x axis label", m.file)
		}
		for i, method := range goldenMethods {
			if !doc.hasText(method) {
				t.Errorf("%s: %s not in the legend", m.file, method)
			}
			x, _ := column(t, filepath.Join(golden, method, "metrics.csv"), stepColumn(method), m.column)
			col := methodColors[i]
			raw, rawCurves := longest(doc.strokes(col, 0.05, 0.5))
			if raw != len(x) || rawCurves != 1 {
				t.Errorf("%s %s: faint line of %d points (%d lines), want one of %d", m.file, method, raw, rawCurves, len(x))
			}
			bold, boldCurves := longest(doc.strokes(col, 1, 1))
			if want := averagedPoints(x); bold != want || boldCurves != 1 {
				t.Errorf("%s %s: bold line of %d points (%d lines), want one of %d", m.file, method, bold, boldCurves, want)
			}
			// Sparse measures (test accuracy) mark each point.
			dots := 0
			for _, p := range doc.fills(col) {
				if p.arcs > 0 {
					dots++
				}
			}
			if want := len(x) * boolInt(len(x) <= sparse); dots != want {
				t.Errorf("%s %s: %d dots, want %d", m.file, method, dots, want)
			}
		}
		if m.accuracy != doc.hasText("chance (1/4)") {
			t.Errorf("%s: chance line drawn %v, want %v", m.file, !m.accuracy, m.accuracy)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestBoldCurveIsTheMovingAverage reads the bold line of one method back
// and checks its points' heights against the moving average of the file:
// the highest and lowest average must be drawn where they are.
func TestBoldCurveIsTheMovingAverage(t *testing.T) {
	dir := drawn(t)
	x, y := column(t, filepath.Join(golden, "es-openai", "metrics.csv"), "generation", "batch_accuracy")
	mx, my, _ := MovingAverage(x, y, Window)
	doc := readSVG(t, filepath.Join(dir, "curve-batch-accuracy.svg"))
	var line svgPath
	for _, p := range doc.strokes(methodColors[0], 1, 1) {
		if len(p.pts) > len(line.pts) {
			line = p
		}
	}
	if len(line.pts) != len(mx) {
		t.Fatalf("bold line of %d points, moving average of %d", len(line.pts), len(mx))
	}
	// The canvas maps data to points linearly: fit it on two points, check
	// the rest.
	i, j := 0, len(my)-1
	if my[i] == my[j] {
		t.Fatal("golden average is flat: cannot fit the scale")
	}
	a := (line.pts[j].y - line.pts[i].y) / (my[j] - my[i])
	b := line.pts[i].y - a*my[i]
	for k := range my {
		if got := (line.pts[k].y - b) / a; math.Abs(got-my[k]) > 2e-3 {
			t.Fatalf("point %d (generation %g): drawn at %.4f, moving average %.4f", k, mx[k], got, my[k])
		}
	}
}

func TestTransferCurves(t *testing.T) {
	dir := drawn(t)
	doc := readSVG(t, filepath.Join(dir, "transfer.svg"))
	for _, label := range []string{"accuracy", "passes over the new data set's training split"} {
		if !doc.hasText(label) {
			t.Errorf("no axis label %q", label)
		}
	}
	for i, method := range goldenMethods {
		x, _ := column(t, filepath.Join(golden, method, "transfer.csv"), "pass", "test_accuracy")
		for _, c := range []struct {
			name  string
			width string
		}{{"test", "2"}, {"train (online)", "1.1"}} {
			if !doc.hasText(method + " " + c.name) {
				t.Errorf("legend lacks %q", method+" "+c.name)
			}
			var ps []svgPath
			for _, p := range doc.strokes(methodColors[i], 1, 1) {
				if p.style["stroke-width"] == c.width {
					ps = append(ps, p)
				}
			}
			if n, curves := longest(ps); n != len(x) || curves != 1 {
				t.Errorf("%s %s: line of %d points (%d lines), want one of %d", method, c.name, n, curves, len(x))
			}
		}
	}
}

// readRules reads the golden rules.json tables without package rundir.
func readRules(t *testing.T, method string) (P int, input, hidden, output []float64) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(golden, method, "rules.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Patterns              int
		Input, Hidden, Output []float64
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r.Patterns, r.Input, r.Hidden, r.Output
}

// grid sorts the cells of a heat map into rows and columns: column index by
// x, row index from the top (rows go down the page, as in a matrix).
func cellGrid(t *testing.T, cells []svgPath, n int) map[[2]int]svgPath {
	t.Helper()
	var xs, ys []float64
	for _, c := range cells {
		x0, y0, _, _ := c.bounds()
		xs, ys = append(xs, round(x0)), append(ys, round(y0))
	}
	xs, ys = unique(xs), unique(ys)
	if len(xs) != n || len(ys) != n {
		t.Fatalf("cells in %d columns and %d rows, want %d x %d", len(xs), len(ys), n, n)
	}
	out := map[[2]int]svgPath{}
	for _, c := range cells {
		x0, y0, _, _ := c.bounds()
		col := slices.Index(xs, round(x0))
		row := n - 1 - slices.Index(ys, round(y0)) // SVG y points up here
		out[[2]int{row, col}] = c
	}
	if len(out) != n*n {
		t.Fatalf("%d distinct cells, want %d", len(out), n*n)
	}
	return out
}

func round(v float64) float64 { return math.Round(v*10) / 10 }

func unique(v []float64) []float64 {
	sort.Float64s(v)
	return slices.Compact(v)
}

// TestHiddenRuleHeatMap checks the P x P cells, the binary pattern labels
// on both axes, and that the reddest and bluest cells sit at (post, pre) of
// the table's largest and smallest entries: a transposed or shifted table
// would put them elsewhere.
func TestHiddenRuleHeatMap(t *testing.T) {
	dir := drawn(t)
	for _, method := range goldenMethods {
		P, _, hidden, _ := readRules(t, method)
		doc := readSVG(t, filepath.Join(dir, method, "rule-hidden.svg"))
		cells := doc.cells()
		if len(cells) != P*P {
			t.Fatalf("%s: %d cells, want P x P = %d", method, len(cells), P*P)
		}
		g := cellGrid(t, cells, P)
		for p := range P {
			label := patternLabel(p, 3)
			if n := doc.countText(label); n != 2 {
				t.Errorf("%s: pattern label %q appears %d times, want 2 (both axes)", method, label, n)
			}
		}
		for _, axis := range []string{"pre-synaptic pattern p_j (b0..bR)", "post-synaptic pattern p_i (b0..bR)"} {
			if !doc.hasText(axis) {
				t.Errorf("%s: no axis label %q", method, axis)
			}
		}
		// Every cell has the colour of its entry hidden[p_j*P + p_i] at row
		// p_i, column p_j; a transposed or shifted table would not.
		m := 0.0
		for _, v := range hidden {
			m = math.Max(m, math.Abs(v))
		}
		if m == 0 {
			m = 1 // an all-zero table: every cell the scale's middle
		}
		pal := divergingMap(m).Palette(heatMapColors).Colors()
		wrong := 0
		for pi := range P {
			for pj := range P {
				v := hidden[pj*P+pi]
				want := color.NRGBAModel.Convert(pal[int((v+m)/(2*m)*float64(len(pal)-1)+0.5)]).(color.NRGBA)
				got, _ := g[[2]int{pi, pj}].fill()
				if !near(got, want) {
					wrong++
					if wrong <= 3 {
						t.Errorf("%s: cell (post %d, pre %d) is %v, want %v for %.4f", method, pi, pj, got, want, v)
					}
				}
			}
		}
		transposed := 0
		for pi := range P {
			for pj := range P {
				if hidden[pj*P+pi] == hidden[pi*P+pj] {
					transposed++
				}
			}
		}
		if zero := allZero(hidden); zero != doc.hasText("every entry is 0") {
			t.Errorf("%s: all-zero table %v, but the title says so: %v", method, zero, !zero)
		} else if !zero && transposed == P*P {
			t.Fatalf("%s: golden table symmetric; the test could not tell a transposed map", method)
		}
	}
}

// checkBars checks that bars of colour c stand for values: one bar per
// value, in order, each starting from the same zero line, up for positive
// values and down for negative ones, heights proportional to the values.
func checkBars(t *testing.T, doc svgDoc, c colorName, values []float64) {
	t.Helper()
	bars := doc.fills(c.c)
	var rects []svgPath
	for _, b := range bars {
		if len(b.pts) == 4 {
			rects = append(rects, b)
		}
	}
	// The legend's sample of a bar colour is a rectangle too: drop the one
	// outside the axes (right of every bar) when there is one more.
	sort.Slice(rects, func(i, j int) bool { a, _, _, _ := rects[i].bounds(); b, _, _, _ := rects[j].bounds(); return a < b })
	if len(rects) == len(values)+1 {
		rects = rects[:len(values)]
	}
	if len(rects) != len(values) {
		t.Fatalf("%s: %d bars, want %d", c.name, len(rects), len(values))
	}
	// Scale from the tallest bar: SVG coordinates have 5 digits, so short
	// bars carry a larger rounding error.
	var zero, scale float64
	if allZero(values) {
		for i, r := range rects {
			if _, y0, _, y1 := r.bounds(); y1-y0 > 0.05 {
				t.Errorf("%s bar %d: height %.3f for a zero entry", c.name, i, y1-y0)
			}
		}
		return
	}
	tallest := 0
	for i, v := range values {
		if math.Abs(v) > math.Abs(values[tallest]) {
			tallest = i
		}
	}
	for i, r := range rects {
		_, y0, _, y1 := r.bounds()
		v := values[i]
		base, h := y0, y1-y0
		if v < 0 {
			base, h = y1, y0-y1
		}
		if i == 0 {
			zero = base
		}
		if math.Abs(base-zero) > 0.05 {
			t.Errorf("%s bar %d: starts at %.2f, the others at %.2f", c.name, i, base, zero)
		}
		if i == tallest {
			scale = h / v
		}
	}
	for i, r := range rects {
		_, y0, _, y1 := r.bounds()
		v, h := values[i], y1-y0
		if v < 0 {
			h = -h
		}
		if math.Abs(v) > 1e-6 {
			if math.Abs(h/v-scale) > 0.005*math.Abs(scale)+0.05/math.Abs(v) {
				t.Errorf("%s bar %d: height %.3f for %.4f, others %.3f per unit", c.name, i, h, v, scale)
			}
		}
	}
}

type colorName struct {
	name string
	c    color.NRGBA
}

func TestRuleBarCharts(t *testing.T) {
	dir := drawn(t)
	for _, method := range goldenMethods {
		P, input, _, output := readRules(t, method)
		in := readSVG(t, filepath.Join(dir, method, "rule-input.svg"))
		checkBars(t, in, colorName{method + " input", inputBarColor}, input)
		own, other := make([]float64, P), make([]float64, P)
		for j := range P {
			own[j], other[j] = output[2*j], output[2*j+1]
		}
		out := readSVG(t, filepath.Join(dir, method, "rule-output.svg"))
		checkBars(t, out, colorName{method + " output, own class", ownBarColor}, own)
		checkBars(t, out, colorName{method + " output, other classes", otherBarColor}, other)
		for _, doc := range []svgDoc{in, out} {
			if !doc.hasText("table entry") || doc.countText(patternLabel(P-1, 3)) != 1 {
				t.Errorf("%s: bar chart lacks its value label or pattern labels", method)
			}
		}
	}
}

// TestConfusionMatrix checks K x K cells and that each cell's count is the
// golden count of (true = row from the top, predicted = column).
func TestConfusionMatrix(t *testing.T) {
	dir := drawn(t)
	for _, method := range goldenMethods {
		b, err := os.ReadFile(filepath.Join(golden, method, rundir.Confusion))
		if err != nil {
			t.Fatal(err)
		}
		var cf struct {
			Classes int
			Counts  []int
		}
		if err := json.Unmarshal(b, &cf); err != nil {
			t.Fatal(err)
		}
		K := cf.Classes
		doc := readSVG(t, filepath.Join(dir, method, "confusion.svg"))
		if !doc.hasText("true class") || !doc.hasText("predicted class") {
			t.Errorf("%s: axis labels missing", method)
		}
		cells := doc.cells()
		if len(cells) != K*K {
			t.Fatalf("%s: %d cells, want %d", method, len(cells), K*K)
		}
		g := cellGrid(t, cells, K)
		symmetric := true
		for r := range K {
			for c := range K {
				symmetric = symmetric && cf.Counts[r*K+c] == cf.Counts[c*K+r]
				x0, y0, x1, y1 := g[[2]int{r, c}].bounds()
				var in []string
				for _, tx := range doc.texts {
					if tx.x > x0 && tx.x < x1 && -tx.y > y0 && -tx.y < y1 {
						in = append(in, tx.s)
					}
				}
				if want := strconv.Itoa(cf.Counts[r*K+c]); len(in) != 1 || in[0] != want {
					t.Errorf("%s: cell (true %d, predicted %d) reads %q, want %s", method, r, c, in, want)
				}
			}
		}
		if symmetric {
			t.Fatalf("%s: golden confusion is symmetric; the test could not tell a transposed map", method)
		}
	}
}

// imageLinks returns the targets of the Markdown images in a report.
func imageLinks(report string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`!\[[^\]]*\]\(([^)]+)\)`).FindAllStringSubmatch(report, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestReportSingleSeed(t *testing.T) {
	dir := drawn(t)
	b, err := os.ReadFile(filepath.Join(dir, rundir.Report))
	if err != nil {
		t.Fatal(err)
	}
	rep := string(b)
	// The command comes from run.json.
	if !strings.Contains(rep, "    plasticity run -generations 120 -steps 120 -passes 3 -rounds 2 -eval-every 10 -out testdata/rundir\n") {
		t.Errorf("report lacks the exact command:\n%s", rep)
	}
	links := imageLinks(rep)
	// 4 curves + 4 figures of each method's rules and evaluation.
	if len(links) != 4+4*len(goldenMethods) {
		t.Errorf("report embeds %d figures, want %d: %v", len(links), 4+4*len(goldenMethods), links)
	}
	for _, l := range links {
		if _, err := os.Stat(filepath.Join(dir, l)); err != nil {
			t.Errorf("report links %s: %v", l, err)
		}
	}
	for _, m := range goldenMethods {
		rules, err := os.ReadFile(filepath.Join(golden, m, "rules.json"))
		if err != nil {
			t.Fatal(err)
		}
		var rf struct {
			Steps  int
			Scores struct {
				BatchAccuracy float64 `json:"batch_accuracy"`
			}
		}
		if err := json.Unmarshal(rules, &rf); err != nil {
			t.Fatal(err)
		}
		_, tacc := column(t, filepath.Join(golden, m, "transfer.csv"), "pass", "test_accuracy")
		row := fmt.Sprintf("| %s | 1 | %d | %.3f |", m, rf.Steps, rf.Scores.BatchAccuracy)
		if !strings.Contains(rep, row) {
			t.Errorf("report lacks the row start %q", row)
		}
		if cell := fmt.Sprintf(" %.3f |", tacc[len(tacc)-1]); !strings.Contains(rep[strings.Index(rep, row):], cell) {
			t.Errorf("%s: report lacks the transfer accuracy %s", m, cell)
		}
		if !strings.Contains(rep, "<summary>"+m+" (seed 1): config.json</summary>") {
			t.Errorf("report lacks the configuration of %s", m)
		}
	}
}

// TestSeeds draws a directory of two seeds (the golden run and a copy with
// seed 2, its batch accuracies raised by 0.1): the curves get a band per
// method and a bold mean, the table mean ± sample standard deviation.
func TestSeeds(t *testing.T) {
	root := t.TempDir()
	copyDir(t, golden, filepath.Join(root, "seed1"))
	copyDir(t, golden, filepath.Join(root, "seed2"))
	for _, m := range goldenMethods {
		path := filepath.Join(root, "seed2", m, "rules.json")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var rf map[string]any
		if err := json.Unmarshal(b, &rf); err != nil {
			t.Fatal(err)
		}
		rf["seed"] = 2
		rf["scores"].(map[string]any)["batch_accuracy"] = rf["scores"].(map[string]any)["batch_accuracy"].(float64) + 0.1
		b, _ = json.Marshal(rf)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	info := Info{Command: "plasticity run -seeds 2 -out X", Seeds: []uint64{1, 2}, Machine: "a test"}
	b, _ := json.Marshal(info)
	if err := os.WriteFile(filepath.Join(root, rundir.Info), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Draw(root); err != nil {
		t.Fatal(err)
	}
	doc := readSVG(t, filepath.Join(root, "curve-batch-accuracy.svg"))
	for i, m := range goldenMethods {
		if !doc.hasText(m + " (mean ± sd, 2 seeds)") {
			t.Errorf("legend lacks %s over 2 seeds", m)
		}
		if _, lines := longest(doc.strokes(methodColors[i], 0.05, 0.5)); lines != 2 {
			t.Errorf("%s: %d faint lines, want one per seed", m, lines)
		}
		x, _ := column(t, filepath.Join(golden, m, "metrics.csv"), stepColumn(m), "batch_accuracy")
		var bands []svgPath
		for _, p := range doc.fills(methodColors[i]) {
			if math.Abs(p.opacity("fill-opacity")-bandAlpha/255.0) < 0.01 {
				bands = append(bands, p)
			}
		}
		// Equal seeds give a band of zero width, still one polygon of 2n
		// vertices.
		if n := averagedPoints(x); len(bands) != 1 || len(bands[0].pts) != 2*n {
			t.Errorf("%s: %d bands, want one of %d vertices", m, len(bands), 2*n)
		}
	}
	rep, err := os.ReadFile(filepath.Join(root, rundir.Report))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rep), "over 2 seeds (seeds 1, 2)") || !strings.Contains(string(rep), "    plasticity run -seeds 2 -out X\n") {
		t.Errorf("report header wrong:\n%s", rep[:min(len(rep), 400)])
	}
	for _, l := range imageLinks(string(rep)) {
		if _, err := os.Stat(filepath.Join(root, l)); err != nil {
			t.Errorf("report links %s: %v", l, err)
		}
	}
	rules, _ := os.ReadFile(filepath.Join(golden, "gd", "rules.json"))
	var rf struct {
		Scores struct {
			BatchAccuracy float64 `json:"batch_accuracy"`
		}
	}
	json.Unmarshal(rules, &rf)
	want := fmt.Sprintf("| gd | 2 | 120 | %.3f ± %.3f |", rf.Scores.BatchAccuracy+0.05, 0.1/math.Sqrt2)
	if !strings.Contains(string(rep), want) {
		t.Errorf("report lacks %q", want)
	}
}

// TestReportCommandFromConfig draws a run directory without run.json (as
// plasticity train leaves one): the command comes from config.json.
func TestReportCommandFromConfig(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, filepath.Join(golden, "gd"), dir)
	if _, err := Draw(dir); err != nil {
		t.Fatal(err)
	}
	rep, err := os.ReadFile(filepath.Join(dir, rundir.Report))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rep), "    plasticity run -generations 120 -steps 120 -passes 3 -rounds 2 -eval-every 10 -out testdata/rundir\n") {
		t.Errorf("report lacks the command of config.json:\n%s", string(rep)[:min(300, len(rep))])
	}
}
