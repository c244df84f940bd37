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
 *   golden NAME KIND [OFF:TYPE..] decode a golden image (tests/golden) of KIND value, string, lock or channel and
 *                                 print its manifest lines; a value's fields are decoded as the leaves say
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

/* ---- golden images (tests/golden, docs/format.md): print the manifest lines of one decoded region ---- */

static void print_hex(const char *prefix, const unsigned char *bytes, size_t n)
{
    printf("%s", prefix);
    if (n > 0) {
        putchar(' ');
    }
    for (size_t i = 0; i < n; i++) {
        printf("%02x", bytes[i]);
    }
    putchar('\n');
}

static void print_field(const unsigned char *payload, size_t size, const char *leaf)
{
    char kind[32];
    unsigned offset;
    if (sscanf(leaf, "%u:%31s", &offset, kind) != 2) {
        printf("field %s unparsed\n", leaf);
        return;
    }
    const unsigned char *p = payload + offset;
    size_t width = strstr(kind, "64") ? 8 : strstr(kind, "32") ? 4 : strstr(kind, "16") ? 2 : 1;
    if (offset + width > size) {
        printf("field %u %s outside\n", offset, kind);
        return;
    }
    union { uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64; float f32; double f64; } v;
    memcpy(&v, p, width); /* little-endian host, as the format */
    printf("field %u %s ", offset, kind);
    if (strcmp(kind, "float64") == 0) printf("%.17g\n", v.f64);
    else if (strcmp(kind, "float32") == 0) printf("%.9g\n", (double)v.f32);
    else if (strcmp(kind, "int64") == 0) printf("%lld\n", (long long)(int64_t)v.u64);
    else if (strcmp(kind, "uint64") == 0) printf("%llu\n", (unsigned long long)v.u64);
    else if (strcmp(kind, "int32") == 0) printf("%d\n", (int)(int32_t)v.u32);
    else if (strcmp(kind, "uint32") == 0) printf("%u\n", (unsigned)v.u32);
    else if (strcmp(kind, "int16") == 0) printf("%d\n", (int)(int16_t)v.u16);
    else if (strcmp(kind, "uint16") == 0) printf("%u\n", (unsigned)v.u16);
    else if (strcmp(kind, "int8") == 0) printf("%d\n", (int)(int8_t)v.u8);
    else printf("%u\n", (unsigned)v.u8);
}

/* "owner free", or "owner pid P dead|alive" for a token. */
static void print_holder(const char *what, uint64_t token)
{
    if (token == 0) {
        printf("%s free\n", what);
    } else {
        printf("%s pid %u %s\n", what, (unsigned)(uint32_t)token, ms_owner_alive(token) ? "alive" : "dead");
    }
}

static int golden_value(const char *name, int leaves, char **leaf)
{
    ms_region r;
    int status = ms_value_open(&r, name, MS_READ_ONLY);
    if (status != MS_OK) {
        return die(r.error, status);
    }
    unsigned char payload[4096];
    size_t size = ms_value_size(&r);
    if (size > sizeof payload) {
        return die("value larger than the peer's buffer", MS_E_TOO_LARGE);
    }
    status = ms_value_read(&r, payload, size);
    if (status != MS_OK) {
        return die(r.error, status);
    }
    printf("kind value\ntype %s\nfingerprint 0x%016llx\nsize %zu\nsequence %llu\n", ms_value_type_name(&r),
           (unsigned long long)r.fingerprint, size, (unsigned long long)ms_snapshot_version(&r));
    print_hex("payload", payload, size);
    for (int i = 0; i < leaves; i++) {
        print_field(payload, size, leaf[i]);
    }
    ms_close(&r);
    return 0;
}

static int golden_string(const char *name)
{
    ms_region r;
    int status = ms_string_open(&r, name, MS_READ_ONLY);
    if (status != MS_OK) {
        return die(r.error, status);
    }
    size_t capacity = ms_string_capacity(&r), length = 0;
    char *text = (char *)malloc(capacity + 1);
    status = ms_string_get(&r, text, capacity + 1, &length);
    if (status != MS_OK) {
        return die(r.error, status);
    }
    printf("kind string\ncapacity %zu\nsequence %llu\nlength %zu\n", capacity, (unsigned long long)ms_snapshot_version(&r), length);
    print_hex("text", (const unsigned char *)text, length);
    free(text);
    ms_close(&r);
    return 0;
}

static int golden_lock(const char *name)
{
    ms_region r;
    int status = ms_lock_open(&r, name, MS_READ_ONLY);
    if (status != MS_OK) {
        return die(r.error, status);
    }
    printf("kind lock\n");
    print_holder("owner", ms_lock_owner(&r));
    printf("recoveries %llu\n", (unsigned long long)ms_lock_recoveries(&r));
    ms_close(&r);
    return 0;
}

static int golden_channel(const char *name)
{
    ms_channel ch;
    int status = ms_channel_open_reader(&ch, name, MS_READ_WRITE);
    if (status != MS_OK) {
        return die(ch.region.error, status);
    }
    const unsigned char *b = ch.region.base;
    int64_t tail = *MS__I64(b, MS__CH_WPOSITION), messages = *MS__I64(b, MS__CH_MESSAGES);
    printf("kind channel\ncapacity %u\nmode %d\nmessages %lld\nwriter-position %lld\nreader-0-position %lld\n", ch.capacity, ch.mode,
           (long long)messages, (long long)tail, (long long)ch.position);
    print_holder("writer", *MS__U64(b, MS__CH_WRITERLOCK));
    unsigned char *buf = (unsigned char *)malloc((size_t)ch.max_message);
    size_t length;
    while ((status = ms_channel_try_recv(&ch, buf, (size_t)ch.max_message, &length)) == MS_OK) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "message %zu", length);
        print_hex(prefix, buf, length);
    }
    free(buf);
    if (status != MS_E_EMPTY && status != MS_E_COMPLETED) {
        return die(ch.region.error, status);
    }
    /* A record header at the writer position without its tag, carrying the next sequence number: a writer died mid-record. */
    const unsigned char *rec = ch.data + (tail & (int64_t)(ch.capacity - 1));
    int32_t pending = *MS__I32(rec, 0);
    uint32_t sequence = *MS__U32(rec, 4);
    if (*MS__U64(rec, 8) != ((uint64_t)tail ^ ch.salt) && sequence == (uint32_t)messages && pending >= 0 && pending <= ch.max_message) {
        printf("uncommitted %lld length %d sequence %u\n", (long long)tail, (int)pending, (unsigned)sequence);
    } else {
        printf("uncommitted none\n");
    }
    ms_channel_close(&ch);
    return 0;
}

static int golden(const char *name, const char *kind, int leaves, char **leaf)
{
    if (strcmp(kind, "value") == 0) {
        return golden_value(name, leaves, leaf);
    }
    if (strcmp(kind, "string") == 0) {
        return golden_string(name);
    }
    if (strcmp(kind, "lock") == 0) {
        return golden_lock(name);
    }
    if (strcmp(kind, "channel") == 0) {
        return golden_channel(name);
    }
    fprintf(stderr, "unknown golden kind '%s'\n", kind);
    return 2;
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
    if (strcmp(mode, "golden") == 0) {
        return golden(name, argv[3], argc - 4, argv + 4);
    }
    fprintf(stderr, "unknown mode '%s'\n", mode);
    return 2;
}
