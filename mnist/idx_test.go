package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// idxBytes assembles an IDX file from its parts.
func idxBytes(typ ElemType, dims []uint32, data []byte) []byte {
	b := []byte{0, 0, byte(typ), byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decodeBytes(b []byte) (File, error) { return Decode(bytes.NewReader(b), int64(len(b))) }

func TestDecodeRawAndGzip(t *testing.T) {
	data := []byte{1, 2, 3, 4, 5, 6}
	raw := idxBytes(UByte, []uint32{2, 3}, data)
	for name, b := range map[string][]byte{"raw": raw, "gzip": gzipBytes(t, raw)} {
		f, err := decodeBytes(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f.Header.Type != UByte || len(f.Header.Dims) != 2 || f.Header.Dims[0] != 2 || f.Header.Dims[1] != 3 || !bytes.Equal(f.Data, data) {
			t.Errorf("%s: got %+v", name, f)
		}
		if f.Header.Gzip != (name == "gzip") {
			t.Errorf("%s: Gzip = %v", name, f.Header.Gzip)
		}
	}
	// Other element types have their own sizes: 2 float64 are 16 bytes.
	f, err := decodeBytes(idxBytes(Double, []uint32{2}, make([]byte, 16)))
	if err != nil || f.Header.DataLen() != 16 || len(f.Data) != 16 {
		t.Errorf("float64 IDX: %v, %d bytes", err, len(f.Data))
	}
	// Concatenated gzip members are one valid gzip stream.
	two := append(gzipBytes(t, raw[:7]), gzipBytes(t, raw[7:])...)
	if f, err := decodeBytes(two); err != nil || !bytes.Equal(f.Data, data) {
		t.Errorf("two gzip members: %v, %v", err, f.Data)
	}
}

// hostileIDX lists malformed IDX files and a part of the error each must give.
func hostileIDX(t testing.TB) []struct {
	name, want string
	b          []byte
} {
	valid := idxBytes(UByte, []uint32{3, 2, 2}, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	gz := gzipBytes(t, valid)
	flipped := func(b []byte, i int) []byte {
		c := append([]byte(nil), b...)
		c[i] ^= 0xff
		return c
	}
	return []struct {
		name, want string
		b          []byte
	}{
		{"one byte", "too short", []byte{0}},
		{"text", "neither gzip nor IDX: magic number 0x68656C6C", []byte("hello, world\n")},
		{"png", "neither gzip nor IDX", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")},
		{"undefined type", "element type 0x07 (undefined)", idxBytes(7, []uint32{1}, []byte{0})},
		{"no dimensions", "0 dimensions", idxBytes(UByte, nil, []byte{0})},
		{"200 dimensions", "200 dimensions, want 1..16", []byte{0, 0, 8, 200, 0, 0, 0, 1}},
		{"truncated magic", "truncated header", []byte{0, 0, 8}},
		{"truncated dims", "truncated header: 3 dimensions need 16 bytes", valid[:10]},
		{"zero dimension", "dimension 1 is 0", idxBytes(UByte, []uint32{5, 0, 28}, nil)},
		{"4 billion images", "announce more than the 2147483648 data bytes",
			idxBytes(UByte, []uint32{0xFFFFFFFF, 28, 28}, make([]byte, 784))},
		{"huge product overflow", "announce more than",
			idxBytes(Double, []uint32{0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, nil)},
		{"million images in a small file", "truncated: the header announces 784000000 data bytes, the file holds 784",
			idxBytes(UByte, []uint32{1000000, 28, 28}, make([]byte, 784))},
		{"truncated data", "truncated: the header announces 12 data bytes, the file holds 11", valid[:len(valid)-1]},
		{"trailing bytes", "longer than its header says: 3 bytes follow the 12 data bytes", append(append([]byte(nil), valid...), 1, 2, 3)},
		{"gzip magic only", "corrupt gzip stream", []byte{0x1f, 0x8b}},
		{"gzip bad header", "corrupt gzip stream: gzip: invalid header", []byte{0x1f, 0x8b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"gzip truncated", "corrupt gzip stream", gz[:len(gz)/2]},
		{"gzip no trailer", "corrupt gzip stream: the file ends too soon", gz[:len(gz)-8]},
		{"gzip bad checksum", "corrupt gzip stream: gzip: invalid checksum", flipped(gz, len(gz)-8)},
		{"gzip bad length", "corrupt gzip stream", flipped(gz, len(gz)-1)},
		{"gzip trailing garbage", "corrupt gzip stream: bytes after the end of the gzip data are not another gzip member",
			append(append([]byte(nil), gz...), "junk junk junk"...)},
		{"gzip trailing byte", "corrupt gzip stream: bytes after the end", append(append([]byte(nil), gz...), 0)},
		{"gzip trailing bad member", "corrupt gzip stream: gzip: invalid header", append(append([]byte(nil), gz...), 0x1f, 0x8b, 0, 0, 0, 0, 0, 0, 0, 0)},
		{"gzip of text", "gzip, but not IDX inside: magic number 0x68656C6C", gzipBytes(t, []byte("hello, world"))},
		{"gzip truncated IDX header", "truncated header: the file ends inside the dimensions", gzipBytes(t, valid[:9])},
		{"gzip short data", "truncated: the header announces 12 data bytes, the gzip stream holds 11", gzipBytes(t, valid[:len(valid)-1])},
		{"gzip long data", "longer than its header says", gzipBytes(t, append(append([]byte(nil), valid...), 0))},
		{"gzip claims more than deflate can hold", "more than a gzip file of",
			gzipBytes(t, idxBytes(UByte, []uint32{1000000, 28, 28}, make([]byte, 784)))},
	}
}

func TestDecodeHostile(t *testing.T) {
	for _, c := range hostileIDX(t) {
		_, err := decodeBytes(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error of several lines: %q", c.name, err)
		}
	}
}

// TestHostileHeaderAllocatesNothing checks that a header announcing far
// more data than the file holds is refused before the data is allocated.
func TestHostileHeaderAllocatesNothing(t *testing.T) {
	raw := idxBytes(UByte, []uint32{1000000, 28, 28}, make([]byte, 784))
	for name, b := range map[string][]byte{"raw": raw, "gzip": gzipBytes(t, raw),
		"gzip within deflate's ratio": gzipBytes(t, idxBytes(UByte, []uint32{100000, 28, 28}, make([]byte, 1<<20)))} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := decodeBytes(b)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
			t.Errorf("%s: refusing it allocated %d bytes, want < 1 MiB (%v)", name, got, err)
		}
	}
}

func TestReadFileErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("not idx"), 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		empty:                          "mnist: " + empty + ": empty file",
		bad:                            "mnist: " + bad + ": neither gzip nor IDX",
		dir:                            "mnist: " + dir + ": not a regular file",
		"/dev/zero":                    "mnist: /dev/zero: not a regular file",
		filepath.Join(dir, "missing"):  "no such file",
		filepath.Join(empty, "inside"): "not a directory",
	} {
		_, err := ReadFile(path)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("ReadFile(%s): %v, want %q naming the file", path, err, want)
		}
	}
}
