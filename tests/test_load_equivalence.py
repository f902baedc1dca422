"""The streaming loader keeps exactly what the per-quad reference loader kept (issue 12).

The reference is the loader as it was before the lean triple-file path: one generator that
routed every quad through the same checks. Both load the same files; the data sets they
build (store, exact literals, parts, restated, subjects per file) must be the same up to
blank-node labels, which each parse draws at random.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from govkg import load
from govkg.load import (
    _PART_OF_GRAPH,
    _SMALL_PARTS,
    INFERRED,
    KnowledgeGraph,
    _Reader,
    check_bytes,
    is_typed,
    load_graph,
    parse_errors,
    read_source,
)
from govkg.namespaces import GK, graph_iri

XSD = "http://www.w3.org/2001/XMLSchema#"


class ReferenceLoader:
    """The loader before issue 12's lean path, verbatim: every quad through `_route`."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg

    def load(self, path: Path, part: str, advance: Callable[[int], None]) -> None:
        data, rfmt, base_iri = read_source(path)
        check_bytes(data, rfmt, path)
        subjects = self.kg.file_subjects.setdefault(path, set())
        with parse_errors(path):
            quads = ox.parse(
                _Reader(data, advance),
                format=rfmt,
                base_iri=base_iri,
                rename_blank_nodes=True,
                lenient=False,
            )
            self.kg.store.extend(self._route(quads, part, subjects))

    def _route(self, quads: Iterable[ox.Quad], part: str, subjects: set[Any]) -> Iterator[ox.Quad]:
        kg = self.kg
        exact_add = kg.exact.add
        subject_add = subjects.add
        small = kg.parts[part] if part in _SMALL_PARTS else None
        others = [ds for name, ds in kg.parts.items() if name != part]
        for quad in quads:
            graph = quad.graph_name
            if type(graph) is not ox.DefaultGraph:
                target = _PART_OF_GRAPH.get(getattr(graph, "value", ""), part)
                if target == "inferred":
                    quad = ox.Quad(quad.subject, quad.predicate, quad.object, INFERRED)
                    if is_typed(quad.object):
                        exact_add(quad)
                    yield quad
                    continue
                quad = ox.Quad(quad.subject, quad.predicate, quad.object)
                if target != part:
                    self._into_part(quad, target)
                    subject_add(quad.subject)
                    if is_typed(quad.object):
                        exact_add(quad)
                    yield quad
                    continue
            subject_add(quad.subject)
            if is_typed(quad.object):
                exact_add(quad)
            if small is not None:
                small.add(quad)
            else:
                for ds in others:
                    if len(ds) and quad in ds:
                        kg.restated.add(quad)
            yield quad

    def _into_part(self, quad: ox.Quad, part: str) -> None:
        kg = self.kg
        if part in _SMALL_PARTS:
            kg.parts[part].add(quad)
        elif any(quad in ds for ds in kg.parts.values()):
            kg.restated.add(quad)


def fingerprint(kg: KnowledgeGraph) -> set[str]:
    """Everything a KnowledgeGraph keeps, as one canonicalised data set's N-Quads lines.

    Each component goes into a graph of its own, so a quad moved from one to another shows;
    blank nodes are shared across components, so canonicalising renames them consistently.
    """

    def tag(name: str, graph: Any) -> ox.NamedNode:
        inner = "default" if isinstance(graph, ox.DefaultGraph) else graph.value
        return ox.NamedNode(f"urn:test:{name}:{inner}")

    ds = ox.Dataset()
    for quad in kg.store:
        ds.add(ox.Quad(quad.subject, quad.predicate, quad.object, tag("store", quad.graph_name)))
    for name, quads in [("exact", kg.exact), ("restated", kg.restated), *kg.parts.items()]:
        for quad in quads:
            ds.add(ox.Quad(quad.subject, quad.predicate, quad.object, tag(name, quad.graph_name)))
    subject_of = ox.NamedNode("urn:test:subjectOf")
    for path, subjects in kg.file_subjects.items():
        for subject in subjects:
            ds.add(
                ox.Quad(subject, subject_of, ox.Literal(str(path)), tag("files", ox.DefaultGraph()))
            )
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(quad) for quad in ds}


def both(monkeypatch: pytest.MonkeyPatch, files: list[Path], **kinds: bool) -> tuple[Any, Any]:
    new = load_graph(files, **kinds)
    with monkeypatch.context() as m:
        m.setattr(load, "_Loader", ReferenceLoader)
        old = load_graph(files, **kinds)
    return new, old


