// Package model is the capped recurrent network of plasticity, its rule tables
// and its one lifetime: show samples one at a time, update the weights by the
// rules after each, then evaluate with the weights frozen. Weights and rules
// are flat []float32. Every trainer (es, grad), transfer and bench drive this
// one lifetime; there is no other forward pass in the project.
package model

import (
	"fmt"
	"math"
)

// Activation is the hidden activation applied before the cap.
type Activation uint8

// Hidden activations.
const (
	Sigmoid Activation = iota
	ReLU
	Linear
)

// Drive says what feeds the recurrent rounds besides the previous round.
type Drive uint8

// Drives: the capped first activation a0 (the seed's equation 2) or the raw,
// uncapped input drive Win x (the PyTorch reference).
const (
	DriveA0 Drive = iota
	DriveRaw
)

// Init is the distribution of initial weights.
type Init uint8

// Initial weights: N(0,1), N(0,1/fan-in), or all zero.
const (
	InitNormal Init = iota
	InitScaled
	InitZero
)

// Norm is the normalisation applied after every update.
type Norm uint8

// Normalisations: none; every column (the outgoing weights of one
// pre-synaptic neuron or input) divided by its L2 norm; every row (the
// incoming weights of one neuron) divided by its L2 norm; or columns, then
// rows.
const (
	NormNone Norm = iota
	NormOutgoing
	NormIncoming
	NormBoth
)

// Update says when the rules change the weights.
type Update uint8

// Updates: after every sample, or only after a misclassified one.
const (
	UpdateAlways Update = iota
	UpdateMisclassified
)

var (
	activationNames = []string{"sigmoid", "relu", "linear"}
	driveNames      = []string{"a0", "raw"}
	initNames       = []string{"normal", "scaled", "zero"}
	normNames       = []string{"none", "outgoing", "incoming", "both"}
	updateNames     = []string{"always", "misclassified"}
)

func (a Activation) String() string { return name(activationNames, int(a)) }
func (d Drive) String() string      { return name(driveNames, int(d)) }
func (i Init) String() string       { return name(initNames, int(i)) }
func (n Norm) String() string       { return name(normNames, int(n)) }
func (u Update) String() string     { return name(updateNames, int(u)) }

func name(names []string, i int) string {
	if i < 0 || i >= len(names) {
		return fmt.Sprintf("invalid(%d)", i)
	}
	return names[i]
}

