/* Generic timer accessors (DDI 0406C B8, CP15 c14). 64-bit registers go through MRRC/MCRR. */
#ifndef TIMER_H
#define TIMER_H

#include <stdint.h>

/* CNTx_CTL bits. */
#define CNT_CTL_ENABLE (1u << 0)
#define CNT_CTL_IMASK (1u << 1)
#define CNT_CTL_ISTATUS (1u << 2)

static inline uint32_t read_cntfrq(void) {
  uint32_t v;
  __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(v));
  return v;
}

static inline uint64_t read_cntpct(void) {
  uint32_t lo, hi;
  __asm__ volatile("isb\n\tmrrc p15, 0, %0, %1, c14" : "=r"(lo), "=r"(hi)::"memory");
  return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t read_cntvct(void) {
  uint32_t lo, hi;
  __asm__ volatile("isb\n\tmrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi)::"memory");
  return ((uint64_t)hi << 32) | lo;
}

static inline uint32_t read_cntkctl(void) {
  uint32_t v;
  __asm__ volatile("mrc p15, 0, %0, c14, c1, 0" : "=r"(v));
  return v;
}
static inline void write_cntkctl(uint32_t v) { __asm__ volatile("mcr p15, 0, %0, c14, c1, 0\n\tisb" ::"r"(v) : "memory"); }

/* Physical timer (CNTP_*). */
static inline uint32_t read_cntp_tval(void) {
  uint32_t v;
  __asm__ volatile("mrc p15, 0, %0, c14, c2, 0" : "=r"(v));
  return v;
}
static inline void write_cntp_tval(uint32_t v) { __asm__ volatile("mcr p15, 0, %0, c14, c2, 0\n\tisb" ::"r"(v) : "memory"); }
static inline uint32_t read_cntp_ctl(void) {
  uint32_t v;
  __asm__ volatile("mrc p15, 0, %0, c14, c2, 1" : "=r"(v));
  return v;
}
static inline void write_cntp_ctl(uint32_t v) { __asm__ volatile("mcr p15, 0, %0, c14, c2, 1\n\tisb" ::"r"(v) : "memory"); }
static inline uint64_t read_cntp_cval(void) {
  uint32_t lo, hi;
  __asm__ volatile("mrrc p15, 2, %0, %1, c14" : "=r"(lo), "=r"(hi));
  return ((uint64_t)hi << 32) | lo;
}
static inline void write_cntp_cval(uint64_t v) {
  __asm__ volatile("mcrr p15, 2, %0, %1, c14\n\tisb" ::"r"((uint32_t)v), "r"((uint32_t)(v >> 32)) : "memory");
}

/* Virtual timer (CNTV_*). */
static inline uint32_t read_cntv_tval(void) {
  uint32_t v;
  __asm__ volatile("mrc p15, 0, %0, c14, c3, 0" : "=r"(v));
  return v;
}
static inline void write_cntv_tval(uint32_t v) { __asm__ volatile("mcr p15, 0, %0, c14, c3, 0\n\tisb" ::"r"(v) : "memory"); }
static inline uint32_t read_cntv_ctl(void) {
  uint32_t v;
  __asm__ volatile("mrc p15, 0, %0, c14, c3, 1" : "=r"(v));
  return v;
}
static inline void write_cntv_ctl(uint32_t v) { __asm__ volatile("mcr p15, 0, %0, c14, c3, 1\n\tisb" ::"r"(v) : "memory"); }
static inline uint64_t read_cntv_cval(void) {
  uint32_t lo, hi;
  __asm__ volatile("mrrc p15, 3, %0, %1, c14" : "=r"(lo), "=r"(hi));
  return ((uint64_t)hi << 32) | lo;
}
static inline void write_cntv_cval(uint64_t v) {
  __asm__ volatile("mcrr p15, 3, %0, %1, c14\n\tisb" ::"r"((uint32_t)v), "r"((uint32_t)(v >> 32)) : "memory");
}

/* Busy-waits for `ticks` of the virtual counter. */
static inline void delay_ticks(uint64_t ticks) {
  uint64_t end = read_cntvct() + ticks;
  while (read_cntvct() < end) {
  }
}

#endif
