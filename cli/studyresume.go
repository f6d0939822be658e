package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"plasticity/data"
	"plasticity/experiment"
	"plasticity/rundir"
)

// studyFile is DIR/study.json of plasticity run -seeds N -out DIR, written
// before the first seed: what run -resume DIR replays and checks.
type studyFile struct {
	// Settings are the flags that decide the study's numbers, canonical
	// (-name=value, by name), -seed and -seeds last.
	Settings []string `json:"settings"`
	// JSON is whether the study prints its -json object.
	JSON bool `json:"json"`
	// Command is the command line as given (credentials redacted), which
	// run.json and report.md record.
	Command []string `json:"command"`
}

// seedDir is the folder of seed under a study's run directory out.
func seedDir(out string, seed uint64) string {
	return filepath.Join(out, fmt.Sprintf("seed%d", seed))
}

// resumeStudy continues the study of the run directory dir (run -resume
// DIR): the stored settings, then the flags set was given (those that
// change the numbers must be the stored ones), its complete seeds read
// back, the others computed.
func resumeStudy(dir string, set *flag.FlagSet, stdout, stderr io.Writer) error {
	path := filepath.Join(dir, rundir.Study)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return badInput("-resume %s: no multi-seed study there (no %s; run -seeds N -out DIR writes it)", dir, rundir.Study)
	} else if err != nil {
		return inputError{fmt.Errorf("-resume: %w", err)}
	}
	var st studyFile
	if err := json.Unmarshal(b, &st); err != nil || len(st.Settings) == 0 {
		return badInput("-resume %s: %s is not a study's record", dir, path)
	}
	var again []string
	var out string
	set.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "resume":
		case "out":
			out = f.Value.String()
		default:
			again = append(again, "-"+f.Name+"="+f.Value.String())
		}
	})
	if out != "" && filepath.Clean(out) != filepath.Clean(dir) {
		return badInput("-resume %s continues the study there; -out %s cannot move it", dir, out)
	}
	args := append(append(slices.Clone(st.Settings), fmt.Sprintf("-json=%t", st.JSON)), again...)
	var r runFlags
	replay := newFlagSet("run")
	r.register(replay)
	if err := parse(replay, append(args, "-out="+dir), stderr); err != nil {
		return err
	}
	r.resumed = &st
	return r.runSeeds(replay, st.Command, stdout, stderr)
}

// openStudy takes the lock of the study's run directory (none without
// -out) and, on -resume, checks that the study asked for is the stored one;
// else it records the study in study.json, its seeds not complete yet.
// base are the flags each seed runs with.
func (r *runFlags) openStudy(base, args []string) (release func(), err error) {
	o := &r.output
	if o.out == "" {
		return func() {}, nil
	}
	if release, err = hold(o.out); err != nil {
		return nil, err
	}
	settings := append(slices.Clone(base), fmt.Sprintf("-seed=%d", o.seed), fmt.Sprintf("-seeds=%d", r.seeds))
	if r.resumed != nil {
		if there, here := setMinus(r.resumed.Settings, settings), setMinus(settings, r.resumed.Settings); len(there)+len(here) > 0 {
			release()
			return nil, badInput("-resume %s: this command changes the study there (stored [%s], asked [%s]): start another study in another -out",
				o.out, strings.Join(there, " "), strings.Join(here, " "))
		}
		return release, nil
	}
	// A fresh study in a directory that held another: none of its seeds
	// may pass for complete.
	for k := range r.seeds {
		err := os.Remove(filepath.Join(seedDir(o.out, o.seed+uint64(k)), rundir.SeedResult))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			release()
			return nil, err
		}
	}
	st := studyFile{Settings: settings, JSON: o.json, Command: redactArgs(args)}
	if err := rundir.WriteJSON(filepath.Join(o.out, rundir.Study), st); err != nil {
		release()
		return nil, err
	}
	return release, nil
}

// setMinus is the members of a not in b, -workers aside: it does not
// change the numbers.
func setMinus(a, b []string) []string {
	var d []string
	for _, x := range a {
		if !slices.Contains(b, x) && !strings.HasPrefix(x, "-workers=") {
			d = append(d, x)
		}
	}
	return d
}

// keepSeed marks seed complete in the study's run directory (none without
// -out): its folder's result.json is what it printed, its run -json object.
func (r *runFlags) keepSeed(seed uint64, stdout []byte) error {
	if r.output.out == "" {
		return nil
	}
	return rundir.WriteFileAtomic(filepath.Join(seedDir(r.output.out, seed), rundir.SeedResult), stdout)
}

// completeSeeds are, on -resume, the run -json objects of the study's
// seeds that are complete (their result.json reads back as a run's), nil
// for the others.
func (r *runFlags) completeSeeds() [][]byte {
	done := make([][]byte, r.seeds)
	if r.resumed == nil {
		return done
	}
	for k := range done {
		seed := r.output.seed + uint64(k)
		b, err := os.ReadFile(filepath.Join(seedDir(r.output.out, seed), rundir.SeedResult))
		if err != nil {
			continue
		}
		if outs, err := runOutcomes(b, seed); err == nil && len(outs) > 0 {
			done[k] = b
		}
	}
	return done
}

// learn runs t on ds; with r.cont, from the checkpoint in dir when there is
// one of t's options (a stopped or finished method of a seed of a resumed
// study), else from the start.
func (r *runFlags) learn(t *trainer, ds data.Dataset, dir string, stderr io.Writer) (experiment.Result, error) {
	if !r.cont || dir == "" {
		return t.run(ds)
	}
	if _, err := os.Stat(filepath.Join(dir, rundir.Checkpoint)); err != nil {
		return t.run(ds)
	}
	ck, err := experiment.ReadCheckpoint(dir)
	if err == nil {
		var m experiment.Method
		switch o := t.options.(type) {
		case *experiment.ESOptions:
			m = *o
		case *experiment.GDOptions:
			m = *o
		}
		fmt.Fprintf(stderr, "%s: continuing from its checkpoint at %s %d\n", dir, t.unit, ck.Step)
		var res experiment.Result
		if res, err = experiment.Resume(ck, m, ds, t.more...); err == nil {
			return res, nil
		}
	}
	fmt.Fprintf(stderr, "%s: %v; starting over\n", dir, err)
	return t.run(ds)
}
