"""What each page shows, gathered with SPARQL (web/queries/*.rq) through a `Runner`.

Page data is read by the pages' own queries only, never by walking the store: fixed text
shipped in the package, parameters bound as terms, each an index lookup on the entity (its
hash-IRI parts come from the runner's index), so a page costs what the entity holds. Being
trusted, they run in the server process (`Executor.page_runner`), without the guard and
the worker that text from a request goes through.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources as importlib_resources
from typing import Any

import pyoxigraph as ox

from govkg.namespaces import GK
from govkg.query import QueryResult

Runner = Callable[[str, dict[str, str]], QueryResult]
"""Runs a page query with parameters bound as terms (and its `VALUES ?part { }` filled)."""

LANGS = ("zh", "en")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL = "http://www.w3.org/2002/07/owl#"


@cache
def page_query(name: str) -> str:
    """The text of web/queries/NAME.rq (ends with a newline: always read as SPARQL text)."""
    text = (importlib_resources.files("govkg.web") / "queries" / f"{name}.rq").read_text("utf-8")
    return text if text.endswith("\n") else text + "\n"


class Labels:
    """zh and en labels of IRIs: skos:prefLabel first, rdfs:label next."""

    def __init__(self) -> None:
        self._by: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))

    def add(self, iri: str, kind: str, literal: ox.Literal) -> None:
        lang = (literal.language or "").split("-")[0]
        if lang in LANGS:
            self._by[iri][kind].setdefault(lang, literal.value)

    def get(self, iri: str, lang: str) -> str | None:
        kinds = self._by.get(iri, {})
        for kind in ("pref", "label"):
            if lang in kinds.get(kind, {}):
                return kinds[kind][lang]
        return None

    def both(self, iri: str) -> dict[str, str]:
        return {lang: label for lang in LANGS if (label := self.get(iri, lang))}

    def merge(self, other: Labels) -> None:
        for iri, kinds in other._by.items():
            for kind, langs in kinds.items():
                for lang, value in langs.items():
                    self._by[iri][kind].setdefault(lang, value)


@dataclass
class Quote:
    """An evidence quote and where it stands in the article."""

    annotation: str
    exact: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    source: str | None = None


@dataclass
class Statement:
    subject: ox.NamedNode | ox.BlankNode
    predicate: ox.NamedNode
    object: Any
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class EntityView:
    """Everything an entity's page shows."""

    iri: str
    labels: Labels
    types: list[str]
    statements: list[Statement]
    parts: dict[str, list[Statement]]
    incoming: list[Statement]
    attested: list[Quote]

    @property
    def exists(self) -> bool:
        return bool(self.statements or self.parts or self.incoming)

    def is_a(self, *local_names: str) -> bool:
        return any(t in {GK + n for n in local_names} for t in self.types)


def _int(term: Any) -> int | None:
    try:
        return int(term.value) if term is not None else None
    except ValueError:
        return None


def _str(term: Any) -> str:
    return term.value if term is not None else ""


def labels_for(run: Runner, iri: str) -> Labels:
    labels = Labels()
    for x, kind, label in run(page_query("labels"), {"entity": iri}).terms:
        if isinstance(label, ox.Literal):
            labels.add(x.value, kind.value, label)
    return labels


