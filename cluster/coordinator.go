package cluster

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"plasticity/data"
	"plasticity/es"
	"plasticity/experiment"
	"plasticity/model"
)

// CoordinatorOptions say how a Coordinator works.
type CoordinatorOptions struct {
	// LocalWorkers is how many goroutines of this process evaluate
	// candidates beside the workers: -1 all cores, 0 none.
	LocalWorkers int
	// Prefix starts every subject ("" DefaultPrefix).
	Prefix string
	// Beat is how often workers send heartbeats and Lost how long without
	// one makes a worker lost (0: 1 s and 5 s). Neither bounds how long a
	// lifetime may take.
	Beat, Lost time.Duration
	// Log receives one line per event (workers joining, lost, refused).
	Log io.Writer
	// URL is how the log names the server (redacted).
	URL string
	// Program is the plasticity binary that runs the studies of a
	// coordinator of studies (NewStudyCoordinator) here ("" this one).
	Program string
}

// Coordinator is an experiment.Evaluator that hands the candidates of each
// Work out in chunks to the workers on a NATS server and to its own
// goroutines, and gathers their scores.
type Coordinator struct {
	nc      *nats.Conn
	o       CoordinatorOptions
	fp      Fingerprint
	run     string
	kind    string // description.Kind
	hello   []byte
	local   *experiment.Candidates
	localMu sync.Mutex // one local evaluation at a time
	subs    []*nats.Subscription

	mu      sync.Mutex
	workers map[string]*remote
	job     *job
	seq     uint64 // the last chunk's and job's numbers
	stalled bool
	failed  chan struct{}
	err     error
}

// remote is a worker as the coordinator knows it.
type remote struct {
	capacity int
	beat     time.Time
	lost     bool
}

// job is one Work being evaluated.
type job struct {
	id     uint64
	w      experiment.Work
	queue  []int // candidates not handed out (some may be scored since)
	out    map[uint64]*handout
	per    int // scores per candidate (experiment.ScoresPer)
	scores []model.Score
	// studies, when not nil, are the job's items in place of candidates,
	// and results their results.
	studies []Study
	results []StudyResult
	got     []bool
	left    int
	done    chan struct{}
}

// handout is a chunk a worker holds.
type handout struct {
	worker string
	index  []int
	at     time.Time
}

// NewCoordinator serves the run o on ds over nc. Close ends it.
func NewCoordinator(nc *nats.Conn, o experiment.ESOptions, ds data.Dataset, co CoordinatorOptions, more ...data.Dataset) (*Coordinator, error) {
	co = co.withDefaults()
	o.Evaluator, o.Log, o.Stop = nil, nil, nil
	fp, err := NewFingerprint(o, ds)
	if err != nil {
		return nil, err
	}
	var local *experiment.Candidates
	if co.LocalWorkers != 0 {
		lo := o
		lo.Workers = max(co.LocalWorkers, 0)
		if local, err = experiment.NewCandidates(lo, ds, more...); err != nil {
			return nil, err
		}
	}
	return serve(nc, co, description{Fingerprint: fp, Data: o.Data}, local)
}

// serve answers the workers of the run d describes over nc.
func serve(nc *nats.Conn, co CoordinatorOptions, d description, local *experiment.Candidates) (*Coordinator, error) {
	c := &Coordinator{nc: nc, o: co, fp: d.Fingerprint, run: d.Fingerprint.Run(), workers: map[string]*remote{},
		failed: make(chan struct{}), local: local, kind: d.Kind}
	d.Run = c.run
	c.hello = encode(d)
	handlers := map[string]nats.MsgHandler{subjHello: c.onHello, subjJoin: c.onJoin, subjAsk: c.onAsk,
		subjBeat: c.onBeat, subjResult: c.onResult}
	names := []string{subjHello, subjJoin, subjAsk, subjBeat, subjResult}
	for _, s := range names {
		sub, err := nc.Subscribe(co.Prefix+"."+s, handlers[s])
		if err != nil {
			c.Close()
			return nil, err
		}
		c.subs = append(c.subs, sub)
	}
	if err := nc.Flush(); err != nil {
		c.Close()
		return nil, fmt.Errorf("subscribing on %s: %w", co.URL, err)
	}
	return c, nil
}

