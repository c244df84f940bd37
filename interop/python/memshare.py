#!/usr/bin/env python3
"""Memshare regions from Python (Linux): raw regions, string slots, values and single-producer channels.

Standard library only (Python 3.8+). Follows docs/format.md: the same offsets, the same seqlock and robust-lock
protocols, the same owner tokens, so a Python process and a .NET process using Memshare share one region safely.
Atomic operations come from GCC's runtime library (libatomic.so.1) through ctypes; see README.md next to this file.

    import memshare
    with memshare.SharedString("greeting") as s:
        print(s.get()); s.set("hello")

Command line: python3 memshare.py get|set|send|recv|value-read|value-write ... (python3 memshare.py -h).
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import fcntl
import os
import platform
import stat
import struct
import sys
import time
from multiprocessing import resource_tracker, shared_memory

__all__ = [
    "MemshareError", "RegionNotFoundError", "RegionFormatError", "ChannelBusyError", "UnsupportedRegionError",
    "AtomicsUnavailableError", "RawRegion", "SharedString", "SharedValue", "SharedLock", "SharedChannel",
    "ChannelWriter", "ChannelReader", "owner_token", "is_alive", "layout_fingerprint",
]


# ---------------------------------------------------------------------------------------------------- errors

class MemshareError(Exception):
    """Base of every error this module raises about a region (bad input raises ValueError, timeouts TimeoutError)."""


class RegionNotFoundError(MemshareError, FileNotFoundError):
    """No region of that name exists (or only a stale scoped one that every holder left)."""


class RegionFormatError(MemshareError):
    """The region is not what was asked for, or its header or a position in it is corrupt."""


class ChannelBusyError(MemshareError, RuntimeError):
    """Another live process holds the channel role (writer, or reader 0) this process asked for."""


class UnsupportedRegionError(MemshareError):
    """A valid Memshare region this module does not handle (e.g. a broadcast channel)."""


class AtomicsUnavailableError(MemshareError, OSError):
    """libatomic.so.1 could not be loaded, so this process cannot take part in a protocol that needs atomics."""


# ---------------------------------------------------------------------------------------------------- layout
# Offsets and constants of docs/format.md.

MAGIC = 0x45524148534D454D  # ASCII "MEMSHARE" as a little-endian u64
VERSION = 1
KIND_VALUE, KIND_STRING, KIND_CHANNEL, KIND_LOCK, KIND_EVENT = 1, 2, 3, 4, 5
_KIND_NAMES = {KIND_VALUE: "SharedValue", KIND_STRING: "SharedString", KIND_CHANNEL: "channel", KIND_LOCK: "lock",
               KIND_EVENT: "event"}
_HEADER = struct.Struct("<QHHIqQII")  # Magic Version Kind HeaderSize TotalSize Fingerprint PayloadSize SlotStride
_HEADER_SIZE = 64

_SEQUENCE, _WRITER_LOCK, _RECOVERIES = 64, 72, 80          # snapshot state (values and strings)
_SNAPSHOT_END = 128
_STRING_MAX_CAPACITY = 64 << 20
_TYPE_NAME, _TYPE_NAME_SIZE, _VALUE_HEADER = 128, 64, 192
_LOCK_OWNER, _LOCK_RECOVERIES, _LOCK_END = 64, 80, 128      # lock regions: header and total size are _LOCK_END

_CH_CONFIG = struct.Struct("<iiii")                         # Mode MaxReaders Overflow MaxMessage, at 64
_CH_POSITION, _CH_MESSAGES, _CH_LATEST, _CH_COMPLETED = 256, 264, 272, 288
_CH_WRITER_LOCK, _CH_RECOVERIES = 384, 392
_CH_DATA_SEQ, _CH_DATA_WAITERS, _CH_SPACE_SEQ, _CH_SPACE_WAITERS = 512, 516, 640, 644
_CH_READERS, _CH_READER_STRIDE = 768, 128                  # reader i: Position +0, Owner +8, Lost +16, Attached +24
_RECORD_HEADER, _PADDING = 16, -1
_MODE_NAMES = {0: "single-producer", 1: "multi-producer", 2: "broadcast"}

_SHM_DIR = "/dev/shm/"
_NAME_MAX = 200
_LOCK_DEADLINE = 10.0   # seconds an opener waits for a process that is removing the region (as Memshare does)
_MAX_SLEEP = 0.1        # every futex sleep is bounded, as in the protocols: a killed waker costs at most this
_RACE_WINDOW = 20e-6    # a channel waiter looks without sleeping this long after announcing (SharedChannel._sleep)


def _align16(n: int) -> int:
    return (n + 15) & ~15


def _align64(n: int) -> int:
    return (n + 63) & ~63


def _record_size(length: int) -> int:
    return _align16(_RECORD_HEADER + length)


# ---------------------------------------------------------------------------------------------------- atomics

class _Atomics:
    """GCC's out-of-line atomics (libatomic) on raw addresses inside a mapping. Every call is a full C call, so
    neither CPython's compiler nor ours can move a memcpy of the payload across it; the memory order argument
    makes the CPU keep the order too, on any architecture."""

    RELAXED, ACQUIRE, RELEASE, SEQ_CST = 0, 2, 3, 5

    def __init__(self, lib: ctypes.CDLL) -> None:
        p, u32, u64, i = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint64, ctypes.c_int

        def fn(name, restype, *argtypes):
            f = getattr(lib, name)
            f.restype, f.argtypes = restype, list(argtypes)
            return f

        self.load8 = fn("__atomic_load_8", u64, p, i)
        self.store8 = fn("__atomic_store_8", None, p, u64, i)
        self.exchange8 = fn("__atomic_exchange_8", u64, p, u64, i)
        self.fetch_add8 = fn("__atomic_fetch_add_8", u64, p, u64, i)
        self._cas8 = fn("__atomic_compare_exchange_8", ctypes.c_bool, p, ctypes.POINTER(u64), u64, i, i)
        self.load4 = fn("__atomic_load_4", u32, p, i)
        self.exchange4 = fn("__atomic_exchange_4", u32, p, u32, i)
        self.fetch_add4 = fn("__atomic_fetch_add_4", u32, p, u32, i)
        self.fence = fn("atomic_thread_fence", None, i)

    def cas8(self, address: int, expected: int, desired: int) -> bool:
        """Sequentially consistent compare-and-swap (a full fence, as Interlocked.CompareExchange)."""
        e = ctypes.c_uint64(expected)
        return bool(self._cas8(address, ctypes.byref(e), desired, self.SEQ_CST, self.SEQ_CST))


def _load_atomics():
    for name in ("libatomic.so.1", "libatomic.so"):
        try:
            return _Atomics(ctypes.CDLL(name))
        except (OSError, AttributeError):
            continue
    return None


_ATOMICS = _load_atomics()
# On x86-64 (TSO) aligned 8-byte loads are atomic and loads are never reordered with other loads, so a seqlock
# *reader* (load, copy, load) is correct with plain loads; every writer and channel role needs real atomics.
_TSO = platform.machine().lower() in ("x86_64", "amd64")


def _need_atomics(name: str, what: str) -> _Atomics:
    if _ATOMICS is None:
        raise AtomicsUnavailableError(
            f"Region '{name}': {what} needs atomic compare-and-swap, which this module takes from GCC's libatomic.so.1, "
            "and it could not be loaded. Install it (Debian/Ubuntu: apt-get install libatomic1; it comes with gcc).")
    return _ATOMICS


# ---------------------------------------------------------------------------------------------------- futex

_SYS_FUTEX = {"x86_64": 202, "amd64": 202, "aarch64": 98, "arm64": 98, "riscv64": 98, "loongarch64": 98,
              "ppc64le": 221, "ppc64": 221, "s390x": 238, "i386": 240, "i686": 240, "armv7l": 240}.get(
    platform.machine().lower())
_FUTEX_WAIT, _FUTEX_WAKE = 0, 1  # never FUTEX_PRIVATE_FLAG: the word is in a MAP_SHARED mapping


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


try:
    _LIBC = ctypes.CDLL(None, use_errno=True)
    _LIBC.syscall.restype = ctypes.c_long
except (OSError, AttributeError):
    _LIBC = None


def _futex_wait(address: int, expected: int, seconds: float) -> None:
    """Sleeps while the 32-bit word at address equals expected, at most seconds; may return early (callers loop).
    syscall is variadic; passing fixed ctypes arguments is sound on Linux x86-64 and aarch64, not on Apple arm64."""
    seconds = max(0.0, min(seconds, _MAX_SLEEP))
    if _LIBC is None or _SYS_FUTEX is None:
        time.sleep(min(seconds, 0.001))  # no futex here: poll; the protocols tolerate a missed wake-up
        return
    ts = _Timespec(int(seconds), int((seconds - int(seconds)) * 1e9))
    _LIBC.syscall(ctypes.c_long(_SYS_FUTEX), ctypes.c_void_p(address), ctypes.c_int(_FUTEX_WAIT),
                  ctypes.c_int(ctypes.c_int32(expected).value), ctypes.byref(ts), ctypes.c_void_p(None), ctypes.c_int(0))


def _futex_wake(address: int, count: int) -> None:
    if _LIBC is not None and _SYS_FUTEX is not None:
        _LIBC.syscall(ctypes.c_long(_SYS_FUTEX), ctypes.c_void_p(address), ctypes.c_int(_FUTEX_WAKE),
                      ctypes.c_int(min(count, 0x7FFFFFFF)), ctypes.c_void_p(None), ctypes.c_void_p(None), ctypes.c_int(0))


# ---------------------------------------------------------------------------------------------------- owner tokens

def _start_stamp(pid: int):
    """Field 22 of /proc/PID/stat (start time in clock ticks since boot) as a 32-bit stamp with the low bit set,
    exactly as OwnerToken.cs computes it; None if no such live process (a zombie counts as dead)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            text = f.read()
    except OSError:
        return None
    close = text.rfind(b")")  # the command name may hold spaces and parentheses
    if close < 0:
        return None
    fields = text[close + 2:].split(b" ")
    if len(fields) < 20 or fields[0] in (b"Z", b"X", b"x") or not fields[19].isdigit():
        return None
    return (int(fields[19]) & 0xFFFFFFFF) | 1


