/*
 * memshare.h - a header-only C99 peer for Memshare regions on Linux.
 *
 * Opens regions that Memshare (.NET) created in /dev/shm and speaks their protocols exactly as
 * docs/format.md describes them: raw regions, string slots and values (double-buffered seqlock with a
 * robust writer lock), and single-producer channels (tag-committed records, futex wake-ups).
 *
 * Include this header before any system header, or compile with -D_GNU_SOURCE: it needs flock, syscall
 * and clock_gettime, which strict -std=c99 hides otherwise. Every function returns 0 or a negative
 * MS_E_* status and leaves a message in the object's `error` field that names the region and says what
 * to do. See README.md next to this file for the API and its guarantees.
 */
#ifndef MEMSHARE_H
#define MEMSHARE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes ---------------------------------------------------------------------------- */
#define MS_OK 0
#define MS_E_INVALID (-1)     /* bad argument: name, size, writing a read-only region */
#define MS_E_NOT_FOUND (-2)   /* no region has this name */
#define MS_E_ACCESS (-3)      /* permission denied, symlink, another user's region */
#define MS_E_WRONG_KIND (-4)  /* a Memshare region of another kind */
#define MS_E_FORMAT (-5)      /* not a Memshare region, truncated, or a corrupt field */
#define MS_E_VERSION (-6)     /* a layout version this header does not know */
#define MS_E_TOO_LARGE (-7)   /* text/message over capacity, or the caller's buffer is too small */
#define MS_E_TIMEOUT (-8)     /* a wait ran out of time */
#define MS_E_BUSY (-9)        /* a channel role is held by a live process */
#define MS_E_IO (-10)         /* any other OS failure */
#define MS_E_FULL (-11)       /* try_send: no room now */
#define MS_E_EMPTY (-12)      /* try_recv: no message now */
#define MS_E_COMPLETED (-13)  /* recv: the writer completed the channel and it is drained */
#define MS_E_UNSUPPORTED (-14) /* a channel mode this header does not write */

/* ---- layout constants (docs/format.md) ------------------------------------------------------- */
#define MS_MAGIC 0x45524148534D454DULL /* "MEMSHARE" as a little-endian u64 */
#define MS_VERSION 1
#define MS_KIND_RAW 0 /* not a header kind: "no header expected" */
#define MS_KIND_VALUE 1
#define MS_KIND_STRING 2
#define MS_KIND_CHANNEL 3
#define MS_KIND_LOCK 4
#define MS_KIND_EVENT 5

#define MS_NAME_MAX 200
#define MS_ERROR_MAX 512
#define MS_READ_WRITE 0
#define MS_READ_ONLY 1
#define MS_ALLOW_OTHER_OWNER 2 /* open a region another uid owns (Memshare's AllowOtherOwner) */

#define MS__HDR_SIZE 64
#define MS__SNAP_SEQUENCE 64
#define MS__SNAP_LOCK 72
#define MS__SNAP_RECOVERIES 80
#define MS__SNAP_END 128
#define MS__STRING_MAX_CAPACITY (64 * 1024 * 1024)
#define MS__VALUE_TYPENAME 128
#define MS__VALUE_HEADER 192

#define MS__LOCK_OWNER 64
#define MS__LOCK_RECOVERIES 80
#define MS__LOCK_END 128

#define MS__CH_MODE 64
#define MS__CH_MAXREADERS 68
#define MS__CH_OVERFLOW 72
#define MS__CH_MAXMESSAGE 76
#define MS__CH_WPOSITION 256
#define MS__CH_MESSAGES 264
#define MS__CH_LATEST 272
#define MS__CH_COMPLETED 288
#define MS__CH_WRITERLOCK 384
#define MS__CH_WRITERRECOVERIES 392
#define MS__CH_DATASEQ 512
#define MS__CH_DATAWAITERS 516
#define MS__CH_SPACESEQ 640
#define MS__CH_SPACEWAITERS 644
#define MS__CH_READERS 768
#define MS__CH_READER_STRIDE 128
#define MS__REC_HEADER 16
#define MS__REC_PADDING (-1)

typedef struct ms_region {
    char name[MS_NAME_MAX + 1];
    char path[MS_NAME_MAX + 16];
    int fd;
    int read_only;
    unsigned char *base;    /* the mapping; raw regions: the bytes, valid until ms_close */
    size_t size;            /* bytes mapped (the file's size at open) */
    int kind;               /* MS_KIND_* checked at open */
    int scoped;             /* sticky bit: freed with its last holder (see ms_close) */
    dev_t dev;
    ino_t ino;
    /* Header fields, read once at open and checked (formatted regions only). */
    uint32_t header_size;
    uint32_t payload_size;  /* value: sizeof(T); string: capacity; channel: ring capacity */
    uint32_t slot_stride;
    uint64_t fingerprint;
    char type_name[65];     /* value: the .NET type name the creator stored */
    int lock_timeout_ms;    /* writer-lock wait for set/write; -1 (default) waits as long as it takes */
    char error[MS_ERROR_MAX];
} ms_region;

/* ---- small helpers ---------------------------------------------------------------------------- */

#if defined(__GNUC__)
#define MS__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MS__PRINTF(f, a)
#endif

static inline int ms__fail(char *error, int status, const char *format, ...) MS__PRINTF(3, 4);
static inline int ms__fail(char *error, int status, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(error, MS_ERROR_MAX, format, args);
    va_end(args);
    return status;
}

#define MS__U64(base, off) ((uint64_t *)(void *)((base) + (off)))
#define MS__I64(base, off) ((int64_t *)(void *)((base) + (off)))
#define MS__U32(base, off) ((uint32_t *)(void *)((base) + (off)))
#define MS__I32(base, off) ((int32_t *)(void *)((base) + (off)))
#define MS__U16(base, off) ((uint16_t *)(void *)((base) + (off)))

