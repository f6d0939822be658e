package experiment

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"time"

	"plasticity/data"
	"plasticity/grad"
	"plasticity/model"
)

// GDOptions configure rule learning by gradient descent: Adam on the
// hand-derived gradient of the evaluation pass's loss (package grad).
type GDOptions struct {
	Options
	// Variant names the settings' origin: "ours" (DefaultGD) or "seed"
	// (SeedGD); the run's method is "gd" or "gd-seed".
	Variant string `json:"variant"`
	Steps   int    `json:"steps"`
	// LR and WeightDecay are Adam's step size and decoupled weight decay.
	LR          float64 `json:"lr"`
	WeightDecay float64 `json:"wd"`
	// RuleInitStd is the deviation of the initial genotype's i.i.d. normal
	// entries (the seed's ES and GD draw N(0,1)).
	RuleInitStd float64 `json:"rule_init_std"`
	// Freeze lists rule tables ("input", "hidden", "output") held at zero:
	// neither drawn at the start nor moved by the gradient.
	Freeze []string `json:"freeze"`
	// Loss is "logits" (cross-entropy of the log-softmax of the logits, SPEC
	// section 4) or "softmax" (cross-entropy taken on the softmax outputs, the
	// reference program's). Metrics report the former either way.
	Loss string `json:"loss"`
	// EvalEvery is how often (in steps) the test accuracy of the current
	// rules is measured; 0 never.
	EvalEvery int `json:"eval_every"`
	// CheckpointEvery is how often (in steps) the checkpoint in Dir is
	// written besides at the end and on a stop; 0 only then.
	CheckpointEvery int `json:"checkpoint_every"`
	// Dir is the run directory that receives the checkpoint and metrics.csv
	// as the run goes; "" writes nothing.
	Dir string `json:"-"`
	// Data names the data set, so a checkpoint can be resumed without
	// repeating it.
	Data DataSpec `json:"data"`
}

// DefaultGDSteps is the default run length of GD: about 5 s on the synthetic
// set. Longer runs raise the test accuracy after one lifetime a little and
// lower the transfer accuracy a little (the lifetime is all GD sees).
const DefaultGDSteps = 2000

// DefaultGD returns the GD settings that reached the project's goal on the
// synthetic set, on top of opts: Adam with the seed's lr 0.01 on the
// cross-entropy of the logits, from all-zero rules, learning the output table
// only. The input table (one constant added to a whole row of Win, whatever
// the input) and the hidden table (a sum of pattern-indexed outer products,
// which piles up into a low-rank Whid) help within a 100-sample lifetime but
// grow without bound over the 200,000 updates of a transfer and wash out the
// representation, so they are held at zero.
func DefaultGD(opts Options) GDOptions {
	return GDOptions{Options: opts, Variant: "ours", Steps: DefaultGDSteps, LR: 0.01, RuleInitStd: 0,
		Freeze: []string{"input", "hidden"}, Loss: "logits", EvalEvery: 50}
}

// SeedGD returns the seed paper's GD on top of opts: every table learned from
// N(0,1) rules by Adam with lr 0.01 on the reference program's loss, the
// cross-entropy of the softmax outputs.
func SeedGD(opts Options) GDOptions {
	return GDOptions{Options: opts, Variant: "seed", Steps: DefaultGDSteps, LR: 0.01, RuleInitStd: 1, Loss: "softmax",
		EvalEvery: 50}
}

// Method is the name of the run: "gd" for ours, "gd-" and the variant for
// another ("gd-seed").
func (o GDOptions) Method() string {
	if o.Variant != "" && o.Variant != "ours" {
		return "gd-" + o.Variant
	}
	return "gd"
}

