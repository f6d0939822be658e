package cluster

import (
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
)

// The coordinator's answers to the workers' messages. Each runs on the
// connection's goroutine for its subject; c.mu orders them.

func (c *Coordinator) onHello(m *nats.Msg) { m.Respond(c.hello) }

func (c *Coordinator) onJoin(m *nats.Msg) {
	var j join
	if decode(m.Data, &j) != nil {
		return
	}
	why := j.Reason
	if why == "" && j.Run != c.run {
		why = "it joined another run"
	}
	if why == "" {
		why = c.fp.Mismatch(j.Fingerprint)
	}
	c.mu.Lock()
	if why != "" {
		fmt.Fprintf(c.o.Log, "cluster: worker %s refused: %s\n", j.Worker, why)
	} else {
		c.workers[j.Worker] = &remote{capacity: j.Capacity, beat: time.Now()}
		fmt.Fprintf(c.o.Log, "cluster: worker %s joined (-workers %d)\n", j.Worker, j.Capacity)
		c.unstall(j.Worker)
	}
	c.mu.Unlock()
	m.Respond(encode(joined{Refused: why}))
}

// unstall notes that a worker is there again after a stall. c.mu is held.
func (c *Coordinator) unstall(worker string) {
	if c.stalled {
		c.stalled = false
		fmt.Fprintf(c.o.Log, "cluster: worker %s is here; continuing\n", worker)
	}
}

func (c *Coordinator) onAsk(m *nats.Msg) {
	var a ask
	if decode(m.Data, &a) != nil {
		return
	}
	c.mu.Lock()
	r := c.workers[a.Worker]
	answer := &chunk{Status: statusHello}
	if a.Run == c.run && r != nil {
		c.alive(a.Worker, r)
		answer = c.take(c.job, a.Worker, a.Capacity)
		if answer == nil {
			answer = &chunk{Status: statusIdle}
		}
	}
	c.mu.Unlock()
	m.Respond(encode(answer))
}

// alive notes a sign of life from worker r. c.mu is held.
func (c *Coordinator) alive(id string, r *remote) {
	r.beat = time.Now()
	if r.lost {
		r.lost = false
		fmt.Fprintf(c.o.Log, "cluster: worker %s is back\n", id)
	}
	c.unstall(id)
}

func (c *Coordinator) onBeat(m *nats.Msg) {
	var b beat
	if decode(m.Data, &b) != nil || b.Run != c.run {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.workers[b.Worker]
	if r == nil {
		return
	}
	c.alive(b.Worker, r)
	// A chunk handed out a while ago that the worker does not hold never
	// reached it (its request had timed out): back to the queue.
	old := time.Now().Add(-c.o.Lost)
	n := c.requeue(c.job, func(h *handout) bool {
		return h.worker == b.Worker && h.at.Before(old) && !slices.ContainsFunc(b.Chunks, func(id uint64) bool {
			return c.job.out[id] == h
		})
	})
	if n > 0 {
		c.nc.Publish(c.o.Prefix+"."+subjWake, []byte(c.run))
	}
}

func (c *Coordinator) onResult(m *nats.Msg) {
	var r result
	if decode(m.Data, &r) != nil || r.Run != c.run {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if w := c.workers[r.Worker]; w != nil {
		c.alive(r.Worker, w)
	}
	c.deliver(r.Job, r.ID, r.Index, r.Scores, r.Studies)
}
