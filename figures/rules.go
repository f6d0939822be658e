package figures

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// grid is a matrix for plotter.HeatMap: column c at x = c, row r at y = r.
type grid struct {
	cols, rows int
	z          func(c, r int) float64
}

func (g grid) Dims() (int, int)   { return g.cols, g.rows }
func (g grid) Z(c, r int) float64 { return g.z(c, r) }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

// patternLabel writes firing pattern p of R+1 rounds as its bits b0..bR,
// b0 (the first round) first, as docs/model.md §2 reads it.
func patternLabel(p, bits int) string {
	s := strconv.FormatInt(int64(p), 2)
	for len(s) < bits {
		s = "0" + s
	}
	return s
}

// patternTicks labels 0..n-1 with their patterns.
func patternTicks(n, bits int) plot.ConstantTicks {
	t := make(plot.ConstantTicks, n)
	for p := range n {
		t[p] = plot.Tick{Value: float64(p), Label: patternLabel(p, bits)}
	}
	return t
}

func indexTicks(n int) plot.ConstantTicks {
	t := make(plot.ConstantTicks, n)
	for i := range n {
		t[i] = plot.Tick{Value: float64(i), Label: strconv.Itoa(i)}
	}
	return t
}

// matrixAxes gives a heat map's axes one tick per cell and puts row 0 at
// the top, as a matrix is written.
func matrixAxes(p *plot.Plot, x, y plot.ConstantTicks) {
	p.X.Tick.Marker, p.Y.Tick.Marker = x, y
	p.Y.Scale = plot.InvertedScale{Normalizer: p.Y.Scale}
	if len(x) > 8 {
		p.X.Tick.Label.Rotation = math.Pi / 2
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	p.X.Padding, p.Y.Padding = 0, 0
}

// divergingMap maps [-m, m] from blue through grey to red, so that a rule
// entry's sign is its hue and its size its saturation.
func divergingMap(m float64) palette.ColorMap {
	cm := moreland.SmoothBlueRed()
	cm.SetMin(-m)
	cm.SetMax(m)
	return cm
}

// heatMapColors is how many colours the heat maps' palettes hold.
const heatMapColors = 255

// hiddenRule draws the hidden table as a P x P matrix laid out like the
// weights it updates: row p_i (post-synaptic pattern), column p_j
// (pre-synaptic pattern), value hid[p_j*P + p_i], on a colour scale
// symmetric about zero, with the colour bar beside it.
func hiddenRule(r *Run) *figure {
	rf := r.Rules
	P := rf.Patterns
	bits := rf.Rounds + 1
	g := grid{cols: P, rows: P, z: func(c, row int) float64 { return float64(rf.Hidden[c*P+row]) }}
	m := maxAbs(rf.Hidden)
	cm := divergingMap(m)
	hm := plotter.NewHeatMap(g, cm.Palette(heatMapColors))
	hm.Min, hm.Max = -m, m
	p := newPlot(fmt.Sprintf("Hidden rule of %s (seed %d): Whid[i][j] += eta * entry", r.Method, r.Seed),
		"pre-synaptic pattern p_j (b0..bR)", "post-synaptic pattern p_i (b0..bR)")
	if slices.IndexFunc(rf.Hidden, func(v float32) bool { return v != 0 }) < 0 {
		// GD may hold the table fixed at zero (-freeze): say so rather than
		// leave a grey square to be read as a learned rule.
		p.Title.Text += "\nevery entry is 0"
	}
	p.Add(hm)
	matrixAxes(p, patternTicks(P, bits), patternTicks(P, bits))
	bar := colorBar(cm, "table entry")
	const barWidth = 0.75 * vg.Inch
	return &figure{name: "rule-hidden", w: 6 * vg.Inch, h: 5.2 * vg.Inch, draw: func(c draw.Canvas) {
		p.Draw(draw.Crop(c, 0, -barWidth, 0, 0))
		bar.Draw(draw.Crop(c, c.Size().X-barWidth+legendGap, 0, 0, -0.3*vg.Inch))
	}}
}

// colorBar draws cm as a vertical colour bar with its scale on the right.
func colorBar(cm palette.ColorMap, label string) *plot.Plot {
	p := plot.New()
	p.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})
	p.HideX()
	p.Y.Label.Text = label
	p.Y.Padding = 0
	return p
}

func maxAbs(v []float32) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(float64(x)))
	}
	if m == 0 || math.IsNaN(m) || math.IsInf(m, 0) {
		return 1
	}
	return m
}

// Bar colours of the rule tables: the input table, and the output table's
// entries for the sample's own class and for the others.
var (
	inputBarColor = methodColors[0]
	ownBarColor   = methodColors[2]
	otherBarColor = methodColors[1]
)

// barChart makes a bar chart of values at 0..n-1 with pattern labels.
func barChart(p *plot.Plot, values []float32, width, offset vg.Length, c color.Color) *plotter.BarChart {
	v := make(plotter.Values, len(values))
	for i, x := range values {
		v[i] = float64(x)
	}
	b := &plotter.BarChart{Values: v, Width: width, Offset: offset, Color: c}
	b.LineStyle.Width = 0
	p.Add(b)
	return b
}

