"""The W3C test suites the conformance tests run, vendored in tests/w3c/, and their one
manifest walker.

tests/w3c/shacl (the W3C SHACL test suite) and tests/w3c/sparql11 (the SPARQL 1.1
query-evaluation tests of five folders) hold only the files the tests use: the manifests and
what their entries name (tools/vendor_w3c.py copies them; tests/test_w3c_suites.py checks that
every named file is there and nothing else is). W3C test-suite licence: tests/w3c/LICENSE.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
W3C = REPO / "tests" / "w3c"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"
QT = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"

SHACL = W3C / "shacl"
SHACL_MANIFESTS = (SHACL / "manifest.ttl",)
SPARQL = W3C / "sparql11"
SPARQL_FOLDERS = ("aggregates", "functions", "negation", "property-path", "subquery")
SPARQL_MANIFESTS = tuple(SPARQL / folder / "manifest.ttl" for folder in SPARQL_FOLDERS)


@dataclass(frozen=True)
class Entry:
    """One manifest entry: the manifest's graph, the entry's node, the manifest's file."""

    graph: Any  # rdflib.Graph of the manifest, parsed with the manifest's file IRI as base
    node: Any  # the entry (rdflib URIRef)
    manifest: Path


def walk(manifests: tuple[Path, ...], visited: set[Path] | None = None) -> Iterator[Entry]:
    """Every member of each manifest's mf:entries lists, in order, following mf:include
    (breadth first, each manifest once; `visited` collects the manifests read). File IRIs
    resolve against the manifest's own location: the suites work wherever the clone is."""
    from rdflib import Graph, Namespace
    from rdflib.collection import Collection

    mf = Namespace(MF)
    seen: set[Path] = set() if visited is None else visited
    todo = [m.resolve() for m in manifests]
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.add(path)
        graph = Graph().parse(path, format="turtle", publicID=path.as_uri())
        todo += [file_path(inc) for inc in graph.objects(None, mf.include)]
        for lst in graph.objects(None, mf.entries):
            for node in Collection(graph, lst):
                yield Entry(graph, node, path)


def file_path(iri: Any) -> Path:
    """The file a file:// IRI of a manifest names (a Path is returned as it is)."""
    from urllib.parse import unquote, urlparse

    if isinstance(iri, Path):
        return iri
    parsed = urlparse(str(iri))
    assert parsed.scheme == "file", f"not a file IRI: {iri}"
    return Path(unquote(parsed.path))


def used_files(root: Path = W3C) -> set[Path]:
    """The files the conformance tests read under `root` (a folder holding shacl/ and
    sparql11/): every manifest walked, the SHACL tests' data and shapes graphs, and the
    SPARQL evaluation tests' query, data, named-graph data and expected result."""
    from rdflib import RDF, Namespace

    mf, sht, qt = Namespace(MF), Namespace(SHT), Namespace(QT)
    used: set[Path] = set()
    shacl = (root / "shacl" / "manifest.ttl",)
    sparql = tuple(root / "sparql11" / f / "manifest.ttl" for f in SPARQL_FOLDERS)
    for entry in walk(shacl, used):
        action = entry.graph.value(entry.node, mf.action)
        for graph in (sht.dataGraph, sht.shapesGraph):
            used |= {file_path(iri) for iri in entry.graph.objects(action, graph)}
    for entry in walk(sparql, used):
        if (entry.node, RDF.type, mf.QueryEvaluationTest) not in entry.graph:
            continue  # syntax tests: not run
        action = entry.graph.value(entry.node, mf.action)
        named = [qt.query, qt.data, qt.graphData]
        used |= {file_path(o) for p in named for o in entry.graph.objects(action, p)}
        used |= {file_path(o) for o in entry.graph.objects(entry.node, mf.result)}
    return used
