package experiment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"time"

	"plasticity/data"
	"plasticity/model"
	"plasticity/rundir"
)

// Method is a training method's options: ESOptions or GDOptions. Train and
// Resume drive either through the same loop.
type Method interface {
	// Name is the run's method ("es-openai", "gd", "gd-paper", ...).
	Name() string
	// Control returns the settings of the loop, which a resume may change.
	Control() Control
	// WithControl returns the options with the loop's settings replaced.
	WithControl(Control) Method
	// Common returns the settings shared by every study.
	Common() Options
	// newStepper prepares the trainer on the run's draws of the data set
	// (one unless DataSpec.Tasks asks for more), draw 0 first.
	newStepper(draws []data.Dataset) (stepper, error)
	// into records the options in a checkpoint.
	into(c *Checkpoint)
	validate(ds data.Dataset) error
}

// Validate checks m's settings against the data set without training, so a
// caller can refuse them before it writes anything.
func Validate(m Method, ds data.Dataset) error { return m.validate(ds) }

// Control is what a resumed run may change of its options: its length, how
// often it measures and saves, and where and how it reports.
type Control struct {
	// Length is the run's total number of generations (ES) or steps (GD).
	Length int
	// EvalEvery is how often the test accuracy of the current rules is
	// measured; 0 never.
	EvalEvery int
	// CheckpointEvery is how often the checkpoint is written besides at the
	// end and on a stop; 0 only then.
	CheckpointEvery int
	Workers         int
	Log             io.Writer
	Stop            <-chan struct{}
	// Dir is the run directory that receives the checkpoint and metrics.csv
	// as the run goes; "" writes nothing.
	Dir string
}

// stepper is one trainer advancing by generations (ES) or steps (GD). The
// loop in train owns everything around the steps: checkpoints, stops, test
// measurements, metrics, progress and the final scores.
type stepper interface {
	// step makes the next generation or step and returns its row (without
	// test accuracy and time) and the samples it showed.
	step() (Row, int, error)
	// test gives the current rules a lifetime on the last step's batch from
	// that step's initial weights and scores the test split.
	test() (model.Score, error)
	// rules returns a copy of the current rules.
	rules() model.Rules
	// status is the progress line's summary of a row.
	status(Row) string
	// kind is "es" or "gd", the metrics table's columns.
	kind() string
	marshal() ([]byte, error)
	unmarshal(state []byte, steps int) error
}

// Result is what a training run leaves: the rules, their final scores and one
// metrics row per generation or step.
type Result struct {
	Method string      `json:"method"`
	Rules  model.Rules `json:"-"`
	// Weights are the learned initial weights (docs/model.md §10.4), nil when the
	// run learned none.
	Weights *model.Weights `json:"-"`
	Steps   int            `json:"steps"`
	Final   Scores         `json:"final"`
	// Seconds is the wall time of training, without the final scoring,
	// summed over every resumed segment of the run.
	Seconds float64 `json:"seconds"`
	// SamplesPerSecond counts samples shown in lifetimes and evaluation passes
	// during training.
	SamplesPerSecond float64 `json:"samples_per_second"`
	// Kind is "es" or "gd": which columns of Row metrics.csv holds.
	Kind    string `json:"-"`
	Metrics []Row  `json:"-"`
	// Interrupted is set when the run's Stop ended it before its last
	// generation or step; Final is then not measured.
	Interrupted bool `json:"interrupted,omitempty"`
	// Checkpoint is the path of the last checkpoint written ("" none).
	Checkpoint string `json:"checkpoint,omitempty"`
}

// ErrNonFinite is wrapped by the error of a run whose loss or gradient became
// NaN or infinite.
var ErrNonFinite = errors.New("non-finite")

// Train learns rules on ds.Train with the method m describes. With a run
// directory set, the checkpoint and metrics.csv are written there every
// CheckpointEvery generations or steps, at the end, and when Stop ends the
// run early. A run with DataSpec.Tasks N > 1 learns on N draws: ds is draw
// 0 (DataSeed), more the draws DataSeed + 1 .. N-1 in order.
func Train(m Method, ds data.Dataset, more ...data.Dataset) (Result, error) {
	return train(m, append([]data.Dataset{ds}, more...), nil)
}

