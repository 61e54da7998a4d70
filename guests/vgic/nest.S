/* Lets an interrupt handler be preempted: runs fn() in System mode with IRQs unmasked, so a higher
 * priority interrupt can be taken on top of the handler that called it. System mode has its own
 * LR, so the nested exception (which overwrites LR_irq and SPSR_irq, both already saved by the
 * vector stub) does not disturb fn. Back in IRQ mode with IRQs masked on return.
 *
 *   void run_preemptible(void (*fn)(void), void *sys_stack_top);   // called in IRQ mode
 */
        .syntax unified
        .arch   armv7-a
        .arm

        .text
        .global run_preemptible
        .type   run_preemptible, %function
run_preemptible:
        push    {r4, r5, r6, lr}        @ on the IRQ stack: the way back into the handler
        mrs     r4, cpsr                @ IRQ mode, I set
        cps     #0x1f                   @ System mode, still masked
        mov     r5, sp                  @ System mode's own sp and lr, restored below
        mov     r6, lr
        mov     sp, r1
        cpsie   i
        blx     r0
        cpsid   i
        mov     sp, r5
        mov     lr, r6
        msr     cpsr_c, r4              @ back to IRQ mode
        pop     {r4, r5, r6, pc}
        .size   run_preemptible, . - run_preemptible
