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
request with it. `run` forks a worker for one call; a server keeps a `Pool` of workers
forked once after the graph is loaded, each given job after job and replaced when killed.
Where fork or seccomp are missing the work runs without that layer, and
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
import weakref
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
        return (
            "worker processes (pre-started for a server, one per query otherwise): seccomp "
            "(no sockets, programs or opens), rlimits, kill"
        )
    return "worker processes (pre-started for a server, one per query otherwise): rlimits, kill"


def _address_space() -> int:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _lock_down(limits: Limits, keep: set[int], *, cpu: bool = True) -> None:
    """In a fresh worker: no descriptors but `keep` (and 0-2 on /dev/null), no core file,
    the CPU (when `cpu`) and address-space limits, then the seccomp filter."""
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    kept = sorted({0, 1, 2, *keep})
    for low, high in zip(kept, [*kept[1:], 65536], strict=True):
        os.closerange(low + 1, high)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if cpu and limits.timeout is not None:
        seconds = int(limits.timeout) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    if limits.memory_bytes is not None:
        cap = _address_space() + WORKER_STACK_BYTES + limits.memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    _install_seccomp()
    threading.stack_size(WORKER_STACK_BYTES)


def _answer(fn: Callable[..., Any], args: tuple[Any, ...]) -> bytes:
    """fn(*args) on a thread with a big stack, as the pickled (ok, value) a worker sends."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = (True, fn(*args))
        except BaseException as err:
            box["value"] = (False, err)

    worker = threading.Thread(target=work, name="govkg-worker")
    worker.start()
    worker.join()
    try:
        return pickle.dumps(box["value"], protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as err:  # an unpicklable value or error: send its words instead
        return pickle.dumps((False, WorkerError(f"{type(err).__name__}: {err}")))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _child(fn: Callable[..., Any], args: tuple[Any, ...], limits: Limits, out: int) -> None:
    """Runs in the forked worker: lock down, do the work, send (ok, value), exit."""
    code = 0
    try:
        _lock_down(limits, {out})
        _write_all(out, _answer(fn, args))
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
    if os.WIFSIGNALED(wstatus) or not data:
        raise _failure(wstatus)
    return _unpickled(data)


def _unpickled(data: bytes) -> Any:
    try:
        ok, value = pickle.loads(data)
    except Exception as err:  # an error the parent cannot rebuild: its words
        raise WorkerError(f"the worker's answer could not be read: {err}") from None
    if ok:
        return value
    raise value


def _failure(wstatus: int) -> WorkerError:
    """What a worker that ended without (all of) its answer did, from its wait status."""
    if os.WIFSIGNALED(wstatus):
        number = os.WTERMSIG(wstatus)
        if number == signal.SIGSYS:
            return WorkerViolation("tried to open a network connection or start a program")
        name = (
            signal.Signals(number).name if number in signal.Signals._value2member_map_ else number
        )
        if number in (signal.SIGXCPU, signal.SIGKILL):
            return WorkerTimeout(f"used up its CPU time and was stopped ({name})")
        return WorkerCrashed(f"the worker crashed ({name})", number)
    if os.WIFEXITED(wstatus) and os.WEXITSTATUS(wstatus) >= EXIT_CODES_FOR_WORK:
        return WorkerExited(os.WEXITSTATUS(wstatus))
    return WorkerCrashed(f"the worker stopped without an answer (exit {wstatus >> 8})")


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


# ---------------------------------------------------------------- the pool

_HEADER = struct.Struct("!Q")


def _serve_jobs(context: Any, requests: int, answers: int, limits: Limits, nice: int) -> None:
    """A pool worker: lock down once, then answer jobs (fn, args, timeout) until EOF."""
    code = 0
    try:
        if nice:
            os.nice(nice)
        _lock_down(limits, {requests, answers}, cpu=False)
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        while True:
            message = _read_message(requests, None)
            if message is None:
                break
            fn, args, timeout = pickle.loads(message)
            if timeout is not None:  # the CPU limit is the process's: from what it used so far
                usage = resource.getrusage(resource.RUSAGE_SELF)
                soft = int(usage.ru_utime + usage.ru_stime + timeout) + 2
                if hard != resource.RLIM_INFINITY:
                    soft = min(soft, hard)
                resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
            payload = _answer(fn, (context, *args))
            _write_all(answers, _HEADER.pack(len(payload)) + payload)
    except BaseException:
        code = 70
    finally:
        os._exit(code)


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes | None:
    """`size` bytes; None at EOF; TimeoutError past the deadline."""
    chunks: list[bytes] = []
    while size:
        if deadline is not None:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_message(fd: int, deadline: float | None) -> bytes | None:
    header = _read_exactly(fd, _HEADER.size, deadline)
    if header is None:
        return None
    return _read_exactly(fd, _HEADER.unpack(header)[0], deadline)


@dataclass(eq=False)
class _Worker:
    pid: int
    requests: int  # the parent's write end of the worker's job pipe
    answers: int  # the parent's read end of its answer pipe


def _stop(workers: set[_Worker]) -> None:
    for worker in list(workers):
        _end(worker)
    workers.clear()


def _end(worker: _Worker) -> None:
    """Close a worker's pipes, kill it and reap it (once: its fields are cleared)."""
    for fd in (worker.requests, worker.answers):
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)
    worker.requests = worker.answers = -1
    if worker.pid > 0:
        _kill(worker.pid)
    worker.pid = -1


