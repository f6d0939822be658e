//go:build gc && !purego

package asm

// The kernels below need AVX2 and FMA3 (the caller checks with cpuid). Every
// one works on the first len&^7 elements (or columns) only; the caller does the
// rest in Go. Slices are passed whole so that go vet can check the frame.

// DotAVX2 returns the sum of x[i]*y[i] over i < len(x)&^7; len(y) >= that.
//
//go:noescape
func DotAVX2(x, y []float32) float32

// MatVecAVX2 sets dst[i] = sum_{j < cols&^7} a[i*cols+j]*x[j] for every
// i < len(dst). The caller guarantees len(a) >= len(dst)*cols and
// len(x) >= cols&^7.
//
//go:noescape
func MatVecAVX2(dst, a []float32, cols int, x []float32)

// MatVecColsAVX2 sets dst[i] = sum over the first len(idx)&^7 entries j of idx
// of a[i*cols+j]*x[j], for every i < len(dst), gathering by index. The caller
// guarantees every idx is in 0..cols-1 and len(x) >= cols.
//
//go:noescape
func MatVecColsAVX2(dst, a []float32, cols int, x []float32, idx []int32)

// MatVecTransAVX2 adds v[i]*a[i*cols+j] to dst[j] for every i < len(v) and
// j < len(dst)&^7. The caller guarantees len(dst) <= cols and
// len(a) >= len(v)*cols.
//
//go:noescape
func MatVecTransAVX2(dst, a []float32, cols int, v []float32)

// AddOuterAVX2 adds u[i]*v[j] to a[i*cols+j] for every i < len(u) and
// j < len(v)&^7. The caller guarantees len(v) <= cols and
// len(a) >= len(u)*cols.
//
//go:noescape
func AddOuterAVX2(a []float32, cols int, u, v []float32)

// AxpyAVX2 sets dst[i] += alpha*x[i] (one fused multiply-add) for
// i < len(dst)&^7; len(x) >= that.
//
//go:noescape
func AxpyAVX2(dst []float32, alpha float32, x []float32)

// AddConstAVX2 sets row[i] += c for i < len(row)&^7.
//
//go:noescape
func AddConstAVX2(row []float32, c float32)

// AddSquaresAVX2 sets acc[i] += row[i]*row[i] (one fused multiply-add) for
// i < len(acc)&^7; len(row) >= that.
//
//go:noescape
func AddSquaresAVX2(acc, row []float32)

// MulElemAVX2 sets row[i] *= s[i] for i < len(row)&^7; len(s) >= that.
//
//go:noescape
func MulElemAVX2(row, s []float32)

// AddLookup16AVX2 sets row[j] += table[idx[j]&15] for j < len(row)&^7 by two
// register permutes and a blend, and returns the largest idx it read, so the
// caller can reject an index outside its real table. len(idx) >= len(row)&^7.
//
//go:noescape
func AddLookup16AVX2(row []float32, table *[16]float32, idx []uint8) (maxIdx uint32)

// CapKeysAVX2 writes to keys[i], for i < len(x)&^7, the cap's order key of
// x[i] as a signed integer: NaN is math.MinInt32, -0 and +0 are both 0, and
// otherwise the key grows with the value. It returns the smallest and the
// largest key written. len(x) >= 8 and len(keys) >= len(x)&^7.
//
//go:noescape
func CapKeysAVX2(keys []int32, x []float32) (lo, hi int32)

// CapThresholdAVX2 finds which of keys[:len(keys)&^7] the k largest are, for
// 1 <= k <= that length: exactly the keys greater than t, plus the first need
// keys equal to t. It bisects over the key bits in unsigned order (the key
// xor 1<<31), one counting pass per bit from bit down, starting from u0,
// which at least k keys must reach; it stops early once a threshold splits off
// exactly k keys.
//
//go:noescape
func CapThresholdAVX2(keys []int32, k int, u0, bit uint32) (t int32, need int)

// CapSelectAVX2 applies a threshold from CapThresholdAVX2 to the blocks
// i < len(x)&^7: it keeps x[i] when keys[i] > t, or when keys[i] == t while
// need > 0 (then need drops by one), writing the kept indices ascending to
// sel[m:], and sets every other x[i] to +0. It returns the new m and need. The
// caller guarantees sel has room for every index kept.
//
//go:noescape
func CapSelectAVX2(x []float32, keys []int32, t int32, need int, sel []int32, m int) (mOut, needOut int)

// AddScaledAVX2 sets dst[i] = x[i] + alpha*y[i] (one fused multiply-add) for
// i < len(dst)&^7; len(x) and len(y) >= that.
//
//go:noescape
func AddScaledAVX2(dst, x []float32, alpha float32, y []float32)

// SigmoidAVX2 replaces x[i] by 1/(1+exp(-x[i])) for i < len(x)&^7, computed
// in float64: within one unit in the last place of the generic
// float32(1/(1+math.Exp(-float64(v)))), and equal to it in all but rare
// cases.
//
//go:noescape
func SigmoidAVX2(x []float32)

// ReLUAVX2 replaces x[i] by +0 unless x[i] > 0, for i < len(x)&^7.
//
//go:noescape
func ReLUAVX2(x []float32)
