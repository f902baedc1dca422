"""govkg against stores that misbehave: answers too large, trickling or cut short, empty
answers from the wrong graph, and pushes that fail part-way.

A fault-injecting HTTP server runs in this process on loopback (a thread, shut down at the
end of the module); the push faults are injected by a proxy in front of a real Oxigraph
server (tests/stores.py), and what the target graph holds afterwards is asked of that server
directly, so every message is checked against the store's own count.
"""

from __future__ import annotations

import contextlib
import http.server
import itertools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkg.cli.main import cli
from stores import GRAPH, FaultProxy, Store, oxigraph_server, serving

BINDING = b'{"x":{"type":"literal","value":"' + b"x" * 200 + b'"}},'
HEAD = b'{"head":{"vars":["x"]},"results":{"bindings":['
RSS_LIMIT_MB = 300


def _one_line_error(result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("govkg: error: "), result.stderr
    return lines[0]


# ---- the fault server ------------------------------------------------------------------------

Route = Callable[[http.server.BaseHTTPRequestHandler], None]


class _Faulty(http.server.BaseHTTPRequestHandler):
    routes: dict[str, Route]

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        route = self.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_error(404)
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(self)  # a client that stops reading is what some tests want

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def faulty() -> Iterator[tuple[str, dict[str, Route]]]:
    routes: dict[str, Route] = {}
    with serving(type("Handler", (_Faulty,), {"routes": routes})) as base:
        yield base, routes


def _endless(length: str | None) -> Route:
    """SPARQL JSON results that never end, announced as `length` bytes (or not at all)."""

    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/sparql-results+json")
        if length:
            h.send_header("Content-Length", length)
        h.end_headers()
        h.wfile.write(HEAD)
        block = BINDING * 300
        while True:
            h.wfile.write(block)

    return route


def _fixed(ctype: str, body: bytes, length: int | None = None) -> Route:
    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body) if length is None else length))
        h.end_headers()
        h.wfile.write(body)
        h.wfile.flush()
        h.close_connection = True

    return route


