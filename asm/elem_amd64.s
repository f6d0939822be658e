//go:build gc && !purego

#include "textflag.h"

// Element-wise kernels: four blocks of 8 per step while they last, then one.
// AddConst, MulElem and AddLookup16 round exactly like the pure-Go loops (one
// IEEE operation per element, the row as the first operand); Axpy and
// AddSquares fuse the multiply and the add.

// func AxpyAVX2(dst []float32, alpha float32, x []float32)
TEXT ·AxpyAVX2(SB), NOSPLIT, $0-56
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	VBROADCASTSS alpha+24(FP), Y0
	MOVQ         x_base+32(FP), SI
	SHRQ         $3, CX
	XORQ         AX, AX

four:
	CMPQ        CX, $4
	JB          one
	VMOVUPS     (DI)(AX*1), Y1
	VMOVUPS     32(DI)(AX*1), Y2
	VMOVUPS     64(DI)(AX*1), Y3
	VMOVUPS     96(DI)(AX*1), Y4
	VFMADD231PS (SI)(AX*1), Y0, Y1
	VFMADD231PS 32(SI)(AX*1), Y0, Y2
	VFMADD231PS 64(SI)(AX*1), Y0, Y3
	VFMADD231PS 96(SI)(AX*1), Y0, Y4
	VMOVUPS     Y1, (DI)(AX*1)
	VMOVUPS     Y2, 32(DI)(AX*1)
	VMOVUPS     Y3, 64(DI)(AX*1)
	VMOVUPS     Y4, 96(DI)(AX*1)
	ADDQ        $128, AX
	SUBQ        $4, CX
	JMP         four

one:
	TESTQ       CX, CX
	JZ          done
	VMOVUPS     (DI)(AX*1), Y1
	VFMADD231PS (SI)(AX*1), Y0, Y1
	VMOVUPS     Y1, (DI)(AX*1)
	ADDQ        $32, AX
	DECQ        CX
	JMP         one

done:
	VZEROUPPER
	RET

// func AddConstAVX2(row []float32, c float32)
TEXT ·AddConstAVX2(SB), NOSPLIT, $0-28
	MOVQ         row_base+0(FP), DI
	MOVQ         row_len+8(FP), CX
	VBROADCASTSS c+24(FP), Y0
	SHRQ         $3, CX
	XORQ         AX, AX

four:
	CMPQ    CX, $4
	JB      one
	VMOVUPS (DI)(AX*1), Y1
	VMOVUPS 32(DI)(AX*1), Y2
	VMOVUPS 64(DI)(AX*1), Y3
	VMOVUPS 96(DI)(AX*1), Y4
	VADDPS  Y0, Y1, Y1
	VADDPS  Y0, Y2, Y2
	VADDPS  Y0, Y3, Y3
	VADDPS  Y0, Y4, Y4
	VMOVUPS Y1, (DI)(AX*1)
	VMOVUPS Y2, 32(DI)(AX*1)
	VMOVUPS Y3, 64(DI)(AX*1)
	VMOVUPS Y4, 96(DI)(AX*1)
	ADDQ    $128, AX
	SUBQ    $4, CX
	JMP     four

one:
	TESTQ   CX, CX
	JZ      done
	VMOVUPS (DI)(AX*1), Y1
	VADDPS  Y0, Y1, Y1
	VMOVUPS Y1, (DI)(AX*1)
	ADDQ    $32, AX
	DECQ    CX
	JMP     one

done:
	VZEROUPPER
	RET

// func AddSquaresAVX2(acc, row []float32)
TEXT ·AddSquaresAVX2(SB), NOSPLIT, $0-48
	MOVQ acc_base+0(FP), DI
	MOVQ acc_len+8(FP), CX
	MOVQ row_base+24(FP), SI
	SHRQ $3, CX
	XORQ AX, AX

four:
	CMPQ        CX, $4
	JB          one
	VMOVUPS     (SI)(AX*1), Y1
	VMOVUPS     32(SI)(AX*1), Y2
	VMOVUPS     64(SI)(AX*1), Y3
	VMOVUPS     96(SI)(AX*1), Y4
	VMOVUPS     (DI)(AX*1), Y5
	VMOVUPS     32(DI)(AX*1), Y6
	VMOVUPS     64(DI)(AX*1), Y7
	VMOVUPS     96(DI)(AX*1), Y8
	VFMADD231PS Y1, Y1, Y5
	VFMADD231PS Y2, Y2, Y6
	VFMADD231PS Y3, Y3, Y7
	VFMADD231PS Y4, Y4, Y8
	VMOVUPS     Y5, (DI)(AX*1)
	VMOVUPS     Y6, 32(DI)(AX*1)
	VMOVUPS     Y7, 64(DI)(AX*1)
	VMOVUPS     Y8, 96(DI)(AX*1)
	ADDQ        $128, AX
	SUBQ        $4, CX
	JMP         four

one:
	TESTQ       CX, CX
	JZ          done
	VMOVUPS     (SI)(AX*1), Y1
	VMOVUPS     (DI)(AX*1), Y5
	VFMADD231PS Y1, Y1, Y5
	VMOVUPS     Y5, (DI)(AX*1)
	ADDQ        $32, AX
	DECQ        CX
	JMP         one

done:
	VZEROUPPER
	RET

// func MulElemAVX2(row, s []float32)
TEXT ·MulElemAVX2(SB), NOSPLIT, $0-48
	MOVQ row_base+0(FP), DI
	MOVQ row_len+8(FP), CX
	MOVQ s_base+24(FP), SI
	SHRQ $3, CX
	XORQ AX, AX

