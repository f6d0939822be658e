package figures

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Window is the width, in training batches, of the moving average drawn
// bold over the raw training curves (the seed paper's 40).
const Window = 40

// methodColors are the Okabe-Ito colours, told apart by every common kind
// of colour blindness; method i of a figure gets colour i.
var methodColors = []color.NRGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
}

func methodColor(i int) color.NRGBA { return methodColors[i%len(methodColors)] }

func withAlpha(c color.NRGBA, a uint8) color.NRGBA { c.A = a; return c }

// Alpha of the raw points and of the ± standard deviation band.
const (
	rawAlpha  = 0x50
	bandAlpha = 0x38
)

var chanceColor = color.NRGBA{0x70, 0x70, 0x70, 0xFF}

// group is one method's runs over the seeds, and the method's colour in
// every figure.
type group struct {
	method string
	color  color.NRGBA
	runs   []*Run
}

// groupRuns groups runs by method in the order the methods first appear.
func groupRuns(runs []*Run) []group {
	var gs []group
	at := map[string]int{}
	for _, r := range runs {
		i, ok := at[r.Method]
		if !ok {
			i = len(gs)
			at[r.Method] = i
			gs = append(gs, group{method: r.Method, color: methodColor(i)})
		}
		gs[i].runs = append(gs[i].runs, r)
	}
	return gs
}

// legendName names a group in a legend, with its seed count when the bold
// line is a mean over seeds.
func (g group) legendName() string {
	if len(g.runs) > 1 {
		return fmt.Sprintf("%s (mean ± sd, %d seeds)", g.method, len(g.runs))
	}
	return g.method
}

// curveMeasure is a column of metrics.csv drawn against training batches.
type curveMeasure struct {
	column, label, file string
	accuracy            bool
}

// curveMeasures are the training curves Draw draws, one figure each.
var curveMeasures = []curveMeasure{
	{"batch_accuracy", "batch accuracy", "curve-batch-accuracy", true},
	{"test_accuracy", "test accuracy", "curve-test-accuracy", true},
	{"loss", "loss (cross-entropy)", "curve-loss", false},
}

// series is a curve with its NaN points left out.
type series struct{ x, y []float64 }

func finite(x, y []float64) series {
	var s series
	for i := range min(len(x), len(y)) {
		if !math.IsNaN(y[i]) && !math.IsInf(y[i], 0) && !math.IsNaN(x[i]) {
			s.x = append(s.x, x[i])
			s.y = append(s.y, y[i])
		}
	}
	return s
}

// MovingAverage returns the trailing mean of y over window units of x at
// every point whose window lies inside the data (x[i] >= x[0]+window-1; for
// one point per batch counted from 1, points window..n), leaving out NaN
// values. x must be increasing. When the data span less than one window,
// the window shrinks to the span; the width used is returned.
func MovingAverage(x, y []float64, window float64) (mx, my []float64, used float64) {
	s := finite(x, y)
	if len(s.x) == 0 {
		return nil, nil, window
	}
	if span := s.x[len(s.x)-1] - s.x[0] + 1; span < window {
		window = span
	}
	lo, sum := 0, 0.0
	for i, xi := range s.x {
		sum += s.y[i]
		for s.x[lo] <= xi-window {
			sum -= s.y[lo]
			lo++
		}
		if xi >= s.x[0]+window-1 {
			mx = append(mx, xi)
			my = append(my, sum/float64(i-lo+1))
		}
	}
	return mx, my, window
}

// across returns, at each x of the first series that every series has, the
// mean of the series and their sample standard deviation (0 for one series).
func across(ss []series) (x, mean, sd []float64) {
	if len(ss) == 0 {
		return nil, nil, nil
	}
	at := make([]map[float64]float64, len(ss))
	for i, s := range ss {
		at[i] = make(map[float64]float64, len(s.x))
		for j, v := range s.x {
			at[i][v] = s.y[j]
		}
	}
next:
	for _, xv := range ss[0].x {
		vals := make([]float64, len(ss))
		for i := range ss {
			v, ok := at[i][xv]
			if !ok {
				continue next
			}
			vals[i] = v
		}
		m, d := meanSD(vals)
		x, mean, sd = append(x, xv), append(mean, m), append(sd, d)
	}
	return x, mean, sd
}

