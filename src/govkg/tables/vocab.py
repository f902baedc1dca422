"""What fact tables may refer to, read from the ontology and a graph (places, resources)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from govkg.namespaces import GKR, PREFIXES
from govkg.tables.build import Vocabulary, resource_path
from govkg.tables.schema import SHEETS
from govkg.tables.turtle import I, L

RDF_TYPE = PREFIXES["rdf"] + "type"
_CLASS_TYPES = {PREFIXES["owl"] + "Class", PREFIXES["rdfs"] + "Class"}
_PROPERTY_TYPES = {
    PREFIXES["owl"] + t for t in ("ObjectProperty", "DatatypeProperty", "AnnotationProperty")
} | {PREFIXES["rdf"] + "Property"}
EXTRA_CLASSES = {"schema:Person", "prov:Person"}
EXTRA_PROPERTIES = {
    "rdfs:label",
    "rdfs:comment",
    *(
        f"schema:{p}"
        for p in ("name", "jobTitle", "affiliation", "author", "contributor", "editor")
    ),
}


def _curie(iri: str) -> str | None:
    for prefix, ns in PREFIXES.items():
        if prefix not in ("gkr", "gks", "wd") and iri.startswith(ns) and iri != ns:
            local = iri[len(ns) :]
            if local and all(ch.isalnum() or ch in "-_" for ch in local):
                return f"{prefix}:{local}"
    return None


def vocabulary(ontology: Iterable[Path], graph: Iterable[Path], existing: bool) -> Vocabulary:
    """Classes, properties, concepts from `ontology`; places (and, if `existing`, every
    resource, to refuse duplicates and accept references) from `graph`."""
    from govkg.load import parse_file

    vocab = Vocabulary(set(EXTRA_CLASSES), set(EXTRA_PROPERTIES), set(), {"cn": "place/cn"})
    in_scheme = PREFIXES["skos"] + "inScheme"
    iso = PREFIXES["gk"] + "iso3166Code"
    for path in ontology:
        for q in parse_file(path):
            s, p, o = q.subject.value, q.predicate.value, q.object.value
            if p == RDF_TYPE and o in _CLASS_TYPES and (c := _curie(s)):
                vocab.classes.add(c)
            elif p == RDF_TYPE and o in _PROPERTY_TYPES and (c := _curie(s)):
                vocab.properties.add(c)
            elif p == in_scheme and s.startswith(GKR):
                vocab.concepts.add(s[len(GKR) :])
    # what the naming rule (govkg.tables.naming) looks for: places' and resources' labels
    label_props = {PREFIXES["skos"] + "prefLabel", PREFIXES["skos"] + "altLabel"}
    named = {
        **{iri: _curie(iri) for iri in label_props},
        PREFIXES["rdfs"] + "label": "rdfs:label",
        PREFIXES["gk"] + "jurisdiction": "gk:jurisdiction",
    }
    for path in graph:
        for q in parse_file(path):
            s, p = q.subject.value, q.predicate.value
            if p == iso:
                vocab.places[q.object.value.lower()] = s[len(GKR) :]
            elif p == in_scheme and s.startswith(GKR):
                vocab.concepts.add(s[len(GKR) :])
            r = resource_path(s) if p in named else None
            if r is None:
                pass
            elif r.startswith("place/") and p in label_props:
                vocab.place_names.setdefault(r, set()).add(q.object.value)
            elif existing and p == PREFIXES["gk"] + "jurisdiction":
                if (o := resource_path(q.object.value)) is not None:
                    vocab.existing_names.setdefault(r, []).append((named[p], I(o)))
            elif existing and getattr(q.object, "language", None) == "zh":
                vocab.existing_names.setdefault(r, []).append((named[p], L(q.object.value, "zh")))
            if existing and (r := resource_path(s.split("#", 1)[0])):
                vocab.existing.add(r)
    return vocab


def allowed_values(vocab: Vocabulary) -> dict[tuple[str, str], list[str]]:
    """(sheet, column) -> the allowed values, for the template's notes and drop-downs."""
    out: dict[tuple[str, str], list[str]] = {}
    for sheet in SHEETS.values():
        for col in sheet.columns:
            if col.choices:
                out[(sheet.name, col.name)] = list(col.choices)
            elif col.scheme:
                head = f"concept/{col.scheme}/"
                out[(sheet.name, col.name)] = sorted(
                    c[len(head) :] for c in vocab.concepts if c.startswith(head)
                )
    out[("entities", "class")] = sorted(vocab.classes)
    out[("entities", "jurisdiction")] = sorted(vocab.places)
    return out
