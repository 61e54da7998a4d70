/* The exclusive-access loops of the smp guest, written out in ARM and in Thumb-2 so each instruction
 * set's LDREX/STREX family (every size) is what runs, not whatever the compiler picks.
 *
 *   uint32_t smp_incN_ISA(volatile void *p, uint32_t n)     n >= 1
 *
 * adds 1 to the N-bit counter at p, n times: exclusive load, add, exclusive store, retried until the
 * store reports success (0). Byte and halfword forms return how many successful stores wrote 0 (the
 * counter wrapped), the others return 0.
 *
 *   void smp_lock_ISA(volatile uint32_t *lock), smp_unlock_ISA(...)
 *
 * a test-and-set lock as Linux's ARM spinlocks of old: LDREX; if held, WFE and retry; STREX 1;
 * DMB after taking it. Unlock: DMB, plain STR 0, DSB, SEV (the plain store must end any other CPU's
 * exclusive reservation on the word, and the SEV wakes the CPUs waiting in WFE). */

        .syntax unified
        .arch   armv7-a
        .text

/* ---------------- ARM ---------------- */
        .arm

        .global smp_inc8_arm
        .type   smp_inc8_arm, %function
smp_inc8_arm:
        mov     r12, #0
1:      ldrexb  r2, [r0]
        add     r2, r2, #1
        uxtb    r2, r2
        strexb  r3, r2, [r0]
        cmp     r3, #0
        bne     1b
        cmp     r2, #0
        addeq   r12, r12, #1
        subs    r1, r1, #1
        bne     1b
        mov     r0, r12
        bx      lr
        .size   smp_inc8_arm, . - smp_inc8_arm

        .global smp_inc16_arm
        .type   smp_inc16_arm, %function
smp_inc16_arm:
        mov     r12, #0
1:      ldrexh  r2, [r0]
        add     r2, r2, #1
        uxth    r2, r2
        strexh  r3, r2, [r0]
        cmp     r3, #0
        bne     1b
        cmp     r2, #0
        addeq   r12, r12, #1
        subs    r1, r1, #1
        bne     1b
        mov     r0, r12
        bx      lr
        .size   smp_inc16_arm, . - smp_inc16_arm

        .global smp_inc32_arm
        .type   smp_inc32_arm, %function
smp_inc32_arm:
1:      ldrex   r2, [r0]
        add     r2, r2, #1
        strex   r3, r2, [r0]
        cmp     r3, #0
        bne     1b
        subs    r1, r1, #1
        bne     1b
        mov     r0, #0
        bx      lr
        .size   smp_inc32_arm, . - smp_inc32_arm

        .global smp_inc64_arm
        .type   smp_inc64_arm, %function
smp_inc64_arm:
1:      ldrexd  r2, r3, [r0]
        adds    r2, r2, #1
        adc     r3, r3, #0
        strexd  r12, r2, r3, [r0]
        cmp     r12, #0
        bne     1b
        subs    r1, r1, #1
        bne     1b
        mov     r0, #0
        bx      lr
        .size   smp_inc64_arm, . - smp_inc64_arm

        .global smp_lock_arm
        .type   smp_lock_arm, %function
smp_lock_arm:
        mov     r2, #1
1:      ldrex   r1, [r0]
        cmp     r1, #0
        wfene
        bne     1b
        strex   r1, r2, [r0]
        cmp     r1, #0
        bne     1b
        dmb     ish
        bx      lr
        .size   smp_lock_arm, . - smp_lock_arm

        .global smp_unlock_arm
        .type   smp_unlock_arm, %function
smp_unlock_arm:
        dmb     ish
        mov     r1, #0
        str     r1, [r0]
        dsb     ish
        sev
        bx      lr
        .size   smp_unlock_arm, . - smp_unlock_arm

/* ---------------- Thumb-2 ---------------- */
        .thumb

        .global smp_inc8_thumb
        .type   smp_inc8_thumb, %function
        .thumb_func
smp_inc8_thumb:
        mov     r12, #0
