// The first value of a numeric field that will hold numbers outside the small-integer range: an
// unsigned 32-bit register or address (`>>> 0` of one with bit 31 set), a count past 2^31.
//
// V8 chooses a field's representation from the values stored so far. Made with 0, the field holds
// small integers; the first larger value gives the object a new hidden class, and every optimized
// function that checked the old one is thrown away. For a Cpu that was every translated block
// (they all read the core), two hundred deoptimizations and as many recompilations in the busybox
// job. -0 is not a small integer, so a field made with it is a double from the start; it reads
// as 0 wherever it is used.

/** Zero, as a double: the initial value of such a field. */
export const DOUBLE_ZERO = -0;
