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
 *                   stream:   msgs=PER_SECOND n=COUNTED cpu=PARENT/CHILD
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

#include "floor-common.h"
#define LINE 128               /* two 64-byte lines: the adjacent-line prefetcher pulls pairs */
#define CAPACITY (1u << 20)
#define MASK ((uint64_t)CAPACITY - 1)
#define HEADER 16              /* struct record's header */
#define ALIGN 16               /* records start on 16-byte boundaries */
#define PADDING 0xFFFFFFFFu    /* length of a padding record: skip to the start of the ring */
#define SALT 0x9E3779B97F4A7C15ull /* tags are position ^ SALT, so zeroed memory never reads as committed */
#define MAX_MESSAGE (256 * 1024)

struct shared_ring {
    _Alignas(LINE) uint64_t head;  /* bytes written; the producer stores (for observers: the consumer needs only tags) */
    _Alignas(LINE) uint64_t tail;  /* bytes read; the consumer stores, the producer loads */
    _Alignas(LINE) unsigned char data[CAPACITY];
};

/* A record: the header, then the payload. The tag is stored last, with release: it is the commit. */
struct record {
    uint32_t length;
    uint32_t reserved;
    uint64_t tag;
    unsigned char payload[];
};

/* One end of a ring, in the process's private memory: its own position and, for the producer, a cached copy of the
 * consumer's (the consumer polls the next record's tag, not the producer's position). */
struct ring_end {
    struct shared_ring *r;
    uint64_t mine;
    uint64_t theirs;
};

/* Called on each fruitless spin; checks the clock every 4096 and gives up after STALL_NS. */
static inline void stall_check(unsigned *spins, int64_t *deadline)
{
    cpu_relax();
    if ((++*spins & 4095) == 0) {
        int64_t t = now_ns();
        if (*deadline == 0)
            *deadline = t + STALL_NS;
        else if (t > *deadline) {
            fprintf(stderr, "floor-ring: the peer stopped (pid %d)\n", (int)getpid());
            _exit(3);
        }
    }
}

static inline uint32_t record_size(uint32_t len) { return (HEADER + len + ALIGN - 1) & ~(ALIGN - 1); }

static inline struct record *record_at(struct shared_ring *r, uint64_t position)
{
    return (struct record *)(r->data + (position & MASK));
}

static void ring_write(struct ring_end *p, const void *src, uint32_t len)
{
    uint64_t head = p->mine;
    uint32_t rec = record_size(len);
    uint32_t to_end = CAPACITY - (uint32_t)(head & MASK);
    uint32_t need = rec + (to_end < rec ? to_end : 0);
    unsigned spins = 0;
    int64_t deadline = 0;
    while (CAPACITY - (head - p->theirs) < need) {
        /* Pairs with the consumer's release store of tail: the bytes it read are free once we see it. */
        p->theirs = __atomic_load_n(&p->r->tail, __ATOMIC_ACQUIRE);
        if (CAPACITY - (head - p->theirs) >= need)
            break;
        stall_check(&spins, &deadline);
    }
    if (to_end < rec) {
        struct record *pad = record_at(p->r, head);
        pad->length = PADDING;
        __atomic_store_n(&pad->tag, head ^ SALT, __ATOMIC_RELEASE);
        head += to_end;
    }
    struct record *r = record_at(p->r, head);
    r->length = len;
    memcpy(r->payload, src, len);
    /* The commit: publishes the length and payload; pairs with the consumer's acquire load of the tag. */
    __atomic_store_n(&r->tag, head ^ SALT, __ATOMIC_RELEASE);
    head += rec;
    p->mine = head;
    __atomic_store_n(&p->r->head, head, __ATOMIC_RELEASE); /* for observers; the consumer polls the tag instead */
}

/* Waits until the record at the consumer's position is committed (its tag matches); returns it. */
static struct record *wait_record(struct ring_end *c, uint64_t position)
{
    struct record *r = record_at(c->r, position);
    unsigned spins = 0;
    int64_t deadline = 0;
    while (__atomic_load_n(&r->tag, __ATOMIC_ACQUIRE) != (position ^ SALT))
        stall_check(&spins, &deadline);
    return r;
}

