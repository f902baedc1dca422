"""Serialise a graph deterministically: same triples in, same bytes out, streamed.

pyoxigraph's serialisers write Turtle, N-Triples, N-Quads, TriG and RDF/XML straight from a
stream of triples, and JSON-LD too, so memory stays near the store's: the distinct subjects
come out of the store (in Rust) and are sorted, each subject's few triples are sorted here,
and only the triples that touch a blank node are held at once (to label them). rdflib is no
longer used: its JSON-LD writer turns "+5"^^xsd:integer into the number 5, losing the lexical
form; JSON-LD is pyoxigraph's node objects under an `@context` of the project's prefixes
(declared, not used to compact: compacting would need a JSON-LD processor and the whole
document in memory).

Literals are written as the input wrote them (`KnowledgeGraph.exact`); blank nodes get
labels computed from what they say and where they hang (the same graph gives the same
labels); TriG and N-Quads keep ontology, data, shapes and inferred triples in named graphs.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

import pyoxigraph as ox

from govkg.errors import BadInput
from govkg.load import INFERRED, KnowledgeGraph, is_typed
from govkg.namespaces import GRAPH_PARTS, PREFIXES, graph_iri

if TYPE_CHECKING:
    import rdflib

# --format value -> (rdflib serializer name, media type, file ending)
EXPORT_FORMATS: dict[str, tuple[str, str, str]] = {
    "ttl": ("turtle", "text/turtle", "ttl"),
    "nt": ("nt", "application/n-triples", "nt"),
    "nq": ("nquads", "application/n-quads", "nq"),
    "trig": ("trig", "application/trig", "trig"),
    "jsonld": ("json-ld", "application/ld+json", "jsonld"),
    "xml": ("xml", "application/rdf+xml", "rdf"),
}
_OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
QUAD_FORMATS = frozenset({"nq", "trig"})
_WITH_PREFIXES = frozenset({"ttl", "trig", "xml"})
# gkr: names resources `gkr:org/...`; pyoxigraph would write `gkr:org\/...`: full IRIs read better
EXPORT_PREFIXES = {p: ns for p, ns in PREFIXES.items() if p != "gkr"}
_DEFAULT = ox.DefaultGraph()

Advance = Callable[[int], None]


def _nothing(n: int = 1) -> None:
    return None


# ------------------------------------------------------------------ blank-node labels


REFINEMENT_ROUNDS = 64
"""Colour-refinement rounds at most: govkg's own graphs settle in under ten."""


def blank_node_labels(edges: Iterable[tuple[Any, Any, Any]]) -> dict[Any, ox.BlankNode]:
    """Stable labels for blank nodes, from what they say and where they hang.

    Colour refinement (Weisfeiler-Leman): each round hashes a node's colour with its edges'
    predicates and neighbours' colours, until the partition stops splitting. Linear per
    round, and it handles cycles. Nodes left with equal colours are interchangeable in every
    graph govkg writes (trees, lists, evidence selectors), so any numbering of them gives the
    same output; for graphs where refinement cannot tell non-interchangeable nodes apart (e.g.
    some regular cycles of blank nodes) the bytes may differ between runs, never the graph.
    Rounds stop after REFINEMENT_ROUNDS (a blank node nested deeper than that in a chain is
    named by its place among the tied ones), so a hostile 100k-deep chain costs linear time.
    """
    outgoing: dict[Any, list[tuple[str, Any]]] = defaultdict(list)
    incoming: dict[Any, list[tuple[Any, str]]] = defaultdict(list)
    for s, p, o in edges:
        if type(s) is ox.BlankNode:
            outgoing[s].append((str(p), o))
        if type(o) is ox.BlankNode:
            incoming[o].append((s, str(p)))
    nodes = set(outgoing) | set(incoming)
    colour = dict.fromkeys(nodes, "")

    def name(term: Any) -> str:
        return "_:" + colour[term] if type(term) is ox.BlankNode else str(term)

    classes = 1 if nodes else 0
    for _ in range(min(len(nodes) + 1, REFINEMENT_ROUNDS)):
        new = {}
        for node in nodes:
            out = "\n".join(sorted(f"{p} {name(o)}" for p, o in outgoing[node]))
            into = "\n".join(sorted(f"{name(s)} {p}" for s, p in incoming[node]))
            text = f"{colour[node]}|{out}|{into}"
            new[node] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        colour = new
        count = len(set(colour.values()))
        if count == classes or count == len(nodes):
            break
        classes = count
    labels: dict[Any, ox.BlankNode] = {}
    seen: dict[str, int] = defaultdict(int)
    for key, node in sorted((colour[n], str(n)) for n in nodes):
        seen[key] += 1
        labels[ox.BlankNode(node[2:])] = ox.BlankNode(f"b{key[:16]}{seen[key]}")
    return labels


