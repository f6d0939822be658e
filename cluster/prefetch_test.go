package cluster

import (
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"plasticity/data"
	"plasticity/experiment"
	"plasticity/model"
)

// TestWorkerPrefetches: a worker asks for its next chunk before it sends
// the scores of the one it evaluates (it holds one in reserve), and the
// scores a coordinator gathers from it are a local evaluation's. A chunk
// takes milliseconds here, so the reserve's ask is out long before. Without
// prefetch the worker sends ask, result, ask, result: the test fails.
func TestWorkerPrefetches(t *testing.T) {
	t.Setenv(TokenEnv, "")
	spec := experiment.DataSpec{Name: "synthetic", Standardize: true}
	ds, err := data.Load(spec.Spec(0, nil))
	if err != nil {
		t.Fatal(err)
	}
	o := experiment.DefaultES(experiment.Options{Model: model.Config{Rounds: 0, Hidden: 200, Cap: 20, Eta: 0.01, EdgeProb: 1},
		Seed: 1, Batch: 1000, EvalLifetimes: 1})
	o.Data = spec
	emb, err := StartEmbedded("embedded")
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Shutdown()
	conn := func() *nats.Conn {
		nc, err := Connect(Dial{URL: emb.URL, Grace: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		return nc
	}
	c, err := NewCoordinator(conn(), o, ds, CoordinatorOptions{LocalWorkers: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// What the worker sends, in the order it sends it.
	var mu sync.Mutex
	var seen []string
	if _, err := conn().Subscribe(DefaultPrefix+".*", func(m *nats.Msg) {
		mu.Lock()
		seen = append(seen, m.Subject[len(DefaultPrefix)+1:])
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go NewWorker(conn(), WorkerOptions{Workers: 1, Name: "w"}).Serve(stop)
	rng := rand.New(rand.NewPCG(1, 2))
	pop := make([][]float32, 8) // 4 chunks of 2 for a worker of one core
	for i := range pop {
		pop[i] = make([]float32, model.GenotypeLen(0))
		for k := range pop[i] {
			pop[i][k] = float32(rng.NormFloat64() * 0.1)
		}
	}
	work := experiment.Work{Generation: 3, Part: "batch", Pop: pop}
	got, err := c.Evaluate(work)
	if err != nil {
		t.Fatal(err)
	}
	local, err := experiment.NewCandidates(o, ds)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := local.Evaluate(work); !reflect.DeepEqual(got, want) {
		t.Errorf("the worker's scores differ from a local evaluation's")
	}
	mu.Lock()
	defer mu.Unlock()
	// Without prefetch a chunk's scores always come before the ask for the
	// next chunk; with it, the ask is sent while the chunk runs. That is a
	// race in principle (a loaded machine may run the whole chunk before
	// the asking goroutine), so one of the four chunks asked ahead suffices.
	asks, results, ahead := 0, 0, 0
	for _, s := range seen {
		switch s {
		case subjAsk:
			asks++
		case subjResult:
			if asks >= results+2 {
				ahead++
			}
			results++
		}
	}
	if results != 4 {
		t.Errorf("%d results, want 4 chunks: %v", results, seen)
	}
	if ahead == 0 {
		t.Errorf("every chunk's scores came before the worker asked for the next one: %v", seen)
	}
}