_token = (0, 0)


def owner_token() -> int:
    """This process's owner token: pid in the low 32 bits, start-time stamp in the high 32 (recomputed after fork)."""
    global _token
    pid = os.getpid()
    if _token[0] != pid:
        _token = (pid, ((_start_stamp(pid) or 1) << 32) | pid)
    return _token[1]


def is_alive(token: int) -> bool:
    """Whether the process that wrote token still runs (same rule as OwnerToken.IsAlive)."""
    pid = token & 0xFFFFFFFF
    if pid >= 1 << 31:
        pid -= 1 << 32  # .NET reads the pid as a signed int
    if pid == os.getpid():
        return token == owner_token()
    if not os.path.exists(f"/proc/{pid}/stat"):
        try:
            os.kill(pid, 0)
        except PermissionError:
            return True  # /proc hides it (hidepid) but it exists: stealing a live owner's lock would be far worse
        except OSError:
            pass
    stamp = _start_stamp(pid)
    return stamp is not None and stamp == token >> 32


# ---------------------------------------------------------------------------------------------------- the mapping

def _check_name(name) -> str:
    if not isinstance(name, str):
        raise ValueError(f"Region name must be a str, not {type(name).__name__}.")
    if not 0 < len(name) <= _NAME_MAX:
        raise ValueError(f"Region name '{name[:40]}' has {len(name)} characters; use 1 to {_NAME_MAX}.")
    if name in (".", "..") or any(not (c.isascii() and (c.isalnum() or c in "._-")) for c in name):
        raise ValueError(f"Region name '{name}' is not allowed; names may use letters, digits, '.', '_' and '-' "
                         "(and are not '.' or '..').")
    return name


def _attach(name: str) -> shared_memory.SharedMemory:
    """SharedMemory(name=...) without the resource tracker's claim on it: before Python 3.13 attaching registers
    the segment, and the tracker unlinks it when this process exits - destroying a region Python did not create."""
    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name=name, track=False)
    shm = shared_memory.SharedMemory(name=name)
    resource_tracker.unregister(shm._name, "shared_memory")  # pylint: disable=protected-access
    return shm


