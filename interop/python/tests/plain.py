#!/usr/bin/env python3
"""Python's own multiprocessing.shared_memory against Memshare raw regions - no memshare.py involved.

    python3 plain.py attach NAME SIZE          check .NET's pattern in the first half, reply in the second
    python3 plain.py attach-tracked NAME       attach the default way and exit (shows the resource-tracker trap)
    python3 plain.py create NAME SIZE          create, fill, wait for a line on stdin, check .NET's reply, unlink

The trap: before Python 3.13, SharedMemory(name=...) registers even a segment it merely attaches to with the
resource tracker, which unlinks it when this process exits ("leaked shared_memory objects" warning) and so
destroys a region another program created. Attach with track=False (3.13+) or unregister right after attaching.
"""

import sys
from multiprocessing import resource_tracker, shared_memory


def byte_at(seed: int, index: int) -> int:
    """As Patterns.ByteAt in the C# tests: never 0, so a pattern differs from fresh memory."""
    return 1 + (index * 31 + (index >> 8) + seed * 131) % 255


def pattern(seed: int, start: int, length: int) -> bytes:
    return bytes(byte_at(seed, i) for i in range(start, start + length))


def attach_untracked(name: str) -> shared_memory.SharedMemory:
    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name=name, track=False)
    shm = shared_memory.SharedMemory(name=name)
    resource_tracker.unregister(shm._name, "shared_memory")  # pylint: disable=protected-access
    return shm


def attach(name: str, size: str) -> None:
    half = int(size) // 2
    shm = attach_untracked(name)
    try:
        if bytes(shm.buf[:half]) != pattern(7, 0, half):
            print("mismatch", flush=True)
            return
        shm.buf[half:2 * half] = pattern(9, half, half)
        print("ok", shm.size, flush=True)
    finally:
        shm.close()  # never unlink: .NET created it


def attach_tracked(name: str) -> None:
    shm = shared_memory.SharedMemory(name=name)  # registered: the tracker will unlink it at exit
    print("attached", shm.size, flush=True)
    shm.close()


def create(name: str, size: str) -> None:
    half = int(size) // 2
    shm = shared_memory.SharedMemory(name=name, create=True, size=int(size))
    try:
        shm.buf[:half] = pattern(5, 0, half)
        print("ready", flush=True)
        sys.stdin.readline()  # .NET opens, checks and replies meanwhile
        reply = bytes(shm.buf[half:2 * half]) == pattern(11, half, half)
        print("reply" if reply else "no-reply", flush=True)
    finally:
        shm.close()
        shm.unlink()  # ours: Python created it
    print("unlinked", flush=True)


if __name__ == "__main__":
    {"attach": attach, "attach-tracked": attach_tracked, "create": create}[sys.argv[1]](*sys.argv[2:])
