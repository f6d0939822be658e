package figures

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"plasticity/rundir"
	"slices"
	"strings"
	"text/tabwriter"
)

// Info is run.json: the exact command of a run directory and where it ran.
type Info struct {
	// Command is the command line, program name included; when empty, the
	// report writes "plasticity" and Args quoted for a shell.
	Command string `json:"command,omitempty"`
	// Args are the arguments after the program name, command first.
	Args  []string `json:"args"`
	Seeds []uint64 `json:"seeds,omitempty"`
	// Machine describes the computer, Go version and kernels used.
	Machine string `json:"machine,omitempty"`
}

// Outcome is what one method measured on one seed: the final scores of its
// rules (means over fresh lifetimes), their transfer, and the time spent.
type Outcome struct {
	Method           string
	Seed             uint64
	Steps            int
	BatchAccuracy    float64
	TestAccuracy     float64
	Loss             float64
	TestMajority     float64
	TransferAccuracy float64
	Seconds          float64
}

// OutcomeOf reads a run's outcome from its files: the scores in rules.json,
// the last test accuracy of transfer.csv and the last seconds of
// metrics.csv. What a file does not hold is NaN.
func OutcomeOf(r *Run) Outcome {
	o := Outcome{Method: r.Method, Seed: r.Seed, BatchAccuracy: math.NaN(), TestAccuracy: math.NaN(), Loss: math.NaN(),
		TestMajority: math.NaN(), TransferAccuracy: r.Transfer.Last("test_accuracy"), Seconds: r.Metrics.Last("seconds")}
	if r.Rules != nil {
		s := r.Rules.Scores
		o.Steps = r.Rules.Steps
		if s.Lifetimes > 0 {
			o.BatchAccuracy, o.TestAccuracy, o.Loss, o.TestMajority = s.BatchAccuracy, s.TestAccuracy, s.Loss, s.TestMajority
		}
	}
	return o
}

// measures are the columns of the summary table.
var measures = []struct {
	name   string
	format string
	get    func(Outcome) float64
}{
	{"batch acc", "%.3f", func(o Outcome) float64 { return o.BatchAccuracy }},
	{"test acc", "%.3f", func(o Outcome) float64 { return o.TestAccuracy }},
	{"loss", "%.3f", func(o Outcome) float64 { return o.Loss }},
	{"test majority", "%.3f", func(o Outcome) float64 { return o.TestMajority }},
	{"transfer acc", "%.3f", func(o Outcome) float64 { return o.TransferAccuracy }},
	{"train s", "%.1f", func(o Outcome) float64 { return o.Seconds }},
}

// Stat is one measure of a method over seeds: the mean and the sample
// standard deviation (n-1 in the denominator, 0 for one seed) over the N
// seeds that measured it. Both are 0 when N is 0.
type Stat struct {
	Name string  `json:"name"`
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	N    int     `json:"n"`
}

// Summary is one method's outcomes over seeds.
type Summary struct {
	Method   string   `json:"method"`
	Seeds    []uint64 `json:"seeds"`
	Steps    int      `json:"steps"`
	Measures []Stat   `json:"measures"`
}

// Summarize groups outcomes by method, in the order methods first appear.
func Summarize(outs []Outcome) []Summary {
	var ss []Summary
	var per [][]Outcome
	for _, o := range outs {
		i := slices.IndexFunc(ss, func(s Summary) bool { return s.Method == o.Method })
		if i < 0 {
			i = len(ss)
			ss = append(ss, Summary{Method: o.Method, Steps: o.Steps})
			per = append(per, nil)
		}
		ss[i].Seeds = append(ss[i].Seeds, o.Seed)
		per[i] = append(per[i], o)
	}
	for i := range ss {
		for _, m := range measures {
			var v []float64
			for _, o := range per[i] {
				if x := m.get(o); !math.IsNaN(x) {
					v = append(v, x)
				}
			}
			st := Stat{Name: m.name, N: len(v)}
			if len(v) > 0 {
				st.Mean, st.SD = meanSD(v)
			}
			ss[i].Measures = append(ss[i].Measures, st)
		}
	}
	return ss
}

