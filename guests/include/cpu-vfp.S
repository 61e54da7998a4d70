/* VFPv3: moves between core and VFP registers in every form, VMOV immediate, loads and stores
 * (VLDR/VSTR, VLDM/VSTM with writeback, VPUSH/VPOP), single and double precision arithmetic on
 * ordinary and special values (zeros, infinities, NaNs, denormals, extremes), compares and VMRS to
 * the flags, conversions between precisions, to and from integers (truncating and FPSCR-rounded)
 * and fixed point, under each rounding mode and with flush-to-zero and default-NaN. The FPSCR's
 * cumulative exception flags are compared too (lockstep with --fpu). */
#define CPU_TEST_VFP
#include "cputest.S.h"

        /* Sets FPSCR (clobbers r12). */
        .macro  FPSCR val
        MOV32   r12, \val
        vmsr    fpscr, r12
        .endm

        .macro  ARITH_S a, b
        MOV32   r0, \a
        MOV32   r1, \b
        vmov    s0, r0
        vmov    s1, r1
        vmov    s2, s1
        vadd.f32 s4, s0, s1
        vsub.f32 s5, s0, s1
        vmul.f32 s6, s0, s1
        vdiv.f32 s7, s0, s1
        vnmul.f32 s8, s0, s1
        vmla.f32 s2, s0, s1
        vmls.f32 s2, s0, s1
        vnmla.f32 s2, s0, s1
        vnmls.f32 s2, s0, s1
        vabs.f32 s9, s0
        vneg.f32 s10, s1
        vsqrt.f32 s11, s0
        vcmp.f32 s0, s1
        vmrs    APSR_nzcv, fpscr
        vcmpe.f32 s0, s1
        vmrs    APSR_nzcv, fpscr
        vcmp.f32 s0, #0
        vmrs    r2, fpscr
        vcvt.f64.f32 d8, s0
        vcvt.s32.f32 s12, s0
        vcvt.u32.f32 s13, s0
        vcvtr.s32.f32 s14, s1
        vcvtr.u32.f32 s15, s1
        vcvt.f32.s32 s16, s0
        vcvt.f32.u32 s17, s1
        vmov    r3, s4
        .endm

        .macro  ARITH_D ahi, alo, bhi, blo
        MOV32   r0, \alo
        MOV32   r1, \ahi
        vmov    d0, r0, r1
        MOV32   r0, \blo
        MOV32   r1, \bhi
        vmov    d1, r0, r1
        vmov.f64 d2, d1
        vadd.f64 d4, d0, d1
        vsub.f64 d5, d0, d1
        vmul.f64 d6, d0, d1
        vdiv.f64 d7, d0, d1
        vnmul.f64 d16, d0, d1
        vmla.f64 d2, d0, d1
        vmls.f64 d2, d0, d1
        vnmla.f64 d2, d0, d1
        vnmls.f64 d2, d0, d1
        vabs.f64 d17, d0
        vneg.f64 d18, d1
        vsqrt.f64 d19, d0
        vcmp.f64 d0, d1
        vmrs    APSR_nzcv, fpscr
        vcmpe.f64 d0, #0
        vmrs    APSR_nzcv, fpscr
        vcvt.f32.f64 s20, d0
        vcvt.s32.f64 s21, d1
        vcvt.u32.f64 s22, d1
        vcvtr.s32.f64 s23, d0
        vcvt.f64.s32 d20, s21
        vcvt.f64.u32 d21, s22
        vmov    r2, r3, d4
        .endm

        BODY_BEGIN
        /* Moves. */
        MOV32   r0, 0x3fc00000
        MOV32   r1, 0xc0100000
        vmov    s0, r0
        vmov    s1, s0
        vmov    r2, s1
        vmov    d1, r0, r1
        vmov    r3, r4, d1
        vmov    s4, s5, r0, r1
        vmov    r5, r6, s4, s5
        vmov.32 d20[1], r0
        vmov.32 d20[0], r1
        vmov.32 r7, d20[1]
        vmov.f32 s6, #1.5
        vmov.f32 s7, #-0.125
        vmov.f64 d5, #31.0
        vmov.f64 d31, #-2.0
        vmov.f64 d30, d5
        vmrs    r8, fpscr
        vmrs    r9, fpexc
        /* (FPSID/MVFR0/MVFR1 are not read: armvmm reports no Advanced SIMD, QEMU's A15 does.) */
        /* Loads and stores. */
        MOV32   r8, test_data
        MOV32   r9, test_scratch
        vldr    s8, [r8]
        vldr    s9, [r8, #4]
        vldr    d6, [r8, #8]
        vldr    d7, [r8, #-0]
        vldr    d21, [r8, #1020]
        vstr    s8, [r9]
        vstr    d6, [r9, #8]
        vldm    r8, {s10-s13}
        vldm    r8!, {d8-d10}
        vldmdb  r8!, {d11-d12}
        vstm    r9, {d8-d9}
        vstm    r9!, {s10-s15}
        vstmdb  r9!, {d22-d25}
        vldm    r9, {d26-d29}
        vpush   {d8-d11}
        vpush   {s0-s3}
        vpop    {s16-s19}
        vpop    {d12-d15}
        vldr    s0, 1f
        vldr    d1, 2f
        b       3f
        .balign 8
1:      .word   0x40490fdb
2:      .word   0x54442d18, 0x400921fb
3:
        /* Arithmetic, default FPSCR (round to nearest, no FZ/DN). */
        FPSCR   0
        ARITH_S 0x3fc00000, 0x40200000          @ 1.5, 2.5
        ARITH_S 0xbf800000, 0x3eaaaaab          @ -1, 1/3
        ARITH_S 0x00000000, 0x80000000          @ +0, -0
        ARITH_S 0x7f800000, 0xff800000          @ +inf, -inf
        ARITH_S 0x7fc00000, 0x3f800000          @ qNaN, 1
        ARITH_S 0x7f800001, 0x7fc12345          @ sNaN, qNaN
        ARITH_S 0x00000001, 0x00800000          @ denormal, smallest normal
        ARITH_S 0x7f7fffff, 0x7f7fffff          @ max, max
        ARITH_S 0x4f000000, 0xcf000001          @ 2^31, -(2^31 + ulp)
        ARITH_S 0x4f800000, 0xbf000000          @ 2^32, -0.5
        ARITH_S 0x40400000, 0x3fc00000          @ 3, 1.5
        ARITH_S 0xc0200000, 0x3f400000          @ -2.5, 0.75
        ARITH_D 0x3ff80000, 0x00000000, 0x40040000, 0x00000000   @ 1.5, 2.5
        ARITH_D 0x3fd55555, 0x55555555, 0xbff00000, 0x00000000   @ 1/3, -1
        ARITH_D 0x80000000, 0x00000000, 0x00000000, 0x00000000   @ -0, +0
        ARITH_D 0x7ff00000, 0x00000000, 0x7ff00000, 0x00000000   @ inf, inf
        ARITH_D 0x7ff00000, 0x00000001, 0x7ff80000, 0x00000000   @ sNaN, qNaN
        ARITH_D 0x00000000, 0x00000001, 0x00100000, 0x00000000   @ denormal, min normal
        ARITH_D 0x7fefffff, 0xffffffff, 0x3ff00000, 0x00000001   @ max, 1 + ulp
        ARITH_D 0x41dfffff, 0xffc00000, 0xc1e00000, 0x00100000   @ 2^31 - 1, below -2^31
        ARITH_D 0x400921fb, 0x54442d18, 0x4005bf0a, 0x8b145769   @ pi, e
        /* Rounding modes (RN, RP, RM, RZ), then flush-to-zero and default NaN. */
        .irp    mode, 0x00400000, 0x00800000, 0x00c00000
        FPSCR   \mode
        ARITH_S 0x3f800001, 0x3f7fffff
        ARITH_S 0xbfc00000, 0x40200000
        ARITH_S 0x3f000000, 0xbfc00000
        ARITH_D 0x3ff00000, 0x00000001, 0xbfefffff, 0xffffffff
        ARITH_D 0xc0040000, 0x00000000, 0x3fe00000, 0x00000000
        .endr
        FPSCR   0x01000000
        ARITH_S 0x00000001, 0x00400000
        ARITH_S 0x00800000, 0x3f000000
        ARITH_D 0x00000000, 0x00000001, 0x000fffff, 0xffffffff
        FPSCR   0x02000000
        ARITH_S 0x7f800001, 0x3f800000
        ARITH_S 0x7f800000, 0xff800000
        ARITH_D 0x7ff00000, 0x00000001, 0x3ff00000, 0x00000000
        FPSCR   0
        /* Fixed point conversions (in place). */
        MOV32   r0, 0x40490fdb
        vmov    s0, r0
        vcvt.s32.f32 s0, s0, #16
        vcvt.f32.s32 s0, s0, #16
        vcvt.u16.f32 s0, s0, #8
        vcvt.f32.u16 s0, s0, #8
        vmov.f64 d1, #-3.5
        vcvt.s16.f64 d1, d1, #4
        vcvt.f64.s16 d1, d1, #4
        vcvt.u32.f64 d1, d1, #1
        vmrs    r0, fpscr
        BODY_END
