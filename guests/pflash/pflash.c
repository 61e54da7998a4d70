/* The CFI flash of the virt board, bank 1 (0x04000000), driven with the Intel command set from
 * inside a guest: read array, read ID, CFI query, status, word program, block erase, buffered
 * write, lock setup, and (with a second CPU) another CPU's view while the bank leaves and
 * re-enters read-array mode. Every probe prints one "probe: name = value" line, so a harness can
 * compare a run on armvmm with one on QEMU; the checks print PASS/FAIL.
 *
 * The harness gives bank 1 a backing file whose first word is 0x464c5348 ("HSLF") and whose
 * sector 1 (0x04040000) holds 0xa5 bytes; after the run the file must hold what was programmed.
 * The checks marked "Intel" follow the datasheets where QEMU 7.2 differs (see the test). */
#include "guest.h"
#include "test.h"

#define BANK 0x04000000u
#define SECTOR 0x40000u
#define CMD(c) ((uint32_t)(c) * 0x00010001u) /* the same command to both x16 chips */

static inline void w32(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t r32(uint32_t a) { return *(volatile uint32_t *)a; }
static inline void w16(uint32_t a, uint16_t v) { *(volatile uint16_t *)a = v; }
static inline uint16_t r16(uint32_t a) { return *(volatile uint16_t *)a; }

static uint32_t probe(const char *name, uint32_t v) {
  printf("probe: %s = %08x\n", name, v);
  return v;
}

/* The second CPU: on each request it reads the bank's first word and answers. */
static volatile uint32_t request, answer, answered;

static void reader(uint32_t arg) {
  (void)arg;
  uint32_t seen = 0;
  for (;;) {
    while (request == seen) wfe();
    seen = request;
    dmb();
    if (seen == 0xffffffffu) return;
    answer = r32(BANK);
    dmb();
    answered = seen;
    sev();
  }
}

static uint32_t ask(uint32_t n) {
  dmb();
  request = n;
  dsb();
  sev();
  while (answered != n) wfe();
  dmb();
  return answer;
}

static uint32_t status(uint32_t a) {
  w32(a, CMD(0x70));
  return r32(a);
}

int main(void) {
  CHECK_EQ("array read before any command", probe("array", r32(BANK)), 0x464c5348);

  w32(BANK, CMD(0x90));
  CHECK_EQ("read ID: manufacturer 0x89 per chip", probe("id manufacturer", r32(BANK)), 0x00890089);
  CHECK_EQ("read ID: device 0x18 per chip", probe("id device", r32(BANK + 4)), 0x00180018);
  probe("id lock status", r32(BANK + 8));
  CHECK_EQ("read ID: 16-bit read", probe("id manufacturer16", r16(BANK)), 0x0089);

  w32(BANK + 0x55 * 4, CMD(0x98));
  uint32_t q = r32(BANK + 0x10 * 4) & 0xff, r = r32(BANK + 0x11 * 4) & 0xff, y = r32(BANK + 0x12 * 4) & 0xff;
  CHECK_EQ("CFI query: QRY", probe("cfi qry", (q << 16) | (r << 8) | y), 0x515259);
  static const uint8_t fields[] = {0x13, 0x15, 0x1b, 0x1c, 0x1f, 0x20, 0x21, 0x23, 0x24, 0x25, 0x27, 0x28,
                                   0x2a, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x3f};
  for (unsigned k = 0; k < sizeof fields; k++) {
    printf("probe: cfi %02x = %08x\n", fields[k], r32(BANK + fields[k] * 4u));
  }
  CHECK_EQ("CFI query: chip size 2^25", r32(BANK + 0x27 * 4) & 0xffff, 25);
  CHECK_EQ("CFI query: 256 blocks", r32(BANK + 0x2d * 4) & 0xffff, 0xff);

  w32(BANK, CMD(0xff));
  CHECK_EQ("read array again", r32(BANK), 0x464c5348);
  CHECK_EQ("status: ready in both chips", probe("status", status(BANK)), 0x00800080);
  CHECK_EQ("status: 16-bit read", probe("status16", r16(BANK)), 0x0080);

  /* Block erase of sector 1. */
  w32(BANK + SECTOR, CMD(0x20));
  w32(BANK + SECTOR, CMD(0xd0));
  CHECK_EQ("erase: status ready, no error", probe("erase status", r32(BANK + SECTOR)), 0x00800080);
  w32(BANK, CMD(0xff));
  CHECK_EQ("erase: first word", probe("erased first", r32(BANK + SECTOR)), 0xffffffff);
  CHECK_EQ("erase: last word", probe("erased last", r32(BANK + 2 * SECTOR - 4)), 0xffffffff);
  CHECK_EQ("erase: the next sector untouched", r32(BANK + 2 * SECTOR), 0);

  /* Word program, 32 and 16 bits. */
  w32(BANK + SECTOR, CMD(0x40));
  w32(BANK + SECTOR, 0x12345678);
  CHECK_EQ("program: status", probe("program status", r32(BANK + SECTOR)), 0x00800080);
  w16(BANK + SECTOR + 6, 0x10);
  w16(BANK + SECTOR + 6, 0xbeef);
  w32(BANK, CMD(0xff));
  CHECK_EQ("program: word", probe("programmed", r32(BANK + SECTOR)), 0x12345678);
  CHECK_EQ("program: halfword", probe("programmed16", r32(BANK + SECTOR + 4)), 0xbeefffff);

  /* Buffered write of 16 words. */
  const uint32_t buf = BANK + SECTOR + 0x100;
  w32(buf, CMD(0x50));
  w32(buf, CMD(0xe8));
  CHECK_EQ("buffer: available", probe("buffer status", r32(buf)) & 0x00800080, 0x00800080);
  w32(buf, CMD(15));
  for (uint32_t k = 0; k < 16; k++) w32(buf + 4 * k, 0x01010101u * k + 0x10203040u);
  w32(buf, CMD(0xd0));
  CHECK_EQ("buffer: status after confirm", probe("buffer done", r32(buf)), 0x00800080);
  w32(BANK, CMD(0xff));
  uint32_t sum = 0;
  for (uint32_t k = 0; k < 16; k++) sum += r32(buf + 4 * k) == 0x01010101u * k + 0x10203040u;
  CHECK_EQ("buffer: 16 words written", probe("buffer words", sum), 16);

  /* Lock setup: unlock, lock, unlock again (QEMU keeps no lock bits). */
  w32(BANK + SECTOR, CMD(0x60));
  w32(BANK + SECTOR, CMD(0xd0));
  CHECK_EQ("unlock: status", probe("unlock status", r32(BANK + SECTOR)), 0x00800080);
  w32(BANK + SECTOR, CMD(0x60));
  w32(BANK + SECTOR, CMD(0x01));
  w32(BANK + SECTOR, CMD(0x60));
  w32(BANK + SECTOR, CMD(0xd0));
  w32(BANK, CMD(0xff));

  /* Erase aborted by a wrong confirm: Intel sets SR.4 and SR.5 and erases nothing. */
  w32(BANK + SECTOR, CMD(0x20));
  w32(BANK + SECTOR, CMD(0x55));
  CHECK_EQ("bad confirm: sequence error (Intel)", probe("bad confirm status", status(BANK)), 0x00b000b0);
  w32(BANK, CMD(0x50));
  CHECK_EQ("clear status: back to read array", r32(BANK + SECTOR), 0x12345678);
  CHECK_EQ("clear status: ready (Intel)", probe("cleared status", status(BANK)), 0x00800080);
  w32(BANK, CMD(0xff));

  /* Another CPU reads the bank while this one moves it in and out of read-array mode: it must
   * see what the bank answers, never a stale copy of the array. */
  if (cpu_start(1, reader, 0) == 0) {
    CHECK_EQ("cpu 1: array", ask(1), 0x464c5348);
    w32(BANK, CMD(0x90));
    CHECK_EQ("cpu 1: sees read ID", probe("cpu1 id", ask(2)), 0x00890089);
    w32(BANK, CMD(0x70));
    CHECK_EQ("cpu 1: sees status", probe("cpu1 status", ask(3)), 0x00800080);
    w32(BANK, CMD(0xff));
    CHECK_EQ("cpu 1: array again", ask(4), 0x464c5348);
    request = 0xffffffffu;
    dsb();
    sev();
  }
  test_done("pflash");
}
