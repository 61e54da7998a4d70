/* Raw PSCI CPU_ON entry points for the SMP checks (smp.c). Before touching anything, each records
 * the state PSCI handed over: r0 (the context id), CPSR, SCTLR, MPIDR and which entry ran (1 = the
 * ARM one, 2 = the Thumb one, reached only if bit 0 of the entry address selected Thumb state).
 * Then it sets the CPU up the way guests/lib/crt0.S does (VBAR = _start, one stack per exception
 * mode in this CPU's 16 KiB block) and calls platform_secondary(context id) in SVC mode.
 *
 * entry_reports[cpu] (struct entry_report in smp.c, 32 bytes, indexed by MPIDR.Aff0):
 *   +0 context id, +4 CPSR, +8 SCTLR, +12 MPIDR, +16 path, +20 arrivals (bumped last) */
        .syntax unified
        .arch   armv7-a
        .text

        .thumb
        .global entry_thumb
        .type   entry_thumb, %function
entry_thumb:
        mrs     r5, cpsr                        @ MRS reads the T bit as zero: the path says it
        mov     r8, #2
        movw    r9, #:lower16:record
        movt    r9, #:upper16:record
        bx      r9                              @ bit 0 clear: on to ARM state
        .size   entry_thumb, . - entry_thumb

        .arm
        .global entry_arm
        .type   entry_arm, %function
entry_arm:
        mrs     r5, cpsr
        mov     r8, #1
        /* fall through */
record:
        mov     r4, r0                          @ context id
        mrc     p15, 0, r6, c1, c0, 0           @ SCTLR
        mrc     p15, 0, r7, c0, c0, 5           @ MPIDR
        and     r10, r7, #0xff                  @ Aff0
        cmp     r10, #8
        bhs     park
        ldr     r11, =entry_reports
        add     r11, r11, r10, lsl #5
        stm     r11, {r4, r5, r6, r7, r8}
        dsb
        ldr     r0, [r11, #20]
        add     r0, r0, #1
        str     r0, [r11, #20]
        dsb
        sev

        /* crt0's per-CPU set-up: stack tops at 0x400 (FIQ), 0x800 (UND), 0xc00 (ABT), 0x2000 (IRQ)
         * and 0x4000 (SVC) in the CPU's block at __stacks_start + Aff0 * 16 KiB. */
        ldr     r1, =__stacks_start
        add     r1, r1, r10, lsl #14
        ldr     r0, =_start
        mcr     p15, 0, r0, c12, c0, 0          @ VBAR
        msr     cpsr_c, #0xd1
        add     sp, r1, #0x400
        msr     cpsr_c, #0xdb
        add     sp, r1, #0x800
        msr     cpsr_c, #0xd7
        add     sp, r1, #0xc00
        msr     cpsr_c, #0xd2
        add     sp, r1, #0x2000
        msr     cpsr_c, #0xd3
        add     sp, r1, #0x4000
        isb
        mov     r0, r4
        bl      platform_secondary
park:
        wfi
        b       park
        .size   entry_arm, . - entry_arm

        .ltorg
