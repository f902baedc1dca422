"""The web application as a function: Request in, Response out, no sockets.

Every route, every representation and every status code the app itself decides; the
socket-level limits (413 before reading, connection bound, keep-alive) are in
test_web_clients.py against a real server.
"""

from __future__ import annotations

import json
import re
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from govkg.catalogue import catalogue, find_canned, sort_concatenated
from govkg.cli.main import cli
from govkg.load import KnowledgeGraph
from govkg.namespaces import GK, GKR, ONTOLOGY_IRI
from govkg.query import Query, run_query
from govkg.web.admission import Admission
from govkg.web.app import App
from govkg.web.links import Linker, iri_of, local_path
from govkg.web.messages import HttpError, Request, Response
from govkg.web.negotiation import choose, negotiate
from govkg.web.protocol import Limits
from govkg.web.publish import htaccess
from govkg.web.wsgi import wsgi_app

BUREAU = GKR + "org/cn-gs-big-data-bureau"
GANSU = GKR + "place/cn-gs"
SELECT = "SELECT ?s WHERE { ?s gk:iso3166Code ?iso } ORDER BY ?s LIMIT 3"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SRX = "{http://www.w3.org/2005/sparql-results#}"
RDF_PARSERS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


@pytest.fixture(scope="module")
def app(kg: KnowledgeGraph) -> App:
    return App(kg)


def call(
    app: App,
    path: str,
    fields: dict[str, str] | None = None,
    *,
    accept: str | None = None,
    method: str = "GET",
    body: bytes = b"",
    content_type: str | None = None,
    **headers: str,
) -> Response:
    h = {k.replace("_", "-"): v for k, v in headers.items()}
    if accept:
        h["accept"] = accept
    if content_type:
        h["content-type"] = content_type
    return app.handle(Request(method, path, urlencode(fields or {}), h, body))


def triples(response: Response) -> list[ox.Triple]:
    assert response.status == 200, response.body
    return [q.triple for q in ox.parse(response.body, format=RDF_PARSERS[response.media])]


def json_rows(body: bytes) -> list[tuple[str | None, ...]]:
    doc = json.loads(body)
    names = doc["head"]["vars"]
    return [tuple(b.get(n, {}).get("value") for n in names) for b in doc["results"]["bindings"]]


# ---------------------------------------------------------------- negotiation


def test_negotiate_unit() -> None:
    offers = (("a/x", "x"), ("a/y", "y"))
    assert negotiate(None, offers) == ("a/x", "x")
    assert negotiate("a/y, a/x;q=0.9", offers) == ("a/y", "y")
    assert negotiate("a/*;q=0.1, a/x;q=0", offers) == ("a/y", "y")
    assert negotiate("b/z", offers) is None
    assert negotiate("garbage", offers) is None
    assert choose("b/z", "y", offers) == ("a/y", "y")  # format= beats Accept
    assert choose(None, "a/x", offers) == ("a/x", "x")
    with pytest.raises(HttpError) as err:
        choose(None, "z", offers)
    assert err.value.status == 406


def test_links_follow_the_iri_paths() -> None:
    assert local_path(BUREAU) == "/id/org/cn-gs-big-data-bureau"
    assert local_path(GK + "PublicBody") == "/def#PublicBody"
    assert local_path(ONTOLOGY_IRI) == "/def"
    assert local_path("http://www.w3.org/ns/org#Post") is None
    assert iri_of("/id/org/cn-gs-big-data-bureau") == BUREAU and iri_of("/def") == ONTOLOGY_IRI
    assert iri_of("/id/") is None and iri_of("/other") is None
    static = Linker(static=True, here="/id/org/cn-gs-big-data-bureau")
    assert static.href(GANSU) == "../place/cn-gs.html"
    assert static.href(GK + "PublicBody") == "../../def.html#PublicBody"
    assert static.data(BUREAU, "ttl", "ttl") == "cn-gs-big-data-bureau.ttl"
    assert Linker().data(BUREAU, "ttl", "ttl") == "/id/org/cn-gs-big-data-bureau?format=ttl"


