"""Writing results: atomically to a file, or to standard output; progress for people only."""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO

from govkg.errors import BadInput


def write_output(path: Path | str | None, data: bytes | str) -> None:
    """Write to `path` atomically (temp file + rename), or to stdout when `path` is None/'-'.

    On any failure the old file is untouched and no partial file remains.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with open_output(path) as out:
        out.write(payload)


@contextmanager
def open_output(path: Path | str | None) -> Iterator[BinaryIO]:
    """A binary stream to write a result into; the result appears only if the block succeeds.

    - None or '-': standard output (a full disk is one-line BadInput; a closed pipe raises
      BrokenPipeError, which the CLI turns into a silent exit).
    - a regular file, new or old: a temp file beside it, renamed over it at the end; through
      a symlink, the link's target is replaced and the link stays a link.
    - an existing device node or FIFO (/dev/null, a named pipe): written into directly; a
      non-regular file is never replaced by a regular one.
    """
    if path is None or str(path) == "-":
        out = sys.stdout.buffer
        with _writing("standard output"):
            sys.stdout.flush()
            yield out
            out.flush()
        return
    shown = Path(path)
    target = Path(os.path.realpath(shown))  # a symlink's target; the link itself stays
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise BadInput(f"{shown}: cannot write: {err.strerror or err}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise BadInput(f"{shown}: cannot write: is a folder")
    if mode is not None and not stat.S_ISREG(mode):
        with _writing(str(shown)), open(target, "wb") as out:
            yield out
        return
    folder = target.parent
    if not folder.is_dir():
        raise BadInput(f"{shown}: cannot write: folder {folder} does not exist")
    tmp_name = None
    try:
        with _writing(str(shown)):
            with tempfile.NamedTemporaryFile(
                "wb", dir=folder, prefix=f".{target.name}.", suffix=".tmp", delete=False
            ) as tmp:
                tmp_name = tmp.name
                yield tmp
                tmp.flush()
                os.fsync(tmp.fileno())
            os.chmod(tmp_name, (mode & 0o7777) if mode is not None else 0o644)
            os.replace(tmp_name, target)
            tmp_name = None
    finally:  # also on SIGTERM (the CLI unwinds) and Ctrl-C
        if tmp_name is not None and os.path.exists(tmp_name):
            os.unlink(tmp_name)


@contextmanager
def _writing(name: str) -> Iterator[None]:
    """OSErrors while writing as one-line BadInput; a broken pipe is left to the CLI."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as err:
        if err.errno == errno.EPIPE:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe") from None
        raise BadInput(f"{name}: cannot write: {err.strerror or err}") from None


def is_terminal(stream: IO[str] | None = None) -> bool:
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


_bar: Any = None  # the one rich Progress on screen; nested steps add tasks to it


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """A progress bar on a terminal's stderr; silent when piped or redirected.

    Yields `advance(n=1)`; callers report steps whether or not anyone is watching. Nested
    calls (loading inside an export) show as further lines of the same display.
    """
    global _bar
    if not is_terminal():
        yield lambda n=1: None
        return
    from rich.progress import Progress

    if _bar is not None:
        task = _bar.add_task(description, total=total)
        try:
            yield lambda n=1: _bar.advance(task, n)
        finally:
            _bar.remove_task(task)
        return
    with Progress(transient=True) as bar:
        _bar = bar
        try:
            task = bar.add_task(description, total=total)
            yield lambda n=1: bar.advance(task, n)
        finally:
            _bar = None
