//go:build gc && !purego

#include "textflag.h"

// The logistic function in float64, four lanes at a time, so the result
// rounds to the same float32 as the generic float32(1/(1+math.Exp(-v))) in
// all but rare cases within one unit in the last place: exp(-v) by range
// reduction to r = -v - n ln2 (|r| <= ln2/2), a degree-12 Taylor polynomial
// (relative error below 2e-16) and 2^n built in the exponent bits. -v is
// clamped to [-708, 709], where 1/(1+exp(-v)) already rounds to 1 or to 0 in
// float32, so 2^n stays a normal number; NaN passes through.

// sigmoidc<> holds each constant four times, one per lane.
DATA sigmoidc<>+0(SB)/8, $0x3ff0000000000000
DATA sigmoidc<>+8(SB)/8, $0x3ff0000000000000
DATA sigmoidc<>+16(SB)/8, $0x3ff0000000000000
DATA sigmoidc<>+24(SB)/8, $0x3ff0000000000000
DATA sigmoidc<>+32(SB)/8, $0x8000000000000000
DATA sigmoidc<>+40(SB)/8, $0x8000000000000000
DATA sigmoidc<>+48(SB)/8, $0x8000000000000000
DATA sigmoidc<>+56(SB)/8, $0x8000000000000000
DATA sigmoidc<>+64(SB)/8, $0xc086200000000000
DATA sigmoidc<>+72(SB)/8, $0xc086200000000000
DATA sigmoidc<>+80(SB)/8, $0xc086200000000000
DATA sigmoidc<>+88(SB)/8, $0xc086200000000000
DATA sigmoidc<>+96(SB)/8, $0x4086280000000000
DATA sigmoidc<>+104(SB)/8, $0x4086280000000000
DATA sigmoidc<>+112(SB)/8, $0x4086280000000000
DATA sigmoidc<>+120(SB)/8, $0x4086280000000000
DATA sigmoidc<>+128(SB)/8, $0x3ff71547652b82fe
DATA sigmoidc<>+136(SB)/8, $0x3ff71547652b82fe
DATA sigmoidc<>+144(SB)/8, $0x3ff71547652b82fe
DATA sigmoidc<>+152(SB)/8, $0x3ff71547652b82fe
DATA sigmoidc<>+160(SB)/8, $0x3fe62e42fee00000
DATA sigmoidc<>+168(SB)/8, $0x3fe62e42fee00000
DATA sigmoidc<>+176(SB)/8, $0x3fe62e42fee00000
DATA sigmoidc<>+184(SB)/8, $0x3fe62e42fee00000
DATA sigmoidc<>+192(SB)/8, $0x3dea39ef35793c76
DATA sigmoidc<>+200(SB)/8, $0x3dea39ef35793c76
DATA sigmoidc<>+208(SB)/8, $0x3dea39ef35793c76
DATA sigmoidc<>+216(SB)/8, $0x3dea39ef35793c76
DATA sigmoidc<>+224(SB)/8, $0x4338000000000000
DATA sigmoidc<>+232(SB)/8, $0x4338000000000000
DATA sigmoidc<>+240(SB)/8, $0x4338000000000000
DATA sigmoidc<>+248(SB)/8, $0x4338000000000000
DATA sigmoidc<>+256(SB)/8, $0x00000000000003ff
DATA sigmoidc<>+264(SB)/8, $0x00000000000003ff
DATA sigmoidc<>+272(SB)/8, $0x00000000000003ff
DATA sigmoidc<>+280(SB)/8, $0x00000000000003ff
DATA sigmoidc<>+288(SB)/8, $0x3e21eed8eff8d898
DATA sigmoidc<>+296(SB)/8, $0x3e21eed8eff8d898
DATA sigmoidc<>+304(SB)/8, $0x3e21eed8eff8d898
DATA sigmoidc<>+312(SB)/8, $0x3e21eed8eff8d898
DATA sigmoidc<>+320(SB)/8, $0x3e5ae64567f544e4
DATA sigmoidc<>+328(SB)/8, $0x3e5ae64567f544e4
DATA sigmoidc<>+336(SB)/8, $0x3e5ae64567f544e4
DATA sigmoidc<>+344(SB)/8, $0x3e5ae64567f544e4
DATA sigmoidc<>+352(SB)/8, $0x3e927e4fb7789f5c
DATA sigmoidc<>+360(SB)/8, $0x3e927e4fb7789f5c
DATA sigmoidc<>+368(SB)/8, $0x3e927e4fb7789f5c
DATA sigmoidc<>+376(SB)/8, $0x3e927e4fb7789f5c
DATA sigmoidc<>+384(SB)/8, $0x3ec71de3a556c734
DATA sigmoidc<>+392(SB)/8, $0x3ec71de3a556c734
DATA sigmoidc<>+400(SB)/8, $0x3ec71de3a556c734
DATA sigmoidc<>+408(SB)/8, $0x3ec71de3a556c734
DATA sigmoidc<>+416(SB)/8, $0x3efa01a01a01a01a
DATA sigmoidc<>+424(SB)/8, $0x3efa01a01a01a01a
DATA sigmoidc<>+432(SB)/8, $0x3efa01a01a01a01a
DATA sigmoidc<>+440(SB)/8, $0x3efa01a01a01a01a
DATA sigmoidc<>+448(SB)/8, $0x3f2a01a01a01a01a
DATA sigmoidc<>+456(SB)/8, $0x3f2a01a01a01a01a
DATA sigmoidc<>+464(SB)/8, $0x3f2a01a01a01a01a
DATA sigmoidc<>+472(SB)/8, $0x3f2a01a01a01a01a
DATA sigmoidc<>+480(SB)/8, $0x3f56c16c16c16c17
DATA sigmoidc<>+488(SB)/8, $0x3f56c16c16c16c17
DATA sigmoidc<>+496(SB)/8, $0x3f56c16c16c16c17
DATA sigmoidc<>+504(SB)/8, $0x3f56c16c16c16c17
DATA sigmoidc<>+512(SB)/8, $0x3f81111111111111
DATA sigmoidc<>+520(SB)/8, $0x3f81111111111111
DATA sigmoidc<>+528(SB)/8, $0x3f81111111111111
DATA sigmoidc<>+536(SB)/8, $0x3f81111111111111
DATA sigmoidc<>+544(SB)/8, $0x3fa5555555555555
DATA sigmoidc<>+552(SB)/8, $0x3fa5555555555555
DATA sigmoidc<>+560(SB)/8, $0x3fa5555555555555
DATA sigmoidc<>+568(SB)/8, $0x3fa5555555555555
DATA sigmoidc<>+576(SB)/8, $0x3fc5555555555555
DATA sigmoidc<>+584(SB)/8, $0x3fc5555555555555
DATA sigmoidc<>+592(SB)/8, $0x3fc5555555555555
DATA sigmoidc<>+600(SB)/8, $0x3fc5555555555555
DATA sigmoidc<>+608(SB)/8, $0x3fe0000000000000
DATA sigmoidc<>+616(SB)/8, $0x3fe0000000000000
DATA sigmoidc<>+624(SB)/8, $0x3fe0000000000000
DATA sigmoidc<>+632(SB)/8, $0x3fe0000000000000
GLOBL sigmoidc<>(SB), RODATA|NOPTR, $640

