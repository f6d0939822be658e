//go:build gc && !purego

#include "textflag.h"

// func AddRowsAVX2(a []float32, cols int, tab []float32, which []uint8)
TEXT ·AddRowsAVX2(SB), NOSPLIT, $0-80
	MOVQ  a_base+0(FP), SI
	MOVQ  cols+24(FP), DX
	MOVQ  tab_base+32(FP), R12
	MOVQ  which_base+56(FP), R11
	MOVQ  which_len+64(FP), CX
	MOVQ  DX, R8
	SHRQ  $3, R8           // whole blocks per row
	SHLQ  $2, DX           // row stride in bytes
	TESTQ R8, R8
	JZ    done

row:
	TESTQ   CX, CX
	JZ      done
	MOVBQZX (R11), R10
	IMULQ   DX, R10
	ADDQ    R12, R10       // the table row this row adds
	XORQ    AX, AX
	MOVQ    R8, R9

two:
	CMPQ    R9, $2
	JB      one
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS 32(SI)(AX*1), Y1
	VADDPS  (R10)(AX*1), Y0, Y0
	VADDPS  32(R10)(AX*1), Y1, Y1
	VMOVUPS Y0, (SI)(AX*1)
	VMOVUPS Y1, 32(SI)(AX*1)
	ADDQ    $64, AX
	SUBQ    $2, R9
	JMP     two

one:
	TESTQ   R9, R9
	JZ      next
	VMOVUPS (SI)(AX*1), Y0
	VADDPS  (R10)(AX*1), Y0, Y0
	VMOVUPS Y0, (SI)(AX*1)

next:
	ADDQ DX, SI
	INCQ R11
	DECQ CX
	JMP  row

done:
	VZEROUPPER
	RET

// AddRowsMatVecAVX2 follows MatVecAVX2 instruction for instruction in its
// sums (four rows at a time, two accumulators per row on even and odd
// blocks, the same reduction), with each loaded block of a first updated by
// its table row and stored back.

// func AddRowsMatVecAVX2(dst, a []float32, cols int, tab []float32, which []uint8, x []float32)
TEXT ·AddRowsMatVecAVX2(SB), NOSPLIT, $0-128
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ cols+48(FP), DX
	MOVQ which_base+80(FP), R11
	MOVQ x_base+104(FP), BX
	SHLQ $2, DX            // row stride in bytes
	LEAQ (DX)(DX*2), R13   // three strides

rows4:
	CMPQ    CX, $4
	JB      rows1
	MOVBQZX (R11), R10
	IMULQ   DX, R10
	ADDQ    tab_base+56(FP), R10
	MOVBQZX 1(R11), R12
	IMULQ   DX, R12
	ADDQ    tab_base+56(FP), R12
	MOVBQZX 2(R11), R14
	IMULQ   DX, R14
	ADDQ    tab_base+56(FP), R14
	MOVBQZX 3(R11), R15
	IMULQ   DX, R15
	ADDQ    tab_base+56(FP), R15
	VXORPS  Y0, Y0, Y0
	VXORPS  Y1, Y1, Y1
	VXORPS  Y2, Y2, Y2
	VXORPS  Y3, Y3, Y3
	VXORPS  Y4, Y4, Y4
	VXORPS  Y5, Y5, Y5
	VXORPS  Y6, Y6, Y6
	VXORPS  Y7, Y7, Y7
	XORQ    AX, AX
	MOVQ    cols+48(FP), R9
	SHRQ    $3, R9

