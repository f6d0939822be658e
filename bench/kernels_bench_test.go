package bench

import (
	"testing"

	"plasticity/linalg"
	"plasticity/model"
)

// BenchmarkKernels runs every kernel of KernelCases, the table
// `plasticity bench` measures, at the synthetic (20 hidden, 10 inputs) and
// MNIST (1000 hidden, 784 inputs) scales, on every kernel set this CPU
// supports. MB/s counts the bytes each call must move; GFLOP/s is reported
// where floating-point operations are counted.
//
//	go test -run - -bench Kernels/avx2/mnist/matvec ./bench
func BenchmarkKernels(b *testing.B) {
	for _, k := range linalg.Kernels() {
		b.Run(k, func(b *testing.B) {
			restore, err := linalg.SetKernel(k)
			if err != nil {
				b.Fatal(err)
			}
			defer restore()
			for _, s := range []Scale{ScaleSynthetic, ScaleMNIST} {
				for _, c := range KernelCases(s, model.NewRand(1, "bench-kernels", 0)) {
					b.Run(s.Name+"/"+c.Name+"/"+c.Shape, func(b *testing.B) {
						b.SetBytes(int64(c.Bytes))
						for b.Loop() {
							c.Run()
						}
						if c.Flops > 0 {
							b.ReportMetric(c.Flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
						}
					})
				}
			}
		})
	}
}
