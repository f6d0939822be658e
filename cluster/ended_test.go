package cluster

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"plasticity/data"
	"plasticity/experiment"
)

// TestDoneAfterUnansweredAsk: a worker whose last ask went unanswered
// because its coordinator was ending, and which hears the run's done only
// then, leaves instead of waiting for a coordinator for ever.
func TestDoneAfterUnansweredAsk(t *testing.T) {
	emb, err := StartEmbedded("embedded")
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Shutdown()
	coord, err := Connect(Dial{URL: emb.URL, Grace: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer coord.Close()
	spec := experiment.DataSpec{Name: "synthetic", Standardize: true}
	ds, err := data.Load(spec.Spec(0, nil))
	if err != nil {
		t.Fatal(err)
	}
	fp := StudyFingerprint([]string{"-seeds=1"}, ds)
	var subs []*nats.Subscription
	sub := func(s string, f nats.MsgHandler) {
		x, err := coord.Subscribe(DefaultPrefix+"."+s, f)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, x)
	}
	sub(subjHello, func(m *nats.Msg) {
		m.Respond(encode(description{Kind: kindStudy, Run: fp.Run(), Fingerprint: fp, Data: spec}))
	})
	sub(subjJoin, func(m *nats.Msg) { m.Respond(encode(joined{})) })
	// The first ask finds the coordinator ending: no answer, no more
	// subscriptions, and its done a moment later.
	sub(subjAsk, func(*nats.Msg) {
		for _, s := range subs {
			s.Unsubscribe()
		}
		time.AfterFunc(200*time.Millisecond, func() { coord.Publish(DefaultPrefix+"."+subjDone, []byte(fp.Run())) })
	})
	wc, err := Connect(Dial{URL: emb.URL, Grace: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer wc.Close()
	stop := make(chan struct{})
	served := make(chan error, 1)
	go func() { served <- NewWorker(wc, WorkerOptions{Beat: 100 * time.Millisecond}).Serve(stop) }()
	select {
	case err := <-served:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		close(stop)
		t.Fatal("the worker still waits for a coordinator 15 s after its run ended")
	}
}