func (o GDOptions) validate(ds data.Dataset) error {
	if err := o.Options.validate(ds); err != nil {
		return err
	}
	switch {
	case o.Steps < 1:
		return fmt.Errorf("-steps must be at least 1, got %d", o.Steps)
	case !(o.RuleInitStd >= 0) || math.IsInf(o.RuleInitStd, 0):
		return fmt.Errorf("-rule-init-std must be >= 0 and finite, got %v", o.RuleInitStd)
	case o.EvalEvery < 0:
		return fmt.Errorf("-eval-every must be >= 0, got %d", o.EvalEvery)
	case o.CheckpointEvery < 0:
		return fmt.Errorf("-checkpoint-every must be >= 0, got %d", o.CheckpointEvery)
	}
	for _, t := range o.Freeze {
		if _, _, err := ruleTable(model.NewRules(0), t); err != nil {
			return err
		}
	}
	if _, err := gdLoss(o.Loss); err != nil {
		return err
	}
	_, err := grad.NewAdam(1, o.LR, o.WeightDecay)
	return err
}

// GDRow is one line of a GD run's metrics.csv.
type GDRow struct {
	Step int
	// Loss, BatchAccuracy and Majority are the evaluation pass over the
	// step's own batch, with the rules before the step's update.
	Loss          float64
	BatchAccuracy float64
	Majority      float64
	// TestAccuracy and TestMajority are the test split after a lifetime of
	// the updated rules on the step's batch (NaN when not measured).
	TestAccuracy float64
	TestMajority float64
	// GradNorm is the Euclidean norm of dL/dtheta.
	GradNorm float64
	// WalkCopies is how many exact weight copies the backward walk kept
	// (norm=outgoing only; see package grad).
	WalkCopies int
	Seconds    float64
}

// GDMetricsHeader is the header of metrics.csv for GD runs.
var GDMetricsHeader = []string{"step", "loss", "batch_accuracy", "majority", "test_accuracy", "test_majority",
	"grad_norm", "walk_copies", "seconds"}

// Strings formats a row in the order of GDMetricsHeader.
func (r GDRow) Strings() []string {
	f := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return fmt.Sprintf("%.6g", v)
	}
	return []string{fmt.Sprint(r.Step), f(r.Loss), f(r.BatchAccuracy), f(r.Majority), f(r.TestAccuracy),
		f(r.TestMajority), f(r.GradNorm), fmt.Sprint(r.WalkCopies), fmt.Sprintf("%.3f", r.Seconds)}
}

// WriteGDMetrics writes rows as a GD run's metrics.csv at path.
func WriteGDMetrics(path string, rows []GDRow) error {
	s := make([][]string, len(rows))
	for i, r := range rows {
		s[i] = r.Strings()
	}
	return WriteCSV(path, GDMetricsHeader, s)
}

// GDResult is what a GD run leaves: Result (whose ES Metrics stay empty) and
// the per-step rows.
type GDResult struct {
	Result
	Rows []GDRow
}

// GDStepper runs gradient descent on the rules one step at a time. A step
// gives the current rules a lifetime on the next training batch from fresh
// initial weights (drawn per step from the seed, as the ES's per generation),
// runs the evaluation pass with its hand-derived backward pass, and moves the
// rules by Adam. TrainGD drives it; plasticity bench times single steps.
type GDStepper struct {
	o       GDOptions
	ds      data.Dataset
	net     *model.Network
	bp      *grad.Backprop
	adam    *grad.Adam
	batches *Batches
	g       []float32
	step    int
	// Rules are the current rules; Step updates them in place.
	Rules model.Rules
}

// NewGDStepper prepares GD on ds.Train from initial rules drawn from the seed.
func NewGDStepper(o GDOptions, ds data.Dataset) (*GDStepper, error) {
	if err := o.validate(ds); err != nil {
		return nil, err
	}
	cfg := fitModel(o.Model, ds)
	net, err := model.NewNetwork(cfg)
	if err != nil {
		return nil, err
	}
	bp, err := grad.New(cfg)
	if err != nil {
		return nil, err
	}
	bp.Loss, _ = gdLoss(o.Loss)
	dim := model.GenotypeLen(cfg.Rounds)
	adam, err := grad.NewAdam(dim, o.LR, o.WeightDecay)
	if err != nil {
		return nil, err
	}
	r := model.NewRules(cfg.Rounds)
	rng := model.NewRand(o.Seed, "gd-rules", 0)
	for i := range r.Theta {
		r.Theta[i] = float32(o.RuleInitStd * rng.NormFloat64())
	}
	s := &GDStepper{o: o, ds: ds, net: net, bp: bp, adam: adam, batches: NewBatches(o.Seed, ds.Train.Len(), o.Batch),
		g: make([]float32, dim), Rules: r}
	// A frozen table's gradient is zero, so Adam never moves it.
	for _, t := range o.Freeze {
		tbl, k, _ := ruleTable(r, t)
		clear(tbl)
		bp.Frozen[k] = true
	}
	return s, nil
}