# ---------------------------------------------------------------- /sparql


def test_select_in_every_w3c_format_agrees_with_run_query(app: App, kg: KnowledgeGraph) -> None:
    expected = [tuple(str(v) for v in row) for row in run_query(kg, SELECT + "\n").rows]
    assert len(expected) == 3
    r = call(app, "/sparql", {"query": SELECT})
    assert r.media == "application/sparql-results+json" and json_rows(r.body) == expected
    r = call(app, "/sparql", {"query": SELECT}, accept="application/sparql-results+xml")
    assert [(e.text,) for e in ET.fromstring(r.body).iter(f"{SRX}uri")] == expected
    r = call(app, "/sparql", {"query": SELECT, "format": "csv"}, accept="application/json")
    assert r.media == "text/csv" and r.body.decode().splitlines()[1:] == [e[0] for e in expected]
    r = call(app, "/sparql", {"query": SELECT}, accept="text/tab-separated-values")
    assert r.body.decode().splitlines()[0] == "?s"
    r = call(app, "/sparql", {"query": SELECT}, accept=BROWSER)
    assert r.media == "text/html"
    hrefs = re.findall(r'<td><a href="([^"]+)"', r.body.decode())
    assert hrefs == [local_path(e[0]) for e in expected]  # IRIs link to their pages here


def test_post_form_and_direct(app: App) -> None:
    form = call(
        app,
        "/sparql",
        method="POST",
        body=urlencode({"query": SELECT}).encode(),
        content_type="application/x-www-form-urlencoded",
    )
    direct = call(
        app,
        "/sparql",
        method="POST",
        body=SELECT.encode(),
        content_type="application/sparql-query; charset=utf-8",
    )
    assert form.status == direct.status == 200 and json_rows(form.body) == json_rows(direct.body)
    both = app.handle(
        Request(
            "POST",
            "/sparql",
            urlencode({"query": SELECT}),
            {"content-type": "application/sparql-query"},
            SELECT.encode(),
        )
    )
    assert both.status == 400


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", None),
        ("application/n-triples", None),
        ("application/ld+json", None),
        ("application/rdf+xml", None),
        (None, "rdfxml"),
        (None, "nt"),
        (None, "jsonld"),
    ],
)
def test_construct_in_every_graph_format(app: App, accept: str | None, fmt: str | None) -> None:
    q = f"CONSTRUCT {{ <{BUREAU}> ?p ?o }} WHERE {{ <{BUREAU}> ?p ?o }}"
    fields = {"query": q} | ({"format": fmt} if fmt else {})
    got = triples(call(app, "/sparql", fields, accept=accept))
    assert len(got) > 5 and all(t.subject == ox.NamedNode(BUREAU) for t in got)


def test_ask_and_describe(app: App) -> None:
    r = call(app, "/sparql", {"query": f"ASK {{ <{BUREAU}> ?p ?o }}"})
    assert json.loads(r.body) == {"head": {}, "boolean": True}
    r = call(app, "/sparql", {"query": "ASK { <urn:x:no> ?p ?o }", "format": "xml"})
    assert ET.fromstring(r.body).find(f"{SRX}boolean").text == "false"
    got = triples(call(app, "/sparql", {"query": f"DESCRIBE <{BUREAU}>"}, accept="text/turtle"))
    assert any(t.subject == ox.NamedNode(BUREAU) for t in got)


def test_service_description_without_a_query(app: App) -> None:
    r = app.handle(
        Request(
            "GET", "/sparql", "", {"accept": "text/turtle"}, base_url="http://example.test:8080"
        )
    )
    got = triples(r)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = ox.NamedNode("http://example.test:8080/sparql")
    assert ox.Triple(endpoint, ox.NamedNode(sd + "endpoint"), endpoint) in got
    formats = {t.object.value for t in got if t.predicate.value == sd + "resultFormat"}
    assert "http://www.w3.org/ns/formats/RDF_XML" in formats and len(formats) == 8
    assert call(app, "/sparql", accept=BROWSER).media == "text/html"


