/* Test-reporting convention for guests. Each check prints one line:
 *   PASS: name
 *   FAIL: name (detail)
 * and test_done(suite) prints the summary line "<suite>: N passed, M failed" and powers off with
 * PSCI SYSTEM_OFF. Harnesses match /^PASS: /, /^FAIL: / and /^(\S+): (\d+) passed, (\d+) failed$/. */
#ifndef TEST_H
#define TEST_H

#include <stdint.h>

void test_pass(const char *name);
void test_fail(const char *name, const char *detail_fmt, ...);
/* PASS if cond, else FAIL with "condition false". Returns cond. */
int test_check(const char *name, int cond);
/* PASS if got == want, else FAIL with "got 0x........ want 0x........". Returns got == want. */
int test_eq(const char *name, uint32_t got, uint32_t want);
int test_eq64(const char *name, uint64_t got, uint64_t want);
uint32_t test_passed(void);
uint32_t test_failed(void);
/* Prints the summary and powers off; never returns. */
void test_done(const char *suite) __attribute__((noreturn));

#define CHECK(cond) test_check(#cond, (cond))
#define CHECK_EQ(name, got, want) test_eq((name), (uint32_t)(got), (uint32_t)(want))

#endif
