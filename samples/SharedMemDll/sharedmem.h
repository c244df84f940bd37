/* sharedmem.h: the C interface of libsharedmem.so, the seed's shared-memory DLL written in C# with Memshare and
 * published with NativeAOT (samples/SharedMemDll/README.md builds it).
 *
 * Every process that loads the library shares one string: a Memshare string slot (SharedString) named by the
 * environment variable SHAREDMEM_NAME, or "sharedmem" if unset, read once when the slot is first used. A .NET
 * program (SharedString.OpenExisting), the CLI ('memshare get NAME'), the C peer (interop/c/memshare.h) and the
 * Python peer (interop/python/memshare.py) see the same string by that name. The library creates the slot with
 * room for SHAREDMEM_CAPACITY bytes of UTF-8 if it does not exist; it is scoped, so it goes away when the last
 * process holding it exits. Readers never see half of one string and half of another.
 *
 * Text. The seed passed Windows' LPWSTR: UTF-16 in wchar_t, which is 16 bits on Windows and 32 bits on Linux. These
 * functions take char16_t (C11 <uchar.h>, C++11), which is UTF-16 everywhere; Windows callers pass their wchar_t
 * strings as they are. The slot itself stores UTF-8, so the *Utf8 variants are the direct path for C code that
 * uses char. Text must be valid UTF-16 (no unpaired surrogate) or valid UTF-8.
 *
 * Nothing is ever cut short. The seed truncated silently; these return a status:
 *   - SetSharedMem* with text longer than the slot (in UTF-8 bytes): SHAREDMEM_TOO_LONG, nothing stored.
 *   - GetSharedMem* with a buffer that cannot hold the string and its terminator: SHAREDMEM_BUFFER_TOO_SMALL, the
 *     buffer (if capacity > 0) holds an empty string, and *length the units needed without the terminator.
 * SharedMemLastError() describes the last failure in words.
 *
 * Threads: every function may be called from any thread. Platforms: Linux x64 (and arm64) as built here. A Windows
 * sharedmem.dll needs the same project published on Windows: NativeAOT links with the platform's own linker (MSVC's
 * link.exe), which does not run on Linux, so this repository builds and tests the Linux library only. */
#ifndef SHAREDMEM_H
#define SHAREDMEM_H

#include <stddef.h>
#include <uchar.h>

#ifdef __cplusplus
extern "C" {
#endif

/* UTF-8 bytes the slot holds when libsharedmem creates it (an existing slot keeps its own capacity). */
#define SHAREDMEM_CAPACITY 4096

enum sharedmem_status {
    SHAREDMEM_OK = 0,
    SHAREDMEM_TOO_LONG = 1,          /* Set: the text does not fit the slot; nothing was stored */
    SHAREDMEM_BUFFER_TOO_SMALL = 2,  /* Get: buffer too small; *length = units needed (without the terminator) */
    SHAREDMEM_INVALID_ARGUMENT = 3,  /* a NULL pointer, or text that is not valid UTF-16 / UTF-8 */
    SHAREDMEM_ERROR = 4              /* the slot could not be opened: not a string slot, access denied, ... */
};

/* Stores a NUL-terminated UTF-16 string. */
int SetSharedMem(const char16_t *text);

/* Copies the current string into buffer as NUL-terminated UTF-16. capacity counts char16_t units, terminator
 * included. length (may be NULL) receives the string's length in char16_t units, without the terminator. */
int GetSharedMem(char16_t *buffer, size_t capacity, size_t *length);

/* Stores a NUL-terminated UTF-8 string. */
int SetSharedMemUtf8(const char *text);

/* As GetSharedMem, in UTF-8: capacity and *length count bytes. */
int GetSharedMemUtf8(char *buffer, size_t capacity, size_t *length);

/* Copies the last failure's message (UTF-8, NUL-terminated, cut to fit capacity) and returns its full length. */
size_t SharedMemLastError(char *buffer, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif
