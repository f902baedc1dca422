"""Serialise a graph deterministically: same triples in, same bytes out.

rdflib does the serialising (the issue's choice for edge formats); determinism comes from
canonical blank-node labels and sorted insertion, so diffs of exports show real changes only.
"""

from __future__ import annotations

import json
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
    "xml": ("pretty-xml", "application/rdf+xml", "rdf"),
}


def canonical(graph: Any) -> rdflib.Graph:
    """A copy with canonical blank-node labels, triples inserted in sorted order."""
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph

    canon = to_canonical_graph(graph)
    out = Graph()
    for triple in sorted(canon, key=lambda t: tuple(term.n3() for term in t)):
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