r4two:
	CMPQ        R9, $2
	JB          r4one
	VMOVUPS     (BX)(AX*1), Y8
	VMOVUPS     32(BX)(AX*1), Y9
	LEAQ        (SI)(AX*1), R8
	VMOVUPS     (R8), Y10
	VMOVUPS     32(R8), Y11
	VADDPS      (R10)(AX*1), Y10, Y10
	VADDPS      32(R10)(AX*1), Y11, Y11
	VMOVUPS     Y10, (R8)
	VMOVUPS     Y11, 32(R8)
	VFMADD231PS Y10, Y8, Y0
	VFMADD231PS Y11, Y9, Y4
	VMOVUPS     (R8)(DX*1), Y10
	VMOVUPS     32(R8)(DX*1), Y11
	VADDPS      (R12)(AX*1), Y10, Y10
	VADDPS      32(R12)(AX*1), Y11, Y11
	VMOVUPS     Y10, (R8)(DX*1)
	VMOVUPS     Y11, 32(R8)(DX*1)
	VFMADD231PS Y10, Y8, Y1
	VFMADD231PS Y11, Y9, Y5
	VMOVUPS     (R8)(DX*2), Y10
	VMOVUPS     32(R8)(DX*2), Y11
	VADDPS      (R14)(AX*1), Y10, Y10
	VADDPS      32(R14)(AX*1), Y11, Y11
	VMOVUPS     Y10, (R8)(DX*2)
	VMOVUPS     Y11, 32(R8)(DX*2)
	VFMADD231PS Y10, Y8, Y2
	VFMADD231PS Y11, Y9, Y6
	VMOVUPS     (R8)(R13*1), Y10
	VMOVUPS     32(R8)(R13*1), Y11
	VADDPS      (R15)(AX*1), Y10, Y10
	VADDPS      32(R15)(AX*1), Y11, Y11
	VMOVUPS     Y10, (R8)(R13*1)
	VMOVUPS     Y11, 32(R8)(R13*1)
	VFMADD231PS Y10, Y8, Y3
	VFMADD231PS Y11, Y9, Y7
	ADDQ        $64, AX
	SUBQ        $2, R9
	JMP         r4two

r4one:
	TESTQ       R9, R9
	JZ          r4sum
	VMOVUPS     (BX)(AX*1), Y8
	LEAQ        (SI)(AX*1), R8
	VMOVUPS     (R8), Y10
	VADDPS      (R10)(AX*1), Y10, Y10
	VMOVUPS     Y10, (R8)
	VFMADD231PS Y10, Y8, Y0
	VMOVUPS     (R8)(DX*1), Y10
	VADDPS      (R12)(AX*1), Y10, Y10
	VMOVUPS     Y10, (R8)(DX*1)
	VFMADD231PS Y10, Y8, Y1
	VMOVUPS     (R8)(DX*2), Y10
	VADDPS      (R14)(AX*1), Y10, Y10
	VMOVUPS     Y10, (R8)(DX*2)
	VFMADD231PS Y10, Y8, Y2
	VMOVUPS     (R8)(R13*1), Y10
	VADDPS      (R15)(AX*1), Y10, Y10
	VMOVUPS     Y10, (R8)(R13*1)
	VFMADD231PS Y10, Y8, Y3

r4sum:
	VADDPS       Y4, Y0, Y0
	VADDPS       Y5, Y1, Y1
	VADDPS       Y6, Y2, Y2
	VADDPS       Y7, Y3, Y3
	VHADDPS      Y1, Y0, Y0
	VHADDPS      Y3, Y2, Y2
	VHADDPS      Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVUPS      X0, (DI)
	ADDQ         $16, DI
	LEAQ         (SI)(DX*4), SI
	ADDQ         $4, R11
	SUBQ         $4, CX
	JMP          rows4

rows1:
	TESTQ   CX, CX
	JZ      done
	MOVBQZX (R11), R10
	IMULQ   DX, R10
	ADDQ    tab_base+56(FP), R10
	VXORPS  Y0, Y0, Y0
	VXORPS  Y4, Y4, Y4
	XORQ    AX, AX
	MOVQ    cols+48(FP), R9
	SHRQ    $3, R9

r1two:
	CMPQ        R9, $2
	JB          r1one
	VMOVUPS     (BX)(AX*1), Y8
	VMOVUPS     32(BX)(AX*1), Y9
	VMOVUPS     (SI)(AX*1), Y10
	VMOVUPS     32(SI)(AX*1), Y11
	VADDPS      (R10)(AX*1), Y10, Y10
	VADDPS      32(R10)(AX*1), Y11, Y11
	VMOVUPS     Y10, (SI)(AX*1)
	VMOVUPS     Y11, 32(SI)(AX*1)
	VFMADD231PS Y10, Y8, Y0
	VFMADD231PS Y11, Y9, Y4
	ADDQ        $64, AX
	SUBQ        $2, R9
	JMP         r1two