def _trickle(h: http.server.BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/sparql-results+json")
    h.end_headers()
    for byte in itertools.cycle(HEAD + BINDING):
        h.wfile.write(bytes([byte]))
        h.wfile.flush()
        time.sleep(1.0)


def _govkg() -> str:
    found = shutil.which("govkg", path=str(Path(sys.executable).parent))
    assert found, "the govkg console script is not installed beside this Python"
    return found


# Linux keeps a process's peak RSS across exec, and a child spawned straight from pytest
# (hundreds of MB by the time a full run gets here) starts with pytest's own: so the child is
# spawned by a launcher of a few MB, which reports the peak of govkg alone.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stdout.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def _run_child(args: list[str], tmp_path: Path, env: dict[str, str] | None = None):
    """govkg as a child process: exit code, stderr, its own peak RSS in MB, wall seconds."""
    err = tmp_path / "err"
    started = time.monotonic()
    with err.open("wb") as e:
        launched = subprocess.run(
            [sys.executable, "-S", "-c", _LAUNCHER, _govkg(), *args],
            stdout=subprocess.PIPE,
            stderr=e,
            env={**os.environ, **(env or {})},
            check=True,
        )
    wall = time.monotonic() - started
    code, maxrss = (int(n) for n in launched.stdout.decode().split()[-2:])
    return code, err.read_text(), maxrss / 1024, wall


# ---- bounded answers -------------------------------------------------------------------------


def test_a_2gb_answer_is_refused_at_the_limit_in_bounded_memory(faulty, tmp_path) -> None:
    base, routes = faulty
    routes["/huge"] = _endless("2147483648")
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?x WHERE { ?x ?p ?o }", encoding="utf-8")
    code, err, rss, _ = _run_child(
        ["query", str(query), "--endpoint", base + "/huge", "--timeout", "10"], tmp_path
    )
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert f"{base}/huge: the answer is 2147483648 bytes, over the limit of 256 MiB" in lines[0]
    assert "--max-answer" in lines[0] and "GOVKG_MAX_ANSWER_BYTES" in lines[0]
    assert rss < RSS_LIMIT_MB, f"peak RSS {rss:.0f} MB"
    print(f"2 GB answer: refused, peak RSS {rss:.0f} MB")


def test_an_endless_answer_stops_at_the_limit_in_bounded_memory(faulty, tmp_path) -> None:
    """No Content-Length to go by: the bytes are counted as they arrive (the default limit,
    256 MiB, spooled to disk rather than held, so memory stays far below it)."""
    base, routes = faulty
    routes["/endless"] = _endless(None)
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?x WHERE { ?x ?p ?o }", encoding="utf-8")
    code, err, rss, wall = _run_child(
        ["query", str(query), "--endpoint", base + "/endless", "--timeout", "60"], tmp_path
    )
    print(f"endless answer: stopped at the limit after {wall:.1f} s, peak RSS {rss:.0f} MB")
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "over the limit of 256 MiB" in lines[0]
    assert f"stopped after {256 * 1024 * 1024} bytes" in lines[0]
    assert rss < RSS_LIMIT_MB, f"peak RSS {rss:.0f} MB"


def test_the_limit_is_raised_or_lowered_by_option_and_environment(faulty) -> None:
    base, routes = faulty
    body = HEAD + BINDING * 100 + b'{"x":{"type":"literal","value":"end"}}]}}'
    routes["/medium"] = _fixed("application/sparql-results+json", body)
    url = base + "/medium"
    args = ["query", "-", "--endpoint", url, "-f", "csv"]
    small = CliRunner().invoke(
        cli, [*args, "--max-answer", "1K"], input="SELECT ?x WHERE { ?x ?p ?o }"
    )
    assert f"the answer is {len(body)} bytes, over the limit of 1 KiB" in _one_line_error(small)
    env = CliRunner().invoke(
        cli, args, input="SELECT ?x WHERE { ?x ?p ?o }", env={"GOVKG_MAX_ANSWER_BYTES": "2048"}
    )
    assert "over the limit of 2 KiB" in _one_line_error(env)
    enough = CliRunner().invoke(
        cli, [*args, "--max-answer", "1M"], input="SELECT ?x WHERE { ?x ?p ?o }"
    )
    assert enough.exit_code == 0, enough.output
    assert enough.stdout.splitlines()[-1] == "end" and len(enough.stdout.splitlines()) == 102
    bad = CliRunner().invoke(
        cli, args, input="SELECT ?x WHERE { ?x ?p ?o }", env={"GOVKG_MAX_ANSWER_BYTES": "lots"}
    )
    assert "$GOVKG_MAX_ANSWER_BYTES='lots': give a positive number" in _one_line_error(bad)


def test_a_trickling_answer_stops_at_the_deadline(faulty) -> None:
    base, routes = faulty
    routes["/trickle"] = _trickle
    started = time.monotonic()
    result = CliRunner().invoke(
        cli,
        ["query", "-", "--endpoint", base + "/trickle", "--timeout", "3"],
        input="SELECT ?x WHERE { ?x ?p ?o }",
    )
    wall = time.monotonic() - started
    line = _one_line_error(result)
    assert f"{base}/trickle: no complete answer within 3 s" in line
    assert 3.0 <= wall < 3.0 + 2.0, f"{wall:.1f} s"


def test_a_trickling_head_stops_at_the_deadline_too(faulty) -> None:
    """The status line and headers, a byte a second: httpx's per-read time-out never fires."""
    base, routes = faulty

    def head(h: http.server.BaseHTTPRequestHandler) -> None:
        for byte in itertools.cycle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000):
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            time.sleep(1.0)

    routes["/slow-head"] = head
    started = time.monotonic()
    result = CliRunner().invoke(
        cli,
        ["query", "-", "--endpoint", base + "/slow-head", "--timeout", "3"],
        input="SELECT ?x WHERE { ?x ?p ?o }",
    )
    wall = time.monotonic() - started
    assert f"{base}/slow-head: no complete answer within 3 s" in _one_line_error(result)
    assert 3.0 <= wall < 3.0 + 2.0, f"{wall:.1f} s"


