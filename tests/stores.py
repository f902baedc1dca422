"""Real triple stores on loopback for the remote tests: the Oxigraph server and Virtuoso.

Each server gets a free port on 127.0.0.1 and its own data folder under the test's tmp
folder; it is stopped by its PID in teardown. A server that cannot start fails the test with
its log: CI never passes by skipping (.ci/run installs Virtuoso; `oxigraph` is in the test
extra).
"""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

import needs

GRAPH = "https://w3id.org/govkg/graph/test"


@dataclass
class Store:
    """A running store: where to query, where its Graph Store is, the credentials it takes."""

    name: str
    query_url: str
    store_url: str
    env: dict[str, str] = field(default_factory=dict)
    log: Path | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _program(name: str, hint: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if not found:
        pytest.fail(f"{name} is not installed ({hint}); the remote-store tests need it")
    return found


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait(proc: subprocess.Popen[bytes], url: str, log: Path, seconds: float = 90.0) -> None:
    """Until the endpoint answers an ASK; fail with the server's log if it exits or hangs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{url}: the server exited with {proc.returncode}:\n{_log_tail(log)}")
        try:
            r = httpx.get(url, params={"query": "ASK {}"}, timeout=2.0)
            if r.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    _stop(proc)
    pytest.fail(f"{url}: the server did not answer within {seconds:g} s:\n{_log_tail(log)}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server we started, by its PID."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def oxigraph_server(folder: Path) -> Iterator[Store]:
    program = _program("oxigraph", "pip install oxigraph")
    port = free_port()
    log = folder / "oxigraph.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [program, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(proc, f"{base}/query", log)
        yield Store("oxigraph", f"{base}/query", f"{base}/store", log=log)
    finally:
        _stop(proc)


VIRTUOSO_USER = "govkg"
VIRTUOSO_PASSWORD = "govkg-test-only"


def _virtuoso_ini(folder: Path, sql_port: int, http_port: int) -> Path:
    """A private virtuoso.ini: its own database folder, both ports on 127.0.0.1 only."""
    db = folder / "db"
    db.mkdir()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        f"""[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 5
CheckpointInterval = 60
CaseMode = 2
NumberOfBuffers = 2000
MaxDirtyBuffers = 1200
ThreadsPerQuery = 1
DirsAllowed = .

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
MaxClientConnections = 5
ServerThreads = 5
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
""",
        encoding="utf-8",
    )
    return ini


def _isql(isql: str, sql_port: int, statements: str, log: Path) -> None:
    done = subprocess.run(
        [isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={statements}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        pytest.fail(f"isql failed: {done.stdout}\n{done.stderr}\n{_log_tail(log)}")


def virtuoso_server(folder: Path) -> Iterator[Store]:
    needs.require("virtuoso")  # skipped naming it when missing, failed under CI
    program = _program("virtuoso-t", "apt-get install virtuoso-opensource")
    isql = _program("isql-vt", "apt-get install virtuoso-opensource")
    sql_port, http_port = free_port(), free_port()
    ini = _virtuoso_ini(folder, sql_port, http_port)
    log = folder / "virtuoso.out"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [program, "+foreground", "+configfile", str(ini)],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait(proc, f"{base}/sparql", log)
        # a user of its own, in the SPARQL_UPDATE role: Virtuoso's authenticated endpoints
        # (/sparql-auth, /sparql-graph-crud-auth, HTTP Digest) then let it write
        _isql(
            isql,
            sql_port,
            f"DB.DBA.USER_CREATE('{VIRTUOSO_USER}', '{VIRTUOSO_PASSWORD}'); "
            f'GRANT SPARQL_UPDATE TO "{VIRTUOSO_USER}";',
            log,
        )
        yield Store(
            "virtuoso",
            f"{base}/sparql",
            f"{base}/sparql-graph-crud-auth",
            env={
                "GOVKG_ENDPOINT_USER": VIRTUOSO_USER,
                "GOVKG_ENDPOINT_PASSWORD": VIRTUOSO_PASSWORD,
            },
            log=log,
        )
    finally:
        _stop(proc)


SERVERS = {"oxigraph": oxigraph_server, "virtuoso": virtuoso_server}


# ---- a fault-injecting proxy in front of a store ---------------------------------------------


@dataclass
class Faults:
    """What the proxy does to the requests that pass it (reset by each test).

    `fail_chunk`: the index (0, 1, …) of the Graph Store request (PUT/POST to the store's
    Graph Store path) answered with `fault` instead of reaching the store: "500" (an HTTP 500
    "disk full") or "drop" (the connection closed without an answer). `refuse_update`: every
    SPARQL Update is answered 403. `fail_final`: the update that MOVEs or ADDs is answered 500.
    `swallow_chunk`: that Graph Store request is answered 204 and not passed on. `fail_drop`:
    a DROP once a chunk has been seen is answered 500.
    """

    fail_chunk: int | None = None
    fault: str = "500"
    swallow_chunk: int | None = None  # answered 204 but not passed on: the store "loses" it
    fail_drop: bool = False  # a DROP after the first chunk is answered 500
    refuse_update: bool = False
    fail_final: bool = False
    chunks_seen: int = 0


@contextlib.contextmanager
def serving(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A threaded HTTP server on a free loopback port for the test's own handler: its base
    URL while the block runs, shut down and joined after it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class FaultProxy:
    """A loopback HTTP proxy to one store that injects `faults`; stopped by `close()`."""

    def __init__(self, upstream: str, store_path: str) -> None:
        self.faults = Faults()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                path = self.path.split("?", 1)[0]
                faults = proxy.faults
                if self.command in ("PUT", "POST") and path == store_path:
                    index = faults.chunks_seen
                    faults.chunks_seen += 1
                    if index == faults.fail_chunk:
                        return self._fault(faults.fault)
                    if index == faults.swallow_chunk:
                        return self._reply(204, b"")
                is_update = b"update=" in body or self.headers.get("content-type", "").startswith(
                    "application/sparql-update"
                )
                if is_update and faults.refuse_update:
                    return self._reply(403, b"SPARQL Update is not permitted here")
                if is_update and faults.fail_drop and faults.chunks_seen and b"DROP" in body:
                    return self._reply(500, b"cannot drop now")
                if is_update and faults.fail_final and (b"MOVE" in body or b"ADD" in body):
                    return self._reply(500, b"disk full")
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length", "connection")
                }
                answer = httpx.request(
                    self.command, upstream + self.path, headers=headers, content=body, timeout=60
                )
                self.send_response(answer.status_code)
                for k, v in answer.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def _reply(self, status: int, text: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def _fault(self, fault: str) -> None:
                if fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self._reply(500, b"disk full")

            do_GET = do_POST = do_PUT = do_DELETE = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
