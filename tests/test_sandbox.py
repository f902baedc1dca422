"""The query worker's sandbox: what it forbids, what it kills, what comes back."""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path

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


# ---------------------------------------------------------------- the pool


def _add(context: int, a: int, b: int) -> int:
    return context + a + b


def _pid(context: object) -> int:
    return os.getpid()


def _spin(context: object) -> None:
    while True:
        pass


def _connect(context: str) -> None:
    with socket.create_connection(("127.0.0.1", int(context)), timeout=2):
        pass


def _start_program(context: object) -> None:
    subprocess.run(["true"])


def _read(context: object, path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def _segfault(context: object) -> None:
    ctypes.string_at(0)


def _grow(context: object) -> bytearray:
    return bytearray(3 * 1024**3)


def _fail(context: object) -> None:
    raise ValueError("from the job")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture
def pool():
    with contextlib.closing(sandbox.Pool(40, 2, sandbox.Limits(None, 512 * 1024**2))) as p:
        yield p


def test_a_pool_answers_from_pre_started_workers(pool: sandbox.Pool) -> None:
    """The workers are forked once and reused (the same pids answer), holding the context
    they were forked with; errors come back as raised; a job costs a round trip."""
    workers = set(pool.pids)
    assert len(workers) == 2 and os.getpid() not in workers
    assert pool.run(_add, 1, 1) == 42
    with pytest.raises(ValueError, match="from the job"):
        pool.run(_fail)
    start = time.monotonic()
    seen = {pool.run(_pid) for _ in range(200)}
    assert seen <= workers and set(pool.pids) == workers
    assert (time.monotonic() - start) / 200 < 0.02, "a job should cost a round trip"


@pytest.mark.skipif(not SECCOMP, reason="seccomp filter is for Linux x86-64 and arm64")
def test_a_pool_worker_has_the_sandbox_of_a_single_one(tmp_path) -> None:
    """No socket, program or open in a pool worker; the one that tried is killed and
    replaced, and the pool still answers."""
    secret = tmp_path / "secret.txt"
    secret.write_text("not for queries")
    with canary() as target:
        port = target.url.rsplit(":", 1)[1].split("/")[0]
        with contextlib.closing(sandbox.Pool(port, 1)) as pool:
            first = pool.pids
            with pytest.raises(sandbox.WorkerViolation):
                pool.run(_connect)
            assert target.hits == 0
            assert pool.pids != first  # replaced
            with pytest.raises(sandbox.WorkerViolation):
                pool.run(_start_program)
            with pytest.raises(PermissionError):
                pool.run(_read, str(secret))
            assert pool.run(_pid) in pool.pids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_pool_runaway_is_killed_at_its_time_and_replaced(pool: sandbox.Pool) -> None:
    start = time.monotonic()
    with pytest.raises(sandbox.WorkerTimeout, match=r"longer than 0\.5 s"):
        pool.run(_spin, timeout=0.5)
    assert time.monotonic() - start < 2.0
    for pid in pool.pids:  # both idle and fresh: the runaway's CPU is freed at once
        assert _cpu_seconds(pid) < 0.3
    tasks = Path(f"/proc/{os.getpid()}/task").iterdir()
    children = {int(c) for task in tasks for c in (task / "children").read_text().split()}
    assert set(pool.pids) <= children
    assert pool.run(_add, 0, 2) == 42


def test_a_pool_crash_is_that_jobs_alone(pool: sandbox.Pool) -> None:
    with pytest.raises(sandbox.WorkerCrashed, match="SIGSEGV"):
        pool.run(_segfault)
    with pytest.raises((MemoryError, sandbox.WorkerCrashed)):
        pool.run(_grow)
    assert [pool.run(_add, 1, 1) for _ in range(4)] == [42] * 4 and len(pool.pids) == 2


def test_pool_workers_stop_with_the_pool() -> None:
    pool = sandbox.Pool(0, 2)
    pids = pool.pids
    pool.close()
    assert pool.pids == []
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped, not left as zombies


RUNAWAY = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_queries_through_the_pool_and_remembered_verdicts(kg: KnowledgeGraph) -> None:
    """A server's queries: a worker of the pool, the guard's verdict kept for a repeated text
    (accepted only: a refused text is refused again), a runaway stopped and replaced."""
    from govkg import sparql_guard
    from govkg.query import QueryRefused, worker_pool

    with contextlib.closing(worker_pool(kg, 1)) as p:
        text = "ASK { ?s gk:iso3166Code ?code }"
        assert run_query(kg, Query.from_text(text), pool=p).boolean is True
        assert sparql_guard.remembered(text) is not None
        assert run_query(kg, Query.from_text(text), pool=p).boolean is True
        assert run_query(kg, Query.canned("plaques"), pool=p).rows
        hostile = "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"
        for _ in range(2):
            with pytest.raises(QueryRefused):
                run_query(kg, Query.from_text(hostile), pool=p)
        assert sparql_guard.remembered(hostile) is None
        with pytest.raises(QueryTimeout):
            run_query(
                kg,
                Query.from_text("SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"),
                timeout=1,
                pool=p,
            )
        assert run_query(kg, Query.from_text(text), pool=p).boolean is True


def test_pool_workers_can_yield_the_cpu() -> None:
    """Workers for request text run niced: a runaway among them yields to the server."""
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    with contextlib.closing(sandbox.Pool(0, 1, nice=5)) as niced:
        (pid,) = niced.pids
        assert niced.run(_pid) == pid
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(mine + 5, 19)
