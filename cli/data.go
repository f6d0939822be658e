package cli

import (
	"flag"
	"io"

	"plasticity/data"
	"plasticity/experiment"
)

// dataFlags name the data set.
type dataFlags struct {
	name        string
	seed        uint64
	mnist       string
	standardize bool
	// gen sizes BrainNet's generated sets (halfspace, relu, brainnet).
	gen data.GeneratorOptions
}

// generatorFlags are the flags that size a generated data set.
var generatorFlags = []string{"features", "samples", "teacher-width", "classes", "label-noise"}

func (d *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.name, "data", "synthetic", "data set: synthetic, mnist, csv:PATH, csv:TRAIN,TEST, or a generated halfspace, relu or brainnet")
	fs.Uint64Var(&d.seed, "data-seed", 0, "which synthetic or generated draw")
	fs.StringVar(&d.mnist, "mnist", "", "folder holding the four MNIST IDX files")
	fs.BoolVar(&d.standardize, "standardize", true, "standardise features by training mean and deviation (synthetic, generated, csv)")
	def := data.DefaultGeneratorOptions()
	fs.IntVar(&d.gen.Features, "features", def.Features, "generated data: features, uniform on [-1, 1]")
	fs.IntVar(&d.gen.Samples, "samples", def.Samples, "generated data: samples in all, the last 20% the test split")
	fs.IntVar(&d.gen.TeacherWidth, "teacher-width", def.TeacherWidth, "generated data (relu): the teacher's hidden width")
	fs.IntVar(&d.gen.Classes, "classes", def.Classes, "generated data (brainnet): classes")
	fs.Float64Var(&d.gen.LabelNoise, "label-noise", 0, "generated data: share of labels flipped to another class")
}

// spec returns the data set: the flags' defaults, the preset, the flags
// given.
func (d *dataFlags) spec(p experiment.Preset, given given) experiment.DataSpec {
	s := experiment.DataSpec{Name: d.name, DataSeed: d.seed, MNISTDir: d.mnist, Standardize: d.standardize}
	p.ApplyData(&s)
	if given("data") {
		s.Name = d.name
	}
	if given("data-seed") {
		s.DataSeed = d.seed
	}
	if given("mnist") {
		s.MNISTDir = d.mnist
	}
	if given("standardize") {
		s.Standardize = d.standardize
	}
	if data.IsGenerator(s.Name) {
		s.Generator = d.gen
	}
	return s
}

// checkGenerator refuses generator flags on another data set, and
// generator sizes out of range.
func (d *dataFlags) checkGenerator(s experiment.DataSpec, given given) error {
	if !data.IsGenerator(s.Name) {
		for _, f := range generatorFlags {
			if given(f) {
				return badInput("-%s is for the generated data sets (halfspace, relu, brainnet), not %s", f, s.Name)
			}
		}
		return nil
	}
	if err := s.Generator.Validate(s.Name); err != nil {
		return inputError{err}
	}
	return nil
}

// loadData loads the data set s names, with its draw seed; notes go to log.
func loadData(s experiment.DataSpec, seed uint64, log io.Writer) (data.Dataset, error) {
	ds, err := data.Load(s.Spec(seed, log))
	if err != nil {
		return ds, inputError{err}
	}
	return ds, nil
}