r1one:
	TESTQ       R9, R9
	JZ          r1sum
	VMOVUPS     (BX)(AX*1), Y8
	VMOVUPS     (SI)(AX*1), Y10
	VADDPS      (R10)(AX*1), Y10, Y10
	VMOVUPS     Y10, (SI)(AX*1)
	VFMADD231PS Y10, Y8, Y0

r1sum:
	VADDPS       Y4, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VMOVSS       X0, (DI)
	ADDQ         $4, DI
	ADDQ         DX, SI
	INCQ         R11
	DECQ         CX
	JMP          rows1

done:
	VZEROUPPER
	RET

// MatVecBatchAVX2 sums every entry in one accumulator of 8 lanes, block by
// block, and reduces it as ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7)): the four-row
// tree of horizontal adds below gives each row that order, and the one-row
// tail repeats it, so an entry does not depend on which block computed it.

// func MatVecBatchAVX2(dst, a []float32, rows, cols int, x []float32, n int)
TEXT ·MatVecBatchAVX2(SB), NOSPLIT, $0-96
	MOVQ dst_base+0(FP), R11
	MOVQ a_base+24(FP), SI
	MOVQ rows+48(FP), CX
	MOVQ cols+56(FP), DX
	MOVQ DX, DI
	SHRQ $3, DI            // whole blocks per row
	SHLQ $2, DX            // row stride in bytes, of a and of x
	LEAQ (DX)(DX*2), R13   // three strides
	MOVQ CX, R12
	SHLQ $2, R12           // stride of dst between vectors

rg4:
	CMPQ CX, $4
	JB   rg1
	MOVQ x_base+64(FP), BX
	MOVQ n+88(FP), R8
	MOVQ R11, R10

	// Four rows by three vectors: twelve accumulators, seven loads per
	// twelve multiply-adds; Y(3k+s) is row k, vector s.
s3:
	CMPQ   R8, $3
	JB     s1
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	XORQ   AX, AX
	MOVQ   DI, R9

k3:
	LEAQ        (BX)(AX*1), R15
	VMOVUPS     (R15), Y12
	VMOVUPS     (R15)(DX*1), Y13
	VMOVUPS     (R15)(DX*2), Y14
	LEAQ        (SI)(AX*1), R14
	VMOVUPS     (R14), Y15
	VFMADD231PS Y12, Y15, Y0
	VFMADD231PS Y13, Y15, Y1
	VFMADD231PS Y14, Y15, Y2
	VMOVUPS     (R14)(DX*1), Y15
	VFMADD231PS Y12, Y15, Y3
	VFMADD231PS Y13, Y15, Y4
	VFMADD231PS Y14, Y15, Y5
	VMOVUPS     (R14)(DX*2), Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VFMADD231PS Y14, Y15, Y8
	VMOVUPS     (R14)(R13*1), Y15
	VFMADD231PS Y12, Y15, Y9
	VFMADD231PS Y13, Y15, Y10
	VFMADD231PS Y14, Y15, Y11
	ADDQ        $32, AX
	DECQ        R9
	JNZ         k3

	VHADDPS      Y3, Y0, Y0
	VHADDPS      Y9, Y6, Y6
	VHADDPS      Y6, Y0, Y0
	VEXTRACTF128 $1, Y0, X12
	VADDPS       X12, X0, X0
	VMOVUPS      X0, (R10)
	VHADDPS      Y4, Y1, Y1
	VHADDPS      Y10, Y7, Y7
	VHADDPS      Y7, Y1, Y1
	VEXTRACTF128 $1, Y1, X12
	VADDPS       X12, X1, X1
	VMOVUPS      X1, (R10)(R12*1)
	VHADDPS      Y5, Y2, Y2
	VHADDPS      Y11, Y8, Y8
	VHADDPS      Y8, Y2, Y2
	VEXTRACTF128 $1, Y2, X12
	VADDPS       X12, X2, X2
	VMOVUPS      X2, (R10)(R12*2)
	LEAQ         (R10)(R12*2), R10
	ADDQ         R12, R10
	LEAQ         (BX)(R13*1), BX
	SUBQ         $3, R8
	JMP          s3

	// Four rows by one vector for the vectors left over.
s1:
	TESTQ  R8, R8
	JZ     rg4next
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ   AX, AX
	MOVQ   DI, R9

