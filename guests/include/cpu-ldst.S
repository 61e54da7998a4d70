/* Loads and stores: word/byte/halfword/signed/doubleword, immediate and register offsets (with
 * shifts, negative offsets), offset/pre-indexed/post-indexed addressing with writeback, the
 * unprivileged forms, PC-relative literal loads, and stores read back. All accesses are aligned:
 * with the MMU off memory is Strongly-ordered, where unaligned accesses fault on hardware (QEMU
 * does not model that). */
#include "cputest.S.h"

        .macro  BASES
        ldr     r8, =test_data + 64
        ldr     r9, =test_scratch + 64
        .endm

        BODY_BEGIN
        BASES
        mov     r10, #4
        MOV32   r11, 0xfffffffc
        /* Immediate offsets. */
        ldr     r0, [r8]
        ldr     r1, [r8, #4]
        ldr     r2, [r8, #-8]
        ldr     r3, [r8, #124]
        ldrb    r4, [r8, #3]
        ldrb    r5, [r8, #-1]
        ldrh    r6, [r8, #2]
        ldrh    r7, [r8, #-6]
        ldrsb   r0, [r8, #7]
        ldrsb   r1, [r8, #-5]
        ldrsh   r2, [r8, #2]
        ldrsh   r3, [r8, #-2]
        ldrd    r4, r5, [r8, #8]
        ldrd    r6, r7, [r8, #-16]
        /* Register offsets. */
        ldr     r0, [r8, r10]
        ldr     r2, [r8, r10, lsl #2]
        ldrb    r3, [r8, r10]
        ldrh    r4, [r8, r10]
        ldrsb   r5, [r8, r10]
        ldrsh   r6, [r8, r10]
        ldr     r7, [r8, r11]
#ifndef __thumb2__
        ldr     r1, [r8, -r10]
        /* Byte loads for the shifts that give odd offsets (2, -1, RRX: -2): an unaligned LDR
         * takes an alignment fault here, on Strongly-ordered memory. */
        ldrb    r0, [r8, r10, lsr #1]
        ldrb    r1, [r8, -r10, asr #2]
        ldrb    r2, [r8, r11, ror #0]
        ldrh    r3, [r8, -r10]
        ldrsb   r4, [r8, -r10]
        ldrd    r4, r5, [r8, r10]
        ldrd    r6, r7, [r8, -r10]
#endif
        /* Pre-indexed and post-indexed with writeback. */
        ldr     r0, [r8, #4]!
        ldr     r1, [r8], #4
        ldr     r2, [r8, #-12]!
        ldr     r3, [r8], #-4
        ldrb    r4, [r8, #1]!
        ldrb    r5, [r8], #3
        ldrh    r6, [r8, #2]!
        ldrh    r7, [r8], #-2
        ldrsh   r0, [r8, #2]!
        ldrsb   r1, [r8], #-4
        BASES
        ldrd    r2, r3, [r8, #8]!
        ldrd    r4, r5, [r8], #-8
#ifndef __thumb2__
        ldr     r6, [r8, r10]!
        ldr     r7, [r8], r10
        ldr     r0, [r8, -r10, lsl #1]!
        ldr     r1, [r8], -r10
        ldrb    r2, [r8, r10]!
        ldrh    r3, [r8], r10
        ldrd    r4, r5, [r8, r10]!
#endif
        /* Stores, read back. */
        BASES
        MOV32   r0, 0x11223344
        MOV32   r1, 0x55667788
        MOV32   r2, 0x99aabbcc
        str     r0, [r9]
        str     r1, [r9, #4]!
        str     r2, [r9], #4
        strb    r0, [r9, #1]
        strb    r1, [r9, #-1]
        strh    r2, [r9, #2]
        strh    r0, [r9, #-4]!
        strd    r0, r1, [r9, #8]
        strd    r2, r3, [r9, #-8]!
        str     r0, [r9, r10]
        strb    r1, [r9, r10, lsl #1]
        strh    r2, [r9, r10]
        ldr     r3, [r9]
        ldr     r4, [r9, #4]
        ldr     r5, [r9, #8]
        ldr     r6, [r9, #12]
        ldr     r7, [r9, #16]
        ldrd    r4, r5, [r9, #-8]
#ifndef __thumb2__
        strd    r0, r1, [r9, r10]
        str     r0, [r9, -r10, lsl #2]!
        strb    r1, [r9], -r10
        strh    r2, [r9, -r10]!
        ldr     r3, [r9]
#endif
        /* Thumb 16-bit forms (and their ARM equivalents). */
        BASES
        mov     r1, r8
        mov     r2, #8
        ldr     r0, [r1, #124]
        ldr     r3, [r1, r2]
        ldrb    r4, [r1, #31]
        ldrh    r5, [r1, #62]
        ldrsb   r6, [r1, r2]
        ldrsh   r7, [r1, r2]
        str     r0, [sp, #-8]!
        ldr     r3, [sp]
        ldr     r4, [sp], #8
        /* Unprivileged forms (at PL1 with the MMU off they behave as the plain ones). */
        BASES
        ldrt    r0, [r8]
        ldrbt   r1, [r8]
        ldrht   r2, [r8]
        ldrsbt  r3, [r8]
        ldrsht  r4, [r8]
        strt    r0, [r9]
        strbt   r1, [r9]
        strht   r2, [r9]
#ifndef __thumb2__
        ldrt    r5, [r8], #4
        ldrbt   r6, [r8], #-4
        ldrt    r7, [r8], r10
        strt    r0, [r9], #4
        strbt   r1, [r9], -r10
        ldrht   r2, [r8], #2
        strht   r3, [r9], #-2
#else
        ldrt    r5, [r8, #4]
        ldrbt   r6, [r8, #255]
        strt    r0, [r9, #8]
#endif
        /* PC-relative (literal) loads: the PC reads as the instruction + 8 (ARM) or Align(+4, 4) (Thumb). */
        ldr     r0, =0xdeadbeef
        ldr     r1, 1f
        ldrh    r2, 1f
        ldrsb   r3, 1f
        ldrd    r4, r5, 1f
        b       2f
        .balign 8
1:      .word   0x8badf00d, 0xcafe8001
2:      nop
        BODY_END
