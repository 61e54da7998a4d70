/* The VFP oracle: runs VFP data-processing instructions on given operands and prints the results.
 * Run on QEMU, it produces the reference results in test/unit/cpu/vfp-qemu-vectors.ts; the host
 * side (test/lockstep/vfp-oracle.ts, run by scripts/vfp-vectors.ts) makes the operands, starts
 * QEMU, reads the results and picks the vectors.
 *
 * The host loads the vectors at VECTORS (QEMU: -device loader,file=F,addr=0x41000000,force-raw=on):
 *   word 0   MAGIC
 *   word 1   N, the number of vectors
 *   then N vectors of 8 words: the A32 instruction, FPSCR, D0, D1, D2 (each low word first)
 * For each vector, run_vector (run.S) writes the instruction into a code slot, loads FPSCR and
 * D0-D2, runs it and reads D0 and FPSCR back; one line per vector: D0 as 16 hex digits, a space,
 * FPSCR as 8. Then "vfp-oracle: N vectors" and power off. */
#include "guest.h"

#define VECTORS 0x41000000u
#define MAGIC 0x56504656u /* "VFPV" */
#define WORDS_PER_VECTOR 8

void run_vector(const uint32_t *vector, uint32_t *slot, uint32_t *out);

/* The code slot, in a page of its own: QEMU then retranslates only the slot when it is rewritten. */
static uint32_t slot[1024] __attribute__((aligned(4096)));

int main(void) {
  const uint32_t *in = (const uint32_t *)VECTORS;
  if (in[0] != MAGIC) {
    printf("vfp-oracle: no vectors at %08x (load them with -device loader)\n", VECTORS);
    return 1;
  }
  uint32_t n = in[1];
  uint32_t out[3];
  for (uint32_t k = 0; k < n; k++) {
    run_vector(in + 2 + WORDS_PER_VECTOR * k, slot, out);
    printf("%08x%08x %08x\n", out[1], out[0], out[2]);
  }
  printf("vfp-oracle: %u vectors\n", n);
  return 0;
}
