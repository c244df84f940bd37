/*
 * The ring of floor-ring.c and its loops, written once: the program (floor-ring.c) runs them in two processes of
 * its own, and the shared library (floor-ring-lib.c) lets the costs command run the same code in its own .NET
 * processes, over its own ring. The layout and rules are described at the top of floor-ring.c.
 */
#ifndef FLOOR_RING_H
#define FLOOR_RING_H

#include <stdio.h>
#include <string.h>
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
 * consumer's (the consumer polls the next record's tag, not the producer's position); for the consumer, how many
 * reads found their record not yet committed (it had caught up with the producer; the costs command reports it). */
struct ring_end {
    struct shared_ring *r;
    uint64_t mine;
    uint64_t theirs;
    uint64_t caught_up;
};

/*
 * What a stalled wait does: the program ends its process (exit code 3); the shared library, which runs inside the
 * harness's processes, defines FLOOR_RING_ON_STALL to jump back to its entry point, so the harness can report the
 * stall and clean up after itself.
 */
#ifndef FLOOR_RING_ON_STALL
#define FLOOR_RING_ON_STALL() _exit(3)
#endif

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
            FLOOR_RING_ON_STALL();
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
    if (__atomic_load_n(&r->tag, __ATOMIC_ACQUIRE) == (position ^ SALT))
        return r;
    c->caught_up++;
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

/* Sends numbered SIZE-byte messages until END_NS (the clock is read every 256), then the empty end marker. */
static void stream_produce(struct ring_end *out, unsigned char *buf, uint32_t size, int64_t end_ns)
{
    for (uint64_t seq = 0;; seq++) {
        memcpy(buf, &seq, sizeof seq);
        ring_write(out, buf, size);
        if ((seq & 255) == 255 && now_ns() >= end_ns)
            break;
    }
    ring_write(out, buf, 0);
}

/*
 * Consumes a stream until its end marker, checking each message's length and sequence number. Times from the first
 * message after WARM_NS to the end marker (the whole stream if it did not outlast the warm-up). Returns messages per
 * second, or -1 after printing what was wrong; *MESSAGES receives how many it read, the warm-up's too.
 */
static double stream_consume(struct ring_end *in, unsigned char *buf, uint32_t size, int64_t warm_ns, uint64_t *messages)
{
    int64_t start = 0, first = 0;
    uint64_t expected = 0, counted = 0;
    for (;;) {
        uint32_t len = ring_read(in, buf);
        if (len == 0)
            break;
        uint64_t got;
        memcpy(&got, buf, sizeof got);
        if (len != size || got != expected) {
            fprintf(stderr, "floor-ring: stream message %llu came as %u bytes, sequence %llu\n",
                    (unsigned long long)expected, len, (unsigned long long)got);
            return -1;
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
    *messages = expected;
    if (first == 0) { /* too slow to outlast the warm-up: time it all */
        first = start;
        counted = expected - 1;
    }
    if (counted == 0 || last <= first) {
        fprintf(stderr, "floor-ring: the stream carried only %llu messages\n", (unsigned long long)expected);
        return -1;
    }
    return counted / ((last - first) / 1e9);
}

/*
 * WARMUP untimed, then COUNT timed round trips of numbered SIZE-byte messages out through OUT and back through IN,
 * whose peer runs echo(); the timed ones' nanoseconds go to RTT. Then the empty message, echoed back. Returns 0, or -1
 * after printing an echo that came back wrong (the empty message is then not sent).
 */
static int round_trips(struct ring_end *out, struct ring_end *in, uint32_t size, long warmup, long count, int64_t *rtt,
                       unsigned char *send, unsigned char *receive)
{
    for (long i = 0; i < warmup + count; i++) {
        uint64_t seq = (uint64_t)i, got;
        memcpy(send, &seq, sizeof seq);
        int64_t start = now_ns();
        ring_write(out, send, size);
        uint32_t len = ring_read(in, receive);
        int64_t elapsed = now_ns() - start;
        memcpy(&got, receive, sizeof got);
        if (len != size || got != seq) {
            fprintf(stderr, "floor-ring: echo %ld came back as %u bytes, sequence %llu\n", i, len, (unsigned long long)got);
            return -1;
        }
        if (i >= warmup)
            rtt[i - warmup] = elapsed;
    }
    ring_write(out, send, 0);
    (void)ring_read(in, receive);
    return 0;
}

/* Echoes every message back until the empty one (which it echoes too). */
static void echo(struct ring_end *in, struct ring_end *out, unsigned char *buf)
{
    for (;;) {
        uint32_t len = ring_read(in, buf);
        ring_write(out, buf, len);
        if (len == 0)
            break;
    }
}

#endif
