/*
 * memshare-c: a small CLI over memshare.h, and an example of its API.
 *   cc -std=c99 -O2 example.c -o memshare-c
 * Exit codes follow the memshare CLI where they overlap: 0 ok, 1 other failure, 2 invalid input,
 * 3 not found, 5 access denied, 6 timed out.
 */
#include "memshare.h"

#include <stdlib.h>

static int exit_code(int status)
{
    switch (status) {
    case MS_OK: return 0;
    case MS_E_INVALID: case MS_E_TOO_LARGE: return 2;
    case MS_E_NOT_FOUND: return 3;
    case MS_E_ACCESS: return 5;
    case MS_E_TIMEOUT: return 6;
    default: return 1;
    }
}

static int fail(const char *error, int status)
{
    fprintf(stderr, "memshare-c: %s\n", error);
    return exit_code(status);
}

static int usage(void)
{
    fprintf(stderr,
            "usage: memshare-c get NAME | set NAME TEXT | value-read NAME | value-write NAME HEX\n"
            "                  | send NAME (stdin lines; completes at EOF) | recv NAME [--count N] [--timeout-ms N]\n");
    return 2;
}

static int cmd_get(const char *name)
{
    ms_region r;
    int status = ms_string_open(&r, name, MS_READ_ONLY);
    if (status != MS_OK) {
        return fail(r.error, status);
    }
    size_t cap = ms_string_capacity(&r), length = 0;
    char *text = (char *)malloc(cap + 1);
    status = text == NULL ? MS_E_IO : ms_string_get(&r, text, cap, &length);
    if (status == MS_OK) {
        fwrite(text, 1, length, stdout);
        fputc('\n', stdout);
    } else {
        fprintf(stderr, "memshare-c: %s\n", text == NULL ? "out of memory" : r.error);
    }
    free(text);
    ms_close(&r);
    return exit_code(status);
}

static int cmd_set(const char *name, const char *text)
{
    ms_region r;
    int status = ms_string_open(&r, name, MS_READ_WRITE);
    if (status != MS_OK) {
        return fail(r.error, status);
    }
    r.lock_timeout_ms = 10000;
    status = ms_string_set(&r, text, strlen(text));
    if (status != MS_OK) {
        fprintf(stderr, "memshare-c: %s\n", r.error);
    }
    ms_close(&r);
    return exit_code(status);
}

