/* The seed's parent program, ported to POSIX: writes a string through libsharedmem and starts a child process that
 * reads it back through the library. Usage: parent [CHILD] (default: ./child beside this program).
 * With --hold as the last argument it then keeps the slot alive until its standard input ends, so that other
 * programs (memshare get, the C and Python peers) can read it too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sharedmem.h"

static void fail(const char *what, int status) {
    char message[512];
    SharedMemLastError(message, sizeof message);
    fprintf(stderr, "parent: %s failed (status %d): %s\n", what, status, message);
    exit(1);
}

int main(int argc, char **argv) {
    int hold = argc > 1 && strcmp(argv[argc - 1], "--hold") == 0;
    const char *child = (argc > 1 + hold) ? argv[1] : "./child";

    static const char16_t text[] = u"This is a test string";
    int status = SetSharedMem(text);
    if (status != SHAREDMEM_OK) fail("SetSharedMem", status);

    pid_t pid = fork();
    if (pid < 0) { perror("parent: fork"); return 1; }
    if (pid == 0) {
        execl(child, child, (char *)NULL);
        perror("parent: exec child");
        _exit(127);
    }
    int wstatus;
    if (waitpid(pid, &wstatus, 0) < 0) { perror("parent: waitpid"); return 1; }
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
        fprintf(stderr, "parent: the child failed\n");
        return 1;
    }

    if (hold) {
        printf("holding\n");
        fflush(stdout);
        while (getchar() != EOF) {
        }
    }
    return 0;
}
