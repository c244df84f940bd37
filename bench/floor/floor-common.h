/*
 * What floor.c and floor-ring.c share: the monotonic clock, the spin's CPU pause, and how long a spin waits for a
 * peer that makes no progress before giving up. Included by both (the harness compiles each from this folder).
 */
#ifndef FLOOR_COMMON_H
#define FLOOR_COMMON_H

#include <stdint.h>
#include <time.h>

#define STALL_NS 10000000000LL /* 10 s without progress: the peer is gone */

static inline int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