static uint32_t ring_read(struct ring_end *c, void *dst)
{
    uint64_t tail = c->mine;
    struct record *r = wait_record(c, tail);
    if (r->length == PADDING) {
        tail += CAPACITY - (uint32_t)(tail & MASK);
        r = wait_record(c, tail);
    }
    uint32_t len = r->length;
    memcpy(dst, r->payload, len);
    tail += record_size(len);
    c->mine = tail;
    /* Frees the record for the producer; pairs with its acquire load of tail. */
    __atomic_store_n(&c->r->tail, tail, __ATOMIC_RELEASE);
    return len;
}

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
        struct ring_end in = {to_child, 0, 0}, out = {to_parent, 0, 0};
        if (pingpong) {
            for (;;) { /* echo until the empty message */
                uint32_t len = ring_read(&in, send_buf);
                ring_write(&out, send_buf, len);
                if (len == 0)
                    break;
            }
        } else {
            int64_t end = now_ns() + (a + b) * 1000000LL;
            for (uint64_t seq = 0;; seq++) {
                memcpy(send_buf, &seq, sizeof seq);
                ring_write(&out, send_buf, (uint32_t)size);
                if ((seq & 255) == 255 && now_ns() >= end)
                    break;
            }
            ring_write(&out, send_buf, 0);
        }
        *child_cpu = sched_getcpu();
        _exit(0);
    }

    struct ring_end out = {to_child, 0, 0}, in = {to_parent, 0, 0};
    char result[160];
    if (pingpong) {
        for (long i = 0; i < warmup + count; i++) {
            uint64_t seq = (uint64_t)i, got;
            memcpy(send_buf, &seq, sizeof seq);
            int64_t start = now_ns();
            ring_write(&out, send_buf, (uint32_t)size);
            uint32_t len = ring_read(&in, recv_buf);
            int64_t elapsed = now_ns() - start;
            memcpy(&got, recv_buf, sizeof got);
            if (len != (uint32_t)size || got != seq) {
                fprintf(stderr, "floor-ring: echo %ld came back as %u bytes, sequence %llu\n", i, len, (unsigned long long)got);
                kill(child, SIGKILL);
                return 3;
            }
            if (i >= warmup)
                rtt[i - warmup] = elapsed;
        }
        ring_write(&out, send_buf, 0);
        (void)ring_read(&in, recv_buf);
        qsort(rtt, (size_t)count, sizeof(int64_t), cmp_i64);
        snprintf(result, sizeof result, "p50=%lld p90=%lld p99=%lld p999=%lld min=%lld max=%lld n=%ld",
                 (long long)rtt[count / 2], (long long)rtt[count * 90 / 100], (long long)rtt[count * 99 / 100],
                 (long long)rtt[count * 999 / 1000], (long long)rtt[0], (long long)rtt[count - 1], count);
    } else {
        int64_t warm_ns = a * 1000000LL, start = 0, first = 0;
        uint64_t expected = 0, counted = 0;
        for (;;) {
            uint32_t len = ring_read(&in, recv_buf);
            if (len == 0)
                break;
            uint64_t got;
            memcpy(&got, recv_buf, sizeof got);
            if (len != (uint32_t)size || got != expected) {
                fprintf(stderr, "floor-ring: stream message %llu came as %u bytes, sequence %llu\n",
                        (unsigned long long)expected, len, (unsigned long long)got);
                kill(child, SIGKILL);
                return 3;
            }
            expected++;
            if (first != 0)
                counted++;
            else if ((expected & 255) == 1) {
                int64_t t = now_ns();
                if (expected == 1)
                    start = t;
                else if (t - start >= warm_ns)
                    first = t;
            }
        }
        int64_t last = now_ns();
        if (first == 0) { /* too slow to outlast the warm-up: time it all */
            first = start;
            counted = expected - 1;
        }
        if (counted == 0 || last <= first) {
            fprintf(stderr, "floor-ring: the stream carried only %llu messages\n", (unsigned long long)expected);
            return 3;
        }
        snprintf(result, sizeof result, "msgs=%.0f n=%llu", counted / ((last - first) / 1e9), (unsigned long long)counted);
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
