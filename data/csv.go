package data

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"plasticity/model"
)

// MaxCSVClasses bounds the class labels of a CSV table to 0..MaxCSVClasses-1:
// the network gets one output per class, so a stray label of a million must
// be an error, not a million outputs.
const MaxCSVClasses = 1000

// ReadCSV reads a table of numbers from r: features in every column but the
// last, the integer class label in the last. The first row is a header when
// any of its fields is not a number. Blank lines are skipped and fields may be
// quoted or padded with spaces. name prefixes every error, with the line:
// "name:LINE: ...".
func ReadCSV(r io.Reader, name string) (model.Samples, error) {
	br := bufio.NewReader(&textGuard{r: r})
	// A UTF-8 byte order mark, as spreadsheets write, is not part of the
	// first field.
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\uFEFF")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // checked here, for a message naming both lines
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	var s model.Samples
	cols, colsLine := 0, 0
	for rec := 0; ; rec++ {
		fields, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return s, fmt.Errorf("%s:%d: column %d: %v", name, pe.Line, pe.Column, pe.Err)
			}
			var te *textError
			if errors.As(err, &te) {
				return s, fmt.Errorf("%s:%d: %s", name, te.line, te.msg)
			}
			return s, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if rec == 0 {
			cols, colsLine = len(fields), line
			if cols < 2 {
				return s, fmt.Errorf("%s:%d: %d column; want at least one feature and the label", name, line, cols)
			}
			s.Dim = cols - 1
			if isHeader(fields) {
				continue
			}
		}
		if len(fields) != cols {
			return s, fmt.Errorf("%s:%d: %d fields, want %d as on line %d", name, line, len(fields), cols, colsLine)
		}
		for j, f := range fields[:cols-1] {
			v, err := parseFeature(f)
			if err != nil {
				return s, fmt.Errorf("%s:%d: column %d: %v", name, line, j+1, err)
			}
			s.X = append(s.X, v)
		}
		y, err := parseLabel(fields[cols-1])
		if err != nil {
			return s, fmt.Errorf("%s:%d: column %d (the label): %v", name, line, cols, err)
		}
		s.Y = append(s.Y, y)
	}
	switch {
	case cols == 0:
		return s, fmt.Errorf("%s: empty file", name)
	case s.Len() == 0:
		return s, fmt.Errorf("%s: no data rows after the header", name)
	}
	return s, nil
}

// maxCSVLine bounds the length of a line: 1 MiB holds 100,000 features of
// ten characters, and the bound keeps a file without newlines from being held
// in memory several times over while the CSV reader looks for its end.
const maxCSVLine = 1 << 20

// textGuard passes a text file through, refusing NUL bytes (a compressed or
// binary file given by mistake) and lines longer than maxCSVLine before the
// CSV reader buffers them.
type textGuard struct {
	r    io.Reader
	line int // newlines passed
	run  int // bytes since the last newline
	// err is sticky: a buffered reader that reports an error once must
	// not be able to read past it on its next call.
	err error
}

// textError is what textGuard refuses, on 1-based line line.
type textError struct {
	line int
	msg  string
}