class _Mapping:
    """An open /dev/shm file held the way a Memshare holder holds it: a shared flock on our own descriptor, taken
    after opening and re-checked against the name (docs/format.md, "Holders"). Closing drops the lock; this module
    never unlinks a name (a scoped region left only by Python holders is removed by the next Memshare opener)."""

    def __init__(self, name: str, allow_other_owner: bool = False) -> None:
        self.name = _check_name(name)
        self._allow_other_owner = allow_other_owner
        path = _SHM_DIR + name
        deadline = time.monotonic() + _LOCK_DEADLINE
        while True:
            try:
                st = os.stat(path, follow_symlinks=False)
            except FileNotFoundError:
                raise RegionNotFoundError(
                    f"Region '{name}' does not exist. Create it first (from .NET, or 'memshare create'), "
                    "or check the name.") from None
            if stat.S_ISLNK(st.st_mode) or not stat.S_ISREG(st.st_mode):
                raise RegionFormatError(f"Region '{name}' is not a regular file; refusing to open it. "
                                        f"Remove '{path}' if it does not belong to you.")
            if st.st_uid != os.geteuid() and not allow_other_owner:
                # As Memshare: another user may have planted ("squatted") the name.
                raise PermissionError(f"Region '{name}' is owned by uid {st.st_uid}, not by you (uid {os.geteuid()}); "
                                      "refusing to open it. Pass allow_other_owner=True if you trust that user.")
            if st.st_size == 0:
                # SharedMemory cannot map an empty file; say what it is instead.
                raise RegionFormatError(f"Region '{name}' is empty (0 bytes): it was truncated, or another program "
                                        f"created it without a size. Remove it ('memshare rm {name}') and recreate it.")
            try:
                shm = _attach(name)
            except (FileNotFoundError, ValueError):
                continue  # removed (or replaced by an empty file) since the stat: look again
            except PermissionError:
                raise PermissionError(f"Access to region '{name}' was denied. Ask its owner for read and write "
                                      "permission, or run as that user.") from None
            if self._lock(shm, path, deadline):
                break
        self._shm = shm
        self.mm = shm._mmap  # pylint: disable=protected-access
        self.size = len(self.mm)
        anchor = ctypes.c_char.from_buffer(self.mm)
        self.base = ctypes.addressof(anchor)  # valid until close(); the mapping is never moved or shrunk
        del anchor  # drop the buffer export, or the mapping could not be closed

    def _lock(self, shm, path: str, deadline: float) -> bool:
        """Takes the holder's shared lock; False (closed) if the name no longer leads to the file we opened."""
        fd = shm._fd  # pylint: disable=protected-access
        try:
            if os.fstat(fd).st_mode & stat.S_ISVTX:
                # A scoped region nobody holds is stale (its holders all died): absent, as Memshare sees it.
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    pass
                else:
                    raise RegionNotFoundError(
                        f"Region '{self.name}' is a scoped region whose holders have all exited (stale); it counts as "
                        "absent and the next Memshare opener removes it. Create it again.")
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:  # exclusive holders only unlink and close
                        raise OSError(errno.EBUSY, f"Region '{self.name}' stayed locked by a process that is "
                                      f"removing it for {_LOCK_DEADLINE:.0f} s; try again.") from None
                    time.sleep(0.001)
            mine = os.fstat(fd)
            try:
                now = os.stat(path, follow_symlinks=False)
            except FileNotFoundError:
                now = None
            if (mine.st_nlink > 0 and now is not None and (now.st_ino, now.st_dev) == (mine.st_ino, mine.st_dev)
                    and (mine.st_uid == os.geteuid() or self._allow_other_owner)):
                return True  # (a file swapped in under the name since our first look is judged again from the top)
        except BaseException:
            shm.close()
            raise
        shm.close()  # removed (perhaps recreated) between our open and our lock: open the name again
        return False

    def close(self) -> None:
        if self._shm is not None:
            self.mm = None
            self._shm.close()  # closes the descriptor, which drops our shared lock
            self._shm = None

    def u32(self, offset: int) -> int:
        return struct.unpack_from("<I", self.mm, offset)[0]

    def i32(self, offset: int) -> int:
        return struct.unpack_from("<i", self.mm, offset)[0]

    def u64(self, offset: int) -> int:
        return struct.unpack_from("<Q", self.mm, offset)[0]


class _Region:
    """Common open/close/context-manager behaviour of every region kind. Regions owned by another user are refused
    (PermissionError) unless allow_other_owner is true, as in Memshare."""

    def __init__(self, name: str, allow_other_owner: bool = False) -> None:
        self._m = _Mapping(name, allow_other_owner)
        self.name = name

    @property
    def closed(self) -> bool:
        return self._m.mm is None

    def _check_open(self) -> _Mapping:
        if self._m.mm is None:
            raise ValueError(f"Region '{self.name}' is closed; open it again to use it.")
        return self._m

    def close(self) -> None:
        """Releases this process's hold; never removes the region."""
        self._m.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # pylint: disable=broad-except
            pass

    def _header(self, kind: int):
        """Checks magic, version, kind and sizes, saying which differs (as RegionHeader.Validate does)."""
        m, name, want = self._m, self.name, _KIND_NAMES[kind]
        if m.size < _HEADER_SIZE:
            self.close()
            raise RegionFormatError(f"Region '{name}' has {m.size} bytes, too few for a Memshare {want} header; "
                                    "it is a raw region or belongs to another program.")
        magic, version, k, header_size, total, fingerprint, payload, stride = _HEADER.unpack_from(m.mm, 0)
        problem = None
        if magic != MAGIC:
            problem = (f"is not a Memshare {want}: its header magic is 0x{magic:016X}, expected 0x{MAGIC:016X}. It is "
                       "a raw region or belongs to another program; open it with RawRegion instead")
        elif version != VERSION:
            problem = (f"uses layout version {version}, but this module reads version {VERSION}. Use matching "
                       "Memshare versions")
        elif k != kind:
            problem = (f"holds a Memshare {_KIND_NAMES.get(k, f'region of unknown kind {k}')}, not the {want} it was "
                       "opened as. Open it with the matching type")
        elif total > m.size:
            problem = (f"is damaged: its backing file has {m.size} bytes but its header says {total}. Remove it "
                       f"('memshare rm {name}') and recreate it")
        elif not _HEADER_SIZE <= header_size <= total:
            problem = (f"has a corrupt header: header size {header_size} does not fit total size {total}. Remove it "
                       f"('memshare rm {name}') and recreate it")
        if problem:
            self.close()
            raise RegionFormatError(f"Region '{name}' {problem}.")
        return header_size, total, fingerprint, payload, stride

    def _corrupt(self, what: str) -> RegionFormatError:
        return RegionFormatError(f"Region '{self.name}' has a corrupt header: {what}. Remove it "
                                 f"('memshare rm {self.name}') and recreate it.")


