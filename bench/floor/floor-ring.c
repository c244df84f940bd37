/*
 * The message floor: a bare single-producer single-consumer ring between two forked processes over a MAP_SHARED
 * mapping, as a message ring must work but with nothing else (no validation, no tags, no waiting in the kernel).
 * A message through a ring touches more than the one cache line that `floor` bounces: the record's header and
 * payload, the producer's position and the consumer's. This is the physical limit Memshare's channel is held to.
 *
 *   floor-ring pingpong SIZE COUNT WARMUP   round trips over two rings (parent -> child -> parent); the parent
 *                                           times each one
 *   floor-ring stream SIZE WARMUP_MS MS     the child streams SIZE-byte messages for WARMUP_MS + MS; the parent
 *                                           consumes them, checks each one's sequence number, and times from the
 *                                           first message after WARMUP_MS to the last
 *
 * Ring: 1 MiB of data (Memshare's default), the producer's position on one 128-byte line and the consumer's on the
 * next; positions are 64-bit byte counters that only grow. A record is a 16-byte header (length, and a tag = its
 * position ^ SALT stored last with release semantics: the commit) and the payload, padded to 16 bytes; a record that
 * would not fit before the end is preceded by a padding record. The consumer polls the next record's tag (acquire),
 * so a small message costs one line moving between the cores, not two (the producer's position and then the
 * record); it publishes its position with a release store after each read, and the producer reads it (acquire) only
 * when its cached copy says the ring is full. The producer also publishes its own position after each record, as a
 * ring does for observers. Both spin with a CPU pause. Each side copies the payload once, from its own buffer into
 * the ring or out of it, as a TryWrite / TryRead pair does. A zero-length message ends an echo. This is the layout
 * of Memshare's channel records (docs/format.md) without anything else.
 *
 * Prints one line:  pingpong: p50=NS p90=NS p99=NS p999=NS min=NS max=NS n=COUNT cpu=PARENT/CHILD
 *                   stream:   msgs=PER_SECOND caught=SHARE cpu=PARENT/CHILD
 * (caught: the share of the consumer's reads that found their record not yet committed)
 * (cpu: where each process ran at the end, from sched_getcpu). Every wait is bounded (10 s without progress ends
 * the process with exit code 3), and the child dies with its parent (PR_SET_PDEATHSIG).
 *
 * Built by the harness (bench/Memshare.Benchmarks/Ipc/FloorProgram.cs) with: cc -O2 -o floor-ring floor-ring.c
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "floor-ring.h"

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static unsigned char send_buf[MAX_MESSAGE], recv_buf[MAX_MESSAGE];

int main(int argc, char **argv)
{
    int pingpong = argc == 5 && strcmp(argv[1], "pingpong") == 0;
    int stream = argc == 5 && strcmp(argv[1], "stream") == 0;
    if (!pingpong && !stream) {
        fprintf(stderr, "usage: %s pingpong SIZE COUNT WARMUP | %s stream SIZE WARMUP_MS MS\n", argv[0], argv[0]);
        return 2;
    }
    long size = atol(argv[2]), a = atol(argv[3]), b = atol(argv[4]);
    if (size < 8 || size > MAX_MESSAGE || a <= 0 || b < 0) {
        fprintf(stderr, "SIZE must be 8 to %d; COUNT / WARMUP_MS positive, WARMUP / MS non-negative\n", MAX_MESSAGE);
        return 2;
    }

    /* Two rings and a word for the child's CPU; zeroed and touched before the fork, as a created region is. */
    size_t bytes = 2 * sizeof(struct shared_ring) + LINE;
    void *map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    memset(map, 0, bytes);
    struct shared_ring *to_child = (struct shared_ring *)map, *to_parent = to_child + 1;
    volatile int *child_cpu = (volatile int *)(to_parent + 1);
    long count = pingpong ? a : 0, warmup = pingpong ? b : 0;
    int64_t *rtt = pingpong ? malloc(sizeof(int64_t) * (size_t)count) : NULL;
    if (pingpong && rtt == NULL) {
        perror("malloc");
        return 1;
    }

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
        struct ring_end in = {to_child, 0, 0, 0}, out = {to_parent, 0, 0, 0};
        if (pingpong)
            echo(&in, &out, send_buf);
        else
            stream_produce(&out, send_buf, (uint32_t)size, now_ns() + (a + b) * 1000000LL);
        *child_cpu = sched_getcpu();
        _exit(0);
    }

    struct ring_end out = {to_child, 0, 0, 0}, in = {to_parent, 0, 0, 0};
    char result[160];
    if (pingpong) {
        if (round_trips(&out, &in, (uint32_t)size, warmup, count, rtt, send_buf, recv_buf) != 0) {
            kill(child, SIGKILL);
            return 3;
        }
        qsort(rtt, (size_t)count, sizeof(int64_t), cmp_i64);
        snprintf(result, sizeof result, "p50=%lld p90=%lld p99=%lld p999=%lld min=%lld max=%lld n=%ld",
                 (long long)rtt[count / 2], (long long)rtt[count * 90 / 100], (long long)rtt[count * 99 / 100],
                 (long long)rtt[count * 999 / 1000], (long long)rtt[0], (long long)rtt[count - 1], count);
    } else {
        uint64_t messages = 0;
        double rate = stream_consume(&in, recv_buf, (uint32_t)size, a * 1000000LL, &messages);
        if (rate < 0) {
            kill(child, SIGKILL);
            return 3;
        }
        /* caught: the share of reads that found the consumer caught up with the producer */
        snprintf(result, sizeof result, "msgs=%.0f caught=%.4f", rate, messages > 0 ? (double)in.caught_up / messages : 0.0);
    }

    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "floor-ring: the peer failed (status %d)\n", status);
        return 3;
    }
    printf("%s cpu=%d/%d\n", result, sched_getcpu(), *child_cpu);
    return 0;
}
