/* Thumb IT blocks: every mask length (IT, ITT, ITE, ITTT ... ITETE) and condition, flag-setting
 * inside a block (16-bit instructions do not set flags in an IT block), a block whose condition
 * changes mid-way, a branch as the last instruction of a block, and 32-bit instructions inside. */
#include "cputest.S.h"

        .macro  ITCASE flags
        FLAGS   \flags
        mov     r0, #0
        it      eq
        addeq   r0, r0, #1
        itt     ne
        addne   r0, r0, #2
        addne   r1, r0, #3
        ite     cs
        addcs   r0, r0, #4
        addcc   r0, r0, #5
        ittt    mi
        addmi   r0, #1
        addmi   r0, #2
        addmi   r0, #3
        itee    vs
        movvs   r2, #1
        movvc   r2, #2
        movvc   r3, #3
        itete   hi
        movhi   r4, #1
        movls   r4, #2
        movhi   r5, #3
        movls   r5, #4
        ittee   ge
        addge   r6, r6, #1
        addge   r7, r7, #1
        sublt   r6, r6, #1
        sublt   r7, r7, #1
        itttt   gt
        addgt.w r8, r0, #0x100
        addgt   r8, r8, r0
        lslgt   r8, r8, #1
        rorgt   r8, r8, r0
        itete   le
        addle   r9, r0, r0
        subgt   r9, r0, r0
        eorle   r9, r9, r0
        mvngt   r9, r9
        /* 16-bit adds inside IT do not set flags; a flag-setting 32-bit one does, and changes
         * the conditions of the rest of the block. */
        cmp     r0, r0
        ittt    eq
        addeq   r1, r1, r0
        addseq.w r1, r0, #0
        addeq   r2, r2, #1
        mov     r3, #0
        cmp     r3, #0
        itt     eq
        cmpeq   r3, #1
        addeq   r3, r3, #5
        .endm

        BODY_BEGIN
        mov     r6, #0
        mov     r7, #0
        .irp    f, 0x00000000, 0x40000000, 0x80000000, 0x20000000, 0x10000000, 0x90000000, 0x60000000, 0xf0000000, 0x30000000, 0xa0000000
        ITCASE  \f
        .endr
        /* A branch ending an IT block. */
        FLAGS   0x40000000
        mov     r0, #0
        itt     eq
        moveq   r0, #1
        beq     1f
        mov     r0, #0xbad
1:      ite     ne
        movne   r0, #0xbad
        bxeq    lr
        BODY_END
