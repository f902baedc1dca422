"""`govkg serve` over real sockets, with real clients (SPARQLWrapper, rdflib SPARQLStore).

The server runs in a background thread of the test process on 127.0.0.1, port 0; every
request goes to it with urllib / http.client, never anywhere else.
"""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

import pytest
from click.testing import CliRunner

from govkg.cli.main import cli
from govkg.load import KnowledgeGraph
from govkg.serve import GovkgServer, make_server
from govkg.web.admission import MAX_RUNNING

SELECT = "SELECT ?s WHERE { ?s gk:iso3166Code ?iso } ORDER BY ?s LIMIT 3"
GS_BUREAU = "https://w3id.org/govkg/id/org/cn-gs-big-data-bureau"
SRX = "{http://www.w3.org/2005/sparql-results#}"


@contextmanager
def running(kg: KnowledgeGraph, **options: Any) -> Iterator[GovkgServer]:
    """A server on an ephemeral loopback port, serving in a thread until the block ends."""
    server = make_server(kg, "127.0.0.1", 0, quiet=True, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def cli_server(*options: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`govkg serve --port 0 --quiet OPTIONS` in a process of its own: (process, base URL);
    killed at the end unless it has exited."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "govkg", "serve", "--port", "0", "--quiet", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert "http://127.0.0.1:" in line, line
        yield proc, line.split()[4].removesuffix("/sparql")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def base(kg: KnowledgeGraph) -> Iterator[str]:
    """The endpoint's base URL, http://127.0.0.1:PORT."""
    with running(kg) as server:
        yield server.url.removesuffix("/sparql")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that tries to open a connection beyond loopback."""
    real = socket.create_connection

    def guarded(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        assert address[0] in ("127.0.0.1", "localhost", "::1"), f"outbound attempt: {address}"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)


def fetch(
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one request, errors included."""
    assert urlsplit(url).hostname == "127.0.0.1"
    request = Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except HTTPError as err:
        return err.code, dict(err.headers), err.read()


def get(base: str, query: str, accept: str | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {"Accept": accept} if accept else {}
    return fetch(f"{base}/sparql?{urlencode({'query': query})}", headers=headers)


def post_form(base: str, fields: dict[str, str], accept: str | None = None) -> Any:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if accept:
        headers["Accept"] = accept
    return fetch(f"{base}/sparql", data=urlencode(fields).encode(), headers=headers)


def post_query(base: str, query: str, accept: str | None = None) -> Any:
    headers = {"Content-Type": "application/sparql-query"}
    if accept:
        headers["Accept"] = accept
    return fetch(f"{base}/sparql", data=query.encode(), headers=headers)


def json_rows(body: bytes) -> list[tuple[str | None, ...]]:
    doc = json.loads(body)
    names = doc["head"]["vars"]
    return [tuple(b.get(n, {}).get("value") for n in names) for b in doc["results"]["bindings"]]


def plain(rows: list[tuple[Any, ...]]) -> list[tuple[str | None, ...]]:
    return [tuple(None if v is None else str(v) for v in row) for row in rows]


def test_request_body_over_the_limit_is_413(base: str) -> None:
    host, port = urlsplit(base).hostname, urlsplit(base).port
    assert host == "127.0.0.1"
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.putrequest("POST", "/sparql")
        conn.putheader("Content-Type", "application/sparql-query")
        conn.putheader("Content-Length", str(2 * 1024 * 1024))
        conn.endheaders()  # the body is never sent: the server must answer first
        response = conn.getresponse()
        assert response.status == 413 and b"limit" in response.read()
    finally:
        conn.close()


def test_requests_are_logged_one_line_each(kg: KnowledgeGraph, capsys: Any) -> None:
    server = make_server(kg, "127.0.0.1", 0, quiet=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = server.url.removesuffix("/sparql")
        get(base, SELECT)
        get(base, "SELECT * WHERE {")
    finally:
        server.shutdown()
        server.server_close()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and '" 200 ' in lines[0] and '" 400 ' in lines[1]


# ---------------------------------------------------------------- the command


def test_cli_port_in_use_exits_2_with_one_line() -> None:
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen(1)
    try:
        port = held.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port), "--quiet"])
    finally:
        held.close()
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("govkg: error: cannot listen on 127.0.0.1:")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_cli_serves_and_stops_cleanly_on_ctrl_c() -> None:
    with cli_server() as (proc, base):
        status, _, body = get(base, "ASK { ?s ?p ?o }")
        assert status == 200 and json.loads(body)["boolean"] is True
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_cli_processes_share_the_port_and_stop_together() -> None:
    """--processes 2: two server processes (each with its own query workers) answer on the
    one port, pages and queries alike; SIGTERM to the first stops every one of them."""
    with cli_server("--processes", "2") as (proc, base):

        def started() -> bool:  # each with its pools: a worker per slot of both lanes
            found = _children(proc.pid)
            return len(found) == 2 and all(len(_children(int(p))) == 2 * MAX_RUNNING for p in found)

        deadline = time.monotonic() + 30
        while not started() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert started()
        servers = _children(proc.pid)
        for _ in range(20):
            assert get(base, "ASK { ?s ?p ?o }")[0] == 200
        status, _, body = fetch(f"{base}/id/place/cn-gs", headers={"Accept": "text/html"})
        assert status == 200 and b"<svg" in body
        everyone = {int(p) for p in servers} | {
            int(w) for pid in servers for w in _children(int(pid))
        }
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in everyone):
            time.sleep(0.1)
        assert not [p for p in everyone if Path(f"/proc/{p}").exists()]