func (e *textError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func (g *textGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for b := p[:n]; len(b) > 0; {
		seg := b
		i := bytes.IndexByte(b, '\n')
		if i >= 0 {
			seg = b[:i]
		}
		if bytes.IndexByte(seg, 0) >= 0 {
			g.err = &textError{g.line + 1, "NUL bytes: not a text table (a compressed or binary file?)"}
			return 0, g.err
		}
		if g.run += len(seg); g.run > maxCSVLine {
			g.err = &textError{g.line + 1, fmt.Sprintf("a line longer than %d bytes", maxCSVLine)}
			return 0, g.err
		}
		if i < 0 {
			break
		}
		g.line++
		g.run = 0
		b = b[i+1:]
	}
	return n, err
}

// isHeader reports whether a first row is a header: some field is not a
// number.
func isHeader(fields []string) bool {
	for _, f := range fields {
		if _, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err != nil {
			return true
		}
	}
	return false
}

func parseFeature(f string) (float32, error) {
	t := strings.TrimSpace(f)
	v, err := strconv.ParseFloat(t, 64)
	switch {
	case t == "":
		return 0, errors.New("empty field")
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("%.40q is out of range", t)
	case err != nil:
		return 0, fmt.Errorf("%.40q is not a number", t)
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, fmt.Errorf("%.40q is not a finite number", t)
	case math.Abs(v) > math.MaxFloat32:
		return 0, fmt.Errorf("%.40q does not fit a float32", t)
	}
	return float32(v), nil
}

func parseLabel(f string) (int32, error) {
	t := strings.TrimSpace(f)
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v != math.Trunc(v) || v < 0 || v >= MaxCSVClasses {
		return 0, fmt.Errorf("%.40q is not a class (an integer 0..%d)", t, MaxCSVClasses-1)
	}
	return int32(v), nil
}

// ReadCSVFile reads the CSV table at path (see ReadCSV).
func ReadCSVFile(path string) (model.Samples, error) {
	// Stat before Open: opening a named pipe would wait for a writer.
	if st, err := os.Stat(path); err != nil {
		return model.Samples{}, fmt.Errorf("csv: %w", err)
	} else if !st.Mode().IsRegular() {
		return model.Samples{}, fmt.Errorf("csv: %s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return model.Samples{}, fmt.Errorf("csv: %w", err)
	}
	defer f.Close()
	s, err := ReadCSV(f, path)
	if err != nil {
		return s, fmt.Errorf("csv: %w", err)
	}
	return s, nil
}

// LoadCSV reads the data set named csv:ARG. ARG is one file, whose last
// 20% of rows (rounded down) are the test split, or TRAIN,TEST, two files with
// the same columns. A path holding a comma counts as one file when it exists.
// The classes are 0..the largest label of either split; features are
// standardised by the training split unless standardize is false.
func LoadCSV(arg string, standardize bool) (Dataset, error) {
	ds := Dataset{Name: "csv:" + arg}
	trainPath, testPath, two := strings.Cut(arg, ",")
	if _, err := os.Stat(arg); err == nil || arg == "" {
		trainPath, two = arg, false
	}
	if trainPath == "" || (two && testPath == "") {
		return ds, fmt.Errorf("data set %q: wants csv:PATH or csv:TRAIN,TEST", ds.Name)
	}
	all, err := ReadCSVFile(trainPath)
	if err != nil {
		return ds, err
	}
	if two {
		ds.Train = all
		if ds.Test, err = ReadCSVFile(testPath); err != nil {
			return ds, err
		}
		if ds.Test.Dim != ds.Train.Dim {
			return ds, fmt.Errorf("csv: %s has %d features, %s has %d", testPath, ds.Test.Dim, trainPath, ds.Train.Dim)
		}
	} else {
		n := all.Len()
		nTest := n / 5
		if nTest < 1 {
			return ds, fmt.Errorf("csv: %s: %d rows are too few for an 80/20 split (at least 5; or give csv:TRAIN,TEST)", trainPath, n)
		}
		cut := n - nTest
		// Full slice expressions: the splits share one array and must not
		// grow into each other.
		ds.Train = model.Samples{X: all.X[: cut*all.Dim : cut*all.Dim], Y: all.Y[:cut:cut], Dim: all.Dim}
		ds.Test = model.Samples{X: all.X[cut*all.Dim:], Y: all.Y[cut:], Dim: all.Dim}
	}
	for _, ys := range [][]int32{ds.Train.Y, ds.Test.Y} {
		for _, y := range ys {
			ds.Classes = max(ds.Classes, int(y)+1)
		}
	}
	if ds.Classes < 2 {
		return ds, fmt.Errorf("csv: %s: every label is 0; classification needs at least 2 classes", arg)
	}
	if standardize {
		Standardize(&ds)
	}
	return ds, nil
}