// Resume continues the run saved in ck up to m's Length in total; m must be
// the checkpoint's options with only their Control changed, ds and more the
// draws it was trained on (Train). The rules it ends with are bit for bit
// those of an uninterrupted run.
func Resume(ck *Checkpoint, m Method, ds data.Dataset, more ...data.Dataset) (Result, error) {
	saved := ck.Method()
	if saved == nil {
		return Result{}, errors.New("resume: the checkpoint holds no options")
	}
	if kindOf(saved) != kindOf(m) {
		return Result{}, fmt.Errorf("resume: the checkpoint is of %s run, not %s run", kindOf(saved), kindOf(m))
	}
	// Compare the JSON forms (which leave out workers, log, stop and
	// directory) with the settings a resume may change made equal.
	want := saved.WithControl(m.Control())
	a, err := json.Marshal(want)
	if err != nil {
		return Result{}, err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return Result{}, err
	}
	if !bytes.Equal(a, b) {
		return Result{}, errors.New("resume: the options differ from the checkpoint's in more than the run's length, workers, eval-every and checkpoint-every")
	}
	if n := m.Control().Length; n < ck.Step {
		return Result{}, fmt.Errorf("resume: the checkpoint is at %s %d already; a length of %d would go back",
			unitOf(m), ck.Step, n)
	}
	return train(m, append([]data.Dataset{ds}, more...), ck)
}

// kindOf is "an ES" or "a GD".
func kindOf(m Method) string {
	if newCheckpoint(m, "").Kind == "gd" {
		return "a GD"
	}
	return "an ES"
}

// unitOf names one step of m's loop.
func unitOf(m Method) string {
	if newCheckpoint(m, "").Kind == "gd" {
		return "step"
	}
	return "gen"
}

// loop is one training run in progress.
type loop struct {
	c       Control
	batch   int
	s       stepper
	ds      data.Dataset
	opts    Checkpoint // the checkpoint's fixed part: options and data hash
	res     Result
	samples int
	prior   float64
	start   time.Time
}

// train runs m on draws (draw 0 first) from the checkpoint ck, or from the
// start when ck is nil.
func train(m Method, draws []data.Dataset, ck *Checkpoint) (Result, error) {
	s, err := m.newStepper(draws)
	if err != nil {
		return Result{}, err
	}
	ds := draws[0]
	l := &loop{c: m.Control(), batch: m.Common().Batch, s: s, ds: ds, opts: newCheckpoint(m, drawsHash(draws))}
	l.res = Result{Method: m.Name(), Kind: s.kind()}
	first := 0
	if ck != nil {
		if ck.DataHash != l.opts.DataHash {
			return Result{}, errors.New("resume: the data set differs from the one the checkpoint was trained on")
		}
		if err := s.unmarshal(ck.State, ck.Step); err != nil {
			return Result{}, fmt.Errorf("resume: %w", err)
		}
		first, l.samples, l.prior = ck.Step, ck.Samples, ck.Seconds
		l.res.Metrics = append(l.res.Metrics, ck.Metrics...)
	}
	done, err := l.run(m, first)
	if err != nil {
		return Result{}, err
	}
	l.res.Seconds = l.elapsed()
	l.res.SamplesPerSecond = float64(l.samples) / math.Max(l.res.Seconds, 1e-9)
	l.res.Steps = done
	l.res.Rules = s.rules()
	if ws, ok := s.(interface{ weights() *model.Weights }); ok {
		l.res.Weights = ws.weights()
	}
	if l.res.Interrupted {
		return l.res, nil
	}
	opts := m.Common()
	opts.Weights = l.res.Weights
	l.res.Final, err = finalScore(s, opts, ds, l.res.Rules)
	return l.res, err
}

func (l *loop) elapsed() float64 { return l.prior + time.Since(l.start).Seconds() }

