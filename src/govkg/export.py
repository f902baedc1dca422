"""Serialise a graph deterministically: same triples in, same bytes out.

rdflib does the serialising (the issue's choice for edge formats); determinism comes from
canonical blank-node labels and sorted insertion, so diffs of exports show real changes only.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from govkg.errors import BadInput
from govkg.namespaces import bind_prefixes

if TYPE_CHECKING:
    import rdflib

# --format value -> (rdflib serializer name, media type, file ending)
EXPORT_FORMATS: dict[str, tuple[str, str, str]] = {
    "ttl": ("turtle", "text/turtle", "ttl"),
    "nt": ("nt", "application/n-triples", "nt"),
    "nq": ("nquads", "application/n-quads", "nq"),
    "trig": ("trig", "application/trig", "trig"),
    "jsonld": ("json-ld", "application/ld+json", "jsonld"),
    "xml": ("xml", "application/rdf+xml", "rdf"),  # not pretty-xml: it drops triples on list nodes
}


class _Cycle(Exception):
    """Blank nodes that reach themselves: hashing alone cannot name them."""


def _blank_node_labels(graph: Any) -> dict[Any, Any]:
    """Stable labels for tree-shaped blank nodes, from hashes of what they say and where.

    Fast (linear) where rdflib's general canonicalisation takes tens of seconds on the
    bundled graph; raises _Cycle for blank-node cycles, which go to rdflib instead.
    """
    from rdflib import BNode

    outgoing: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    incoming: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    for s, p, o in graph:
        if isinstance(s, BNode):
            outgoing[s].append((p, o))
        if isinstance(o, BNode):
            incoming[o].append((s, p))
    content: dict[Any, str] = {}
    visiting: set[Any] = set()

    def content_hash(node: Any) -> str:
        if node in content:
            return content[node]
        if node in visiting:
            raise _Cycle
        visiting.add(node)
        parts = sorted(
            f"{p.n3()} {'_:' + content_hash(o) if isinstance(o, BNode) else o.n3()}"
            for p, o in outgoing[node]
        )
        visiting.discard(node)
        content[node] = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
        return content[node]

    def context(node: Any, depth: int = 0) -> str:
        if depth > 64:
            raise _Cycle
        edges = sorted(
            f"{context(s, depth + 1) if isinstance(s, BNode) else s.n3()} {p.n3()}"
            for s, p in incoming[node]
        )
        return hashlib.sha256(
            (content_hash(node) + "|" + "\n".join(edges)).encode("utf-8")
        ).hexdigest()

    nodes = set(outgoing) | set(incoming)
    keyed = sorted((context(node), str(node)) for node in nodes)
    labels: dict[Any, Any] = {}
    seen: dict[str, int] = defaultdict(int)
    for key, name in keyed:
        # equal keys mean interchangeable nodes: any numbering gives the same output
        seen[key] += 1
        labels[BNode(name)] = BNode(f"b{key[:16]}{seen[key]}")
    return labels


def canonical(graph: Any) -> rdflib.Graph:
    """A copy with stable blank-node labels, triples inserted in sorted order."""
    from rdflib import BNode, Graph

    try:
        labels = _blank_node_labels(graph)
        triples = [
            tuple(labels[t] if isinstance(t, BNode) else t for t in triple) for triple in graph
        ]
    except _Cycle:
        from rdflib.compare import to_canonical_graph

        triples = list(to_canonical_graph(graph))
    out = Graph()
    for triple in sorted(triples, key=lambda t: tuple(term.n3() for term in t)):
        out.add(triple)
    return bind_prefixes(out)


def _sorted_lines(text: str) -> str:
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "\n".join(lines) + "\n" if lines else ""


def _stable_jsonld(text: str) -> str:
    doc = json.loads(text)
    if isinstance(doc, dict) and isinstance(doc.get("@graph"), list):
        doc["@graph"].sort(key=lambda node: json.dumps(node, sort_keys=True, ensure_ascii=False))
    elif isinstance(doc, list):
        doc.sort(key=lambda node: json.dumps(node, sort_keys=True, ensure_ascii=False))
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def serialize(graph: Any, fmt: str = "ttl") -> bytes:
    """The graph in one of EXPORT_FORMATS, deterministic and with the project's prefixes."""
    if fmt not in EXPORT_FORMATS:
        raise BadInput(f"unknown format {fmt!r}; one of {', '.join(EXPORT_FORMATS)}")
    name = EXPORT_FORMATS[fmt][0]
    g = canonical(graph)
    if fmt in {"nq", "trig"}:
        from rdflib import Dataset

        ds = Dataset()
        bind_prefixes(ds)
        for triple in g:
            ds.add(triple)
        text = ds.serialize(format=name)
    elif fmt == "jsonld":
        from govkg.namespaces import PREFIXES

        text = g.serialize(format=name, context=dict(PREFIXES), auto_compact=True)
    else:
        text = g.serialize(format=name)
    if fmt in {"nt", "nq"}:
        text = _sorted_lines(text)
    elif fmt == "jsonld":
        text = _stable_jsonld(text)
    return text.encode("utf-8")
