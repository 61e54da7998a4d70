/* A guest to be debugged (test/debug/gdb.test.ts drives gdb-multiarch against it):
 * - ARM code calling a Thumb function and back (interworking, for step and stepi);
 * - VFP arithmetic whose registers gdb reads and writes;
 * - a global written once (a watchpoint) and one gdb writes (memory writes reach the guest);
 * - a second CPU spinning in its own function (two threads for gdb).
 * Without a debugger it runs straight through, prints what it saw and powers off. */
#include "guest.h"

volatile uint32_t watched;
volatile uint32_t poked = 0x11111111;
volatile uint32_t spins;
volatile uint32_t finished;
volatile uint32_t secondary_up;
volatile double vfp_out;

__attribute__((target("thumb"), noinline)) uint32_t thumb_mix(uint32_t a, uint32_t b) {
  return a * 3 + b;
}

__attribute__((noinline)) uint32_t arm_caller(uint32_t x) {
  uint32_t y = thumb_mix(x, 7);
  return y + 1;
}

__attribute__((noinline)) double vfp_scale(double x, double k) {
  return x * k + 0.5;
}

__attribute__((noinline)) void store_watched(uint32_t v) {
  watched = v;
}

/* gdb stops here and changes `poked` and r0 (the argument) before the guest prints them. */
__attribute__((noinline)) void report(uint32_t value) {
  printf("report: value=%08x poked=%08x\n", value, poked);
}

__attribute__((noinline)) void secondary_spin(uint32_t arg) {
  (void)arg;
  secondary_up = 1;
  while (!finished) spins++;
}

int main(void) {
  int32_t started = cpu_start(1, secondary_spin, 0);
  if (started == 0) {
    while (!secondary_up) {
    }
  }
  uint32_t mixed = arm_caller(5);
  double scaled = vfp_scale(4.0, 2.5);
  vfp_out = scaled;
  store_watched(0x1234);
  report(mixed);
  printf("mixed=%u scaled*100=%d watched=%08x cpus=%d\n", mixed, (int)(vfp_out * 100), watched, started == 0 ? 2 : 1);
  /* Let vcpu 1 spin some more (its loop long since translated): gdb may break in it now. */
  uint32_t before = spins;
  while (started == 0 && spins - before < 1000) {
  }
  finished = 1;
  return 0;
}
