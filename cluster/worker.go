package cluster

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"plasticity/data"
	"plasticity/es"
	"plasticity/experiment"
	"plasticity/linalg"
)

// WorkerOptions say how a Worker works.
type WorkerOptions struct {
	// Workers is how many goroutines evaluate candidates (0: all cores).
	Workers int
	// Prefix starts every subject ("" DefaultPrefix).
	Prefix string
	// Beat is how often heartbeats go out (0: 1 s); it must be below the
	// coordinator's Lost.
	Beat time.Duration
	// Stay keeps serving the next run when one ends.
	Stay bool
	// Name tells this worker apart in the coordinator's log ("" host-pid).
	Name string
	// Log receives one line per event.
	Log io.Writer
	// Program is the plasticity binary that runs whole studies (runs of
	// NewStudyCoordinator), each in a process of its own ("" this one).
	Program string
}

// ErrRefused is wrapped by the error of a worker whose fingerprint does not
// match the run's.
var ErrRefused = errors.New("refused")

// Worker evaluates candidates for the coordinators it finds on a NATS
// server.
type Worker struct {
	nc *nats.Conn
	o  WorkerOptions

	run   string // guarded by mu
	fp    Fingerprint
	cands *experiment.Candidates
	ready bool // cands (or, for studies, fp) are those of run fp.Run()

	mu   sync.Mutex
	held []uint64
	done chan string
	wake chan struct{}
}

