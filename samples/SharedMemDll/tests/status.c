/* Checks libsharedmem's statuses, for tests/Memshare.Tests/Aot/SharedMemDll.Tests.cs: one line per case, "name
 * status [detail]". Needs SHAREDMEM_NAME set to a fresh name. */
#include <stdio.h>
#include <string.h>
#include "sharedmem.h"

int main(void) {
    static char big[SHAREDMEM_CAPACITY + 2];
    memset(big, 'x', sizeof big - 1);
    size_t length = 0;
    char message[256];

    printf("set-utf8 %d\n", SetSharedMemUtf8("h\xC3\xA9llo"));               /* "héllo": 6 bytes, 5 UTF-16 units */
    printf("too-long %d\n", SetSharedMemUtf8(big));
    SharedMemLastError(message, sizeof message);
    printf("too-long-message %s\n", message);

    char small[6];
    int status = GetSharedMemUtf8(small, sizeof small, &length);             /* 6 bytes need 7 with the NUL */
    printf("small-utf8 %d %zu [%s]\n", status, length, small);
    char exact[7];
    status = GetSharedMemUtf8(exact, sizeof exact, &length);
    printf("exact-utf8 %d %zu [%s]\n", status, length, exact);

    char16_t wide[5];
    status = GetSharedMem(wide, 5, &length);                                 /* 5 units need 6 */
    printf("small-utf16 %d %zu %d\n", status, length, (int)wide[0]);
    char16_t wide_ok[6];
    status = GetSharedMem(wide_ok, 6, &length);
    printf("exact-utf16 %d %zu %d\n", status, length, (int)wide_ok[1]);       /* 0xE9 = 233 */

    status = GetSharedMem(NULL, 0, &length);                                 /* asks for the length only */
    printf("length-only %d %zu\n", status, length);

    static const char16_t lone[] = { u'a', 0xD800, u'b', 0 };
    printf("bad-utf16 %d\n", SetSharedMem(lone));
    printf("bad-utf8 %d\n", SetSharedMemUtf8("\xC3("));
    printf("null %d\n", SetSharedMem(NULL));
    status = GetSharedMemUtf8(exact, sizeof exact, &length);
    printf("unchanged %d [%s]\n", status, exact);
    return 0;
}