# ---------------------------------------------------------------------------------------------------- raw regions

class RawRegion(_Region):
    """A region without a header (SharedMemory in .NET): just its bytes, at the same offsets for every process."""

    @property
    def size(self) -> int:
        return self._m.size

    @property
    def buf(self) -> memoryview:
        """The bytes in place; release every slice of it before close()."""
        return memoryview(self._check_open().mm)

    def read(self, offset: int = 0, length: int = -1) -> bytes:
        m = self._check_open()
        if length < 0:
            length = m.size - offset
        if offset < 0 or offset + length > m.size:
            raise ValueError(f"Range {offset}+{length} is outside region '{self.name}' of {m.size} bytes.")
        return m.mm[offset:offset + length]

    def write(self, offset: int, data: bytes) -> None:
        m = self._check_open()
        if offset < 0 or offset + len(data) > m.size:
            raise ValueError(f"Range {offset}+{len(data)} is outside region '{self.name}' of {m.size} bytes.")
        m.mm[offset:offset + len(data)] = data


# ---------------------------------------------------------------------------------------------------- snapshots

class _Snapshot(_Region):
    """A double-buffered payload: the seqlock reader and the robust-lock writer of docs/format.md."""

    def _open_snapshot(self, kind: int):
        header_size, total, fingerprint, payload, stride = self._header(kind)
        if header_size < _SNAPSHOT_END or stride == 0 or stride % 64 or header_size + 2 * stride > total:
            self.close()
            raise self._corrupt(f"header size {header_size} and slot stride {stride} do not fit total size {total}")
        self._slots, self._stride, self.read_retries = header_size, stride, 0
        return header_size, fingerprint, payload, stride

    @property
    def version(self) -> int:
        """Completed writes so far."""
        return self._load8(_SEQUENCE)

    @property
    def recoveries(self) -> int:
        """Writers that died holding the lock and were recovered from."""
        return self._load8(_RECOVERIES)

    def _load8(self, offset: int) -> int:
        m = self._check_open()
        if _ATOMICS is not None:
            return _ATOMICS.load8(m.base + offset, _Atomics.ACQUIRE)
        if not _TSO:
            _need_atomics(self.name, "reading")
        return m.u64(offset)

    def _read(self, copy, timeout):
        """Reader protocol: s1 = acquire-load Sequence; copy slot s1 & 1; full fence; accept if Sequence is unchanged.
        copy(mapping, slot_offset) must copy out (never keep a view) and may return anything."""
        m = self._check_open()
        a = _ATOMICS
        if a is None and not _TSO:
            _need_atomics(self.name, "reading")
        seq = m.base + _SEQUENCE
        deadline = None if timeout is None else time.monotonic() + timeout
        tries = 0
        while True:
            s1 = a.load8(seq, a.ACQUIRE) if a else m.u64(_SEQUENCE)
            result = copy(m, self._slots + (s1 & 1) * self._stride)
            if a:
                a.fence(a.SEQ_CST)  # orders the copy before the re-read; pairs with the writer's exchange
            s2 = a.load8(seq, a.ACQUIRE) if a else m.u64(_SEQUENCE)
            if s1 == s2:
                return result
            tries += 1
            self.read_retries += 1
            if tries % 16 == 0:
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"Region '{self.name}': no consistent copy within {timeout} s; writers publish "
                                       "faster than this process can copy. Retry, or slow the writers down.")
                os.sched_yield()

    def _write(self, fill, timeout):
        """Writer protocol: take the robust lock, fill slot (s+1) & 1, publish s+1 with an exchange, release."""
        m = self._check_open()
        a = _need_atomics(self.name, "writing")
        self._acquire(a, m, timeout)
        try:
            s = a.load8(m.base + _SEQUENCE, a.ACQUIRE)
            fill(m, self._slots + ((s + 1) & 1) * self._stride)
            a.exchange8(m.base + _SEQUENCE, s + 1, a.SEQ_CST)  # full fence: the slot's bytes become visible first
            return s + 1
        finally:
            # Release; after an error nothing was published, and the next writer overwrites the half-filled slot.
            a.store8(m.base + _WRITER_LOCK, 0, a.RELEASE)

    def _acquire(self, a: _Atomics, m: _Mapping, timeout) -> bool:
        """Robust lock (RobustLock.cs): CAS 0 -> token; wait while a live owner holds it; take it from a dead owner
        and count a recovery. True if recovered."""
        word, me = m.base + _WRITER_LOCK, owner_token()
        if a.cas8(word, 0, me):
            return False
        deadline = None if timeout is None else time.monotonic() + timeout
        rounds = 0
        while True:
            owner = a.load8(word, a.ACQUIRE)
            if owner == 0:
                if a.cas8(word, 0, me):
                    return False
                continue
            if rounds >= 64 and rounds % 64 == 0 and not is_alive(owner):
                if a.cas8(word, owner, me):  # the owner died mid-write; what it wrote was never published
                    a.fetch_add8(m.base + _RECOVERIES, 1, a.SEQ_CST)
                    return True
                continue
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"Timed out after {timeout} s waiting for the writer lock of '{self.name}', held by "
                                   f"process {owner & 0xFFFFFFFF}.")
            rounds += 1
            time.sleep(0 if rounds < 256 else 0.001)