static inline void ms__pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static inline int64_t ms__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline int64_t ms__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void ms__sleep_ms(int ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* Non-private futex calls: the words live in a MAP_SHARED mapping seen by other processes. */
static inline void ms__futex_wait(uint32_t *word, uint32_t expected, int timeout_ms)
{
    struct timespec ts;
    ts.tv_sec = timeout_ms / 1000;
    ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
    (void)syscall(SYS_futex, word, FUTEX_WAIT, expected, &ts, NULL, 0);
}

static inline void ms__futex_wake(uint32_t *word, int count)
{
    (void)syscall(SYS_futex, word, FUTEX_WAKE, count, NULL, NULL, 0);
}

/* A channel waiter's pause between looks, once it has announced itself in the sleeper count: after a look that
 * started within 20 us of the announcement (look_ns), only a yield of the CPU; after later looks a futex sleep of
 * at most 100 ms (a waker killed before its wake-up strands nobody for long), or the wait's time left (-1: none). The .NET channel publishes with a release store and reads the count
 * without a full fence, so a publish racing the announcement may miss it while its store is still in its CPU's
 * store buffer; such a store is visible well within 20 us, and the looks until then find it
 * (src/Memshare/Sync/SpinThenSleep.cs, RaceWindowMicroseconds). */
static inline void ms__wait_turn(uint32_t *seq, uint32_t observed, int64_t announced_ns, int64_t look_ns, int64_t remaining_ms)
{
    if (look_ns - announced_ns < 20000) { /* the look that just failed started inside the window */
        sched_yield(); /* not a pause: a peer we just woke may be on this CPU, waiting for it */
        return;
    }
    ms__futex_wait(seq, observed, remaining_ms < 0 || remaining_ms > 100 ? 100 : (int)remaining_ms);
}

/* ---- owner tokens (src/Memshare/Sync/OwnerToken.cs) ------------------------------------------- */

/*
 * Field 22 of /proc/PID/stat (start time in clock ticks since boot) as a stamp with the low bit set, so it
 * is never 0; 0 means "no such live process" (missing, zombie, or unreadable).
 */
static inline uint32_t ms__start_stamp(int pid)
{
    char path[64], text[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) {
        return 0;
    }
    text[n] = '\0';
    /* The command name (field 2) may hold spaces and ')'; the fields we want follow the last ')'. */
    char *close_paren = strrchr(text, ')');
    if (close_paren == NULL || close_paren[1] != ' ') {
        return 0;
    }
    char *field = close_paren + 2;
    if (*field == 'Z' || *field == 'X' || *field == 'x') {
        return 0; /* a zombie never releases anything */
    }
    for (int i = 0; i < 19; i++) { /* state is field 3; start time is field 22 */
        field = strchr(field, ' ');
        if (field == NULL) {
            return 0;
        }
        field++;
    }
    uint64_t ticks = 0;
    int digits = 0;
    for (; *field >= '0' && *field <= '9'; field++, digits++) {
        ticks = ticks * 10 + (uint64_t)(*field - '0');
    }
    if (digits == 0 || (*field != ' ' && *field != '\n' && *field != '\0')) {
        return 0;
    }
    return (uint32_t)ticks | 1u;
}

/* This process's token: pid in the low 32 bits, start stamp in the high 32 (1 if /proc is unreadable). */
static inline uint64_t ms_owner_token(void)
{
    static int cached_pid;
    static uint64_t cached;
    int pid = (int)getpid();
    if (pid != cached_pid) { /* recomputed after fork */
        uint32_t stamp = ms__start_stamp(pid);
        cached = ((uint64_t)(stamp != 0 ? stamp : 1u) << 32) | (uint32_t)pid;
        cached_pid = pid;
    }
    return cached;
}

/* Whether the process that wrote `token` still runs. Slow: reads /proc. */
static inline int ms_owner_alive(uint64_t token)
{
    int pid = (int)(uint32_t)token;
    if (pid == (int)getpid()) {
        return token == ms_owner_token();
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (access(path, F_OK) != 0 && kill(pid, 0) != 0 && errno == EPERM) {
        /* /proc hides this process (hidepid): it exists but its start time cannot be checked. Assume alive:
           stealing a live owner's lock would be far worse than waiting. */
        return 1;
    }
    uint32_t stamp = ms__start_stamp(pid);
    return stamp != 0 && stamp == (uint32_t)(token >> 32);
}

/* ---- names and opening ------------------------------------------------------------------------ */

/* Memshare's portable naming rule (src/Memshare/RegionName.cs). 0 if valid, else MS_E_INVALID with a message. */
static inline int ms_validate_name(const char *name, char *error)
{
    if (name == NULL || name[0] == '\0') {
        return ms__fail(error, MS_E_INVALID, "Region name is empty; names use 1 or more of letters, digits, '.', '_' and '-'.");
    }
    size_t length = strlen(name);
    if (length > MS_NAME_MAX) {
        return ms__fail(error, MS_E_INVALID, "Region name '%.37s...' has %zu characters; the maximum is %d. Use a shorter name.",
                        name, length, MS_NAME_MAX);
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        return ms__fail(error, MS_E_INVALID, "Region name '%s' is not allowed; names may not be '.' or '..'.", name);
    }
    for (const char *p = name; *p != '\0'; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) {
            if ((unsigned char)c < 0x20 || c == 0x7f) {
                return ms__fail(error, MS_E_INVALID, "Region name contains the control character 0x%02X; names may use letters, digits, '.', '_' and '-'.",
                                (unsigned)(unsigned char)c);
            }
            return ms__fail(error, MS_E_INVALID, "Region name '%s' contains '%c'; names may use letters, digits, '.', '_' and '-'.", name, c);
        }
    }
    return MS_OK;
}

static inline int ms__errno_status(ms_region *r, int err, const char *operation)
{
    if (err == EACCES || err == EPERM) {
        return ms__fail(r->error, MS_E_ACCESS, "Access to region '%s' was denied (%s). Ask its owner to create it with wider permissions, or run as that user.",
                        r->name, strerror(err));
    }
    return ms__fail(r->error, MS_E_IO, "Could not %s region '%s': %s (error %d).", operation, r->name, strerror(err), err);
}

/* Whether the name still leads to the inode we hold (lstat: a symlink planted meanwhile is not it). */
static inline int ms__same_file(const ms_region *r)
{
    struct stat now;
    return lstat(r->path, &now) == 0 && now.st_ino == r->ino && now.st_dev == r->dev;
}

/* Takes the shared holder lock; an exclusive holder only unlinks and closes, so waiting is short. */
static inline int ms__lock_shared(ms_region *r)
{
    int64_t start = ms__now_ms();
    for (int spins = 0;; spins++) {
        if (flock(r->fd, LOCK_SH | LOCK_NB) == 0) {
            return MS_OK;
        }
        if (errno != EINTR && errno != EWOULDBLOCK) {
            return ms__errno_status(r, errno, "lock");
        }
        if (ms__now_ms() - start > 10000) {
            return ms__fail(r->error, MS_E_BUSY, "Region '%s' stayed locked by a process that is removing it for 10 s; try again, or check for a stopped process holding it.",
                            r->name);
        }
        if (spins < 16) {
            sched_yield();
        } else {
            ms__sleep_ms(1);
        }
    }
}

/* One attempt to open the file at the name. 1 means "the name changed under us: try again". */
static inline int ms__open_once(ms_region *r, int flags)
{
    int read_only = (flags & MS_READ_ONLY) != 0;
    r->fd = open(r->path, (read_only ? O_RDONLY : O_RDWR) | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (r->fd < 0) {
        int err = errno;
        if (err == ENOENT) {
            return ms__fail(r->error, MS_E_NOT_FOUND,
                            "Region '%s' does not exist. Create it first (SharedMemory.CreateNew / CreateOrOpen, or 'memshare create'), or check the name.", r->name);
        }
        if (err == ELOOP) {
            return ms__fail(r->error, MS_E_ACCESS, "Region '%s' is a symbolic link; refusing to follow it. Remove '%s' if it does not belong to you.", r->name, r->path);
        }
        if (err == ENXIO || err == EISDIR) {
            return ms__fail(r->error, MS_E_IO, "Region '%s' is not a regular file; refusing to open it. Remove '%s' if it does not belong to you.", r->name, r->path);
        }
        return ms__errno_status(r, err, "open");
    }
    struct stat st;
    if (fstat(r->fd, &st) != 0) {
        return ms__errno_status(r, errno, "inspect");
    }
    if (!S_ISREG(st.st_mode)) {
        return ms__fail(r->error, MS_E_IO, "Region '%s' is not a regular file; refusing to open it. Remove '%s' if it does not belong to you.", r->name, r->path);
    }
    if (st.st_uid != geteuid() && (flags & MS_ALLOW_OTHER_OWNER) == 0) {
        return ms__fail(r->error, MS_E_ACCESS, "Region '%s' is owned by uid %u, not by you (uid %u); refusing to open it. Pass MS_ALLOW_OTHER_OWNER if you trust that user.",
                        r->name, (unsigned)st.st_uid, (unsigned)geteuid());
    }
    r->dev = st.st_dev;
    r->ino = st.st_ino;
    r->scoped = (st.st_mode & S_ISVTX) != 0;
    if (r->scoped && flock(r->fd, LOCK_EX | LOCK_NB) == 0) {
        /* Nobody holds this scoped region: every holder died. Remove it as Memshare does, and report absence. */
        if (ms__same_file(r)) {
            (void)unlink(r->path);
        }
        return ms__fail(r->error, MS_E_NOT_FOUND,
                        "Region '%s' does not exist (a stale one whose holders all died was removed). Create it first, or check the name.", r->name);
    }
    int status = ms__lock_shared(r);
    if (status != MS_OK) {
        return status;
    }
    if (fstat(r->fd, &st) != 0) {
        return ms__errno_status(r, errno, "inspect");
    }
    if (st.st_nlink == 0 || !ms__same_file(r)) {
        return 1; /* removed (perhaps recreated) between our open and our lock */
    }
    if (st.st_size == 0) {
        return ms__fail(r->error, MS_E_FORMAT, "Region '%s' is empty (0 bytes): it was truncated, or another program created it without a size. Remove it ('memshare rm %s') and recreate it.",
                        r->name, r->name);
    }
    r->size = (size_t)st.st_size;
    void *p = mmap(NULL, r->size, read_only ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
    if (p == MAP_FAILED) {
        return ms__errno_status(r, errno, "map");
    }
    r->base = (unsigned char *)p;
    return MS_OK;
}

static inline const char *ms_kind_name(int kind)
{
    switch (kind) {
    case MS_KIND_VALUE: return "SharedValue";
    case MS_KIND_STRING: return "SharedString";
    case MS_KIND_CHANNEL: return "channel";
    case MS_KIND_LOCK: return "lock";
    case MS_KIND_EVENT: return "event";
    default: return "region of unknown kind";
    }
}

/* Checks the common header and the kind-specific sizes; caches the fields it checked. */
static inline int ms__validate_header(ms_region *r, int kind)
{
    const char *want = ms_kind_name(kind);
    if (r->size < MS__HDR_SIZE) {
        return ms__fail(r->error, MS_E_FORMAT, "Region '%s' has %zu bytes, too few for a Memshare %s header; it is a raw region or belongs to another program.",
                        r->name, r->size, want);
    }
    const unsigned char *b = r->base;
    uint64_t magic = *MS__U64(b, 0);
    uint16_t version = *MS__U16(b, 8);
    uint16_t stored_kind = *MS__U16(b, 10);
    int64_t total = *MS__I64(b, 16);
    if (magic != MS_MAGIC) {
        return ms__fail(r->error, MS_E_FORMAT, "Region '%s' is not a Memshare %s: its header magic is 0x%016llX, expected 0x%016llX. It is a raw region or belongs to another program; open it with ms_open_raw instead.",
                        r->name, want, (unsigned long long)magic, (unsigned long long)MS_MAGIC);
    }
    if (version != MS_VERSION) {
        return ms__fail(r->error, MS_E_VERSION, "Region '%s' uses layout version %u, but this memshare.h reads version %d. Use the same Memshare layout version in every process.",
                        r->name, (unsigned)version, MS_VERSION);
    }
    if (stored_kind != kind) {
        if (stored_kind >= MS_KIND_VALUE && stored_kind <= MS_KIND_EVENT) {
            return ms__fail(r->error, MS_E_WRONG_KIND, "Region '%s' holds a Memshare %s, not the %s it was opened as. Open it with the matching type.",
                            r->name, ms_kind_name(stored_kind), want);
        }
        return ms__fail(r->error, MS_E_WRONG_KIND, "Region '%s' holds a Memshare region of unknown kind %u, not the %s it was opened as. Open it with the matching type.",
                        r->name, (unsigned)stored_kind, want);
    }
    if (total < 0 || (uint64_t)total > r->size) {
        return ms__fail(r->error, MS_E_FORMAT, "Region '%s' is damaged: its backing file has %zu bytes but its header says %lld. A process probably truncated it; remove it ('memshare rm %s') and recreate it.",
                        r->name, r->size, (long long)total, r->name);
    }
    r->header_size = *MS__U32(b, 12);
    r->fingerprint = *MS__U64(b, 24);
    r->payload_size = *MS__U32(b, 32);
    r->slot_stride = *MS__U32(b, 36);
    if (r->header_size < MS__HDR_SIZE || r->header_size > (uint64_t)total) {
        return ms__fail(r->error, MS_E_FORMAT, "Region '%s' has a corrupt header: header size %u does not fit total size %lld. Remove it ('memshare rm %s') and recreate it.",
                        r->name, r->header_size, (long long)total, r->name);
    }
    if (kind == MS_KIND_VALUE || kind == MS_KIND_STRING) {
        uint64_t needed = (uint64_t)r->header_size + 2ull * r->slot_stride;
        uint32_t expected_header = kind == MS_KIND_STRING ? MS__SNAP_END : MS__VALUE_HEADER;
        uint64_t min_stride = kind == MS_KIND_STRING ? 4ull + r->payload_size : r->payload_size;
        int bad = r->header_size != expected_header || r->slot_stride == 0 || r->slot_stride % 64 != 0 || needed > (uint64_t)total
                  || r->payload_size == 0 || r->slot_stride != ((min_stride + 63) & ~63ull)
                  || (kind == MS_KIND_STRING && r->payload_size > MS__STRING_MAX_CAPACITY);
        if (bad) {
            return ms__fail(r->error, MS_E_FORMAT, "Region '%s' has a corrupt header: payload %u, header size %u and slot stride %u do not fit total size %lld. Remove it ('memshare rm %s') and recreate it.",
                            r->name, r->payload_size, r->header_size, r->slot_stride, (long long)total, r->name);
        }
    }
    if (kind == MS_KIND_VALUE) {
        memcpy(r->type_name, b + MS__VALUE_TYPENAME, 64);
        r->type_name[64] = '\0';
    }
    return MS_OK;
}

/* Closes the region. A scoped region (sticky bit) whose last holder this is gets unlinked, exactly as Memshare does. */
static inline void ms_close(ms_region *r)
{
    if (r->base != NULL) {
        munmap(r->base, r->size);
        r->base = NULL;
    }
    if (r->fd >= 0) {
        /* Last holder of a scoped region: no other description holds a flock. While we hold the exclusive lock
           no Memshare process can remove or replace the name, so the inode check still holds at unlink. */
        if (r->scoped && flock(r->fd, LOCK_EX | LOCK_NB) == 0 && ms__same_file(r)) {
            (void)unlink(r->path);
        }
        close(r->fd);
        r->fd = -1;
    }
}

/*
 * Opens region `name` (flags: MS_READ_WRITE or MS_READ_ONLY, optionally | MS_ALLOW_OTHER_OWNER) and checks it
 * holds `kind` (MS_KIND_RAW: any bytes, no header expected). On failure the region is closed and r->error says why.
 */
static inline int ms_open(ms_region *r, const char *name, int flags, int kind)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    r->lock_timeout_ms = -1;
    r->read_only = (flags & MS_READ_ONLY) != 0;
    int status = ms_validate_name(name, r->error);
    if (status != MS_OK) {
        return status;
    }
    memcpy(r->name, name, strlen(name) + 1);
    snprintf(r->path, sizeof r->path, "/dev/shm/%s", name);
    for (int attempt = 0;; attempt++) {
        status = ms__open_once(r, flags);
        if (status != 1) {
            break;
        }
        r->scoped = 0; /* not ours to remove: the name now leads elsewhere */
        ms_close(r);
        if (attempt > 1000) {
            return ms__fail(r->error, MS_E_BUSY, "Region '%s' kept being removed and recreated while opening it; try again.", r->name);
        }
        sched_yield();
    }
    if (status == MS_OK && kind != MS_KIND_RAW) {
        r->kind = kind;
        status = ms__validate_header(r, kind);
    }
    if (status != MS_OK) {
        int scoped = r->scoped && r->base != NULL; /* only a holder that locked it may act as last holder */
        r->scoped = scoped;
        ms_close(r);
    }
    return status;
}

static inline int ms_open_raw(ms_region *r, const char *name, int flags) { return ms_open(r, name, flags, MS_KIND_RAW); }

/* ---- seqlock snapshot (values and strings; src/Memshare/Sync/Snapshot.cs) --------------------- */

static inline unsigned char *ms__slot(const ms_region *r, uint64_t sequence)
{
    return r->base + r->header_size + (size_t)(sequence & 1) * r->slot_stride;
}

/* Takes the robust writer lock (src/Memshare/Sync/RobustLock.cs); 1 if taken over from a dead owner. */
static inline int ms__robust_acquire(ms_region *r, uint64_t *word, int timeout_ms, int *recovered)
{
    uint64_t me = ms_owner_token();
    uint64_t expected = 0;
    *recovered = 0;
    if (__atomic_compare_exchange_n(word, &expected, me, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        return MS_OK;
    }
    const int spins_before_check = 64;
    int64_t start = ms__now_ms();
    for (int round = 0;; round++) {
        uint64_t owner = __atomic_load_n(word, __ATOMIC_ACQUIRE);
        if (owner == 0) {
            expected = 0;
            if (__atomic_compare_exchange_n(word, &expected, me, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
                return MS_OK;
            }
            continue;
        }
        if (round >= spins_before_check && round % spins_before_check == 0 && !ms_owner_alive(owner)) {
            /* The owner died holding the lock; whatever it was writing was never published. */
            expected = owner;
            if (__atomic_compare_exchange_n(word, &expected, me, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
                *recovered = 1;
                return MS_OK;
            }
            continue;
        }
        if (timeout_ms >= 0 && ms__now_ms() - start > timeout_ms) {
            return ms__fail(r->error, MS_E_TIMEOUT, "Timed out after %d ms waiting for the writer lock of '%s', held by process %d.",
                            timeout_ms, r->name, (int)(uint32_t)owner);
        }
        if (round < spins_before_check) {
            ms__pause();
        } else if (round < 4 * spins_before_check) {
            sched_yield();
        } else {
            ms__sleep_ms(1);
        }
    }
}

/* Locks, fills the spare slot via `fill`, publishes it, unlocks. */
static inline int ms__snapshot_write(ms_region *r, const void *data, size_t size, int with_length)
{
    uint64_t *sequence = MS__U64(r->base, MS__SNAP_SEQUENCE);
    uint64_t *lock = MS__U64(r->base, MS__SNAP_LOCK);
    int recovered;
    int status = ms__robust_acquire(r, lock, r->lock_timeout_ms, &recovered);
    if (status != MS_OK) {
        return status;
    }
    if (recovered) {
        __atomic_fetch_add(MS__U64(r->base, MS__SNAP_RECOVERIES), 1, __ATOMIC_SEQ_CST);
    }
    uint64_t s = __atomic_load_n(sequence, __ATOMIC_ACQUIRE);
    unsigned char *spare = ms__slot(r, s + 1);
    if (with_length) {
        int32_t length = (int32_t)size;
        memcpy(spare + 4, data, size);
        memcpy(spare, &length, 4);
    } else {
        memcpy(spare, data, size);
    }
    __atomic_exchange_n(sequence, s + 1, __ATOMIC_SEQ_CST); /* full fence: the slot's bytes become visible first */
    __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
    return MS_OK;
}

/* Completed writes so far (Memshare's Version). */
static inline uint64_t ms_snapshot_version(const ms_region *r) { return __atomic_load_n(MS__U64(r->base, MS__SNAP_SEQUENCE), __ATOMIC_ACQUIRE); }

/* Writers that died holding the lock and were recovered from. */
static inline uint64_t ms_snapshot_recoveries(const ms_region *r) { return __atomic_load_n(MS__U64(r->base, MS__SNAP_RECOVERIES), __ATOMIC_ACQUIRE); }

/* ---- string slot (kind 2) --------------------------------------------------------------------- */

static inline int ms_string_open(ms_region *r, const char *name, int flags) { return ms_open(r, name, flags, MS_KIND_STRING); }

/* The most UTF-8 bytes the slot holds. */
static inline size_t ms_string_capacity(const ms_region *r) { return r->payload_size; }

/*
 * Copies the current text (UTF-8, no terminator) into buf and stores its length in *length. Never torn: the
 * copy is exactly one text some writer stored. A buffer of ms_string_capacity bytes always suffices.
 */
static inline int ms_string_get(ms_region *r, char *buf, size_t cap, size_t *length)
{
    *length = 0;
    uint64_t *sequence = MS__U64(r->base, MS__SNAP_SEQUENCE);
    for (unsigned spins = 0;; spins++) {
        uint64_t s1 = __atomic_load_n(sequence, __ATOMIC_ACQUIRE);
        const unsigned char *slot = ms__slot(r, s1);
        int32_t stored;
        memcpy(&stored, slot, 4);
        uint32_t n = (uint32_t)stored;
        int plausible = n <= r->payload_size;
        if (plausible && n <= cap) {
            memcpy(buf, slot + 4, n);
        }
        __atomic_thread_fence(__ATOMIC_SEQ_CST); /* orders the copy before the re-read; pairs with the writer's exchange */
        if (__atomic_load_n(sequence, __ATOMIC_RELAXED) == s1) {
            if (!plausible) {
                return ms__fail(r->error, MS_E_FORMAT, "Region '%s' has a corrupt header: the stored length %d exceeds the capacity %u. Remove it ('memshare rm %s') and recreate it.",
                                r->name, (int)stored, r->payload_size, r->name);
            }
            if (n > cap) {
                return ms__fail(r->error, MS_E_TOO_LARGE, "The buffer holds %zu bytes but string slot '%s' holds a text of %u; pass a buffer of ms_string_capacity (%u) bytes.",
                                cap, r->name, n, r->payload_size);
            }
            *length = n;
            return MS_OK;
        }
        if (spins % 64 == 63) {
            sched_yield();
        } else {
            ms__pause();
        }
    }
}

/* Stores `length` bytes of UTF-8 text. Over-long text is refused and nothing changes. */
static inline int ms_string_set(ms_region *r, const char *text, size_t length)
{
    if (r->read_only) {
        return ms__fail(r->error, MS_E_INVALID, "Region '%s' is open read-only; open it with MS_READ_WRITE to write.", r->name);
    }
    if (length > r->payload_size) {
        return ms__fail(r->error, MS_E_TOO_LARGE, "The string is %zu UTF-8 bytes but string slot '%s' holds at most %u; the slot was not changed. Create the slot with a larger capacity.",
                        length, r->name, r->payload_size);
    }
    return ms__snapshot_write(r, text, length, 1);
}

/* ---- value (kind 1) ----------------------------------------------------------------------------- */

/* Opens a value. The type fingerprint is not checked: agree on the layout by other means (see README.md). */
static inline int ms_value_open(ms_region *r, const char *name, int flags) { return ms_open(r, name, flags, MS_KIND_VALUE); }

/* sizeof(T) of the stored value. */
static inline size_t ms_value_size(const ms_region *r) { return r->payload_size; }

/* The .NET type name the creator stored (for messages only). */
static inline const char *ms_value_type_name(const ms_region *r) { return r->type_name; }

static inline int ms__value_size_check(ms_region *r, size_t size)
{
    if (size != r->payload_size) {
        return ms__fail(r->error, MS_E_INVALID, "Region '%s' holds a SharedValue<%s> of %u bytes but was accessed with %zu bytes. Use a struct of exactly %u bytes with the same layout.",
                        r->name, r->type_name, r->payload_size, size, r->payload_size);
    }
    return MS_OK;
}

/* Copies the current value (never torn) into out; size must equal ms_value_size. */
static inline int ms_value_read(ms_region *r, void *out, size_t size)
{
    int status = ms__value_size_check(r, size);
    if (status != MS_OK) {
        return status;
    }
    uint64_t *sequence = MS__U64(r->base, MS__SNAP_SEQUENCE);
    for (unsigned spins = 0;; spins++) {
        uint64_t s1 = __atomic_load_n(sequence, __ATOMIC_ACQUIRE);
        memcpy(out, ms__slot(r, s1), size);
        __atomic_thread_fence(__ATOMIC_SEQ_CST); /* pairs with the writer's exchange */
        if (__atomic_load_n(sequence, __ATOMIC_RELAXED) == s1) {
            return MS_OK;
        }
        if (spins % 64 == 63) {
            sched_yield();
        } else {
            ms__pause();
        }
    }
}

/* Stores a new value; size must equal ms_value_size. */
static inline int ms_value_write(ms_region *r, const void *in, size_t size)
{
    int status = ms__value_size_check(r, size);
    if (status != MS_OK) {
        return status;
    }
    if (r->read_only) {
        return ms__fail(r->error, MS_E_INVALID, "Region '%s' is open read-only; open it with MS_READ_WRITE to write.", r->name);
    }
    return ms__snapshot_write(r, in, size, 0);
}

/* ---- lock (kind 4; src/Memshare/SharedLock.cs): inspection only ------------------------------- */

/* Opens lock region `name` to look at its state; memshare.h does not take or release Memshare locks. */
static inline int ms_lock_open(ms_region *r, const char *name, int flags)
{
    int status = ms_open(r, name, flags, MS_KIND_LOCK);
    if (status == MS_OK && (r->header_size != MS__LOCK_END || *MS__I64(r->base, 16) != MS__LOCK_END)) {
        status = ms__fail(r->error, MS_E_FORMAT, "Region '%s' has a corrupt header: header size %u and total size %lld do not form a lock (both are %d). Remove it ('memshare rm %s') and recreate it.",
                          r->name, r->header_size, (long long)*MS__I64(r->base, 16), MS__LOCK_END, r->name);
        ms_close(r);
    }
    return status;
}

/* The holder's owner token (pid in the low 32 bits), 0 if the lock is free; ms_owner_alive(token) says whether it still runs. */
static inline uint64_t ms_lock_owner(const ms_region *r) { return __atomic_load_n(MS__U64(r->base, MS__LOCK_OWNER), __ATOMIC_ACQUIRE); }

/* How many times an acquirer took the lock over from a dead owner. */
static inline uint64_t ms_lock_recoveries(const ms_region *r) { return __atomic_load_n(MS__U64(r->base, MS__LOCK_RECOVERIES), __ATOMIC_ACQUIRE); }

/* ---- channel (kind 3; SharedChannelWriter.cs, SharedChannelReader.cs) ------------------------- */

typedef struct ms_channel {
    ms_region region;       /* region.error holds the message of the last failure */
    int role;               /* 0 none, 1 writer, 2 reader 0 */
    int mode;               /* 0 single-producer, 1 multi-producer, 2 broadcast */
    int max_readers;
    uint32_t capacity;      /* ring bytes, a power of two */
    int32_t max_message;    /* capacity / 2 - 16 */
    uint64_t salt;          /* tags are position XOR salt */
    unsigned char *data;    /* the ring */
    int64_t tail;           /* writer: next record position (authoritative while we hold the role) */
    int64_t sequence;       /* writer: next record's sequence number */
    int64_t cached_head;    /* writer: the reader's position, refreshed only when space seems short */
    int64_t position;       /* reader: next record to read; published when a read completes */
    int32_t peeked_size;    /* reader: record size returned by ms_channel_peek, -1 if none */
    int spin_us;            /* how long a blocked send/recv spins before it sleeps (default 50) */
} ms_channel;

static inline int64_t ms__record_size(int32_t length) { return (MS__REC_HEADER + (int64_t)length + 15) & ~(int64_t)15; }

static inline int ms__channel_corrupt(ms_channel *ch, const char *what, long long a, long long b)
{
    char detail[200];
    snprintf(detail, sizeof detail, what, a, b);
    return ms__fail(ch->region.error, MS_E_FORMAT, "Region '%s' has a corrupt header: %s. Remove it ('memshare rm %s') and recreate it.",
                    ch->region.name, detail, ch->region.name);
}

static inline int64_t *ms__reader_position(const ms_channel *ch) { return MS__I64(ch->region.base, MS__CH_READERS); }
static inline uint64_t *ms__reader_owner(const ms_channel *ch) { return MS__U64(ch->region.base, MS__CH_READERS + 8); }

/* Opens the region and checks that its configuration forms a valid channel. */
static inline int ms__channel_open(ms_channel *ch, const char *name, int flags)
{
    memset(ch, 0, sizeof *ch);
    ch->peeked_size = -1;
    ch->spin_us = 50;
    int status = ms_open(&ch->region, name, flags & ~MS_READ_ONLY, MS_KIND_CHANNEL);
    if (status != MS_OK) {
        return status;
    }
    ms_region *r = &ch->region;
    const unsigned char *b = r->base;
    int32_t mode = *MS__I32(b, MS__CH_MODE), readers = *MS__I32(b, MS__CH_MAXREADERS);
    int32_t overflow = *MS__I32(b, MS__CH_OVERFLOW), max_message = *MS__I32(b, MS__CH_MAXMESSAGE);
    uint32_t capacity = r->payload_size;
    int64_t data_offset = readers >= 1 && readers <= 64 ? ((MS__CH_READERS + MS__CH_READER_STRIDE * (int64_t)readers + 4095) & ~(int64_t)4095) : -1;
    int64_t total = *MS__I64(b, 16);
    if (capacity < 4096 || capacity > (1u << 30) || (capacity & (capacity - 1)) != 0 || data_offset < 0 || mode < 0 || mode > 2
        || overflow < 0 || overflow > 1 || max_message != (int32_t)(capacity / 2 - MS__REC_HEADER) || r->header_size != data_offset
        || total != data_offset + (int64_t)capacity) {
        status = ms__fail(r->error, MS_E_FORMAT, "Region '%s' has a corrupt header: capacity %u, mode %d, readers %d and sizes %u/%lld do not form a valid channel. Remove it ('memshare rm %s') and recreate it.",
                          r->name, capacity, (int)mode, (int)readers, r->header_size, (long long)total, r->name);
        ms_close(r);
        return status;
    }
    ch->mode = mode;
    ch->max_readers = readers;
    ch->capacity = capacity;
    ch->max_message = max_message;
    ch->salt = r->fingerprint;
    ch->data = r->base + r->header_size;
    return MS_OK;
}

/* The reader's position, checked against the tail like the .NET writer does. */
static inline int ms__slowest_reader(ms_channel *ch, int64_t *head)
{
    int64_t p = __atomic_load_n(ms__reader_position(ch), __ATOMIC_ACQUIRE);
    if (p > ch->tail || ch->tail - p > (int64_t)ch->capacity) {
        return ms__channel_corrupt(ch, "reader 0 position %lld is outside the ring behind writer position %lld", (long long)p, (long long)ch->tail);
    }
    *head = p;
    return MS_OK;
}

/* Reads the committed tail and moves past records a dead writer committed without publishing the tail. */
static inline int ms__sync_tail(ms_channel *ch)
{
    unsigned char *b = ch->region.base;
    int64_t tail = __atomic_load_n(MS__I64(b, MS__CH_WPOSITION), __ATOMIC_ACQUIRE);
    int64_t sequence = __atomic_load_n(MS__I64(b, MS__CH_MESSAGES), __ATOMIC_ACQUIRE);
    if (tail < 0 || (tail & 15) != 0 || sequence < 0) {
        return ms__channel_corrupt(ch, "writer position %lld or message count %lld is invalid", (long long)tail, (long long)sequence);
    }
    int64_t mask = (int64_t)ch->capacity - 1;
    for (int64_t scanned = 0; scanned < (int64_t)ch->capacity / 16; scanned++) {
        int64_t offset = tail & mask;
        unsigned char *rec = ch->data + offset;
        if (__atomic_load_n(MS__U64(rec, 8), __ATOMIC_ACQUIRE) != ((uint64_t)tail ^ ch->salt)) {
            break;
        }
        int32_t length = *MS__I32(rec, 0);
        if (length == MS__REC_PADDING) {
            tail += (int64_t)ch->capacity - offset;
            continue;
        }
        if (length < 0 || length > ch->max_message || offset + ms__record_size(length) > (int64_t)ch->capacity) {
            return ms__channel_corrupt(ch, "record at position %lld has length %lld", (long long)tail, (long long)length);
        }
        /* The record holds the low 32 bits of its number; the full one is the nearest to the count we have. */
        sequence += (int64_t)(int32_t)(*MS__U32(rec, 4) - (uint32_t)sequence) + 1;
        tail += ms__record_size(length);
    }
    ch->tail = tail;
    ch->sequence = sequence;
    int status = ms__slowest_reader(ch, &ch->cached_head);
    if (status != MS_OK) {
        return status;
    }
    __atomic_store_n(MS__I64(b, MS__CH_MESSAGES), sequence, __ATOMIC_RELEASE);
    __atomic_store_n(MS__I64(b, MS__CH_WPOSITION), tail, __ATOMIC_RELEASE);
    return MS_OK;
}

/*
 * Takes a role word (a channel's writer, a reader index) without waiting: from 0, or from a dead owner.
 * 0 if taken, 1 if taken over from a dead owner, -1 if a live process (or this one) holds it; *owner names it.
 */
static inline int ms__claim_role(uint64_t *word, uint64_t *owner)
{
    uint64_t me = ms_owner_token(), expected = 0;
    if (__atomic_compare_exchange_n(word, &expected, me, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        *owner = me;
        return 0;
    }
    *owner = expected;
    if (expected == me || ms_owner_alive(expected)
        || !__atomic_compare_exchange_n(word, &expected, me, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        return -1;
    }
    return 1;
}

/*
 * Opens channel `name` and takes its writer role (single-producer channels only). A role held by a dead
 * process is taken over (WriterRecoveries counts it); one held by a live process gives MS_E_BUSY.
 */
static inline int ms_channel_open_writer(ms_channel *ch, const char *name, int flags)
{
    int status = ms__channel_open(ch, name, flags);
    if (status != MS_OK) {
        return status;
    }
    ms_region *r = &ch->region;
    if (ch->mode != 0) {
        status = ms__fail(r->error, MS_E_UNSUPPORTED, "Channel '%s' is a %s channel; memshare.h writes only single-producer channels. Create it with ChannelMode.SingleProducer, or write from .NET.",
                          r->name, ch->mode == 1 ? "multi-producer" : "broadcast");
        ms_close(r);
        return status;
    }
    uint64_t *word = MS__U64(r->base, MS__CH_WRITERLOCK);
    uint64_t owner = 0;
    int claimed = ms__claim_role(word, &owner);
    if (claimed < 0) {
        status = ms__fail(r->error, MS_E_BUSY, "Channel '%s' already has a writer (process %d); a single-producer channel allows one at a time. Close it first.",
                          r->name, (int)(uint32_t)owner);
        ms_close(r);
        return status;
    }
    if (claimed == 1) {
        __atomic_fetch_add(MS__U64(r->base, MS__CH_WRITERRECOVERIES), 1, __ATOMIC_SEQ_CST); /* the owner died holding it */
    }
    status = ms__sync_tail(ch);
    if (status != MS_OK) {
        __atomic_store_n(word, 0, __ATOMIC_RELEASE); /* a corrupt channel must not keep the role held by a live process */
        ms_close(r);
        return status;
    }
    /* A writer that attaches reopens a completed channel. */
    __atomic_store_n(MS__I32(r->base, MS__CH_COMPLETED), 0, __ATOMIC_RELEASE);
    ch->role = 1;
    return MS_OK;
}

static inline void ms__wake(unsigned char *base, int seq_offset, int waiters_offset, int all)
{
    uint32_t *seq = MS__U32(base, seq_offset);
    __atomic_fetch_add(seq, 1, __ATOMIC_SEQ_CST);
    int waiters = (int)__atomic_load_n(MS__U32(base, waiters_offset), __ATOMIC_ACQUIRE);
    ms__futex_wake(seq, all ? (waiters > 1 ? waiters : 1) : 1);
}

/* Copies a message into the ring; MS_E_FULL if there is no room now, MS_E_TOO_LARGE (nothing written) if over max_message. */
static inline int ms_channel_try_send(ms_channel *ch, const void *message, size_t length)
{
    ms_region *r = &ch->region;
    if (ch->role != 1) {
        return ms__fail(r->error, MS_E_INVALID, "Channel '%s' was not opened with ms_channel_open_writer; open it as the writer to send.", r->name);
    }
    if (length > (size_t)ch->max_message) {
        return ms__fail(r->error, MS_E_TOO_LARGE, "A message of %zu bytes is larger than channel '%s' accepts (%d bytes, half its capacity less a 16-byte header); nothing was written. Split the message or create the channel with a larger capacity.",
                        length, r->name, (int)ch->max_message);
    }
    int64_t capacity = ch->capacity, size = ms__record_size((int32_t)length);
    int64_t offset = ch->tail & (capacity - 1);
    int64_t padding = capacity - offset < size ? capacity - offset : 0;
    int64_t end = ch->tail + padding + size;
    if (end - ch->cached_head > capacity) {
        int status = ms__slowest_reader(ch, &ch->cached_head);
        if (status != MS_OK) {
            return status;
        }
        if (end - ch->cached_head > capacity) {
            return MS_E_FULL;
        }
    }
    if (padding > 0) {
        unsigned char *pad = ch->data + offset;
        *MS__I32(pad, 0) = MS__REC_PADDING;
        *MS__U32(pad, 4) = (uint32_t)ch->sequence;
        __atomic_store_n(MS__U64(pad, 8), (uint64_t)ch->tail ^ ch->salt, __ATOMIC_RELEASE);
        ch->tail += padding;
        offset = 0;
    }
    int64_t position = ch->tail;
    unsigned char *rec = ch->data + offset;
    *MS__I32(rec, 0) = (int32_t)length;
    *MS__U32(rec, 4) = (uint32_t)ch->sequence;
    if (length > 0) {
        memcpy(rec + MS__REC_HEADER, message, length);
    }
    __atomic_store_n(MS__U64(rec, 8), (uint64_t)position ^ ch->salt, __ATOMIC_RELEASE); /* the commit: pairs with the reader's tag load */
    ch->tail = position + size;
    ch->sequence++;
    unsigned char *b = r->base;
    __atomic_store_n(MS__I64(b, MS__CH_MESSAGES), ch->sequence, __ATOMIC_RELAXED);
    __atomic_store_n(MS__I64(b, MS__CH_LATEST), position, __ATOMIC_RELAXED);
    __atomic_exchange_n(MS__I64(b, MS__CH_WPOSITION), ch->tail, __ATOMIC_SEQ_CST); /* full fence before looking for sleepers */
    if (__atomic_load_n(MS__U32(b, MS__CH_DATAWAITERS), __ATOMIC_SEQ_CST) != 0) {
        ms__wake(b, MS__CH_DATASEQ, MS__CH_DATAWAITERS, 0);
    }
    return MS_OK;
}

static inline int ms__has_space(ms_channel *ch, size_t length, int *status)
{
    *status = ms__slowest_reader(ch, &ch->cached_head);
    if (*status != MS_OK) {
        return 1; /* stop waiting: the caller reports the status */
    }
    int64_t capacity = ch->capacity, size = ms__record_size((int32_t)length);
    int64_t offset = ch->tail & (capacity - 1);
    int64_t padding = capacity - offset < size ? capacity - offset : 0;
    return ch->tail + padding + size - ch->cached_head <= capacity;
}

/* Spins up to spin_us, then sleeps on SpaceSeq; 1 if there may be room, 0 on timeout. */
static inline int ms__wait_for_space(ms_channel *ch, size_t length, int64_t timeout_ms, int *status)
{
    int64_t start = ms__now_ns(), spin_ns = (int64_t)ch->spin_us * 1000;
    for (int i = 0; spin_ns > 0 && ((i & 31) != 31 || ms__now_ns() - start < spin_ns); i++) {
        if (ms__has_space(ch, length, status)) {
            return 1;
        }
        if ((i & 31) == 31) {
            sched_yield(); /* let a peer the kernel woke onto this CPU run */
        } else {
            ms__pause();
        }
    }
    unsigned char *b = ch->region.base;
    uint32_t *seq = MS__U32(b, MS__CH_SPACESEQ), *waiters = MS__U32(b, MS__CH_SPACEWAITERS);
    __atomic_fetch_add(waiters, 1, __ATOMIC_SEQ_CST); /* once per wait, a full fence: see ms__wait_turn */
    int64_t announced = ms__now_ns();
    int result = -1;
    while (result < 0) {
        int64_t look = ms__now_ns();
        uint32_t s = __atomic_load_n(seq, __ATOMIC_ACQUIRE); /* before the check: a wake after it moves the word */
        if (ms__has_space(ch, length, status)) {
            result = 1;
        } else {
            int64_t remaining = timeout_ms < 0 ? -1 : timeout_ms - (ms__now_ns() - start) / 1000000;
            if (timeout_ms >= 0 && remaining <= 0) {
                result = 0;
            } else {
                ms__wait_turn(seq, s, announced, look, remaining);
            }
        }
    }
    __atomic_fetch_sub(waiters, 1, __ATOMIC_SEQ_CST);
    return result;
}

/* Sends, waiting for room up to timeout_ms (-1: as long as it takes); MS_E_TIMEOUT if none came. */
static inline int ms_channel_send(ms_channel *ch, const void *message, size_t length, int timeout_ms)
{
    int status = ms_channel_try_send(ch, message, length);
    int64_t start = ms__now_ms();
    while (status == MS_E_FULL) {
        int64_t remaining = timeout_ms < 0 ? -1 : timeout_ms - (ms__now_ms() - start);
        if (timeout_ms >= 0 && remaining <= 0) {
            break;
        }
        int wait_status = MS_OK;
        int room = ms__wait_for_space(ch, length, remaining, &wait_status);
        if (wait_status != MS_OK) {
            return wait_status;
        }
        if (!room) {
            break;
        }
        status = ms_channel_try_send(ch, message, length);
    }
    if (status == MS_E_FULL) {
        return ms__fail(ch->region.error, MS_E_TIMEOUT, "Timed out after %d ms waiting for room in channel '%s'; its reader is not keeping up (or not running).",
                        timeout_ms, ch->region.name);
    }
    return status;
}

/* Marks the channel complete: once the reader has drained it, recv returns MS_E_COMPLETED. */
static inline int ms_channel_complete(ms_channel *ch)
{
    if (ch->role != 1) {
        return ms__fail(ch->region.error, MS_E_INVALID, "Channel '%s' was not opened with ms_channel_open_writer; only the writer completes it.", ch->region.name);
    }
    __atomic_exchange_n(MS__I32(ch->region.base, MS__CH_COMPLETED), 1, __ATOMIC_SEQ_CST);
    ms__wake(ch->region.base, MS__CH_DATASEQ, MS__CH_DATAWAITERS, 1);
    return MS_OK;
}

/* How far committed records reach from `position` (a writer may have died before publishing its tail). */
static inline int64_t ms__committed_end(const ms_channel *ch, int64_t position)
{
    int64_t capacity = ch->capacity;
    for (int64_t scanned = 0; scanned < capacity;) {
        int64_t offset = position & (capacity - 1);
        const unsigned char *rec = ch->data + offset;
        if (__atomic_load_n(MS__U64(rec, 8), __ATOMIC_ACQUIRE) != ((uint64_t)position ^ ch->salt)) {
            break;
        }
        int32_t length = *MS__I32(rec, 0);
        int64_t size = length == MS__REC_PADDING ? capacity - offset : ms__record_size(length);
        if (length != MS__REC_PADDING && (length < 0 || length > ch->max_message || offset + size > capacity)) {
            break;
        }
        position += size;
        scanned += size;
    }
    return position;
}

/*
 * Opens channel `name` as reader 0 (single- or multi-producer channels). A reader index held by a dead
 * process is taken over; one held by a live process gives MS_E_BUSY. Reading resumes at the stored position.
 */
static inline int ms_channel_open_reader(ms_channel *ch, const char *name, int flags)
{
    int status = ms__channel_open(ch, name, flags);
    if (status != MS_OK) {
        return status;
    }
    ms_region *r = &ch->region;
    if (ch->mode == 2) {
        status = ms__fail(r->error, MS_E_UNSUPPORTED, "Channel '%s' is a broadcast channel; memshare.h reads only single- and multi-producer channels. Read it from .NET.", r->name);
        ms_close(r);
        return status;
    }
    uint64_t *owner_word = ms__reader_owner(ch);
    uint64_t me = ms_owner_token(), owner = 0;
    if (ms__claim_role(owner_word, &owner) < 0) {
        status = ms__fail(r->error, MS_E_BUSY, "Channel '%s' already has a reader 0 (process %d); a single-reader channel allows one at a time. Close it first, or use ChannelMode.Broadcast for several readers.",
                          r->name, (int)(uint32_t)owner);
        ms_close(r);
        return status;
    }
    int64_t tail = __atomic_load_n(MS__I64(r->base, MS__CH_WPOSITION), __ATOMIC_ACQUIRE);
    int64_t position = __atomic_load_n(ms__reader_position(ch), __ATOMIC_ACQUIRE);
    if (position > tail && tail >= 0) {
        tail = ms__committed_end(ch, tail);
    }
    if (position < 0 || (position & 15) != 0 || position > tail || tail - position > (int64_t)ch->capacity) {
        __atomic_compare_exchange_n(owner_word, &me, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); /* give the index back */
        status = ms__channel_corrupt(ch, "reader 0 position %lld is not within the ring behind writer position %lld", (long long)position, (long long)tail);
        ms_close(r);
        return status;
    }
    ch->position = position;
    ch->role = 2;
    return MS_OK;
}

/* The committed record at our position (padding skipped): 1 found, 0 none yet, or a negative status. */
static inline int ms__next_record(ms_channel *ch, unsigned char **record, int32_t *length)
{
    int64_t capacity = ch->capacity;
    for (;;) {
        int64_t offset = ch->position & (capacity - 1);
        unsigned char *rec = ch->data + offset;
        if (__atomic_load_n(MS__U64(rec, 8), __ATOMIC_ACQUIRE) != ((uint64_t)ch->position ^ ch->salt)) {
            return 0; /* not committed yet (or an older lap's bytes) */
        }
        int32_t n = *MS__I32(rec, 0);
        if (n == MS__REC_PADDING) {
            ch->position += capacity - offset;
            continue;
        }
        if (n < 0 || n > ch->max_message || offset + ms__record_size(n) > capacity) {
            /* Committed (its tag matches), yet impossible: corrupt, not a race. */
            return ms__channel_corrupt(ch, "record at position %lld has length %lld", (long long)ch->position, (long long)n);
        }
        *record = rec;
        *length = n;
        return 1;
    }
}

static inline int ms__reader_check(ms_channel *ch)
{
    if (ch->role != 2) {
        return ms__fail(ch->region.error, MS_E_INVALID, "Channel '%s' was not opened with ms_channel_open_reader; open it as the reader to receive.", ch->region.name);
    }
    return MS_OK;
}

/* Whether the writer completed the channel. */
static inline int ms_channel_is_completed(const ms_channel *ch) { return __atomic_load_n(MS__I32(ch->region.base, MS__CH_COMPLETED), __ATOMIC_ACQUIRE) != 0; }

/* Nothing waiting: MS_E_COMPLETED if the writer completed the channel and nothing arrived before that, else MS_E_EMPTY. */
static inline int ms__nothing(ms_channel *ch)
{
    unsigned char *rec = NULL;
    int32_t n = 0;
    if (ms_channel_is_completed(ch)) {
        /* Look again after seeing the mark: a message committed before complete may have landed meanwhile. */
        int found = ms__next_record(ch, &rec, &n);
        return found < 0 ? found : found == 1 ? 1 : MS_E_COMPLETED;
    }
    return MS_E_EMPTY;
}

static inline void ms__consume(ms_channel *ch, int64_t record_size)
{
    ch->peeked_size = -1;
    ch->position += record_size;
    unsigned char *b = ch->region.base;
    __atomic_exchange_n(ms__reader_position(ch), ch->position, __ATOMIC_SEQ_CST); /* full fence before looking for sleepers */
    if (__atomic_load_n(MS__U32(b, MS__CH_SPACEWAITERS), __ATOMIC_SEQ_CST) != 0) {
        ms__wake(b, MS__CH_SPACESEQ, MS__CH_SPACEWAITERS, 1);
    }
}

/* Zero-copy: points *message at the next message in the ring, valid until ms_channel_advance. Statuses as try_recv. */
static inline int ms_channel_peek(ms_channel *ch, const void **message, size_t *length)
{
    *message = NULL;
    *length = 0;
    int status = ms__reader_check(ch);
    if (status != MS_OK) {
        return status;
    }
    unsigned char *rec = NULL;
    int32_t n = 0;
    int found = ms__next_record(ch, &rec, &n);
    if (found == 0) {
        found = ms__nothing(ch);
        if (found == 1) {
            found = ms__next_record(ch, &rec, &n);
        }
    }
    if (found != 1) {
        return found;
    }
    *message = rec + MS__REC_HEADER;
    *length = (size_t)n;
    ch->peeked_size = (int32_t)ms__record_size(n);
    return MS_OK;
}

/* Consumes the message ms_channel_peek returned. */
static inline int ms_channel_advance(ms_channel *ch)
{
    if (ch->peeked_size < 0) {
        return ms__fail(ch->region.error, MS_E_INVALID, "Channel '%s': call ms_channel_peek before ms_channel_advance.", ch->region.name);
    }
    ms__consume(ch, ch->peeked_size);
    return MS_OK;
}

/*
 * Copies the next message into buf and consumes it. MS_E_EMPTY if none is waiting, MS_E_COMPLETED if the
 * channel is complete and drained, MS_E_TOO_LARGE if buf is too small (the message stays unread).
 */
static inline int ms_channel_try_recv(ms_channel *ch, void *buf, size_t cap, size_t *length)
{
    const void *message = NULL;
    int status = ms_channel_peek(ch, &message, length);
    if (status != MS_OK) {
        return status;
    }
    if (*length > cap) {
        ch->peeked_size = -1;
        status = ms__fail(ch->region.error, MS_E_TOO_LARGE, "The buffer holds %zu bytes but the next message on channel '%s' has %zu; the message was not consumed. Pass a buffer of at least %zu bytes (max_message always suffices).",
                          cap, ch->region.name, *length, *length);
        *length = 0;
        return status;
    }
    memcpy(buf, message, *length);
    return ms_channel_advance(ch);
}

/* Waits until a message is there (MS_OK), the channel is complete and drained (MS_E_COMPLETED), or timeout (MS_E_TIMEOUT). */
static inline int ms_channel_wait(ms_channel *ch, int timeout_ms)
{
    int status = ms__reader_check(ch);
    if (status != MS_OK) {
        return status;
    }
    unsigned char *rec = NULL;
    int32_t n = 0;
    int found = ms__next_record(ch, &rec, &n);
    if (found != 0) {
        return found < 0 ? found : MS_OK;
    }
    int64_t start = ms__now_ns(), spin_ns = (int64_t)ch->spin_us * 1000;
    if (timeout_ms >= 0 && spin_ns > (int64_t)timeout_ms * 1000000) {
        spin_ns = (int64_t)timeout_ms * 1000000;
    }
    for (int i = 0; spin_ns > 0 && ((i & 31) != 31 || ms__now_ns() - start < spin_ns); i++) {
        found = ms__next_record(ch, &rec, &n);
        if (found != 0) {
            return found < 0 ? found : MS_OK;
        }
        if ((i & 31) == 31) {
            sched_yield();
        } else {
            ms__pause();
        }
    }
    unsigned char *b = ch->region.base;
    uint32_t *seq = MS__U32(b, MS__CH_DATASEQ), *waiters = MS__U32(b, MS__CH_DATAWAITERS);
    __atomic_fetch_add(waiters, 1, __ATOMIC_SEQ_CST); /* once per wait, a full fence: see ms__wait_turn */
    int64_t announced = ms__now_ns();
    int result = 1; /* 1: keep waiting */
    while (result == 1) {
        int64_t look = ms__now_ns();
        uint32_t s = __atomic_load_n(seq, __ATOMIC_ACQUIRE); /* before the check: a wake after it moves the word */
        found = ms__next_record(ch, &rec, &n);
        if (found != 0) {
            result = found < 0 ? found : MS_OK;
        } else if ((found = ms__nothing(ch)) != MS_E_EMPTY) {
            result = found == 1 ? MS_OK : found;
        } else {
            int64_t remaining = timeout_ms < 0 ? -1 : timeout_ms - (ms__now_ns() - start) / 1000000;
            if (timeout_ms >= 0 && remaining <= 0) {
                result = ms__fail(ch->region.error, MS_E_TIMEOUT, "Timed out after %d ms waiting for a message on channel '%s'.", timeout_ms, ch->region.name);
            } else {
                ms__wait_turn(seq, s, announced, look, remaining);
            }
        }
    }
    __atomic_fetch_sub(waiters, 1, __ATOMIC_SEQ_CST);
    return result;
}

/* Receives the next message, waiting up to timeout_ms (-1: as long as it takes). Statuses as ms_channel_wait and try_recv. */
static inline int ms_channel_recv(ms_channel *ch, void *buf, size_t cap, size_t *length, int timeout_ms)
{
    *length = 0;
    int status = ms_channel_wait(ch, timeout_ms);
    return status != MS_OK ? status : ms_channel_try_recv(ch, buf, cap, length);
}

/* Gives up the role (the reader's position stays, so a later reader resumes there) and closes the region. */
static inline void ms_channel_close(ms_channel *ch)
{
    if (ch->region.base != NULL) {
        uint64_t me = ms_owner_token();
        if (ch->role == 1) {
            __atomic_store_n(MS__U64(ch->region.base, MS__CH_WRITERLOCK), 0, __ATOMIC_RELEASE);
        } else if (ch->role == 2) {
            uint64_t expected = me;
            __atomic_compare_exchange_n(ms__reader_owner(ch), &expected, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        }
    }
    ch->role = 0;
    ms_close(&ch->region);
}

#ifdef __cplusplus
}
#endif

#endif /* MEMSHARE_H */
