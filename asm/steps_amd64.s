//go:build gc && !purego

#include "textflag.h"

// AddStepsAVX2 keeps eight blocks of 8 (64 entries) in registers while it
// adds every step's table row to them: eight independent chains keep both
// adders busy through the latency of each addition, and the segment is
// loaded and stored once whatever the number of steps.

// func AddStepsAVX2(a []float32, tab []float32, stride int, which []int32)
TEXT ·AddStepsAVX2(SB), NOSPLIT, $0-80
	MOVQ a_base+0(FP), SI
	MOVQ a_len+8(FP), CX
	SHRQ $3, CX             // blocks of 8
	MOVQ tab_base+24(FP), BX
	MOVQ stride+48(FP), DX
	SHLQ $2, DX             // row stride in bytes
	MOVQ which_base+56(FP), R11
	MOVQ which_len+64(FP), R12
	XORQ AX, AX             // byte offset into a and each table row

eight:
	CMPQ    CX, $8
	JB      one
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS 32(SI)(AX*1), Y1
	VMOVUPS 64(SI)(AX*1), Y2
	VMOVUPS 96(SI)(AX*1), Y3
	VMOVUPS 128(SI)(AX*1), Y4
	VMOVUPS 160(SI)(AX*1), Y5
	VMOVUPS 192(SI)(AX*1), Y6
	VMOVUPS 224(SI)(AX*1), Y7
	XORQ    R9, R9

eightstep:
	CMPQ    R9, R12
	JAE     eightstore
	MOVLQSX (R11)(R9*4), R10
	IMULQ   DX, R10
	ADDQ    BX, R10
	ADDQ    AX, R10
	VADDPS  (R10), Y0, Y0
	VADDPS  32(R10), Y1, Y1
	VADDPS  64(R10), Y2, Y2
	VADDPS  96(R10), Y3, Y3
	VADDPS  128(R10), Y4, Y4
	VADDPS  160(R10), Y5, Y5
	VADDPS  192(R10), Y6, Y6
	VADDPS  224(R10), Y7, Y7
	INCQ    R9
	JMP     eightstep

eightstore:
	VMOVUPS Y0, (SI)(AX*1)
	VMOVUPS Y1, 32(SI)(AX*1)
	VMOVUPS Y2, 64(SI)(AX*1)
	VMOVUPS Y3, 96(SI)(AX*1)
	VMOVUPS Y4, 128(SI)(AX*1)
	VMOVUPS Y5, 160(SI)(AX*1)
	VMOVUPS Y6, 192(SI)(AX*1)
	VMOVUPS Y7, 224(SI)(AX*1)
	ADDQ    $256, AX
	SUBQ    $8, CX
	JMP     eight

one:
	TESTQ   CX, CX
	JZ      done
	VMOVUPS (SI)(AX*1), Y0
	XORQ    R9, R9

onestep:
	CMPQ    R9, R12
	JAE     onestore
	MOVLQSX (R11)(R9*4), R10
	IMULQ   DX, R10
	ADDQ    BX, R10
	VADDPS  (R10)(AX*1), Y0, Y0
	INCQ    R9
	JMP     onestep

onestore:
	VMOVUPS Y0, (SI)(AX*1)
	ADDQ    $32, AX
	DECQ    CX
	JMP     one

done:
	VZEROUPPER
	RET
