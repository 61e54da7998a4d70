/* Shared counters incremented with exclusive loads and stores (DDI 0406C A3.4), once with the MMU off
 * and once with it on. For each size (byte, halfword, word, doubleword) and instruction set (ARM,
 * Thumb-2) every CPU adds 1 to ONE shared counter M times (atomic.S), all starting together.
 *
 * Checks ("counter, MMU off|on: <size>, <ISA>"), each catching:
 *  - the total is not exactly CPUs x M: some STREX succeeded although another CPU had stored to
 *    the location since this CPU's LDREX (lost update). That is what a monitor gives that only its
 *    own CPU's stores clear, one not cleared when a vcpu is descheduled mid-sequence, or an
 *    exclusive store done as separate check and write while another thread writes in between;
 *  - bytes next to the counter (the rest of its 64-byte line) changed: a byte or halfword
 *    exclusive store that writes a whole word (read-modify-write of the neighbours), or a
 *    doubleword one that writes past its 8 bytes.
 * Byte and halfword counters wrap many times: each successful store that writes 0 is counted, so
 * the total is rebuilt exactly (wraps x 2^bits + final - initial), not modulo the width. The
 * doubleword counter starts just below a carry into its high word, so a torn LDREXD/STREXD (halves
 * read or written apart) shows up. */
#include "smp.h"

#define M 20000u

struct variant {
  const char *name;
  uint32_t (*inc)(volatile void *p, uint32_t n);
  unsigned size;   /* bytes */
  unsigned offset; /* of the counter in its line */
};

static const struct variant variants[] = {
    {"byte LDREXB/STREXB, ARM", smp_inc8_arm, 1, 9},
    {"halfword LDREXH/STREXH, ARM", smp_inc16_arm, 2, 10},
    {"word LDREX/STREX, ARM", smp_inc32_arm, 4, 8},
    {"doubleword LDREXD/STREXD, ARM", smp_inc64_arm, 8, 16},
    {"byte LDREXB/STREXB, Thumb", smp_inc8_thumb, 1, 14},
    {"halfword LDREXH/STREXH, Thumb", smp_inc16_thumb, 2, 6},
    {"word LDREX/STREX, Thumb", smp_inc32_thumb, 4, 12},
    {"doubleword LDREXD/STREXD, Thumb", smp_inc64_thumb, 8, 24},
};
#define NVARIANTS (sizeof variants / sizeof variants[0])

/* One line per variant (fresh memory for each run of the phase: 2 phases). */
static volatile uint8_t lines[2][NVARIANTS][LINE] ALIGNED_LINE;
static struct {
  volatile uint32_t v;
  uint32_t pad[LINE / 4 - 1];
} wraps[GUEST_MAX_CPUS] ALIGNED_LINE;

/* By size in bytes: each wraps (byte, halfword, word) or carries (doubleword) during the run. */
static const uint64_t initial[] = {0, 0xf0, 0xc000, 0, 0xffffc000u, 0, 0, 0, 0xffff8000u | (1ull << 32)};

static uint8_t filler(unsigned k) { return (uint8_t)(0xa5 ^ (k * 29)); }

static uint64_t read_counter(volatile uint8_t *p, unsigned size) {
  uint64_t v = 0;
  for (unsigned k = size; k-- > 0;) v = (v << 8) | p[k];
  return v;
}

static void write_counter(volatile uint8_t *p, unsigned size, uint64_t v) {
  for (unsigned k = 0; k < size; k++, v >>= 8) p[k] = (uint8_t)v;
}

void counters_phase(unsigned me, const char *prefix) {
  static unsigned run_index; /* CPU 0's: 0 for the first phase, 1 for the second */
  static volatile uint32_t phase_slot;
  if (me == 0) phase_slot = run_index++;
  barrier();
  volatile uint8_t(*mine)[LINE] = lines[phase_slot];
  for (unsigned v = 0; v < NVARIANTS; v++) {
    const struct variant *var = &variants[v];
    volatile uint8_t *line = mine[v];
    uint64_t init = initial[var->size];
    if (me == 0) {
      for (unsigned k = 0; k < LINE; k++) line[k] = filler(k);
      write_counter(line + var->offset, var->size, init);
    }
    barrier();
    wraps[me].v = var->inc(line + var->offset, M);
    barrier();
    if (me != 0) continue;

    uint64_t final = read_counter(line + var->offset, var->size);
    uint64_t total = final - init;
    if (var->size < 4) {
      uint32_t w = 0;
      for (unsigned c = 0; c < ncpus; c++) w += wraps[c].v;
      total = ((uint64_t)w << (8 * var->size)) + final - init;
    } else if (var->size == 4) {
      total = (uint32_t)(final - init);
    }
    unsigned bad_neighbours = 0, first_bad = 0;
    for (unsigned k = 0; k < LINE; k++) {
      if (k >= var->offset && k < var->offset + var->size) continue;
      if (line[k] != filler(k) && bad_neighbours++ == 0) first_bad = k;
    }
    const char *name = name2(prefix, var->name);
    uint64_t want = (uint64_t)ncpus * M;
    if (total == want && bad_neighbours == 0)
      test_pass(name);
    else if (bad_neighbours != 0)
      test_fail(name, "%u neighbouring bytes changed, first at offset %u: %02x, was %02x", bad_neighbours, first_bad,
                line[first_bad], filler(first_bad));
    else
      test_fail(name, "total %u, want %u", (uint32_t)total, (uint32_t)want);
  }
}
