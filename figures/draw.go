package figures

import (
	"bytes"
	"cmp"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"plasticity/rundir"
)

// PNGDPI is the resolution of the PNG copies: a 6-inch figure is 576 pixels
// wide, small enough for a README and sharp enough to read.
const PNGDPI = 96

// figure is a drawing of a given size that Draw saves as SVG and PNG.
type figure struct {
	name string // file name without extension
	w, h vg.Length
	draw func(draw.Canvas)
}

// legendGap separates a legend from the plot beside it.
const legendGap = 6

// plotFigure draws p on the whole figure, its legend to the right of the
// axes rather than over the curves.
func plotFigure(name string, p *plot.Plot, w, h vg.Length) *figure {
	lg := p.Legend
	p.Legend = plot.NewLegend()
	lg.Left, lg.Top = true, true
	return &figure{name: name, w: w, h: h, draw: func(c draw.Canvas) {
		lw := lg.Rectangle(c).Size().X
		if lw > 0 {
			lw += 2 * legendGap
		}
		p.Draw(draw.Crop(c, 0, -lw, 0, 0))
		top := vg.Length(0)
		if p.Title.Text != "" {
			top = p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding + legendGap
		}
		lg.Draw(draw.Crop(c, c.Size().X-lw+legendGap, 0, 0, -top))
	}}
}

// margin paints the whole figure white and returns it less a margin that
// keeps titles and tick labels a few points off the edge.
func margin(c draw.Canvas) draw.Canvas {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	return draw.Crop(c, 3, -3, 3, -4)
}

// svg renders the figure as an SVG document.
func (f *figure) svg() []byte {
	c := vgsvg.New(f.w, f.h)
	f.draw(margin(draw.New(c)))
	var buf bytes.Buffer
	c.WriteTo(&buf) // writes to memory, cannot fail
	return buf.Bytes()
}

// png renders the figure as a PNG image at PNGDPI, with at most 256
// colours (see paletted).
func (f *figure) png() ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(f.w, f.h), vgimg.UseDPI(PNGDPI))
	f.draw(margin(draw.New(c)))
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	img, ok := c.Image().(*image.RGBA)
	if !ok {
		return nil, fmt.Errorf("%s.png: vgimg drew into a %T, want *image.RGBA", f.name, c.Image())
	}
	if err := enc.Encode(&buf, paletted(img)); err != nil {
		return nil, fmt.Errorf("%s.png: %w", f.name, err)
	}
	return buf.Bytes(), nil
}

// paletted returns img with the 256 colours most of its pixels have, every
// other pixel given the nearest of them. A figure is mostly flat colour;
// the rare colours are the blends of antialiased edges, whose nearest
// neighbour is as good to the eye, and the file is a third the size.
func paletted(img *image.RGBA) *image.Paletted {
	b := img.Bounds()
	key := func(x, y int) uint32 {
		p := img.Pix[img.PixOffset(x, y):]
		return uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])
	}
	count := map[uint32]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			count[key(x, y)]++
		}
	}
	cols := make([]uint32, 0, len(count))
	for c := range count {
		cols = append(cols, c)
	}
	// Most frequent first; ties by value, so the palette does not depend on
	// map order.
	slices.SortFunc(cols, func(a, b uint32) int {
		if d := count[b] - count[a]; d != 0 {
			return d
		}
		return cmp.Compare(a, b)
	})
	rgba := func(k uint32) color.RGBA { return color.RGBA{uint8(k >> 24), uint8(k >> 16), uint8(k >> 8), uint8(k)} }
	pal := make(color.Palette, min(256, len(cols)))
	index := make(map[uint32]uint8, len(cols))
	for i := range pal {
		pal[i] = rgba(cols[i])
		index[cols[i]] = uint8(i)
	}
	out := image.NewPaletted(b, pal)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			k := key(x, y)
			i, ok := index[k]
			if !ok {
				i = uint8(pal.Index(rgba(k)))
				index[k] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	return out
}

// save writes dir/name.svg and dir/name.png and returns their paths.
func (f *figure) save(dir string) ([]string, error) {
	svgPath := filepath.Join(dir, f.name+".svg")
	if err := rundir.WriteFileAtomic(svgPath, f.svg()); err != nil {
		return nil, err
	}
	b, err := f.png()
	if err != nil {
		return nil, err
	}
	pngPath := filepath.Join(dir, f.name+".png")
	if err := rundir.WriteFileAtomic(pngPath, b); err != nil {
		return nil, err
	}
	return []string{svgPath, pngPath}, nil
}

// Draw draws every figure the run directory root allows and writes its
// report.md: the training curves and the transfer curves of all its
// methods (and seeds) in root, each run's rule tables and confusion matrix
// in the run's own folder. It returns the paths written.
func Draw(root string) ([]string, error) {
	runs, err := FindRuns(root)
	if err != nil {
		return nil, err
	}
	gs := groupRuns(runs)
	var written []string
	save := func(f *figure, dir string) error {
		if f == nil {
			return nil
		}
		paths, err := f.save(dir)
		written = append(written, paths...)
		return err
	}
	for _, m := range curveMeasures {
		if err := save(trainingCurve(withMetrics(gs), m), root); err != nil {
			return written, err
		}
	}
	if err := save(transferCurve(gs), root); err != nil {
		return written, err
	}
	for _, r := range runs {
		for _, f := range ruleFigures(r) {
			if err := save(f, r.Dir); err != nil {
				return written, err
			}
		}
	}
	rep, err := report(root, runs, written)
	if err != nil {
		return written, err
	}
	path := filepath.Join(root, rundir.Report)
	if err := rundir.WriteFileAtomic(path, rep); err != nil {
		return written, err
	}
	return append(written, path), nil
}

// withMetrics keeps the runs that have a metrics.csv.
func withMetrics(gs []group) []group {
	var out []group
	for _, g := range gs {
		h := group{method: g.method, color: g.color}
		for _, r := range g.runs {
			if r.Metrics != nil {
				h.runs = append(h.runs, r)
			}
		}
		if len(h.runs) > 0 {
			out = append(out, h)
		}
	}
	return out
}
