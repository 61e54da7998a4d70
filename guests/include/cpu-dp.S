/* Data processing: arithmetic and logical operations with flags over edge values, immediates
 * (and their carry-out), shifts by immediate and by register (amounts 0, 31, 32, 33, >255),
 * compare and test, MOVW/MOVT, PC as an operand, every condition code. */
#include "cputest.S.h"

        .macro  VALS2 op, rd, rn, rm
        .irp    a, 0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678
        .irp    b, 0, 1, 0x7fffffff, 0x80000000, 0xffffffff
        MOV32   \rn, \a
        MOV32   \rm, \b
        FLAGS   0x20000000
        \op     \rd, \rn, \rm
        FLAGS   0xd0000000
        \op     \rd, \rn, \rm
        .endr
        .endr
        .endm

        .macro  SHIFTS_IMM val
        MOV32   r0, \val
        .irp    c, 0, 0x20000000
        FLAGS   \c
        lsls    r2, r0, #1
        lsls    r3, r0, #31
        lsls    r4, r0, #0
        lsrs    r2, r0, #1
        lsrs    r3, r0, #31
        lsrs    r4, r0, #32
        asrs    r2, r0, #1
        asrs    r3, r0, #31
        asrs    r4, r0, #32
        rors    r2, r0, #1
        rors    r3, r0, #31
        rrxs    r4, r0
        lsl     r5, r0, #7
        asr     r6, r0, #9
        rrx     r7, r0
        .endr
        .endm

        .macro  SHIFTS_REG val
        MOV32   r0, \val
        .irp    n, 0, 1, 7, 31, 32, 33, 64, 255, 256, 0xffffff21
        MOV32   r1, \n
        FLAGS   0x20000000
        lsls    r2, r0, r1
        lsrs    r3, r0, r1
        asrs    r4, r0, r1
        rors    r5, r0, r1
        FLAGS   0x00000000
        lsls    r2, r0, r1
        lsrs    r3, r0, r1
        asrs    r4, r0, r1
        rors    r5, r0, r1
        lsl     r6, r0, r1
        ror     r7, r0, r1
#ifndef __thumb2__
        /* ARM only: a register-shifted register as operand 2. */
        MOV32   r8, 0x55aa55aa
        adds    r9, r8, r0, lsl r1
        subs    r9, r8, r0, lsr r1
        ands    r9, r8, r0, asr r1
        orrs    r9, r8, r0, ror r1
        movs    r9, r0, ror r1
        mvns    r9, r0, asr r1
        eors    r9, r8, r0, lsl r1
        bics    r9, r8, r0, lsr r1
        rscs    r9, r8, r0, lsl r1
        tst     r8, r0, lsl r1
        teq     r8, r0, ror r1
        cmp     r8, r0, asr r1
        cmn     r8, r0, lsr r1
#endif
        .endr
        .endm

        BODY_BEGIN
        /* Register-register arithmetic and logic, low registers (16-bit forms in Thumb). */
        .irp    op, adds, adcs, subs, sbcs, ands, orrs, eors, bics
        VALS2   \op, r2, r0, r1
        .endr
        /* High registers (32-bit forms), and forms without S. */
        .irp    op, adds, adcs, subs, sbcs, rsbs, add, adc, sub, sbc, rsb, and, orr, eor, bic
        VALS2   \op, r10, r8, r9
        .endr
#ifndef __thumb2__
        .irp    op, rscs, rsc
        VALS2   \op, r10, r8, r9
        .endr
#else
        .irp    op, orns, orn
        VALS2   \op, r10, r8, r9
        .endr
