/* The seed's child program, ported to POSIX: reads the string its parent stored through libsharedmem. The seed read
 * wide text with a fixed buffer; this reads UTF-16 and prints it as UTF-8. */
#include <stdio.h>
#include <stdlib.h>
#include <uchar.h>
#include "sharedmem.h"

/* UTF-16 to UTF-8, for printing: the library already checked the text is valid. */
static void print_utf16(const char16_t *s) {
    for (; *s; s++) {
        unsigned long c = *s;
        if (c >= 0xD800 && c <= 0xDBFF && s[1] >= 0xDC00 && s[1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (s[1] - 0xDC00);
            s++;
        }
        if (c < 0x80) putchar((int)c);
        else if (c < 0x800) { putchar((int)(0xC0 | (c >> 6))); putchar((int)(0x80 | (c & 0x3F))); }
        else if (c < 0x10000) { putchar((int)(0xE0 | (c >> 12))); putchar((int)(0x80 | ((c >> 6) & 0x3F))); putchar((int)(0x80 | (c & 0x3F))); }
        else { putchar((int)(0xF0 | (c >> 18))); putchar((int)(0x80 | ((c >> 12) & 0x3F))); putchar((int)(0x80 | ((c >> 6) & 0x3F))); putchar((int)(0x80 | (c & 0x3F))); }
    }
}

int main(void) {
    char16_t buffer[256];
    size_t length = 0;
    int status = GetSharedMem(buffer, sizeof buffer / sizeof buffer[0], &length);
    if (status != SHAREDMEM_OK) {
        char message[512];
        SharedMemLastError(message, sizeof message);
        fprintf(stderr, "child: GetSharedMem failed (status %d): %s\n", status, message);
        return 1;
    }
    printf("Child process read from shared memory: ");
    print_utf16(buffer);
    printf("\n");
    return 0;
}
