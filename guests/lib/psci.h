/* PSCI calls over HVC (SMC32 calling convention), as QEMU virt and armvmm provide them. */
#ifndef PSCI_H
#define PSCI_H

#include <stdint.h>

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_MIGRATE 0x84000005u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_MIGRATE_INFO_UP_CPU 0x84000007u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au

/* Return codes. */
#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)
#define PSCI_ON_PENDING (-5)
#define PSCI_INTERNAL_FAILURE (-6)
#define PSCI_NOT_PRESENT (-7)
#define PSCI_DISABLED (-8)
#define PSCI_INVALID_ADDRESS (-9)

/* AFFINITY_INFO states. */
#define PSCI_AFF_ON 0
#define PSCI_AFF_OFF 1
#define PSCI_AFF_ON_PENDING 2

/* The raw call: HVC #0 with r0 = function id, r1-r3 = arguments; returns r0. */
int32_t psci_call(uint32_t fn, uint32_t a1, uint32_t a2, uint32_t a3);

uint32_t psci_version(void);
int32_t psci_features(uint32_t fn);
int32_t psci_cpu_on(uint32_t mpidr, uint32_t entry, uint32_t context_id);
int32_t psci_cpu_off(void);
int32_t psci_affinity_info(uint32_t mpidr, uint32_t lowest_level);
void psci_system_off(void) __attribute__((noreturn));
void psci_system_reset(void) __attribute__((noreturn));

#endif
