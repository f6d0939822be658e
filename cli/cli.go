// Package cli is the command line of plasticity: the command table, one file
// per command, and the flag groups (flags.go, options.go) that turn into
// typed options of package experiment. It is the only package that speaks
// of flags.
package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"plasticity/bench"
	"plasticity/model"
)

// inputError marks a problem with what the user gave (flags, files, sizes):
// exit status 2.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

func badInput(format string, args ...any) error {
	return inputError{fmt.Errorf(format, args...)}
}

// command is one entry of the command table.
type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) error
}

// commands are plasticity's commands, in the order usage lists them.
var commands = []command{
	{"run", "the seed's study on the synthetic set: learn rules, transfer them to a fresh draw", cmdRun},
	{"train", "learn rules: -method es|gd -data D -out DIR", cmdTrain},
	{"transfer", "apply saved rules to new data: -rules FILE -data D -passes 50", cmdTransfer},
	{"eval", "lifetimes + evaluation of saved rules on a data set: -rules FILE -data D", cmdEval},
	{"baseline", "backprop baselines and linear probes on the same split: -data D -model logistic|mlp|probe", cmdBaseline},
	{"worker", "evaluate ES candidates for a train -nats run: -nats URL [-workers N]", cmdWorker},
	{"bench", "kernel and end-to-end throughput beside the measured memory bandwidth: -json -seconds S", cmdBench},
	{"plot", "draw the figures and report.md of a run directory: plot DIR", cmdPlot},
}

// Main runs one command line (the arguments after the program's name) and
// returns the exit status: 0 success, 2 bad input, 1 any other failure.
// Without a command it runs "run".
func Main(args []string, stdout, stderr io.Writer) int {
	cmd := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	if cmd == "help" {
		fmt.Fprint(stdout, usage())
		return 0
	}
	err := badInput("unknown command %q (want run, train, transfer, eval, baseline, worker, bench, plot or help)", cmd)
	for _, c := range commands {
		if c.name == cmd {
			err = c.run(args, stdout, stderr)
		}
	}
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(stderr, "plasticity %s: %s\n", cmd, strings.ReplaceAll(err.Error(), "\n", "; "))
	var ie inputError
	var nf model.NonFiniteError
	if errors.As(err, &ie) || errors.As(err, &nf) {
		return 2
	}
	return 1
}

func usage() string {
	var b strings.Builder
	b.WriteString("plasticity learns synaptic plasticity rules for a capped recurrent network.\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun \"plasticity COMMAND -h\" for the flags of a command.\n")
	return b.String()
}

func printJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	// Every result says how much memory the process took at its peak.
	if len(b) > 2 && b[0] == '{' && b[len(b)-1] == '}' && !bytes.Contains(b, []byte(`"peak_rss_bytes"`)) {
		b = fmt.Appendf(b[:len(b)-1], `,"peak_rss_bytes":%d}`, bench.PeakRSSBytes())
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return err
	}
	b = out.Bytes()
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
