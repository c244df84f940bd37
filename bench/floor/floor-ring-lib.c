/*
 * floor-ring's ring and loops (floor-ring.h) as a shared library, so the costs command can run the C ring's own code
 * in its own two .NET processes, over the ring they already share (bench/Memshare.Benchmarks/Ipc/ManagedRingLink.cs
 * lays its rings out as struct shared_ring). The C ring in processes of its own and the C ring in the harness's
 * processes then tell apart what the code costs and what the processes and their memory do.
 *
 * Each call runs a whole phase, so no per-message call crosses into C. POSITIONS holds the caller's end of the ring:
 * its own position and, for a producer, the consumer's as last read; the call reads and updates both. A peer silent
 * for 10 s makes the call return FLOOR_RING_STALLED (the ring's positions are then unknown: the harness gives up).
 *
 * Built by the harness (bench/Memshare.Benchmarks/Ipc/FloorProgram.cs) with: cc -O2 -shared -fPIC -o libfloor-ring.so floor-ring-lib.c
 */
#include <setjmp.h>

/* A stalled wait jumps back to the exported function that started it (one phase runs on one thread at a time). */
static _Thread_local jmp_buf stalled;
#define FLOOR_RING_ON_STALL() longjmp(stalled, 1)
#define FLOOR_RING_STALLED (-2)

#include "floor-ring.h"

/*
 * Streams SIZE-byte messages into RING for MS milliseconds, then the end marker; BUF is the producer's own buffer.
 * Returns 0, or FLOOR_RING_STALLED.
 */
int floor_ring_produce(void *ring, uint64_t *positions, uint32_t size, int64_t ms, unsigned char *buf)
{
    struct ring_end out = {(struct shared_ring *)ring, positions[0], positions[1], 0};
    if (setjmp(stalled))
        return FLOOR_RING_STALLED;
    stream_produce(&out, buf, size, now_ns() + ms * 1000000LL);
    positions[0] = out.mine;
    positions[1] = out.theirs;
    return 0;
}

/*
 * Consumes a stream from RING; messages per second after WARM_MS, -1 if a message was wrong, or FLOOR_RING_STALLED.
 * POSITIONS[1] receives how many messages it read, the warm-up's too, and POSITIONS[2] how many of those reads found
 * the consumer caught up with the producer.
 */
double floor_ring_consume(void *ring, uint64_t *positions, uint32_t size, int64_t warm_ms, unsigned char *buf)
{
    struct ring_end in = {(struct shared_ring *)ring, positions[0], 0, 0};
    if (setjmp(stalled))
        return FLOOR_RING_STALLED;
    uint64_t messages = 0;
    double rate = stream_consume(&in, buf, size, warm_ms * 1000000LL, &messages);
    positions[0] = in.mine;
    positions[1] = messages;
    positions[2] = in.caught_up;
    return rate;
}

/* Echoes messages from IN to OUT until the empty one; 0, or FLOOR_RING_STALLED. */
int floor_ring_echo(void *in_ring, uint64_t *in_positions, void *out_ring, uint64_t *out_positions, unsigned char *buf)
{
    struct ring_end in = {(struct shared_ring *)in_ring, in_positions[0], 0, 0};
    struct ring_end out = {(struct shared_ring *)out_ring, out_positions[0], out_positions[1], 0};
    if (setjmp(stalled))
        return FLOOR_RING_STALLED;
    echo(&in, &out, buf);
    in_positions[0] = in.mine;
    out_positions[0] = out.mine;
    out_positions[1] = out.theirs;
    return 0;
}

/*
 * COUNT timed round trips of SIZE-byte messages out through OUT and back through IN (round_trips in floor-ring.h);
 * each one's time in nanoseconds goes to NANOSECONDS[i]. Returns 0, -1 if an echo came back wrong, or
 * FLOOR_RING_STALLED.
 */
int floor_ring_round_trips(void *out_ring, uint64_t *out_positions, void *in_ring, uint64_t *in_positions,
                           uint32_t size, int32_t count, int64_t *nanoseconds, unsigned char *send, unsigned char *receive)
{
    struct ring_end out = {(struct shared_ring *)out_ring, out_positions[0], out_positions[1], 0};
    struct ring_end in = {(struct shared_ring *)in_ring, in_positions[0], 0, 0};
    if (setjmp(stalled))
        return FLOOR_RING_STALLED;
    int result = round_trips(&out, &in, size, 0, count, nanoseconds, send, receive);
    out_positions[0] = out.mine;
    out_positions[1] = out.theirs;
    in_positions[0] = in.mine;
    return result;
}