class SharedString(_Snapshot):
    """A string slot (Kind 2): get() never returns a torn string; set() is crash-safe."""

    def __init__(self, name: str, allow_other_owner: bool = False) -> None:
        super().__init__(name, allow_other_owner)
        header_size, _, capacity, stride = self._open_snapshot(KIND_STRING)
        if not 0 < capacity <= _STRING_MAX_CAPACITY or stride != _align64(4 + capacity) or header_size != 128:
            self.close()
            raise self._corrupt(f"capacity {capacity} does not match slot stride {stride}")
        self.capacity = capacity

    def get_bytes(self, timeout=None) -> bytes:
        """The current string's UTF-8 bytes, exactly as one writer stored them."""
        capacity = self.capacity

        def copy(m, slot):
            length = m.i32(slot)
            return length, (m.mm[slot + 4:slot + 4 + length] if 0 <= length <= capacity else b"")

        length, data = self._read(copy, timeout)
        if not 0 <= length <= capacity:
            raise self._corrupt(f"the stored length {length} exceeds the capacity {capacity}")
        return data

    def get(self, timeout=None) -> str:
        """The current string (invalid UTF-8, which only a byte writer can store, becomes U+FFFD)."""
        return self.get_bytes(timeout).decode("utf-8", "replace")

    def set(self, text, timeout=None) -> int:
        """Stores text (str or UTF-8 bytes); returns the new version. ValueError, changing nothing, if too long;
        TimeoutError if a live writer holds the lock for longer than timeout seconds (None: wait)."""
        data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else bytes(text)
        if len(data) > self.capacity:
            raise ValueError(f"The string is {len(data)} UTF-8 bytes but string slot '{self.name}' holds at most "
                             f"{self.capacity}; the slot was not changed. Create the slot with a larger capacity.")

        def fill(m, slot):
            m.mm[slot + 4:slot + 4 + len(data)] = data
            struct.pack_into("<i", m.mm, slot, len(data))

        return self._write(fill, timeout)


class SharedValue(_Snapshot):
    """A SharedValue<T> region (Kind 1) seen as raw payload bytes: the layout of T must be agreed on by other means
    (this module does not check the fingerprint; type_name and fingerprint say what .NET stored)."""

    def __init__(self, name: str, allow_other_owner: bool = False) -> None:
        super().__init__(name, allow_other_owner)
        header_size, self.fingerprint, size, stride = self._open_snapshot(KIND_VALUE)
        if header_size != _VALUE_HEADER or stride != _align64(size) or size == 0:
            self.close()
            raise self._corrupt(f"header size {header_size} and slot stride {stride} do not match a {size}-byte value")
        self.payload_size = size
        raw = self._m.mm[_TYPE_NAME:_TYPE_NAME + _TYPE_NAME_SIZE]
        self.type_name = raw.split(b"\0", 1)[0].decode("utf-8", "replace")

    def read(self, timeout=None) -> bytes:
        """A copy of the current payload (payload_size bytes) that some writer stored completely."""
        size = self.payload_size
        return self._read(lambda m, slot: m.mm[slot:slot + size], timeout)

    def write(self, data: bytes, timeout=None) -> int:
        """Publishes data, which must be exactly payload_size bytes; returns the new version."""
        data = bytes(data)
        if len(data) != self.payload_size:
            raise ValueError(f"Value '{self.name}' holds a {self.type_name} of {self.payload_size} bytes, but "
                             f"{len(data)} bytes were given; nothing was written. Pass exactly {self.payload_size}.")

        def fill(m, slot):
            m.mm[slot:slot + len(data)] = data

        return self._write(fill, timeout)


def layout_fingerprint(size: int, name: str, leaves) -> int:
    """The fingerprint .NET stores for a SharedValue<T> (docs/format.md, "Value fingerprint"): size is sizeof(T),
    name the .NET type name ("Quote", "Pair`2[Int16,Price]"), leaves (offset, kind) pairs such as (0, "float64"),
    (4, "char16[16]") or (8, "Price(16)"), one per field of T. Compare it with SharedValue.fingerprint to check
    that this mirror of T matches the .NET one."""
    line = " ".join(["memshare-layout/2", str(size), name]
                    + [f"{offset}:{kind}" for offset, kind in sorted(leaves, key=lambda leaf: (leaf[0], leaf[1].encode("utf-8")))])
    h = 0xCBF29CE484222325
    for b in line.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


# ---------------------------------------------------------------------------------------------------- locks

class SharedLock(_Region):
    """A lock region (Kind 4), to look at: who holds it and how often it was taken from a dead owner. This module
    does not take or release Memshare locks."""

    def __init__(self, name: str, allow_other_owner: bool = False) -> None:
        super().__init__(name, allow_other_owner)
        header_size, total, _, _, _ = self._header(KIND_LOCK)
        if header_size != _LOCK_END or total != _LOCK_END:
            self.close()
            raise self._corrupt(f"header size {header_size} and total size {total} do not form a lock (both are "
                                f"{_LOCK_END})")

    @property
    def owner(self) -> int:
        """The holder's owner token (pid in the low 32 bits), 0 if free; is_alive(owner) says whether it still runs."""
        return self._check_open().u64(_LOCK_OWNER)

    @property
    def recoveries(self) -> int:
        """How many times an acquirer took the lock over from a dead owner."""
        return self._check_open().u64(_LOCK_RECOVERIES)


# ---------------------------------------------------------------------------------------------------- channels

