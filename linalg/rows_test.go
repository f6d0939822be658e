package linalg

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// rowsCols are the column counts the whole-matrix kernels are tried with:
// every count up to 80 (the vector block and the fused loop's two blocks,
// with every tail), then sizes around wider blocks and the network sizes.
func rowsCols() []int {
	var cs []int
	for c := 0; c <= 80; c++ {
		cs = append(cs, c)
	}
	return append(cs, 127, 128, 129, 255, 256, 257, 300, 784, 1000)
}

// randWhich returns n table-row indices below p.
func randWhich(rng *rand.Rand, n, p, off int) []uint8 {
	w := make([]uint8, n+off)[off:]
	for i := range w {
		w[i] = uint8(rng.IntN(p))
	}
	return w
}

// TestAddRows checks AddRows bit for bit against the per-row AddLookup it
// replaces: row i adds tab[which[i]], whose entries are a rule table looked
// up by the pre-synaptic patterns, special values included.
func TestAddRows(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(20, 20))
		for _, rows := range matRows {
			for _, cols := range rowsCols() {
				off := (rows + cols) % 8
				p := 1 + (rows+cols)%16
				table, pat := specialVec(rng, p*p), randWhich(rng, cols, p, 0)
				// -0 + v is v for every v, zeros of both signs included:
				// the rows are exact copies of the table's entries.
				tab := make([]float32, p*cols+off)[off:]
				for j := range tab {
					tab[j] = float32(math.Copysign(0, -1))
				}
				for q := range p {
					AddLookup(tab[q*cols:(q+1)*cols], table[q*p:(q+1)*p], pat)
				}
				which := randWhich(rng, rows, p, off)
				init := specialVec(rng, rows*cols)
				a, check := guarded(rows*cols, off)
				copy(a, init)
				AddRows(a, rows, cols, tab, which)
				check(t, "AddRows")
				want := slices.Clone(init)
				for i, q := range which {
					addLookupGeneric(want[i*cols:(i+1)*cols], table[int(q)*p:(int(q)+1)*p], pat)
				}
				if i := sameResult(a, want); i >= 0 {
					t.Fatalf("AddRows %dx%d P %d [%d]: %x, want %x", rows, cols, p, i, math.Float32bits(a[i]), math.Float32bits(want[i]))
				}
			}
		}
	})
}

// TestAddRowsMatVec checks the fused update and product against AddRows
// followed by MatVec on the same kernel set, bit for bit in both the matrix
// and the product, and the product against float64.
func TestAddRowsMatVec(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(21, 21))
		for _, rows := range matRows {
			for _, cols := range rowsCols() {
				off := (rows + cols) % 8
				p := 1 + (rows*3+cols)%16
				tab := randVec(rng, p*cols+off)[off:]
				which := randWhich(rng, rows, p, off)
				x := randVec(rng, cols+off)[off:]
				init := randVec(rng, rows*cols)
				a, checkA := guarded(rows*cols, off)
				copy(a, init)
				dst, checkDst := guarded(rows, (off+3)%8)
				AddRowsMatVec(dst, a, rows, cols, tab, which, x)
				checkA(t, "AddRowsMatVec matrix")
				checkDst(t, "AddRowsMatVec product")

				want, wantDst := slices.Clone(init), make([]float32, rows)
				AddRows(want, rows, cols, tab, which)
				MatVec(wantDst, want, rows, cols, x)
				if i := sameBits(a, want); i >= 0 {
					t.Fatalf("AddRowsMatVec %dx%d matrix [%d]: %v, want %v", rows, cols, i, a[i], want[i])
				}
				if i := sameBits(dst, wantDst); i >= 0 {
					t.Fatalf("AddRowsMatVec %dx%d product [%d]: %v, want MatVec's %v", rows, cols, i, dst[i], wantDst[i])
				}
				for i := range rows {
					var sum, abs float64
					for j := range cols {
						v := float64(init[i*cols+j]) + float64(tab[int(which[i])*cols+j])
						sum += v * float64(x[j])
						abs += math.Abs(v * float64(x[j]))
					}
					checkSum(t, fmt.Sprintf("AddRowsMatVec %dx%d row %d", rows, cols, i), dst[i], sum, cols, abs+1e-6*float64(cols))
				}
			}
		}
	})
}

// TestAddRowsBadRow checks that a which naming no whole row of the table
// panics on every path.
func TestAddRowsBadRow(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		for _, cols := range []int{3, 8, 40} {
			which := []uint8{0, 2, 1}
			for name, f := range map[string]func(){
				"AddRows": func() { AddRows(make([]float32, 3*cols), 3, cols, make([]float32, 2*cols), which) },
				"AddRowsMatVec": func() {
					AddRowsMatVec(make([]float32, 3), make([]float32, 3*cols), 3, cols, make([]float32, 3*cols-1), which,
						make([]float32, cols))
				},
			} {
				func() {
					defer func() {
						if recover() == nil {
							t.Errorf("%s with a table row out of range (cols %d) did not panic", name, cols)
						}
					}()
					f()
				}()
			}
		}
	})
}