k1:
	VMOVUPS     (BX)(AX*1), Y12
	LEAQ        (SI)(AX*1), R14
	VFMADD231PS (R14), Y12, Y0
	VFMADD231PS (R14)(DX*1), Y12, Y1
	VFMADD231PS (R14)(DX*2), Y12, Y2
	VFMADD231PS (R14)(R13*1), Y12, Y3
	ADDQ        $32, AX
	DECQ        R9
	JNZ         k1

	VHADDPS      Y1, Y0, Y0
	VHADDPS      Y3, Y2, Y2
	VHADDPS      Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X12
	VADDPS       X12, X0, X0
	VMOVUPS      X0, (R10)
	ADDQ         R12, R10
	ADDQ         DX, BX
	DECQ         R8
	JMP          s1

rg4next:
	LEAQ (SI)(DX*4), SI
	ADDQ $16, R11
	SUBQ $4, CX
	JMP  rg4

	// The rows left over, one row by one vector.
rg1:
	TESTQ CX, CX
	JZ    done
	MOVQ  x_base+64(FP), BX
	MOVQ  n+88(FP), R8
	MOVQ  R11, R10

t1:
	TESTQ  R8, R8
	JZ     rg1next
	VXORPS Y0, Y0, Y0
	XORQ   AX, AX
	MOVQ   DI, R9

kt:
	VMOVUPS     (BX)(AX*1), Y12
	VFMADD231PS (SI)(AX*1), Y12, Y0
	ADDQ        $32, AX
	DECQ        R9
	JNZ         kt

	VHADDPS      Y0, Y0, Y0
	VHADDPS      Y0, Y0, Y0
	VEXTRACTF128 $1, Y0, X12
	VADDSS       X12, X0, X0
	VMOVSS       X0, (R10)
	ADDQ         R12, R10
	ADDQ         DX, BX
	DECQ         R8
	JMP          t1

rg1next:
	ADDQ DX, SI
	ADDQ $4, R11
	DECQ CX
	JMP  rg1

done:
	VZEROUPPER
	RET

// func MatVecTransRowsAVX2(dst, a []float32, cols int, v []float32, idx []int32)
TEXT ·MatVecTransRowsAVX2(SB), NOSPLIT, $48-104
	MOVQ  dst_base+0(FP), DI
	MOVQ  dst_len+8(FP), R8
	MOVQ  a_base+24(FP), SI
	MOVQ  cols+48(FP), DX
	MOVQ  v_base+56(FP), BX
	MOVQ  idx_base+80(FP), R11
	MOVQ  idx_len+88(FP), CX
	SHRQ  $3, R8           // whole blocks of dst
	SHLQ  $2, DX           // row stride in bytes
	TESTQ R8, R8
	JZ    done
	MOVQ  SI, abase-8(SP)
	MOVQ  BX, vbase-16(SP)
	MOVQ  DX, stride-24(SP)
	MOVQ  R8, blocks-48(SP)

	// Twelve listed rows per sweep over dst: one load and store of dst per
	// twelve multiply-adds. Every general register but DI and AX holds a
	// row pointer, advanced to the end of the sweep so that AX counts up
	// from minus its length to 0; the rest waits on the stack.
