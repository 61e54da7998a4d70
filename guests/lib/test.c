/* Test counters shared by all CPUs (atomic adds) and the PASS/FAIL/summary lines. */
#include "guest.h"
#include "test.h"

static volatile uint32_t passed, failed;

void test_pass(const char *name) {
  __atomic_add_fetch(&passed, 1, __ATOMIC_SEQ_CST);
  printf("PASS: %s\n", name);
}

void test_fail(const char *name, const char *detail_fmt, ...) {
  __atomic_add_fetch(&failed, 1, __ATOMIC_SEQ_CST);
  va_list ap;
  va_start(ap, detail_fmt);
  print_begin(); /* one whole line even with several CPUs printing */
  printf("FAIL: %s (", name);
  vprintf(detail_fmt, ap);
  printf(")\n");
  print_end();
  va_end(ap);
}

int test_check(const char *name, int cond) {
  if (cond)
    test_pass(name);
  else
    test_fail(name, "condition false");
  return cond;
}

int test_eq(const char *name, uint32_t got, uint32_t want) {
  if (got == want) {
    test_pass(name);
    return 1;
  }
  test_fail(name, "got 0x%08x want 0x%08x", got, want);
  return 0;
}

int test_eq64(const char *name, uint64_t got, uint64_t want) {
  if (got == want) {
    test_pass(name);
    return 1;
  }
  test_fail(name, "got 0x%08x%08x want 0x%08x%08x", (uint32_t)(got >> 32), (uint32_t)got, (uint32_t)(want >> 32),
            (uint32_t)want);
  return 0;
}

uint32_t test_passed(void) { return passed; }
uint32_t test_failed(void) { return failed; }

void test_done(const char *suite) {
  printf("%s: %u passed, %u failed\n", suite, passed, failed);
  psci_system_off();
}
