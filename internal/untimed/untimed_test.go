package untimed

import "testing"

// TestJSON: two objects that differ in their timings alone are equal
// untimed; one that differs in a number is not.
func TestJSON(t *testing.T) {
	a := `{"seconds": 1, "runs": [{"es": {"seconds": 2, "test_accuracy": 0.5}}], "peak_rss_bytes": 7,
		"summary": [{"measures": [{"name": "train s", "mean": 1, "sd": 2}, {"name": "test acc", "mean": 0.5}]}]}`
	b := `{"seconds": 9, "runs": [{"es": {"seconds": 8, "test_accuracy": 0.5}}], "peak_rss_bytes": 3,
		"summary": [{"measures": [{"name": "train s", "mean": 4, "sd": 5}, {"name": "test acc", "mean": 0.5}]}]}`
	c := `{"runs": [{"es": {"test_accuracy": 0.5}}], "summary": [{"measures": [{"name": "train s"}, {"name": "test acc", "mean": 0.6}]}]}`
	x, err1 := JSON([]byte(a))
	y, err2 := JSON([]byte(b))
	z, err3 := JSON([]byte(c))
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	if x != y {
		t.Errorf("timings alone differ, yet\n%s\n!=\n%s", x, y)
	}
	if x == z {
		t.Errorf("a test accuracy differs, yet both are\n%s", x)
	}
	if _, err := JSON([]byte(`{"seconds": `)); err == nil {
		t.Error("a cut-short object passed")
	}
}
