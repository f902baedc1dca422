"""Run untrusted work in a forked worker that cannot reach the network and can be killed.

A query is untrusted text handed to an engine (pyoxigraph) that has its own HTTP client for
SERVICE and that crashes on deeply nested input. Refusing such queries up front
(`govkg.sparql_guard`) is the first line; this is the second, which does not depend on any
parser: the work runs in a child process forked from the caller (so it sees the loaded graph
without copying it) that

- may not create sockets, start programs or processes, nor open files (a seccomp filter, x86-64
  and arm64; the kernel kills the worker with SIGSYS if it tries to create a socket or start
  a program, and answers EACCES to an open);
- has an address-space and a CPU-time limit, writes no core file, and holds no descriptor of
  its parent but the pipe it answers through;
- is killed (SIGKILL) when its time is up, so a runaway query frees its CPU and memory at once.

A worker that dies (a crash, the memory limit, a sandbox violation) takes only its own
request with it. Where fork or seccomp are missing the work runs without that layer, and
`status()` says so.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import pickle
import platform
import resource
import select
import signal
import struct
import sys
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

WORKER_STACK_BYTES = 256 * 1024 * 1024
"""Stack of the thread the work runs on: recursive engines get far before they overflow."""

DEFAULT_MEMORY_BYTES = 4 * 1024 * 1024 * 1024
"""Address space a worker may add to what it inherits from its parent."""


class WorkerError(Exception):
    """The worker did not give an answer."""


class WorkerTimeout(WorkerError):
    """The worker ran past its time and was killed."""


class WorkerViolation(WorkerError):
    """The worker tried something the sandbox forbids (a socket, a program): it was killed."""


class WorkerExited(WorkerError):
    """The work ended the worker on purpose, with an exit code it chose (`exit_now`)."""

    def __init__(self, code: int) -> None:
        super().__init__(f"the worker stopped with exit code {code}")
        self.code = code


class WorkerCrashed(WorkerError):
    """The worker died without answering: a crash or its memory limit."""

    def __init__(self, message: str, signal_number: int | None = None) -> None:
        super().__init__(message)
        self.signal_number = signal_number


@dataclass(frozen=True)
class Limits:
    """What one worker may use: wall time (None: no limit) and extra address space."""

    timeout: float | None = None
    memory_bytes: int | None = DEFAULT_MEMORY_BYTES


EXIT_CODES_FOR_WORK = 80
"""Exit codes from here up are the work's own (`exit_now`), reported as WorkerExited."""


def exit_after(seconds: float, code: int) -> threading.Timer:
    """In a worker: end it with `code` unless the returned timer is cancelled in time."""
    if code < EXIT_CODES_FOR_WORK:
        raise ValueError(f"exit codes for work start at {EXIT_CODES_FOR_WORK}")
    timer = threading.Timer(seconds, os._exit, (code,))
    timer.daemon = True
    timer.start()
    return timer


# ---------------------------------------------------------------- seccomp

# BPF instruction classes (linux/filter.h, linux/bpf_common.h)
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_CLONE_THREAD = 0x00010000
_RET_K = 0x06
_RET_KILL_PROCESS = 0x80000000
_RET_KILL_THREAD = 0x00000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


@dataclass(frozen=True)
class _Syscalls:
    """One architecture's numbers for what the filter looks at."""

    arch: int  # AUDIT_ARCH_*
    x32: int | None  # the x32 ABI bit on x86-64: any such call is killed
    kill: tuple[int, ...]  # socket, socketpair, execve, execveat, fork, vfork, io_uring_setup
    clone: int  # allowed only for threads (CLONE_THREAD): a new process is killed
    clone3: int  # answered ENOSYS: its flags sit in memory BPF cannot read; libc falls back
    deny: tuple[int, ...]  # open, creat, openat, openat2: answered EACCES


_ARCHES: dict[str, _Syscalls] = {
    "x86_64": _Syscalls(
        0xC000003E, 0x40000000, (41, 53, 59, 322, 57, 58, 425), 56, 435, (2, 85, 257, 437)
    ),
    "aarch64": _Syscalls(0xC00000B7, None, (198, 199, 221, 281, 425), 220, 435, (56, 437)),
}


