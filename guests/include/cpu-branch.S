/* Branches and interworking: B/BL (and conditional), BX/BLX to ARM and Thumb code, BLX immediate,
 * loads to the PC (LDR pc, POP {pc}, LDM), MOV/ADD to the PC (ALUWritePC interworks in ARM state
 * only), and a counted loop. Both instruction sets are visited from either starting set. */
#include "cputest.S.h"

        BODY_BEGIN
        mov     r0, #0
        b       1f
        add     r0, r0, #100
1:      bl      sub_same
        add     r0, r0, #1
        /* BX / BLX register to the other instruction set and back. */
        ldr     r4, =arm_func
        ldr     r5, =thumb_func + 1
        blx     r4
        blx     r5
        adr     r6, 2f
#ifdef __thumb2__
        orr     r6, r6, #1
#endif
        bx      r6
        nop
2:      /* BLX immediate (switches instruction set). */
#ifdef __thumb2__
        blx     arm_func
#else
        blx     thumb_func
#endif
        /* Loads to the PC. */
        ldr     r8, =test_scratch
        str     r5, [r8]
        adr     r7, 3f
#ifdef __thumb2__
        orr     r7, r7, #1
#endif
        str     r7, [r8, #4]
        mov     lr, r7
        ldr     pc, [r8]                @ calls thumb_func, which returns to 3f through lr
        nop
3:      ldr     r4, =arm_func
        str     r4, [r8]
        adr     lr, 4f
#ifdef __thumb2__
        orr     lr, lr, #1
#endif
        ldr     pc, [r8]
        nop
4:      /* Conditional branches. */
        mov     r1, #10
5:      subs    r1, r1, #1
        bne     5b
        cmp     r1, #0
        beq     6f
        mov     r0, #0xbad
6:      mov     r1, #3
        cmp     r1, #2
        bgt     7f
        mov     r0, #0xbad
7:      blt     8f
        add     r0, r0, #1
8:      /* A computed MOV to the PC. */
        adr     r2, 9f
#ifdef __thumb2__
        orr     r2, r2, #1
        mov     pc, r2
#else
        mov     pc, r2
#endif
        nop
9:
#ifndef __thumb2__
        /* ARM: MOV/ADD to the PC with bit 0 set interworks (ALUWritePC). */
        ldr     r2, =thumb_ret_arm + 1
        ldr     lr, =10f
        mov     pc, r2
        nop
10:     adr     r3, 11f
        add     pc, r3, #0
        nop
11:
#endif
        mov     r0, r0
        BODY_END

        .arm
        .type   arm_func, %function
arm_func:
        add     r0, r0, #0x10
        mrs     r9, cpsr
        bx      lr

        .thumb
        .type   thumb_func, %function
        .thumb_func
thumb_func:
        add     r0, r0, #0x20
        mrs     r9, apsr
        bx      lr

        .thumb
        .type   thumb_ret_arm, %function
        .thumb_func
thumb_ret_arm:
        adds    r0, r0, #1
        bx      lr

#ifdef __thumb2__
        .thumb
        .thumb_func
#else
        .arm
#endif
        .type   sub_same, %function
sub_same:
        add     r0, r0, #2
        bx      lr
        .ltorg
