package cli

import (
	"io"
	"strings"
	"time"

	"plasticity/bench"
	"plasticity/linalg"
)

// cmdBench measures the kernels in use, the memory bandwidth beside them, the
// lifetime at both scales and one ES generation at MNIST scale.
func cmdBench(args []string, stdout, stderr io.Writer) error {
	var f outputFlags
	fs := newFlagSet("bench")
	f.register(fs)
	seconds := fs.Float64("seconds", 0.25, "time spent on each measurement")
	kernel := fs.String("kernel", "", "kernel set to measure, one of "+strings.Join(linalg.Kernels(), ", ")+" (default the first)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if !(*seconds > 0 && *seconds <= 60) {
		return badInput("-seconds must be in (0, 60], got %v", *seconds)
	}
	if *kernel != "" {
		restore, err := linalg.SetKernel(*kernel)
		if err != nil {
			return inputError{err}
		}
		defer restore()
	}
	stop, err := f.profile()
	if err != nil {
		return err
	}
	rep, err := bench.Run(bench.Options{Budget: time.Duration(*seconds * float64(time.Second)),
		Workers: f.workers, Seed: f.seed, Log: stderr})
	if err != nil {
		return err
	}
	if err := stop(); err != nil {
		return err
	}
	if f.json {
		return printJSON(stdout, rep)
	}
	return rep.WriteText(stdout)
}
