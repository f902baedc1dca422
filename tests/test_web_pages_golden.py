"""Page content pinned byte for byte: what the entity, province, evidence and ontology pages
(and their RDF descriptions) show, so a faster way of gathering page data cannot change it.

The golden files were written by the page queries as they were before the in-process,
index-lookup page reads; `pytest --update-golden` rewrites them (on purpose only).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govkg.load import KnowledgeGraph
from govkg.web.app import App
from govkg.web.messages import Request

GOLDEN = Path(__file__).parent / "golden" / "web"
PAGES = {
    "bureau": "/id/org/cn-gs-big-data-bureau",
    "gansu": "/id/place/cn-gs",
    "guangdong": "/id/place/cn-gd",
    "evidence": "/id/evidence/big-data-leading-groups",
    "ontology": "/def",
    "index": "/",
}
FORMATS = {"html-en": ("text/html", "en"), "html-zh": ("text/html", "zh"), "ttl": (None, "en")}


@pytest.fixture(scope="module")
def app(kg: KnowledgeGraph) -> App:
    return App(kg)


def same_graph(a: bytes, b: bytes) -> bool:
    """Whether two Turtle documents hold the same graph (blank nodes up to renaming)."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    ga, gb = Graph().parse(data=a, format="turtle"), Graph().parse(data=b, format="turtle")
    return len(ga) > 0 and isomorphic(ga, gb)


def render(app: App, path: str, fmt: str, static: bool = False) -> bytes:
    accept, lang = FORMATS[fmt]
    query = "" if accept else "format=ttl"
    headers = {"accept": accept or "text/turtle", "accept-language": lang}
    response = app.handle(Request("GET", path, query, headers))
    assert response.status == 200, (path, response.body[:200])
    return response.body


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_content_is_unchanged(app: App, name: str, fmt: str, update_golden: bool) -> None:
    if name == "index" and fmt == "ttl":
        return  # the index page has no RDF form
    body = render(app, PAGES[name], fmt)
    golden = GOLDEN / f"{name}.{fmt}"
    if update_golden:
        golden.write_bytes(body)
    if fmt == "ttl":  # the same triples (the serialiser's order follows the engine's)
        assert same_graph(body, golden.read_bytes()), f"{PAGES[name]} differs"
    else:
        assert body == golden.read_bytes(), f"{PAGES[name]} ({fmt}) differs from {golden}"


def test_static_pages_are_unchanged(kg: KnowledgeGraph, update_golden: bool) -> None:
    static = App(kg, static=True)
    for name in ("bureau", "gansu", "evidence"):
        body = render(static, PAGES[name], "html-en")
        golden = GOLDEN / f"{name}.static.html"
        if update_golden:
            golden.write_bytes(body)
        assert body == golden.read_bytes(), f"static {PAGES[name]} differs from {golden}"