// TestMatVecBatch checks every product against float64, and each vector's
// product against that of the vector alone, bit for bit: the blocks (four rows
// by three vectors, and the rows and vectors left over) sum alike.
func TestMatVecBatch(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(22, 22))
		for _, rows := range matRows {
			for _, cols := range rowsCols() {
				for _, n := range []int{0, 1, 2, 3, 4, 5, 7} {
					if cols > 300 && n != 5 {
						continue
					}
					off := (rows + cols + n) % 8
					a := randVec(rng, rows*cols+off)[off:]
					x := randVec(rng, n*cols+off)[off:]
					dst, check := guarded(n*rows, off)
					MatVecBatch(dst, a, rows, cols, x, n)
					check(t, "MatVecBatch")
					one := make([]float32, rows)
					for s := range n {
						xs := x[s*cols : (s+1)*cols]
						MatVecBatch(one, a, rows, cols, xs, 1)
						if i := sameBits(dst[s*rows:(s+1)*rows], one); i >= 0 {
							t.Fatalf("MatVecBatch %dx%d n %d: vector %d row %d is %v, alone %v", rows, cols, n, s, i,
								dst[s*rows+i], one[i])
						}
						for i := range rows {
							var want, abs float64
							for j := range cols {
								p := float64(a[i*cols+j]) * float64(xs[j])
								want += p
								abs += math.Abs(p)
							}
							checkSum(t, fmt.Sprintf("MatVecBatch %dx%d n %d vector %d row %d", rows, cols, n, s, i),
								dst[s*rows+i], want, cols, abs)
						}
					}
				}
			}
		}
	})
}

// FuzzAddRowsMatVec compares the fused kernel with AddRows and MatVec one
// after the other on arbitrary shapes, bit for bit.
func FuzzAddRowsMatVec(f *testing.F) {
	f.Add(uint8(9), uint16(37), uint8(16), uint64(1))
	f.Fuzz(func(t *testing.T, rows uint8, cols uint16, p uint8, seed uint64) {
		r, c, np := int(rows%24), int(cols%1100), 1+int(p%32)
		rng := rand.New(rand.NewPCG(seed, 2))
		a, tab, x := randVec(rng, r*c), randVec(rng, np*c), randVec(rng, c)
		which := randWhich(rng, r, np, 0)
		want, wantDst, dst := slices.Clone(a), make([]float32, r), make([]float32, r)
		AddRowsMatVec(dst, a, r, c, tab, which, x)
		AddRows(want, r, c, tab, which)
		MatVec(wantDst, want, r, c, x)
		if i := sameBits(a, want); i >= 0 {
			t.Fatalf("matrix [%d]: %v, want %v", i, a[i], want[i])
		}
		if i := sameBits(dst, wantDst); i >= 0 {
			t.Fatalf("product [%d]: %v, want %v", i, dst[i], wantDst[i])
		}
	})
}

// TestMatVecTransRows checks the product over listed rows against float64,
// with the rows listed in any order (ascending as after a cap, shuffled,
// repeated), and that rows outside the list are never read: they hold NaN.
func TestMatVecTransRows(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(23, 23))
		for _, rows := range []int{1, 2, 3, 4, 5, 8, 9, 13, 40} {
			for _, cols := range rowsCols() {
				off := (rows + cols) % 8
				a := randVec(rng, rows*cols+off)[off:]
				v := randVec(rng, rows+off)[off:]
				var idx []int32
				for j := range rows {
					if rng.IntN(3) > 0 {
						idx = append(idx, int32(j))
					}
				}
				switch cols % 3 {
				case 1:
					rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
				case 2:
					idx = append(idx, idx...)
				}
				listed := make([]bool, rows)
				for _, j := range idx {
					listed[j] = true
				}
				for j := range rows {
					if !listed[j] {
						v[j] = float32(math.NaN())
						for i := range cols {
							a[j*cols+i] = float32(math.Inf(1))
						}
					}
				}
				init := randVec(rng, cols)
				dst, check := guarded(cols, (off+5)%8)
				copy(dst, init)
				MatVecTransRows(dst, a, rows, cols, v, idx)
				check(t, "MatVecTransRows")
				for i := range cols {
					want, abs := float64(init[i]), math.Abs(float64(init[i]))
					for _, j := range idx {
						p := float64(v[j]) * float64(a[int(j)*cols+i])
						want += p
						abs += math.Abs(p)
					}
					checkSum(t, fmt.Sprintf("MatVecTransRows %dx%d/%d col %d", rows, cols, len(idx), i), dst[i], want, len(idx)+1, abs)
				}
			}
		}
	})
}

