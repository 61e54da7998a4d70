/* Alignment faults that QEMU 7.2 models too, for lockstep comparison, in ARM and then in Thumb:
 * the instructions that always check alignment (LDREX, LDREXH, LDREXD, LDM/STM with writeback,
 * PUSH/POP, LDRD/STRD) misaligned, their aligned forms, and unaligned LDR/LDRH/STR/STRH with
 * SCTLR.A = 1. A data abort vector of its own reads DFSR and DFAR into r10/r11, counts in r12 and
 * resumes after the faulting instruction (every probe is a 32-bit instruction in Thumb too: the
 * bases are high registers, PUSH/POP the .w forms), so the registers show each fault.
 * Not here: STREX/STREXD misaligned (QEMU fails them without checking alignment when the monitor
 * holds another address) and the memory-type faults (the MMU is off: Strongly-ordered memory,
 * where unaligned accesses fault on armvmm and not on QEMU 7.2); guests/align has both. */
#include "cputest.S.h"

        /* The probes, assembled once as ARM and once as Thumb; r8 = the scratch buffer. */
        .macro  PROBES push, pop
        MOV32   r0, 0x11223344
        MOV32   r1, 0x55667788
        stmia   r8, {r0, r1}
        MOV32   r2, 0x5eed0002
        MOV32   r3, 0x5eed0003

        /* Exclusives: word, halfword, doubleword, each misaligned, then aligned. */
        add     r9, r8, #2
        ldrex   r2, [r9]
        add     r9, r8, #1
        ldrexh  r2, [r9]
        add     r9, r8, #4
        ldrexd  r2, r3, [r9]
        ldrexd  r2, r3, [r8]
        clrex
        ldrex   r2, [r8]
        clrex

        /* LDM/STM with writeback: the base must stay. */
        add     r9, r8, #2
        ldmia   r9!, {r2, r3}
        add     r9, r8, #1
        stmia   r9!, {r0, r1}
        add     r9, r8, #3
        ldmdb   r9!, {r2, r3}
        add     r9, r8, #4
        ldmia   r9!, {r2, r3}

        /* PUSH/POP through a misaligned SP. */
        mov     r7, sp
        add     r9, r8, #66
        mov     sp, r9
        \push   {r2, r3}
        \pop    {r4, r5}
        mov     sp, r7

        /* LDRD/STRD need word alignment only. */
        add     r9, r8, #2
        ldrd    r4, r5, [r9]
        strd    r0, r1, [r9]
        add     r9, r8, #4
        ldrd    r4, r5, [r9]
        ldr     r4, [r8]
        ldr     r5, [r8, #4]

        /* SCTLR.A = 1: every unaligned access faults; aligned ones and bytes do not. */
        mrc     p15, 0, r6, c1, c0, 0
        orr     r7, r6, #2
        mcr     p15, 0, r7, c1, c0, 0
        isb
        add     r9, r8, #1
        ldr     r4, [r9]
        ldrh    r4, [r9]
        str     r0, [r9, #2]
        strh    r0, [r9]
        ldrb    r4, [r9]
        ldr     r5, [r8]
        mcr     p15, 0, r6, c1, c0, 0
        isb
        ldr     r4, [r8]
        ldr     r5, [r8, #4]
        .endm

        BODY_BEGIN
        ldr     r0, =align_vectors
        mcr     p15, 0, r0, c12, c0, 0          @ VBAR
        isb
        mov     r12, #0
        ldr     r8, =test_scratch
        PROBES  push, pop
        push    {lr}
        blx     thumb_probes
        pop     {lr}
        mov     r0, r12
        BODY_END

        .thumb
        .type   thumb_probes, %function
thumb_probes:
        ldr     r8, =test_scratch + 16
        PROBES  push.w, pop.w
        bx      lr
        .ltorg

        /* The vectors for the body: data aborts are recorded and skipped. */
        .arm
        .balign 32
align_vectors:
        b       cpu_test_stop
        movs    pc, lr                          @ UNDEF
        movs    pc, lr                          @ SVC
        b       cpu_test_stop                   @ prefetch abort
        b       align_dabt
        b       cpu_test_stop
        b       cpu_test_stop                   @ IRQ
        b       cpu_test_stop                   @ FIQ
align_dabt:
        mrc     p15, 0, r10, c5, c0, 0          @ DFSR
        mrc     p15, 0, r11, c6, c0, 0          @ DFAR
        add     r12, r12, #1
        subs    pc, lr, #4                      @ LR = the faulting instruction + 8
