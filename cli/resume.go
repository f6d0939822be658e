package cli

import (
	"fmt"
	"io"
	"strings"
)

// resumeAllowed are the flags that may accompany -resume: none of them
// changes the result.
var resumeAllowed = map[string]bool{"resume": true, "generations": true, "steps": true, "workers": true, "json": true,
	"cpuprofile": true, "memprofile": true, "eval-every": true, "checkpoint-every": true,
	"nats": true, "nats-creds": true, "local-workers": true}

// resume continues the run saved in path up to -generations (ES) or -steps
// (GD) in total (default: the total the run was started with). other are the
// flags given that are not in resumeAllowed.
func (l *learnFlags) resume(path string, given given, other, args []string, stdout, stderr io.Writer) error {
	if len(other) > 0 {
		return badInput("-resume takes the settings of the saved run; %s cannot change them (allowed: -generations or -steps, -workers, -eval-every, -checkpoint-every, -json, -nats, -nats-creds, -local-workers)",
			strings.Join(other, " "))
	}
	t, dir, err := resumeTrainer(path)
	if err != nil {
		return err
	}
	release, err := hold(dir)
	if err != nil {
		return err
	}
	defer release()
	kind, count, wrong := "an ES run", l.train.generations, "steps"
	if t.family == "gd" {
		kind, count, wrong = "a GD run", l.train.steps, "generations"
	}
	if given(wrong) {
		return badInput("%s holds %s: it counts %s, not -%s", dir, kind, t.countFlag, wrong)
	}
	if given(t.countFlag[1:]) {
		*t.total = count
	}
	if *t.total < t.done {
		return badInput("%s is at %s %d already; %s %d would go back", dir, t.unit, t.done, t.countFlag, *t.total)
	}
	t.common.Workers, t.common.Log = l.output.workers, stderr
	if given("eval-every") {
		*t.evalEvery = l.train.evalEvery
	}
	if given("checkpoint-every") {
		*t.checkpointGap = l.train.ckptEvery
	}
	stop, err := l.output.profile()
	if err != nil {
		return err
	}
	ds, err := t.loadDraws(stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "resuming %s at %s %d of %d\n", dir, t.unit, t.done, *t.total)
	fields := map[string]any{"command": "train", "args": redactArgs(args), "resumed_at": t.done, "data": t.data.Name, "data_seed": t.data.DataSeed}
	return l.finish(t, ds, fields, stop, stdout, stderr)
}