static int cmd_value_read(const char *name)
{
    ms_region r;
    int status = ms_value_open(&r, name, MS_READ_ONLY);
    if (status != MS_OK) {
        return fail(r.error, status);
    }
    size_t size = ms_value_size(&r);
    unsigned char *bytes = (unsigned char *)malloc(size);
    status = bytes == NULL ? MS_E_IO : ms_value_read(&r, bytes, size);
    if (status == MS_OK) {
        printf("%s %zu ", ms_value_type_name(&r), size);
        for (size_t i = 0; i < size; i++) {
            printf("%02x", bytes[i]);
        }
        printf("\n");
    } else {
        fprintf(stderr, "memshare-c: %s\n", bytes == NULL ? "out of memory" : r.error);
    }
    free(bytes);
    ms_close(&r);
    return exit_code(status);
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int cmd_value_write(const char *name, const char *hex)
{
    size_t digits = strlen(hex);
    for (size_t i = 0; i < digits; i++) {
        if (hex_digit(hex[i]) < 0) {
            fprintf(stderr, "memshare-c: '%c' at %zu is not a hex digit; give the value's bytes as hex, e.g. 2a000000.\n", hex[i], i);
            return 2;
        }
    }
    if (digits % 2 != 0) {
        fprintf(stderr, "memshare-c: the hex text has %zu digits; give two per byte.\n", digits);
        return 2;
    }
    ms_region r;
    int status = ms_value_open(&r, name, MS_READ_WRITE);
    if (status != MS_OK) {
        return fail(r.error, status);
    }
    size_t size = digits / 2;
    unsigned char *bytes = (unsigned char *)malloc(size + 1);
    for (size_t i = 0; bytes != NULL && i < size; i++) {
        bytes[i] = (unsigned char)(hex_digit(hex[2 * i]) * 16 + hex_digit(hex[2 * i + 1]));
    }
    r.lock_timeout_ms = 10000;
    status = bytes == NULL ? MS_E_IO : ms_value_write(&r, bytes, size);
    if (status != MS_OK) {
        fprintf(stderr, "memshare-c: %s\n", bytes == NULL ? "out of memory" : r.error);
    }
    free(bytes);
    ms_close(&r);
    return exit_code(status);
}

static int cmd_send(const char *name)
{
    ms_channel ch;
    int status = ms_channel_open_writer(&ch, name, MS_READ_WRITE);
    if (status != MS_OK) {
        return fail(ch.region.error, status);
    }
    char *line = (char *)malloc((size_t)ch.max_message + 2);
    while (status == MS_OK && line != NULL && fgets(line, ch.max_message + 2, stdin) != NULL) {
        size_t length = strlen(line);
        if (length > 0 && line[length - 1] == '\n') {
            line[--length] = '\0';
        } else if (length > (size_t)ch.max_message) {
            status = ms__fail(ch.region.error, MS_E_TOO_LARGE, "A line is longer than channel '%s' accepts (%d bytes); split it.", name, (int)ch.max_message);
            break;
        }
        status = ms_channel_send(&ch, line, length, -1);
    }
    if (status == MS_OK) {
        status = ms_channel_complete(&ch);
    }
    if (status != MS_OK) {
        fprintf(stderr, "memshare-c: %s\n", ch.region.error);
    }
    free(line);
    ms_channel_close(&ch);
    return exit_code(status);
}

static int cmd_recv(const char *name, long count, int timeout_ms)
{
    ms_channel ch;
    int status = ms_channel_open_reader(&ch, name, MS_READ_WRITE);
    if (status != MS_OK) {
        return fail(ch.region.error, status);
    }
    char *buf = (char *)malloc((size_t)ch.max_message);
    long received = 0;
    while (buf != NULL && (count < 0 || received < count)) {
        size_t length = 0;
        status = ms_channel_recv(&ch, buf, (size_t)ch.max_message, &length, timeout_ms);
        if (status != MS_OK) {
            break;
        }
        fwrite(buf, 1, length, stdout);
        fputc('\n', stdout);
        received++;
    }
    if (status == MS_E_COMPLETED) {
        status = MS_OK;
    } else if (status != MS_OK) {
        fprintf(stderr, "memshare-c: %s\n", ch.region.error);
    }
    fflush(stdout);
    free(buf);
    ms_channel_close(&ch);
    return exit_code(status);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        return usage();
    }
    const char *cmd = argv[1], *name = argv[2];
    if (strcmp(cmd, "get") == 0 && argc == 3) {
        return cmd_get(name);
    }
    if (strcmp(cmd, "set") == 0 && argc == 4) {
        return cmd_set(name, argv[3]);
    }
    if (strcmp(cmd, "value-read") == 0 && argc == 3) {
        return cmd_value_read(name);
    }
    if (strcmp(cmd, "value-write") == 0 && argc == 4) {
        return cmd_value_write(name, argv[3]);
    }
    if (strcmp(cmd, "send") == 0 && argc == 3) {
        return cmd_send(name);
    }
    if (strcmp(cmd, "recv") == 0) {
        long count = -1;
        int timeout_ms = -1;
        for (int i = 3; i + 1 < argc + 1; i += 2) {
            if (i + 1 >= argc) {
                return usage();
            }
            char *end;
            long n = strtol(argv[i + 1], &end, 10);
            if (*end != '\0' || n < 0 || n > INT_MAX) {
                fprintf(stderr, "memshare-c: '%s' is not a count of 0 or more.\n", argv[i + 1]);
                return 2;
            }
            if (strcmp(argv[i], "--count") == 0) {
                count = n;
            } else if (strcmp(argv[i], "--timeout-ms") == 0) {
                timeout_ms = (int)n;
            } else {
                return usage();
            }
        }
        return cmd_recv(name, count, timeout_ms);
    }
    return usage();
}
