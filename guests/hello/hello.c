/* The smallest guest: prints a greeting and its boot arguments, then powers off (PSCI SYSTEM_OFF). */
#include "guest.h"

int main(void) {
  printf("hello from armvmm guest (cpu %u, dtb at %08x)\n", cpu_id(), boot_dtb);
  printf("psci version %08x\n", psci_version());
  return 0;
}
