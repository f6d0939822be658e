package cli

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"plasticity/cluster"
	"plasticity/rundir"
)

// natsFlags spread an ES run's candidates over worker processes through a
// NATS server (package cluster).
type natsFlags struct {
	url, creds   string
	localWorkers int
}

func (n *natsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&n.url, "nats", "", "ES: evaluate candidates on the workers of this NATS server (nats://[user:pass@]host:port, tls://..., "+
		"or embedded[:HOST:PORT] to start one here); run -seeds N sends them whole seeds; results do not depend on it")
	fs.StringVar(&n.creds, "nats-creds", "", "NATS credentials file (a token may also come from $"+cluster.TokenEnv+")")
	fs.IntVar(&n.localWorkers, "local-workers", -1, "with -nats: goroutines of this process that evaluate candidates beside the workers (-1: all cores, 0: none, and the test "+
		"measurements and final scores go to the workers too; run -seeds: any but 0 runs seeds here too)")
}

// redactArgs returns a command line with the credentials of every -nats URL
// replaced, as config.json records it.
func redactArgs(args []string) []string {
	out := append([]string(nil), args...)
	for i, a := range out {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "nats" {
			continue
		}
		if hasValue {
			out[i] = a[:len(a)-len(value)] + cluster.Redact(value)
		} else if i+1 < len(out) {
			out[i+1] = cluster.Redact(out[i+1])
		}
	}
	return out
}

// natsConn is a coordinator's connection to its NATS server, which it may
// run itself (-nats embedded).
type natsConn struct {
	nc     *nats.Conn
	show   string // the server, as the log names it
	emb    *cluster.Embedded
	coord  atomic.Pointer[cluster.Coordinator]
	ending atomic.Bool
}

// connect reaches the server -nats names, starting it with -nats embedded,
// when it also says how workers join and writes its address to dir/nats-url
// (dir "" none). Losing the server fails the coordinator that serve gives.
func (n natsFlags) connect(dir string, stderr io.Writer) (*natsConn, error) {
	c := &natsConn{show: cluster.Redact(n.url)}
	url := n.url
	if cluster.IsEmbedded(n.url) {
		var err error
		if c.emb, err = cluster.StartEmbedded(n.url); err != nil {
			return nil, badInput("-nats: %v", err)
		}
		url, c.show = c.emb.URL, c.emb.Public
		fmt.Fprintf(stderr, "NATS server at %s; workers join with: plasticity worker -nats %s\n", c.emb.Public, c.emb.Join)
		if dir != "" {
			if err := rundir.WriteFileAtomic(filepath.Join(dir, rundir.NATSURL), []byte(c.emb.Public+"\n")); err != nil {
				c.emb.Shutdown()
				return nil, err
			}
		}
	}
	var err error
	c.nc, err = cluster.Connect(cluster.Dial{URL: url, Creds: n.creds, Name: "plasticity coordinator", Grace: 5 * time.Second,
		Disconnected: func() {
			if !c.ending.Load() {
				fmt.Fprintf(stderr, "cluster: lost the NATS server %s; retrying for 5 s\n", c.show)
			}
		},
		Closed: func() {
			if co := c.coord.Load(); co != nil {
				co.Fail(fmt.Errorf("lost the NATS server %s", c.show))
			}
		}})
	if err != nil {
		if c.emb != nil {
			c.emb.Shutdown()
		}
		return nil, inputError{err}
	}
	return c, nil
}

// serve makes co the coordinator that losing the server fails.
func (c *natsConn) serve(co *cluster.Coordinator) { c.coord.Store(co) }

// close ends the coordinator, the connection and the embedded server.
func (c *natsConn) close() {
	c.ending.Store(true)
	if co := c.coord.Load(); co != nil {
		co.Close()
	}
	c.nc.Close()
	if c.emb != nil {
		c.emb.Shutdown()
	}
}
