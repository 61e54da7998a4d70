/* Thumb-only control flow: CBZ/CBNZ taken and not, TBB and TBH through a table for every index. */
#include "cputest.S.h"

        BODY_BEGIN
        mov     r0, #0
        mov     r1, #1
        cbz     r0, 1f
        mov     r2, #0xbad
1:      cbnz    r0, 2f
        cbnz    r1, 2f
        mov     r2, #0xbad
2:      cbz     r1, 3f
        mov     r3, #3
3:      mov     r4, #0
        mov     r5, #0
4:      tbb     [pc, r4]
5:      .byte   (c0 - 5b) / 2, (c1 - 5b) / 2, (c2 - 5b) / 2, (c3 - 5b) / 2
c0:     add     r5, r5, #1
        b       9f
c1:     add     r5, r5, #0x10
        b       9f
c2:     add     r5, r5, #0x100
        b       9f
c3:     add     r5, r5, #0x1000
9:      add     r4, r4, #1
        cmp     r4, #4
        blt     4b
        mov     r4, #0
6:      tbh     [pc, r4, lsl #1]
7:      .hword  (d0 - 7b) / 2, (d1 - 7b) / 2, (d2 - 7b) / 2
d0:     add     r5, r5, #2
        b       8f
d1:     add     r5, r5, #0x20
        b       8f
d2:     add     r5, r5, #0x200
8:      add     r4, r4, #1
        cmp     r4, #3
        blt     6b
        BODY_END
