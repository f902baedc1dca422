"""Decompile govkg RDF back into fact tables (graph -> `Tables`), the reverse of build.py.

So a user can get the facts of any govkg graph as a spreadsheet to extend. Anything the
tables cannot express raises `NotExpressible` naming the resource and predicate: nothing is
dropped silently. First piece: the `sources` sheet (articles, series, publishers).
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from govkg.errors import BadInput
from govkg.namespaces import GKR, PREFIXES
from govkg.tables.build import SCHEMA_PROPERTIES, SOURCE_CLASSES
from govkg.tables.read import Row, Tables
from govkg.tables.schema import SOURCES


class NotExpressible(BadInput):
    """A triple of the graph that no table cell can hold."""


def _curie(g: Graph, iri: URIRef) -> str:
    """The project's CURIE for `iri` (its own prefixes, not the file's), else <iri>."""
    best = max((ns for ns in PREFIXES.values() if str(iri).startswith(ns)), key=len, default="")
    if not best:
        return f"<{iri}>"
    prefix = next(k for k, v in PREFIXES.items() if v == best)
    return f"{prefix}:{str(iri)[len(best) :]}"


def _ref(term: object) -> str:
    return str(term)[len(GKR) :] if isinstance(term, URIRef) and str(term).startswith(GKR) else ""


_ARTICLE = {  # predicate CURIE -> (column, language or None)
    "schema:headline": ("name_zh", "zh"),
    "dct:title": (None, None),  # zh and en: checked against the names below
    "rdfs:label": ("name_zh", "zh"),
    "schema:isPartOf": ("part_of", None),
    "schema:publisher": ("publisher", None),
    "schema:datePublished": ("published", None),
    "dct:issued": ("published", None),
    "schema:inLanguage": ("language", None),
    "dct:language": ("language", None),
    "gk:sha256": ("sha256", None),
    "schema:encodingFormat": ("media_type", None),
    "rdfs:comment": ("comment_en", "en"),
}
_OTHER = {
    "schema:name": (None, None),
    "rdfs:label": (None, None),
    "schema:publisher": ("publisher", None),
}
_KINDS = {frozenset(v): k for k, v in SOURCE_CLASSES.items()}


_IRI_COLUMNS = ("part_of", "publisher")


def _fits(o: object, column: str | None, lang: str | None) -> bool:
    """Whether compiling the cell gives back exactly `o` (IRI, language, datatype)."""
    if column in _IRI_COLUMNS:
        return bool(_ref(o))
    if not isinstance(o, Literal):
        return False
    want = XSD.dateTime if column == "published" else None
    return o.language == lang and o.datatype == want


Triple = tuple[URIRef, URIRef, object]


def source_rows(g: Graph) -> tuple[list[Row], list[Triple]]:
    """The `sources` sheet: one row per source/… resource, in IRI order.

    Also returns the triples about sources that belong to another sheet (a quote's
    statements: schema:author, schema:contributor, schema:editor).
    """
    rows: list[Row] = []
    elsewhere: list[Triple] = []
    subjects = sorted({s for s in g.subjects() if _ref(s).startswith("source/")}, key=str)
    for n, s in enumerate(subjects, start=2):
        ref = _ref(s)
        types = frozenset(_curie(g, t) for t in g.objects(s, RDF.type))
        kind = _KINDS.get(types)
        if kind is None:
            raise NotExpressible(f"{ref}: rdf:type {' '.join(sorted(types))} is no source kind")
        cells = {"id": ref, "kind": kind}
        known = _ARTICLE if kind == "article" else _OTHER
        for p, o in sorted(g.predicate_objects(s)):
            if p == RDF.type:
                continue
            curie = _curie(g, p)
            if curie in SCHEMA_PROPERTIES and curie not in known:
                elsewhere.append((s, p, o))
                continue
            if curie not in known:
                raise NotExpressible(f"{ref}: {curie} cannot be expressed in the sources sheet")
            column, lang = known[curie]
            if isinstance(o, Literal) and o.language in ("zh", "en") and column is None:
                column, lang = f"name_{o.language}", o.language
            if not _fits(o, column, lang):
                raise NotExpressible(f"{ref}: {curie} {o.n3()} is not what {column} builds")
            if column is None:
                raise NotExpressible(f"{ref}: {curie} {o.n3()} has no column")
            value = _ref(o) or str(o)
            if cells.get(column, value) != value:
                raise NotExpressible(f"{ref}: {curie} {o.n3()} disagrees with {column}")
            cells[column] = value
        rows.append(Row("sources", n, {c: cells.get(c, "") for c in SOURCES.names}))
    return rows, elsewhere


def extract(g: Graph) -> Tables:
    """The graph's facts as tables (so far: the sources sheet).

    Until the other sheets are extracted, a triple they would hold is refused by name too.
    """
    rows, elsewhere = source_rows(g)
    for s, p, o in elsewhere:
        raise NotExpressible(
            f"{_ref(s)}: {_curie(g, p)} {o.n3()}: statements are not extracted yet"
        )
    return Tables("graph", {"sources": rows})
