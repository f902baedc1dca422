"""`govkg serve`: the SPARQL 1.1 Protocol endpoint, exercised over loopback only.

The server runs in a background thread of the test process on 127.0.0.1, port 0; every
request goes to it with urllib / http.client, never anywhere else.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from govkg.cli.main import cli
from govkg.load import KnowledgeGraph
from govkg.query import run_query
from govkg.serve import SparqlServer, make_server, negotiate

SELECT = "SELECT ?s WHERE { ?s gk:iso3166Code ?iso } ORDER BY ?s LIMIT 3"
GS_BUREAU = "https://w3id.org/govkg/id/org/cn-gs-big-data-bureau"
SRX = "{http://www.w3.org/2005/sparql-results#}"


@contextmanager
def running(kg: KnowledgeGraph, **options: Any) -> Iterator[SparqlServer]:
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


# ---------------------------------------------------------------- SELECT, CONSTRUCT, ASK


def test_select_by_get_and_both_posts_agree_with_run_query(base: str, kg: KnowledgeGraph) -> None:
    expected = plain(run_query(kg, SELECT + "\n").rows)
    assert len(expected) == 3
    for send in (get, post_form, post_query):
        if send is post_form:
            status, headers, body = post_form(base, {"query": SELECT})
        else:
            status, headers, body = send(base, SELECT)
        assert status == 200, body
        assert headers["Content-Type"] == "application/sparql-results+json"
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert json_rows(body) == expected


def test_canned_query_over_http_matches_run_query(base: str, kg: KnowledgeGraph) -> None:
    expected = plain(run_query(kg, "plaques").rows)
    status, _, body = fetch(f"{base}/queries/plaques")
    assert status == 200
    assert json.loads(body)["head"]["vars"] == ["iso", "province", "body", "host", "direction"]
    assert json_rows(body) == expected and len(expected) == 6  # 4 plaques + 2 nameplates
    status, _, body = fetch(f"{base}/queries/plaques?lang=zh", headers={"Accept": "text/csv"})
    assert status == 200 and "北京经信局" in body.decode()


def test_select_as_xml_csv_tsv(base: str, kg: KnowledgeGraph) -> None:
    expected = plain(run_query(kg, SELECT + "\n").rows)
    status, headers, body = get(base, SELECT, "application/sparql-results+xml")
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+xml"
    uris = [e.text for e in ET.fromstring(body).iter(f"{SRX}uri")]
    assert [(u,) for u in uris] == expected

    status, headers, body = post_form(base, {"query": SELECT}, "text/csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(body.decode())))
    assert table[0] == ["s"] and [tuple(r) for r in table[1:]] == expected

    status, headers, body = post_query(base, SELECT, "text/tab-separated-values")
    assert status == 200 and headers["Content-Type"].startswith("text/tab-separated-values")
    assert body.decode().splitlines()[0] == "?s"


def test_accept_with_q_values_and_wildcards(base: str) -> None:
    status, headers, _ = get(base, SELECT, "text/csv;q=0.5, application/sparql-results+xml")
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+xml"
    status, headers, _ = get(base, SELECT, "text/*")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    status, headers, _ = get(base, SELECT, "*/*")
    assert headers["Content-Type"] == "application/sparql-results+json"


def test_negotiate_unit() -> None:
    offers = (("a/x", "x"), ("a/y", "y"))
    assert negotiate(None, offers) == ("a/x", "x")
    assert negotiate("a/y, a/x;q=0.9", offers) == ("a/y", "y")
    assert negotiate("a/*;q=0.1, a/x;q=0", offers) == ("a/y", "y")
    assert negotiate("b/z", offers) is None
    assert negotiate("garbage", offers) is None


def test_construct_gives_turtle_that_parses(base: str) -> None:
    q = f"CONSTRUCT {{ <{GS_BUREAU}> ?p ?o }} WHERE {{ <{GS_BUREAU}> ?p ?o }}"
    status, headers, body = get(base, q)
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    assert triples and all(t.subject == ox.NamedNode(GS_BUREAU) for t in triples)

    status, headers, body = post_query(base, q, "application/n-triples")
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    assert len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) == len(triples)

    status, headers, body = post_form(base, {"query": q}, "application/ld+json")
    assert status == 200 and headers["Content-Type"] == "application/ld+json"
    assert len(list(ox.parse(body, format=ox.RdfFormat.JSON_LD))) == len(triples)


def test_ask(base: str) -> None:
    status, _, body = get(base, f"ASK {{ <{GS_BUREAU}> ?p ?o }}")
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}
    status, _, body = post_query(
        base, "ASK { <urn:x:none> ?p ?o }", "application/sparql-results+xml"
    )
    assert status == 200 and ET.fromstring(body).find(f"{SRX}boolean").text == "false"


# ---------------------------------------------------------------- errors and refusals


def test_syntax_error_is_400_with_line_and_column(base: str) -> None:
    status, headers, body = get(base, "SELECT * WHERE {\n  ?s ?p \n}")
    text = body.decode()
    assert status == 400 and headers["Content-Type"].startswith("text/plain")
    assert text.count("\n") == 1 and re.match(r"query:3:\d+: SPARQL syntax error: \S", text)


def test_service_is_refused_and_never_called(base: str) -> None:
    """A listening loopback canary: SERVICE pointed at it must not produce a connection."""
    canary = socket.socket()
    canary.bind(("127.0.0.1", 0))
    canary.listen(1)
    canary.settimeout(0.5)
    port = canary.getsockname()[1]
    try:
        for q in (
            f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
            f"select * where {{ service silent <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
        ):
            status, _, body = post_form(base, {"query": q})
            assert status == 403 and b"SERVICE is not allowed" in body
        with pytest.raises(TimeoutError):
            canary.accept()
    finally:
        canary.close()


def test_from_and_dataset_parameters_refused(base: str) -> None:
    status, _, body = get(base, "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }")
    assert status == 403 and b"FROM" in body
    status, _, body = post_form(base, {"query": SELECT, "default-graph-uri": "urn:x:g"})
    assert status == 400 and b"default-graph-uri is not supported" in body
    url = f"{base}/sparql?{urlencode({'query': SELECT, 'named-graph-uri': 'urn:x:g'})}"
    assert fetch(url)[0] == 400


def test_updates_refused_and_graph_unchanged(base: str, kg: KnowledgeGraph) -> None:
    before = len(kg)
    update = "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"
    status, headers, _ = fetch(
        f"{base}/sparql",
        data=update.encode(),
        headers={"Content-Type": "application/sparql-update"},
    )
    assert status == 405 and "GET" in headers["Allow"]
    assert post_form(base, {"update": update})[0] == 405
    assert fetch(f"{base}/sparql?{urlencode({'update': update})}")[0] == 405
    status, _, body = post_query(base, update)  # an update smuggled in as a query
    assert status == 403 and b"UPDATE" in body
    assert fetch(f"{base}/sparql", data=b"x", method="PUT")[0] == 405
    assert len(kg) == before
    assert json.loads(get(base, "ASK { <urn:x:s> ?p ?o }")[2])["boolean"] is False


def test_query_text_is_never_a_name_or_a_file(base: str, tmp_path: Path) -> None:
    """run_query reads bare names and `x.rq` paths; over HTTP both must stay plain text."""
    rq = tmp_path / "secret.rq"
    rq.write_text("ASK { ?s ?p ?o }\n", encoding="utf-8")
    assert get(base, str(rq))[0] == 400
    assert get(base, "plaques")[0] == 400


def test_not_acceptable(base: str) -> None:
    status, _, body = get(base, SELECT, "image/png")
    assert status == 406 and b"application/sparql-results+json" in body
    status, _, _ = get(base, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "text/csv")
    assert status == 406


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


def test_post_needs_length_and_a_known_type(base: str) -> None:
    assert fetch(f"{base}/sparql", data=b"x", headers={"Content-Type": "text/plain"})[0] == 415
    assert fetch(f"{base}/sparql", data=b"", headers={})[0] in (400, 415)


def test_canned_query_with_parameter(base: str, kg: KnowledgeGraph) -> None:
    expected = plain(run_query(kg, "evidence", {"entity": GS_BUREAU}).rows)
    assert expected
    for value in (GS_BUREAU, "gkr:org/cn-gs-big-data-bureau"):
        status, _, body = fetch(f"{base}/queries/evidence?{urlencode({'entity': value})}")
        assert status == 200 and json_rows(body) == expected
    hostile = '"} } ; DROP ALL ; SELECT * { ?s ?p ?o'
    status, _, body = fetch(f"{base}/queries/evidence?{urlencode({'entity': hostile})}")
    assert status == 200 and json_rows(body) == []
    status, _, body = fetch(f"{base}/queries/evidence")
    assert status == 400 and b"missing parameter 'entity'" in body
    assert fetch(f"{base}/queries/evidence?{urlencode({'entity': 'x', 'bogus': '1'})}")[0] == 400
    assert fetch(f"{base}/queries/no-such-query")[0] == 404
    assert fetch(f"{base}/queries/..%2Fetc")[0] == 404


def test_index_and_void(base: str) -> None:
    status, headers, body = fetch(f"{base}/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"/queries/plaques" in body and b"/queries/evidence?entity=" in body
    status, headers, body = fetch(f"{base}/.well-known/void")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    graph = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    void = ox.NamedNode("http://rdfs.org/ns/void#Dataset")
    assert any(t.object == void for t in graph)
    assert fetch(f"{base}/nothing-here")[0] == 404


def test_timeout_is_503(kg: KnowledgeGraph) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . { SELECT ?d WHERE { ?d ?e ?f } LIMIT 300 } }"
    with running(kg, timeout=0.01) as server:
        status, _, body = get(server.url.removesuffix("/sparql"), slow)
    assert status == 503 and b"longer than" in body


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
    proc = subprocess.Popen(
        [sys.executable, "-m", "govkg", "serve", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert "http://127.0.0.1:" in line, line
        url = line.split()[4]
        status, _, body = get(url.removesuffix("/sparql"), "ASK { ?s ?p ?o }")
        assert status == 200 and json.loads(body)["boolean"] is True
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
