//go:build gc && !purego

#include "textflag.h"

// The cap works on signed order keys (see CapKeysAVX2): a key compares like
// the value, NaN lowest, -0 equal to +0, and a plain VPCMPGTD orders them.

// lanebits<> holds 1 << lane in each of the eight lanes; it turns an 8-bit
// lane mask back into a vector mask.
DATA lanebits<>+0(SB)/4, $1
DATA lanebits<>+4(SB)/4, $2
DATA lanebits<>+8(SB)/4, $4
DATA lanebits<>+12(SB)/4, $8
DATA lanebits<>+16(SB)/4, $16
DATA lanebits<>+20(SB)/4, $32
DATA lanebits<>+24(SB)/4, $64
DATA lanebits<>+28(SB)/4, $128
GLOBL lanebits<>(SB), RODATA|NOPTR, $32

// func CapKeysAVX2(keys []int32, x []float32) (lo, hi int32)
TEXT ·CapKeysAVX2(SB), NOSPLIT, $0-56
	MOVQ         keys_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	SHRQ         $3, CX
	VXORPS       Y0, Y0, Y0
	MOVL         $0x7fffffff, AX
	VMOVD        AX, X1
	VPBROADCASTD X1, Y1
	MOVL         $0x80000000, AX
	VMOVD        AX, X2
	VPBROADCASTD X2, Y2
	VMOVDQU      Y1, Y6          // smallest key so far
	VMOVDQU      Y2, Y7          // largest key so far
	XORQ         AX, AX

block:
	TESTQ     CX, CX
	JZ        done
	VADDPS    (SI)(AX*4), Y0, Y3 // 0 + v: -0 becomes +0, all else unchanged
	VCMPPS    $3, Y3, Y3, Y4     // unordered: NaN lanes
	VPSRAD    $31, Y3, Y5
	VPAND     Y1, Y5, Y5
	VPXOR     Y5, Y3, Y3         // negative: flip all but the sign bit
	VBLENDVPS Y4, Y2, Y3, Y3     // NaN: MinInt32
	VMOVDQU   Y3, (DI)(AX*4)
	VPMINSD   Y3, Y6, Y6
	VPMAXSD   Y3, Y7, Y7
	ADDQ      $8, AX
	DECQ      CX
	JMP       block

done:
	VEXTRACTI128 $1, Y6, X3
	VPMINSD      X3, X6, X6
	VPSHUFD      $0x4e, X6, X3
	VPMINSD      X3, X6, X6
	VPSHUFD      $0xb1, X6, X3
	VPMINSD      X3, X6, X6
	VMOVD        X6, AX
	MOVL         AX, lo+48(FP)
	VEXTRACTI128 $1, Y7, X3
	VPMAXSD      X3, X7, X7
	VPSHUFD      $0x4e, X7, X3
	VPMAXSD      X3, X7, X7
	VPSHUFD      $0xb1, X7, X3
	VPMAXSD      X3, X7, X7
	VMOVD        X7, AX
	MOVL         AX, hi+52(FP)
	VZEROUPPER
	RET

// func CapThresholdAVX2(keys []int32, k int, u0, bit uint32) (t int32, need int)
TEXT ·CapThresholdAVX2(SB), NOSPLIT, $0-56
	MOVQ keys_base+0(FP), SI
	MOVQ keys_len+8(FP), CX
	MOVQ k+24(FP), R8
	SHRQ $3, CX
	MOVL u0+32(FP), R9       // U: the threshold found so far, unsigned order
	MOVL bit+36(FP), R11     // the bit being decided; 0 for the final pass

	// Invariant: at least k keys are >= U. Each pass tries U|bit and keeps
	// the bit when k or more keys are >= it.
pass:
	MOVL  R9, R12
	TESTL R11, R11
	JZ    final
	ORL   R11, R12
	BTCL  $31, R12           // to signed order
	DECL  R12                // count keys > cand-1, i.e. >= cand
	JMP   count

final:
	BTCL $31, R12            // t = U: count the keys above it

