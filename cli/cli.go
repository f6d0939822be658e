// Package cli is the command line of plasticity: it learns synaptic plasticity rules for a capped recurrent
// network by evolution strategies or gradient descent, and transfers them to
// new data.
//
//	plasticity              the main job (same as plasticity run)
//	plasticity run          learn rules on the synthetic set, transfer them to a fresh draw
//	plasticity train        learn rules: -method es|gd -data D -out DIR
//	plasticity transfer     apply saved rules to new data: -rules FILE -data D
//	plasticity eval         lifetimes + evaluation of saved rules on a data set
//	plasticity bench        kernel and end-to-end throughput beside the memory bandwidth
//
// Run "plasticity COMMAND -h" for the flags of a command.
package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// inputError marks a problem with what the user gave (flags, files, sizes):
// exit status 2.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

func badInput(format string, args ...any) error {
	return inputError{fmt.Errorf(format, args...)}
}

// Main runs one command line and returns the exit status: 0 success, 2 bad
// input, 1 any other failure.
func Main(args []string, stdout, stderr io.Writer) int {
	cmd := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "run":
		err = cmdRun(args, stdout, stderr)
	case "train":
		err = cmdTrain(args, stdout, stderr)
	case "transfer":
		err = cmdTransfer(args, stdout, stderr)
	case "eval":
		err = cmdEval(args, stdout, stderr)
	case "bench":
		err = cmdBench(args, stdout, stderr)
	case "plot":
		err = cmdPlot(args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = badInput("unknown command %q (want run, train, transfer, eval, bench, plot or help)", cmd)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintf(stderr, "plasticity %s: %v\n", cmd, oneLine(err))
	var ie inputError
	if errors.As(err, &ie) {
		return 2
	}
	return 1
}

func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

const usage = `plasticity learns synaptic plasticity rules for a capped recurrent network.

Commands:
  run        the seed's study on the synthetic set: learn rules, transfer them to a fresh draw
  train      learn rules: -method es|gd -data D -out DIR
  transfer   apply saved rules to new data: -rules FILE -data D -passes 50
  eval       lifetimes + evaluation of saved rules on a data set: -rules FILE -data D
  bench      kernel and end-to-end throughput beside the measured memory bandwidth: -json -seconds S
  plot       draw the figures and report.md of a run directory: plot DIR

Run "plasticity COMMAND -h" for the flags of a command.
`

func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// stopOnSignal returns a channel that is closed at the first SIGINT or
// SIGTERM: training then finishes its generation or step, writes its
// checkpoint and returns. A second signal ends the process at once. release
// restores the default handling.
func stopOnSignal(stderr io.Writer) (<-chan struct{}, func()) {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		select {
		case s := <-sig:
			fmt.Fprintf(stderr, "\n%v: finishing the current generation or step, then writing the checkpoint (again to abort)\n", s)
			close(stop)
		case <-done:
			return
		}
		select {
		case <-sig:
			os.Exit(130)
		case <-done:
		}
	}()
	return stop, func() { signal.Stop(sig); close(done) }
}