def test_a_burst_of_clients_is_queued_not_dropped(kg: KnowledgeGraph) -> None:
    """30 clients connecting before the server accepts any: the listen backlog holds them
    all (socketserver's default of 5 left the rest retrying SYNs or reset), and each is
    answered once the server runs."""
    server = make_server(kg, "127.0.0.1", 0, quiet=True)
    port = server.server_address[1]
    clients = []
    try:
        for _ in range(30):
            clients.append(socket.create_connection(("127.0.0.1", port), timeout=2))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        for c in clients:
            c.sendall(
                b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
        for c in clients:
            c.settimeout(30)
            assert c.recv(12) == b"HTTP/1.1 200"
    finally:
        for c in clients:
            c.close()
        server.shutdown()
        server.server_close()


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _cpu_ticks(pid: int) -> int:
    """CPU time of the process and of its reaped children (utime stime cutime cstime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15])


def _children(pid: int) -> set[str]:
    found: set[str] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update((task / "children").read_text().split())
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_twenty_runaways_leave_no_worker_and_no_cpu_behind() -> None:
    """Twenty queries that would run for hours: each is stopped at --timeout (or turned away
    busy), then the server holds only its pool of fresh, idle query workers (each runaway's
    worker was killed, reaped and replaced), uses no CPU and still answers."""
    import os
    import time
    from concurrent.futures import ThreadPoolExecutor

    with cli_server("--timeout", "1") as (proc, base):
        start = time.monotonic()
        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(lambda _: get(base, RUNAWAY), range(20)))
        assert time.monotonic() - start < 20
        stopped = [b for s, _, b in answers if s == 503 and b"was stopped" in b]
        assert all(s == 503 for s, _, _ in answers) and len(stopped) >= 4
        tick = os.sysconf("SC_CLK_TCK")
        workers = _children(proc.pid)
        assert len(workers) == 2 * MAX_RUNNING  # the pool (both lanes), nothing beside it
        for pid in workers:  # each a replacement: the runaways burnt ~1 s of CPU each
            assert _cpu_ticks(int(pid)) / tick < 0.5, f"worker {pid} is not a fresh one"

        def used() -> int:
            return _cpu_ticks(proc.pid) + sum(_cpu_ticks(int(p)) for p in workers)

        before = used()
        time.sleep(1.0)
        idle = (used() - before) / tick
        assert idle < 0.1, f"{idle:.2f} s of CPU in 1 s after the runaways"
        assert _children(proc.pid) == workers
        status, _, body = get(base, "ASK { ?s ?p ?o }")
        assert status == 200 and json.loads(body)["boolean"] is True


# ---------------------------------------------------------------- real clients


def test_sparqlwrapper_select_ask_and_construct_in_its_default_format(base: str) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(f"{base}/sparql")
    client.setQuery(SELECT)
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]
    assert [r["s"]["value"] for r in rows][:1] == ["https://w3id.org/govkg/id/place/cn-ah"]
    client = SPARQLWrapper(f"{base}/sparql")
    client.setQuery(f"ASK {{ <{GS_BUREAU}> ?p ?o }}")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is True
    client = SPARQLWrapper(f"{base}/sparql")  # CONSTRUCT: RDF/XML, parsed into rdflib
    client.setQuery(f"CONSTRUCT {{ <{GS_BUREAU}> ?p ?o }} WHERE {{ <{GS_BUREAU}> ?p ?o }}")
    graph = client.queryAndConvert()
    assert len(graph) > 5
    assert all(str(s) == GS_BUREAU for s in graph.subjects())


def test_rdflib_sparqlstore_select_and_construct(base: str) -> None:
    from rdflib import Graph, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(f"{base}/sparql"))
    rows = list(graph.query(SELECT))
    assert len(rows) == 3 and all(isinstance(r[0], URIRef) for r in rows)
    built = graph.query(f"CONSTRUCT {{ <{GS_BUREAU}> ?p ?o }} WHERE {{ <{GS_BUREAU}> ?p ?o }}")
    assert len(built.graph) > 5
    assert bool(graph.query(f"ASK {{ <{GS_BUREAU}> ?p ?o }}").askAnswer) is True


def test_keep_alive_serves_several_requests_on_one_connection(base: str) -> None:
    host, port = urlsplit(base).hostname, urlsplit(base).port
    assert host == "127.0.0.1"
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request("GET", "/sparql?" + urlencode({"query": SELECT}))
        first = conn.getresponse()
        assert first.status == 200 and first.version == 11 and json_rows(first.read())
        sock = conn.sock
        conn.request("HEAD", "/id/place/cn-gs")
        head = conn.getresponse()
        assert head.status == 200 and int(head.getheader("Content-Length")) > 1000
        assert head.read() == b""
        conn.request(
            "POST", "/sparql", body=SELECT, headers={"Content-Type": "application/sparql-query"}
        )
        third = conn.getresponse()
        assert third.status == 200 and json_rows(third.read())
        assert conn.sock is sock  # the same TCP connection throughout
    finally:
        conn.close()


def test_every_status_over_the_wire(base: str) -> None:
    """One request per status code the server gives, through urllib (statuses and CORS)."""
    cases = [
        (f"{base}/sparql?{urlencode({'query': SELECT})}", {}, None, None, 200),
        (f"{base}/sparql", {}, None, "OPTIONS", 204),
        (f"{base}/search?q=%E7%94%98%E8%82%83%E7%9C%81", {}, None, None, 200),  # redirected
        (f"{base}/sparql?query=SELECT", {}, None, None, 400),
        (
            f"{base}/sparql?{urlencode({'query': 'SELECT * { SERVICE <urn:x> { ?s ?p ?o } }'})}",
            {},
            None,
            None,
            403,
        ),
        (f"{base}/id/org/none", {}, None, None, 404),
        (f"{base}/sparql", {}, b"x", "PUT", 405),
        (f"{base}/sparql?{urlencode({'query': SELECT})}", {"Accept": "image/png"}, None, None, 406),
        (f"{base}/sparql", {"Content-Type": "text/plain"}, b"x", "POST", 415),
        (f"{base}/", {}, None, "BREW", 501),
    ]
    for url, headers, data, method, status in cases:
        got, got_headers, _ = fetch(url, data=data, headers=headers, method=method)
        assert got == status, (url, method)
        if status != 501:  # the standard library answers unknown methods itself
            assert got_headers["Access-Control-Allow-Origin"] == "*"


def test_post_without_length_is_411(base: str) -> None:
    with socket.create_connection(("127.0.0.1", urlsplit(base).port), timeout=10) as s:
        s.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n\r\n"
        )
        assert s.recv(100).startswith(b"HTTP/1.1 411")


def test_connection_bound_is_503_and_a_stalled_client_holds_no_query_slot(
    kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govkg.serve import Handler
    from govkg.web.admission import Admission

    monkeypatch.setattr(Handler, "timeout", 1.0)
    admission = Admission(running=1, waiting=0)
    with running(kg, admission=admission, max_connections=2) as server:
        base, port = server.base_url, server.server_address[1]
        stalled = socket.create_connection(("127.0.0.1", port), timeout=10)
        quiet = threading.Event()

        def trickle() -> None:  # a byte of body well within each 1 s read time-out
            while not quiet.wait(0.1):
                stalled.sendall(b" ")

        try:  # headers, part of a body that never completes, then silence
            stalled.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: "
                b"application/sparql-query\r\nContent-Length: 100000\r\n\r\nSELECT"
            )
            feeder = threading.Thread(target=trickle, daemon=True)
            feeder.start()  # the server's time-out is per read: however slow the
            try:  # machine, the stalled client holds its connection until it goes quiet
                status, _, body = get(base, SELECT)  # the one query slot is free
                assert status == 200 and json_rows(body)
                deadline = time.monotonic() + 5  # the server lets go of that connection
                while server.connections._value < 1 and time.monotonic() < deadline:
                    time.sleep(0.01)  # a moment after the answer: else `idle` is the 503
                idle = socket.create_connection(("127.0.0.1", port), timeout=10)
                try:
                    third = socket.create_connection(("127.0.0.1", port), timeout=10)
                    third.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                    assert third.recv(100).startswith(b"HTTP/1.1 503")
                    third.close()
                finally:
                    idle.close()
            finally:
                quiet.set()
                feeder.join(5)
            assert stalled.recv(100) == b""  # dropped after the socket time-out
        finally:
            stalled.close()
        assert get(base, SELECT)[0] == 200


def test_cli_warns_when_not_loopback_only() -> None:
    held = socket.socket()
    held.bind(("127.0.0.2", 0))  # still loopback: the test never listens beyond it
    held.listen(1)
    try:
        port = held.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--host", "127.0.0.2", "--port", str(port)])
    finally:
        held.close()
    assert "govkg: warning: --host 127.0.0.2 serves every machine" in result.output
    assert result.exit_code == 2
