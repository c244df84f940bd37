/*
 * The C peer the .NET tests start (tests/Memshare.Tests/Interop/C.*.cs). Every payload is self-validating,
 * derived from a counter exactly as C.Patterns.cs derives it, so either side can tell a torn or wrong copy.
 *
 *   string-hunt NAME READS        read a string slot READS times; print "reads R torn T distinct D"
 *   value-hunt NAME READS         the same for a 64-byte value
 *   string-hammer NAME SECONDS    print "ready", set pattern 0, 1, 2, ... until killed or SECONDS pass; print "sets N"
 *   value-hammer NAME SECONDS     the same for the value
 *   chan-send NAME COUNT SEED     print "ready", send COUNT pattern messages, complete; print "sent N"
 *   chan-recv NAME SEED TIMEOUT   print "ready", receive until complete; print "received N bad B"
 *   hold NAME -                   after a line on stdin open a raw region, print "held", wait for end of stdin,
 *                                 close; print "closed"
 * A failing call prints "status S: message" to stderr and exits 1.
 */
#include "../memshare.h"

#include <stdlib.h>

static uint64_t splitmix(uint64_t x)
{
    uint64_t z = x + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* String k: 16 hex digits of k, ':', then letters derived from k; 17 to 196 bytes. */
static size_t string_for(uint64_t k, char *out)
{
    size_t length = 17 + (size_t)((k * 37) % 180);
    snprintf(out, 18, "%016llx:", (unsigned long long)k);
    for (size_t i = 17; i < length; i++) {
        out[i] = (char)('a' + (k + i * 7) % 26);
    }
    return length;
}

static int string_valid(const char *text, size_t length, uint64_t *k)
{
    char expected[256];
    if (length < 17 || length > 196 || text[16] != ':') {
        return 0;
    }
    char digits[17];
    memcpy(digits, text, 16);
    digits[16] = '\0';
    char *end;
    *k = strtoull(digits, &end, 16);
    return *end == '\0' && string_for(*k, expected) == length && memcmp(expected, text, length) == 0;
}

/* Value k: eight u64 words, word 0 = k, words 1-6 mixed from k, word 7 a check over the others. */
static void value_for(uint64_t k, uint64_t w[8])
{
    w[0] = k;
    w[7] = 0x9E3779B97F4A7C15ull ^ k;
    for (int i = 1; i < 7; i++) {
        w[i] = splitmix(k + (uint64_t)i);
        w[7] ^= w[i];
    }
}

static int value_valid(const uint64_t w[8])
{
    uint64_t expected[8];
    value_for(w[0], expected);
    return memcmp(expected, w, sizeof expected) == 0;
}

/* Message k of a stream: length and bytes derived from seed and k (C.Patterns.cs: MessageFor). */
static size_t message_for(uint64_t seed, uint64_t k, size_t max, unsigned char *out)
{
    size_t length = (size_t)(splitmix(seed ^ (k * 0x100000001B3ull)) % (max + 1));
    uint64_t h = splitmix(seed + k);
    for (size_t j = 0; j < length; j++) {
        out[j] = (unsigned char)((unsigned char)(h >> (8 * (j & 7))) ^ (unsigned char)(j >> 3));
    }
    return length;
}

static int die(const char *error, int status)
{
    fprintf(stderr, "status %d: %s\n", status, error);
    return 1;
}

static void ready(void)
{
    printf("ready\n");
    fflush(stdout);
}

static int string_hunt(const char *name, long reads)
{
    ms_region r;
    int status = ms_string_open(&r, name, MS_READ_ONLY);
    if (status != MS_OK) {
        return die(r.error, status);
    }
    char text[256];
    long torn = 0, distinct = 0;
    uint64_t last = UINT64_MAX;
    for (long i = 0; i < reads; i++) {
        size_t length;
        uint64_t k;
        status = ms_string_get(&r, text, sizeof text, &length);
        if (status != MS_OK) {
            return die(r.error, status);
        }
        if (!string_valid(text, length, &k)) {
            torn++;
        } else if (k != last) {
            distinct++;
            last = k;
        }
    }
    printf("reads %ld torn %ld distinct %ld\n", reads, torn, distinct);
    ms_close(&r);
    return 0;
}

static int value_hunt(const char *name, long reads)
{
    ms_region r;
    int status = ms_value_open(&r, name, MS_READ_ONLY);
    if (status != MS_OK) {
        return die(r.error, status);
    }
    uint64_t w[8];
    long torn = 0, distinct = 0;
    uint64_t last = UINT64_MAX;
    for (long i = 0; i < reads; i++) {
        status = ms_value_read(&r, w, sizeof w);
        if (status != MS_OK) {
            return die(r.error, status);
        }
        if (!value_valid(w)) {
            torn++;
        } else if (w[0] != last) {
            distinct++;
            last = w[0];
        }
    }
    printf("reads %ld torn %ld distinct %ld\n", reads, torn, distinct);
    ms_close(&r);
    return 0;
}

static int hammer(const char *name, long seconds, int value)
{
    ms_region r;
    int status = value ? ms_value_open(&r, name, MS_READ_WRITE) : ms_string_open(&r, name, MS_READ_WRITE);
    if (status != MS_OK) {
        return die(r.error, status);
    }
    r.lock_timeout_ms = 10000;
    ready();
    int64_t deadline = ms__now_ms() + seconds * 1000;
    uint64_t k = 0;
    for (; ms__now_ms() < deadline; k++) {
        if (value) {
            uint64_t w[8];
            value_for(k, w);
            status = ms_value_write(&r, w, sizeof w);
        } else {
            char text[256];
            status = ms_string_set(&r, text, string_for(k, text));
        }
        if (status != MS_OK) {
            return die(r.error, status);
        }
    }
    printf("sets %llu\n", (unsigned long long)k);
    ms_close(&r);
    return 0;
}

static int chan_send(const char *name, long count, uint64_t seed)
{
    ms_channel ch;
    int status = ms_channel_open_writer(&ch, name, MS_READ_WRITE);
    if (status != MS_OK) {
        return die(ch.region.error, status);
    }
    ready();
    unsigned char *buf = (unsigned char *)malloc((size_t)ch.max_message + 1);
    long k = 0;
    for (; k < count; k++) {
        size_t length = message_for(seed, (uint64_t)k, (size_t)ch.max_message, buf);
        status = ms_channel_send(&ch, buf, length, 30000);
        if (status != MS_OK) {
            return die(ch.region.error, status);
        }
    }
    status = ms_channel_complete(&ch);
    if (status != MS_OK) {
        return die(ch.region.error, status);
    }
    printf("sent %ld\n", k);
    free(buf);
    ms_channel_close(&ch);
    return 0;
}

static int chan_recv(const char *name, uint64_t seed, int timeout_ms)
{
    ms_channel ch;
    int status = ms_channel_open_reader(&ch, name, MS_READ_WRITE);
    if (status != MS_OK) {
        return die(ch.region.error, status);
    }
    ready();
    size_t max = (size_t)ch.max_message;
    unsigned char *buf = (unsigned char *)malloc(max + 1), *expected = (unsigned char *)malloc(max + 1);
    long k = 0, bad = 0;
    for (;; k++) {
        size_t length;
        status = ms_channel_recv(&ch, buf, max, &length, timeout_ms);
        if (status == MS_E_COMPLETED) {
            break;
        }
        if (status != MS_OK) {
            printf("received %ld bad %ld\n", k, bad);
            return die(ch.region.error, status);
        }
        size_t want = message_for(seed, (uint64_t)k, max, expected);
        if (length != want || memcmp(buf, expected, length) != 0) {
            bad++;
        }
    }
    printf("received %ld bad %ld\n", k, bad);
    free(buf);
    free(expected);
    ms_channel_close(&ch);
    return 0;
}

static int hold(const char *name)
{
    for (int c = 0; c != '\n' && c != EOF;) { /* wait for "go": the test creates the region first */
        c = getchar();
    }
    ms_region r;
    int status = ms_open_raw(&r, name, MS_READ_WRITE);
    if (status != MS_OK) {
        return die(r.error, status);
    }
    printf("held\n");
    fflush(stdout);
    while (getchar() != EOF) {
    }
    ms_close(&r);
    printf("closed\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: see the comment at the top of peer.c\n");
        return 2;
    }
    const char *mode = argv[1], *name = argv[2];
    long n = strtol(argv[3], NULL, 10);
    if (strcmp(mode, "string-hunt") == 0) {
        return string_hunt(name, n);
    }
    if (strcmp(mode, "value-hunt") == 0) {
        return value_hunt(name, n);
    }
    if (strcmp(mode, "string-hammer") == 0) {
        return hammer(name, n, 0);
    }
    if (strcmp(mode, "value-hammer") == 0) {
        return hammer(name, n, 1);
    }
    if (strcmp(mode, "chan-send") == 0 && argc == 5) {
        return chan_send(name, n, strtoull(argv[4], NULL, 10));
    }
    if (strcmp(mode, "chan-recv") == 0 && argc == 5) {
        return chan_recv(name, (uint64_t)n, (int)strtol(argv[4], NULL, 10));
    }
    if (strcmp(mode, "hold") == 0) {
        return hold(name);
    }
    fprintf(stderr, "unknown mode '%s'\n", mode);
    return 2;
}
