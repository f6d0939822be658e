//go:build gc && !purego

#include "textflag.h"

// Dense products. Sums keep several accumulators and fuse each multiply-add,
// so they round differently from the pure-Go loops (within float32 rounding).

// func DotAVX2(x, y []float32) float32
TEXT ·DotAVX2(SB), NOSPLIT, $0-52
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	SHRQ   $3, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ   AX, AX

dot4:
	CMPQ        CX, $4
	JB          dot1
	VMOVUPS     (SI)(AX*1), Y4
	VMOVUPS     32(SI)(AX*1), Y5
	VMOVUPS     64(SI)(AX*1), Y6
	VMOVUPS     96(SI)(AX*1), Y7
	VFMADD231PS (DI)(AX*1), Y4, Y0
	VFMADD231PS 32(DI)(AX*1), Y5, Y1
	VFMADD231PS 64(DI)(AX*1), Y6, Y2
	VFMADD231PS 96(DI)(AX*1), Y7, Y3
	ADDQ        $128, AX
	SUBQ        $4, CX
	JMP         dot4

dot1:
	TESTQ       CX, CX
	JZ          dotsum
	VMOVUPS     (SI)(AX*1), Y4
	VFMADD231PS (DI)(AX*1), Y4, Y0
	ADDQ        $32, AX
	DECQ        CX
	JMP         dot1

dotsum:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VMOVSS       X0, ret+48(FP)
	VZEROUPPER
	RET

// func MatVecAVX2(dst, a []float32, cols int, x []float32)
TEXT ·MatVecAVX2(SB), NOSPLIT, $0-80
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ cols+48(FP), DX
	MOVQ x_base+56(FP), BX
	MOVQ DX, R8
	SHRQ $3, R8            // whole blocks per row
	SHLQ $2, DX            // row stride in bytes
	LEAQ (DX)(DX*2), R13   // three strides
	TESTQ R8, R8
	JZ   zero

	// Four rows at a time share each load of x; two blocks per step give
	// eight independent accumulators, enough to cover the FMA latency.
rows4:
	CMPQ   CX, $4
	JB     rows1
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ   AX, AX
	MOVQ   R8, R9

r4two:
	CMPQ        R9, $2
	JB          r4one
	VMOVUPS     (BX)(AX*1), Y8
	VMOVUPS     32(BX)(AX*1), Y9
	LEAQ        (SI)(AX*1), R10
	VFMADD231PS (R10), Y8, Y0
	VFMADD231PS 32(R10), Y9, Y4
	VFMADD231PS (R10)(DX*1), Y8, Y1
	VFMADD231PS 32(R10)(DX*1), Y9, Y5
	VFMADD231PS (R10)(DX*2), Y8, Y2
	VFMADD231PS 32(R10)(DX*2), Y9, Y6
	VFMADD231PS (R10)(R13*1), Y8, Y3
	VFMADD231PS 32(R10)(R13*1), Y9, Y7
	ADDQ        $64, AX
	SUBQ        $2, R9
	JMP         r4two

r4one:
	TESTQ       R9, R9
	JZ          r4sum
	VMOVUPS     (BX)(AX*1), Y8
	LEAQ        (SI)(AX*1), R10
	VFMADD231PS (R10), Y8, Y0
	VFMADD231PS (R10)(DX*1), Y8, Y1
	VFMADD231PS (R10)(DX*2), Y8, Y2
	VFMADD231PS (R10)(R13*1), Y8, Y3

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
	SUBQ         $4, CX
	JMP          rows4

rows1:
	TESTQ  CX, CX
	JZ     done
	VXORPS Y0, Y0, Y0
	VXORPS Y4, Y4, Y4
	XORQ   AX, AX
	MOVQ   R8, R9

r1two:
	CMPQ        R9, $2
	JB          r1one
	VMOVUPS     (BX)(AX*1), Y8
	VMOVUPS     32(BX)(AX*1), Y9
	VFMADD231PS (SI)(AX*1), Y8, Y0
	VFMADD231PS 32(SI)(AX*1), Y9, Y4
	ADDQ        $64, AX
	SUBQ        $2, R9
	JMP         r1two

r1one:
	TESTQ       R9, R9
	JZ          r1sum
	VMOVUPS     (BX)(AX*1), Y8
	VFMADD231PS (SI)(AX*1), Y8, Y0

r1sum:
	VADDPS       Y4, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VMOVSS       X0, (DI)
	ADDQ         $4, DI
	ADDQ         DX, SI
	DECQ         CX
	JMP          rows1

zero:
	TESTQ CX, CX
	JZ    done
	MOVL  $0, (DI)
	ADDQ  $4, DI
	DECQ  CX
	JMP   zero

done:
	VZEROUPPER
	RET

// func MatVecColsAVX2(dst, a []float32, cols int, x []float32, idx []int32)
TEXT ·MatVecColsAVX2(SB), NOSPLIT, $0-104
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ cols+48(FP), DX
	MOVQ x_base+56(FP), BX
	MOVQ idx_base+80(FP), R8
	MOVQ idx_len+88(FP), R9
	SHRQ $3, R9            // whole groups of 8 indices
	SHLQ $2, DX            // row stride in bytes

	// Four rows at a time share each group of indices and the gathered x.
rows4:
	CMPQ   CX, $4
	JB     rows1
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	LEAQ   (SI)(DX*1), R10
	LEAQ   (SI)(DX*2), R12
	LEAQ   (R10)(DX*2), R13
	XORQ   AX, AX
	MOVQ   R9, R11