// SIGMOID4 replaces the four float32 at off(SI)(AX*4) by their logistic.
#define SIGMOID4(off) \
	VCVTPS2PD   off(SI)(AX*4), Y0; \
	VXORPD      Y14, Y0, Y0; \
	VMAXPD      Y0, Y13, Y0; \
	VMINPD      Y0, Y12, Y0; \
	VMULPD      Y11, Y0, Y1; \
	VROUNDPD    $0, Y1, Y1; \
	VMOVAPD     Y0, Y2; \
	VFNMADD231PD Y10, Y1, Y2; \
	VFNMADD231PD Y9, Y1, Y2; \
	VMOVUPD     sigmoidc<>+288(SB), Y3; \
	VFMADD213PD sigmoidc<>+320(SB), Y2, Y3; \
	VFMADD213PD sigmoidc<>+352(SB), Y2, Y3; \
	VFMADD213PD sigmoidc<>+384(SB), Y2, Y3; \
	VFMADD213PD sigmoidc<>+416(SB), Y2, Y3; \
	VFMADD213PD sigmoidc<>+448(SB), Y2, Y3; \
	VFMADD213PD sigmoidc<>+480(SB), Y2, Y3; \
	VFMADD213PD sigmoidc<>+512(SB), Y2, Y3; \
	VFMADD213PD sigmoidc<>+544(SB), Y2, Y3; \
	VFMADD213PD sigmoidc<>+576(SB), Y2, Y3; \
	VFMADD213PD sigmoidc<>+608(SB), Y2, Y3; \
	VFMADD213PD Y15, Y2, Y3; \
	VFMADD213PD Y15, Y2, Y3; \
	VADDPD      Y8, Y1, Y4; \
	VPADDQ      Y7, Y4, Y4; \
	VPSLLQ      $52, Y4, Y4; \
	VMULPD      Y4, Y3, Y3; \
	VADDPD      Y15, Y3, Y3; \
	VDIVPD      Y3, Y15, Y3; \
	VCVTPD2PSY  Y3, X3; \
	VMOVUPS     X3, off(SI)(AX*4)

// func SigmoidAVX2(x []float32)
TEXT ·SigmoidAVX2(SB), NOSPLIT, $0-24
	MOVQ    x_base+0(FP), SI
	MOVQ    x_len+8(FP), CX
	SHRQ    $3, CX
	VMOVUPD sigmoidc<>+0(SB), Y15
	VMOVUPD sigmoidc<>+32(SB), Y14
	VMOVUPD sigmoidc<>+64(SB), Y13
	VMOVUPD sigmoidc<>+96(SB), Y12
	VMOVUPD sigmoidc<>+128(SB), Y11
	VMOVUPD sigmoidc<>+160(SB), Y10
	VMOVUPD sigmoidc<>+192(SB), Y9
	VMOVUPD sigmoidc<>+224(SB), Y8
	VMOVDQU sigmoidc<>+256(SB), Y7
	XORQ    AX, AX

block:
	TESTQ CX, CX
	JZ    done
	SIGMOID4(0)
	SIGMOID4(16)
	ADDQ  $8, AX
	DECQ  CX
	JMP   block

done:
	VZEROUPPER
	RET


// func ReLUAVX2(x []float32)
TEXT ·ReLUAVX2(SB), NOSPLIT, $0-24
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	SHRQ   $3, CX
	VXORPS Y0, Y0, Y0
	XORQ   AX, AX

	// VMAXPS gives its first source, v, only when v > 0, and else its
	// second, +0: NaN and -0 become +0, as in the generic loop.
block:
	TESTQ   CX, CX
	JZ      done
	VMOVUPS (SI)(AX*4), Y1
	VMAXPS  Y0, Y1, Y1
	VMOVUPS Y1, (SI)(AX*4)
	ADDQ    $8, AX
	DECQ    CX
	JMP     block

done:
	VZEROUPPER
	RET