// gdLoss reads GDOptions.Loss.
func gdLoss(name string) (grad.Loss, error) {
	switch name {
	case "logits":
		return grad.CrossEntropy, nil
	case "softmax":
		return grad.SoftmaxCrossEntropy, nil
	}
	return 0, fmt.Errorf("unknown -loss %q (want logits or softmax)", name)
}

// ruleTable returns the named table of r and its index in grad's order.
func ruleTable(r model.Rules, name string) ([]float32, int, error) {
	switch name {
	case "input":
		return r.Input(), grad.Input, nil
	case "hidden":
		return r.Hidden(), grad.Hidden, nil
	case "output":
		return r.Output(), grad.Output, nil
	}
	return nil, 0, fmt.Errorf("unknown rule table %q in -freeze (want input, hidden or output)", name)
}

// Step makes one GD step and returns its row (without test accuracy and
// time). The rules are updated in place.
func (s *GDStepper) Step() (GDRow, error) {
	batch := s.batches.Batch(s.step)
	s.net.Init(model.NewRand(s.o.Seed, "init", uint64(s.step)))
	sc, err := s.bp.Gradient(s.net, s.Rules, s.ds.Train, batch, s.g)
	if err != nil {
		return GDRow{}, err
	}
	var norm float64
	for _, v := range s.g {
		norm += float64(v) * float64(v)
	}
	s.adam.Step(s.Rules.Theta, s.g)
	s.step++
	return GDRow{Step: s.step, Loss: sc.Loss, BatchAccuracy: sc.Accuracy, Majority: sc.Majority,
		TestAccuracy: math.NaN(), TestMajority: math.NaN(), GradNorm: math.Sqrt(norm), WalkCopies: s.bp.Checkpoints()}, nil
}

// Test gives the current rules a lifetime on the last step's batch from that
// step's initial weights and scores the test split with the weights frozen.
func (s *GDStepper) Test() (model.Score, error) {
	if s.step == 0 {
		return model.Score{}, fmt.Errorf("gd: no step made yet")
	}
	s.net.Init(model.NewRand(s.o.Seed, "init", uint64(s.step-1)))
	if _, err := s.net.Lifetime(s.Rules, s.ds.Train, s.batches.Batch(s.step-1), nil); err != nil {
		return model.Score{}, err
	}
	return s.net.Evaluate(s.ds.Test, nil), nil
}

// restore puts the stepper where checkpoint ck left its run: after
// ck.Generation steps, with its rules and Adam's state.
func (s *GDStepper) restore(ck *Checkpoint) {
	s.step = ck.Generation
	copy(s.Rules.Theta, ck.Theta)
	a := ck.Adam
	a.M, a.V = slices.Clone(a.M), slices.Clone(a.V)
	*s.adam = a
}

// TrainGD learns rules on ds.Train by gradient descent (SPEC section 4).
// With o.Dir set, the run's checkpoint and metrics.csv are written there
// every o.CheckpointEvery steps, at the end, and when o.Stop ends the run
// early.
func TrainGD(o GDOptions, ds data.Dataset) (GDResult, error) {
	return trainGD(o, ds, nil)
}

