/* Startup code for bare-metal guests on QEMU's virt machine and armvmm.
 *
 * Entered in ARM state at the image load address (0x40010000) in SVC mode with IRQ/FIQ masked,
 * MMU and caches off, r2 = DTB address (the Linux-style boot protocol QEMU and armvmm use for a raw
 * image). The vector table sits at _start itself (32-byte aligned), so VBAR = _start. */

        .syntax unified
        .arch   armv7-a
        .arch_extension sec
        .arm

/* CPSR values: mode with IRQ and FIQ masked. */
#define PSR_FIQ 0xd1
#define PSR_IRQ 0xd2
#define PSR_SVC 0xd3
#define PSR_ABT 0xd7
#define PSR_UND 0xdb

#define MAX_CPUS 8
#define STACK_BLOCK 0x4000

/* Per-CPU stack block layout (tops, as offsets in the CPU's 16 KiB block). */
#define FIQ_TOP 0x0400
#define UND_TOP 0x0800
#define ABT_TOP 0x0c00
#define IRQ_TOP 0x2000
#define SVC_TOP 0x4000

        .section .text.start, "ax"
        .global _start
        .type   _start, %function
_start:
        b       reset
        b       exc_undef
        b       exc_svc
        b       exc_pabt
        b       exc_dabt
        b       exc_reserved
        b       exc_irq
        b       exc_fiq

/* Sets VBAR and one stack per exception mode for the CPU whose index is in \cpu; ends in SVC mode
 * with interrupts masked. Clobbers r0-r1 (\cpu may be r0) and lr of the modes it visits, so it is
 * a macro rather than a call. */
        .macro  SETUP_CPU cpu
        ldr     r1, =__stacks_start
        add     r1, r1, \cpu, lsl #14           @ r1 = this CPU's block (STACK_BLOCK = 1 << 14)
        ldr     r0, =_start
        mcr     p15, 0, r0, c12, c0, 0          @ VBAR
        msr     cpsr_c, #PSR_FIQ
        add     sp, r1, #FIQ_TOP
        msr     cpsr_c, #PSR_UND
        add     sp, r1, #UND_TOP
        msr     cpsr_c, #PSR_ABT
        add     sp, r1, #ABT_TOP
        msr     cpsr_c, #PSR_IRQ
        add     sp, r1, #IRQ_TOP
        msr     cpsr_c, #PSR_SVC
        add     sp, r1, #SVC_TOP
        isb
        .endm

reset:
        mov     r4, r0                          @ keep the boot arguments
        mov     r5, r1
        mov     r6, r2
        mrc     p15, 0, r7, c0, c0, 5           @ MPIDR
        and     r7, r7, #0xff                   @ Aff0 = CPU index
        cmp     r7, #MAX_CPUS
        bhs     park
        SETUP_CPU r7
        cmp     r7, #0
        bne     park                            @ only CPU 0 boots here; others come via PSCI CPU_ON

        ldr     r0, =__bss_start                @ clear .bss (CPU 0 only, before anyone uses it)
        ldr     r1, =__bss_end
        mov     r2, #0
        mov     r3, #0
1:      cmp     r0, r1
        strdlo  r2, r3, [r0], #8
        blo     1b

        ldr     r0, =boot_r0
        str     r4, [r0]
        ldr     r0, =boot_r1
        str     r5, [r0]
        ldr     r0, =boot_dtb
        str     r6, [r0]

#ifdef __ARM_PCS_VFP
        bl      vfp_enable                      @ hard-float guests: C code may use the VFP anywhere
#endif
        bl      main
        bl      guest_exit                      @ powers off; does not return
park:
        wfi
        b       park

/* PSCI CPU_ON entry for secondary CPUs (ARM state, SVC mode, r0 = context id). */
        .global secondary_entry
        .type   secondary_entry, %function
secondary_entry:
        mov     r4, r0
        mrc     p15, 0, r7, c0, c0, 5
        and     r7, r7, #0xff
        cmp     r7, #MAX_CPUS
        bhs     park
        SETUP_CPU r7
        mov     r0, r4
        bl      secondary_main                  @ runs the function cpu_start registered, then CPU_OFF
        b       park

/* Exception entry: adjust LR to the return address, push {pc, spsr} (SRS) and r0-r12 on this
 * mode's stack, call exception_dispatch(frame, kind), restore and return with RFE. The frame is
 * struct exc_frame in guest.h (16 words, so the stack stays 8-byte aligned). */
        .macro  EXC_ENTRY name, kind, mode, adjust
\name:
        .if     \adjust
        sub     lr, lr, #\adjust
        .endif
        srsdb   sp!, #\mode
        sub     sp, sp, #4
        push    {r0-r12}
        mov     r0, sp
        mov     r1, #\kind
        bl      exception_dispatch
        pop     {r0-r12}
        add     sp, sp, #4
        rfeia   sp!
        .endm

        EXC_ENTRY exc_undef,    1, 0x1b, 0      @ LR = next instruction (ARM +4, Thumb +2)
        EXC_ENTRY exc_svc,      2, 0x13, 0      @ LR = next instruction
        EXC_ENTRY exc_pabt,     3, 0x17, 4      @ LR = faulting instruction + 4
        EXC_ENTRY exc_dabt,     4, 0x17, 8      @ LR = faulting instruction + 8
        EXC_ENTRY exc_reserved, 5, 0x13, 0
        EXC_ENTRY exc_irq,      6, 0x12, 4      @ LR = interrupted instruction + 4
        EXC_ENTRY exc_fiq,      7, 0x11, 4

/* Enables the VFP: CPACR.cp10/cp11 = full access, then FPEXC.EN. */
        .global vfp_enable
        .type   vfp_enable, %function
        .fpu    vfpv3
vfp_enable:
        mrc     p15, 0, r0, c1, c0, 2
        orr     r0, r0, #(0xf << 20)
        mcr     p15, 0, r0, c1, c0, 2
        isb
        mov     r0, #0x40000000
        vmsr    fpexc, r0
        bx      lr

        .ltorg
