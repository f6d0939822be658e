package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestBenchJSON runs `plasticity bench -json` with a tiny time budget and
// checks the docs/model.md §9 keys are there with plausible values.
func TestBenchJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("bench allocates 256 MiB and runs MNIST-size lifetimes")
	}
	out, errOut, code := run(t, "bench", "-json", "-seconds", "0.01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	if k, _ := r["kernel"].(string); k != "avx2" && k != "generic" {
		t.Errorf("kernel = %v", r["kernel"])
	}
	for _, key := range []string{"memory_bandwidth_gb_per_s", "matvec_gb_per_s_mnist", "lifetime_samples_per_s_synthetic",
		"lifetime_samples_per_s_mnist", "lifetime_samples_per_s_wide", "es_generation_s_mnist", "gd_step_s_mnist"} {
		if v, ok := r[key].(float64); !ok || !(v > 0) {
			t.Errorf("%s = %v, want a positive number", key, r[key])
		}
	}
	if v, ok := r["peak_rss_bytes"].(float64); !ok || v < 0 {
		t.Errorf("peak_rss_bytes = %v, want a number", r["peak_rss_bytes"])
	}
	ks, _ := r["kernels"].([]any)
	if len(ks) < 30 {
		t.Errorf("%d kernel figures, want every kernel at both scales", len(ks))
	}
}

func TestBenchBadInput(t *testing.T) {
	for _, args := range [][]string{{"-seconds", "0"}, {"-seconds", "NaN"}, {"-kernel", "avx9000"}, {"extra"}} {
		_, errOut, code := run(t, append([]string{"bench"}, args...)...)
		if code != 2 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("bench %v: exit %d, stderr %q; want 2 and one line", args, code, errOut)
		}
	}
}
