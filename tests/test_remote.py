"""govkg.remote without a triple store: chunking, what the shapes need, the interim canned
text, credentials, and the one-line errors for stores that fail (loopback servers started
here, in process, and shut down after each test)."""

from __future__ import annotations

import http.server
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from govkg.cli.main import cli
from govkg.namespaces import GK, PREFIXES
from govkg.remote import auth
from govkg.remote.gsp import chunks, staging_iri, store_url, update_url
from govkg.remote.pull import NeedsEverything, needed
from stores import serving


def _one_line_error(result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("govkg: error: "), result.stderr
    return lines[0]


# ---- chunks ----------------------------------------------------------------------------------


def test_chunks_keep_each_blank_node_in_one_chunk() -> None:
    p = ox.NamedNode("http://example.org/p")
    triples = []
    for i in range(50):  # chains a -> _:b1 -> _:b2 -> "x", and plain triples between them
        a, b1, b2 = ox.NamedNode(f"http://example.org/a{i}"), ox.BlankNode(), ox.BlankNode()
        triples += [ox.Triple(a, p, b1), ox.Triple(a, p, ox.Literal(str(i)))]
        triples += [ox.Triple(b2, p, ox.Literal("x")), ox.Triple(b1, p, b2)]
    parts = chunks(triples, 3)
    assert sorted(map(str, (t for part in parts for t in part))) == sorted(map(str, triples))
    home: dict[str, int] = {}
    for n, part in enumerate(parts):
        for t in part:
            for node in (t.subject, t.object):
                if isinstance(node, ox.BlankNode):
                    assert home.setdefault(node.value, n) == n, "a blank node spans two chunks"
    assert len(parts) > 10  # and it did chunk
    assert all(len(part) <= 3 for part in parts)


def test_store_url_beside_known_query_endpoints() -> None:
    assert store_url("http://h:7878/query") == "http://h:7878/store"
    assert store_url("http://h:8890/sparql") == "http://h:8890/sparql-graph-crud"
    assert store_url("http://h:8890/sparql-auth/") == "http://h:8890/sparql-graph-crud-auth"
    assert store_url("http://h/ds/anything") is None


def test_update_url_beside_known_query_endpoints() -> None:
    assert update_url("http://h:7878/query") == "http://h:7878/update"
    assert update_url("http://h:3030/ds/query?x=1") == "http://h:3030/ds/update"
    assert update_url("http://h:8890/sparql-auth/") == "http://h:8890/sparql-auth"
    assert update_url("http://h:8890/sparql") == "http://h:8890/sparql"
    assert update_url("http://h:8890/sparql", authenticated=True) == "http://h:8890/sparql-auth"
    assert update_url("http://h/ds/anything") is None


def test_staging_graphs_are_fresh_and_marked() -> None:
    names = {staging_iri() for _ in range(100)}
    assert len(names) == 100 and all(n.startswith("urn:govkg:staging:") for n in names)


# ---- what the shapes need ---------------------------------------------------------------------


def _shapes(text: str):
    from rdflib import Graph

    return Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> .\n" + text, format="turtle"
    )


def test_the_bundled_shapes_need_their_paths_and_govkg_namespace() -> None:
    from govkg.shacl import load_shapes

    needs = needed(load_shapes())
    for local in ("plaqueOn", "jurisdiction", "legalStatus", "hostedIn", "directlyUnder"):
        assert GK + local in needs.predicates
    assert PREFIXES["rdf"] + "type" in needs.predicates
    assert PREFIXES["skos"] + "prefLabel" in needs.predicates
    assert PREFIXES["rdfs"] + "comment" not in needs.predicates  # never used by a shape
    assert needs.namespaces == {GK}  # S58: any undeclared gk: property


def test_a_shape_with_an_open_predicate_is_refused() -> None:
    shapes = _shapes('[] sh:select "SELECT $this WHERE { $this ?p ?o }" .')
    with pytest.raises(NeedsEverything, match=r"\?p that no FILTER limits"):
        needed(shapes)
    with pytest.raises(NeedsEverything, match="sh:closed"):
        needed(_shapes("[] sh:closed true ."))


def test_a_filter_limits_a_variable_predicate() -> None:
    shapes = _shapes(
        '[] sh:select "SELECT $this WHERE { $this ?p ?o '
        'FILTER(?p IN (<http://e/a>, <http://e/b>)) }" .'
    )
    assert {"http://e/a", "http://e/b"} <= needed(shapes).predicates


# ---- credentials ------------------------------------------------------------------------------


def test_credentials_only_from_the_environment() -> None:
    assert auth.auth_from_env({}) is None
    assert isinstance(auth.auth_from_env({auth.TOKEN_ENV: "t"}), auth.BearerAuth)
    user = auth.auth_from_env({auth.USER_ENV: "u", auth.PASSWORD_ENV: "p"})
    assert isinstance(user, auth.ChallengeAuth)
    with pytest.raises(Exception, match="not both"):
        auth.auth_from_env({auth.TOKEN_ENV: "t", auth.USER_ENV: "u"})


def test_credentials_in_the_url_are_refused() -> None:
    result = CliRunner().invoke(
        cli, ["query", "plaques", "--endpoint", "http://u:secret@127.0.0.1:1/sparql"]
    )
    assert "do not put credentials in the URL" in _one_line_error(result)


