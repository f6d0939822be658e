package cli

import (
	"flag"
	"fmt"
	"io"
	"slices"

	"plasticity/cluster"
)

// seedStudy is the study of one seed of plasticity run -seeds: the
// command line base with the seed's -seed and -json, and its run directory
// seed<seed> under out ("" none).
func seedStudy(base []string, seed uint64, out string) cluster.Study {
	s := cluster.Study{Args: append(slices.Clone(base), fmt.Sprintf("-seed=%d", seed), "-json")}
	if out != "" {
		s.Out = seedDir(out, seed)
	}
	return s
}

// seedArgs is the study's whole command line, its -out last, as
// cluster.RunStudy gives it.
func seedArgs(s cluster.Study) []string {
	if s.Out == "" {
		return s.Args
	}
	return append(slices.Clone(s.Args), "-out="+s.Out)
}

// remoteSeeds runs the seeds of plasticity run -seeds N -nats URL on the
// workers of that server (and here, unless -local-workers 0), each seed's
// run directory written here, and returns what each seed's run -json
// printed, in order; the seeds done has (not nil) are not run again, and
// each seed is kept (keepSeed) as soon as it arrives.
func (r *runFlags) remoteSeeds(fs *flag.FlagSet, base []string, done [][]byte, stderr io.Writer) ([][]byte, error) {
	given := givenIn(fs)
	p, err := r.preset.preset()
	if err != nil {
		return nil, err
	}
	d := r.data.spec(p, given)
	ds, err := loadData(d, d.DataSeed, stderr)
	if err != nil {
		return nil, err
	}
	conn, err := r.nats.connect(r.output.out, stderr)
	if err != nil {
		return nil, err
	}
	defer conn.close()
	c, err := cluster.NewStudyCoordinator(conn.nc, cluster.StudyFingerprint(base, ds), d,
		cluster.CoordinatorOptions{LocalWorkers: r.nats.localWorkers, Log: stderr, URL: conn.show})
	if err != nil {
		return nil, inputError{err}
	}
	conn.serve(c)
	var studies []cluster.Study
	var which []int
	for k := range r.seeds {
		if done[k] == nil {
			studies = append(studies, seedStudy(base, r.output.seed+uint64(k), r.output.out))
			which = append(which, k)
		}
	}
	fmt.Fprintf(stderr, "cluster: run %s (%d seeds, whole) on %s\n", c.Run(), len(studies), conn.show)
	res, err := c.Studies(studies, func(i int, x cluster.StudyResult) error {
		return r.keepSeed(r.output.seed+uint64(which[i]), x.Stdout)
	})
	if err != nil {
		return nil, err
	}
	outs := slices.Clone(done)
	for i, x := range res {
		outs[which[i]] = x.Stdout
	}
	return outs, nil
}