def test_head_is_get_without_a_body(app: App) -> None:
    get = call(app, "/sparql", {"query": SELECT})
    head = call(app, "/sparql", {"query": SELECT}, method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["Content-Length"] == str(len(get.body)) and head.media == get.media
    assert call(app, "/id/place/cn-gs", method="HEAD").status == 200


def test_cors_and_options(app: App) -> None:
    r = call(app, "/sparql", method="OPTIONS")
    assert r.status == 204 and "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in r.headers["Access-Control-Allow-Headers"]
    assert call(app, "/sparql", {"query": SELECT}).headers["Access-Control-Allow-Origin"] == "*"
    assert call(app, "/nothing").headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("request_", "status", "fragment"),
    [
        (Request("GET", "/sparql", "query=SELECT+*+WHERE+%7B"), 400, "SPARQL syntax error"),
        (Request("GET", "/sparql", "query="), 400, "no query"),
        (Request("GET", "/sparql", "query=plaques"), 400, "SPARQL syntax error"),
        (Request("GET", "/sparql", "query=x&query=y"), 400, "more than once"),
        (Request("GET", "/sparql", "query=%FF"), 400, "malformed"),
        (
            Request("GET", "/sparql", urlencode({"query": SELECT, "default-graph-uri": "urn:g"})),
            400,
            "default-graph-uri",
        ),
        (
            Request(
                "GET",
                "/sparql",
                urlencode(
                    {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}
                ),
            ),
            403,
            "SERVICE",
        ),
        (
            Request("GET", "/sparql", urlencode({"query": "SELECT * FROM <urn:g> { ?s ?p ?o }"})),
            403,
            "FROM",
        ),
        (
            Request(
                "POST",
                "/sparql",
                "",
                {"content-type": "application/sparql-query"},
                b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            ),
            403,
            "UPDATE",
        ),
        (
            Request(
                "POST", "/sparql", "", {"content-type": "application/sparql-update"}, b"CLEAR ALL"
            ),
            405,
            "read-only",
        ),
        (Request("GET", "/sparql", "update=CLEAR+ALL"), 405, "read-only"),
        (Request("PUT", "/sparql", "", {}, b"x"), 405, "read-only"),
        (Request("DELETE", "/id/place/cn-gs"), 405, "read-only"),
        (Request("POST", "/sparql", "", {"content-type": "text/plain"}, b"x"), 415, "POST"),
        (
            Request("POST", "/sparql", "", {"content-type": "application/sparql-query"}, b"\xff"),
            400,
            "UTF-8",
        ),
        (Request("POST", "/", "", {}, b""), 405, "POST only"),
        (
            Request("GET", "/sparql", urlencode({"query": SELECT}), {"accept": "image/png"}),
            406,
            "no acceptable format",
        ),
        (Request("GET", "/sparql", urlencode({"query": SELECT, "format": "ttl"})), 406, "format"),
        (Request("GET", "/id/place/cn-gs", "", {"accept": "image/png"}), 406, "acceptable"),
        (Request("GET", "/id/org/no-such-body"), 404, "nothing is known"),
        (Request("GET", "/nothing-here"), 404, "no such resource"),
        (Request("GET", "/queries/no-such-query"), 404, "no canned query"),
        (Request("GET", "/queries/evidence"), 400, "missing parameter 'entity'"),
        (Request("GET", "/queries/plaques", "bogus=1"), 400, "unknown parameter"),
        (Request("GET", "/static/../app.py"), 404, "no static file"),
        (Request("GET", "/static/.hidden"), 404, "no static file"),
        (Request("GET", "/dumps/other.ttl"), 404, "no dump"),
        (Request("GET", "/search", "q="), 400, "search needs"),
        (Request("BREW", "/"), 501, "not supported"),
    ],
    ids=lambda v: v if isinstance(v, (int, str)) else f"{v.method} {v.path}?{v.query_string}"[:50],
)
def test_status_codes(app: App, request_: Request, status: int, fragment: str) -> None:
    r = app.handle(request_)
    text = r.body.decode()
    assert r.status == status, text
    assert fragment in text and text.count("\n") == 1 and r.media == "text/plain"
    if status == 405:
        assert "GET" in r.headers["Allow"]


