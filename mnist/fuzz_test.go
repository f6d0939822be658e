package mnist

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadIDX feeds arbitrary bytes to Decode: it must never panic, every
// error must be one line, and a file it accepts must hold exactly the data
// its header announces.
func FuzzReadIDX(f *testing.F) {
	// Seeds from the testdata subset, the image files cut to their first two
	// images: small inputs keep the mutator and the minimiser fast.
	for _, dir := range []string{rawDir, gzDir} {
		files, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range files {
			idx, err := ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			dims := make([]uint32, len(idx.Header.Dims))
			for i, d := range idx.Header.Dims {
				dims[i] = uint32(d)
			}
			dims[0] = min(dims[0], 2)
			b := idxBytes(idx.Header.Type, dims, idx.Data[:int64(dims[0])*idx.Header.DataLen()/int64(idx.Header.Dims[0])])
			if idx.Header.Gzip {
				b = gzipBytes(f, b)
			}
			f.Add(b)
		}
	}
	for _, c := range hostileIDX(f) {
		f.Add(c.b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, herr := DecodeHeader(bytes.NewReader(b), int64(len(b)))
		file, err := Decode(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of several lines: %q", err)
			}
			return
		}
		if herr != nil {
			t.Fatalf("Decode accepts a file whose header DecodeHeader refuses: %v", herr)
		}
		if file.Header.DataLen() != h.DataLen() || int64(len(file.Data)) != file.Header.DataLen() || file.Header.DataLen() > MaxDataBytes {
			t.Fatalf("header announces %d bytes, Data holds %d", file.Header.DataLen(), len(file.Data))
		}
		if !file.Header.Gzip && !bytes.Equal(b[file.Header.Len():], file.Data) {
			t.Fatal("raw data differs from the file's tail")
		}
	})
}
