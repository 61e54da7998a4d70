/* Common frame of the CPU test guests: programs for lockstep comparison with QEMU that depend on
 * as little as possible (no C library, no devices). _start (ARM state) sets VBAR and SP, enables
 * the VFP when CPU_TEST_VFP is defined, and calls test_body in the instruction set the guest is
 * built for (__thumb2__ from build.conf ISA=thumb). The body ends with CPU_TEST_END (PSCI
 * SYSTEM_OFF). UNDEF and SVC return to the next instruction (so tests may raise them; a test that
 * defines CPU_TEST_CUSTOM_SVC before the #include provides its own ARM-state cpu_test_svc); the other
 * exceptions power off at once, which a lockstep comparison reports as a divergence if only one
 * side takes them.
 *
 * Usage in a guest's .S file:
 *     #include "cputest.S.h"
 *     BODY_BEGIN
 *       ... instructions ...
 *     BODY_END
 */
        .syntax unified
        .arch   armv7-a
        .arch_extension idiv
        .arch_extension virt
        .arch_extension sec
        .arch_extension mp
        .fpu    vfpv3

        /* Loads a 32-bit constant without a literal pool (works in ARM and Thumb). */
        .macro  MOV32 reg, val
        movw    \reg, #:lower16:(\val)
        movt    \reg, #:upper16:(\val)
        .endm

        /* Sets APSR.NZCVQ from the top bits of val (clobbers r12). */
        .macro  FLAGS val
        MOV32   r12, \val
        msr     APSR_nzcvq, r12
        .endm

        /* Sets GE[3:0] (APSR bits 19:16) and NZCVQ (clobbers r12). */
        .macro  FLAGS_GE val
        MOV32   r12, \val
        msr     APSR_nzcvqg, r12
        .endm

        /* A conditional instruction: in Thumb it needs an IT block. */
        .macro  COND cond, insn:vararg
#ifdef __thumb2__
        it      \cond
#endif
        \insn
        .endm

        .macro  POWER_OFF
        MOV32   r0, 0x84000008          @ PSCI SYSTEM_OFF
        hvc     #0
1:      b       1b
        .endm

        .macro  CPU_TEST_END
        POWER_OFF
        .endm

        .macro  BODY_BEGIN
        .text
#ifdef __thumb2__
        .thumb
        .thumb_func
#else
        .arm
#endif
        .global test_body
        .type   test_body, %function
test_body:
        .endm

        .macro  BODY_END
        CPU_TEST_END
        .ltorg
        .endm

        .section .text.start, "ax"
        .arm
        .global _start
        .type   _start, %function
_start:
        b       cpu_test_reset
        movs    pc, lr                  @ UNDEF: resume after the instruction
        b       cpu_test_svc            @ SVC: by default resume after the instruction
        b       cpu_test_stop           @ prefetch abort
        b       cpu_test_stop           @ data abort
        b       cpu_test_stop
        b       cpu_test_stop           @ IRQ
        b       cpu_test_stop           @ FIQ

#ifndef CPU_TEST_CUSTOM_SVC
cpu_test_svc:
        movs    pc, lr
#endif

cpu_test_reset:
        ldr     r0, =_start
        mcr     p15, 0, r0, c12, c0, 0  @ VBAR
        isb
        ldr     sp, =__stacks_end
#ifdef CPU_TEST_VFP
        mrc     p15, 0, r0, c1, c0, 2
        orr     r0, r0, #(0xf << 20)    @ CPACR: cp10, cp11 full access
        mcr     p15, 0, r0, c1, c0, 2
        isb
        mov     r0, #0x40000000         @ FPEXC.EN
        vmsr    fpexc, r0
#endif
        mov     r0, #0
        mov     r1, #0
        mov     r2, #0
#ifdef __thumb2__
        blx     test_body
#else
        bl      test_body
#endif
cpu_test_stop:
        POWER_OFF
        .ltorg

        /* 256 bytes of patterned data and a 256-byte scratch buffer for loads and stores. */
        .data
        .balign 16
        .global test_data
test_data:
        .set    i, 0
        .rept   64
        .word   (0x80402010 + i * 0x01030507) & 0xffffffff
        .set    i, i + 1
        .endr
        .global test_scratch
test_scratch:
        .space  256
        .text