rows12:
	CMPQ         CX, $12
	JB           rows12done
	MOVQ         R11, idxp-32(SP)
	MOVQ         CX, count-40(SP)
	MOVQ         vbase-16(SP), AX
	MOVLQSX      (R11), R10
	VBROADCASTSS (AX)(R10*4), Y0
	MOVLQSX      4(R11), R12
	VBROADCASTSS (AX)(R12*4), Y1
	MOVLQSX      8(R11), R13
	VBROADCASTSS (AX)(R13*4), Y2
	MOVLQSX      12(R11), R14
	VBROADCASTSS (AX)(R14*4), Y3
	MOVLQSX      16(R11), R15
	VBROADCASTSS (AX)(R15*4), Y4
	MOVLQSX      20(R11), BX
	VBROADCASTSS (AX)(BX*4), Y5
	MOVLQSX      24(R11), DX
	VBROADCASTSS (AX)(DX*4), Y6
	MOVLQSX      28(R11), SI
	VBROADCASTSS (AX)(SI*4), Y7
	MOVLQSX      32(R11), R8
	VBROADCASTSS (AX)(R8*4), Y8
	MOVLQSX      36(R11), R9
	VBROADCASTSS (AX)(R9*4), Y9
	MOVLQSX      40(R11), CX
	VBROADCASTSS (AX)(CX*4), Y10
	MOVLQSX      44(R11), R11
	VBROADCASTSS (AX)(R11*4), Y11
	MOVQ         stride-24(SP), AX
	IMULQ        AX, R10
	IMULQ        AX, R12
	IMULQ        AX, R13
	IMULQ        AX, R14
	IMULQ        AX, R15
	IMULQ        AX, BX
	IMULQ        AX, DX
	IMULQ        AX, SI
	IMULQ        AX, R8
	IMULQ        AX, R9
	IMULQ        AX, CX
	IMULQ        AX, R11
	MOVQ         abase-8(SP), AX
	ADDQ         AX, R10
	ADDQ         AX, R12
	ADDQ         AX, R13
	ADDQ         AX, R14
	ADDQ         AX, R15
	ADDQ         AX, BX
	ADDQ         AX, DX
	ADDQ         AX, SI
	ADDQ         AX, R8
	ADDQ         AX, R9
	ADDQ         AX, CX
	ADDQ         AX, R11
	MOVQ         blocks-48(SP), AX
	SHLQ         $5, AX            // the sweep's length in bytes
	ADDQ         AX, R10
	ADDQ         AX, R12
	ADDQ         AX, R13
	ADDQ         AX, R14
	ADDQ         AX, R15
	ADDQ         AX, BX
	ADDQ         AX, DX
	ADDQ         AX, SI
	ADDQ         AX, R8
	ADDQ         AX, R9
	ADDQ         AX, CX
	ADDQ         AX, R11
	ADDQ         AX, DI
	NEGQ         AX

r12block:
	VMOVUPS     (DI)(AX*1), Y12
	VFMADD231PS (R10)(AX*1), Y0, Y12
	VFMADD231PS (R12)(AX*1), Y1, Y12
	VFMADD231PS (R13)(AX*1), Y2, Y12
	VFMADD231PS (R14)(AX*1), Y3, Y12
	VFMADD231PS (R15)(AX*1), Y4, Y12
	VFMADD231PS (BX)(AX*1), Y5, Y12
	VFMADD231PS (DX)(AX*1), Y6, Y12
	VFMADD231PS (SI)(AX*1), Y7, Y12
	VFMADD231PS (R8)(AX*1), Y8, Y12
	VFMADD231PS (R9)(AX*1), Y9, Y12
	VFMADD231PS (CX)(AX*1), Y10, Y12
	VFMADD231PS (R11)(AX*1), Y11, Y12
	VMOVUPS     Y12, (DI)(AX*1)
	ADDQ        $32, AX
	JNZ         r12block
	MOVQ        blocks-48(SP), AX
	SHLQ        $5, AX
	SUBQ        AX, DI
	MOVQ        idxp-32(SP), R11
	ADDQ        $48, R11
	MOVQ        count-40(SP), CX
	SUBQ        $12, CX
	JMP         rows12

rows12done:
	MOVQ blocks-48(SP), R8
	MOVQ abase-8(SP), SI
	MOVQ vbase-16(SP), BX
	MOVQ stride-24(SP), DX

	// Four listed rows per sweep over dst: one load and store of dst per
	// four multiply-adds.
rows4:
	CMPQ         CX, $4
	JB           rows1
	MOVLQSX      (R11), R10
	VBROADCASTSS (BX)(R10*4), Y0
	IMULQ        DX, R10
	ADDQ         SI, R10
	MOVLQSX      4(R11), R12
	VBROADCASTSS (BX)(R12*4), Y1
	IMULQ        DX, R12
	ADDQ         SI, R12
	MOVLQSX      8(R11), R13
	VBROADCASTSS (BX)(R13*4), Y2
	IMULQ        DX, R13
	ADDQ         SI, R13
	MOVLQSX      12(R11), R14
	VBROADCASTSS (BX)(R14*4), Y3
	IMULQ        DX, R14
	ADDQ         SI, R14
	XORQ         AX, AX
	MOVQ         R8, R9