class SharedChannel(_Region):
    """A channel (Kind 3). This module writes single-producer channels and reads single-reader ones (single- and
    multi-producer) as reader 0; broadcast channels are refused."""

    def __init__(self, name: str, allow_other_owner: bool = False) -> None:
        super().__init__(name, allow_other_owner)
        header_size, total, salt, capacity, _ = self._header(KIND_CHANNEL)
        mode, readers, overflow, max_message = _CH_CONFIG.unpack_from(self._m.mm, 64)
        data_offset = (_CH_READERS + _CH_READER_STRIDE * readers + 4095) & ~4095
        if (not 4096 <= capacity <= 1 << 30 or capacity & (capacity - 1) or not 1 <= readers <= 64
                or mode not in (0, 1, 2) or overflow not in (0, 1) or max_message != capacity // 2 - _RECORD_HEADER
                or header_size != data_offset or total != data_offset + capacity):
            self.close()
            raise self._corrupt(f"capacity {capacity}, mode {mode}, readers {readers} and sizes "
                                f"{header_size}/{total} do not form a valid channel")
        if mode == 2:
            self.close()
            raise UnsupportedRegionError(f"Channel '{name}' is a broadcast channel, which memshare.py does not "
                                         "handle; use a single-producer channel, or .NET on this side.")
        self.capacity, self.mode, self.max_message, self.salt = capacity, mode, max_message, salt
        self.mode_name = _MODE_NAMES[mode]
        self._data = header_size
        self._roles = []

    @property
    def completed(self) -> bool:
        """Whether a writer marked the channel complete and no writer attached since."""
        return self._m.u32(_CH_COMPLETED) != 0 if _ATOMICS is None else \
            _ATOMICS.load4(self._check_open().base + _CH_COMPLETED, _Atomics.ACQUIRE) != 0

    @property
    def messages_written(self) -> int:
        return self._m.u64(_CH_MESSAGES)

    def writer(self) -> ChannelWriter:
        """Takes the writer role (single-producer channels only)."""
        w = ChannelWriter(self)
        self._roles.append(w)
        return w

    def reader(self) -> ChannelReader:
        """Attaches as reader 0."""
        r = ChannelReader(self)
        self._roles.append(r)
        return r

    def close(self) -> None:
        for role in getattr(self, "_roles", ()):
            role.close()
        super().close()

    def _committed_end(self, a: _Atomics, position: int) -> int:
        """Past every record with a valid tag from position on (a writer may have died after committing but before
        publishing its position); bounded by one lap."""
        m, cap, scanned = self._m, self.capacity, 0
        while scanned < cap:
            offset = position & (cap - 1)
            if a.load8(m.base + self._data + offset + 8, a.ACQUIRE) != (position ^ self.salt):
                break
            length = m.i32(self._data + offset)
            size = cap - offset if length == _PADDING else _record_size(length)
            if length != _PADDING and (not 0 <= length <= self.max_message or offset + size > cap):
                break
            position += size
            scanned += size
        return position

    def _wake(self, seq: int, waiters: int, count_all: bool) -> None:
        a, base = _ATOMICS, self._m.base
        a.fetch_add4(base + seq, 1, a.SEQ_CST)
        _futex_wake(base + seq, max(1, a.load4(base + waiters, a.ACQUIRE)) if count_all else 1)

    def _sleep(self, seq: int, waiters: int, ready, deadline):
        """The waiter's half of the wake-up protocol: announce in the waiter count once (a full fence), then, until
        ready() or the deadline, read the word, look again and sleep on the word for at most 100 ms. For the first
        20 us after the announcement it looks without sleeping: the .NET channel reads the count without a full
        fence after publishing, so a publish racing the announcement may miss it while its store is still in its
        CPU's store buffer, and such a store is visible within that time (src/Memshare/Sync/SpinThenSleep.cs,
        RaceWindowMicroseconds). Returns ready()'s first truthy value, or None on timeout."""
        a, base = _ATOMICS, self._m.base
        a.fetch_add4(base + waiters, 1, a.SEQ_CST)
        announced = time.monotonic()
        try:
            while True:
                look = time.monotonic()  # only a look that starts after the window may end in a sleep
                word = a.load4(base + seq, a.ACQUIRE)  # before the check: a wake after it moves the word
                result = ready()
                if result:
                    return result
                remaining = _MAX_SLEEP if deadline is None else deadline - time.monotonic()
                if remaining <= 0:
                    return None
                if look - announced >= _RACE_WINDOW:
                    _futex_wait(base + seq, word, remaining)
                elif hasattr(os, "sched_yield"):
                    os.sched_yield()  # a peer we just woke may be on this CPU
        finally:
            a.fetch_add4(base + waiters, 0xFFFFFFFF, a.SEQ_CST)  # -1


class _Role:
    def __init__(self, channel: SharedChannel, what: str) -> None:
        self._ch = channel
        self._a = _need_atomics(channel.name, what)
        self._m = channel._check_open()  # pylint: disable=protected-access
        self._closed = False

    def _check(self) -> None:
        if self._closed or self._m.mm is None:
            raise ValueError(f"This {type(self).__name__} of channel '{self._ch.name}' is closed.")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError

    def _claim(self, word: int, role: str, hint: str) -> bool:
        """Takes a role word from 0 or from a dead owner (True if the latter); ChannelBusyError if a live process holds it."""
        a, me = self._a, owner_token()
        if a.cas8(word, 0, me):
            return False
        owner = a.load8(word, a.ACQUIRE)
        if owner == me or is_alive(owner) or not a.cas8(word, owner, me):
            raise self._busy(role, owner, hint)
        return True

    def _busy(self, role: str, owner: int, hint: str) -> ChannelBusyError:
        return ChannelBusyError(f"Channel '{self._ch.name}' already has a {role} (process {owner & 0xFFFFFFFF}); "
                                f"a {self._ch.mode_name} channel allows one at a time. Close it first, or {hint}.")


