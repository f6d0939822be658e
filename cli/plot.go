package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"plasticity/figures"
)

// cmdPlot draws the figures of a run directory and writes its report.md.
// The directory may come before or after the flags.
func cmdPlot(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plasticity plot", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print the files written as one JSON object on stdout")
	var dir string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		dir, args = args[0], args[1:]
	}
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stderr)
		fmt.Fprintln(stderr, "Usage: plasticity plot [-json] DIR\n\ndraws the figures (SVG and PNG) and report.md of the run directory DIR")
		fs.PrintDefaults()
		return err
	}
	if err != nil {
		return badInput("%v (see -h)", err)
	}
	if dir == "" && fs.NArg() > 0 {
		dir = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return badInput("unexpected argument %q (plot takes one run directory)", fs.Arg(0))
	}
	if dir == "" || fs.NArg() > 1 {
		return badInput("plot takes one run directory: plasticity plot DIR")
	}
	files, err := figures.Draw(dir)
	if err != nil {
		return inputError{err}
	}
	if *asJSON {
		return printJSON(stdout, map[string]any{"command": "plot", "dir": dir, "files": files})
	}
	for _, p := range files {
		fmt.Fprintln(stdout, p)
	}
	return nil
}