// ResumeGD continues the GD run saved in ck up to o.Steps steps in total; o
// must be ck.GD with only Steps, Workers, Log, Stop, Dir, EvalEvery and
// CheckpointEvery changed. The rules it ends with are bit for bit those of an
// uninterrupted run of o.Steps.
func ResumeGD(ck *Checkpoint, o GDOptions, ds data.Dataset) (GDResult, error) {
	if ck.Method != "gd" {
		return GDResult{}, fmt.Errorf("resume: the checkpoint is of an ES run, not a GD run")
	}
	want := ck.GD
	want.Steps, want.EvalEvery, want.CheckpointEvery = o.Steps, o.EvalEvery, o.CheckpointEvery
	if err := sameSettings(want, o, "-steps"); err != nil {
		return GDResult{}, err
	}
	if o.Steps < ck.Generation {
		return GDResult{}, fmt.Errorf("resume: the checkpoint is at step %d already; -steps %d would go back",
			ck.Generation, o.Steps)
	}
	return trainGD(o, ds, ck)
}

func trainGD(o GDOptions, ds data.Dataset, ck *Checkpoint) (GDResult, error) {
	s, err := NewGDStepper(o, ds)
	if err != nil {
		return GDResult{}, err
	}
	res := GDResult{Result: Result{Method: o.Method()}}
	hash := DataHash(ds)
	first, samples, prior := 0, 0, 0.0
	if ck != nil {
		if ck.DataHash != hash {
			return GDResult{}, fmt.Errorf("resume: the data set differs from the one the checkpoint was trained on")
		}
		s.restore(ck)
		first, samples, prior = ck.Generation, ck.Samples, ck.Seconds
		res.Rows = append(res.Rows, ck.GDMetrics...)
	}
	prog := NewProgress(o.Log, "gd", o.Steps-first, "step")
	start := time.Now()
	elapsed := func() float64 { return prior + time.Since(start).Seconds() }
	save := func(step int) error {
		if o.Dir == "" {
			return nil
		}
		c := Checkpoint{Method: "gd", GD: o, Generation: step, Samples: samples, Seconds: elapsed(),
			Theta: s.Rules.Theta, Adam: *s.adam, GDMetrics: res.Rows, DataHash: hash}
		path := filepath.Join(o.Dir, CheckpointFile)
		if err := c.Write(path); err != nil {
			return err
		}
		res.Checkpoint = path
		return WriteGDMetrics(filepath.Join(o.Dir, "metrics.csv"), res.Rows)
	}
	testNote := "-"
	done := first
	for t := first; t < o.Steps; t++ {
		row, err := s.Step()
		if err != nil {
			return GDResult{}, err
		}
		samples += 2 * o.Batch
		if o.EvalEvery > 0 && ((t+1)%o.EvalEvery == 0 || t+1 == o.Steps) {
			ts, err := s.Test()
			if err != nil {
				return GDResult{}, err
			}
			row.TestAccuracy, row.TestMajority = ts.Accuracy, ts.Majority
			testNote = fmt.Sprintf("%.3f", ts.Accuracy)
			samples += o.Batch + ds.Test.Len()
		}
		row.Seconds = elapsed()
		res.Rows = append(res.Rows, row)
		done = t + 1
		prog.Update(done-first, fmt.Sprintf("loss %.4f batch %.3f majority %.2f |g| %.3g test %s",
			row.Loss, row.BatchAccuracy, row.Majority, row.GradNorm, testNote))
		stop := o.Stopped() && done < o.Steps
		if stop || done == o.Steps || (o.CheckpointEvery > 0 && done%o.CheckpointEvery == 0) {
			if err := save(done); err != nil {
				return GDResult{}, fmt.Errorf("checkpoint: %w", err)
			}
		}
		if stop {
			res.Interrupted = true
			break
		}
	}
	if first == o.Steps {
		// Resumed at its end already: only the checkpoint's rules to score.
		if err := save(done); err != nil {
			return GDResult{}, fmt.Errorf("checkpoint: %w", err)
		}
	}
	prog.Done()
	res.Seconds = elapsed()
	res.SamplesPerSecond = float64(samples) / math.Max(res.Seconds, 1e-9)
	res.Steps = done
	res.Rules = s.Rules.Clone()
	if res.Interrupted {
		return res, nil
	}
	res.Final, err = Score(o.Options, ds, res.Rules)
	return res, err
}