def test_a_crash_is_a_500_for_that_request_only(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError("worker died")

    monkeypatch.setattr("govkg.web.protocol.run_query", boom)
    q = SELECT + " # not cached"
    r = call(app, "/sparql", {"query": q})
    assert r.status == 500 and r.body == b"internal error\n"
    monkeypatch.undo()
    assert call(app, "/sparql", {"query": q}).status == 200


def test_repeated_requests_are_answered_from_the_cache(
    kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = App(kg, Limits(cache_bytes=10_000_000))
    first = call(cached, "/queries/plaques", accept="text/csv")
    monkeypatch.setattr("govkg.web.protocol.run_query", lambda *a, **k: 1 / 0)
    again = call(cached, "/queries/plaques", accept="text/csv")
    assert again.status == 200 and again.body == first.body and cached.cache.hits == 1
    head = call(cached, "/queries/plaques", accept="text/csv", method="HEAD")
    assert head.body == b"" and head.headers["Content-Length"] == str(len(first.body))
    assert call(cached, "/queries/plaques", accept="text/tab-separated-values").status == 500
    assert call(App(kg, Limits(cache_bytes=0)), "/queries/plaques").status == 500


def test_row_cap_cuts_and_says_so(kg: KnowledgeGraph) -> None:
    capped = App(kg, Limits(max_rows=5))
    r = call(capped, "/sparql", {"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status == 200 and len(json_rows(r.body)) == 5 and r.headers["X-SPARQL-MaxRows"] == "5"
    r = call(capped, "/sparql", {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, accept="text/turtle")
    assert len(triples(r)) == 5 and "X-SPARQL-MaxRows" in r.headers
    r = call(capped, "/sparql", {"query": SELECT.replace("LIMIT 3", "LIMIT 4")})
    assert "X-SPARQL-MaxRows" not in r.headers


def test_full_queue_is_503_with_retry_after(kg: KnowledgeGraph) -> None:
    admission = Admission(running=1, waiting=0, wait=0.1)
    busy = App(kg, Limits(admission=admission))
    with admission.slot():  # one query "running": nothing may queue behind it
        r = call(busy, "/sparql", {"query": SELECT})
        assert r.status == 503 and r.headers["Retry-After"].isdigit()
    assert call(busy, "/sparql", {"query": SELECT}).status == 200


def test_runaway_texts_holding_every_slot_leave_canned_queries_and_pages(
    kg: KnowledgeGraph,
) -> None:
    """/sparql texts and canned queries wait in lanes of their own, pages in none: with every
    /sparql slot taken (runaways), a canned query and an entity page still answer."""
    admission = Admission(running=1, waiting=0, wait=0.1)
    busy = App(kg, Limits(admission=admission, canned=Admission(running=1, waiting=0)))
    with admission.slot():
        assert call(busy, "/sparql", {"query": SELECT}).status == 503
        assert call(busy, "/queries/plaques", {"lang": "zh"}).status == 200
        assert call(busy, "/id/org/cn-gs-big-data-bureau", accept=BROWSER).status == 200
    with busy.limits.canned.slot():  # and the other way round
        assert call(busy, "/queries/plaques").status == 503
        assert call(busy, "/sparql", {"query": SELECT}).status == 200
    busy.close()


def test_queued_query_waits_for_a_slot_then_runs(kg: KnowledgeGraph) -> None:
    admission = Admission(running=1, waiting=1, wait=5)
    busy = App(kg, Limits(admission=admission))
    results: list[int] = []
    with admission.slot():
        worker = threading.Thread(
            target=lambda: results.append(call(busy, "/sparql", {"query": SELECT}).status)
        )
        worker.start()
        worker.join(0.3)
        assert worker.is_alive() and admission.waiting == 1  # queued, not refused
        assert call(busy, "/sparql", {"query": SELECT}).status == 503  # queue full
    worker.join(10)
    assert results == [200]


def test_timeout_is_503(kg: KnowledgeGraph) -> None:
    slow = App(kg, Limits(timeout=0.01))
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . { SELECT ?d WHERE { ?d ?e ?f } LIMIT 300 } }"
    r = call(slow, "/sparql", {"query": q})
    assert r.status == 503 and b"longer than" in r.body


# ---------------------------------------------------------------- canned queries


def test_canned_query_with_a_parameter(app: App, kg: KnowledgeGraph) -> None:
    expected = run_query(kg, "evidence", {"entity": BUREAU})
    assert expected.rows
    r = call(app, "/queries/evidence", {"entity": "gkr:org/cn-gs-big-data-bureau"})
    assert r.status == 200 and len(json_rows(r.body)) == len(expected.rows)
    page = call(app, "/queries/evidence", {"entity": BUREAU, "lang": "zh"}, accept=BROWSER)
    text = page.body.decode()
    assert page.media == "text/html" and f"{len(expected.rows)} 行" in text
    assert 'href="/id/org/cn-gs-big-data-bureau"' in text  # IRIs link to entity pages
    assert f'value="{BUREAU}"' in text  # the form keeps what was asked
    hostile = '"} } ; DROP ALL ; SELECT * { ?s ?p ?o'
    r = call(app, "/queries/evidence", {"entity": hostile})
    assert r.status == 200 and json_rows(r.body) == []
    r = call(app, "/queries/plaques", {"lang": "zh", "format": "csv"})
    assert r.media == "text/csv" and "北京经信局" in r.body.decode()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", [q.name for q in catalogue()])
def test_every_sparql_text_runs_on_sparql_with_the_embedded_rows(
    app: App, kg: KnowledgeGraph, name: str, lang: str
) -> None:
    """What `govkg query NAME --sparql` prints runs on /sparql unchanged, giving the rows
    `govkg query NAME` gives (a `VALUES ?lang` line is the text's own value, not a
    parameter to bind: unknowns and office-hosts were refused over ?lang)."""
    entry = find_canned(name)
    expected = run_query(kg, name, entry.example_params, lang=lang)
    text = entry.sparql(entry.example_params, lang)
    r = call(
        app,
        "/sparql",
        method="POST",
        body=text.encode("utf-8"),
        content_type="application/sparql-query",
        accept="application/sparql-results+json",
    )
    assert r.status == 200, r.body[:300]
    # /sparql answers the text as any store would: its GROUP_CONCAT cells in the engine's
    # order, which `govkg query` sorts (the query's `# concatenated:` header)
    at = {expected.variables.index(c): sep for c, sep in entry.concatenated}
    rows = [
        tuple(sort_concatenated(v, at[i]) if i in at and v else v for i, v in enumerate(row))
        for row in json_rows(r.body)
    ]
    want = [tuple(t.value if t is not None else None for t in terms) for terms in expected.terms]
    assert rows == want if entry.ordered else sorted(rows, key=repr) == sorted(want, key=repr)
    assert json.loads(r.body)["head"]["vars"] == expected.variables


def test_declared_parameter_of_an_ad_hoc_text_is_set_in_its_line(kg: KnowledgeGraph) -> None:
    """A --sparql text as a query file: `-p lang=zh` rewrites its VALUES line; without it the
    text's own value stands (not the default language); an undeclared ?lang is bound."""
    text = find_canned("office-hosts").sparql({}, "en")  # ?lang picks the category text
    written = Query.from_text(text)
    own = run_query(kg, written, {}, lang="zh")
    assert own.rows == run_query(kg, written, {}, lang="en").rows
    zh = run_query(kg, written, {"lang": "zh"})
    assert zh.rows and zh.rows != own.rows
    free = "SELECT ?l ?lang WHERE { gk:PublicBody rdfs:label ?l FILTER(LANG(?l) = ?lang) }"
    assert (
        run_query(kg, Query.from_text(free), {}, lang="zh").rows
        != run_query(kg, Query.from_text(free), {}, lang="en").rows
    )


# ---------------------------------------------------------------- entity pages


@pytest.mark.parametrize("media", list(RDF_PARSERS))
def test_entity_iri_dereferences_to_rdf(app: App, media: str) -> None:
    got = triples(call(app, "/id/org/cn-gs-big-data-bureau", accept=media))
    bureau = ox.NamedNode(BUREAU)
    assert (
        ox.Triple(
            bureau, ox.NamedNode(GK + "plaqueOn"), ox.NamedNode(GKR + "org/cn-gs-general-office")
        )
        in got
    )
    assert any(t.object == bureau for t in got)  # incoming links too


def test_evidence_document_carries_its_hash_parts(app: App) -> None:
    got = triples(call(app, "/id/evidence/plaque-bodies", {"format": "nt"}))
    subjects = {t.subject.value for t in got}
    assert GKR + "evidence/plaque-bodies#quote" in subjects
    page = call(app, "/id/evidence/plaque-bodies", accept=BROWSER).body.decode()
    assert 'id="quote"' in page and 'id="position"' in page


def test_entity_page_for_people(app: App, kg: KnowledgeGraph) -> None:
    r = call(app, "/id/org/cn-gs-big-data-bureau", accept=BROWSER)
    page = r.body.decode()
    assert r.media == "text/html" and "Vary" in r.headers
    # both labels, the switch, the quote behind the plaque fact with its offsets
    assert '<span class="zh" lang="zh">大数据管理局</span>' in page
    assert "Gansu: big data bureau" in page and 'id="lang-switch"' in page
    quote = next(
        row
        for row in run_query(kg, "evidence", {"entity": BUREAU}).rows
        if row[2] == GK + "plaqueOn"
    )
    exact, start, end = quote[5], quote[6], quote[7]
    assert f"<mark>{exact}</mark>" in page and f"characters {start}–{end}" in page
    assert 'href="/id/org/cn-gs-general-office"' in page  # links to related entities
    assert 'id="related"' in page
    office = call(app, "/id/org/cn-gs-general-office").body.decode()
    incoming = office[office.index('<section id="incoming">') :]
    assert 'href="/id/org/cn-gs-big-data-bureau"' in incoming  # plaqueOn, seen from the host
    assert 'rel="alternate" type="text/turtle"' in page
    assert (
        call(app, "/id/org/cn-gs-big-data-bureau", {"lang": "zh"}).body.count(b'data-lang="zh"')
        == 1
    )


def test_province_page_has_an_org_chart(app: App) -> None:
    page = call(app, "/id/place/cn-gs", accept=BROWSER).body.decode()
    chart = page[page.index('<section id="orgchart">') :]
    chart = chart[: chart.index("</svg>")]
    ET.fromstring(chart[chart.index("<svg") :] + "</svg>")  # well-formed SVG
    relations = set(re.findall(r'data-relation="(\w+)"', chart))
    assert {"hasOffice", "hostedIn", "plaqueOn"} <= relations
    for body in (
        "group/cn-gs-digital-government-leading-group",
        "org/cn-gs-general-office",
        "office/cn-gs-digital-government-leading-group-office",
        "org/cn-gs-big-data-bureau",
    ):
        assert f'href="/id/{body}"' in chart
    assert "plaque body" in chart  # legal status on the data body's box
    assert 'id="orgchart"' not in call(app, "/id/org/cn-gs-big-data-bureau").body.decode()


def test_ontology_documentation(app: App) -> None:
    page = call(app, "/def", accept=BROWSER).body.decode()
    section = page[page.index('id="PublicBody"') :]
    section = section[: section.index("</section>")]
    assert "Sub-terms" in section and 'href="/def#DataManagementBody"' in section
    assert "Instances" in section and 'href="/id/org/' in section
    plaque = page[page.index('id="plaqueOn"') :]
    plaque = plaque[: plaque.index("</section>")]
    assert "Domain" in plaque and "Range" in plaque
    got = triples(call(app, "/def", accept="text/turtle"))
    assert any(t.subject.value == GK + "PublicBody" for t in got)
    assert any(t.subject.value == ONTOLOGY_IRI for t in got)


def test_search_by_label_in_either_language(app: App) -> None:
    r = call(app, "/search", {"q": "甘肃省"})
    assert r.status == 303 and r.headers["Location"] == "/id/place/cn-gs"
    r = call(app, "/search", {"q": "gansu province"})
    assert r.status == 303 and r.headers["Location"] == "/id/place/cn-gs"
    r = call(app, "/search", {"q": "big data bureau"})
    assert r.status == 200 and 'href="/id/org/cn-gs-big-data-bureau"' in r.body.decode()
    r = call(app, "/search", {"q": "zzzz-no-such-label"})
    assert r.status == 200 and "Nothing found" in r.body.decode()


# ---------------------------------------------------------------- the query page, data


def test_query_page_vendors_yasgui_and_lists_every_canned_query(app: App) -> None:
    from govkg.catalogue import catalogue

    page = call(app, "/", accept=BROWSER).body.decode()
    for q in catalogue():
        assert f'action="/queries/{q.name}"' in page
    assert 'value="福建省大数据局"' in page  # parameter forms start filled (first example)
    srcs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/yasgui/yasgui.min.js" in srcs
    assert not [
        s for s in srcs if s.startswith(("http:", "https:", "//")) and "creativecommons" not in s
    ]
    js = call(app, "/static/yasgui/yasgui.min.js")
    assert js.status == 200 and len(js.body) > 500_000
    assert b"MIT" in call(app, "/static/yasgui/LICENSE").body
    assert "PREFIX gkr: &lt;https://w3id.org/govkg/id/&gt;" in page  # predeclared prefixes


def test_void_names_endpoint_dumps_and_distributions(app: App) -> None:
    r = app.handle(
        Request(
            "GET",
            "/.well-known/void",
            "",
            {"accept": "text/turtle"},
            base_url="http://example.test",
        )
    )
    got = triples(r)
    void, dcat = "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#"
    ds = ox.NamedNode(GKR + "dataset/govkg")
    assert (
        ox.Triple(
            ds, ox.NamedNode(void + "sparqlEndpoint"), ox.NamedNode("http://example.test/sparql")
        )
        in got
    )
    dumps = {t.object.value for t in got if t.predicate.value == void + "dataDump"}
    assert "http://example.test/dumps/govkg.ttl" in dumps and len(dumps) == 4
    urls = {t.object.value for t in got if t.predicate.value == dcat + "downloadURL"}
    assert urls == dumps


def test_dump_is_what_export_writes(app: App, tmp_path: Path) -> None:
    out = tmp_path / "g.nt"
    assert CliRunner().invoke(cli, ["export", "-f", "nt", "-o", str(out)]).exit_code == 0
    r = call(app, "/dumps/govkg.nt")
    assert r.status == 200 and r.body == out.read_bytes()


# ---------------------------------------------------------------- WSGI and static site


def test_wsgi_app_is_the_same_function(app: App) -> None:
    application = validator(wsgi_app(app))

    def environ(method: str, path: str, qs: str = "", body: bytes = b"", **extra: str) -> dict:
        import io

        env: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": qs,
            "SCRIPT_NAME": "",
            "wsgi.input": io.BytesIO(body),
        }
        if body:
            env["CONTENT_LENGTH"] = str(len(body))
        env.update(extra)
        setup_testing_defaults(env)
        return env

    seen: list[str] = []

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen.append(status)
        return lambda data: None

    def call(env: dict) -> bytes:
        """The body, the iterable closed after as a server must (PEP 3333)."""
        result = application(env, start)
        try:
            return b"".join(result)
        finally:
            result.close()

    body = call(environ("GET", "/sparql", urlencode({"query": SELECT})))
    assert seen[-1] == "200 OK" and len(json_rows(body)) == 3
    body = call(
        environ("POST", "/sparql", body=SELECT.encode(), CONTENT_TYPE="application/sparql-query")
    )
    assert seen[-1] == "200 OK" and len(json_rows(body)) == 3
    call(environ("GET", "/id/place/cn-gs", HTTP_ACCEPT="text/turtle"))
    assert seen[-1] == "200 OK"
    big = environ(
        "POST",
        "/sparql",
        CONTENT_TYPE="application/sparql-query",
        CONTENT_LENGTH=str(app.limits.max_body + 1),
    )
    call(big)
    assert seen[-1].startswith("413")


def test_htaccess_negotiates_with_303s() -> None:
    rules = htaccess("https://example.org/govkg")
    assert "RewriteRule ^(id/.+|def)$ https://example.org/govkg/$1.ttl [R=303,L]" in rules
    assert "RewriteRule ^(id/.+|def)$ https://example.org/govkg/$1.html [R=303,L]" in rules
    assert rules.index("ACCEPT} text/html") < rules.index("ACCEPT} text/turtle")  # people first


@pytest.mark.slow
def test_site_command_writes_pages_dumps_void_and_rules(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["site", "-o", str(out), "--target", "https://e.org/g"])
    assert result.exit_code == 0, result.output
    page = (out / "id/org/cn-gs-big-data-bureau.html").read_text(encoding="utf-8")
    assert 'href="../place/cn-gs.html"' in page and "<mark>" in page
    assert 'href="../../static/govkg.css"' in page
    for ext, fmt in (
        ("ttl", ox.RdfFormat.TURTLE),
        ("rdf", ox.RdfFormat.RDF_XML),
        ("jsonld", ox.RdfFormat.JSON_LD),
        ("nt", ox.RdfFormat.N_TRIPLES),
    ):
        assert list(ox.parse(path=str(out / f"id/org/cn-gs-big-data-bureau.{ext}"), format=fmt))
    assert 'id="orgchart"' in (out / "id/place/cn-gs.html").read_text(encoding="utf-8")
    assert 'id="PublicBody"' in (out / "def.html").read_text(encoding="utf-8")
    assert (out / "dumps/govkg.ttl").stat().st_size > 100_000
    assert "void:dataDump" in (out / "void.ttl").read_text(encoding="utf-8")
    assert "R=303" in (out / ".htaccess").read_text() and (out / "w3id.htaccess").is_file()


def test_site_rebuild_replaces_only_a_site_govkg_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("govkg.web.publish.documents", lambda app: [GANSU, ONTOLOGY_IRI])
    out = tmp_path / "site"
    assert (
        CliRunner().invoke(cli, ["site", "-o", str(out), "--target", "https://e.org/"]).exit_code
        == 0
    )
    assert (out / "w3id.htaccess").is_file() and (out / "id/place/cn-gs.ttl").is_file()
    assert CliRunner().invoke(cli, ["site", "-o", str(out)]).exit_code == 0
    assert not (out / "w3id.htaccess").exists()  # replaced as a whole, not merged
    other = tmp_path / "mine"
    other.mkdir()
    (other / "keep.txt").write_text("x")
    result = CliRunner().invoke(cli, ["site", "-o", str(other)])
    assert result.exit_code == 2 and "not a site govkg wrote" in result.output
    assert sorted(p.name for p in other.iterdir()) == ["keep.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left
