package figures

import (
	"encoding/xml"
	"errors"
	"image/color"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// svgDoc is what the tests read back from an SVG file: every path with its
// style and vertices, every text with its position.
type svgDoc struct {
	paths []svgPath
	texts []svgText
}

type svgPath struct {
	d     string
	style map[string]string
	pts   []point // the M and L vertices
	arcs  int     // A commands: a glyph's circle has two
}

type point struct{ x, y float64 }

type svgText struct {
	x, y float64 // as written: y is negated by the text's scale(1, -1)
	s    string
}

// readSVG parses path as XML, failing the test if it is not well formed.
func readSVG(t *testing.T, path string) svgDoc {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var doc svgDoc
	dec := xml.NewDecoder(f)
	var text *svgText
	root := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: not well-formed XML: %v", path, err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = e.Name.Local
			}
			attr := map[string]string{}
			for _, a := range e.Attr {
				attr[a.Name.Local] = a.Value
			}
			switch e.Name.Local {
			case "path":
				doc.paths = append(doc.paths, parsePath(t, attr["d"], attr["style"]))
			case "text":
				text = &svgText{x: number(t, attr["x"]), y: number(t, attr["y"])}
			}
		case xml.CharData:
			if text != nil {
				text.s += string(e)
			}
		case xml.EndElement:
			if e.Name.Local == "text" && text != nil {
				text.s = strings.TrimSpace(text.s)
				doc.texts = append(doc.texts, *text)
				text = nil
			}
		}
	}
	if root != "svg" {
		t.Fatalf("%s: root element %q, want svg", path, root)
	}
	return doc
}

func number(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		t.Fatalf("bad number %q in SVG: %v", s, err)
	}
	return v
}

// parsePath reads the vertices of path data made of M, L, A and Z commands.
func parsePath(t *testing.T, d, style string) svgPath {
	t.Helper()
	p := svgPath{d: d, style: map[string]string{}}
	for _, kv := range strings.Split(style, ";") {
		if k, v, ok := strings.Cut(strings.TrimSpace(kv), ":"); ok {
			p.style[k] = v
		}
	}
	i := 0
	for i < len(d) {
		cmd := d[i]
		j := i + 1
		for j < len(d) && !strings.ContainsRune("MLAZ", rune(d[j])) {
			j++
		}
		args := strings.FieldsFunc(d[i+1:j], func(r rune) bool { return r == ',' || r == ' ' })
		switch cmd {
		case 'M', 'L':
			if len(args) != 2 {
				t.Fatalf("path %q: %c with %d numbers", d, cmd, len(args))
			}
			p.pts = append(p.pts, point{number(t, args[0]), number(t, args[1])})
		case 'A':
			p.arcs++
		case 'Z':
		default:
			t.Fatalf("path %q: unexpected command %c", d, cmd)
		}
		i = j
	}
	return p
}

// fill returns the path's fill colour, false when it has none.
func (p svgPath) fill() (color.NRGBA, bool) {
	return hexColor(p.style["fill"])
}

func (p svgPath) stroke() (color.NRGBA, bool) {
	return hexColor(p.style["stroke"])
}

func (p svgPath) opacity(key string) float64 {
	if v, ok := p.style[key]; ok {
		f, err := strconv.ParseFloat(v, 64)
		if err == nil {
			return f
		}
	}
	return 1
}

func hexColor(s string) (color.NRGBA, bool) {
	if len(s) != 7 || s[0] != '#' {
		return color.NRGBA{}, false
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return color.NRGBA{}, false
	}
	return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xFF}, true
}

// near compares colours ignoring alpha, within the rounding vgsvg makes when
// it un-premultiplies a translucent colour.
func near(a, b color.NRGBA) bool {
	d := func(x, y uint8) bool { return math.Abs(float64(x)-float64(y)) <= 2 }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}

// strokes returns the paths stroked in colour c whose stroke opacity lies in
// [lo, hi].
func (doc svgDoc) strokes(c color.NRGBA, lo, hi float64) []svgPath {
	var out []svgPath
	for _, p := range doc.paths {
		if s, ok := p.stroke(); ok && near(s, c) {
			if o := p.opacity("stroke-opacity"); o >= lo && o <= hi {
				out = append(out, p)
			}
		}
	}
	return out
}

// fills returns the filled paths of colour c.
func (doc svgDoc) fills(c color.NRGBA) []svgPath {
	var out []svgPath
	for _, p := range doc.paths {
		if f, ok := p.fill(); ok && near(f, c) {
			out = append(out, p)
		}
	}
	return out
}

// longest returns the vertex count of the longest path, and how many paths
// have more than two vertices (a legend's sample line has two).
func longest(ps []svgPath) (n, curves int) {
	for _, p := range ps {
		n = max(n, len(p.pts))
		if len(p.pts) > 2 {
			curves++
		}
	}
	return n, curves
}

// hasText reports whether some text of the document is s.
func (doc svgDoc) hasText(s string) bool {
	for _, x := range doc.texts {
		if x.s == s {
			return true
		}
	}
	return false
}

func (doc svgDoc) countText(s string) int {
	n := 0
	for _, x := range doc.texts {
		if x.s == s {
			n++
		}
	}
	return n
}

// cells returns the filled rectangles (four vertices) that are not white:
// a heat map's cells, or a bar chart's bars.
func (doc svgDoc) cells() []svgPath {
	var out []svgPath
	for _, p := range doc.paths {
		f, ok := p.fill()
		if ok && f != (color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}) && len(p.pts) == 4 && p.arcs == 0 {
			out = append(out, p)
		}
	}
	return out
}

// bounds returns the rectangle a path spans.
func (p svgPath) bounds() (x0, y0, x1, y1 float64) {
	x0, y0, x1, y1 = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, q := range p.pts {
		x0, y0 = math.Min(x0, q.x), math.Min(y0, q.y)
		x1, y1 = math.Max(x1, q.x), math.Max(y1, q.y)
	}
	return
}
