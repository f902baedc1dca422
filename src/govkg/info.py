"""A summary of the loaded graph, for `govkg info` and for Python users."""

from __future__ import annotations

from typing import Any

from govkg import __version__
from govkg.load import KnowledgeGraph
from govkg.namespaces import GK, sparql_prologue

# class -> label shown; counted with the ontology's subclass hierarchy
COUNTED_CLASSES: dict[str, str] = {
    "gk:ProvincialDivision": "provincial-level divisions",
    "gk:PublicBody": "public bodies",
    "gk:DataManagementBody": "  of which data-management bodies",
    "gk:CoordinationMechanism": "coordination mechanisms",
    "gk:LeadingGroupOffice": "leading-group offices",
    "org:Post": "posts",
    "gk:ChangeEvent": "change events",
    "gk:StatedClaim": "stated claims",
    "gk:Evidence": "evidence quotes",
}

_COUNT = """SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?c rdfs:subClassOf* %s . ?x a ?c }"""

_COVERED = """
SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {
  ?pc rdfs:subClassOf* gk:ProvincialDivision . ?p a ?pc .
  ?x gk:jurisdiction ?p .
}"""

_DATASET = """
SELECT ?title ?licence ?source ?sourceTitle ?sha ?lang WHERE {
  ?d a dcat:Dataset .
  OPTIONAL { ?d dct:title ?title FILTER(LANG(?title) = $lang) }
  OPTIONAL { ?d dct:license ?licence }
  OPTIONAL { ?d dct:source ?source .
             OPTIONAL { ?source dct:title|schema:headline ?sourceTitle }
             OPTIONAL { ?source gk:sha256 ?sha } }
} LIMIT 1"""


def describe(kg: KnowledgeGraph, lang: str = "en") -> dict[str, Any]:
    """Counts and metadata as plain values (JSON-ready)."""
    import pyoxigraph as ox

    entities = {label: kg.count(_COUNT % cls) for cls, label in COUNTED_CLASSES.items()}
    meta: dict[str, str | None] = dict.fromkeys(("title", "licence", "source", "sha"))
    rows = kg.query(
        sparql_prologue() + _DATASET, substitutions={ox.Variable("lang"): ox.Literal(lang)}
    )
    for row in rows:
        for key, var in (
            ("title", "title"),
            ("licence", "licence"),
            ("source", "sourceTitle"),
            ("sha", "sha"),
        ):
            if row[var] is not None:
                meta[key] = row[var].value
    return {
        "version": __version__,
        "triples": len(kg),
        "dataset": meta["title"],
        "licence": meta["licence"],
        "source": meta["source"],
        "source_sha256": meta["sha"],
        "namespace": GK,
        "provinces": entities["provincial-level divisions"],
        "provinces_covered": kg.count(_COVERED),
        "entities": entities,
    }