// cells lays the summary out as a table with a header row.
func cells(ss []Summary) [][]string {
	head := []string{"method", "seeds", "steps"}
	for _, m := range measures {
		head = append(head, m.name)
	}
	rows := [][]string{head}
	for _, s := range ss {
		row := []string{s.Method, fmt.Sprint(len(s.Seeds)), fmt.Sprint(s.Steps)}
		for j, m := range measures {
			st, cell := s.Measures[j], "-"
			switch {
			case st.N == 0:
			case len(s.Seeds) > 1:
				cell = fmt.Sprintf(m.format+" ± "+m.format, st.Mean, st.SD)
			default:
				cell = fmt.Sprintf(m.format, st.Mean)
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	return rows
}

// WriteTable writes the summary as an aligned text table.
func WriteTable(w io.Writer, ss []Summary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, row := range cells(ss) {
		fmt.Fprintf(tw, "%s\t\n", strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// MarkdownTable returns the summary as a Markdown table.
func MarkdownTable(ss []Summary) string {
	var b strings.Builder
	for i, row := range cells(ss) {
		fmt.Fprintf(&b, "| %s |\n", strings.Join(row, " | "))
		if i == 0 {
			b.WriteString("|---" + strings.Repeat("|--:", len(row)-1) + "|\n")
		}
	}
	return b.String()
}

// TableNote explains the table's measures, for under the table.
const TableNote = `batch acc: evaluation pass over a lifetime's own batch of training samples; test acc: the whole test
split after such a lifetime; both means over fresh lifetimes from initial weights training never used.
loss: cross-entropy of the evaluation pass. test majority: share of test predictions in the most common
class (1 = every sample put in one class). transfer acc: test split of a freshly drawn data set after a
fresh network learned it one sample at a time with the rules. train s: wall time of learning the rules.`

// readInfo returns root's run.json, or one made from the command a run's
// config.json records.
func readInfo(root string, runs []*Run) (Info, error) {
	var info Info
	b, err := os.ReadFile(filepath.Join(root, rundir.Info))
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &info); err != nil {
			return info, fmt.Errorf("%s: %v", filepath.Join(root, rundir.Info), err)
		}
		if info.Command == "" && len(info.Args) > 0 {
			info.Command = "plasticity " + shellJoin(info.Args)
		}
		return info, nil
	case !errors.Is(err, fs.ErrNotExist):
		return info, err
	}
	for _, r := range runs {
		var c struct {
			Command string   `json:"command"`
			Args    []string `json:"args"`
		}
		if json.Unmarshal(r.Config, &c) == nil && c.Command != "" {
			info.Args = append([]string{c.Command}, c.Args...)
			info.Command = "plasticity " + shellJoin(info.Args)
			return info, nil
		}
	}
	return info, nil
}

// shellJoin quotes args for a POSIX shell where they need it.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,:/+@%") == "" {
			q[i] = a
		} else {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}

// report writes report.md for the runs under root, embedding the figures
// among written (paths) that exist.
func report(root string, runs []*Run, written []string) ([]byte, error) {
	info, err := readInfo(root, runs)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, p := range written {
		if rel, err := filepath.Rel(root, p); err == nil {
			have[filepath.ToSlash(rel)] = true
		}
	}
	var b bytes.Buffer
	gs := groupRuns(runs)
	outs := make([]Outcome, len(runs))
	for i, r := range runs {
		outs[i] = OutcomeOf(r)
	}
	ss := Summarize(outs)
	b.WriteString("# plasticity report\n\n")
	if info.Command != "" {
		fmt.Fprintf(&b, "Made by\n\n    %s\n\n", info.Command)
	}
	if info.Machine != "" {
		fmt.Fprintf(&b, "on %s.\n\n", info.Machine)
	}
	seeds := ss[0].Seeds
	if len(seeds) > 1 {
		fmt.Fprintf(&b, "## Results: mean ± standard deviation over %d seeds (%s)\n\n", len(seeds), seedList(seeds))
	} else if runs[0].Rules != nil {
		fmt.Fprintf(&b, "## Results (seed %d)\n\n", seeds[0])
	} else {
		// A transfer's directory: the seed of the rules is not recorded.
		b.WriteString("## Results\n\n")
	}
	b.WriteString(MarkdownTable(ss))
	fmt.Fprintf(&b, "\n%s\n", TableNote)
	image := func(title, rel string) {
		if have[rel+".svg"] {
			fmt.Fprintf(&b, "![%s](%s.svg)\n", title, rel)
		}
	}
	b.WriteString("\n## Learning the rules\n\n")
	for _, m := range curveMeasures {
		image(m.label, m.file)
	}
	b.WriteString("\nBatch accuracy and loss: for ES the generation's best candidate on its own batch (an optimistic pick\n" +
		"among the population), for GD the current rules before the step. Test accuracy: the strategy's centre\n" +
		"(ES) or the current rules (GD), measured every few batches.\n")
	if have["transfer.svg"] {
		b.WriteString("\n## Transfer to a new data set\n\n")
		image("transfer curves", "transfer")
	}
	for _, g := range gs {
		r := g.runs[0]
		rel, err := filepath.Rel(root, r.Dir)
		if err != nil {
			return nil, err
		}
		rel = filepath.ToSlash(rel)
		prefix := rel + "/"
		if rel == "." {
			prefix = ""
		}
		fmt.Fprintf(&b, "\n## %s: the learned rules (seed %d)\n\n", g.method, r.Seed)
		image("hidden rule", prefix+"rule-hidden")
		image("input rule", prefix+"rule-input")
		image("output rule", prefix+"rule-output")
		image("confusion matrix", prefix+"confusion")
	}
	b.WriteString("\n## Configuration\n")
	for _, g := range gs {
		r := g.runs[0]
		if len(r.Config) == 0 {
			continue
		}
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, r.Config, "", "  "); err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Join(r.Dir, rundir.Config), err)
		}
		fmt.Fprintf(&b, "\n<details><summary>%s (seed %d): config.json</summary>\n\n```json\n%s\n```\n\n</details>\n",
			g.method, r.Seed, strings.TrimSpace(pretty.String()))
	}
	return b.Bytes(), nil
}

// seedList writes seeds compactly: "1-5" for a run of consecutive seeds.
func seedList(s []uint64) string {
	consecutive := true
	for i := 1; i < len(s); i++ {
		consecutive = consecutive && s[i] == s[i-1]+1
	}
	if consecutive && len(s) > 2 {
		return fmt.Sprintf("seeds %d-%d", s[0], s[len(s)-1])
	}
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return "seeds " + strings.Join(parts, ", ")
}
