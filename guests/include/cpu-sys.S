/* Modes, PSRs and exceptions: MRS/MSR on CPSR and SPSR with field masks, banked registers of every
 * mode (FIQ r8-r12), CPS, SVC and UNDEF (UDF) taken and returned
 * from, a round trip through user mode (exception return to USR, SVC back), SRS/RFE, LDM/STM of
 * user registers (^), and exception returns that change instruction set. */
#define CPU_TEST_CUSTOM_SVC
#include "cputest.S.h"

#define SVC_TO_SVC 0x5ec

        BODY_BEGIN
        /* CPSR and SPSR. */
        mrs     r0, cpsr
        MOV32   r1, 0xf8000000
        msr     cpsr_f, r1
        mrs     r2, cpsr
        mov     r1, #0
        msr     cpsr_f, r1
        mrs     r2, apsr
        MOV32   r1, 0x600f01d3
        msr     spsr_cxsf, r1
        mrs     r3, spsr
        msr     spsr_f, r0
        mrs     r3, spsr
        msr     spsr_c, r0
        mrs     r3, spsr
        /* Banked registers: give each mode its own sp and lr, and FIQ its r8-r12. */
        MOV32   r8, 0x08080808
        mov     r9, #9
        .irp    m, 0xd1, 0xd2, 0xd7, 0xdb, 0xdf, 0xd3
        mov     r0, #\m
        msr     cpsr_c, r0
        add     r12, r0, #0x1000
        mov     sp, r12
        add     lr, r0, #0x2000
        add     r8, r0, #0x8000
        add     r9, r0, #0x9000
        mrs     r1, cpsr
        .endr
        .irp    m, 0xd1, 0xd2, 0xd7, 0xdb, 0xdf, 0xd3
        mov     r0, #\m
        msr     cpsr_c, r0
        mov     r2, sp
        mov     r3, lr
        mov     r4, r8
        mov     r5, r9
        .endr
        /* (Banked-register MRS/MSR, from the Virtualization Extensions, are UNDEFINED in QEMU's
         * cortex-a15 without EL2, so they are not compared here.) */
        ldr     r0, =__stacks_end
        mov     sp, r0
        /* CPS. */
        cpsie   a
        mrs     r0, cpsr
        cpsid   a
        cpsie   f
        cpsid   f
        cps     #0x12
        mrs     r1, cpsr
        cps     #0x13
        cpsid   aif, #0x1f
        mrs     r2, cpsr
        cps     #0x13
        /* SVC and UNDEF: taken and returned from (vectors in cputest.S.h). */
        mov     r0, #1
        svc     #0x42
        add     r0, r0, #1
        udf     #7
        add     r0, r0, #1
        /* To user mode and back: exception return to USR, then SVC, which this test's handler
         * returns from in SVC mode. */
        adr     r1, 1f
#ifdef __thumb2__
        orr     r1, r1, #1
        MOV32   r2, 0x00000030
#else
        MOV32   r2, 0x00000010
#endif
        msr     spsr_cxsf, r2
        mov     lr, r1
        movs    pc, lr
1:      mrs     r3, cpsr
        mov     r4, sp
        mov     r7, #(SVC_TO_SVC & 0xff)
        orr     r7, r7, #(SVC_TO_SVC & 0xf00)
        svc     #1
        mrs     r3, cpsr
        mov     r7, #0
        /* User registers from SVC mode (STM/LDM ^). */
        ldr     r8, =test_scratch
#ifndef __thumb2__
        MOV32   r0, 0xface0000
        mov     r1, sp
        stmia   r8, {r13, r14}^
        ldmia   r8, {r2, r3}
        str     r0, [r8]
        ldmia   r8, {r13}^
        nop
        /* Exception return by LDM with the PC: CPSR from SPSR. */
        adr     r0, 2f
        str     r0, [r8, #4]
        MOV32   r1, 0x800001d3
        msr     spsr_cxsf, r1
        ldmia   r8, {r0, pc}^
        nop
2:      mrs     r5, cpsr
#endif
        /* SRS and RFE: save lr_svc and spsr_svc on the stack and return through them. */
        adr     r0, 3f
#ifdef __thumb2__
        orr     r0, r0, #1
        MOV32   r1, 0x400001f3
#else
        MOV32   r1, 0x400001d3
#endif
        msr     spsr_cxsf, r1
        mov     lr, r0
        srsdb   sp!, #0x13
        mov     r6, sp
        rfeia   sp!
        nop
3:      mrs     r6, cpsr
        mov     r7, sp
        /* SUBS PC, LR with an SPSR that changes instruction set. */
#ifdef __thumb2__
        ldr     r0, =arm_side
        MOV32   r1, 0x000001d3
#else
        ldr     r0, =thumb_side + 1
        MOV32   r1, 0x000001f3
#endif
        msr     spsr_cxsf, r1
        mov     lr, r0
        subs    pc, lr, #0
        .ltorg

        .arm
arm_side:
        mrs     r2, cpsr
        b       sys_done

        .thumb
        .thumb_func
thumb_side:
        mrs     r2, apsr
        ldr     r0, =sys_done
        bx      r0
        .ltorg

        .arm
sys_done:
        POWER_OFF
        .ltorg

        /* SVC handler: r7 == SVC_TO_SVC asks to come back in SVC mode (from user mode). */
        .arm
        .global cpu_test_svc
cpu_test_svc:
        mov     r12, #(SVC_TO_SVC & 0xff)
        orr     r12, r12, #(SVC_TO_SVC & 0xf00)
        cmp     r7, r12
        movsne  pc, lr
        mrs     r12, spsr
        bic     r12, r12, #0x1f
        orr     r12, r12, #0x13
        msr     spsr_cxsf, r12
        movs    pc, lr
        .text
        BODY_END
