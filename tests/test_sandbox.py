"""The query worker's sandbox: what it forbids, what it kills, what comes back."""

from __future__ import annotations

import ctypes
import os
import platform
import socket
import subprocess
import sys
import time

import pytest

from canary import canary
from govkg import sandbox
from govkg.errors import InputSyntaxError
from govkg.load import KnowledgeGraph
from govkg.query import Query, QueryTimeout, run_query

SECCOMP = sys.platform == "linux" and platform.machine() in ("x86_64", "aarch64")
LIMITS = sandbox.Limits(timeout=10)


def test_the_answer_and_the_errors_come_back() -> None:
    assert sandbox.run(lambda a, b: a + b, 2, 3, limits=LIMITS) == 5
    with pytest.raises(ZeroDivisionError):
        sandbox.run(lambda: 1 / 0, limits=LIMITS)
    err = InputSyntaxError("bad token", "q.rq", 3, 7)
    with pytest.raises(InputSyntaxError) as caught:
        sandbox.run(lambda: (_ for _ in ()).throw(err), limits=LIMITS)
    assert str(caught.value) == "q.rq:3:7: bad token" and caught.value.line == 3


@pytest.mark.skipif(not SECCOMP, reason="seccomp filters exist on Linux x86-64 and arm64 only")
def test_no_socket_can_be_made() -> None:
    with canary() as target:

        def connect() -> None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.connect(("127.0.0.1", target.port))

        with pytest.raises(sandbox.WorkerViolation):
            sandbox.run(connect, limits=LIMITS)
        assert target.hits == 0
        socket.create_connection(("127.0.0.1", target.port), timeout=2).close()
        deadline = time.monotonic() + 2
        while target.hits == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert target.hits == 1  # the canary itself works: outside the sandbox it is reached


@pytest.mark.skipif(not SECCOMP, reason="seccomp filters exist on Linux x86-64 and arm64 only")
def test_no_program_can_be_started_and_no_file_opened(tmp_path) -> None:
    with pytest.raises(sandbox.WorkerViolation):
        sandbox.run(lambda: subprocess.run(["true"]), limits=LIMITS)
    with pytest.raises(sandbox.WorkerViolation):
        sandbox.run(os.fork, limits=LIMITS)
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    with pytest.raises(PermissionError):
        sandbox.run(lambda: secret.read_text(), limits=LIMITS)


def test_a_runaway_is_killed_at_its_time() -> None:
    pids: list[int] = []

    def spin() -> None:
        while True:
            pass

    original = os.fork

    def recording_fork() -> int:
        pid = original()
        if pid:
            pids.append(pid)
        return pid

    os.fork = recording_fork
    try:
        start = time.monotonic()
        with pytest.raises(sandbox.WorkerTimeout):
            sandbox.run(spin, limits=sandbox.Limits(timeout=0.5))
        assert time.monotonic() - start < 1.5
    finally:
        os.fork = original
    with pytest.raises(ProcessLookupError):  # reaped: gone, not a zombie
        os.kill(pids[0], 0)


def test_a_crash_is_the_workers_alone() -> None:
    with pytest.raises(sandbox.WorkerCrashed, match="SIGSEGV"):
        sandbox.run(lambda: ctypes.string_at(0), limits=LIMITS)
    with pytest.raises(sandbox.WorkerCrashed, match="SIGABRT"):
        sandbox.run(os.abort, limits=LIMITS)
    assert sandbox.run(lambda: "still here", limits=LIMITS) == "still here"


def test_memory_is_capped() -> None:
    with pytest.raises((MemoryError, sandbox.WorkerCrashed)):
        sandbox.run(lambda: bytearray(3 * 1024**3), limits=sandbox.Limits(10, 512 * 1024**2))


def test_queries_run_in_the_sandbox(kg: KnowledgeGraph) -> None:
    """A trusted canned query and an ad-hoc one both answer; a runaway one is stopped."""
    assert run_query(kg, Query.canned("plaques")).rows
    assert run_query(kg, Query.from_text("ASK { ?s ?p ?o }")).boolean is True
    start = time.monotonic()
    with pytest.raises(QueryTimeout, match="longer than 1 s"):
        run_query(kg, Query.from_text("SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"), timeout=1)
    assert time.monotonic() - start < 2.5


def test_status_says_how_queries_are_isolated() -> None:
    words = sandbox.status()
    assert ("seccomp" in words) == SECCOMP and "worker" in words