def _filter_program(machine: str, kill_action: int) -> list[tuple[int, int, int, int]]:
    """The BPF program: wrong arch or a forbidden call -> kill; opens -> EACCES; else allow."""
    calls = _ARCHES[machine]
    prog: list[tuple[int, int, int, int]] = [
        (_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (_JEQ_K, 1, 0, calls.arch),
        (_RET_K, 0, 0, kill_action),
        (_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
    ]
    if calls.x32 is not None:
        prog += [(_JGE_K, 0, 1, calls.x32), (_RET_K, 0, 0, kill_action)]
    for nr in calls.kill:
        prog += [(_JEQ_K, 0, 1, nr), (_RET_K, 0, 0, kill_action)]
    for nr in calls.deny:
        prog += [(_JEQ_K, 0, 1, nr), (_RET_K, 0, 0, _RET_ERRNO | errno.EACCES)]
    prog += [(_JEQ_K, 0, 1, calls.clone3), (_RET_K, 0, 0, _RET_ERRNO | errno.ENOSYS)]
    prog += [
        (_JEQ_K, 0, 4, calls.clone),
        (_LD_W_ABS, 0, 0, 16),  # seccomp_data.args[0], low half: the clone flags
        (_JSET_K, 1, 0, _CLONE_THREAD),
        (_RET_K, 0, 0, kill_action),
        (_RET_K, 0, 0, _RET_ALLOW),
    ]
    prog.append((_RET_K, 0, 0, _RET_ALLOW))
    return prog


def _install_seccomp() -> bool:
    """Install the filter on the calling thread (and the threads it starts); False if unable."""
    machine = platform.machine()
    if sys.platform != "linux" or machine not in _ARCHES:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    for action in (_RET_KILL_PROCESS, _RET_KILL_THREAD):  # KILL_PROCESS needs Linux 4.14
        prog = _filter_program(machine, action)
        raw = b"".join(struct.pack("HBBI", *ins) for ins in prog)
        buf = ctypes.create_string_buffer(raw, len(raw))
        fprog = SockFprog(len(prog), ctypes.cast(buf, ctypes.c_void_p))
        if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0:
            return True
    return False


# ---------------------------------------------------------------- the worker


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "emscripten"


def status() -> str:
    """How work is isolated on this machine, in words (for `govkg info` and docs)."""
    if not can_fork():
        return "none: no fork on this platform; queries run in-process, guarded by the parser"
    if sys.platform == "linux" and platform.machine() in _ARCHES:
        return "worker process per query: seccomp (no sockets, programs or opens), rlimits, kill"
    return "worker process per query: rlimits and kill (no seccomp on this platform)"


def _address_space() -> int:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(fn: Callable[..., Any], args: tuple[Any, ...], limits: Limits, out: int) -> None:
    """Runs in the forked worker: lock down, do the work, send (ok, value), exit."""
    code = 0
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        keep = sorted({0, 1, 2, out})
        for low, high in zip(keep, [*keep[1:], 65536], strict=True):
            os.closerange(low + 1, high)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if limits.timeout is not None:
            cpu = int(limits.timeout) + 2
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        if limits.memory_bytes is not None:
            cap = _address_space() + WORKER_STACK_BYTES + limits.memory_bytes
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        _install_seccomp()
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["value"] = (True, fn(*args))
            except BaseException as err:
                box["value"] = (False, err)

        threading.stack_size(WORKER_STACK_BYTES)
        worker = threading.Thread(target=work, name="govkg-worker")
        worker.start()
        worker.join()
        try:
            payload = pickle.dumps(box["value"], protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as err:  # an unpicklable error: send its words instead
            payload = pickle.dumps((False, WorkerError(f"{type(err).__name__}: {err}")))
        view = memoryview(payload)
        while view:
            view = view[os.write(out, view) :]
    except BaseException:
        code = 70
    finally:
        os._exit(code)


def _read_all(fd: int, deadline: float | None) -> tuple[bytes, bool]:
    """(bytes read, whether EOF came before the deadline)."""
    chunks: list[bytes] = []
    while True:
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return b"".join(chunks), False
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)


def run(fn: Callable[..., Any], *args: Any, limits: Limits = Limits()) -> Any:
    """fn(*args) in a sandboxed worker; its return value or exception, else a WorkerError.

    `fn` and `args` are not pickled (the worker is a fork); only the answer comes back.
    """
    if not can_fork():
        return fn(*args)
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():  # 3.12+ warns about fork in threaded processes
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the worker
        os.close(read_end)
        _child(fn, args, limits, write_end)
    os.close(write_end)
    deadline = None if limits.timeout is None else time.monotonic() + limits.timeout
    try:
        data, finished = _read_all(read_end, deadline)
    finally:
        os.close(read_end)
    if not finished:
        _kill(pid)
        raise WorkerTimeout(f"ran longer than {limits.timeout:g} s and was stopped")
    _, wstatus = _wait(pid)
    if os.WIFSIGNALED(wstatus):
        number = os.WTERMSIG(wstatus)
        if number == signal.SIGSYS:
            raise WorkerViolation("tried to open a network connection or start a program")
        name = (
            signal.Signals(number).name if number in signal.Signals._value2member_map_ else number
        )
        if number in (signal.SIGXCPU, signal.SIGKILL):
            raise WorkerTimeout(f"used up its CPU time and was stopped ({name})")
        raise WorkerCrashed(f"the worker crashed ({name})", number)
    if not data:
        if os.WIFEXITED(wstatus) and os.WEXITSTATUS(wstatus) >= EXIT_CODES_FOR_WORK:
            raise WorkerExited(os.WEXITSTATUS(wstatus))
        raise WorkerCrashed(f"the worker stopped without an answer (exit {wstatus >> 8})")
    ok, value = pickle.loads(data)
    if ok:
        return value
    raise value


def _wait(pid: int) -> tuple[int, int]:
    while True:
        try:
            return os.waitpid(pid, 0)
        except InterruptedError:  # pragma: no cover - retried by Python since 3.5
            continue
        except ChildProcessError:
            return pid, 0


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _wait(pid)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
