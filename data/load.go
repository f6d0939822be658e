package data

import (
	"fmt"
	"strings"
)

// Spec says which data set to load and how.
type Spec struct {
	// Name is "synthetic", "mnist", "csv:PATH" or "csv:TRAIN,TEST".
	Name        string
	DataSeed    uint64
	MNISTDir    string
	Standardize bool
}

// Load reads or generates the data set a Spec names.
func Load(s Spec) (Dataset, error) {
	switch {
	case s.Name == "synthetic":
		o := SeedSynthetic()
		o.NoStandardize = !s.Standardize
		return NewSynthetic(o, s.DataSeed)
	case s.Name == "mnist":
		return Dataset{}, fmt.Errorf("-data mnist is not supported yet")
	case strings.HasPrefix(s.Name, "csv:"):
		return Dataset{}, fmt.Errorf("-data csv: is not supported yet")
	}
	return Dataset{}, fmt.Errorf("unknown -data %q (want synthetic, mnist, csv:PATH or csv:TRAIN,TEST)", s.Name)
}