// NewWorker serves runs over nc.
func NewWorker(nc *nats.Conn, o WorkerOptions) *Worker {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.Beat <= 0 {
		o.Beat = time.Second
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Name == "" {
		host, _ := os.Hostname()
		o.Name = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	return &Worker{nc: nc, o: o, done: make(chan string, 16), wake: make(chan struct{}, 1)}
}

// Serve evaluates candidates until the run it serves ends (with Stay, for
// ever) or stop is closed. It returns an error wrapping ErrRefused when the
// coordinator refuses it.
func (w *Worker) Serve(stop <-chan struct{}) error {
	s1, err := w.nc.Subscribe(w.o.Prefix+"."+subjWake, func(*nats.Msg) { w.poke() })
	if err != nil {
		return err
	}
	defer s1.Unsubscribe()
	s2, err := w.nc.Subscribe(w.o.Prefix+"."+subjDone, func(m *nats.Msg) {
		select {
		case w.done <- string(m.Data):
		default:
		}
		w.poke()
	})
	if err != nil {
		return err
	}
	defer s2.Unsubscribe()
	go w.beats(stop)
	waiting := false
	last := "" // the run served until its coordinator stopped answering
	for {
		if last != "" && !w.o.Stay && w.ended(last) {
			// Its done came after the last unanswered ask.
			fmt.Fprintf(w.o.Log, "cluster: run %s has ended\n", last)
			return nil
		}
		d, err := w.hello(stop)
		if err != nil {
			if errors.Is(err, errStopped) {
				return nil
			}
			if w.nc.IsClosed() {
				if last := w.nc.LastError(); last != nil {
					err = last
				}
				return fmt.Errorf("connection to the NATS server closed: %w", err)
			}
			if !waiting {
				fmt.Fprintf(w.o.Log, "cluster: waiting for a coordinator (%v)\n", err)
				waiting = true
			}
			if sleep(stop, w.o.Beat) {
				return nil
			}
			continue
		}
		waiting = false
		if err := w.join(d); err != nil {
			return err
		}
		ended, err := w.work(stop)
		if err != nil || (ended && !w.o.Stay) {
			return err
		}
		last = ""
		if !ended {
			w.mu.Lock()
			last = w.run
			w.mu.Unlock()
		}
	}
}

// ended reports whether the coordinator said run has ended (done), taking
// the ends of runs it heard of so far.
func (w *Worker) ended(run string) bool {
	for {
		select {
		case r := <-w.done:
			if r == run {
				return true
			}
		default:
			return false
		}
	}
}

var errStopped = errors.New("stopped")

func (w *Worker) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// sleep waits d or until stop is closed (true) or a wake arrives.
func sleep(stop <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-stop:
		return true
	case <-t.C:
		return false
	}
}

func (w *Worker) hello(stop <-chan struct{}) (description, error) {
	select {
	case <-stop:
		return description{}, errStopped
	default:
	}
	m, err := w.nc.Request(w.o.Prefix+"."+subjHello, nil, 2*time.Second)
	if err != nil {
		return description{}, err
	}
	var d description
	return d, decode(m.Data, &d)
}

// join loads the run's data (unless it has them already), builds the
// evaluator and asks to take part.
func (w *Worker) join(d description) error {
	j := join{Run: d.Run, Worker: w.o.Name, Capacity: es.Workers(w.o.Workers)}
	if !w.ready || w.fp.Run() != d.Run {
		w.setRun("")
		cands, fp, err := w.prepare(d)
		if err != nil {
			j.Reason = "here: " + err.Error()
		}
		w.cands, w.fp, w.ready = cands, fp, err == nil
	}
	j.Fingerprint = w.fp
	m, err := w.nc.Request(w.o.Prefix+"."+subjJoin, encode(j), 10*time.Second)
	if err != nil {
		return fmt.Errorf("joining run %s: %w", d.Run, err)
	}
	var ok joined
	if err := decode(m.Data, &ok); err != nil {
		return err
	}
	if ok.Refused != "" {
		return fmt.Errorf("%w by the coordinator of run %s: %s", ErrRefused, d.Run, ok.Refused)
	}
	w.setRun(d.Run)
	fmt.Fprintf(w.o.Log, "cluster: joined run %s (%s, %d goroutines)\n", d.Run, d.Data.Name, j.Capacity)
	return nil
}

func (w *Worker) setRun(run string) {
	w.mu.Lock()
	w.run = run
	w.mu.Unlock()
}

// prepare reads the run's options, loads its data and returns the
// evaluator and this process's fingerprint of the run.
func (w *Worker) prepare(d description) (*experiment.Candidates, Fingerprint, error) {
	if d.Kind == kindStudy {
		fp, err := w.prepareStudy(d)
		return nil, fp, err
	}
	var o experiment.ESOptions
	dec := json.NewDecoder(bytes.NewReader([]byte(d.Fingerprint.Options)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return nil, Fingerprint{}, fmt.Errorf("the run's options: %w", err)
	}
	ds, err := data.Load(d.Data.Spec(d.Data.DataSeed, w.o.Log))
	if err != nil {
		return nil, Fingerprint{}, err
	}
	// A run with -tasks N lives generation g on one of N draws: load them
	// all, as the coordinator did.
	n, err := d.Data.Draws()
	if err != nil {
		return nil, Fingerprint{}, err
	}
	var more []data.Dataset
	for k := 1; k < n; k++ {
		dk, err := data.Load(d.Data.Spec(d.Data.DataSeed+uint64(k), w.o.Log))
		if err != nil {
			return nil, Fingerprint{}, err
		}
		more = append(more, dk)
	}
	if d.Fingerprint.Kernel != linalg.Kernel() {
		// Use the run's kernel if this machine has it; if not, the
		// fingerprints differ and the coordinator refuses this worker.
		linalg.SetKernel(d.Fingerprint.Kernel)
	}
	fp, err := NewFingerprint(o, ds)
	if err != nil {
		return nil, fp, err
	}
	o.Workers = w.o.Workers
	cands, err := experiment.NewCandidates(o, ds, more...)
	return cands, fp, err
}

// prepareStudy loads draw 0 of a run of studies' data and returns this
// process's fingerprint of the run.
func (w *Worker) prepareStudy(d description) (Fingerprint, error) {
	var args map[string][]string
	if err := json.Unmarshal([]byte(d.Fingerprint.Options), &args); err != nil || args["study"] == nil {
		return Fingerprint{}, errors.New("the run's command line does not read back here (another version of plasticity?)")
	}
	ds, err := data.Load(d.Data.Spec(d.Data.DataSeed, w.o.Log))
	if err != nil {
		return Fingerprint{}, err
	}
	// The studies run in processes of their own, on this machine's
	// default kernel: no switching to the run's.
	return StudyFingerprint(args["study"], ds), nil
}

// work asks for chunks and evaluates them until the run ends (true) or its
// coordinator is gone (false). While it evaluates a chunk of candidates it
// asks for the next one (prefetch, at most one chunk in reserve), so that
// its cores do not wait a round trip between the chunks of a Work. A study
// takes hours and every core: no study is asked for in advance.
func (w *Worker) work(stop <-chan struct{}) (bool, error) {
	a := encode(ask{Run: w.run, Worker: w.o.Name, Capacity: es.Workers(w.o.Workers)})
	var next *fetched // the reserve, already received
	defer func() {
		// A reserve left unevaluated must not look held to the coordinator.
		w.mu.Lock()
		w.held = w.held[:0]
		w.mu.Unlock()
	}()
	for {
		select {
		case <-stop:
			return true, nil
		case r := <-w.done:
			if r == w.run {
				fmt.Fprintf(w.o.Log, "cluster: run %s has ended\n", r)
				return true, nil
			}
			continue
		default:
		}
		f := next
		if next = nil; f == nil {
			f = w.ask(a)
		}
		if f.err != nil || f.ch.Status == statusHello {
			return false, f.decodeErr
		}
		if f.ch.Status == statusIdle {
			w.idle(stop)
			continue
		}
		var reserve chan *fetched
		if f.ch.Studies == nil {
			reserve = make(chan *fetched, 1)
			go func() { reserve <- w.ask(a) }()
		}
		err := w.evaluate(f.ch)
		if reserve != nil {
			// "Idle" was true before this chunk's scores went: ask again.
			if r := <-reserve; r.err != nil || r.ch.Status != statusIdle {
				next = r
			}
		}
		if err != nil {
			return false, err
		}
	}
}

// fetched is the answer to an ask: a chunk, or the error of the request
// (err; decodeErr when the answer did not decode).
type fetched struct {
	ch             chunk
	err, decodeErr error
}

// ask asks the coordinator for a chunk; a chunk received is held (its
// heartbeats list it) until evaluate has sent its scores.
func (w *Worker) ask(a []byte) *fetched {
	m, err := w.nc.Request(w.o.Prefix+"."+subjAsk, a, 5*time.Second)
	if err != nil {
		return &fetched{err: err}
	}
	f := &fetched{}
	if err := decode(m.Data, &f.ch); err != nil {
		f.err, f.decodeErr = err, err
		return f
	}
	if f.ch.Status == statusWork {
		w.mu.Lock()
		w.held = append(w.held, f.ch.ID)
		w.mu.Unlock()
	}
	return f
}

// idle waits for a wake, the run's end, or a while.
func (w *Worker) idle(stop <-chan struct{}) {
	t := time.NewTimer(w.o.Beat)
	defer t.Stop()
	select {
	case <-w.wake:
	case <-stop:
	case <-t.C:
	}
}

// evaluate scores a chunk, sends the scores back and lets go of it.
func (w *Worker) evaluate(ch chunk) error {
	defer func() {
		w.mu.Lock()
		w.held = slices.DeleteFunc(w.held, func(id uint64) bool { return id == ch.ID })
		w.mu.Unlock()
	}()
	r := result{Run: w.run, Worker: w.o.Name, ID: ch.ID, Job: ch.Job, Index: ch.Index}
	if ch.Studies != nil {
		for _, s := range ch.Studies {
			fmt.Fprintf(w.o.Log, "cluster: study plasticity run %s\n", strings.Join(s.Args, " "))
			r.Studies = append(r.Studies, RunStudy(s, w.o.Program, true, w.o.Log))
		}
	} else {
		var err error
		if r.Scores, err = w.cands.Evaluate(ch.work()); err != nil {
			return fmt.Errorf("generation %d: %w", ch.Generation, err)
		}
	}
	return w.nc.Publish(w.o.Prefix+"."+subjResult, encode(r))
}

// beats sends a heartbeat every Beat until stop is closed.
func (w *Worker) beats(stop <-chan struct{}) {
	t := time.NewTicker(w.o.Beat)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		w.mu.Lock()
		b := beat{Run: w.run, Worker: w.o.Name, Chunks: append([]uint64(nil), w.held...)}
		w.mu.Unlock()
		if b.Run != "" {
			w.nc.Publish(w.o.Prefix+"."+subjBeat, encode(b))
		}
	}
}
