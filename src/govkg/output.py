"""Writing results: atomically to a file, or to standard output; progress for people only."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from govkg.errors import BadInput


def write_output(path: Path | str | None, data: bytes | str) -> None:
    """Write to `path` atomically (temp file + rename), or to stdout when `path` is None/'-'.

    On any failure the old file is untouched and no partial file remains.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path is None or str(path) == "-":
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        return
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BadInput(f"{target}: cannot write: folder {folder} does not exist")
    tmp_name = None
    try:
        with tempfile.NamedTemporaryFile(
            "wb", dir=folder, prefix=f".{target.name}.", suffix=".tmp", delete=False
        ) as tmp:
            tmp_name = tmp.name
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        if target.exists():
            os.chmod(tmp_name, target.stat().st_mode & 0o777)
        else:
            os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as err:
        raise BadInput(f"{target}: cannot write: {err.strerror or err}") from None
    finally:
        if tmp_name is not None and os.path.exists(tmp_name):
            os.unlink(tmp_name)


def is_terminal(stream: IO[str] | None = None) -> bool:
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator[callable]:
    """A progress bar on a terminal's stderr; silent when piped or redirected.

    Yields `advance(n=1)`; callers report steps whether or not anyone is watching.
    """
    if not is_terminal():
        yield lambda n=1: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
