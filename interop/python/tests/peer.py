#!/usr/bin/env python3
"""The Python side of tests/Memshare.Tests/Interop/Python*.cs: one scenario per run, results as lines on stdout.

    python3 peer.py SCENARIO ARGS...

The deterministic data (channel messages, self-validating strings and values) is defined the same way on the
C# side (PythonPeerData.cs, and Patterns.StringFor / Octet in Memshare.Tests.Child); change both together.
"""

import hashlib
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import memshare  # noqa: E402  pylint: disable=wrong-import-position

ALPHABET = "abcdefghijklmnopqrstuvwxyzäö€"  # as Patterns.Alphabet


def say(*parts) -> None:
    print(*parts, flush=True)


def message(seed: int, index: int, max_message: int) -> bytes:
    """Message index of a stream: SHA-256 of "seed:index" gives its length (0..max_message) and its bytes."""
    digest = hashlib.sha256(f"{seed}:{index}".encode()).digest()
    length = int.from_bytes(digest[:4], "little") % (max_message + 1)
    return (digest * (length // 32 + 1))[:length]


def string_for(k: int) -> str:
    """As Patterns.StringFor: "k:" then one character repeated; character and count are functions of k."""
    u = k & 0xFFFFFFFFFFFFFFFF
    return f"{k}:" + ALPHABET[u % len(ALPHABET)] * (1 + (u * 7919 & 0xFFFFFFFFFFFFFFFF) % 200)


def parse_string(text: str):
    """k if text is exactly string_for(k), -1 for the empty new slot, None if torn."""
    if text == "":
        return -1
    head, sep, _ = text.partition(":")
    if not sep or not head.isdigit():
        return None
    k = int(head)
    return k if text == string_for(k) else None


def octet(k: int) -> bytes:
    return struct.pack("<8q", *([k] * 8))


# ---------------------------------------------------------------------------------------------------- channels

def channel_recv(name, seed, count):
    """Receives until the channel is complete; checks count, order and every byte."""
    with memshare.SharedChannel(name) as ch, ch.reader() as r:
        say("attached")
        for i in range(int(count) + 1):
            got = r.recv(timeout=30)
            if got is None:
                say("completed", i)
                return
            want = message(int(seed), i, ch.max_message)
            if got != want:
                say("mismatch", i, len(got), len(want))
                return
        say("too-many", int(count) + 1)


def channel_send(name, seed, count, first="0"):
    """Sends messages first, first+1, ... (count of them; 0: until killed, for at most a minute), then completes.
    first "auto" continues after the messages the channel already holds (a writer taking over from a dead one)."""
    with memshare.SharedChannel(name) as ch, ch.writer() as w:
        start = ch.messages_written if first == "auto" else int(first)
        say("start", start)
        deadline = time.monotonic() + 60
        i = 0
        while i < int(count) or (int(count) == 0 and time.monotonic() < deadline):
            w.send(message(int(seed), start + i, ch.max_message), timeout=30)
            i += 1
        w.complete()
        say("sent", w.sent)


# ---------------------------------------------------------------------------------------------------- consistency

def reading(reads, distinct, seen):
    """Read counts: at least `reads`, and on until `distinct` values were seen (a loaded machine may run the writer
    only now and then), for at most a minute."""
    deadline = time.monotonic() + 60
    n = 0
    while n < int(reads) or (len(seen) < int(distinct) and time.monotonic() < deadline):
        n += 1
        yield n


def string_reads(name, reads, distinct):
    """Reads a string slot many times while another process writes it; reports torn copies and distinct values."""
    torn, seen, last = 0, set(), -2
    regress = n = 0
    with memshare.SharedString(name) as s:
        say("ready")
        start = time.monotonic()
        for n in reading(reads, distinct, seen):
            k = parse_string(s.get(timeout=30))
            if k is None:
                torn += 1
                continue
            regress += k < last
            last = k
            seen.add(k)
        say("reads", n, "torn", torn, "distinct", len(seen), "regressions", regress, "retries", s.read_retries,
            "ms", int((time.monotonic() - start) * 1000))


def value_reads(name, reads, distinct):
    torn, seen, last, regress, n = 0, set(), -2, 0, 0
    with memshare.SharedValue(name) as v:
        say("ready", v.type_name, v.payload_size)
        start = time.monotonic()
        for n in reading(reads, distinct, seen):
            fields = struct.unpack("<8q", v.read(timeout=30))
            if len(set(fields)) != 1:
                torn += 1
                continue
            regress += fields[0] < last
            last = fields[0]
            seen.add(fields[0])
        say("reads", n, "torn", torn, "distinct", len(seen), "regressions", regress, "retries", v.read_retries,
            "ms", int((time.monotonic() - start) * 1000))


def string_writes(name, writes):
    with memshare.SharedString(name) as s:
        say("ready")
        for k in range(int(writes)):
            s.set(string_for(k), timeout=30)
        say("wrote", writes, "version", s.version)


def value_writes(name, writes):
    with memshare.SharedValue(name) as v:
        say("ready")
        for k in range(1, int(writes) + 1):
            v.write(octet(k), timeout=30)
        say("wrote", writes, "version", v.version)


# ---------------------------------------------------------------------------------------------------- raw regions

def raw_reply(name, size):
    """As plain.py attach, through memshare.RawRegion: checks .NET's pattern in the first half, replies in the second."""
    half = int(size) // 2
    with memshare.RawRegion(name) as r:
        if r.read(0, half) != bytes(1 + (i * 31 + (i >> 8) + 7 * 131) % 255 for i in range(half)):
            say("mismatch")
            return
        r.write(half, bytes(1 + (i * 31 + (i >> 8) + 9 * 131) % 255 for i in range(half, 2 * half)))
        say("ok", r.size)


def hold(name):
    """Holds the region (a shared flock, as every Memshare holder) until a line arrives on stdin, then closes it."""
    with memshare.RawRegion(name):
        say("holding")
        sys.stdin.readline()
    say("closed")


# ---------------------------------------------------------------------------------------------------- locks

def hold_lock(name):
    """Takes the string slot's writer lock and keeps it until killed."""
    s = memshare.SharedString(name)
    s._acquire(memshare._need_atomics(name, "test"), s._m, None)  # pylint: disable=protected-access
    say("holding", memshare.owner_token())
    time.sleep(120)


def token():
    say(memshare.owner_token())


# ---------------------------------------------------------------------------------------------------- golden images

_LEAF_FORMATS = {"int8": "b", "uint8": "B", "int16": "h", "uint16": "H", "int32": "i", "uint32": "I", "int64": "q",
                 "uint64": "Q", "float32": "f", "float64": "d"}


def holder(what, token):
    """ "WHAT free", or "WHAT pid P alive|dead" for an owner token."""
    if token == 0:
        return f"{what} free"
    return f"{what} pid {token & 0xFFFFFFFF} {'alive' if memshare.is_alive(token) else 'dead'}"


def golden(name, kind, *leaves):
    """Prints the manifest lines of a golden image (tests/golden) copied into name, as C# and peer.c do. A value's
    leaves (OFFSET:KIND) say how to decode its fields, and must give the fingerprint the region stores."""
    if kind == "value":
        with memshare.SharedValue(name) as v:
            payload = v.read()
            say("kind value")
            say("type", v.type_name)
            say(f"fingerprint 0x{v.fingerprint:016x}")
            say("size", v.payload_size)
            say("sequence", v.version)
            say("payload", payload.hex())
            parsed = [(int(o), k) for o, k in (leaf.split(":") for leaf in leaves)]
            for offset, k in parsed:
                say("field", offset, k, struct.unpack_from("<" + _LEAF_FORMATS[k], payload, offset)[0])
            mirror = memshare.layout_fingerprint(v.payload_size, v.type_name, parsed)
            if mirror != v.fingerprint:
                sys.exit(f"layout_fingerprint of {parsed} is 0x{mirror:016x}; the region stores 0x{v.fingerprint:016x}")
    elif kind == "string":
        with memshare.SharedString(name) as s:
            text = s.get_bytes()
            say("kind string")
            say("capacity", s.capacity)
            say("sequence", s.version)
            say("length", len(text))
            say(f"text {text.hex()}" if text else "text")
    elif kind == "lock":
        with memshare.SharedLock(name) as lock:
            say("kind lock")
            say(holder("owner", lock.owner))
            say("recoveries", lock.recoveries)
    elif kind == "channel":
        with memshare.SharedChannel(name) as ch:
            u64 = ch._m.u64  # pylint: disable=protected-access  (positions no public property reports)
            tail, messages = u64(memshare._CH_POSITION), ch.messages_written  # pylint: disable=protected-access
            say("kind channel")
            say("capacity", ch.capacity)
            say("mode", ch.mode)
            say("messages", messages)
            say("writer-position", tail)
            say("reader-0-position", u64(memshare._CH_READERS))  # pylint: disable=protected-access
            say(holder("writer", u64(memshare._CH_WRITER_LOCK)))  # pylint: disable=protected-access
            with ch.reader() as r:
                while (message := r.try_recv()) is not None:
                    say(f"message {len(message)} {message.hex()}" if message else "message 0")
            # A record header at the writer position without its tag, carrying the next sequence number: a writer
            # died mid-record.
            record = ch._data + (tail & (ch.capacity - 1))  # pylint: disable=protected-access
            length, sequence, tag = struct.unpack_from("<iIQ", ch._m.mm, record)  # pylint: disable=protected-access
            if tag != tail ^ ch.salt and sequence == messages & 0xFFFFFFFF and 0 <= length <= ch.max_message:
                say("uncommitted", tail, "length", length, "sequence", sequence)
            else:
                say("uncommitted none")
    else:
        sys.exit(f"unknown golden kind {kind!r}")


# ---------------------------------------------------------------------------------------------------- errors

def expect_error(kind, name, *rest):
    """Opens name as kind (and, for 'set', stores rest[0]); prints 'ExceptionType|message' or 'ok'."""
    opener = {"string": memshare.SharedString, "set": memshare.SharedString, "value": memshare.SharedValue,
              "channel": memshare.SharedChannel, "raw": memshare.RawRegion, "writer": memshare.SharedChannel}[kind]
    try:
        with opener(name) as region:
            if kind == "set":
                region.set(rest[0])
            elif kind == "writer":
                region.writer().close()
        say("ok")
    except Exception as e:  # pylint: disable=broad-except
        say(f"{type(e).__name__}|{e}")


def without_atomics(name):
    """As on a machine without libatomic: reading a string still works on x86-64 (plain loads stay in order there),
    writing is refused with AtomicsUnavailableError."""
    memshare._ATOMICS = None  # pylint: disable=protected-access
    with memshare.SharedString(name) as s:
        try:
            say("get", s.get())
        except memshare.AtomicsUnavailableError as e:
            say(f"{type(e).__name__}|{e}")  # not x86-64: readers need atomics too
        try:
            s.set("refused")
            say("set-worked")
        except memshare.AtomicsUnavailableError as e:
            say(f"{type(e).__name__}|{e}")


SCENARIOS = {f.__name__.replace("_", "-"): f for f in (channel_recv, channel_send, string_reads, value_reads,
                                                         string_writes, value_writes, raw_reply, hold,
                                                         hold_lock, token, golden, expect_error,
                                                         without_atomics)}

if __name__ == "__main__":
    SCENARIOS[sys.argv[1]](*sys.argv[2:])