r4block:
	VMOVUPS     (DI)(AX*1), Y4
	VFMADD231PS (R10)(AX*1), Y0, Y4
	VFMADD231PS (R12)(AX*1), Y1, Y4
	VFMADD231PS (R13)(AX*1), Y2, Y4
	VFMADD231PS (R14)(AX*1), Y3, Y4
	VMOVUPS     Y4, (DI)(AX*1)
	ADDQ        $32, AX
	DECQ        R9
	JNZ         r4block
	ADDQ        $16, R11
	SUBQ        $4, CX
	JMP         rows4

rows1:
	TESTQ        CX, CX
	JZ           done
	MOVLQSX      (R11), R10
	VBROADCASTSS (BX)(R10*4), Y0
	IMULQ        DX, R10
	ADDQ         SI, R10
	XORQ         AX, AX
	MOVQ         R8, R9

r1block:
	VMOVUPS     (DI)(AX*1), Y4
	VFMADD231PS (R10)(AX*1), Y0, Y4
	VMOVUPS     Y4, (DI)(AX*1)
	ADDQ        $32, AX
	DECQ        R9
	JNZ         r1block
	ADDQ        $4, R11
	DECQ        CX
	JMP         rows1

done:
	VZEROUPPER
	RET

// AddRows4AVX2 takes four blocks at a time: the four additions of a block
// depend on each other, so independent blocks keep the adders busy.

// func AddRows4AVX2(a []float32, cols int, tab []float32, which []int32)
TEXT ·AddRows4AVX2(SB), NOSPLIT, $0-80
	MOVQ  a_base+0(FP), SI
	MOVQ  cols+24(FP), DX
	MOVQ  tab_base+32(FP), BX
	MOVQ  which_base+56(FP), R11
	MOVQ  which_len+64(FP), CX
	SHRQ  $2, CX           // rows
	MOVQ  DX, R8
	SHRQ  $3, R8           // whole blocks per row
	SHLQ  $2, DX           // row stride in bytes
	TESTQ R8, R8
	JZ    done

row:
	TESTQ   CX, CX
	JZ      done
	MOVLQSX (R11), R10
	IMULQ   DX, R10
	ADDQ    BX, R10
	MOVLQSX 4(R11), R12
	IMULQ   DX, R12
	ADDQ    BX, R12
	MOVLQSX 8(R11), R13
	IMULQ   DX, R13
	ADDQ    BX, R13
	MOVLQSX 12(R11), R14
	IMULQ   DX, R14
	ADDQ    BX, R14
	XORQ    AX, AX
	MOVQ    R8, R9

four:
	CMPQ    R9, $4
	JB      two
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS 32(SI)(AX*1), Y1
	VMOVUPS 64(SI)(AX*1), Y2
	VMOVUPS 96(SI)(AX*1), Y3
	VADDPS  (R10)(AX*1), Y0, Y0
	VADDPS  32(R10)(AX*1), Y1, Y1
	VADDPS  64(R10)(AX*1), Y2, Y2
	VADDPS  96(R10)(AX*1), Y3, Y3
	VADDPS  (R12)(AX*1), Y0, Y0
	VADDPS  32(R12)(AX*1), Y1, Y1
	VADDPS  64(R12)(AX*1), Y2, Y2
	VADDPS  96(R12)(AX*1), Y3, Y3
	VADDPS  (R13)(AX*1), Y0, Y0
	VADDPS  32(R13)(AX*1), Y1, Y1
	VADDPS  64(R13)(AX*1), Y2, Y2
	VADDPS  96(R13)(AX*1), Y3, Y3
	VADDPS  (R14)(AX*1), Y0, Y0
	VADDPS  32(R14)(AX*1), Y1, Y1
	VADDPS  64(R14)(AX*1), Y2, Y2
	VADDPS  96(R14)(AX*1), Y3, Y3
	VMOVUPS Y0, (SI)(AX*1)
	VMOVUPS Y1, 32(SI)(AX*1)
	VMOVUPS Y2, 64(SI)(AX*1)
	VMOVUPS Y3, 96(SI)(AX*1)
	ADDQ    $128, AX
	SUBQ    $4, R9
	JMP     four