@pytest.mark.parametrize("command", ["validate", "check", "export"])
def test_validate_check_and_export_keep_the_deadline_and_the_limit(faulty, command: str) -> None:
    base, routes = faulty
    routes["/trickle"] = _trickle
    started = time.monotonic()
    result = CliRunner().invoke(cli, [command, "--endpoint", base + "/trickle", "--timeout", "2"])
    # the deadline is per request; loading the shapes first takes seconds of its own
    assert time.monotonic() - started < 2.0 + 10.0
    assert result.exit_code == 2, result.output
    assert f"{base}/trickle: no complete answer within 2 s" in result.output
    routes["/huge"] = _endless("2147483648")
    huge = CliRunner().invoke(cli, [command, "--endpoint", base + "/huge", "--max-answer", "1M"])
    assert huge.exit_code == 2, huge.output
    assert "the answer is 2147483648 bytes, over the limit of 1 MiB" in huge.output
    alone = CliRunner().invoke(cli, [command, "--timeout", "5"])
    assert "--timeout and --max-answer apply to --endpoint" in _one_line_error(alone)


# a few answers of each kind, cut short or broken; each names the endpoint and the fault
_SELECT = "SELECT ?x WHERE { ?x ?p ?o }"
_CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
BROKEN = {
    "json-truncated": ("application/sparql-results+json", HEAD + BINDING[:40], _SELECT),
    "json-not-results": ("application/sparql-results+json", b'{"head": 3}', _SELECT),
    "json-not-json": ("application/sparql-results+json", b"<html>oops</html>", _SELECT),
    "xml-truncated": (
        "application/sparql-results+xml",
        b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        b'<head><variable name="x"/></head><results><result><binding name="x"><lit',
        _SELECT,
    ),
    "xml-entities": (
        "application/sparql-results+xml",
        b'<?xml version="1.0"?><!DOCTYPE sparql [<!ENTITY a "aaaaaaaaaa">]>'
        b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="x"/>'
        b'</head><results><result><binding name="x"><literal>&a;&a;</literal></binding>'
        b"</result></results></sparql>",
        _SELECT,
    ),
    "tsv-bad-term": ("text/tab-separated-values", b"?x\n<not an iri\n", _SELECT),
    "nt-truncated": (
        "application/n-triples",
        b"<https://e.org/s> <https://e.org/p> <https://e.org/o> .\n<https://e.org/s> <htt",
        _CONSTRUCT,
    ),
    "turtle-bad": ("text/turtle", b"@prefix e: <https://e.org/> .\ne:s e:p ", _CONSTRUCT),
    "utf8-bad": (
        "application/n-triples",
        b'<https://e.org/s> <https://e.org/p> "\xff" .\n',
        _CONSTRUCT,
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_answer_is_one_line_naming_the_endpoint(faulty, name: str) -> None:
    base, routes = faulty
    ctype, body, query = BROKEN[name]
    routes["/" + name] = _fixed(ctype, body)
    result = CliRunner().invoke(cli, ["query", "-", "--endpoint", f"{base}/{name}"], input=query)
    line = _one_line_error(result)
    assert f"{base}/{name}: the store's answer ({ctype}) is malformed or truncated: " in line
    assert "internal error" not in result.output


def test_an_answer_shorter_than_announced_is_a_dropped_connection(faulty) -> None:
    base, routes = faulty
    body = HEAD + BINDING
    routes["/short"] = _fixed("application/sparql-results+json", body, length=len(body) + 500)
    result = CliRunner().invoke(cli, ["query", "-", "--endpoint", base + "/short"], input=_SELECT)
    line = _one_line_error(result)
    assert (
        f"{base}/short: the connection was dropped before the store's answer was complete" in line
    )


def test_csv_results_are_refused_by_name(faulty) -> None:
    base, routes = faulty
    routes["/csv"] = _fixed("text/csv", b"x\r\na\r\n")
    result = CliRunner().invoke(cli, ["query", "-", "--endpoint", base + "/csv"], input=_SELECT)
    assert f"{base}/csv: answered text/csv, which loses the terms' types" in _one_line_error(result)


def test_xml_and_tsv_results_read_as_json_ones(faulty) -> None:
    base, routes = faulty
    routes["/xml"] = _fixed(
        "application/sparql-results+xml",
        b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        b'<head><variable name="x"/></head><results><result><binding name="x">'
        b"<literal>\xe7\x9c\x81</literal></binding></result></results></sparql>",
    )
    routes["/tsv"] = _fixed("text/tab-separated-values", '?x\n"省"\n'.encode())
    for route in ("/xml", "/tsv"):
        result = CliRunner().invoke(
            cli, ["query", "-", "--endpoint", base + route, "-f", "csv"], input=_SELECT
        )
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == ["x", "省"]


# ---- empty answers from a real store ----------------------------------------------------------

OTHER = "https://example.org/govkg-elsewhere"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A running Oxigraph server, its default graph empty, the bundled graph in GRAPH."""
    servers = oxigraph_server(tmp_path_factory.mktemp("oxigraph"))
    running = next(servers)
    try:
        pushed = CliRunner().invoke(
            cli, ["push", "--endpoint", running.query_url, "--graph", GRAPH, "--replace"]
        )
        assert pushed.exit_code == 0, pushed.output
        yield running
    finally:
        servers.close()


def test_no_graph_on_a_store_with_named_graphs_says_where_the_data_is(oxigraph) -> None:
    result = CliRunner().invoke(cli, ["query", "plaques", "--endpoint", oxigraph.query_url])
    assert result.exit_code == 0, result.output
    warning = result.stderr.strip()
    assert warning == (
        f"govkg: warning: {oxigraph.query_url}: the answer is empty: the store's default graph "
        "is empty (without --graph the query reads only it); its named graphs holding govkg "
        f"data: <{GRAPH}>; give one with --graph"
    )
    strict = CliRunner().invoke(
        cli, ["query", "plaques", "--endpoint", oxigraph.query_url, "--strict"]
    )
    assert strict.exit_code == 1 and strict.stderr.strip() == warning


def test_a_store_loaded_from_the_trig_export_points_at_its_graphs(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """The issue's case: `govkg export -f trig` loaded as is (data in named graphs), queried
    without --graph: the warning lists the export's graphs that hold govkg data."""
    trig = tmp_path / "govkg.trig"
    exported = CliRunner().invoke(cli, ["export", "-f", "trig", "-o", str(trig)])
    assert exported.exit_code == 0, exported.output
    servers = oxigraph_server(tmp_path_factory.mktemp("trig"))
    running = next(servers)
    try:
        loaded = httpx.post(
            running.store_url,
            content=trig.read_bytes(),
            headers={"Content-Type": "application/trig"},
            timeout=60,
        )
        assert loaded.status_code in (200, 201, 204), loaded.text
        graphs = _direct(running, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        names = sorted(b["g"]["value"] for b in graphs["results"]["bindings"])
        assert len(names) >= 2
        result = CliRunner().invoke(cli, ["query", "plaques", "--endpoint", running.query_url])
        assert result.exit_code == 0, result.output
        line = result.stderr.strip()
        assert "the store's default graph is empty" in line
        listed = line.split("its named graphs holding govkg data: ", 1)[1]
        listed = listed.split("; give one with --graph")[0]
        shown = [g.strip("<>") for g in listed.split(", ")]
        assert shown and set(shown) <= set(names)
        answers = [
            CliRunner().invoke(
                cli, ["query", "plaques", "--endpoint", running.query_url, "--graph", graph]
            )
            for graph in shown
        ]
        assert all(a.exit_code == 0 for a in answers)
        assert any(len(a.stdout.splitlines()) > 3 for a in answers)  # the data is in one
    finally:
        servers.close()


def test_a_graph_the_store_does_not_have_is_named(oxigraph) -> None:
    args = ["query", "plaques", "--endpoint", oxigraph.query_url, "--graph", OTHER]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"the store has no graph <{OTHER}> (or it is empty)" in result.stderr
    assert f"its named graphs holding govkg data: <{GRAPH}>" in result.stderr
    assert CliRunner().invoke(cli, [*args, "--strict"]).exit_code == 1


def test_an_empty_answer_from_a_graph_with_data_is_no_warning(oxigraph) -> None:
    query = "SELECT ?x WHERE { ?x a <https://example.org/NoSuchClass> }"
    result = CliRunner().invoke(
        cli,
        ["query", "-", "--endpoint", oxigraph.query_url, "--graph", GRAPH, "--strict"],
        input=query,
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    full = CliRunner().invoke(
        cli, ["query", "plaques", "--endpoint", oxigraph.query_url, "--graph", GRAPH, "--strict"]
    )
    assert full.exit_code == 0 and full.stderr == "" and len(full.stdout.splitlines()) > 3


def test_validate_and_export_of_a_missing_graph_say_so(oxigraph, tmp_path) -> None:
    validate = CliRunner().invoke(
        cli, ["validate", "--endpoint", oxigraph.query_url, "--graph", OTHER]
    )
    assert f"the store has no graph <{OTHER}>" in validate.stderr
    export = CliRunner().invoke(
        cli,
        ["export", "--endpoint", oxigraph.query_url, "--graph", OTHER, "-o", str(tmp_path / "g")],
    )
    assert f"the store has no graph <{OTHER}>" in export.stderr


def test_strict_needs_an_endpoint() -> None:
    result = CliRunner().invoke(cli, ["query", "plaques", "--strict"])
    assert "--strict and --max-answer apply to --endpoint" in _one_line_error(result)


# ---- pushes that fail part-way ------------------------------------------------------------------

E = "https://example.org/push/"
OLD = "".join(f"<{E}old{i}> <{E}p> <{E}o> .\n" for i in range(7))
NEW = "".join(f'<{E}new{i}> <{E}p> "{i}" .\n' for i in range(20))


@pytest.fixture
def proxy(oxigraph: Store) -> Iterator[FaultProxy]:
    running = FaultProxy(oxigraph.query_url.rsplit("/", 1)[0], "/store")
    try:
        yield running
    finally:
        running.close()


def _direct(store: Store, query: str) -> dict:
    r = httpx.post(
        store.query_url,
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    r.raise_for_status()
    return r.json()


def _count(store: Store, graph: str) -> int:
    doc = _direct(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(doc["results"]["bindings"][0]["n"]["value"])


def _subjects(store: Store, graph: str) -> set[str]:
    doc = _direct(store, f"SELECT DISTINCT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return {b["s"]["value"].removeprefix(E) for b in doc["results"]["bindings"]}


def _staging_left(store: Store) -> list[str]:
    doc = _direct(
        store,
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        'FILTER(STRSTARTS(STR(?g), "urn:govkg:staging:")) }',
    )
    return [b["g"]["value"] for b in doc["results"]["bindings"]]


def _target(store: Store, name: str) -> str:
    """A fresh graph holding the 7 old triples."""
    graph = f"{E}graph/{name}"
    r = httpx.put(
        store.store_url,
        params={"graph": graph},
        content=OLD.encode(),
        headers={"Content-Type": "application/n-triples"},
        timeout=30,
    )
    assert r.status_code in (200, 201, 204), r.text
    return graph


def _push(proxy: FaultProxy, graph: str, tmp_path: Path, *extra: str):
    data = tmp_path / "new.nt"
    data.write_text(NEW, encoding="utf-8")
    args = [
        "push",
        str(data),
        "--alone",
        "--force",
        "--endpoint",
        proxy.base + "/query",
        "--graph",
        graph,
        "--chunk-size",
        "5",
        *extra,
    ]
    return CliRunner().invoke(cli, args)


OLD_SUBJECTS = {f"old{i}" for i in range(7)}
NEW_SUBJECTS = {f"new{i}" for i in range(20)}


def test_an_atomic_push_replaces_or_adds_in_one_step(oxigraph, proxy, tmp_path) -> None:
    for replace, expected in ((True, NEW_SUBJECTS), (False, OLD_SUBJECTS | NEW_SUBJECTS)):
        graph = _target(oxigraph, f"ok-{replace}")
        result = _push(proxy, graph, tmp_path, *(["--replace"] if replace else []))
        assert result.exit_code == 0, result.output
        assert "through a staging graph, in one step" in result.stdout
        assert f"the store now counts {len(expected)} triples" in result.stdout
        assert _subjects(oxigraph, graph) == expected
        assert proxy.faults.chunks_seen == 4
        proxy.faults.chunks_seen = 0
    assert _staging_left(oxigraph) == []


@pytest.mark.parametrize("replace", [True, False], ids=["replace", "add"])
@pytest.mark.parametrize("fault", ["500", "drop"])
@pytest.mark.parametrize("k", [0, 1, 2, 3], ids=["k0", "k1", "k2", "last"])
def test_a_push_failing_after_k_chunks_leaves_the_target_unchanged(
    oxigraph, proxy, tmp_path, k: int, fault: str, replace: bool
) -> None:
    graph = _target(oxigraph, f"k{k}-{fault}-{replace}")
    proxy.faults.fail_chunk, proxy.faults.fault = k, fault
    result = _push(proxy, graph, tmp_path, *(["--replace"] if replace else []))
    line = _one_line_error(result)
    assert f"push to <{graph}> stopped at chunk {k + 1} of 4: " in line
    if fault == "drop":
        assert "the connection was dropped before the store's answer was complete" in line
        assert "HTTP 500" not in line
    else:
        assert f"{proxy.base}/store: HTTP 500 Internal Server Error: disk full" in line
    assert f"nothing reached the graph: <{graph}> is unchanged (7 triples)" in line
    assert line.endswith("the staging graph was removed")
    assert _subjects(oxigraph, graph) == OLD_SUBJECTS
    assert _staging_left(oxigraph) == []


@pytest.mark.parametrize("replace", [True, False], ids=["replace", "add"])
def test_a_failing_last_step_says_what_the_target_holds(
    oxigraph, proxy, tmp_path, replace: bool
) -> None:
    graph = _target(oxigraph, f"final-{replace}")
    proxy.faults.fail_final = True
    result = _push(proxy, graph, tmp_path, *(["--replace"] if replace else []))
    line = _one_line_error(result)
    step = "MOVE" if replace else "ADD"
    assert f"push to <{graph}> failed at its last step ({step} from the staging graph): " in line
    assert f"<{graph}> now holds 7 triples (before: 7)" in line
    assert line.endswith("the staging graph was removed")
    assert _subjects(oxigraph, graph) == OLD_SUBJECTS
    assert _staging_left(oxigraph) == []


def test_a_store_that_loses_a_chunk_is_caught_before_the_graph_changes(
    oxigraph, proxy, tmp_path
) -> None:
    graph = _target(oxigraph, "swallowed")
    proxy.faults.swallow_chunk = 1
    result = _push(proxy, graph, tmp_path, "--replace")
    line = _one_line_error(result)
    assert f"push to <{graph}> stopped: the store kept 15 of the 20 triples sent to the " in line
    assert f"<{graph}> is unchanged (7 triples); the staging graph was removed" in line
    assert _subjects(oxigraph, graph) == OLD_SUBJECTS and _staging_left(oxigraph) == []


def test_a_staging_graph_that_cannot_be_removed_is_named(oxigraph, proxy, tmp_path) -> None:
    graph = _target(oxigraph, "undroppable")
    proxy.faults.fail_chunk, proxy.faults.fail_drop = 2, True
    result = _push(proxy, graph, tmp_path)
    line = _one_line_error(result)
    assert f"<{graph}> is unchanged (7 triples); the staging graph <urn:govkg:staging:" in line
    assert (
        "could not be removed (" in line and "HTTP 500 Internal Server Error: cannot drop" in line
    )
    left = _staging_left(oxigraph)
    assert len(left) == 1 and f"remove it with DROP GRAPH <{left[0]}>" in line
    assert _count(oxigraph, left[0]) == 10  # the two chunks that arrived, as the message implies
    httpx.post(
        oxigraph.query_url.replace("/query", "/update"), data={"update": f"DROP GRAPH <{left[0]}>"}
    )
    assert _staging_left(oxigraph) == [] and _subjects(oxigraph, graph) == OLD_SUBJECTS


def test_without_update_replace_is_refused_unless_non_atomic(oxigraph, proxy, tmp_path) -> None:
    graph = _target(oxigraph, "no-update")
    proxy.faults.refuse_update = True
    refused = _push(proxy, graph, tmp_path, "--replace")
    line = _one_line_error(refused)
    assert f"cannot replace <{graph}> in one step: the store takes no SPARQL Update" in line
    assert "HTTP 403 Forbidden: SPARQL Update is not permitted here" in line
    assert f"nothing was pushed: <{graph}> is unchanged (7 triples)" in line
    assert "--non-atomic" in line
    assert proxy.faults.chunks_seen == 0 and _count(oxigraph, graph) == 7

    proxy.faults.fail_chunk = 2
    part = _push(proxy, graph, tmp_path, "--replace", "--non-atomic")
    assert part.exit_code == 2, part.output
    lines = part.stderr.strip().splitlines()
    assert lines[:2] == [f"govkg: stored {n}/20 triples in <{graph}>" for n in (5, 10)]
    assert len(lines) == 3 and lines[2].startswith("govkg: error: "), part.stderr
    assert "stopped at chunk 3 of 4: " in lines[2]
    assert "10 of 20 triples were stored before it" in lines[2]
    assert f"<{graph}> now holds 10 triples (its old content was replaced" in lines[2]
    assert _count(oxigraph, graph) == 10 and _subjects(oxigraph, graph) <= NEW_SUBJECTS


def test_without_update_an_add_goes_chunk_by_chunk_and_says_so(oxigraph, proxy, tmp_path) -> None:
    graph = _target(oxigraph, "no-update-add")
    proxy.faults.refuse_update = True
    proxy.faults.fail_chunk = 2
    result = _push(proxy, graph, tmp_path)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("govkg: warning: no SPARQL Update (")
    assert "adding to" in lines[0] and "chunk by chunk, not in one step" in lines[0]
    assert lines[1:3] == [f"govkg: stored {n}/20 triples in <{graph}>" for n in (5, 10)]
    assert f"<{graph}> now holds 17 triples" in lines[3] and "(before: 7)" in lines[3]
    assert _count(oxigraph, graph) == 17


# ---- the limit, fuzzed: accepted exactly when the decoded answer fits --------------------------


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.integers(min_value=0, max_value=60),
    limit=st.integers(min_value=1, max_value=20_000),
    announce=st.booleans(),
    gzipped=st.booleans(),
)
def test_an_answer_is_refused_exactly_when_it_passes_the_limit(
    faulty, rows: int, limit: int, announce: bool, gzipped: bool
) -> None:
    """Differential: the client's verdict against the answer's decoded length (announced or
    not, gzip-encoded or not: a small encoded answer that decodes large is still refused)."""
    import gzip

    from govkg.remote.client import Client, RemoteError

    base, routes = faulty
    body = HEAD + b",".join(BINDING[:-1] for _ in range(rows)) + b"]}}"
    sent = gzip.compress(body) if gzipped else body

    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/sparql-results+json")
        if gzipped:
            h.send_header("Content-Encoding", "gzip")
        if announce:
            h.send_header("Content-Length", str(len(sent)))
        h.end_headers()
        h.wfile.write(sent)
        h.close_connection = True

    routes["/sized"] = route
    with Client(10, limit) as client:
        try:
            answer = client.query(base + "/sized", "SELECT ?x WHERE { ?x ?p ?o }", None, "select")
        except RemoteError as err:
            assert len(body) > limit, err
            assert "over the limit of" in str(err)
        else:
            assert len(body) <= limit
            assert answer.json_results.count(b'"x":') == rows


def test_an_endless_challenge_body_is_not_read(faulty) -> None:
    """With credentials set, a 401 is answered; its body is read to at most 64 KiB first."""
    base, routes = faulty

    def challenge(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(401)
        h.send_header("WWW-Authenticate", 'Digest realm="x", nonce="abc", qop="auth"')
        h.end_headers()
        while True:
            h.wfile.write(b"x" * 65536)

    routes["/challenge"] = challenge
    result = CliRunner().invoke(
        cli,
        ["query", "-", "--endpoint", base + "/challenge", "--timeout", "20"],
        input=_SELECT,
        env={"GOVKG_ENDPOINT_USER": "u", "GOVKG_ENDPOINT_PASSWORD": "p"},
    )
    line = _one_line_error(result)
    assert f"{base}/challenge: the HTTP 401 challenge has a body over 64 KiB" in line


def test_a_small_challenge_is_still_answered(faulty) -> None:
    base, routes = faulty
    seen: list[str] = []

    def challenge(h: http.server.BaseHTTPRequestHandler) -> None:
        seen.append(h.headers.get("Authorization", ""))
        if not h.headers.get("Authorization"):
            body = b"who are you?"
            h.send_response(401)
            h.send_header("WWW-Authenticate", 'Digest realm="x", nonce="abc", qop="auth"')
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
            return
        _fixed("text/tab-separated-values", b'?x\n"ok"\n')(h)

    routes["/digest"] = challenge
    result = CliRunner().invoke(
        cli,
        ["query", "-", "--endpoint", base + "/digest", "-f", "csv"],
        input=_SELECT,
        env={"GOVKG_ENDPOINT_USER": "u", "GOVKG_ENDPOINT_PASSWORD": "p"},
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["x", "ok"]
    assert seen[0] == "" and seen[1].startswith('Digest username="u"')


# ---- answers cut anywhere: refused, or (line formats) a prefix of the whole ---------------------

_ROWS = [f"省{i}" for i in range(6)]
_FULL = {
    "application/sparql-results+json": (
        '{"head":{"vars":["x"]},"results":{"bindings":['
        + ",".join(f'{{"x":{{"type":"literal","value":"{v}"}}}}' for v in _ROWS)
        + "]}}"
    ).encode(),
    "application/sparql-results+xml": (
        '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        '<head><variable name="x"/></head><results>'
        + "".join(
            f'<result><binding name="x"><literal>{v}</literal></binding></result>' for v in _ROWS
        )
        + "</results></sparql>"
    ).encode(),
    "text/tab-separated-values": ("?x\n" + "".join(f'"{v}"\n' for v in _ROWS)).encode(),
}
_LINE_FORMATS = {"text/tab-separated-values"}


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ctype=st.sampled_from(sorted(_FULL)), data=st.data())
def test_an_answer_cut_anywhere_is_refused_or_a_prefix(faulty, ctype: str, data) -> None:
    base, routes = faulty
    full = _FULL[ctype]
    cut = data.draw(st.integers(min_value=0, max_value=len(full) - 1), label="cut")
    routes["/cut"] = _fixed(ctype, full[:cut])
    result = CliRunner().invoke(
        cli, ["query", "-", "--endpoint", base + "/cut", "-f", "csv"], input=_SELECT
    )
    assert "internal error" not in result.output and "Traceback" not in result.output
    if result.exit_code == 0:
        assert ctype in _LINE_FORMATS, f"a cut {ctype} answer was accepted: {full[:cut]!r}"
        rows = result.stdout.splitlines()[1:]
        assert rows == _ROWS[: len(rows)]
        lines = full[:cut].count(b"\n")  # the head's, then one per whole row (the last
        assert len(rows) in (lines - 1, lines)  # complete but for its newline counts too)
    else:
        line = _one_line_error(result)
        assert f"{base}/cut: the store's answer ({ctype}) is malformed or truncated: " in line
