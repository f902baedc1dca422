"""Reading a user's file: bounded, never blocking, regular files only.

A path may name a FIFO, a device such as /dev/zero, or a symlink to one; `stat()` reports
no useful size for those, so the file is opened without blocking and checked on the open
descriptor (no race with a rename), and the read stops one byte past the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from govkg.errors import BadInput


def read_bytes(path: Path, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else is BadInput."""
    with open_regular(path, limit, what) as f:
        chunks: list[bytes] = []
        size = 0
        try:
            while size <= limit:
                chunk = f.read(min(1 << 22, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        except OSError as err:
            raise BadInput(f"{path}: cannot read: {err.strerror or err}") from None
        if size > limit:  # it grew while being read
            raise BadInput(f"{path}: more than the {limit} bytes govkg reads")
        return b"".join(chunks)


def open_regular(path: Path, limit: int, what: str = "file") -> BinaryIO:
    """A regular file of at most `limit` bytes, opened unbuffered (for streaming readers,
    which must still stop at `limit` if it grows); anything else is BadInput."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise BadInput(f"{path}: cannot read: {err.strerror or err}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise BadInput(f"{path}: is a folder, not a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise BadInput(f"{path}: not a regular file (a device, FIFO or socket); give a {what}")
        if info.st_size > limit:
            raise BadInput(f"{path}: {info.st_size} bytes is more than the {limit} govkg reads")
        return os.fdopen(fd, "rb", buffering=0)
    except OSError as err:
        os.close(fd)
        raise BadInput(f"{path}: cannot read: {err.strerror or err}") from None
    except BaseException:
        os.close(fd)
        raise


def decode_utf8(data: bytes, source: str) -> str:
    """Text of UTF-8 bytes; where it is not UTF-8, say where (line and column)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise BadInput(
            f"{source}:{line}:{column}: not UTF-8 text (byte 0x{data[err.start]:02x})"
        ) from None