def entity_view(run: Runner, iri: str) -> EntityView:
    """The page data of one IRI: statements with quotes, parts, incoming links, labels."""
    params = {"entity": iri}
    quotes: dict[tuple[str, str, Any], list[Quote]] = defaultdict(list)
    for subject, p, o, ann, exact, prefix, suffix, start, end, source in run(
        page_query("evidence"), params
    ).terms:
        quote = Quote(ann.value, exact.value, _str(prefix), _str(suffix), _int(start), _int(end))
        quote.source = source.value if source is not None else None
        key = (subject.value, p.value, o)
        if all(q.annotation != quote.annotation for q in quotes[key]):
            quotes[key].append(quote)
    statements: list[Statement] = []
    parts: dict[str, list[Statement]] = defaultdict(list)
    types: list[str] = []
    for s, p, o in run(page_query("outgoing"), params).terms:
        st = Statement(s, p, o, quotes.get((s.value, p.value, o), []))
        if s.value == iri:
            statements.append(st)
            if p.value == RDF_TYPE and isinstance(o, ox.NamedNode):
                types.append(o.value)
        else:
            parts[s.value].append(st)
    incoming = [
        Statement(s, p, ox.NamedNode(iri), quotes.get((s.value, p.value, ox.NamedNode(iri)), []))
        for s, p in run(page_query("incoming"), params).terms
    ]
    attested = []
    for ann, exact, start, end in run(page_query("attested"), params).terms:
        attested.append(Quote(ann.value, exact.value, start=_int(start), end=_int(end)))
    order = _statement_order
    return EntityView(
        iri=iri,
        labels=labels_for(run, iri),
        types=sorted(types),
        statements=sorted(statements, key=order),
        parts={k: sorted(v, key=order) for k, v in sorted(parts.items())},
        incoming=sorted(incoming, key=lambda st: (st.predicate.value, st.subject.value)),
        attested=attested,
    )


_FIRST = [
    RDF_TYPE,
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
]


def _statement_order(st: Statement) -> tuple[int, str, str]:
    p = st.predicate.value
    rank = _FIRST.index(p) if p in _FIRST else len(_FIRST)
    return rank, p, str(st.object)


# ---------------------------------------------------------------- the ontology


@dataclass
class Term:
    iri: str
    kind: str
    labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)
    supers: list[str] = field(default_factory=list)
    subs: list[str] = field(default_factory=list)
    usage: int = 0
    instances: list[str] = field(default_factory=list)

    @property
    def local(self) -> str:
        return self.iri.rsplit("#", 1)[-1]


def _add(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)


def ontology_view(run: Runner) -> tuple[list[Term], Labels]:
    """Every govkg term with its definition, domain/range, super/sub-terms and instances."""
    terms: dict[str, Term] = {}
    labels = Labels()
    kinds = {
        OWL + "Class": "class",
        OWL + "ObjectProperty": "object property",
        OWL + "DatatypeProperty": "datatype property",
        OWL + "AnnotationProperty": "annotation property",
    }
    for t, kind, label, definition, comment, domain, range_, sup in run(
        page_query("terms"), {}
    ).terms:
        term = terms.setdefault(t.value, Term(t.value, kinds.get(kind.value, "property")))
        for lit, target in ((label, term.labels), (definition, term.definitions)):
            if isinstance(lit, ox.Literal) and lit.language in LANGS:
                target.setdefault(lit.language, lit.value)
        if isinstance(label, ox.Literal):
            labels.add(t.value, "label", label)
        if isinstance(comment, ox.Literal) and comment.language in (None, "", "en"):
            _add(term.comments, comment.value)
        for value, target in ((domain, term.domains), (range_, term.ranges), (sup, term.supers)):
            if isinstance(value, ox.NamedNode):
                _add(target, value.value)
    for term in terms.values():
        for sup in term.supers:
            if sup in terms:
                _add(terms[sup].subs, term.iri)
    for t, n, _example in run(page_query("term-usage"), {}).terms:
        if t.value in terms:
            terms[t.value].usage = _int(n) or 0
    for t, thing in run(page_query("instances"), {}).terms:
        if t.value in terms:
            terms[t.value].instances.append(thing.value)
    return sorted(terms.values(), key=lambda t: (t.kind != "class", t.local.lower())), labels


# ---------------------------------------------------------------- search


def search(run: Runner, text: str) -> list[tuple[str, str, bool]]:
    """(IRI, matching label, exact?) for labels containing the text; at most 50."""
    seen: set[str] = set()
    hits = []
    for x, label, exact in run(page_query("search"), {"q": text}).terms:
        if x.value not in seen:
            seen.add(x.value)
            hits.append((x.value, label.value, exact.value == "true"))
    return hits
