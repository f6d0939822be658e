package data

import (
	"fmt"
	"io"
	"strings"

	"plasticity/mnist"
	"plasticity/model"
)

// Spec says which data set to load and how.
type Spec struct {
	// Name is "synthetic", "mnist", "csv:PATH", "csv:TRAIN,TEST", or one of
	// BrainNet's generators "halfspace", "relu" and "brainnet".
	Name     string
	DataSeed uint64
	// MNISTDir is the folder of the MNIST files; empty: $PLASTICITY_MNIST,
	// else the Go module (mnist.Locate).
	MNISTDir string
	// Standardize applies to synthetic, generated and CSV features; MNIST
	// pixels are only divided by 255.
	Standardize bool
	// Generator sizes the generated data sets (halfspace, relu, brainnet);
	// zero fields take their defaults, and other data sets ignore it.
	Generator GeneratorOptions
	// Log receives notes about the data (nil: none), such as a folder of
	// MNIST files that are not the originals.
	Log io.Writer
}

// Load reads or generates the data set a Spec names.
func Load(s Spec) (Dataset, error) {
	switch {
	case s.Name == "synthetic":
		o := SeedSynthetic()
		o.NoStandardize = !s.Standardize
		return NewSynthetic(o, s.DataSeed)
	case IsGenerator(s.Name):
		return NewGenerated(s.Name, s.Generator, s.DataSeed, s.Standardize)
	case s.Name == "mnist":
		return LoadMNIST(s.MNISTDir, s.Log)
	case strings.HasPrefix(s.Name, "csv:"):
		return LoadCSV(strings.TrimPrefix(s.Name, "csv:"), s.Standardize)
	}
	return Dataset{}, fmt.Errorf("unknown data set %q (want synthetic, mnist, csv:PATH, csv:TRAIN,TEST, halfspace, relu or brainnet)", s.Name)
}

// LoadMNIST reads the MNIST files (see mnist.Load for where they are looked
// for) with every pixel divided by 255 and no standardisation.
func LoadMNIST(dir string, log io.Writer) (Dataset, error) {
	d, loc, err := mnist.Load(dir, log)
	if err != nil {
		return Dataset{}, err
	}
	name := "mnist"
	if loc.Origin != mnist.FromModule {
		name = fmt.Sprintf("mnist(%s)", loc.Dir)
	}
	return Dataset{Name: name, Classes: mnist.Classes, Train: pixels(d.Train), Test: pixels(d.Test)}, nil
}

func pixels(s mnist.Set) model.Samples {
	x := make([]float32, len(s.Pixels))
	for i, p := range s.Pixels {
		x[i] = float32(p) / 255
	}
	y := make([]int32, s.Len())
	for i, l := range s.Labels {
		y[i] = int32(l)
	}
	return model.Samples{X: x, Y: y, Dim: s.Rows * s.Cols}
}
