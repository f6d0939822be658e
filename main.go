// Command plasticity learns synaptic plasticity rules for a capped recurrent
// network by evolution strategies or gradient descent, and transfers them to
// new data.
//
//	plasticity              the main job (same as plasticity run)
//	plasticity run          learn rules on the synthetic set, transfer them to a fresh draw
//	plasticity train        learn rules: -method es|gd -data D -out DIR
//	plasticity transfer     apply saved rules to new data: -rules FILE -data D
//	plasticity eval         lifetimes + evaluation of saved rules on a data set
//	plasticity bench        kernel and end-to-end throughput beside the memory bandwidth
//	plasticity plot         figures and report.md of a run directory
//
// Run "plasticity COMMAND -h" for the flags of a command. The commands live
// in package cli.
package main

import (
	"os"

	"plasticity/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
