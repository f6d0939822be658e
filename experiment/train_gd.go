package experiment

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"slices"

	"plasticity/data"
	"plasticity/grad"
	"plasticity/model"
)

// GDOptions configure rule learning by gradient descent: Adam on the
// hand-derived gradient of the evaluation pass's loss (package grad).
type GDOptions struct {
	Options
	// Variant names the settings' origin: "ours" (DefaultGD) or "paper"
	// (PaperGD); the run's method is "gd" or "gd-paper".
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
	// LearnWeights lists weight matrices ("input", "hidden", "output") whose
	// initial value is learned with the rules and shared by every lifetime
	// (docs/model.md §10.4); the others are drawn per lifetime. Empty: none.
	LearnWeights []string `json:"learn_weights,omitempty"`
	// Horizon, when not 0, is the length in samples of a second lifetime
	// each step also lives (a window of the training split, as ES's); the
	// step descends the mean of both lifetimes' losses (gd_horizon.go).
	Horizon int `json:"horizon,omitempty"`
	// Loss is "logits" (cross-entropy of the log-softmax of the logits,
	// docs/model.md §4) or "softmax" (cross-entropy taken on the softmax outputs, the
	// reference program's) or "mse" (the mean squared error of the softmax
	// outputs against the one-hot label, docs/model.md §10.3). Metrics report the
	// first either way.
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

// DefaultGDSteps is the default run length of GD: seconds on the synthetic
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

// PaperGD returns the seed paper's GD on top of opts: every table learned
// from N(0,1) rules by Adam with lr 0.01 on the reference program's loss, the
// cross-entropy of the softmax outputs.
func PaperGD(opts Options) GDOptions {
	return GDOptions{Options: opts, Variant: "paper", Steps: DefaultGDSteps, LR: 0.01, RuleInitStd: 1, Loss: "softmax",
		EvalEvery: 50}
}

// Name is the run's method: "gd" for ours, "gd-" and the variant for
// another ("gd-paper").
func (o GDOptions) Name() string {
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
		return fmt.Errorf("steps must be at least 1, got %d", o.Steps)
	case !(o.RuleInitStd >= 0) || math.IsInf(o.RuleInitStd, 0):
		return fmt.Errorf("rule init std must be >= 0 and finite, got %v", o.RuleInitStd)
	case o.EvalEvery < 0:
		return fmt.Errorf("eval every must be >= 0, got %d", o.EvalEvery)
	case o.CheckpointEvery < 0:
		return fmt.Errorf("checkpoint every must be >= 0, got %d", o.CheckpointEvery)
	}
	for _, t := range o.Freeze {
		if _, _, err := ruleTable(model.NewRules(0), t); err != nil {
			return err
		}
	}
	if _, err := gdLoss(o.Loss); err != nil {
		return err
	}
	if err := grad.Supported(o.Model); err != nil {
		return err
	}
	if _, err := learnedMatrices(o.LearnWeights); err != nil {
		return err
	}
	if err := o.validateHorizon(ds); err != nil {
		return err
	}
	_, err := grad.NewAdam(1, o.LR, o.WeightDecay)
	return err
}

// GDStepper runs gradient descent on the rules one step at a time. A step
// gives the current rules a lifetime on the next training batch from fresh
// initial weights (drawn per step from the seed, as the ES's per generation),
// runs the evaluation pass with its hand-derived backward pass, and moves the
// rules by Adam. Train drives it; plasticity bench times single steps.
type GDStepper struct {
	o       GDOptions
	ds      data.Dataset   // draw 0
	draws   []data.Dataset // every draw of the run (GDOptions.Data.Tasks), draw 0 first
	net     *model.Network
	bp      *grad.Backprop
	adam    *grad.Adam
	batches *Batches
	g       []float32
	gh      []float32       // the horizon lifetime's gradient (gd_horizon.go)
	lw      *learnedWeights // nil unless initial weights are learned
	done    int
	// Rules are the current rules; Step updates them in place.
	Rules model.Rules
}