// meanSD returns the mean and the sample standard deviation (n-1 in the
// denominator; 0 for fewer than two values) of v.
func meanSD(v []float64) (float64, float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	var m float64
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	if len(v) < 2 {
		return m, 0
	}
	var s float64
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return m, math.Sqrt(s / float64(len(v)-1))
}

func xys(x, y []float64) plotter.XYs {
	p := make(plotter.XYs, len(x))
	for i := range x {
		p[i] = plotter.XY{X: x[i], Y: y[i]}
	}
	return p
}

func line(x, y []float64, c color.Color, width vg.Length, dashes ...vg.Length) *plotter.Line {
	l := &plotter.Line{XYs: xys(x, y)}
	l.LineStyle = draw.LineStyle{Color: c, Width: width, Dashes: dashes}
	return l
}

// sparse is how many points a raw curve may have at most for its points to
// be marked (measures taken every few batches, such as test accuracy).
const sparse = 100

// dots marks each point of a sparse curve with a small disc.
func dots(x, y []float64, c color.Color) *plotter.Scatter {
	s := &plotter.Scatter{XYs: xys(x, y)}
	s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: 1.6, Shape: draw.CircleGlyph{}}
	return s
}

// band is the area between mean-sd and mean+sd.
func band(x, mean, sd []float64, c color.Color) *plotter.Polygon {
	pts := make(plotter.XYs, 0, 2*len(x))
	for i := range x {
		pts = append(pts, plotter.XY{X: x[i], Y: mean[i] + sd[i]})
	}
	for i := len(x) - 1; i >= 0; i-- {
		pts = append(pts, plotter.XY{X: x[i], Y: mean[i] - sd[i]})
	}
	p := &plotter.Polygon{XYs: []plotter.XYs{pts}, Color: c}
	p.LineStyle.Width = 0
	return p
}

// Line widths of the raw points, the bold mean, and secondary curves.
const (
	rawWidth  = vg.Length(0.6)
	boldWidth = vg.Length(2)
	thinWidth = vg.Length(1.1)
)

func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = 11
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Legend.TextStyle.Font.Size = 8
	p.Legend.Padding = 2
	p.Add(plotter.NewGrid())
	return p
}

// addChance draws the accuracy of guessing, 1/classes, across the plot.
func addChance(p *plot.Plot, x0, x1 float64, classes int) {
	if classes < 2 || !(x1 > x0) {
		return
	}
	c := 1 / float64(classes)
	l := line([]float64{x0, x1}, []float64{c, c}, chanceColor, 0.8, vg.Points(3), vg.Points(3))
	p.Add(l)
	p.Legend.Add(fmt.Sprintf("chance (1/%d)", classes), l)
}

func groupsClasses(gs []group) int {
	for _, g := range gs {
		for _, r := range g.runs {
			if k := r.classes(); k > 0 {
				return k
			}
		}
	}
	return 0
}

