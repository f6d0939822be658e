package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/klauspost/cpuid/v2"

	"plasticity/experiment"
	"plasticity/figures"
	"plasticity/linalg"
	"plasticity/rundir"
)

// runSeeds repeats plasticity run for n seeds from -seed on, each in the
// folder seed<k> of -out with its own figures and report, and reports the
// mean and standard deviation of every method's measures over the seeds;
// with -out, the figures and report.md of all seeds go to -out itself.
func (r *runFlags) runSeeds(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	n, o := r.seeds, &r.output
	if n < 1 {
		return badInput("-seeds must be at least 1, got %d", n)
	}
	// Each seed is a plasticity run with the flags as given, but its own
	// -seed and -out, and -json so that its results can be read back.
	var base []string
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "seeds", "seed", "out", "json", "cpuprofile", "memprofile", "nats", "nats-creds", "local-workers", "resume":
		default:
			base = append(base, "-"+fl.Name+"="+fl.Value.String())
		}
	})
	if err := o.prepareOut(); err != nil {
		return err
	}
	release, err := r.openStudy(base, args)
	if err != nil {
		return err
	}
	defer release()
	stop, err := o.profile()
	if err != nil {
		return err
	}
	done := r.completeSeeds()
	var remote [][]byte
	if r.nats.url != "" && slices.ContainsFunc(done, func(b []byte) bool { return b == nil }) {
		if remote, err = r.remoteSeeds(fs, base, done, stderr); err != nil {
			return err
		}
	}
	prog := experiment.NewProgress(stderr, "run -seeds", n, "seed")
	var outs []figures.Outcome
	var runs []json.RawMessage
	var seedList []uint64
	for k := range n {
		seed := o.seed + uint64(k)
		var buf bytes.Buffer
		if k != stopAfter {
			if err := r.seed(k, base, done, remote, &buf, stderr); err != nil {
				return err
			}
		}
		if buf.Len() == 0 {
			// A signal stopped this seed; it said where its checkpoint is.
			fmt.Fprintf(stderr, "stopped at seed %d; %d seeds finished\n", seed, k)
			if o.out != "" {
				fmt.Fprintf(stderr, "continue the study with: plasticity run -resume %s\n", o.out)
			}
			return nil
		}
		res, err := runOutcomes(buf.Bytes(), seed)
		if err != nil {
			return err
		}
		if done[k] == nil && remote == nil {
			if err := r.keepSeed(seed, buf.Bytes()); err != nil {
				return err
			}
		}
		outs = append(outs, res...)
		runs = append(runs, bytes.TrimSpace(buf.Bytes()))
		seedList = append(seedList, seed)
		prog.Update(k+1, fmt.Sprintf("seed %d done", seed))
		prog.Done()
	}
	if err := stop(); err != nil {
		return err
	}
	if err := drawRun(o.out, args, seedList, stderr); err != nil {
		return err
	}
	sum := figures.Summarize(outs)
	if o.json {
		return printJSON(stdout, map[string]any{"command": "run", "data": r.data.name, "data_seed": r.data.seed,
			"seeds": seedList, "summary": sum, "runs": runs})
	}
	fmt.Fprintf(stdout, "plasticity run -seeds %d: %s (data-seed %d), seeds %d-%d; transfer to data-seed %d, %d passes\n\n",
		n, r.data.name, r.data.seed, seedList[0], seedList[len(seedList)-1], r.data.seed+1, r.transfer.passes)
	fmt.Fprintln(stdout, "mean ± standard deviation over the seeds (n-1):")
	if err := figures.WriteTable(stdout, sum); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%s\n", figures.TableNote)
	return nil
}

// stopAfter, when not -1, ends a study as a signal would before its seed
// of that index (tests).
var stopAfter = -1

// seed writes what seed k of the study printed, its run -json object, to
// buf (nothing when a signal stopped it): read back when done has it,
// computed by the workers when remote has it, else run here.
func (r *runFlags) seed(k int, base []string, done, remote [][]byte, buf *bytes.Buffer, stderr io.Writer) error {
	seed := r.output.seed + uint64(k)
	child := seedArgs(seedStudy(base, seed, r.output.out))
	if done[k] != nil {
		fmt.Fprintf(stderr, "seed %d (%d of %d): complete in %s, read back\n", seed, k+1, r.seeds, seedDir(r.output.out, seed))
		buf.Write(done[k])
		return nil
	}
	fmt.Fprintf(stderr, "seed %d (%d of %d): plasticity run %s\n", seed, k+1, r.seeds, strings.Join(child, " "))
	if remote != nil {
		buf.Write(remote[k])
		return nil
	}
	return runStudy(child, r.resumed != nil, buf, stderr)
}

// runOutcomes reads back the methods of one plasticity run -json object: its
// members that are train objects (they have a "method"), in their order.
func runOutcomes(b []byte, seed uint64) ([]figures.Outcome, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("run -json of seed %d: not a JSON object", seed)
	}
	var outs []figures.Outcome
	for dec.More() {
		if _, err := dec.Token(); err != nil {
			return nil, fmt.Errorf("run -json of seed %d: %w", seed, err)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("run -json of seed %d: %w", seed, err)
		}
		var t trainJSON
		if json.Unmarshal(raw, &t) != nil || t.Method == "" {
			continue
		}
		o := figures.Outcome{Method: t.Method, Seed: seed, Steps: t.Generations + t.Steps, BatchAccuracy: t.BatchAccuracy,
			TestAccuracy: t.TestAccuracy, Loss: t.Loss, TestMajority: t.TestMajority, TransferAccuracy: math.NaN(), Seconds: t.Seconds}
		if t.Transfer != nil {
			o.TransferAccuracy = t.Transfer.FinalTestAccuracy
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// drawRun records the command in dir/run.json and draws dir's figures and
// report.md; it does nothing when dir is "" (no -out).
func drawRun(dir string, args []string, seeds []uint64, stderr io.Writer) error {
	if dir == "" {
		return nil
	}
	machine := fmt.Sprintf("%s (%d logical CPUs), %s/%s, %s, kernels %s", cpuid.CPU.BrandName, runtime.NumCPU(),
		runtime.GOOS, runtime.GOARCH, runtime.Version(), linalg.Kernel())
	info := figures.Info{Args: append([]string{"run"}, redactArgs(args)...), Seeds: seeds, Machine: machine}
	if err := rundir.WriteJSON(filepath.Join(dir, rundir.Info), info); err != nil {
		return err
	}
	if _, err := figures.Draw(dir); err != nil {
		return fmt.Errorf("drawing the figures of %s: %w", dir, err)
	}
	fmt.Fprintf(stderr, "figures and report: %s\n", filepath.Join(dir, rundir.Report))
	return nil
}