func (co CoordinatorOptions) withDefaults() CoordinatorOptions {
	if co.Prefix == "" {
		co.Prefix = DefaultPrefix
	}
	if co.Beat <= 0 {
		co.Beat = time.Second
	}
	if co.Lost <= 0 {
		co.Lost = 5 * co.Beat
	}
	if co.Log == nil {
		co.Log = io.Discard
	}
	return co
}

// Run is the run's short name, as workers see it.
func (c *Coordinator) Run() string { return c.run }

// Fail makes Evaluate return err from now on (the connection is lost).
func (c *Coordinator) Fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
		close(c.failed)
	}
}

// Close tells the workers the run is over and stops serving it.
func (c *Coordinator) Close() {
	if !c.nc.IsClosed() {
		c.nc.Publish(c.o.Prefix+"."+subjDone, []byte(c.run))
		c.nc.Flush()
	}
	for _, s := range c.subs {
		s.Unsubscribe()
	}
}

// EvaluatesTests says that a run's test measurements and final scores go
// to the workers too: when this process evaluates no candidates itself
// (LocalWorkers 0).
func (c *Coordinator) EvaluatesTests() bool { return c.local == nil }

// Evaluate scores w's candidates on the workers and the local goroutines.
func (c *Coordinator) Evaluate(w experiment.Work) ([]model.Score, error) {
	per := experiment.ScoresPer(w.Part)
	j := &job{w: w, per: per, scores: make([]model.Score, per*len(w.Pop))}
	if err := c.runJob(j, len(w.Pop)); err != nil {
		return nil, err
	}
	return j.scores, nil
}

// runJob hands out the n items of j until all are done or the coordinator
// fails.
func (c *Coordinator) runJob(j *job, n int) error {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return c.err
	}
	c.seq++
	j.id, j.out, j.got, j.left, j.done = c.seq, map[uint64]*handout{}, make([]bool, n), n, make(chan struct{})
	for i := range n {
		j.queue = append(j.queue, i)
	}
	if j.left == 0 {
		close(j.done)
	}
	c.job = j
	c.mu.Unlock()
	c.nc.Publish(c.o.Prefix+"."+subjWake, []byte(c.run))
	if c.hasLocal() {
		go c.runLocal(j)
	}
	tick := time.NewTicker(c.o.Beat / 2)
	defer tick.Stop()
	for {
		select {
		case <-j.done:
			return nil
		case <-c.failed:
			return c.err
		case <-tick.C:
			c.check(j)
		}
	}
}

// hasLocal says whether this process evaluates a share of the work.
func (c *Coordinator) hasLocal() bool {
	return c.local != nil || (c.kind == kindStudy && c.o.LocalWorkers != 0)
}

// runLocal evaluates chunks of j in this process until none is left.
func (c *Coordinator) runLocal(j *job) {
	c.localMu.Lock()
	defer c.localMu.Unlock()
	capacity := es.Workers(c.o.LocalWorkers)
	for {
		c.mu.Lock()
		ch := c.take(j, "", capacity)
		c.mu.Unlock()
		if ch == nil {
			return
		}
		var scores []model.Score
		var studies []StudyResult
		var err error
		if ch.Studies != nil {
			for _, s := range ch.Studies {
				studies = append(studies, RunStudy(s, c.o.Program, false, c.o.Log))
			}
		} else {
			scores, err = c.local.Evaluate(ch.work())
		}
		if err != nil {
			c.Fail(fmt.Errorf("local evaluation: %w", err))
			return
		}
		c.mu.Lock()
		c.deliver(ch.Job, ch.ID, ch.Index, scores, studies)
		c.mu.Unlock()
	}
}

// chunkCores is how many candidates per core of a worker a chunk may hold.
// Before workers prefetched their next chunk, every chunk cost its worker's
// cores a round trip of idleness: a chunk of one candidate per core made that
// 10.6% of an MNIST-recipe generation on an idle machine, two per core 4.5%.
// With prefetch, one candidate per core cost more CPU (more chunks, each
// with its messages) and gained no wall clock that the measurement could
// tell from the noise (docs/distributed.md), so chunks keep two.
const chunkCores = 2

