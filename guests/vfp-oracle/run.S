/* run_vector(vector, slot, out): runs one VFP instruction on given operands (see vfp-oracle.c).
 *   r0  the vector: instruction, FPSCR, D0 (low, high), D1, D2
 *   r1  the code slot (two words, written here: the instruction, then BX LR)
 *   r2  out: D0 (low, high) and FPSCR after the instruction
 * FPSCR is set last, just before the instruction, and cleared again afterwards. */
        .syntax unified
        .arch   armv7-a
        .fpu    vfpv3
        .arm
        .text
        .global run_vector
        .type   run_vector, %function
run_vector:
        push    {r4, r5, r6, lr}
        mov     r4, r0
        mov     r5, r2
        mov     r6, r1
        ldr     r3, [r4]
        str     r3, [r6]
        ldr     r3, =0xe12fff1e                 @ bx lr
        str     r3, [r6, #4]
        dsb
        mov     r3, #0
        mcr     p15, 0, r3, c7, c5, 0           @ ICIALLU: the slot's old instruction is gone
        dsb
        isb
        vldr    d0, [r4, #8]
        vldr    d1, [r4, #16]
        vldr    d2, [r4, #24]
        ldr     r3, [r4, #4]
        vmsr    fpscr, r3
        blx     r6
        vmrs    r3, fpscr
        vstr    d0, [r5]
        str     r3, [r5, #8]
        mov     r3, #0
        vmsr    fpscr, r3
        pop     {r4, r5, r6, pc}
        .ltorg
        .size   run_vector, . - run_vector
