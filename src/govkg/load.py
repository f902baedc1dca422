"""Parse the knowledge files (and a user's files) once, into one pyoxigraph store.

Every command starts from the `KnowledgeGraph` this module builds; rdflib is imported only
when a command asks for the rdflib view (serialising, pySHACL, owlrl).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from govkg import resources
from govkg.errors import BadInput, InputSyntaxError

if TYPE_CHECKING:
    import rdflib

# file ending -> pyoxigraph format; the formats a user's file may come in
FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
}

MAX_FILE_BYTES = 200 * 1024 * 1024
"""Refuse larger inputs outright rather than exhaust memory."""

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def rdf_format(path: Path, fmt: str | None = None) -> ox.RdfFormat:
    """The RDF format of a file, from an explicit name or its ending."""
    key = (fmt or path.suffix.lstrip(".")).lower()
    if key not in FORMATS:
        raise BadInput(
            f"{path}: unknown RDF format {key!r}; known: {', '.join(sorted(set(FORMATS)))}"
        )
    return FORMATS[key]


def _syntax_error(path: Path | str, err: SyntaxError) -> InputSyntaxError:
    message = str(err.msg if hasattr(err, "msg") else err)
    # pyoxigraph: "Parser error at line 3 between columns 6 and 9: <reason>"
    if ": " in message and message.startswith("Parser error"):
        message = message.split(": ", 1)[1]
    return InputSyntaxError(message, path, err.lineno, err.offset)


def parse_file(path: Path, fmt: str | None = None) -> list[ox.Quad]:
    """All statements of one RDF file, as quads; errors name file, line and column.

    pyoxigraph never fetches anything while parsing: no remote JSON-LD contexts, no XML
    external entities, no owl:imports.
    """
    from govkg.inputs import read_bytes

    path = Path(path)
    rfmt = rdf_format(path, fmt)
    data = read_bytes(path, MAX_FILE_BYTES, what="RDF file")
    # relative IRIs resolve against the file's own location, as RDF parsers conventionally do
    return parse_bytes(data, rfmt, source=path, base_iri=path.resolve().as_uri())


def parse_bytes(
    data: bytes, rfmt: ox.RdfFormat, source: Path | str = "<input>", base_iri: str | None = None
) -> list[ox.Quad]:
    """Parse RDF held in memory; the same errors as `parse_file`."""
    if rfmt == ox.RdfFormat.RDF_XML:
        from govkg.xml_guard import check_entities

        check_entities(data, str(source))
    try:
        return list(ox.parse(data, format=rfmt, base_iri=base_iri, lenient=False))
    except SyntaxError as err:
        raise _syntax_error(source, err) from None
    except (ValueError, OSError, RecursionError) as err:
        raise InputSyntaxError(str(err), source) from None
    except MemoryError as err:  # the parser's own bound on one token (16 MiB), or no memory
        raise InputSyntaxError(f"too large to parse: {err or 'out of memory'}", source) from None


@dataclass
class KnowledgeGraph:
    """The loaded graph: a pyoxigraph store, the files it came from, and an rdflib view."""

    store: ox.Store
    files: list[Path]
    subject_files: dict[str, set[Path]] = field(default_factory=dict, repr=False)
    _rdflib: Any = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.store)

    def query(self, sparql: str, substitutions: dict[ox.Variable, Any] | None = None) -> Any:
        """Run SPARQL on pyoxigraph (the fast engine); parameters bound, never spliced."""
        return self.store.query(sparql, substitutions=substitutions)

    def count(self, sparql: str) -> int:
        """The number a one-cell `SELECT (COUNT(…) AS ?n)` gives; project prefixes predeclared."""
        from govkg.namespaces import sparql_prologue

        for row in self.query(sparql_prologue() + sparql):
            return int(row[0].value)
        return 0

    def triples(self) -> Iterable[ox.Triple]:
        for quad in self.store:
            yield quad.triple

    def files_of(self, subject_iri: str) -> list[Path]:
        """The files that state something about this subject (for pointing users at them)."""
        return sorted(self.subject_files.get(subject_iri, ()))

    def rdflib(self) -> rdflib.Graph:
        """The same triples as an rdflib Graph, built once on first use."""
        if self._rdflib is None:
            self._rdflib = to_rdflib(self.triples())
        return self._rdflib


def to_rdflib_term(term: Any) -> Any:
    """One pyoxigraph term as its rdflib twin (xsd:string literals stay plain)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == XSD_STRING:
            return Literal(term.value)
        value = term.value
        if dt == XSD_DECIMAL and "." not in value and value.lstrip("+-").isdigit():
            # pyoxigraph's store writes decimals as "8"; XSD's canonical form (and what
            # Turtle serialisers write back) is "8.0": keep one form end to end
            value += ".0"
        return Literal(value, datatype=URIRef(dt))
    raise TypeError(f"cannot convert {term!r}")


def to_rdflib(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    """An rdflib Graph of these triples, with the project's prefixes bound."""
    from rdflib import Graph

    from govkg.namespaces import bind_prefixes

    graph = Graph()
    add = graph.add
    conv = to_rdflib_term
    for t in triples:
        add((conv(t.subject), conv(t.predicate), conv(t.object)))
    return bind_prefixes(graph)


def from_rdflib(graph: Any) -> list[ox.Triple]:
    """rdflib triples as pyoxigraph triples (for loading inferred graphs back)."""
    from rdflib import BNode, Literal, URIRef

    def conv(term: Any) -> Any:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
        raise TypeError(f"cannot convert {term!r}")

    return [ox.Triple(conv(s), conv(p), conv(o)) for s, p, o in graph]


def bundled_files(*, ontology: bool = True, data: bool = True, shapes: bool = False) -> list[Path]:
    """The knowledge files govkg ships, in load order."""
    files: list[Path] = []
    if ontology:
        files += resources.ontology_files()
    if data:
        files += resources.data_files()
    if shapes:
        files += resources.shape_files()
    return files


def load_graph(
    extra: Sequence[Path | str] = (),
    *,
    ontology: bool = True,
    data: bool = True,
    shapes: bool = False,
) -> KnowledgeGraph:
    """Parse the bundled ontology and data (and any extra files) into one graph.

    `extra` files are a user's; each is parsed before anything is added, so a bad file
    leaves nothing half-loaded.
    """
    files = bundled_files(ontology=ontology, data=data, shapes=shapes) + [Path(p) for p in extra]
    store = ox.Store()
    subject_files: dict[str, set[Path]] = {}
    parsed = [(path, parse_file(path)) for path in files]
    for path, quads in parsed:
        for q in quads:
            if isinstance(q.subject, ox.NamedNode):
                subject_files.setdefault(q.subject.value, set()).add(path)
        store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return KnowledgeGraph(store=store, files=files, subject_files=subject_files)
