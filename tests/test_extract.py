"""graph -> tables: the decompiler gives back the bundled sources sheet, and refuses loss."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from govkg.namespaces import GKR, PREFIXES
from govkg.tables.extract import NotExpressible, extract, source_rows

DATA = Path(__file__).resolve().parent.parent / "data"
# columns the graph carries (text and claims_dataset live outside the source resource)
GRAPH_COLUMNS = ("id", "kind", "name_zh", "name_en", "part_of", "publisher", "published",
                 "language", "media_type", "sha256", "comment_en")  # fmt: skip


def _source_graph() -> Graph:
    g = Graph()
    g.parse(DATA / "source.ttl")
    return g


def test_sources_sheet_comes_back_from_the_bundled_graph() -> None:
    with (DATA / "tables" / "sources.csv").open(encoding="utf-8", newline="") as fh:
        want = sorted(({c: r[c] for c in GRAPH_COLUMNS} for r in csv.DictReader(fh)),
                      key=lambda r: r["id"])  # fmt: skip
    rows, elsewhere = source_rows(_source_graph())
    got = [{c: r.get(c) for c in GRAPH_COLUMNS} for r in rows]
    assert len(got) >= 3
    assert got == want
    # what the sources sheet leaves is only what a quote's statements hold
    assert elsewhere and {str(p).rsplit("/", 1)[1] for _, p, _ in elsewhere} <= {
        "author", "contributor", "editor"}  # fmt: skip


def test_a_place_is_refused_by_name() -> None:
    g = _source_graph()
    g.parse(DATA / "places.ttl")
    with pytest.raises(NotExpressible, match=r"^place/\S+ \S+ .*: places come from reference"):
        extract(g)


def test_an_unexpressible_triple_is_named() -> None:
    g = _source_graph()
    g.add(
        (URIRef(GKR + "source/bjnews"), URIRef(PREFIXES["schema"] + "foundingDate"), Literal("x"))
    )
    with pytest.raises(NotExpressible, match=r"^source/bjnews: schema:foundingDate cannot"):
        source_rows(g)


def test_a_literal_the_cell_would_not_rebuild_is_named() -> None:
    g = _source_graph()
    article = URIRef(GKR + "source/bjnews-2023-11-23")
    issued = URIRef(PREFIXES["dct"] + "issued")
    (old,) = g.objects(article, issued)
    g.remove((article, issued, old))
    g.add((article, issued, Literal(str(old))))  # the same text, its datatype lost
    with pytest.raises(NotExpressible, match=r"^source/bjnews-2023-11-23: dct:issued .* published"):
        source_rows(g)