// run makes steps first..Length-1 and returns how many are done.
func (l *loop) run(m Method, first int) (int, error) {
	n := l.c.Length
	prog := NewProgress(l.c.Log, m.Name(), n-first, unitOf(m))
	defer prog.Done()
	l.start = time.Now()
	testNote := lastTest(l.res.Metrics)
	done := first
	for t := first; t < n; t++ {
		row, k, err := l.s.step()
		if err != nil {
			if errors.Is(err, ErrNonFinite) {
				return done, l.stopBad(done, t, err)
			}
			if errors.Is(err, ErrEvaluator) {
				return done, l.stopEvaluator(done, t, err)
			}
			return done, err
		}
		l.samples += k
		if l.c.EvalEvery > 0 && ((t+1)%l.c.EvalEvery == 0 || t+1 == n) {
			ts, err := l.s.test()
			if err != nil {
				if u, ok := l.s.(interface{ undo() error }); ok && errors.Is(err, ErrEvaluator) && u.undo() == nil {
					l.samples -= k
					return done, l.stopEvaluator(done, t, err)
				}
				return done, err
			}
			row.TestAccuracy, row.TestMajority = ts.Accuracy, ts.Majority
			testNote = fmt.Sprintf("%.3f", ts.Accuracy)
			l.samples += l.batch + l.ds.Test.Len()
		}
		row.Seconds = l.elapsed()
		l.res.Metrics = append(l.res.Metrics, row)
		done = t + 1
		prog.Update(done-first, l.s.status(row)+" test "+testNote)
		stop := stopped(l.c.Stop) && done < n
		if stop || done == n || (l.c.CheckpointEvery > 0 && done%l.c.CheckpointEvery == 0) {
			if err := l.save(done); err != nil {
				return done, fmt.Errorf("checkpoint: %w", err)
			}
		}
		if stop {
			l.res.Interrupted = true
			return done, nil
		}
	}
	if first == n {
		// Resumed at its end already: only the checkpoint's rules to score.
		if err := l.save(done); err != nil {
			return done, fmt.Errorf("checkpoint: %w", err)
		}
	}
	return done, nil
}

// stopBad ends a run whose step t went non-finite: the checkpoint keeps the
// last good step (it is not rewritten), and the error says where it is.
func (l *loop) stopBad(done, t int, err error) error {
	where := ""
	if l.c.Dir != "" && done > 0 {
		if serr := l.save(done); serr == nil {
			where = fmt.Sprintf("; the checkpoint in %s holds the %d good ones", l.c.Dir, done)
		}
	}
	return fmt.Errorf("%s %d: %w%s", l.s.kind(), t+1, err, where)
}

// ErrEvaluator is wrapped by the error of a run whose Evaluator failed (in
// package cluster: the NATS server was lost). The stepper is then as it was
// after the last generation done, and the checkpoint is written.
var ErrEvaluator = errors.New("evaluator")

// stopEvaluator ends a run whose evaluator failed in step t: the checkpoint
// holds the generations done, so a resume continues it exactly.
func (l *loop) stopEvaluator(done, t int, err error) error {
	if l.c.Dir == "" {
		return fmt.Errorf("%s %d: %w (no run directory, so no checkpoint)", unitOf2(l.s), t+1, err)
	}
	if serr := l.save(done); serr != nil {
		return fmt.Errorf("%s %d: %w; writing the checkpoint: %v", unitOf2(l.s), t+1, err, serr)
	}
	return fmt.Errorf("%s %d: %w; the checkpoint in %s holds the %d done", unitOf2(l.s), t+1, err, l.c.Dir, done)
}

func unitOf2(s stepper) string {
	if s.kind() == "gd" {
		return "step"
	}
	return "generation"
}

// save writes the checkpoint and metrics.csv into the run directory.
func (l *loop) save(done int) error {
	if l.c.Dir == "" {
		return nil
	}
	state, err := l.s.marshal()
	if err != nil {
		return err
	}
	c := l.opts
	c.Step, c.Samples, c.Seconds, c.State, c.Metrics = done, l.samples, l.elapsed(), state, l.res.Metrics
	path := filepath.Join(l.c.Dir, rundir.Checkpoint)
	if err := c.Write(path); err != nil {
		return err
	}
	l.res.Checkpoint = path
	return WriteMetrics(filepath.Join(l.c.Dir, rundir.Metrics), l.res.Kind, l.res.Metrics)
}

// stopped reports whether stop has been closed. The loop asks between
// generations or steps, never in the middle of one.
func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

func lastTest(rows []Row) string {
	for i := len(rows) - 1; i >= 0; i-- {
		if !math.IsNaN(rows[i].TestAccuracy) {
			return fmt.Sprintf("%.3f", rows[i].TestAccuracy)
		}
	}
	return "-"
}
