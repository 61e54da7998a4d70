/* Load and store multiple: every addressing mode (IA/IB/DA/DB, ARM; IA/DB, Thumb) with and without
 * writeback, PUSH/POP, single-register lists, the base register in the list (stored value of
 * STM; LDM loading the base), and loads of the PC (interworking return). */
#include "cputest.S.h"

        .macro  FILLREGS
        MOV32   r0, 0x10000000
        MOV32   r1, 0x11111111
        MOV32   r2, 0x22222222
        MOV32   r3, 0x33333333
        MOV32   r4, 0x44444444
        MOV32   r5, 0x55555555
        MOV32   r6, 0x66666666
        MOV32   r7, 0x77777777
        .endm

        BODY_BEGIN
        FILLREGS
        ldr     r8, =test_scratch + 128
        mov     r12, r8
        stmia   r8, {r0-r7}
        stmdb   r8, {r0, r2, r4}
        ldmia   r8, {r1-r3}
        ldmdb   r8, {r4-r6}
        stmia   r8!, {r0-r3}
        ldmdb   r8!, {r4-r7}
        stmdb   r8!, {r1, r3, r5, r7}
        ldmia   r8!, {r0, r2}
        mov     r8, r12
#ifndef __thumb2__
        stmib   r8, {r0-r3}
        stmda   r8, {r4-r7}
        ldmib   r8, {r0-r1}
        ldmda   r8, {r2-r3}
        stmib   r8!, {r0, r1}
        ldmda   r8!, {r2, r3}
        stmda   r8!, {r4, r5, r6}
        ldmib   r8!, {r4, r5, r6}
        /* Base in the list: STM stores the original base when it is the lowest register. */
        mov     r8, r12
        stmia   r8, {r0, r8, r9}
        ldmia   r8, {r0, r1, r2}
        mov     r4, r12
        stmia   r4!, {r4, r5}
        mov     r4, r12
        ldmia   r4, {r3, r4}
        ldmia   r12, {r12}
        ldr     r12, =test_scratch + 128
#endif
        mov     r8, r12
        /* 16-bit Thumb forms: low-register STMIA!/LDMIA (writeback unless the base is loaded). */
        mov     r1, r12
        stmia   r1!, {r2, r3, r4}
        mov     r1, r12
        ldmia   r1!, {r5, r6, r7}
        mov     r1, r12
        ldmia   r1, {r0, r1}
        /* PUSH and POP, including lr and pc. */
        FILLREGS
        push    {r0-r7, lr}
        pop     {r0-r3}
        push    {r4}
        pop     {r5}
        pop     {r4-r7, r12}
        push    {r0, r1}
        pop     {r2, r3}
        /* Load of the PC as a return (interworks: bit 0 selects the instruction set). */
        adr     r1, 1f
#ifdef __thumb2__
        orr     r1, r1, #1
#endif
        push    {r0, r1}
        pop     {r2, pc}
        nop
1:      ldr     r8, =test_scratch + 128
        adr     r0, 2f
#ifdef __thumb2__
        orr     r0, r0, #1
#endif
        str     r0, [r8, #4]
        ldmia   r8, {r1, pc}
        nop
2:      nop
        BODY_END