class ChannelWriter(_Role):
    """The writer role of a single-producer channel: records committed by their tag, published by position."""

    def __init__(self, channel: SharedChannel) -> None:
        super().__init__(channel, "writing a channel")
        if channel.mode != 0:
            raise UnsupportedRegionError(f"Channel '{channel.name}' is {channel.mode_name}; memshare.py writes only "
                                         "single-producer channels. Use .NET for this writer.")
        a, base = self._a, self._m.base
        word = base + _CH_WRITER_LOCK
        if self._claim(word, "writer", "wait for that writer to finish"):
            a.fetch_add8(base + _CH_RECOVERIES, 1, a.SEQ_CST)  # taken from a writer that died
        try:
            self._sync_tail()
        except BaseException:
            a.store8(word, 0, a.RELEASE)  # a corrupt channel must not leave the role held by a live process
            raise
        a.exchange4(base + _CH_COMPLETED, 0, a.SEQ_CST)  # a writer that attaches reopens a completed channel
        self.sent = 0

    def _sync_tail(self) -> None:
        """Recovery: starts at the published position and skips records a dead writer committed but never
        published; checks every value read, since another process wrote it."""
        a, m, ch = self._a, self._m, self._ch
        cap, data = ch.capacity, ch._data  # pylint: disable=protected-access
        tail = a.load8(m.base + _CH_POSITION, a.ACQUIRE)
        sequence = a.load8(m.base + _CH_MESSAGES, a.ACQUIRE)
        if tail >= 1 << 63 or tail & 15 or sequence >= 1 << 63:
            raise ch._corrupt(f"writer position {tail} or message count {sequence} is invalid")
        for _ in range(cap // 16):
            offset = tail & (cap - 1)
            if a.load8(m.base + data + offset + 8, a.ACQUIRE) != (tail ^ ch.salt):
                break
            length = m.i32(data + offset)
            if length == _PADDING:
                tail += cap - offset
                continue
            if not 0 <= length <= ch.max_message or offset + _record_size(length) > cap:
                raise ch._corrupt(f"record at position {tail} has length {length}")
            # The record holds the low 32 bits of its number; the full one is the nearest to the count we have.
            delta = (m.u32(data + offset + 4) - sequence) & 0xFFFFFFFF
            sequence += (delta - (1 << 32) if delta >= (1 << 31) else delta) + 1
            tail += _record_size(length)
        self._tail, self._sequence = tail, sequence
        self._head = self._slowest_reader()
        a.store8(m.base + _CH_MESSAGES, sequence, a.RELEASE)
        a.store8(m.base + _CH_POSITION, tail, a.RELEASE)

    def _slowest_reader(self) -> int:
        a, m, ch = self._a, self._m, self._ch
        p = a.load8(m.base + _CH_READERS, a.ACQUIRE)  # single-producer: one reader
        if p > self._tail or self._tail - p > ch.capacity:
            raise ch._corrupt(f"reader 0 position {p} is outside the ring behind writer position {self._tail}")
        return p

    def _fits(self, length: int, head: int) -> bool:
        cap = self._ch.capacity
        offset = self._tail & (cap - 1)
        size = _record_size(length)
        padding = cap - offset if cap - offset < size else 0
        return self._tail + padding + size - head <= cap

    def try_send(self, message: bytes) -> bool:
        """Copies message into the channel; False if there is no room now. ValueError if it is too large."""
        self._check()
        ch, a, m = self._ch, self._a, self._m
        message = bytes(message)
        length = len(message)
        if length > ch.max_message:
            raise ValueError(f"A message of {length} bytes is larger than channel '{ch.name}' accepts "
                             f"({ch.max_message} bytes, half its capacity less a 16-byte header); nothing was "
                             "written. Split the message or create the channel with a larger capacity.")
        if not self._fits(length, self._head):
            self._head = self._slowest_reader()
            if not self._fits(length, self._head):
                return False
        cap, salt, data = ch.capacity, ch.salt, m.base + ch._data  # pylint: disable=protected-access
        offset = self._tail & (cap - 1)
        if cap - offset < _record_size(length):
            # The record would cross the ring's end: commit a padding record that fills it.
            struct.pack_into("<iI", m.mm, ch._data + offset, _PADDING, self._sequence & 0xFFFFFFFF)
            a.store8(data + offset + 8, self._tail ^ salt, a.RELEASE)
            self._tail += cap - offset
            offset = 0
        position = self._tail
        rec = ch._data + offset
        struct.pack_into("<iI", m.mm, rec, length, self._sequence & 0xFFFFFFFF)
        m.mm[rec + _RECORD_HEADER:rec + _RECORD_HEADER + length] = message
        a.store8(data + offset + 8, position ^ salt, a.RELEASE)  # the commit: pairs with the reader's tag load
        self._tail = position + _record_size(length)
        self._sequence += 1
        a.store8(m.base + _CH_MESSAGES, self._sequence, a.RELEASE)
        a.store8(m.base + _CH_LATEST, position, a.RELEASE)
        a.exchange8(m.base + _CH_POSITION, self._tail, a.SEQ_CST)  # full fence before we look for sleepers
        if a.load4(m.base + _CH_DATA_WAITERS, a.ACQUIRE):
            ch._wake(_CH_DATA_SEQ, _CH_DATA_WAITERS, count_all=False)
        self.sent += 1
        return True

    def send(self, message: bytes, timeout=None) -> None:
        """Writes message, waiting for room; TimeoutError after timeout seconds (None: as long as it takes)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        length = len(message)
        while not self.try_send(message):
            def room():
                self._head = self._slowest_reader()
                return self._fits(length, self._head)

            if self._ch._sleep(_CH_SPACE_SEQ, _CH_SPACE_WAITERS, room, deadline) is None:
                raise TimeoutError(f"Timed out after {timeout} s waiting for room in channel '{self._ch.name}' "
                                   f"({self.sent} messages sent); its reader is not reading.")

    def complete(self) -> None:
        """Marks the channel complete: once drained, readers see the end instead of waiting."""
        self._check()
        self._a.exchange4(self._m.base + _CH_COMPLETED, 1, self._a.SEQ_CST)
        self._ch._wake(_CH_DATA_SEQ, _CH_DATA_WAITERS, count_all=True)

    def close(self) -> None:
        """Gives up the writer role (if we still hold it)."""
        if not self._closed and self._m.mm is not None:
            self._a.cas8(self._m.base + _CH_WRITER_LOCK, owner_token(), 0)
        self._closed = True


class ChannelReader(_Role):
    """Reader 0 of a single-reader channel; its position in the channel is durable across processes."""

    def __init__(self, channel: SharedChannel) -> None:
        super().__init__(channel, "reading a channel")
        a, m, ch, me = self._a, self._m, channel, owner_token()
        self._owner = m.base + _CH_READERS + 8
        self._claim(self._owner, "reader 0", "wait for that reader to finish")
        tail = a.load8(m.base + _CH_POSITION, a.ACQUIRE)
        position = a.load8(m.base + _CH_READERS, a.ACQUIRE)
        if tail < 1 << 63 and position > tail:
            tail = ch._committed_end(a, tail)  # pylint: disable=protected-access
        if position >= 1 << 63 or position & 15 or position > tail or tail - position > ch.capacity:
            a.cas8(self._owner, me, 0)
            raise ch._corrupt(f"reader 0 position {position} is not within the ring behind writer position {tail}")
        self._position = position
        self.received = 0

    def _next(self):
        """(ring offset, length) of the committed record at our position, skipping padding; None if none yet."""
        a, m, ch = self._a, self._m, self._ch
        cap, data = ch.capacity, ch._data  # pylint: disable=protected-access
        while True:
            offset = self._position & (cap - 1)
            if a.load8(m.base + data + offset + 8, a.ACQUIRE) != (self._position ^ ch.salt):
                return None  # not committed yet (or an older lap's bytes)
            length = m.i32(data + offset)
            if length == _PADDING:
                self._position += cap - offset
                continue
            if not 0 <= length <= ch.max_message or offset + _record_size(length) > cap:
                raise ch._corrupt(f"record at position {self._position} has length {length}")
            return offset, length

    def try_recv(self):
        """The next message (bytes), consumed; None if none is waiting."""
        self._check()
        found = self._next()
        if found is None:
            return None
        offset, length = found
        a, m, ch = self._a, self._m, self._ch
        start = ch._data + offset + _RECORD_HEADER  # pylint: disable=protected-access
        message = m.mm[start:start + length]
        self._position += _record_size(length)
        a.exchange8(m.base + _CH_READERS, self._position, a.SEQ_CST)  # full fence before we look for sleepers
        if a.load4(m.base + _CH_SPACE_WAITERS, a.ACQUIRE):
            ch._wake(_CH_SPACE_SEQ, _CH_SPACE_WAITERS, count_all=True)
        self.received += 1
        return message

    def recv(self, timeout=None):
        """The next message, waiting for one; None once the channel is complete and drained; TimeoutError if
        nothing arrives within timeout seconds (None: wait as long as it takes)."""
        message = self.try_recv()
        if message is not None:
            return message
        deadline = None if timeout is None else time.monotonic() + timeout
        ch = self._ch

        def ready():
            if self._next() is not None:
                return "data"
            # Look again after seeing the mark: a message committed before complete() may have landed meanwhile.
            if ch.completed and self._next() is None:
                return "done"
            return None

        outcome = ch._sleep(_CH_DATA_SEQ, _CH_DATA_WAITERS, ready, deadline)  # pylint: disable=protected-access
        if outcome == "data":
            return self.try_recv()
        if outcome == "done":
            return None
        raise TimeoutError(f"No message arrived on channel '{ch.name}' within {timeout} s "
                           f"({self.received} received so far).")

    def close(self) -> None:
        """Releases reader 0; its position stays, so the next reader resumes here."""
        if not self._closed and self._m.mm is not None:
            self._a.cas8(self._owner, owner_token(), 0)
        self._closed = True


# ---------------------------------------------------------------------------------------------------- command line

_EXIT_OK, _EXIT_FAILURE, _EXIT_INVALID, _EXIT_NOT_FOUND, _EXIT_DENIED, _EXIT_TIMEOUT = 0, 1, 2, 3, 5, 6


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise ValueError(message)


def _out(data: bytes) -> None:
    sys.stdout.buffer.write(data)


def _cmd_get(args) -> None:
    with SharedString(args.name) as s:
        _out(s.get_bytes() + b"\n")


def _cmd_set(args) -> None:
    with SharedString(args.name) as s:
        data = args.text.encode("utf-8", "surrogateescape")
        version = s.set(data, timeout=args.timeout)
        print(f"Set '{args.name}' to {len(data)} of {s.capacity} bytes (version {version}).")


def _cmd_value_read(args) -> None:
    with SharedValue(args.name) as v:
        print(v.read().hex())


def _cmd_value_write(args) -> None:
    try:
        data = bytes.fromhex(args.hex)
    except ValueError:
        raise ValueError(f"'{args.hex[:40]}' is not hex; give the payload as hex digits, two per byte.") from None
    with SharedValue(args.name) as v:
        version = v.write(data, timeout=args.timeout)
        print(f"Wrote {len(data)} bytes to '{args.name}' ({v.type_name}, version {version}).")


def _cmd_send(args) -> None:
    with SharedChannel(args.name) as ch, ch.writer() as w:
        for line in sys.stdin.buffer:
            w.send(line[:-1] if line.endswith(b"\n") else line)  # waits while the channel is full
        w.complete()
        print(f"Sent {w.sent} messages to '{args.name}' and marked it complete.")


def _cmd_recv(args) -> None:
    if args.count is not None and args.count < 0:
        raise ValueError(f"--count must be 0 or more, not {args.count}.")
    with SharedChannel(args.name) as ch, ch.reader() as r:
        try:
            while args.count is None or r.received < args.count:
                message = r.try_recv()
                if message is None:
                    sys.stdout.flush()  # idle: what arrived so far goes out now
                    message = r.recv(timeout=args.timeout)
                    if message is None:
                        break  # complete and drained
                _out(message + b"\n")
        finally:
            sys.stdout.flush()


def main(argv=None) -> int:
    """The command line; returns the exit code (0 ok, 1 failure, 2 invalid input, 3 not found, 5 denied, 6 timeout)."""
    parser = _Parser(prog="memshare.py", description="Memshare regions from Python.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("get", help="print the string in a string slot")
    p.add_argument("name")
    p.set_defaults(run=_cmd_get)
    p = sub.add_parser("set", help="store TEXT in an existing string slot")
    p.add_argument("name")
    p.add_argument("text")
    p.add_argument("--timeout", type=float, default=None, help="seconds to wait for a live writer (default: wait)")
    p.set_defaults(run=_cmd_set)
    p = sub.add_parser("value-read", help="print a SharedValue's payload as hex")
    p.add_argument("name")
    p.set_defaults(run=_cmd_value_read)
    p = sub.add_parser("value-write", help="publish a SharedValue's payload given as hex")
    p.add_argument("name")
    p.add_argument("hex")
    p.add_argument("--timeout", type=float, default=None)
    p.set_defaults(run=_cmd_value_write)
    p = sub.add_parser("send", help="send each stdin line to a single-producer channel; complete it at EOF")
    p.add_argument("name")
    p.set_defaults(run=_cmd_send)
    p = sub.add_parser("recv", help="print each message of a channel followed by a newline")
    p.add_argument("name")
    p.add_argument("--count", type=int, default=None, help="exit 0 after this many messages")
    p.add_argument("--timeout", type=float, default=None, help="seconds to wait for each message; exit 6 after")
    p.set_defaults(run=_cmd_recv)
    try:
        args = parser.parse_args(argv)
        args.run(args)
        return _EXIT_OK
    except RegionNotFoundError as e:
        code, message = _EXIT_NOT_FOUND, str(e)
    except TimeoutError as e:
        code, message = _EXIT_TIMEOUT, str(e)
    except PermissionError as e:
        code, message = _EXIT_DENIED, str(e)
    except ValueError as e:
        code, message = _EXIT_INVALID, str(e)
    except (MemshareError, OSError) as e:
        code, message = _EXIT_FAILURE, str(e)
    except KeyboardInterrupt:
        code, message = 130, "interrupted"
    sys.stderr.write(f"memshare.py: {message}\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
