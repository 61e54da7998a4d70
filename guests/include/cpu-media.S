/* Media instructions: saturating arithmetic (Q flag), parallel add/subtract in every flavour (GE
 * flags), SEL, USAD8/USADA8, SSAT/USAT (with shifts) and the 16-bit forms, packing, extends with
 * rotation and accumulate, byte reversal, CLZ, RBIT, bit-field operations. */
#include "cputest.S.h"

        .macro  PARALLEL a, b
        MOV32   r0, \a
        MOV32   r1, \b
        .irp    pre, s, q, sh, u, uq, uh
        .irp    op, add16, asx, sax, sub16, add8, sub8
        \pre\op r2, r0, r1
        .endr
        .endr
        FLAGS_GE 0x00050000
        sel     r3, r0, r1
        sadd8   r2, r0, r1
        sel     r3, r0, r1
        usub16  r2, r0, r1
        sel     r4, r1, r0
        usad8   r5, r0, r1
        usada8  r6, r0, r1, r5
        .endm

        .macro  SATURATE a, b
        MOV32   r0, \a
        MOV32   r1, \b
        FLAGS   0
        qadd    r2, r0, r1
        mrs     r12, APSR
        FLAGS   0
        qsub    r3, r0, r1
        mrs     r12, APSR
        FLAGS   0
        qdadd   r4, r0, r1
        mrs     r12, APSR
        FLAGS   0
        qdsub   r5, r0, r1
        mrs     r12, APSR
        FLAGS   0
        ssat    r6, #8, r0
        ssat    r7, #1, r0, lsl #3
        ssat    r8, #32, r0, asr #5
        ssat    r9, #16, r1, asr #1
        usat    r6, #8, r0
        usat    r7, #0, r0, lsl #1
        usat    r8, #31, r0, asr #31
        usat    r9, #15, r1
        ssat16  r10, #4, r0
        usat16  r11, #4, r1
        mrs     r12, APSR
        .endm

        .macro  EXTEND v, w
        MOV32   r0, \v
        MOV32   r1, \w
        .irp    rot, 0, 8, 16, 24
        sxtb    r2, r0, ror #\rot
        sxth    r3, r0, ror #\rot
        uxtb    r4, r0, ror #\rot
        uxth    r5, r0, ror #\rot
        sxtb16  r6, r0, ror #\rot
        uxtb16  r7, r0, ror #\rot
        sxtab   r2, r1, r0, ror #\rot
        sxtah   r3, r1, r0, ror #\rot
        uxtab   r4, r1, r0, ror #\rot
        uxtah   r5, r1, r0, ror #\rot
        sxtab16 r6, r1, r0, ror #\rot
        uxtab16 r7, r1, r0, ror #\rot
        .endr
        pkhbt   r2, r0, r1
        pkhbt   r3, r0, r1, lsl #5
        pkhtb   r4, r0, r1
        pkhtb   r5, r0, r1, asr #7
        pkhtb   r6, r0, r1, asr #32
        rev     r2, r0
        rev16   r3, r0
        revsh   r4, r0
        rbit    r5, r0
        clz     r6, r0
        clz     r7, r1
        .endm

        .macro  BITFIELD v
        MOV32   r0, \v
        MOV32   r1, 0xa5a5a5a5
        mov     r2, r1
        bfi     r2, r0, #0, #1
        bfi     r2, r0, #4, #8
        bfi     r2, r0, #31, #1
        bfi     r2, r0, #0, #32
        mov     r3, r1
        bfc     r3, #3, #5
        bfc     r3, #0, #32
        ubfx    r4, r0, #0, #1
        ubfx    r5, r0, #7, #9
        ubfx    r6, r0, #31, #1
        ubfx    r7, r0, #0, #32
        sbfx    r4, r0, #0, #1
        sbfx    r5, r0, #7, #9
        sbfx    r6, r0, #31, #1
        sbfx    r7, r0, #0, #32
        .endm

        BODY_BEGIN
        PARALLEL 0x7fff8000, 0x00017fff
        PARALLEL 0x80808080, 0x7f7f7f7f
        PARALLEL 0xffff0001, 0x0001ffff
        PARALLEL 0x12345678, 0x9abcdef0
        PARALLEL 0x00000000, 0xffffffff
        PARALLEL 0xff00ff00, 0x01ff01ff
        SATURATE 0x7fffffff, 0x00000001
        SATURATE 0x80000000, 0xffffffff
        SATURATE 0x40000000, 0x40000000
        SATURATE 0xc0000000, 0x40000001
        SATURATE 0x00000100, 0xffffff00
        SATURATE 0x12345678, 0x87654321
        SATURATE 0xffff8000, 0x00007fff
        EXTEND  0x80ff7f01, 0x12345678
        EXTEND  0x7f80ff00, 0xffffffff
        EXTEND  0x00000000, 0x80008000
        BITFIELD 0x12345678
        BITFIELD 0xffffffff
        BITFIELD 0x80000001
        BODY_END