r4group:
	TESTQ       R11, R11
	JZ          r4sum
	VMOVDQU     (R8)(AX*1), Y8
	VPCMPEQD    Y15, Y15, Y15
	VGATHERDPS  Y15, (BX)(Y8*4), Y9
	VPCMPEQD    Y15, Y15, Y15
	VGATHERDPS  Y15, (SI)(Y8*4), Y10
	VPCMPEQD    Y15, Y15, Y15
	VGATHERDPS  Y15, (R10)(Y8*4), Y11
	VPCMPEQD    Y15, Y15, Y15
	VGATHERDPS  Y15, (R12)(Y8*4), Y12
	VPCMPEQD    Y15, Y15, Y15
	VGATHERDPS  Y15, (R13)(Y8*4), Y13
	VFMADD231PS Y10, Y9, Y0
	VFMADD231PS Y11, Y9, Y1
	VFMADD231PS Y12, Y9, Y2
	VFMADD231PS Y13, Y9, Y3
	ADDQ        $32, AX
	DECQ        R11
	JMP         r4group

r4sum:
	VHADDPS      Y1, Y0, Y0
	VHADDPS      Y3, Y2, Y2
	VHADDPS      Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVUPS      X0, (DI)
	ADDQ         $16, DI
	LEAQ         (SI)(DX*4), SI
	SUBQ         $4, CX
	JMP          rows4

rows1:
	TESTQ  CX, CX
	JZ     done
	VXORPS Y0, Y0, Y0
	XORQ   AX, AX
	MOVQ   R9, R11

r1group:
	TESTQ       R11, R11
	JZ          r1sum
	VMOVDQU     (R8)(AX*1), Y8
	VPCMPEQD    Y15, Y15, Y15
	VGATHERDPS  Y15, (BX)(Y8*4), Y9
	VPCMPEQD    Y15, Y15, Y15
	VGATHERDPS  Y15, (SI)(Y8*4), Y10
	VFMADD231PS Y10, Y9, Y0
	ADDQ        $32, AX
	DECQ        R11
	JMP         r1group

r1sum:
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VMOVSS       X0, (DI)
	ADDQ         $4, DI
	ADDQ         DX, SI
	DECQ         CX
	JMP          rows1

done:
	VZEROUPPER
	RET

// func MatVecTransAVX2(dst, a []float32, cols int, v []float32)
TEXT ·MatVecTransAVX2(SB), NOSPLIT, $0-80
	MOVQ  dst_base+0(FP), DI
	MOVQ  dst_len+8(FP), R8
	MOVQ  a_base+24(FP), SI
	MOVQ  cols+48(FP), DX
	MOVQ  v_base+56(FP), BX
	MOVQ  v_len+64(FP), CX
	SHRQ  $3, R8           // whole blocks of dst
	SHLQ  $2, DX           // row stride in bytes
	LEAQ  (DX)(DX*2), R13  // three strides
	TESTQ R8, R8
	JZ    done

	// Four rows per sweep over dst: one load and store of dst per four FMAs.
rows4:
	CMPQ         CX, $4
	JB           rows1
	VBROADCASTSS (BX), Y0
	VBROADCASTSS 4(BX), Y1
	VBROADCASTSS 8(BX), Y2
	VBROADCASTSS 12(BX), Y3
	XORQ         AX, AX
	MOVQ         R8, R9

r4block:
	VMOVUPS     (DI)(AX*1), Y4
	LEAQ        (SI)(AX*1), R10
	VFMADD231PS (R10), Y0, Y4
	VFMADD231PS (R10)(DX*1), Y1, Y4
	VFMADD231PS (R10)(DX*2), Y2, Y4
	VFMADD231PS (R10)(R13*1), Y3, Y4
	VMOVUPS     Y4, (DI)(AX*1)
	ADDQ        $32, AX
	DECQ        R9
	JNZ         r4block
	ADDQ        $16, BX
	LEAQ        (SI)(DX*4), SI
	SUBQ        $4, CX
	JMP         rows4

rows1:
	TESTQ        CX, CX
	JZ           done
	VBROADCASTSS (BX), Y0
	XORQ         AX, AX
	MOVQ         R8, R9

r1block:
	VMOVUPS     (DI)(AX*1), Y4
	VFMADD231PS (SI)(AX*1), Y0, Y4
	VMOVUPS     Y4, (DI)(AX*1)
	ADDQ        $32, AX
	DECQ        R9
	JNZ         r1block
	ADDQ        $4, BX
	ADDQ        DX, SI
	DECQ        CX
	JMP         rows1

done:
	VZEROUPPER
	RET

// func AddOuterAVX2(a []float32, cols int, u, v []float32)
TEXT ·AddOuterAVX2(SB), NOSPLIT, $0-80
	MOVQ  a_base+0(FP), SI
	MOVQ  cols+24(FP), DX
	MOVQ  u_base+32(FP), BX
	MOVQ  u_len+40(FP), CX
	MOVQ  v_base+56(FP), DI
	MOVQ  v_len+64(FP), R8
	SHRQ  $3, R8
	SHLQ  $2, DX
	TESTQ R8, R8
	JZ    done

row:
	TESTQ        CX, CX
	JZ           done
	VBROADCASTSS (BX), Y0
	XORQ         AX, AX
	MOVQ         R8, R9

block:
	VMOVUPS     (SI)(AX*1), Y1
	VFMADD231PS (DI)(AX*1), Y0, Y1
	VMOVUPS     Y1, (SI)(AX*1)
	ADDQ        $32, AX
	DECQ        R9
	JNZ         block
	ADDQ        $4, BX
	ADDQ        DX, SI
	DECQ        CX
	JMP         row

done:
	VZEROUPPER
	RET