func parse(kind string, names []string, s string) (int, error) {
	for i, n := range names {
		if n == s {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q (want one of %v)", kind, s, names)
}

// MarshalText writes the option's name, so configurations read as text in JSON.
func (a Activation) MarshalText() ([]byte, error) { return marshal(activationNames, int(a)) }

// MarshalText writes the option's name.
func (d Drive) MarshalText() ([]byte, error) { return marshal(driveNames, int(d)) }

// MarshalText writes the option's name.
func (i Init) MarshalText() ([]byte, error) { return marshal(initNames, int(i)) }

// MarshalText writes the option's name.
func (n Norm) MarshalText() ([]byte, error) { return marshal(normNames, int(n)) }

// MarshalText writes the option's name.
func (u Update) MarshalText() ([]byte, error) { return marshal(updateNames, int(u)) }

// UnmarshalText reads an option name.
func (a *Activation) UnmarshalText(b []byte) (err error) {
	*a, err = ParseActivation(string(b))
	return
}

// UnmarshalText reads an option name.
func (d *Drive) UnmarshalText(b []byte) (err error) { *d, err = ParseDrive(string(b)); return }

// UnmarshalText reads an option name.
func (i *Init) UnmarshalText(b []byte) (err error) { *i, err = ParseInit(string(b)); return }

// UnmarshalText reads an option name.
func (n *Norm) UnmarshalText(b []byte) (err error) { *n, err = ParseNorm(string(b)); return }

// UnmarshalText reads an option name.
func (u *Update) UnmarshalText(b []byte) (err error) { *u, err = ParseUpdate(string(b)); return }

func marshal(names []string, i int) ([]byte, error) {
	if i < 0 || i >= len(names) {
		return nil, fmt.Errorf("invalid option value %d", i)
	}
	return []byte(names[i]), nil
}

// ParseActivation reads "sigmoid", "relu" or "linear".
func ParseActivation(s string) (Activation, error) {
	i, err := parse("activation", activationNames, s)
	return Activation(i), err
}

// ParseDrive reads "a0" or "raw".
func ParseDrive(s string) (Drive, error) {
	i, err := parse("drive", driveNames, s)
	return Drive(i), err
}

// ParseInit reads "normal", "scaled" or "zero".
func ParseInit(s string) (Init, error) {
	i, err := parse("init", initNames, s)
	return Init(i), err
}

// ParseNorm reads "none", "outgoing", "incoming" or "both".
func ParseNorm(s string) (Norm, error) {
	i, err := parse("norm", normNames, s)
	return Norm(i), err
}

// ParseUpdate reads "always" or "misclassified".
func ParseUpdate(s string) (Update, error) {
	i, err := parse("update", updateNames, s)
	return Update(i), err
}

// MaxRounds bounds R: the hidden table has 4^(R+1) entries.
const MaxRounds = 6

// Config is the shape of a network and every option of docs/model.md §1-§3.
type Config struct {
	Inputs  int     `json:"inputs"`
	Hidden  int     `json:"hidden"`
	Outputs int     `json:"outputs"`
	Rounds  int     `json:"rounds"`
	Cap     int     `json:"cap"`
	Eta     float32 `json:"eta"`
	// EdgeProb is the probability that a hidden-to-hidden synapse exists.
	EdgeProb float64    `json:"p"`
	Act      Activation `json:"act"`
	Drive    Drive      `json:"drive"`
	Init     Init       `json:"init"`
	Norm     Norm       `json:"norm"`
	Update   Update     `json:"update"`

	// The options of docs/model.md §10; their zero values are §1-§3's, and
	// are left out of JSON so that files written before them read the same.
	OutputEdges OutputEdges `json:"output_edges,omitempty"`
	RuleForm    RuleForm    `json:"rule_form,omitempty"`
	Fire        Fire        `json:"fire,omitempty"`
	InputRule   InputRule   `json:"input_rule,omitempty"`
	// FreeReadout leaves Wout out of Norm's normalisation (readout.go): a
	// bounded representation under a readout that grows as a perceptron's.
	FreeReadout bool `json:"free_readout,omitempty"`
	// EtaDecay, when above 0, anneals every table's step with the
	// network's age (§10.13): the update after its t-th lived sample
	// (counted from its initial weights, across lifetimes) steps by
	// eta / (1 + t/EtaDecay). 0 keeps eta fixed.
	EtaDecay float64 `json:"eta_decay,omitempty"`
}

// Synthetic returns the seed paper's network for its synthetic set: 20 hidden,
// cap 10, R = 3, eta 0.01, sigmoid, all other options at their defaults.
func Synthetic(inputs, outputs int) Config {
	return Config{Inputs: inputs, Hidden: 20, Outputs: outputs, Rounds: 3, Cap: 10, Eta: 0.01, EdgeProb: 1}
}

// DecayFactor returns the factor 1 / (1 + t/EtaDecay) of the step after the
// network's t-th lived sample, 1 when EtaDecay is 0.
func (c Config) DecayFactor(t int64) float64 {
	if c.EtaDecay == 0 {
		return 1
	}
	return 1 / (1 + float64(t)/c.EtaDecay)
}

// Patterns returns P = 2^(R+1), the number of firing patterns.
func (c Config) Patterns() int { return Patterns(c.Rounds) }

// Patterns returns 2^(rounds+1).
func Patterns(rounds int) int { return 1 << (rounds + 1) }

// GenotypeLen returns the length P + P^2 + 2P of the rule genotype for R rounds.
func GenotypeLen(rounds int) int {
	p := Patterns(rounds)
	return p + p*p + 2*p
}

// Validate reports the first impossible setting, naming its field.
func (c Config) Validate() error {
	switch {
	case c.Inputs < 1:
		return fmt.Errorf("inputs must be at least 1, got %d", c.Inputs)
	case c.Hidden < 1:
		return fmt.Errorf("hidden must be at least 1, got %d", c.Hidden)
	case c.Hidden > 1<<15:
		return fmt.Errorf("hidden %d is larger than %d", c.Hidden, 1<<15)
	case c.Outputs < 2:
		return fmt.Errorf("the data must have at least 2 classes, got %d", c.Outputs)
	case c.Rounds < 0 || c.Rounds > MaxRounds:
		return fmt.Errorf("rounds must be 0..%d, got %d", MaxRounds, c.Rounds)
	case c.Cap < 1 || c.Cap > c.Hidden:
		return fmt.Errorf("cap must be 1..hidden (%d), got %d", c.Hidden, c.Cap)
	case math.IsNaN(float64(c.Eta)) || math.IsInf(float64(c.Eta), 0):
		return fmt.Errorf("eta must be finite, got %v", c.Eta)
	case !(c.EdgeProb >= 0 && c.EdgeProb <= 1):
		return fmt.Errorf("p must be in [0,1], got %v", c.EdgeProb)
	case int(c.Act) >= len(activationNames):
		return fmt.Errorf("invalid activation %d", c.Act)
	case int(c.Drive) >= len(driveNames):
		return fmt.Errorf("invalid drive %d", c.Drive)
	case int(c.Init) >= len(initNames):
		return fmt.Errorf("invalid init %d", c.Init)
	case int(c.Norm) >= len(normNames):
		return fmt.Errorf("invalid norm %d", c.Norm)
	case int(c.Update) >= len(updateNames):
		return fmt.Errorf("invalid update %d", c.Update)
	}
	return c.validateSection10()
}
