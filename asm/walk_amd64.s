//go:build gc && !purego

#include "textflag.h"

// The walk's row in one pass: two blocks of 8 per step while they last, then
// one. Registers: DI g, SI w, DX d, R8 inv, R9 mul, R10 next, R11 idx, AX the
// element index, CX the blocks left. g + w*d, w*mul + t and next + u*v are
// each one fused multiply-add. Each function loads its own arguments, not a
// macro, so that go vet checks their offsets.

// WALK does the block at byte displacement off (of AX*4) with the table
// values in T, using W, G and N as scratch.
#define WALK(off, T, W, G, N) \
	VMOVUPS     off(DI)(AX*4), G   \
	VMOVUPS     off(SI)(AX*4), W   \
	VFMADD231PS off(DX)(AX*4), W, G \
	VMULPS      off(R8)(AX*4), G, G \
	VMOVUPS     G, off(DI)(AX*4)   \
	VFMADD132PS off(R9)(AX*4), T, W \
	VMOVUPS     W, off(SI)(AX*4)   \
	VMOVUPS     off(R10)(AX*4), N  \
	VFMADD231PS W, G, N            \
	VMOVUPS     N, off(R10)(AX*4)

// LOOKUP sets T to the entries of the table in Y0 (0..7) and Y1 (8..15)
// picked by the 8 indices at byte displacement off (of AX), and keeps their
// maximum in Y7: each index selects from both halves by its low three bits
// (VPERMPS), and bit 3, shifted into the sign, picks the half (VBLENDVPS).
#define LOOKUP(off, T, I, H) \
	VPMOVZXBD off(R11)(AX*1), I \
	VPMAXUD   I, Y7, Y7         \
	VPERMPS   Y0, I, T          \
	VPERMPS   Y1, I, H          \
	VPSLLD    $28, I, I         \
	VBLENDVPS I, H, T, T

// func BackUndo16AVX2(g, w, d, inv, mul, next []float32, table *[16]float32, idx []uint8) (maxIdx uint32)
TEXT ·BackUndo16AVX2(SB), NOSPLIT, $0-180
	MOVQ    g_base+0(FP), DI
	MOVQ    g_len+8(FP), CX
	MOVQ    w_base+24(FP), SI
	MOVQ    d_base+48(FP), DX
	MOVQ    inv_base+72(FP), R8
	MOVQ    mul_base+96(FP), R9
	MOVQ    next_base+120(FP), R10
	MOVQ    table+144(FP), BX
	MOVQ    idx_base+152(FP), R11
	SHRQ    $3, CX
	VMOVUPS (BX), Y0         // table[0:8]
	VMOVUPS 32(BX), Y1       // table[8:16]
	VPXOR   Y7, Y7, Y7       // largest index so far
	XORQ    AX, AX

two:
	CMPQ CX, $2
	JB   one
	LOOKUP(0, Y2, Y3, Y4)
	LOOKUP(8, Y8, Y9, Y10)
	WALK(0, Y2, Y3, Y4, Y5)
	WALK(32, Y8, Y9, Y10, Y11)
	ADDQ $16, AX
	SUBQ $2, CX
	JMP  two

one:
	TESTQ CX, CX
	JZ    done
	LOOKUP(0, Y2, Y3, Y4)
	WALK(0, Y2, Y3, Y4, Y5)

done:
	VEXTRACTI128 $1, Y7, X6
	VPMAXUD      X6, X7, X7
	VPSHUFD      $0x4e, X7, X6
	VPMAXUD      X6, X7, X7
	VPSHUFD      $0xb1, X7, X6
	VPMAXUD      X6, X7, X7
	VMOVD        X7, AX
	MOVL         AX, maxIdx+176(FP)
	VZEROUPPER
	RET

// func BackUndoConstAVX2(g, w, d, inv, mul, next []float32, c float32)
TEXT ·BackUndoConstAVX2(SB), NOSPLIT, $0-148
	MOVQ         g_base+0(FP), DI
	MOVQ         g_len+8(FP), CX
	MOVQ         w_base+24(FP), SI
	MOVQ         d_base+48(FP), DX
	MOVQ         inv_base+72(FP), R8
	MOVQ         mul_base+96(FP), R9
	MOVQ         next_base+120(FP), R10
	VBROADCASTSS c+144(FP), Y0
	SHRQ         $3, CX
	XORQ         AX, AX

two:
	CMPQ CX, $2
	JB   one
	WALK(0, Y0, Y3, Y4, Y5)
	WALK(32, Y0, Y9, Y10, Y11)
	ADDQ $16, AX
	SUBQ $2, CX
	JMP  two

one:
	TESTQ CX, CX
	JZ    done
	WALK(0, Y0, Y3, Y4, Y5)

done:
	VZEROUPPER
	RET