1:      ldrexb  r2, [r0]
        adds    r2, r2, #1
        uxtb    r2, r2
        strexb  r3, r2, [r0]
        cmp     r3, #0
        bne     1b
        cmp     r2, #0
        it      eq
        addeq   r12, r12, #1
        subs    r1, r1, #1
        bne     1b
        mov     r0, r12
        bx      lr
        .size   smp_inc8_thumb, . - smp_inc8_thumb

        .global smp_inc16_thumb
        .type   smp_inc16_thumb, %function
        .thumb_func
smp_inc16_thumb:
        mov     r12, #0
1:      ldrexh  r2, [r0]
        adds    r2, r2, #1
        uxth    r2, r2
        strexh  r3, r2, [r0]
        cmp     r3, #0
        bne     1b
        cmp     r2, #0
        it      eq
        addeq   r12, r12, #1
        subs    r1, r1, #1
        bne     1b
        mov     r0, r12
        bx      lr
        .size   smp_inc16_thumb, . - smp_inc16_thumb

        .global smp_inc32_thumb
        .type   smp_inc32_thumb, %function
        .thumb_func
smp_inc32_thumb:
1:      ldrex   r2, [r0]
        adds    r2, r2, #1
        strex   r3, r2, [r0]
        cmp     r3, #0
        bne     1b
        subs    r1, r1, #1
        bne     1b
        movs    r0, #0
        bx      lr
        .size   smp_inc32_thumb, . - smp_inc32_thumb

        .global smp_inc64_thumb
        .type   smp_inc64_thumb, %function
        .thumb_func
smp_inc64_thumb:
        push    {r4, r5}
1:      ldrexd  r4, r5, [r0]
        adds    r4, r4, #1
        adc     r5, r5, #0
        strexd  r3, r4, r5, [r0]
        cmp     r3, #0
        bne     1b
        subs    r1, r1, #1
        bne     1b
        movs    r0, #0
        pop     {r4, r5}
        bx      lr
        .size   smp_inc64_thumb, . - smp_inc64_thumb

        .global smp_lock_thumb
        .type   smp_lock_thumb, %function
        .thumb_func
smp_lock_thumb:
        movs    r2, #1
1:      ldrex   r1, [r0]
        cmp     r1, #0
        itt     ne
        wfene
        bne     1b
        strex   r1, r2, [r0]
        cmp     r1, #0
        bne     1b
        dmb     ish
        bx      lr
        .size   smp_lock_thumb, . - smp_lock_thumb

        .global smp_unlock_thumb
        .type   smp_unlock_thumb, %function
        .thumb_func
smp_unlock_thumb:
        dmb     ish
        movs    r1, #0
        str     r1, [r0]
        dsb     ish
        sev
        bx      lr
        .size   smp_unlock_thumb, . - smp_unlock_thumb

/* ---------------- call loops for code.c ----------------
 *   uint32_t smp_calls_from_ISA(uint32_t (*fn)(void), uint32_t n, uint32_t want)
 * calls fn n times and returns how many calls did not return `want`. code.c calls the ARM function
 * from the Thumb loop and the Thumb function from the ARM loop: every call then changes
 * instruction set, so a translating emulator enters the function through its dispatcher each time
 * (and compiles it once it is hot) instead of interpreting it inline with the caller. */
        .arm
        .global smp_calls_from_arm
        .type   smp_calls_from_arm, %function
smp_calls_from_arm:
        push    {r4-r7, lr}
        mov     r4, r0
        mov     r5, r1
        mov     r6, r2
        mov     r7, #0
1:      blx     r4
        cmp     r0, r6
        addne   r7, r7, #1
        subs    r5, r5, #1
        bne     1b
        mov     r0, r7
        pop     {r4-r7, pc}
        .size   smp_calls_from_arm, . - smp_calls_from_arm

        .thumb
        .global smp_calls_from_thumb
        .type   smp_calls_from_thumb, %function
        .thumb_func
smp_calls_from_thumb:
        push    {r4-r7, lr}
        mov     r4, r0
        mov     r5, r1
        mov     r6, r2
        movs    r7, #0
1:      blx     r4
        cmp     r0, r6
        it      ne
        addne   r7, r7, #1
        subs    r5, r5, #1
        bne     1b
        mov     r0, r7
        pop     {r4-r7, pc}
        .size   smp_calls_from_thumb, . - smp_calls_from_thumb
