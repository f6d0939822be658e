package cluster

import (
	"bytes"
	"compress/gzip"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"plasticity/data"
	"plasticity/experiment"
	"plasticity/linalg"
	"plasticity/rundir"
)

// kindStudy is description.Kind of a run of whole studies.
const kindStudy = "study"

// Study is one whole study to run in a worker: a seed of plasticity run
// -seeds N, as the command line Args (plasticity run's, without the command)
// that writes its run directory Out ("" none: Args then name no -out).
type Study struct {
	Args []string
	Out  string
}

// StudyResult is what a study left: what it printed on stdout, and, when
// it ran in a worker, the files of its run directory (paths relative to
// Study.Out, gob then gzip) that the coordinator writes in Out; Err, when
// not "", says why the study failed.
type StudyResult struct {
	Stdout []byte
	Files  []byte
	Err    string
}

// StudyFingerprint is the fingerprint of a run of studies with the command
// line args (the same in every study but its seed and run directory) on the
// data set ds, draw 0 of the studies' data.
func StudyFingerprint(args []string, ds data.Dataset) Fingerprint {
	b, _ := json.Marshal(map[string][]string{"study": args})
	return Fingerprint{Options: string(b), Data: experiment.DataHash(ds), Arch: runtime.GOARCH, Kernel: linalg.Kernel()}
}

// NewStudyCoordinator serves a run of whole studies over nc: fp is its
// StudyFingerprint, d the spec of its data, which workers load to check
// theirs. With co.LocalWorkers not 0, studies run here too.
func NewStudyCoordinator(nc *nats.Conn, fp Fingerprint, d experiment.DataSpec, co CoordinatorOptions) (*Coordinator, error) {
	return serve(nc, co.withDefaults(), description{Kind: kindStudy, Fingerprint: fp, Data: d}, nil)
}

// Studies runs the studies on the workers (and here, LocalWorkers not 0),
// one at a time on each, and returns their results in order; the run
// directories of studies run elsewhere are written here. Each study's
// result is handed to each (when not nil), its run directory written, as
// soon as it arrives, so that a coordinator stopped later keeps it.
func (c *Coordinator) Studies(s []Study, each func(i int, r StudyResult) error) ([]StudyResult, error) {
	j := &job{studies: s, results: make([]StudyResult, len(s))}
	seen := make([]bool, len(s))
	var failed error
	// keep writes the studies that arrived since it last looked.
	keep := func() {
		c.mu.Lock()
		var fresh []int
		for i, got := range j.got {
			if got && !seen[i] {
				seen[i] = true
				fresh = append(fresh, i)
			}
		}
		c.mu.Unlock()
		for _, i := range fresh {
			if err := keepStudy(s[i], i, j.results[i], each); err != nil && failed == nil {
				failed = err
			}
		}
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				keep()
			}
		}
	}()
	err := c.runJob(j, len(s))
	close(stop)
	<-stopped
	if err != nil {
		return nil, err
	}
	keep()
	if failed != nil {
		return nil, failed
	}
	return j.results, nil
}

// keepStudy writes the run directory of study i, s, that r brought (none
// when it ran here) and hands r to each (when not nil).
func keepStudy(s Study, i int, r StudyResult, each func(int, StudyResult) error) error {
	if r.Err != "" {
		return fmt.Errorf("study %d: %s", i+1, r.Err)
	}
	if r.Files != nil && s.Out != "" {
		if err := unpackFiles(r.Files, s.Out); err != nil {
			return fmt.Errorf("study %d: %w", i+1, err)
		}
	}
	if each != nil {
		return each(i, r)
	}
	return nil
}

// RunStudy runs s as plasticity run in a process of its own (program, ""
// this executable), so that it writes exactly what a local plasticity run
// -seeds writes (gob numbers its types per process). With elsewhere, the
// run directory is a temporary one whose files, with every mention of its
// path turned into s.Out, go into the result; else the study writes s.Out
// itself.
func RunStudy(s Study, program string, elsewhere bool, log io.Writer) StudyResult {
	if program == "" {
		var err error
		if program, err = os.Executable(); err != nil {
			return StudyResult{Err: err.Error()}
		}
	}
	args, dir := s.Args, s.Out
	if s.Out != "" && elsewhere {
		tmp, err := os.MkdirTemp("", "plasticity-study-")
		if err != nil {
			return StudyResult{Err: err.Error()}
		}
		defer os.RemoveAll(tmp)
		dir = filepath.Join(tmp, filepath.Base(s.Out))
	}
	if dir != "" {
		args = append(append([]string(nil), args...), "-out="+dir)
	}
	var out bytes.Buffer
	cmd := exec.Command(program, append([]string{"run"}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, log
	if err := cmd.Run(); err != nil {
		return StudyResult{Err: fmt.Sprintf("plasticity run %s: %v", strings.Join(args, " "), err)}
	}
	res := StudyResult{Stdout: out.Bytes()}
	if dir == s.Out {
		return res
	}
	res.Stdout = bytes.ReplaceAll(res.Stdout, jsonString(dir), jsonString(s.Out))
	files, err := packFiles(dir, s.Out)
	if err != nil {
		return StudyResult{Err: err.Error()}
	}
	res.Files = files
	return res
}

// jsonString is s as it stands inside a JSON string.
func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b[1 : len(b)-1]
}

// packFiles reads the files under dir, names from and writes to mentions
// of dir turned into mentions of to (the checkpoints' run directories
// included), and returns them gob-encoded and gzipped.
func packFiles(dir, to string) ([]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || e.Name() == rundir.LockFile {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if e.Name() == rundir.Checkpoint {
			b, err = moveCheckpoint(b, dir, to)
			if err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
		} else {
			b = bytes.ReplaceAll(b, jsonString(dir), jsonString(to))
			b = bytes.ReplaceAll(b, []byte(dir), []byte(to))
		}
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	if err := gob.NewEncoder(w).Encode(files); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return z.Bytes(), nil
}

// moveCheckpoint returns the checkpoint b of a run under dir as that of
// the same run under to.
func moveCheckpoint(b []byte, dir, to string) ([]byte, error) {
	ck, err := experiment.ParseCheckpoint(b)
	if err != nil {
		return nil, err
	}
	move := func(p *string) {
		if rest, ok := strings.CutPrefix(*p, dir); ok {
			*p = to + rest
		}
	}
	if ck.ES != nil {
		move(&ck.ES.Dir)
	}
	if ck.GD != nil {
		move(&ck.GD.Dir)
	}
	f, err := os.CreateTemp("", "checkpoint-")
	if err != nil {
		return nil, err
	}
	f.Close()
	defer os.Remove(f.Name())
	if err := ck.Write(f.Name()); err != nil {
		return nil, err
	}
	return os.ReadFile(f.Name())
}

// unpackFiles writes the files packFiles packed under dir.
func unpackFiles(packed []byte, dir string) error {
	r, err := gzip.NewReader(bytes.NewReader(packed))
	if err != nil {
		return err
	}
	var files map[string][]byte
	if err := gob.NewDecoder(r).Decode(&files); err != nil {
		return fmt.Errorf("the files of a study: %w", err)
	}
	for name, b := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if !filepath.IsLocal(filepath.FromSlash(name)) {
			return fmt.Errorf("a study's file %q leaves its run directory", name)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := rundir.WriteFileAtomic(path, b); err != nil {
			return err
		}
	}
	return nil
}
