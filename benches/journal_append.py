#!/usr/bin/env python3
"""What one usage-journal append costs the kernel, by the two ways of appending: a `write()` to an
O_APPEND file (the journal until 2026-12-07: every answer lengthens the file, so ext4 also
journals its new size), against a copy into a preallocated (`posix_fallocate`), shared memory
mapping (the journal now: no system call). 100,000 appends of 400 bytes (about one event's
record) in a temporary directory on the file system of DIR (default: the system's temp dir),
three rounds; a plain copy into memory is printed as the floor (Python's own loop overhead).

    python3 benches/journal_append.py [DIR]
"""
import mmap
import os
import sys
import tempfile
import time

RECORD = b"x" * 400
APPENDS = 100_000
SEGMENT = 4 << 20


def copy_into(buffer):
    used = 0
    started = time.perf_counter()
    for _ in range(APPENDS):
        if used + len(RECORD) > len(buffer):
            used = 0
        buffer[used:used + len(RECORD)] = RECORD
        used += len(RECORD)
    return time.perf_counter() - started


def by_write(path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_TRUNC, 0o644)
    started = time.perf_counter()
    for _ in range(APPENDS):
        os.write(fd, RECORD)
    elapsed = time.perf_counter() - started
    os.close(fd)
    return elapsed


def by_mapping(path):
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    os.posix_fallocate(fd, 0, SEGMENT)
    with mmap.mmap(fd, SEGMENT) as mapped:
        elapsed = copy_into(mapped)
    os.close(fd)
    return elapsed


with tempfile.TemporaryDirectory(dir=sys.argv[1] if len(sys.argv) > 1 else None) as work:
    for round_ in range(1, 4):
        write = by_write(os.path.join(work, "write.journal"))
        mapped = by_mapping(os.path.join(work, "mapped.journal"))
        floor = copy_into(bytearray(SEGMENT))
        per = lambda seconds: seconds / APPENDS * 1e6
        print(f"round {round_}: write() {per(write):.2f} µs, mapped copy {per(mapped):.2f} µs, "
              f"memory copy {per(floor):.2f} µs per 400-byte append")