def test_graph_without_endpoint_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["query", "plaques", "--graph", "https://e.org/g"])
    assert "give --endpoint" in _one_line_error(result)


def test_params_of_ad_hoc_remote_queries_are_refused(tmp_path: Path) -> None:
    q = tmp_path / "q.rq"
    q.write_text("SELECT ?x WHERE { ?x a ?c }", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["query", str(q), "-p", "c=gk:PublicBody", "--endpoint", "http://127.0.0.1:1/q"]
    )
    assert "canned queries only" in _one_line_error(result)


def test_updates_are_refused_before_anything_is_sent() -> None:
    result = CliRunner().invoke(
        cli, ["query", "-", "--endpoint", "http://127.0.0.1:1/q"], input="DROP ALL"
    )
    assert "SPARQL UPDATE" in _one_line_error(result)


# ---- stores that fail -------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_endpoint() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/sparql"
    result = CliRunner().invoke(cli, ["query", "plaques", "--endpoint", url])
    assert f"cannot reach {url}: " in _one_line_error(result)


def test_time_out() -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/sparql"
        result = CliRunner().invoke(
            cli, ["query", "plaques", "--endpoint", url, "--timeout", "0.5"]
        )
    assert f"{url}: no complete answer within 0.5 s" in _one_line_error(result)


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {}

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        status, headers, body = self.routes.get(self.path.split("?")[0], (404, {}, b"no such page"))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake() -> Iterator[tuple[str, dict]]:
    """A loopback HTTP server answering what each test puts in its routes."""
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {}
    with serving(type("Handler", (_Handler,), {"routes": routes})) as base:
        yield base, routes


def test_http_error_shows_status_and_one_line_of_the_body(fake) -> None:
    base, routes = fake
    routes["/sparql"] = (500, {"Content-Type": "text/plain"}, b"Store said: no\n\nSELECT ...\n")
    result = CliRunner().invoke(cli, ["query", "plaques", "--endpoint", base + "/sparql"])
    line = _one_line_error(result)
    assert line.endswith(f"{base}/sparql: HTTP 500 Internal Server Error: Store said: no")


def test_an_html_error_page_is_reduced_to_its_text(fake) -> None:
    base, routes = fake
    page = (
        b"<html><head><title>Failed</title></head><body><h1>403</h1><p>No write</p></body></html>"
    )
    routes["/sparql"] = (403, {"Content-Type": "text/html"}, page)
    result = CliRunner().invoke(cli, ["query", "plaques", "--endpoint", base + "/sparql"])
    assert _one_line_error(result).endswith("HTTP 403 Forbidden: Failed 403 No write")


def test_redirects_are_not_followed(fake) -> None:
    base, routes = fake
    routes["/sparql"] = (302, {"Location": "http://elsewhere.example/sparql"}, b"")
    result = CliRunner().invoke(cli, ["query", "plaques", "--endpoint", base + "/sparql"])
    assert "redirect to http://elsewhere.example/sparql" in _one_line_error(result)


def test_an_answer_that_is_not_sparql_results(fake) -> None:
    base, routes = fake
    routes["/"] = (200, {"Content-Type": "text/html"}, b"<html>welcome</html>")
    result = CliRunner().invoke(cli, ["query", "plaques", "--endpoint", base + "/"])
    assert "not SPARQL results" in _one_line_error(result)


def test_a_store_without_graph_store_protocol(fake) -> None:
    base, routes = fake
    routes["/query"] = (
        200,
        {"Content-Type": "application/sparql-results+json"},
        b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"0",'
        b'"datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}',
    )
    routes["/update"] = (204, {}, b"")
    result = CliRunner().invoke(
        cli, ["push", "--endpoint", base + "/query", "--graph", "https://e.org/g"]
    )
    line = _one_line_error(result)
    assert "push to <https://e.org/g> stopped at chunk 1 of 1: " in line
    assert line.endswith(
        "<https://e.org/g> is unchanged (0 triples); the staging graph was removed"
    )
    assert f"{base}/store: HTTP 404 Not Found: the store offers no SPARQL 1.1 Graph Store" in line


def test_a_store_that_asks_for_credentials(fake) -> None:
    base, routes = fake
    routes["/sparql"] = (401, {"WWW-Authenticate": 'Basic realm="x"'}, b"")
    result = CliRunner().invoke(cli, ["query", "plaques", "--endpoint", base + "/sparql"])
    assert "HTTP 401 Unauthorized: set $GOVKG_ENDPOINT_USER" in _one_line_error(result)


# ---- queries/stores.toml: the known differences of real stores -------------------------------


def test_store_differences_name_real_queries_and_cases() -> None:
    from govkg.catalogue import catalogue
    from govkg.remote.differences import differences, minimal_cases

    names = {q.name for q in catalogue()}
    cases = {c.name for c in minimal_cases("virtuoso")}
    known = differences("virtuoso")
    assert known and cases
    seen: set[str] = set()
    for d in known:
        assert d.kind in {"bug", "portability"}, d
        for q in d.queries:
            name, _, lang = q.partition("@")
            assert name in names and lang in {"", "en", "zh"}, q
            assert q not in seen, f"{q} has two causes"
            seen.add(q)
        assert d.minimal is None or d.minimal in cases, d.minimal
    assert {d.minimal for d in known if d.minimal} == cases  # no case left unreferenced
