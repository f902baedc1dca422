"""Graphs a command-line run leaves to the end of the process instead of freeing them.

Freeing a million-triple pyoxigraph store takes about half a second (0.46 s measured on the
2-core machine, nearly all of it the store's own drop), which a process about to exit gains
nothing from. The console entry point turns holding on; it then ends the process with
`os._exit` once its output is flushed (as mypy does), so what is held is never torn down.
Library use is unaffected: holding is off unless the entry point turns it on.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from typing import Any, NoReturn

_held: list[Any] = []
_holding = False


def hold_until_exit() -> None:
    """From now on `hold` keeps what it is given (the console entry point only)."""
    global _holding
    _holding = True


def hold(obj: Any) -> None:
    """Keep `obj` alive to the end of the process, where it is not freed (if holding is on)."""
    if _holding:
        _held.append(obj)


def end(code: Any) -> NoReturn:
    """Exit with `code`; skip the interpreter's teardown when that would only free what is
    held and nothing else is still running (no thread left to wait for)."""
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if _held and isinstance(code, int) and not any(not t.daemon for t in others):
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # the caller reported what failed
                stream.flush()
        os._exit(code)
    sys.exit(code)
