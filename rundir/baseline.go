package rundir

// BaselineSummary is the -json object of baseline, written into -out.
const BaselineSummary = "baseline.json"