#endif

        /* Compare and test. */
        .irp    a, 0, 1, 0x7fffffff, 0x80000000, 0xffffffff
        .irp    b, 0, 1, 0x7fffffff, 0x80000000, 0xffffffff
        MOV32   r0, \a
        MOV32   r1, \b
        cmp     r0, r1
        cmn     r0, r1
        tst     r0, r1
        teq     r0, r1
        cmp     r8, r1
        .endr
        .endr

        /* Immediates, and the carry out of a rotated immediate in logical operations. */
        .irp    a, 0, 0x80000000, 0xffffffff, 0x0000ff00
        MOV32   r0, \a
        .irp    c, 0, 0x20000000
        FLAGS   \c
        adds    r2, r0, #1
        adds    r3, r0, #0xff
        subs    r4, r0, #0x80000000
        rsbs    r5, r0, #0
        adcs    r6, r0, #0xff000000
        sbcs    r7, r0, #0x3fc
        ands    r2, r0, #0xff
        ands    r3, r0, #0x80000000
        eors    r5, r0, #0x3fc00
#ifndef __thumb2__
        orrs    r4, r0, #0xf000000f
        bics    r6, r0, #0xc0000003
#else
        orrs    r4, r0, #0xf0000000
        bics    r6, r0, #0xc0000000
#endif
        movs    r7, #0x80000000
        mvns    r2, #0xff
        tst     r0, #0x80000000
        teq     r0, #0xff
        cmp     r0, #1
        cmn     r0, #1
#ifdef __thumb2__
        ands    r3, r0, #0x00ff00ff
        orrs    r4, r0, #0xff00ff00
        eors    r5, r0, #0xffffffff
        adds    r6, r0, #0x55555555
        orn     r7, r0, #0xff
        addw    r2, r0, #0xfff
        subw    r3, r0, #0x123
#endif
        .endr
        .endr

        /* Shifts by immediate (including the 32 encodings and RRX) and by register. */
        .irp    v, 0, 1, 0x80000001, 0x7ffffffe, 0xffffffff, 0x40000000
        SHIFTS_IMM \v
        .endr
        .irp    v, 0x80000001, 0xffffffff, 0x12345678
        SHIFTS_REG \v
        .endr
        /* Shifted register operands with immediate amounts (both instruction sets). */
        MOV32   r0, 0x87654321
        MOV32   r1, 0x0f0f0f0f
        .irp    c, 0, 0x20000000
        FLAGS   \c
        adds    r2, r1, r0, lsl #4
        subs    r3, r1, r0, lsr #32
        ands    r4, r1, r0, asr #32
        orrs    r5, r1, r0, ror #8
        eors    r6, r1, r0, rrx
        bics    r7, r1, r0, lsl #31
        movs    r8, r0, lsr #1
        mvns    r9, r0, ror #3
        tst     r1, r0, lsl #1
        teq     r1, r0, rrx
        cmp     r1, r0, asr #3
        cmn     r1, r0, lsr #5
        .endr

        /* MOVW/MOVT, MOV/MVN. */
        movw    r0, #0xffff
        movt    r0, #0x1234
        movw    r1, #0
        movt    r1, #0xffff
        mov     r2, r0
        mvn     r3, r1
        movs    r4, r1
        mvns    r5, r1

        /* The PC as an operand reads as this instruction + 8 (ARM) or + 4 (Thumb). */
        mov     r2, pc
        add     r3, pc, #8
        adr     r4, 1f
        adr     r5, 1f
        nop
1:      sub     r6, pc, #4
#ifndef __thumb2__
        add     r7, pc, r0
        add     r8, r0, pc, lsl #2
#endif

        /* Every condition code under several flag settings. */
        .irp    f, 0x00000000, 0x40000000, 0x80000000, 0x20000000, 0x10000000, 0x90000000, 0x60000000, 0xf0000000, 0x30000000
        FLAGS   \f
        mov     r0, #0
        .irp    cc, eq, ne, cs, cc, mi, pl, vs, vc, hi, ls, ge, lt, gt, le
        COND    \cc, add\cc r0, r0, #1
        .endr
        COND    eq, addseq r1, r0, #0x80000000
        .endr
        BODY_END