// trainingCurve draws one measure of metrics.csv for every method: each
// batch's value faint, the moving average over Window batches bold (the
// mean over seeds, with a ± standard deviation band, when a method has
// several). Every method's faint lines go below every bold one, so that no
// method's noise hides another's average. It returns nil when no run
// measured the column.
func trainingCurve(gs []group, m curveMeasure) *figure {
	p := newPlot("", "training batches (one per ES generation or GD step)", m.label)
	xmin, xmax := math.Inf(1), math.Inf(-1)
	ymin := math.Inf(1)
	used := float64(Window)
	var raws, bands, bolds []plot.Plotter
	for _, g := range gs {
		col := g.color
		// Several seeds' faint lines add up: each is fainter.
		alpha := uint8(float64(rawAlpha) / math.Sqrt(float64(len(g.runs))))
		var avgs []series
		for _, r := range g.runs {
			y := r.Metrics.Column(m.column)
			if y == nil {
				continue
			}
			x, _ := r.Metrics.Steps()
			raw := finite(x, y)
			if len(raw.x) == 0 {
				continue
			}
			xmin, xmax = math.Min(xmin, raw.x[0]), math.Max(xmax, raw.x[len(raw.x)-1])
			ymin = math.Min(ymin, slices.Min(raw.y))
			raws = append(raws, line(raw.x, raw.y, withAlpha(col, alpha), rawWidth))
			if len(raw.x) <= sparse && len(g.runs) == 1 {
				raws = append(raws, dots(raw.x, raw.y, withAlpha(col, 2*alpha)))
			}
			var a series
			a.x, a.y, used = MovingAverage(raw.x, raw.y, Window)
			avgs = append(avgs, a)
		}
		if len(avgs) == 0 {
			continue
		}
		x, mean, sd := across(avgs)
		if len(avgs) > 1 {
			bands = append(bands, band(x, mean, sd, withAlpha(col, bandAlpha)))
		}
		l := line(x, mean, col, boldWidth)
		bolds = append(bolds, l)
		p.Legend.Add(g.legendName(), l)
	}
	if len(bolds) == 0 {
		return nil
	}
	p.Add(raws...)
	p.Add(bands...)
	p.Add(bolds...)
	if m.accuracy {
		addChance(p, xmin, xmax, groupsClasses(gs))
	} else if ymin > 0 {
		// A loss's outliers reach several times its typical value; on a log
		// scale they do not squeeze the averages into a strip.
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = oneTwoFive{}
	}
	p.Title.Text = fmt.Sprintf("%s while learning the rules\nfaint: every measurement; bold: moving average over %g batches",
		capitalise(m.label), used)
	return plotFigure(m.file, p, 7*vg.Inch, 3.6*vg.Inch)
}

// oneTwoFive ticks a log axis at 1, 2 and 5 times the powers of ten, with
// minor ticks at the other integer multiples.
type oneTwoFive struct{}

// Ticks implements plot.Ticker.
func (oneTwoFive) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
		for k := 1; k <= 9; k++ {
			v := float64(k) * math.Pow(10, e)
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if k == 1 || k == 2 || k == 5 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// transferCurve draws the transfer curves of every method that has one:
// test accuracy bold, the online training accuracy (samples classified
// before their own update) thin and dashed, against passes over the new
// training split.
func transferCurve(gs []group) *figure {
	p := newPlot("", "passes over the new data set's training split", "accuracy")
	xmin, xmax := math.Inf(1), math.Inf(-1)
	drawn := 0
	for _, g := range gs {
		col := g.color
		var test, online []series
		for _, r := range g.runs {
			if r.Transfer == nil {
				continue
			}
			pass := r.Transfer.Column("pass")
			test = append(test, finite(pass, r.Transfer.Column("test_accuracy")))
			if o := r.Transfer.Column("online_accuracy"); o != nil {
				online = append(online, finite(pass, o))
			}
		}
		if len(test) == 0 {
			continue
		}
		if x, mean, _ := across(online); len(x) > 0 {
			l := line(x, mean, col, thinWidth, vg.Points(4), vg.Points(2))
			p.Add(l)
			p.Legend.Add(g.method+" train (online)", l)
		}
		x, mean, sd := across(test)
		if len(x) == 0 {
			continue
		}
		xmin, xmax = math.Min(xmin, x[0]), math.Max(xmax, x[len(x)-1])
		if len(test) > 1 {
			p.Add(band(x, mean, sd, withAlpha(col, bandAlpha)))
		}
		l := line(x, mean, col, boldWidth)
		p.Add(l)
		p.Legend.Add(g.legendName()+" test", l)
		drawn++
	}
	if drawn == 0 {
		return nil
	}
	addChance(p, xmin, xmax, groupsClasses(gs))
	// The first pass is recorded every few hundred samples, the others once
	// each: on a log scale both halves of the story get room.
	if xmin > 0 && xmax/xmin > 20 {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	p.Title.Text = "Transfer: a fresh network learns a new data set with the learned rules\n" +
		"one sample at a time, never reset; test split of the new data after each point"
	return plotFigure("transfer", p, 7*vg.Inch, 3.6*vg.Inch)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