// take hands the next candidates of j to worker ("" the local goroutines),
// at most chunkCores times its capacity and about an even share; nil when
// none is left. c.mu is held.
func (c *Coordinator) take(j *job, worker string, capacity int) *chunk {
	if j == nil || j.left == 0 {
		return nil
	}
	share := (len(j.got) + c.participants() - 1) / c.participants()
	n := max(1, min(chunkCores*capacity, share))
	if j.studies != nil {
		n = 1 // a study takes a worker's every core
	}
	var idx []int
	rest := j.queue[:0]
	for _, i := range j.queue {
		switch {
		case j.got[i]:
		case len(idx) < n:
			idx = append(idx, i)
		default:
			rest = append(rest, i)
		}
	}
	j.queue = rest
	if len(idx) == 0 {
		return nil
	}
	c.seq++
	ch := &chunk{Status: statusWork, Run: c.run, ID: c.seq, Job: j.id, Generation: j.w.Generation, Part: j.w.Part, Index: idx}
	for _, i := range idx {
		if j.studies != nil {
			ch.Studies = append(ch.Studies, j.studies[i])
			continue
		}
		ch.Pop = append(ch.Pop, j.w.Pop[i])
		if j.w.Index != nil {
			ch.Lifetimes = append(ch.Lifetimes, j.w.Index[i])
		}
	}
	j.out[ch.ID] = &handout{worker: worker, index: idx, at: time.Now()}
	return ch
}

// participants counts the live workers and the local goroutines, at least 1.
func (c *Coordinator) participants() int {
	n := 0
	if c.hasLocal() {
		n++
	}
	for _, r := range c.workers {
		if !r.lost {
			n++
		}
	}
	return max(n, 1)
}

// deliver records the scores (or the studies' results) of chunk id of job;
// those of candidates already scored (a late duplicate) are ignored. c.mu
// is held.
func (c *Coordinator) deliver(jobID, id uint64, index []int, scores []model.Score, studies []StudyResult) {
	j := c.job
	if j == nil || j.id != jobID || (j.studies == nil && len(index)*j.per != len(scores)) ||
		(j.studies != nil && len(index) != len(studies)) {
		return
	}
	delete(j.out, id)
	for k, i := range index {
		if i < 0 || i >= len(j.got) || j.got[i] {
			continue
		}
		if j.studies != nil {
			j.results[i] = studies[k]
		} else {
			copy(j.scores[i*j.per:(i+1)*j.per], scores[k*j.per:])
		}
		j.got[i] = true
		j.left--
		if j.left == 0 {
			close(j.done)
		}
	}
}

// check finds the workers whose heartbeats stopped, puts their chunks back
// in the queue, and says when no one is left to evaluate them.
func (c *Coordinator) check(j *job) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	back := false
	for id, r := range c.workers {
		if !r.lost && now.Sub(r.beat) > c.o.Lost {
			r.lost = true
			chunks := 0 // the one it was evaluating and the one in reserve
			n := c.requeue(j, func(h *handout) bool {
				if h.worker == id {
					chunks++
				}
				return h.worker == id
			})
			fmt.Fprintf(c.o.Log, "cluster: worker %s lost (no heartbeat for %v); %d candidates (%d chunks) go back to the queue\n",
				id, c.o.Lost, n, chunks)
			back = back || n > 0
		}
	}
	if back {
		c.nc.Publish(c.o.Prefix+"."+subjWake, []byte(c.run))
	}
	if j.left > 0 && !c.hasLocal() && c.participants() == 1 && c.live() == 0 && !c.stalled {
		c.stalled = true
		fmt.Fprintf(c.o.Log, "cluster: no worker to evaluate candidates; waiting for one to join (plasticity worker -nats %s)\n", c.o.URL)
	}
}

func (c *Coordinator) live() int {
	n := 0
	for _, r := range c.workers {
		if !r.lost {
			n++
		}
	}
	return n
}

// requeue puts the chunks of j that lost says are lost back at the head of
// the queue and returns how many candidates that was. c.mu is held.
func (c *Coordinator) requeue(j *job, lost func(*handout) bool) int {
	if j == nil {
		return 0
	}
	var idx []int
	for id, h := range j.out {
		if lost(h) {
			for _, i := range h.index {
				if !j.got[i] {
					idx = append(idx, i)
				}
			}
			delete(j.out, id)
		}
	}
	sort.Ints(idx)
	j.queue = append(idx, j.queue...)
	return len(idx)
}

var errNotOurs = errors.New("another run")