def _blank_edges(kg: KnowledgeGraph, graphs: list[Any]) -> Iterator[tuple[Any, Any, Any]]:
    """Every exported triple that touches a blank node, with the input's exact literals."""
    rows = kg.store.query(
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }",
        default_graph=graphs,
    )
    for row in rows:
        if not is_typed(row[2]):
            yield row[0], row[1], row[2]
    for quad in kg.exact:
        if type(quad.subject) is ox.BlankNode and quad.graph_name in graphs:
            yield quad.subject, quad.predicate, quad.object


# ------------------------------------------------------------------ ordered triples


def _triple_key(t: ox.Triple) -> tuple[Any, ...]:
    return (_term_key(t.subject), t.predicate.value, _term_key(t.object))


def _term_key(term: Any) -> tuple[Any, ...]:
    if type(term) is ox.NamedNode:
        return (1, term.value)
    if type(term) is ox.BlankNode:
        return (0, term.value)
    return (2, term.value, term.datatype.value, term.language or "")


class _Writer:
    """Yields a graph's triples subject by subject in a fixed order, blank nodes relabelled."""

    def __init__(self, kg: KnowledgeGraph, advance: Advance) -> None:
        self.kg = kg
        self.advance = advance
        self.graphs = [_DEFAULT] + ([INFERRED] if _has(kg, INFERRED) else [])
        self.labels = blank_node_labels(_blank_edges(kg, self.graphs))

    def relabel(self, term: Any) -> Any:
        return self.labels.get(term, term) if type(term) is ox.BlankNode else term

    def subjects(self, graphs: list[Any]) -> list[Any]:
        """Named subjects in IRI order, then blank ones by label.

        The distinct subjects come from the store (in Rust) and are sorted here: one object
        per subject, and much faster than the store's ORDER BY.
        """
        rows = self.kg.store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }", default_graph=graphs)
        named, blank = [], []
        for row in rows:
            (blank if type(row[0]) is ox.BlankNode else named).append(row[0])
        named.sort(key=lambda n: n.value)
        blank.sort(key=lambda b: self.labels[b].value)
        return named + blank

    def block(self, subject: Any, graphs: list[Any], skip: ox.Dataset | None) -> list[ox.Triple]:
        """One subject's triples in these graphs, exact literals, sorted, without duplicates."""
        store, found = self.kg.store, []
        for graph in graphs:
            for quad in store.quads_for_pattern(subject, None, None, graph):
                if not is_typed(quad.object):
                    found.append(quad)
        for quad in self.kg.exact.quads_for_subject(subject):
            if quad.graph_name in graphs:
                found.append(quad)
        if skip is not None:
            found = [q for q in found if ox.Quad(q.subject, q.predicate, q.object) not in skip]
        s = self.relabel(subject)
        keyed = {
            (q.predicate.value, _term_key(o)): ox.Triple(s, q.predicate, o)
            for q in found
            for o in (self.relabel(q.object),)
        }
        self.advance(len(found))
        return [keyed[key] for key in sorted(keyed)]

    def triples(self, graphs: list[Any], skip: ox.Dataset | None = None) -> Iterator[ox.Triple]:
        for subject in self.subjects(graphs):
            yield from self.block(subject, graphs, skip)

    def part(self, dataset: ox.Dataset) -> Iterator[ox.Triple]:
        """A small bundled part (ontology, shapes), sorted in memory."""
        triples = {
            ox.Triple(self.relabel(q.subject), q.predicate, self.relabel(q.object)) for q in dataset
        }
        self.advance(len(triples))
        yield from sorted(
            triples, key=lambda t: (_term_key(t.subject), t.predicate.value, _term_key(t.object))
        )

    def merged(self) -> Iterator[ox.Triple]:
        """Every triple (asserted and inferred) in one stream, for the triple formats."""
        return self.triples(self.graphs)

    def by_part(self) -> Iterator[ox.Quad]:
        """The named graphs of a TriG / N-Quads export, in GRAPH_PARTS order."""
        kg = self.kg
        only_parts = ox.Dataset(q for ds in kg.parts.values() for q in ds if q not in kg.restated)
        streams: dict[str, Iterable[ox.Triple]] = {
            "ontology": self.part(kg.parts.get("ontology", ox.Dataset())),
            "data": self.triples([_DEFAULT], only_parts if len(only_parts) else None),
            "shapes": self.part(kg.parts.get("shapes", ox.Dataset())),
            "inferred": self.triples([INFERRED]) if INFERRED in self.graphs else (),
        }
        for name in GRAPH_PARTS:
            graph = ox.NamedNode(graph_iri(name))
            for t in streams[name]:
                yield ox.Quad(t.subject, t.predicate, t.object, graph)