def tricky_files(tmp_path: Path, ontology_triple: ox.Triple) -> list[Path]:
    """Blank nodes labelled alike in two files, govkg's graphs in quad files, typed literals
    the store rewrites, an ontology statement restated in a data file."""
    restated = f"{ontology_triple.subject} {ontology_triple.predicate} {ontology_triple.object}"
    texts = {
        "a.ttl": (
            f"@prefix xsd: <{XSD}> .\n"
            '_:b1 <http://x/p> "01"^^xsd:integer ; <http://x/q> "1.50"^^xsd:decimal .\n'
            '<http://x/s> <http://x/r> _:b1 , 08 , 1.0e0 , true , "abc"^^xsd:integer .\n'
            f"{restated} .\n"
        ),
        "b.nt": (
            f'_:b1 <http://x/p> "2"^^<{XSD}int> .\n'
            '<http://x/s> <http://x/p> "plain" .\n'
            '<http://x/s> <http://x/p> "zh"@zh .\n'
        ),
        "c.nq": (
            f'_:b1 <http://x/p> "007"^^<{XSD}integer> <{graph_iri("inferred")}> .\n'
            f'<http://x/t> <http://x/p> "1.50"^^<{XSD}decimal> <{graph_iri("ontology")}> .\n'
            f'<http://x/v> <http://x/q> "x" <{graph_iri("data")}> .\n'
            f"<http://x/u> <http://x/p> _:b1 <http://x/other-graph> .\n"
            f'<http://x/v> <http://x/p> "02"^^<{XSD}integer> .\n'
        ),
        "d.trig": (
            f"@prefix xsd: <{XSD}> .\n"
            f"<{graph_iri('shapes')}> {{ <http://x/w> <http://x/p> 3.10 . }}\n"
            "{ _:b1 <http://x/p> 0010 . }\n"
        ),
        "e.rdf": (
            '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            ' xmlns:e="http://e/"><rdf:Description rdf:about="http://x/a">'
            f'<e:p rdf:datatype="{XSD}decimal">2.500</e:p></rdf:Description></rdf:RDF>\n'
        ),
        "f.jsonld": (
            f'{{"@id": "http://x/j", "http://x/p": {{"@value": "04", "@type": "{XSD}integer"}}}}\n'
        ),
    }
    paths = []
    for name, text in texts.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_bundled_graph_is_loaded_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    new, old = both(monkeypatch, [], shapes=True)
    assert len(new.store) > 1000 and len(new.exact) > 0 and len(new.parts["shapes"]) > 0
    assert fingerprint(new) == fingerprint(old)


def test_tricky_files_are_loaded_as_before(monkeypatch: pytest.MonkeyPatch, kg, tmp_path) -> None:
    some = next(iter(kg.store.quads_for_pattern(ox.NamedNode(GK + "Province"), None, None)))
    new, old = both(monkeypatch, tricky_files(tmp_path, some.triple), shapes=True)
    assert fingerprint(new) == fingerprint(old)
    # the cases are really there: the test would see a loader that lost them
    assert some in new.restated
    exact = {(q.object.value, q.graph_name) for q in new.exact}
    assert {
        ("01", ox.DefaultGraph()),
        ("1.50", ox.DefaultGraph()),
        ("2.500", ox.DefaultGraph()),
    } <= exact
    assert ("007", INFERRED) in exact and ("04", ox.DefaultGraph()) in exact
    assert any(q.object.value == "1.50" for q in new.parts["ontology"])  # kept as written
    blank = {q.subject for q in new.store if isinstance(q.subject, ox.BlankNode)}
    assert len(blank) >= 4  # `_:b1` of a.ttl, b.nt, c.nq and d.trig: four nodes, not one


def test_triple_file_alone_is_loaded_as_before(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """Without the bundled parts: nothing to restate, subjects and exact literals only."""
    files = tricky_files(
        tmp_path, ox.Triple(ox.NamedNode("http://x/o"), ox.NamedNode("http://x/p"), ox.Literal("o"))
    )
    new, old = both(monkeypatch, files[:2] + files[4:5], ontology=False, data=False)
    assert fingerprint(new) == fingerprint(old)


def test_queries_only_store_is_the_full_store(kg, tmp_path: Path) -> None:
    """`govkg query`'s load (data triple files straight into the store, in Rust) gives the
    store the full load gives; what needs the exact literals refuses the graph."""
    some = next(iter(kg.store.quads_for_pattern(ox.NamedNode(GK + "Province"), None, None)))
    files = tricky_files(tmp_path, some.triple)
    fast, full = load_graph(files, queries_only=True), load_graph(files)
    store_only = [KnowledgeGraph(store=g.store, files=[]) for g in (fast, full)]
    assert fingerprint(store_only[0]) == fingerprint(store_only[1])
    assert len(fast.exact) < len(full.exact)  # a.ttl's and b.nt's typed literals not kept
    with pytest.raises(RuntimeError, match="exact literals"):
        list(fast.triples())

    # each file's named subjects, from the parse alongside Store.load, are the full load's
    def named(kg: KnowledgeGraph) -> dict[Path, set[ox.NamedNode]]:
        # a parse alongside keeps no blank-node subjects, which files_of never asks about
        return {
            path: {s for s in subjects if isinstance(s, ox.NamedNode)}
            for path, subjects in kg.file_subjects.items()
        }

    assert named(fast) == named(full) and all(named(full).values())
    iri = some.subject.value
    assert fast.files_of(iri) == full.files_of(iri) != []
    bare = load_graph(files, queries_only=True, keep_subjects=False)
    assert fingerprint(KnowledgeGraph(store=bare.store, files=[])) == fingerprint(store_only[0])
    with pytest.raises(RuntimeError, match="subjects"):
        bare.files_of(iri)


def test_queries_only_syntax_error_says_where(tmp_path: Path) -> None:
    from govkg.errors import InputSyntaxError

    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://x/a> <http://x/p> 1 .\n<http://x/a> <http://x/p> .\n", encoding="utf-8")
    with pytest.raises(InputSyntaxError) as info:
        load_graph([bad], queries_only=True)
    assert str(info.value).startswith(f"{bad}:2:")