// patternAxis labels the x axis of a bar chart over the P patterns, and
// makes the value axis symmetric about zero with room above the tallest bar.
func patternAxis(p *plot.Plot, P, bits int, tables ...[]float32) {
	m := 0.0
	for _, t := range tables {
		m = math.Max(m, maxAbs(t))
	}
	p.Y.Min, p.Y.Max = -1.08*m, 1.08*m
	p.X.Tick.Marker = patternTicks(P, bits)
	if P > 8 {
		p.X.Tick.Label.Rotation = math.Pi / 2
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	p.X.Min, p.X.Max = -0.6, float64(P)-0.4
	p.Add(plotter.NewGrid())
}

// inputRule draws the input table: the change of every input weight of a
// hidden neuron with pattern p_i.
func inputRule(r *Run) *figure {
	rf := r.Rules
	P := rf.Patterns
	p := newPlot(fmt.Sprintf("Input rule of %s (seed %d): Win[i][m] += eta * entry", r.Method, r.Seed),
		"post-synaptic pattern p_i (b0..bR)", "table entry")
	w := 4.4 * vg.Inch / vg.Length(P)
	barChart(p, rf.Input, w*0.8, 0, inputBarColor)
	patternAxis(p, P, rf.Rounds+1, rf.Input)
	return &figure{name: "rule-input", w: 6 * vg.Inch, h: 3.2 * vg.Inch, draw: p.Draw}
}

// outputRule draws the output table: per pre-synaptic pattern p_j, the
// change of the weight to the sample's own class and to every other class.
func outputRule(r *Run) *figure {
	rf := r.Rules
	P := rf.Patterns
	own, other := make([]float32, P), make([]float32, P)
	for j := range P {
		own[j], other[j] = rf.Output[2*j], rf.Output[2*j+1]
	}
	p := newPlot(fmt.Sprintf("Output rule of %s (seed %d): Wout[c][j] += eta * entry", r.Method, r.Seed),
		"pre-synaptic pattern p_j (b0..bR)", "table entry")
	w := 4.4 * vg.Inch / vg.Length(P) * 0.4
	b1 := barChart(p, own, w, -w/2, ownBarColor)
	b2 := barChart(p, other, w, w/2, otherBarColor)
	p.Legend.Add("c = the sample's label", b1)
	p.Legend.Add("c = any other class", b2)
	patternAxis(p, P, rf.Rounds+1, rf.Output)
	return plotFigure("rule-output", p, 7*vg.Inch, 3.2*vg.Inch)
}

// confusionMatrix draws the confusion matrix of the final evaluation:
// counts written in the cells, colour the share of the true class's samples.
func confusionMatrix(r *Run) *figure {
	cf := r.Confusion
	K := cf.Classes
	rowTotal := make([]int, K)
	for t := range K {
		for q := range K {
			rowTotal[t] += cf.Counts[t*K+q]
		}
	}
	share := func(t, q int) float64 {
		if rowTotal[t] == 0 {
			return 0
		}
		return float64(cf.Counts[t*K+q]) / float64(rowTotal[t])
	}
	g := grid{cols: K, rows: K, z: func(c, row int) float64 { return share(row, c) }}
	pal, err := brewer.GetPalette(brewer.TypeSequential, "Blues", 9)
	if err != nil {
		panic(err) // a palette brewer always has
	}
	hm := plotter.NewHeatMap(g, pal)
	hm.Min, hm.Max = 0, 1
	what := cf.What
	if what == "" {
		what = "final evaluation"
	}
	p := newPlot(fmt.Sprintf("Confusion of %s (seed %d)\n%s", r.Method, r.Seed, what), "predicted class", "true class")
	p.Add(hm)
	labels := &plotter.Labels{XYs: make(plotter.XYs, K*K), Labels: make([]string, K*K), TextStyle: make([]text.Style, K*K)}
	for i := range K * K {
		c, row := i%K, i/K
		labels.XYs[i] = plotter.XY{X: float64(c), Y: float64(row)}
		labels.Labels[i] = strconv.Itoa(cf.Counts[row*K+c])
		st := text.Style{Color: color.Black, Font: p.X.Tick.Label.Font, XAlign: draw.XCenter, YAlign: draw.YCenter,
			Handler: p.X.Tick.Label.Handler}
		st.Font.Size = vg.Points(math.Max(6, 11-float64(K)/3))
		if share(row, c) > 0.6 {
			st.Color = color.White
		}
		labels.TextStyle[i] = st
	}
	p.Add(labels)
	matrixAxes(p, indexTicks(K), indexTicks(K))
	return &figure{name: "confusion", w: 4.6 * vg.Inch, h: 4.4 * vg.Inch, draw: p.Draw}
}

// ruleFigures are the figures of one run's rules and final evaluation.
func ruleFigures(r *Run) []*figure {
	var fs []*figure
	if r.Rules != nil && len(r.Rules.Hidden) == r.Rules.Patterns*r.Rules.Patterns && r.Rules.Patterns > 0 {
		fs = append(fs, hiddenRule(r), inputRule(r), outputRule(r))
	}
	if r.Confusion != nil {
		fs = append(fs, confusionMatrix(r))
	}
	return fs
}
