package data

import (
	"bytes"
	"strings"
	"testing"
)

func TestLoadMNISTPixels(t *testing.T) {
	var log bytes.Buffer
	ds, err := Load(Spec{Name: "mnist", MNISTDir: "../testdata/mnist-gz", Standardize: true, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Train.Len() != 300 || ds.Test.Len() != 100 || ds.Dim() != 784 || ds.Classes != 10 {
		t.Fatalf("%d train, %d test, %d features, %d classes", ds.Train.Len(), ds.Test.Len(), ds.Dim(), ds.Classes)
	}
	if ds.Name != "mnist(../testdata/mnist-gz)" {
		t.Errorf("name %q", ds.Name)
	}
	// Pixels are divided by 255 and never standardised: the first lit pixel
	// of image 0 is 3, and the brightest pixels are 255.
	x := ds.Train.Row(0)
	if x[5*28+11] != 0 || x[5*28+12] != float32(3)/255 {
		t.Errorf("pixels %v, %v", x[5*28+11], x[5*28+12])
	}
	var hi float32
	for _, v := range ds.Train.X {
		if v < 0 {
			t.Fatalf("negative pixel %v: standardised?", v)
		}
		hi = max(hi, v)
	}
	if hi != 1 {
		t.Errorf("brightest pixel %v, want 1", hi)
	}
	if ds.Train.Y[0] != 5 || ds.Test.Y[0] != 7 {
		t.Errorf("labels %d, %d", ds.Train.Y[0], ds.Test.Y[0])
	}
	if !strings.Contains(log.String(), "not the original MNIST") {
		t.Errorf("no note about the subset: %q", log.String())
	}
}
