// Package untimed helps the tests compare the -json objects of two runs
// that computed the same numbers at different speeds.
package untimed

import "encoding/json"

// JSON is the JSON object b, indented, without its timings and peak
// memory: every "seconds", "samples_per_second" and "peak_rss_bytes"
// member, and the mean and sd of a summary's "train s" measure.
func JSON(b []byte) (string, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "", err
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range []string{"seconds", "samples_per_second", "peak_rss_bytes"} {
				delete(x, k)
			}
			if x["name"] == "train s" {
				delete(x, "mean")
				delete(x, "sd")
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	out, _ := json.MarshalIndent(v, "", " ")
	return string(out), nil
}