def _has(kg: KnowledgeGraph, graph: Any) -> bool:
    return any(True for _ in kg.store.quads_for_pattern(None, None, None, graph))


# ------------------------------------------------------------------ checks and formats

_XML_FORBIDDEN = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x{FFFE}\x{FFFF}]"  # XML 1.0 Char excludes these
_NOT_XML_CHAR = frozenset([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])


def check_xml_terms(kg: KnowledgeGraph, graphs: list[Any]) -> None:
    """Refuse RDF/XML for a literal XML 1.0 cannot hold (most C0 control characters).

    Decided on the terms themselves (a scan of the literals in the store, plus the exact
    forms), before any byte is written.
    """
    pattern = _XML_FORBIDDEN.replace("\\", "\\\\")  # as a SPARQL string
    rows = kg.store.query(
        "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && REGEX(STR(?o), "
        f'"{pattern}")) }} LIMIT 1',
        default_graph=graphs,
    )
    hits = [(row[0], row[1]) for row in rows]
    hits += [
        (q.subject, q.object)
        for q in kg.exact
        if any(ord(c) in _NOT_XML_CHAR for c in q.object.value)
    ][:1]
    if hits:
        subject, literal = hits[0]
        char = next(c for c in literal.value if ord(c) in _NOT_XML_CHAR)
        shown = str(literal)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise BadInput(
            f"RDF/XML (XML 1.0) cannot hold the character U+{ord(char):04X} of the literal "
            f"{shown} of {subject}; export it as Turtle, N-Triples or JSON-LD (--format ttl)"
        )


def export(
    kg: KnowledgeGraph, out: BinaryIO, fmt: str = "ttl", advance: Advance = _nothing
) -> None:
    """Write the graph to a binary stream in one of EXPORT_FORMATS, deterministically."""
    if fmt not in EXPORT_FORMATS:
        raise BadInput(f"unknown format {fmt!r}; one of {', '.join(EXPORT_FORMATS)}")
    writer = _Writer(kg, advance)
    if fmt == "xml":
        check_xml_terms(kg, writer.graphs)
    if fmt == "jsonld":  # the prefixes as its context; the nodes as pyoxigraph writes them
        context = json.dumps(EXPORT_PREFIXES, ensure_ascii=False, indent=1)
        out.write(f'{{"@context": {context},\n"@graph": '.encode())
    stream: Iterable[Any] = writer.by_part() if fmt in QUAD_FORMATS else writer.merged()
    options: dict[str, Any] = {"prefixes": EXPORT_PREFIXES} if fmt in _WITH_PREFIXES else {}
    try:
        ox.serialize(stream, out, _OX_FORMATS[fmt], **options)
        if fmt == "jsonld":
            out.write(b"}\n")
    except (ValueError, TypeError) as err:  # e.g. an IRI RDF/XML cannot write as an element
        raise BadInput(f"cannot write {fmt}: {err}") from None


def serialize(source: Any, fmt: str = "ttl") -> bytes:
    """A graph (KnowledgeGraph, rdflib Graph or pyoxigraph triples) as bytes of one format."""
    kg = source if isinstance(source, KnowledgeGraph) else graph_of(source)
    buffer = io.BytesIO()
    export(kg, buffer, fmt)
    return buffer.getvalue()


def graph_of(triples: Any) -> KnowledgeGraph:
    """A throwaway KnowledgeGraph holding these triples (rdflib or pyoxigraph), exact terms."""
    from govkg.load import from_rdflib

    if not isinstance(triples, (list, tuple, set)) and hasattr(triples, "serialize"):
        triples = from_rdflib(triples)  # an rdflib Graph
    kg = KnowledgeGraph(store=ox.Store(), files=[])
    for t in triples:
        t = t.triple if isinstance(t, ox.Quad) else t
        quad = ox.Quad(t.subject, t.predicate, t.object)
        kg.store.add(quad)
        if is_typed(t.object):
            kg.exact.add(quad)
    return kg


def to_rdflib_dataset(kg: KnowledgeGraph) -> rdflib.Dataset:
    """The export's named graphs as an rdflib Dataset (for comparing in tests)."""
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(data=serialize(kg, "nq"), format="nquads")
    return ds