// TestAddRows4 checks four updates in one pass against four AddRows, bit for
// bit, special values included.
func TestAddRows4(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(24, 24))
		for _, rows := range matRows {
			for _, cols := range rowsCols() {
				off := (rows + cols) % 8
				p := 1 + (rows+2*cols)%20
				tab := specialVec(rng, p*cols+off)[off:]
				which := make([]int32, 4*rows)
				for i := range which {
					which[i] = int32(rng.IntN(p))
				}
				init := specialVec(rng, rows*cols)
				a, check := guarded(rows*cols, off)
				copy(a, init)
				AddRows4(a, rows, cols, tab, which)
				check(t, "AddRows4")
				want := slices.Clone(init)
				for s := range 4 {
					w := make([]uint8, rows)
					for j := range w {
						w[j] = uint8(which[4*j+s])
					}
					addRowsGeneric(want, rows, cols, tab, w)
				}
				if i := sameResult(a, want); i >= 0 {
					t.Fatalf("AddRows4 %dx%d [%d]: %x, want %x", rows, cols, i, math.Float32bits(a[i]), math.Float32bits(want[i]))
				}
			}
		}
	})
}

func TestTranspose(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		testTranspose(t)
	})
}

func testTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 25))
	for _, rows := range []int{0, 1, 5, 7, 8, 9, 16, 31, 32, 33, 70} {
		for _, cols := range []int{0, 1, 7, 8, 9, 15, 16, 32, 64, 65, 1000} {
			a := randVec(rng, rows*cols)
			dst, check := guarded(rows*cols, 3)
			Transpose(dst, a, rows, cols)
			check(t, "Transpose")
			for i := range rows {
				for j := range cols {
					if dst[j*rows+i] != a[i*cols+j] {
						t.Fatalf("Transpose %dx%d: (%d,%d) = %v, want %v", rows, cols, j, i, dst[j*rows+i], a[i*cols+j])
					}
				}
			}
		}
	}
}

// fma32 is a*b + c rounded once to float32, as VFMADD231PS makes it.
func fma32(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(256).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetFloat64(float64(c)))
	r, _ := x.Float32()
	return r
}

// chainCase runs MatVecTransRows over nidx random rows (repeats allowed) of a
// rows x cols matrix and compares every entry with the chain of its terms.
func chainCase(t *testing.T, rng *rand.Rand, rows, cols, nidx int) {
	t.Helper()
	fused := Kernel() == "avx2"
	a, v := randVec(rng, rows*cols), randVec(rng, rows)
	idx := make([]int32, nidx)
	for k := range idx {
		idx[k] = int32(rng.IntN(rows))
	}
	init := randVec(rng, cols)
	dst := slices.Clone(init)
	MatVecTransRows(dst, a, rows, cols, v, idx)
	for i := range cols {
		want := init[i]
		for _, j := range idx {
			if fused && i < cols&^7 {
				want = fma32(v[j], a[int(j)*cols+i], want)
			} else {
				want += v[j] * a[int(j)*cols+i]
			}
		}
		if math.Float32bits(dst[i]) != math.Float32bits(want) {
			t.Fatalf("%d rows listed, %d columns: [%d] = %v, the chain %v", nidx, cols, i, dst[i], want)
		}
	}
}

// TestMatVecTransRowsChain checks that each entry of MatVecTransRows is the
// chain of its terms in idx's order, bit for bit, however the kernel groups
// the rows (12, 4 and 1 at a time in the assembly): a chain of fused
// multiply-adds on the avx2 kernel, of rounded products and sums on the
// generic one. Lists of 0 to 29 rows, in any order and repeated, cover every
// grouping; the values are finite (big.Float has no NaN).
func TestMatVecTransRowsChain(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(43, 43))
		for nidx := range 30 {
			for _, cols := range []int{8, 13, 40, 67} {
				chainCase(t, rng, 1+nidx%9, cols, nidx)
			}
		}
	})
}

// FuzzMatVecTransRowsChain compares MatVecTransRows with the chain of each
// entry's terms on every kernel.
func FuzzMatVecTransRowsChain(f *testing.F) {
	f.Add(uint8(5), uint16(37), uint8(25), uint64(1))
	f.Fuzz(func(t *testing.T, rows uint8, cols uint16, nidx uint8, seed uint64) {
		r, c, n := 1+int(rows%40), int(cols%300), int(nidx%60)
		for _, k := range Kernels() {
			restore, err := SetKernel(k)
			if err != nil {
				t.Fatal(err)
			}
			t.Run(k, func(t *testing.T) { chainCase(t, rand.New(rand.NewPCG(seed, 9)), r, c, n) })
			restore()
		}
	})
}