four:
	CMPQ    CX, $4
	JB      one
	VMOVUPS (DI)(AX*1), Y1
	VMOVUPS 32(DI)(AX*1), Y2
	VMOVUPS 64(DI)(AX*1), Y3
	VMOVUPS 96(DI)(AX*1), Y4
	VMULPS  (SI)(AX*1), Y1, Y1
	VMULPS  32(SI)(AX*1), Y2, Y2
	VMULPS  64(SI)(AX*1), Y3, Y3
	VMULPS  96(SI)(AX*1), Y4, Y4
	VMOVUPS Y1, (DI)(AX*1)
	VMOVUPS Y2, 32(DI)(AX*1)
	VMOVUPS Y3, 64(DI)(AX*1)
	VMOVUPS Y4, 96(DI)(AX*1)
	ADDQ    $128, AX
	SUBQ    $4, CX
	JMP     four

one:
	TESTQ   CX, CX
	JZ      done
	VMOVUPS (DI)(AX*1), Y1
	VMULPS  (SI)(AX*1), Y1, Y1
	VMOVUPS Y1, (DI)(AX*1)
	ADDQ    $32, AX
	DECQ    CX
	JMP     one

done:
	VZEROUPPER
	RET

// func AddLookup16AVX2(row []float32, table *[16]float32, idx []uint8) (maxIdx uint32)
TEXT ·AddLookup16AVX2(SB), NOSPLIT, $0-60
	MOVQ    row_base+0(FP), DI
	MOVQ    row_len+8(FP), CX
	MOVQ    table+24(FP), SI
	MOVQ    idx_base+32(FP), BX
	SHRQ    $3, CX
	VMOVUPS (SI), Y0         // table[0:8]
	VMOVUPS 32(SI), Y1       // table[8:16]
	VPXOR   Y7, Y7, Y7       // largest index so far
	XORQ    AX, AX           // element index

	// Each index selects from both halves by its low three bits (VPERMPS);
	// bit 3, shifted into the sign, picks the half (VBLENDVPS).
two:
	CMPQ      CX, $2
	JB        one
	VPMOVZXBD (BX)(AX*1), Y2
	VPMOVZXBD 8(BX)(AX*1), Y8
	VPMAXUD   Y2, Y7, Y7
	VPMAXUD   Y8, Y7, Y7
	VPERMPS   Y0, Y2, Y3
	VPERMPS   Y1, Y2, Y4
	VPERMPS   Y0, Y8, Y9
	VPERMPS   Y1, Y8, Y10
	VPSLLD    $28, Y2, Y5
	VPSLLD    $28, Y8, Y11
	VBLENDVPS Y5, Y4, Y3, Y3
	VBLENDVPS Y11, Y10, Y9, Y9
	VMOVUPS   (DI)(AX*4), Y6
	VMOVUPS   32(DI)(AX*4), Y12
	VADDPS    Y3, Y6, Y6
	VADDPS    Y9, Y12, Y12
	VMOVUPS   Y6, (DI)(AX*4)
	VMOVUPS   Y12, 32(DI)(AX*4)
	ADDQ      $16, AX
	SUBQ      $2, CX
	JMP       two

one:
	TESTQ     CX, CX
	JZ        done
	VPMOVZXBD (BX)(AX*1), Y2
	VPMAXUD   Y2, Y7, Y7
	VPERMPS   Y0, Y2, Y3
	VPERMPS   Y1, Y2, Y4
	VPSLLD    $28, Y2, Y5
	VBLENDVPS Y5, Y4, Y3, Y3
	VMOVUPS   (DI)(AX*4), Y6
	VADDPS    Y3, Y6, Y6
	VMOVUPS   Y6, (DI)(AX*4)

done:
	VEXTRACTI128 $1, Y7, X6
	VPMAXUD      X6, X7, X7
	VPSHUFD      $0x4e, X7, X6
	VPMAXUD      X6, X7, X7
	VPSHUFD      $0xb1, X7, X6
	VPMAXUD      X6, X7, X7
	VMOVD        X7, AX
	MOVL         AX, maxIdx+56(FP)
	VZEROUPPER
	RET

// func AddScaledAVX2(dst, x []float32, alpha float32, y []float32)
TEXT ·AddScaledAVX2(SB), NOSPLIT, $0-80
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	VBROADCASTSS alpha+48(FP), Y0
	MOVQ         y_base+56(FP), BX
	SHRQ         $3, CX
	XORQ         AX, AX

four:
	CMPQ        CX, $4
	JB          one
	VMOVUPS     (SI)(AX*1), Y1
	VMOVUPS     32(SI)(AX*1), Y2
	VMOVUPS     64(SI)(AX*1), Y3
	VMOVUPS     96(SI)(AX*1), Y4
	VFMADD231PS (BX)(AX*1), Y0, Y1
	VFMADD231PS 32(BX)(AX*1), Y0, Y2
	VFMADD231PS 64(BX)(AX*1), Y0, Y3
	VFMADD231PS 96(BX)(AX*1), Y0, Y4
	VMOVUPS     Y1, (DI)(AX*1)
	VMOVUPS     Y2, 32(DI)(AX*1)
	VMOVUPS     Y3, 64(DI)(AX*1)
	VMOVUPS     Y4, 96(DI)(AX*1)
	ADDQ        $128, AX
	SUBQ        $4, CX
	JMP         four

one:
	TESTQ       CX, CX
	JZ          done
	VMOVUPS     (SI)(AX*1), Y1
	VFMADD231PS (BX)(AX*1), Y0, Y1
	VMOVUPS     Y1, (DI)(AX*1)
	ADDQ        $32, AX
	DECQ        CX
	JMP         one

done:
	VZEROUPPER
	RET
