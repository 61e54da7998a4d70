/* The virt platform as a guest sees it, checked from inside (issue 3's evidence): SMP bring-up and
 * errors through PSCI on 4 vcpus, unmapped MMIO as external aborts, the PL011 (identification and
 * console input by interrupt, echoed back) and the PL031 (time, ticks and the match interrupt).
 *
 *   armvmm run --kernel guests/bin/platform.bin --smp 4 --clock icount   (then type a line)
 *   echo hello | qemu-system-arm -M virt,gic-version=2 -cpu cortex-a15 -smp 4 -nographic \
 *                                -kernel guests/bin/platform.elf
 *
 * The same image runs on both: it tells QEMU by its device tree (fdt.c) and accepts QEMU's answer
 * only where QEMU is documented to differ (psci_calls.c, unmapped.c). */
#include "guest.h"
#include "test.h"
#include "platform.h"

int main(void) {
  on_qemu = detect_qemu(boot_dtb);
  irq_setup();
  unsigned ncpus = psci_count_cpus();
  printf("platform: %u cpus, on %s\n", ncpus, on_qemu ? "QEMU" : "armvmm");

  check_psci_calls(ncpus);
  check_smp(ncpus);
  check_unmapped_mmio();
  check_pl011_registers();
  check_pl031();
  check_console_echo();

  test_eq("no unexpected interrupts", stray_irqs, 0);
  test_eq("no unexpected data aborts or undefined instructions", stray_exceptions, 0);
  test_done("platform");
}