count:
	VMOVD        R12, X0
	VPBROADCASTD X0, Y0
	VPXOR        Y1, Y1, Y1
	VPXOR        Y2, Y2, Y2
	XORQ         AX, AX
	MOVQ         CX, BX

c2:
	CMPQ     BX, $2
	JB       c1
	VMOVDQU  (SI)(AX*1), Y3
	VMOVDQU  32(SI)(AX*1), Y4
	VPCMPGTD Y0, Y3, Y3
	VPCMPGTD Y0, Y4, Y4
	VPSUBD   Y3, Y1, Y1
	VPSUBD   Y4, Y2, Y2
	ADDQ     $64, AX
	SUBQ     $2, BX
	JMP      c2

c1:
	TESTQ    BX, BX
	JZ       csum
	VMOVDQU  (SI)(AX*1), Y3
	VPCMPGTD Y0, Y3, Y3
	VPSUBD   Y3, Y1, Y1

csum:
	VPADDD       Y2, Y1, Y1
	VEXTRACTI128 $1, Y1, X2
	VPADDD       X2, X1, X1
	VPSHUFD      $0x4e, X1, X2
	VPADDD       X2, X1, X1
	VPSHUFD      $0xb1, X1, X2
	VPADDD       X2, X1, X1
	VMOVD        X1, R13     // keys > R12
	TESTL        R11, R11
	JZ           last
	CMPQ         R13, R8
	JB           next
	JE           exact
	ORL          R11, R9

next:
	SHRL $1, R11
	JMP  pass

exact:
	// Exactly k keys are >= cand: they are the k largest.
	MOVL R12, t+40(FP)
	MOVQ $0, need+48(FP)
	VZEROUPPER
	RET

last:
	SUBQ R13, R8
	MOVL R12, t+40(FP)
	MOVQ R8, need+48(FP)
	VZEROUPPER
	RET

// func CapSelectAVX2(x []float32, keys []int32, t int32, need int, sel []int32, m int) (mOut, needOut int)
TEXT ·CapSelectAVX2(SB), NOSPLIT, $0-112
	MOVQ         x_base+0(FP), DI
	MOVQ         x_len+8(FP), CX
	MOVQ         keys_base+24(FP), SI
	MOVL         t+48(FP), AX
	VMOVD        AX, X0
	VPBROADCASTD X0, Y0
	MOVQ         need+56(FP), R8
	MOVQ         sel_base+64(FP), R9
	MOVQ         m+88(FP), R10
	VMOVDQU      lanebits<>(SB), Y1
	SHRQ         $3, CX
	XORQ         BX, BX      // element index

block:
	TESTQ     CX, CX
	JZ        done
	VMOVDQU   (SI)(BX*4), Y2
	VPCMPGTD  Y0, Y2, Y3
	VPCMPEQD  Y0, Y2, Y4
	VMOVMSKPS Y3, AX         // keys > t: kept
	VMOVMSKPS Y4, DX         // keys == t: kept while need lasts, lowest index first

ties:
	TESTL DX, DX
	JZ    have
	TESTQ R8, R8
	JZ    have
	MOVL  DX, R11
	NEGL  R11
	ANDL  DX, R11
	ORL   R11, AX
	LEAL  -1(DX), R11
	ANDL  R11, DX
	DECQ  R8
	JMP   ties

have:
	CMPL         AX, $0xff
	JE           write
	VMOVD        AX, X5
	VPBROADCASTD X5, Y5
	VPAND        Y1, Y5, Y5
	VPCMPEQD     Y1, Y5, Y5
	VANDPS       (DI)(BX*4), Y5, Y6
	VMOVUPS      Y6, (DI)(BX*4)
	TESTL        AX, AX
	JZ           next

write:
	BSFL AX, DX
	LEAL (BX)(DX*1), R11
	MOVL R11, (R9)(R10*4)
	INCQ R10
	LEAL -1(AX), DX
	ANDL DX, AX
	JNZ  write

next:
	ADDQ $8, BX
	DECQ CX
	JMP  block

done:
	MOVQ R10, mOut+96(FP)
	MOVQ R8, needOut+104(FP)
	VZEROUPPER
	RET
