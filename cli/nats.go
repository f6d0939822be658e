package cli

import (
	"flag"
	"strings"

	"plasticity/cluster"
)

// natsFlags spread an ES run's candidates over worker processes through a
// NATS server (package cluster).
type natsFlags struct {
	url, creds   string
	localWorkers int
}

func (n *natsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&n.url, "nats", "", "ES: evaluate candidates on the workers of this NATS server (nats://[user:pass@]host:port, tls://..., "+
		"or embedded[:HOST:PORT] to start one here); results do not depend on it")
	fs.StringVar(&n.creds, "nats-creds", "", "NATS credentials file (a token may also come from $"+cluster.TokenEnv+")")
	fs.IntVar(&n.localWorkers, "local-workers", -1, "with -nats: goroutines of this process that evaluate candidates beside the workers (-1: all cores, 0: none)")
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
