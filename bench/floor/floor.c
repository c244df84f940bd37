/*
 * The hardware floor for cross-process ping-pong: two processes (fork) share one cache-line-aligned word in
 * a MAP_SHARED mapping and increment it in turn. The parent times each round trip.
 *
 *   floor spin  COUNT WARMUP            both sides spin on the word (a 64-bit counter)
 *   floor futex COUNT WARMUP [IDLE_US [SPIN_NS]]
 *                                       both sides sleep in FUTEX_WAIT (shared, not private) and wake each
 *                                       other with FUTEX_WAKE; with IDLE_US the parent sleeps that long
 *                                       between round trips, so every ping wakes an idle peer; with SPIN_NS
 *                                       each side first spins that long (spin-then-sleep, as Memshare waits)
 *
 * Prints one line:  p50=NS p90=NS p99=NS p999=NS min=NS max=NS n=COUNT cpu=PARENT/CHILD
 * (cpu: where each process ran at the end, from sched_getcpu: the machine-state probe records it).
 * Every wait is bounded (10 s without progress ends the process with exit code 3), and the child dies with
 * its parent (PR_SET_PDEATHSIG), so a lost peer cannot hang the harness.
 *
 * Built by the harness (bench/Memshare.Benchmarks/Ipc/FloorProgram.cs) with: cc -O2 -o floor floor.c
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "floor-common.h"

/* Spin until *word == want; 0 on success, -1 after STALL_NS without it. Checks the clock every 4096 spins. */
static int spin_until(volatile uint64_t *word, uint64_t want)
{
    int64_t deadline = 0;
    for (unsigned n = 0;; n++) {
        if (__atomic_load_n(word, __ATOMIC_ACQUIRE) == want)
            return 0;
        cpu_relax();
        if ((n & 4095) == 4095) {
            int64_t t = now_ns();
            if (deadline == 0)
                deadline = t + STALL_NS;
            else if (t > deadline)
                return -1;
        }
    }
}

static long futex(volatile uint32_t *word, int op, uint32_t val, const struct timespec *timeout)
{
    /* No FUTEX_PRIVATE_FLAG: the word is in a MAP_SHARED mapping used by two processes. */
    return syscall(SYS_futex, word, op, val, timeout, NULL, 0);
}

static int64_t spin_ns; /* futex mode: how long to spin before sleeping */

/* Spin for spin_ns, then sleep in the kernel, until *word == want; 0 on success, -1 after STALL_NS without it. */
static int futex_until(volatile uint32_t *word, uint32_t want)
{
    int64_t start = now_ns();
    while (now_ns() - start < spin_ns) {
        if (__atomic_load_n(word, __ATOMIC_ACQUIRE) == want)
            return 0;
        cpu_relax();
    }
    int64_t deadline = start + STALL_NS;
    struct timespec slice = {0, 100000000}; /* re-check every 100 ms */
    for (;;) {
        uint32_t v = __atomic_load_n(word, __ATOMIC_ACQUIRE);
        if (v == want)
            return 0;
        if (now_ns() > deadline)
            return -1;
        futex(word, FUTEX_WAIT, v, &slice); /* returns at once (EAGAIN) if the word already moved on */
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 6 || (strcmp(argv[1], "spin") != 0 && strcmp(argv[1], "futex") != 0)) {
        fprintf(stderr, "usage: %s spin COUNT WARMUP | %s futex COUNT WARMUP [IDLE_US [SPIN_NS]]\n", argv[0], argv[0]);
        return 2;
    }
    int use_futex = strcmp(argv[1], "futex") == 0;
    long count = atol(argv[2]), warmup = atol(argv[3]);
    long idle_us = argc >= 5 ? atol(argv[4]) : 0;
    spin_ns = argc >= 6 ? atol(argv[5]) : 0;
    if (count <= 0 || warmup < 0 || idle_us < 0 || spin_ns < 0 || (argc >= 5 && !use_futex)) {
        fprintf(stderr, "COUNT must be positive, WARMUP, IDLE_US and SPIN_NS non-negative; IDLE_US and SPIN_NS apply to futex only\n");
        return 2;
    }
    struct timespec idle = {idle_us / 1000000, (idle_us % 1000000) * 1000};

    /* One page, shared across fork; the word sits at its start, so it is cache-line (and page) aligned. */
    void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    volatile uint64_t *counter = (volatile uint64_t *)page;
    volatile uint32_t *fword = (volatile uint32_t *)page; /* futex words are 32-bit */
    volatile int *child_cpu = (volatile int *)((char *)page + 128); /* the child's CPU, on another line */
    int64_t *rtt = malloc(sizeof(int64_t) * (size_t)count);
    if (rtt == NULL) {
        perror("malloc");
        return 1;
    }

    long total = warmup + count;
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }

    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(3);
        /* The echo side: waits for the odd value 2i+1 and answers with 2i+2. */
        for (long i = 0; i < total; i++) {
            if (use_futex) {
                if (futex_until(fword, (uint32_t)(2 * i + 1)) != 0)
                    _exit(3);
                __atomic_store_n(fword, (uint32_t)(2 * i + 2), __ATOMIC_RELEASE);
                futex(fword, FUTEX_WAKE, 1, NULL);
            } else {
                if (spin_until(counter, (uint64_t)(2 * i + 1)) != 0)
                    _exit(3);
                __atomic_store_n(counter, (uint64_t)(2 * i + 2), __ATOMIC_RELEASE);
            }
        }
        *child_cpu = sched_getcpu();
        _exit(0);
    }

    int failed = 0;
    for (long i = 0; i < total && !failed; i++) {
        int64_t start = now_ns();
        if (use_futex) {
            __atomic_store_n(fword, (uint32_t)(2 * i + 1), __ATOMIC_RELEASE);
            futex(fword, FUTEX_WAKE, 1, NULL);
            failed = futex_until(fword, (uint32_t)(2 * i + 2)) != 0;
        } else {
            __atomic_store_n(counter, (uint64_t)(2 * i + 1), __ATOMIC_RELEASE);
            failed = spin_until(counter, (uint64_t)(2 * i + 2)) != 0;
        }
        int64_t elapsed = now_ns() - start;
        if (i >= warmup)
            rtt[i - warmup] = elapsed;
        if (idle_us > 0)
            nanosleep(&idle, NULL);
    }

    if (failed) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        fprintf(stderr, "floor: the peer stopped answering\n");
        return 3;
    }

    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "floor: the peer failed (status %d)\n", status);
        return 3;
    }

    qsort(rtt, (size_t)count, sizeof(int64_t), cmp_i64);
    printf("p50=%lld p90=%lld p99=%lld p999=%lld min=%lld max=%lld n=%ld cpu=%d/%d\n",
           (long long)rtt[count / 2], (long long)rtt[count * 90 / 100], (long long)rtt[count * 99 / 100],
           (long long)rtt[count * 999 / 1000], (long long)rtt[0], (long long)rtt[count - 1], count,
           sched_getcpu(), *child_cpu);
    return 0;
}
