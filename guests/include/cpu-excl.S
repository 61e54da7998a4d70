/* Exclusive access: LDREX/STREX in every size (byte, halfword, word, doubleword), a STREX that
 * must fail (no open monitor, after CLREX), one to another address, and a LDREX/STREX loop as
 * atomics compile to. DMB/DSB/ISB in passing. */
#include "cputest.S.h"

        BODY_BEGIN
        ldr     r8, =test_scratch
        MOV32   r0, 0x01234567
        MOV32   r1, 0x89abcdef
        /* Without an open monitor STREX fails (result 1) and stores nothing. */
        clrex
        strex   r2, r0, [r8]
        ldr     r3, [r8]
        /* Word. */
        ldrex   r3, [r8]
        strex   r2, r0, [r8]
        ldr     r3, [r8]
        strex   r2, r1, [r8]
        /* Byte and halfword. */
        ldrexb  r3, [r8]
        strexb  r2, r1, [r8]
        ldrexh  r4, [r8]
        strexh  r2, r0, [r8]
        ldr     r3, [r8]
        /* Doubleword. */
        ldrexd  r4, r5, [r8]
        strexd  r2, r0, r1, [r8]
        ldrd    r4, r5, [r8]
        /* CLREX between the two fails the store. */
        ldrex   r3, [r8]
        clrex
        strex   r2, r0, [r8]
        /* (Whether an exception entry or return clears the local monitor is IMPLEMENTATION
         * DEFINED in ARMv7: QEMU does not, armvmm does; so no SVC between LDREX and STREX here.) */
        ldrex   r3, [r8]
        strex   r2, r1, [r8]
        ldr     r3, [r8]
        ldrex   r3, [r8]
        add     r9, r8, #8
        strex   r2, r1, [r9]
        /* An atomic increment loop. */
        mov     r0, #5
1:      ldrex   r3, [r8]
        add     r3, r3, #1
        strex   r2, r3, [r8]
        cmp     r2, #0
        bne     1b
        subs    r0, r0, #1
        bne     1b
        ldr     r3, [r8]
        dmb     sy
        dsb     sy
        isb
        dmb     ish
        BODY_END