two:
	CMPQ    R9, $2
	JB      one
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS 32(SI)(AX*1), Y1
	VADDPS  (R10)(AX*1), Y0, Y0
	VADDPS  32(R10)(AX*1), Y1, Y1
	VADDPS  (R12)(AX*1), Y0, Y0
	VADDPS  32(R12)(AX*1), Y1, Y1
	VADDPS  (R13)(AX*1), Y0, Y0
	VADDPS  32(R13)(AX*1), Y1, Y1
	VADDPS  (R14)(AX*1), Y0, Y0
	VADDPS  32(R14)(AX*1), Y1, Y1
	VMOVUPS Y0, (SI)(AX*1)
	VMOVUPS Y1, 32(SI)(AX*1)
	ADDQ    $64, AX
	SUBQ    $2, R9
	JMP     two

one:
	TESTQ   R9, R9
	JZ      next
	VMOVUPS (SI)(AX*1), Y0
	VADDPS  (R10)(AX*1), Y0, Y0
	VADDPS  (R12)(AX*1), Y0, Y0
	VADDPS  (R13)(AX*1), Y0, Y0
	VADDPS  (R14)(AX*1), Y0, Y0
	VMOVUPS Y0, (SI)(AX*1)

next:
	ADDQ DX, SI
	ADDQ $16, R11
	DECQ CX
	JMP  row

done:
	VZEROUPPER
	RET

// func TransposeAVX2(dst, a []float32, rows, cols int)
TEXT ·TransposeAVX2(SB), NOSPLIT, $0-64
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), SI
	MOVQ rows+48(FP), R8
	MOVQ cols+56(FP), R9
	MOVQ R9, R10
	SHLQ $2, R10           // source row stride in bytes
	MOVQ R8, R11
	SHLQ $2, R11           // destination row stride in bytes
	LEAQ (R10)(R10*2), R14 // three source strides
	LEAQ (R11)(R11*2), R15 // three destination strides
	SHRQ $3, R8            // blocks of 8 rows
	SHRQ $3, R9            // blocks of 8 columns
	TESTQ R9, R9
	JZ   done

brow:
	TESTQ R8, R8
	JZ    done
	MOVQ  SI, AX           // the block's first source row, at column 0
	MOVQ  DI, DX           // its first destination row, at column i0
	MOVQ  R9, CX

block:
	LEAQ    (AX)(R10*4), BX
	VMOVUPS (AX), Y0
	VMOVUPS (AX)(R10*1), Y1
	VMOVUPS (AX)(R10*2), Y2
	VMOVUPS (AX)(R14*1), Y3
	VMOVUPS (BX), Y4
	VMOVUPS (BX)(R10*1), Y5
	VMOVUPS (BX)(R10*2), Y6
	VMOVUPS (BX)(R14*1), Y7

	VUNPCKLPS Y1, Y0, Y8   // r00 r10 r01 r11 | r04 r14 r05 r15
	VUNPCKHPS Y1, Y0, Y9   // r02 r12 r03 r13 | r06 r16 r07 r17
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15

	VSHUFPS $0x44, Y10, Y8, Y0   // column 0 (rows 0-3) | column 4
	VSHUFPS $0xee, Y10, Y8, Y1   // column 1 | column 5
	VSHUFPS $0x44, Y11, Y9, Y2   // column 2 | column 6
	VSHUFPS $0xee, Y11, Y9, Y3   // column 3 | column 7
	VSHUFPS $0x44, Y14, Y12, Y4  // the same for rows 4-7
	VSHUFPS $0xee, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xee, Y15, Y13, Y7

	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15

	LEAQ    (DX)(R11*4), BX
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, (DX)(R11*1)
	VMOVUPS Y10, (DX)(R11*2)
	VMOVUPS Y11, (DX)(R15*1)
	VMOVUPS Y12, (BX)
	VMOVUPS Y13, (BX)(R11*1)
	VMOVUPS Y14, (BX)(R11*2)
	VMOVUPS Y15, (BX)(R15*1)

	ADDQ $32, AX
	LEAQ (DX)(R11*8), DX
	DECQ CX
	JNZ  block

	LEAQ (SI)(R10*8), SI
	ADDQ $32, DI
	DECQ R8
	JMP  brow

done:
	VZEROUPPER
	RET
