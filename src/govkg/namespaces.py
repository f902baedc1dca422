"""The base IRIs, every prefix, and the IRI-minting rule: defined here and nowhere else.

Kept as plain strings so that importing this module costs nothing; `bind_prefixes` gives an
rdflib graph the same table when a command needs rdflib.
"""

from __future__ import annotations

import re
from typing import Any

BASE = "https://w3id.org/govkg/"
GK = BASE + "def#"  # ontology terms
GKR = BASE + "id/"  # resources
GKS = BASE + "shapes#"  # SHACL shapes
ONTOLOGY_IRI = BASE + "def"

# prefix -> namespace IRI, in the order they are written in exports
PREFIXES: dict[str, str] = {
    "gk": GK,
    "gkr": GKR,
    "gks": GKS,
    "org": "http://www.w3.org/ns/org#",
    "rov": "http://www.w3.org/ns/regorg#",
    "cv": "http://data.europa.eu/m8g/",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "qb": "http://purl.org/linked-data/cube#",
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "dct": "http://purl.org/dc/terms/",
    "oa": "http://www.w3.org/ns/oa#",
    "schema": "https://schema.org/",
    "time": "http://www.w3.org/2006/time#",
    "wd": "http://www.wikidata.org/entity/",
    "sh": "http://www.w3.org/ns/shacl#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# kinds of resource a minted IRI may name (see docs/MODEL.md)
KINDS = frozenset(
    {
        "place",
        "org",
        "group",
        "office",
        "post",
        "person",
        "event",
        "evidence",
        "claim",
        "statement",
        "source",
        "dataset",
        "concept",
    }
)
_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def mint(kind: str, key: str, scheme: str | None = None) -> str:
    """The IRI of a govkg resource: `{GKR}{kind}/{key}` (concepts: `concept/{scheme}/{key}`).

    One rule for every resource keeps IRIs readable and stable; keys are lower-case ASCII
    words joined by hyphens, places keyed by their ISO 3166-2 code (`cn-gs`).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of resource {kind!r}; one of {sorted(KINDS)}")
    if not _KEY.match(key):
        raise ValueError(f"IRI key {key!r} must be lower-case ASCII words joined by '-'")
    if kind == "concept":
        if not scheme or not _KEY.match(scheme):
            raise ValueError("a concept IRI needs a scheme key")
        return f"{GKR}concept/{scheme}/{key}"
    return f"{GKR}{kind}/{key}"


def curie(iri: str) -> str:
    """The shortest prefixed form of an IRI, or the IRI in angle brackets."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    if best:
        return f"{best}:{iri[len(PREFIXES[best]) :]}"
    return f"<{iri}>"


def sparql_prologue() -> str:
    """PREFIX lines for every prefix, for queries written without their own."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def bind_prefixes(graph: Any) -> Any:
    """Bind the project's prefixes on an rdflib graph (after parsing: parse() rebinds)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


DATASET = mint("dataset", "govkg")
"""The data set itself (described in data/dataset.ttl); its named graphs are minted under it."""

GRAPH_PARTS = ("ontology", "data", "shapes", "inferred")
"""The named graphs of a TriG / N-Quads export, in the order they are written."""


def graph_iri(part: str) -> str:
    """The named graph holding one part of the data set: `{DATASET}/graph/{part}`."""
    if part not in GRAPH_PARTS:
        raise ValueError(f"unknown graph {part!r}; one of {', '.join(GRAPH_PARTS)}")
    return f"{DATASET}/graph/{part}"