// NewGDStepper prepares GD on ds.Train from initial rules drawn from the
// seed; more are draws 1 .. N-1 of a run with o.Data.Tasks N > 1 (Train).
func NewGDStepper(o GDOptions, ds data.Dataset, more ...data.Dataset) (*GDStepper, error) {
	if err := o.validate(ds); err != nil {
		return nil, err
	}
	draws := append([]data.Dataset{ds}, more...)
	if err := checkDraws(o.Data, draws); err != nil {
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
	s := &GDStepper{o: o, ds: ds, draws: draws, net: net, bp: bp, adam: adam, batches: NewBatches(o.Seed, ds.Train.Len(), o.Batch),
		g: make([]float32, dim), Rules: r}
	if s.lw, err = newLearnedWeights(o, net); err != nil {
		return nil, err
	}
	if s.lw != nil {
		bp.Learn = s.lw.learn
	}
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
	case "mse":
		return grad.MSE, nil
	}
	return 0, fmt.Errorf("unknown loss %q (want logits, softmax or mse)", name)
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
	return nil, 0, fmt.Errorf("unknown rule table %q (want input, hidden or output)", name)
}

// Step makes one GD step and returns its row (without test accuracy and
// time). The rules are updated in place. A step whose loss or gradient is
// not finite leaves the rules and Adam as they were and returns an error
// wrapping ErrNonFinite.
func (s *GDStepper) Step() (Row, error) {
	batch := s.batches.Batch(s.done)
	if err := initNet(s.net, model.NewRand(s.o.Seed, "init", uint64(s.done)), s.learned()); err != nil {
		return Row{}, err
	}
	train := s.draws[taskOf(s.o.Seed, s.done, len(s.draws))].Train
	sc, err := s.bp.Gradient(s.net, s.Rules, train, batch, s.g)
	var nf model.NonFiniteError
	if errors.As(err, &nf) {
		return Row{}, fmt.Errorf("%w, so the loss is %w (a smaller lr, eta or rule-init-std may help)", nf, ErrNonFinite)
	}
	if err == nil {
		err = s.addHorizon(train, &sc)
		if errors.As(err, &nf) {
			return Row{}, fmt.Errorf("%w, so the loss is %w (a smaller lr, eta or rule-init-std may help)", nf, ErrNonFinite)
		}
	}
	if err != nil {
		return Row{}, err
	}
	var norm float64
	for _, v := range s.g {
		norm += float64(v) * float64(v)
	}
	if s.lw != nil {
		norm += s.lw.gather(s.bp)
	}
	if math.IsNaN(sc.Loss) || math.IsInf(sc.Loss, 0) || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return Row{}, fmt.Errorf("loss %v, gradient norm %v: %w (the lifetime's weights overflowed; a smaller lr, eta or rule-init-std may help)",
			sc.Loss, math.Sqrt(norm), ErrNonFinite)
	}
	s.adam.Step(s.Rules.Theta, s.g)
	if s.lw != nil {
		s.lw.adam.Step(s.lw.flat, s.lw.g)
	}
	s.done++
	return Row{Step: s.done, Loss: sc.Loss, BatchAccuracy: sc.Accuracy, Majority: sc.Majority,
		TestAccuracy: math.NaN(), TestMajority: math.NaN(), GradNorm: math.Sqrt(norm), WalkCopies: s.bp.Checkpoints()}, nil
}

// Test gives the current rules a lifetime on the last step's batch (of draw
// 0) from that step's initial weights and scores the test split of draw 0
// with the weights frozen.
func (s *GDStepper) Test() (model.Score, error) {
	if s.done == 0 {
		return model.Score{}, fmt.Errorf("gd: no step made yet")
	}
	if err := initNet(s.net, model.NewRand(s.o.Seed, "init", uint64(s.done-1)), s.learned()); err != nil {
		return model.Score{}, err
	}
	if _, err := s.net.Lifetime(s.Rules, s.ds.Train, s.batches.Batch(s.done-1), nil); err != nil {
		return model.Score{}, err
	}
	return s.net.Evaluate(s.ds.Test, nil), nil
}

// Common returns the settings shared by every study.
func (o GDOptions) Common() Options { return o.Options }

// Control returns the loop's settings.
func (o GDOptions) Control() Control {
	return Control{Length: o.Steps, EvalEvery: o.EvalEvery, CheckpointEvery: o.CheckpointEvery, Workers: o.Workers,
		Log: o.Log, Stop: o.Stop, Dir: o.Dir}
}

