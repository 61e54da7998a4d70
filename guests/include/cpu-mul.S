/* Multiplies and divides: MUL/MLA/MLS, long multiplies (and accumulates) with flags, UMAAL, the
 * halfword and dual forms (SMLAxy, SMULWy, SMLAWy, SMLALxy, SMUAD/SMUSD/SMLAD/SMLSD/SMLALD/SMLSLD
 * with X), most-significant-word forms (SMMUL/SMMLA/SMMLS with R), and SDIV/UDIV including
 * division by zero and INT_MIN / -1. The Q flag is sticky, so it is cleared between groups. */
#include "cputest.S.h"

        .macro  MULCASE a, b, c, d
        MOV32   r0, \a
        MOV32   r1, \b
        MOV32   r2, \c
        MOV32   r3, \d
        FLAGS   0x00000000
        mul     r4, r0, r1
        mla     r5, r0, r1, r2
        mls     r6, r0, r1, r2
        umull   r4, r5, r0, r1
        smull   r6, r7, r0, r1
        mov     r8, r2
        mov     r9, r3
        umlal   r8, r9, r0, r1
        mov     r10, r2
        mov     r11, r3
        smlal   r10, r11, r0, r1
        mov     r8, r2
        mov     r9, r3
        umaal   r8, r9, r0, r1
        FLAGS   0x30000000
#ifndef __thumb2__
        muls    r4, r0, r1
        mlas    r5, r0, r1, r2
        umulls  r4, r5, r0, r1
        smulls  r6, r7, r0, r1
        mov     r8, r2
        mov     r9, r3
        umlals  r8, r9, r0, r1
        smlals  r8, r9, r0, r1
#else
        muls    r1, r0, r1
        MOV32   r1, \b
#endif
        FLAGS   0x00000000
        .irp    xy, bb, bt, tb, tt
        smul\xy r4, r0, r1
        smla\xy r5, r0, r1, r2
        mov     r8, r2
        mov     r9, r3
        smlal\xy r8, r9, r0, r1
        .endr
        smulwb  r4, r0, r1
        smulwt  r5, r0, r1
        smlawb  r6, r0, r1, r2
        smlawt  r7, r0, r1, r2
        mrs     r12, APSR
        FLAGS   0x00000000
        .irp    op, smuad, smuadx, smusd, smusdx, smmul, smmulr
        \op     r4, r0, r1
        .endr
        .irp    op, smlad, smladx, smlsd, smlsdx, smmla, smmlar, smmls, smmlsr
        \op     r5, r0, r1, r2
        .endr
        mrs     r12, APSR
        FLAGS   0x00000000
        .irp    op, smlald, smlaldx, smlsld, smlsldx
        mov     r8, r2
        mov     r9, r3
        \op     r8, r9, r0, r1
        .endr
        sdiv    r4, r0, r1
        udiv    r5, r0, r1
        sdiv    r6, r2, r3
        udiv    r7, r2, r3
        .endm

        BODY_BEGIN
        MULCASE 0, 0, 0, 0
        MULCASE 1, 1, 1, 1
        MULCASE 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff
        MULCASE 0x80000000, 0xffffffff, 0x80000000, 0xffffffff
        MULCASE 0x7fffffff, 0x7fffffff, 0x7fffffff, 0x80000000
        MULCASE 0x80008000, 0x80008000, 0x7fffffff, 0x00000001
        MULCASE 0x7fff8000, 0x80007fff, 0x80000000, 0x80000000
        MULCASE 0x12345678, 0x9abcdef0, 0x0fedcba9, 0x87654321
        MULCASE 0x00010000, 0x00000000, 0x00000007, 0x00000000
        MULCASE 0xfffe0003, 0x0002fffd, 0xfffffff9, 0x00000003
        MULCASE 0x7fff7fff, 0x7fff7fff, 0x7fffffff, 0x7fffffff
        MULCASE 0x80000000, 0x80000000, 0xffffffff, 0x7fffffff
        BODY_END