class Pool:
    """Pre-started sandboxed workers, each forked from this process once and then given job
    after job, so running work costs a round trip through a pipe, not a new process.

    The workers see `context` (the loaded graph) as it was when they were forked (memory
    shared copy-on-write): the caller makes the pool after the graph is complete and does
    not change it after (a server's graph does not change). Each worker has the limits of
    `run`'s single workers (seccomp, no descriptors but its pipes, address space, no core
    file) and a CPU limit set before each job; a job past its time has its worker killed at
    once (SIGKILL) and replaced, and so does one that crashes, breaks the sandbox or exits:
    only that job fails. `fn` and its arguments are pickled (fn by name: a module-level
    function), `fn(context, *args)` runs in the worker, and its answer is pickled back.
    """

    def __init__(
        self, context: Any, size: int, limits: Limits = Limits(), *, nice: int = 0
    ) -> None:
        if not can_fork():
            raise RuntimeError("a worker pool needs fork")
        self.context = context
        self.size = size
        self.limits = limits
        self.nice = nice
        """Added to the workers' nice value: work that may run away yields the CPU to the
        rest of the process (pages, other queries) while it runs."""
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._missing = 0
        self._closed = False
        self._finalizer = weakref.finalize(self, _stop, self._all)
        for _ in range(size):
            self._idle.append(self._spawn())

    @property
    def pids(self) -> list[int]:
        with self._cond:
            return sorted(w.pid for w in self._all)

    def _spawn(self) -> _Worker:
        job_read, job_write = os.pipe()
        answer_read, answer_write = os.pipe()
        with warnings.catch_warnings():  # 3.12+ warns about fork in threaded processes
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # pragma: no cover - the worker
            os.close(job_write)
            os.close(answer_read)
            _serve_jobs(self.context, job_read, answer_write, self.limits, self.nice)
        os.close(job_read)
        os.close(answer_write)
        worker = _Worker(pid, job_write, answer_read)
        with self._cond:
            self._all.add(worker)
        return worker

    def _take(self) -> _Worker:
        with self._cond:
            while not self._idle:
                if self._closed:
                    raise WorkerError("the worker pool is closed")
                if self._missing:
                    self._missing -= 1
                    break
                self._cond.wait()
            else:
                return self._idle.pop()
        try:  # a worker that could not be replaced before: try again
            return self._spawn()
        except OSError as err:
            with self._cond:
                self._missing += 1
            raise WorkerCrashed(f"no worker could be started: {err}") from None

    def _give_back(self, worker: _Worker) -> None:
        with self._cond:
            if self._closed:
                self._all.discard(worker)
                _end(worker)
                return
            self._idle.append(worker)
            self._cond.notify()

    def _replace(self, worker: _Worker) -> None:
        with self._cond:
            self._all.discard(worker)
        _end(worker)
        try:
            fresh = self._spawn()
        except OSError:
            with self._cond:
                self._missing += 1
                self._cond.notify()
            return
        self._give_back(fresh)

    def run(self, fn: Callable[..., Any], *args: Any, timeout: float | None = None) -> Any:
        """fn(context, *args) in a worker: its value or exception, else a WorkerError."""
        job = pickle.dumps((fn, args, timeout), protocol=pickle.HIGHEST_PROTOCOL)
        worker = self._take()
        healthy = False
        try:
            try:
                _write_all(worker.requests, _HEADER.pack(len(job)) + job)
                deadline = None if timeout is None else time.monotonic() + timeout
                answer = _read_message(worker.answers, deadline)
            except TimeoutError:
                raise WorkerTimeout(f"ran longer than {timeout:g} s and was stopped") from None
            except BrokenPipeError:
                answer = None
            if answer is None:  # the worker died: how, from its status
                _, wstatus = _wait(worker.pid)
                worker.pid = -1
                raise _failure(wstatus)
            healthy = True
            return _unpickled(answer)
        finally:
            if healthy:
                self._give_back(worker)
            else:
                self._replace(worker)

    def close(self) -> None:
        """Stop every worker (those running a job are killed)."""
        with self._cond:
            self._closed = True
            self._idle.clear()
            self._cond.notify_all()
        self._finalizer()


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