// WithControl returns the options with the loop's settings c.
func (o GDOptions) WithControl(c Control) Method {
	o.Steps, o.EvalEvery, o.CheckpointEvery, o.Workers = c.Length, c.EvalEvery, c.CheckpointEvery, c.Workers
	o.Log, o.Stop, o.Dir = c.Log, c.Stop, c.Dir
	return o
}

func (o GDOptions) newStepper(draws []data.Dataset) (stepper, error) {
	return NewGDStepper(o, draws[0], draws[1:]...)
}

func (s *GDStepper) kind() string { return "gd" }

func (s *GDStepper) step() (Row, int, error) {
	r, err := s.Step()
	return r, 2 * (s.o.Batch + s.o.Horizon), err
}

func (s *GDStepper) test() (model.Score, error) { return s.Test() }

func (s *GDStepper) rules() model.Rules { return s.Rules.Clone() }

func (s *GDStepper) status(r Row) string {
	return fmt.Sprintf("loss %.4f batch %.3f majority %.2f |g| %.3g", r.Loss, r.BatchAccuracy, r.Majority, r.GradNorm)
}

// gdState is a GD run's state in a checkpoint: the rules and Adam's, and
// the learned initial weights (flattened, learnedWeights.flat) and their
// Adam's, absent from checkpoints of runs that learn none (and from those
// written before docs/model.md §10.4, which read back unchanged).
type gdState struct {
	Theta   []float32
	Adam    grad.Adam
	Weights []float32
	WAdam   *grad.Adam
}

func (st gdState) encode() ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(st); err != nil {
		return nil, fmt.Errorf("encoding GD state: %w", err)
	}
	return b.Bytes(), nil
}

// decode reads a state saved after steps steps of rules for R rounds.
func (st *gdState) decode(b []byte, rounds, steps int) error {
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(st); err != nil {
		return fmt.Errorf("GD state: %w", err)
	}
	n := model.GenotypeLen(rounds)
	if len(st.Theta) != n || len(st.Adam.M) != n || len(st.Adam.V) != n {
		return fmt.Errorf("%d rules and %d/%d Adam moments for R = %d (want %d)", len(st.Theta),
			len(st.Adam.M), len(st.Adam.V), rounds, n)
	}
	if st.Adam.T != steps {
		return fmt.Errorf("%d steps done with %d Adam steps", steps, st.Adam.T)
	}
	return nil
}

// learned is the run's learned initial weights, nil when none.
func (s *GDStepper) learned() *model.Weights {
	if s.lw == nil {
		return nil
	}
	return s.lw.w
}

func (s *GDStepper) marshal() ([]byte, error) {
	st := gdState{Theta: s.Rules.Theta, Adam: *s.adam}
	if s.lw != nil {
		st.Weights, st.WAdam = s.lw.flat, s.lw.adam
	}
	return st.encode()
}

// unmarshal puts the stepper where a checkpoint left its run: after steps
// steps, with its rules and Adam's state.
func (s *GDStepper) unmarshal(b []byte, steps int) error {
	var st gdState
	if err := st.decode(b, s.Rules.Rounds, steps); err != nil {
		return err
	}
	s.done = steps
	copy(s.Rules.Theta, st.Theta)
	a := st.Adam
	a.M, a.V = slices.Clone(a.M), slices.Clone(a.V)
	*s.adam = a
	return s.unmarshalWeights(st, steps)
}

// unmarshalWeights restores the learned initial weights and their Adam.
func (s *GDStepper) unmarshalWeights(st gdState, steps int) error {
	if s.lw == nil {
		if st.Weights != nil {
			return fmt.Errorf("the state holds learned weights the options do not name")
		}
		return nil
	}
	n := len(s.lw.flat)
	if len(st.Weights) != n || st.WAdam == nil || len(st.WAdam.M) != n || len(st.WAdam.V) != n || st.WAdam.T != steps {
		return fmt.Errorf("the state holds %d learned weights, want %d with their Adam after %d steps", len(st.Weights), n, steps)
	}
	copy(s.lw.flat, st.Weights)
	a := *st.WAdam
	a.M, a.V = slices.Clone(a.M), slices.Clone(a.V)
	*s.lw.adam = a
	return nil
}
