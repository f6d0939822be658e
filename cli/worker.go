package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/nats-io/nats.go"

	"plasticity/cluster"
)

// cmdWorker evaluates the candidates of the ES runs coordinated on a NATS
// server (plasticity train -nats).
func cmdWorker(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("worker")
	url := fs.String("nats", "", "NATS server of the run to join (as the coordinator prints it and writes it to DIR/nats-url)")
	creds := fs.String("nats-creds", "", "NATS credentials file (a token may also come from $"+cluster.TokenEnv+")")
	workers := fs.Int("workers", 0, "goroutines evaluating candidates (0: all cores)")
	stay := fs.Bool("stay", false, "serve the next run when one ends (default: exit when the run ends)")
	name := fs.String("name", "", "how the coordinator's log names this worker (default: host-pid)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	switch {
	case *url == "":
		return badInput("-nats URL is required (the coordinator prints it and writes it to DIR/nats-url)")
	case cluster.IsEmbedded(*url):
		return badInput("-nats %s: a worker joins a server; embedded is for train", *url)
	case *workers < 0:
		return badInput("-workers must be >= 0, got %d", *workers)
	}
	nc, err := cluster.Connect(cluster.Dial{URL: *url, Creds: *creds, Name: "plasticity worker", Retry: true})
	if err != nil {
		return inputError{err}
	}
	defer nc.Close()
	fmt.Fprintf(stderr, "worker: joining %s\n", cluster.Redact(*url))
	w := cluster.NewWorker(nc, cluster.WorkerOptions{Workers: *workers, Stay: *stay, Name: *name, Log: stderr})
	err = w.Serve(nil)
	if errors.Is(err, cluster.ErrRefused) || errors.Is(err, nats.ErrAuthorization) {
		return inputError{err}
	}
	return err
}
