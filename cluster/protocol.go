// Package cluster spreads the candidates of an ES run over worker processes
// through a NATS server: a Coordinator (an experiment.Evaluator) hands out
// chunks of each generation's candidates and collects their scores; a Worker
// evaluates them with the same code as a local run. Scores depend only on
// the seed, the generation, the part and the genotype, so the run's results
// are those of a local run whoever computes them.
//
// The protocol is pull: a worker asks the coordinator for work
// (request/reply) when it starts a chunk, so a chunk is only ever handed to
// a worker that evaluates it at once or right after its current one (the
// one chunk it holds in reserve); workers send heartbeats while alive
// listing the chunks they hold, and the chunks of a worker whose heartbeats
// stop go back to the queue. Answers for candidates already scored are
// ignored.
package cluster

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"

	"plasticity/data"
	"plasticity/experiment"
	"plasticity/linalg"
	"plasticity/model"
)

// The subjects of the protocol. One run is served per NATS server (or
// account); Prefix can set them apart.
const (
	subjHello     = "hello"  // request: which run? reply: a description
	subjJoin      = "join"   // request: a worker's fingerprint; reply: accepted or why not
	subjAsk       = "ask"    // request: work for an idle worker; reply: a chunk or none
	subjBeat      = "beat"   // publish: a worker is alive and holds these chunks
	subjResult    = "result" // publish: the scores of a chunk
	subjWake      = "wake"   // publish: the coordinator has new work
	subjDone      = "done"   // publish: the run has ended
	DefaultPrefix = "plasticity"
)

// Fingerprint is what a worker must match to evaluate a run's candidates
// exactly as its coordinator would.
type Fingerprint struct {
	// Options is the run's ES options as JSON (workers, log and evaluator
	// left out).
	Options string
	// Genotype is the length of a candidate's genotype.
	Genotype int
	// Data is the SHA-256 of the data set (experiment.DataHash).
	Data string
	// Arch and Kernel are GOARCH and the linalg kernel in use: assembly and
	// pure-Go sums differ in their last bits.
	Arch, Kernel string
}

// NewFingerprint returns the fingerprint of the run o on ds in this process.
func NewFingerprint(o experiment.ESOptions, ds data.Dataset) (Fingerprint, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return Fingerprint{}, err
	}
	rounds := o.Model.Rounds
	return Fingerprint{Options: string(b), Genotype: model.GenotypeLen(rounds), Data: experiment.DataHash(ds),
		Arch: runtime.GOARCH, Kernel: linalg.Kernel()}, nil
}

// Run is a short name of the run the fingerprint describes.
func (f Fingerprint) Run() string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%q %d %s %s %s", f.Options, f.Genotype, f.Data, f.Arch, f.Kernel)))
	return hex.EncodeToString(h[:6])
}

// Mismatch says how a worker's fingerprint w differs from the run's f, ""
// when it does not.
func (f Fingerprint) Mismatch(w Fingerprint) string {
	short := func(s string) string { return s[:min(len(s), 12)] }
	switch {
	case w.Options != f.Options:
		return "the run's options do not read back the same here (another version of plasticity?)"
	case w.Genotype != f.Genotype:
		return fmt.Sprintf("genotypes of %d entries here, %d in the run", w.Genotype, f.Genotype)
	case w.Data != f.Data:
		return fmt.Sprintf("the data set differs (sha256 %s… here, %s… in the run)", short(w.Data), short(f.Data))
	case w.Arch != f.Arch:
		return fmt.Sprintf("GOARCH %s here, %s in the run", w.Arch, f.Arch)
	case w.Kernel != f.Kernel:
		return fmt.Sprintf("linalg kernel %s here, %s in the run", w.Kernel, f.Kernel)
	}
	return ""
}

// description is the coordinator's answer to hello: the run a worker is
// asked to join.
type description struct {
	// Kind is "" for ES candidates, "study" for whole studies.
	Kind        string
	Run         string
	Fingerprint Fingerprint
	Data        experiment.DataSpec
}

// join is a worker's request to take part in a run. Reason, when not "",
// says why the worker cannot (its data did not load).
type join struct {
	Run, Worker string
	Capacity    int
	Fingerprint Fingerprint
	Reason      string
}

// joined is the coordinator's answer to a join: "" accepted, else why not.
type joined struct{ Refused string }

// ask is an idle worker's request for work.
type ask struct {
	Run, Worker string
	Capacity    int
}

// The statuses of an answer to ask.
const (
	statusWork  = "work"  // here is a chunk
	statusIdle  = "idle"  // nothing now: wait for wake
	statusHello = "hello" // unknown run or worker: say hello and join again
)

// chunk is a share of one Work handed to one worker.
type chunk struct {
	Status     string
	Run        string
	ID         uint64
	Job        uint64
	Generation int
	Part       string
	Index      []int
	Pop        [][]float32
	// Lifetimes are the Work's Index of the candidates (experiment.PartScore).
	Lifetimes []int
	// Studies, in a run of studies, are the chunk's items (one).
	Studies []Study
}

// work is the experiment.Work of the chunk's candidates.
func (ch *chunk) work() experiment.Work {
	return experiment.Work{Generation: ch.Generation, Part: ch.Part, Pop: ch.Pop, Index: ch.Lifetimes}
}

// beat says a worker is alive and which chunks it holds.
type beat struct {
	Run, Worker string
	Chunks      []uint64
}

// result carries the scores of a chunk, in the order of its Index
// (experiment.ScoresPer of them for each).
type result struct {
	Run, Worker string
	ID, Job     uint64
	Index       []int
	Scores      []model.Score
	Studies     []StudyResult
}

// encode and decode are the wire format: gob, which keeps NaN and the
// last bit of every float.
func encode(v any) []byte {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		panic(fmt.Sprintf("cluster: encoding %T: %v", v, err)) // only our own types are encoded
	}
	return b.Bytes()
}

func decode(b []byte, v any) error {
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(v); err != nil {
		return fmt.Errorf("cluster: a malformed %T message: %w", v, err)
	}
	return nil
}
