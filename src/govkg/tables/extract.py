"""Decompile govkg RDF back into fact tables (graph -> `Tables`), the reverse of build.py.

So a user can get the facts of any govkg graph as a spreadsheet to extend: every sheet the
importer reads (sources, entities, quotes, statements, derivations, claims). Anything the
tables cannot express raises `NotExpressible` naming the resource and predicate: nothing is
dropped silently. What the compiler itself adds (the place-of-mention and not-in-source
derivations, the claims' annotations, topics and arithmetic readings, `gk:attestedBy`) is
left to it; `govkg.tables.roundtrip` compiles the tables back and names any triple lost.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from govkg.errors import BadInput
from govkg.evidence import locate
from govkg.namespaces import GKR, PREFIXES
from govkg.tables.build import SCHEMA_PROPERTIES, SOURCE_CLASSES
from govkg.tables.read import Row, Tables
from govkg.tables.schema import (
    DATATYPES,
    ENTITIES,
    ENTITY_KINDS,
    LANGS,
    LIST_SEPARATOR,
    SOURCES,
)


class NotExpressible(BadInput):
    """A triple of the graph that no table cell can hold."""


def curie_of(g: Graph, iri: URIRef) -> str:
    """The project's CURIE for `iri` (its own prefixes, not the file's), else <iri>."""
    best = max((ns for ns in PREFIXES.values() if str(iri).startswith(ns)), key=len, default="")
    if not best:
        return f"<{iri}>"
    prefix = next(k for k, v in PREFIXES.items() if v == best)
    return f"{prefix}:{str(iri)[len(best) :]}"


def ref_of(term: object) -> str:
    return str(term)[len(GKR) :] if isinstance(term, URIRef) and str(term).startswith(GKR) else ""


_ARTICLE = {  # predicate CURIE -> (column, language or None)
    "schema:headline": ("name_zh", "zh"),
    "dct:title": (None, None),  # zh and en: checked against the names below
    "rdfs:label": (None, None),  # zh and en, like dct:title
    "schema:isPartOf": ("part_of", None),
    "schema:publisher": ("publisher", None),
    "schema:datePublished": ("published", None),
    "dct:issued": ("published", None),
    "schema:inLanguage": ("language", None),
    "dct:language": ("language", None),
    "gk:sha256": ("sha256", None),
    "schema:encodingFormat": ("media_type", None),
    "rdfs:comment": ("comment_en", "en"),
}
_OTHER = {
    "schema:name": (None, None),
    "rdfs:label": (None, None),
    "schema:publisher": ("publisher", None),
}
_KINDS = {frozenset(v): k for k, v in SOURCE_CLASSES.items()}


_IRI_COLUMNS = ("part_of", "publisher")


def _fits(o: object, column: str | None, lang: str | None) -> bool:
    """Whether compiling the cell gives back exactly `o` (IRI, language, datatype)."""
    if column in _IRI_COLUMNS:
        return bool(ref_of(o))
    if not isinstance(o, Literal):
        return False
    want = XSD.dateTime if column == "published" else None
    return o.language == lang and o.datatype == want


Triple = tuple[URIRef, URIRef, object]


def source_rows(g: Graph) -> tuple[list[Row], list[Triple]]:
    """The `sources` sheet: one row per source/… resource, in IRI order.

    Also returns the triples about sources that belong to another sheet (a quote's
    statements: schema:author, schema:contributor, schema:editor).
    """
    rows: list[Row] = []
    elsewhere: list[Triple] = []
    subjects = sorted({s for s in g.subjects() if ref_of(s).startswith("source/")}, key=str)
    for n, s in enumerate(subjects, start=2):
        ref = ref_of(s)
        types = frozenset(curie_of(g, t) for t in g.objects(s, RDF.type))
        kind = _KINDS.get(types)
        if kind is None:
            raise NotExpressible(f"{ref}: rdf:type {' '.join(sorted(types))} is no source kind")
        cells = {"id": ref, "kind": kind}
        known = _ARTICLE if kind == "article" else _OTHER
        for p, o in sorted(g.predicate_objects(s)):
            if p == RDF.type:
                continue
            curie = curie_of(g, p)
            if curie in SCHEMA_PROPERTIES and curie not in known:
                elsewhere.append((s, p, o))
                continue
            if curie not in known:
                raise NotExpressible(f"{ref}: {curie} cannot be expressed in the sources sheet")
            column, lang = known[curie]
            if isinstance(o, Literal) and o.language in ("zh", "en") and column is None:
                column, lang = f"name_{o.language}", o.language
            if not _fits(o, column, lang):
                raise NotExpressible(f"{ref}: {curie} {o.n3()} is not what {column} builds")
            if column is None:
                raise NotExpressible(f"{ref}: {curie} {o.n3()} has no column")
            value = ref_of(o) or str(o)
            if cells.get(column, value) != value:
                raise NotExpressible(f"{ref}: {curie} {o.n3()} disagrees with {column}")
            cells[column] = value
        rows.append(Row("sources", n, {c: cells.get(c, "") for c in SOURCES.names}))
    return rows, elsewhere


GK, OA, SKOS, RDFS, PROV = (PREFIXES[p] for p in ("gk", "oa", "skos", "rdfs", "prov"))
_GENERATED_BY_COMPILER = {  # (method, predicate) of the derivations compile_tables makes
    ("place-of-mention", "gk:jurisdiction"),
    ("not-in-source", "gk:leftUnknown"),
}
_CLAIM_LINKS = ("gk:partOf", "gk:shareNumerator", "gk:shareDenominator")
_CLAIM_DERIVED = {"gk:listIsExhaustive", "dct:date", *_CLAIM_LINKS}


def _one(g: Graph, s: URIRef, p: str, lang: str | None = None, *, need: bool = True) -> object:
    """The one object of `s p` (in `lang`, if given); refused by name when there are several."""
    iri = URIRef(_iri(p))
    found = [o for o in g.objects(s, iri) if lang is None or getattr(o, "language", None) == lang]
    if len(found) > 1:
        values = ", ".join(sorted(o.n3() for o in found))
        raise NotExpressible(
            f"{_name(s)}: {p} has {len(found)} values ({values}); a cell holds one"
        )
    if not found and need:
        raise NotExpressible(f"{_name(s)}: {p}{'@' + lang if lang else ''} missing")
    return found[0] if found else None


def _iri(curie: str) -> str:
    head, _, local = curie.partition(":")
    return PREFIXES[head] + local


def _name(term: object) -> str:
    return ref_of(term) or (term.n3() if hasattr(term, "n3") else str(term))


def _text(term: object) -> str:
    return "" if term is None else str(term)


def _many(s: URIRef, p: str, values: list[str]) -> str:
    for v in values:
        if LIST_SEPARATOR in v:
            raise NotExpressible(
                f"{_name(s)}: {p} {v!r} holds {LIST_SEPARATOR!r}, the list separator"
            )
    return LIST_SEPARATOR.join(sorted(values))


def object_cells(g: Graph, where: str, o: object) -> dict[str, str]:
    """The object, lang and datatype cells that compile back to `o` (statements, derivations)."""
    if isinstance(o, URIRef):
        ref = ref_of(o)
        if ref and "#" not in ref:
            return {"object": ref, "lang": "", "datatype": ""}
        c = curie_of(g, o)
        if not c.startswith("<") and not c.startswith(("gkr:", "gks:", "wd:")):
            return {"object": c, "lang": "", "datatype": ""}
        raise NotExpressible(f"{where}: object {o.n3()} is neither a govkg resource nor a term")
    if not isinstance(o, Literal):
        raise NotExpressible(f"{where}: object {o.n3()} is a blank node; no cell names one")
    if o.language:
        if o.language not in LANGS:
            raise NotExpressible(f"{where}: object {o.n3()}: language not one of {LANGS}")
        return {"object": str(o), "lang": o.language, "datatype": ""}
    dt = "xsd:string" if o.datatype is None else curie_of(g, o.datatype)
    if dt not in DATATYPES:
        raise NotExpressible(f"{where}: object {o.n3()}: datatype not one of {DATATYPES}")
    return {"object": str(o), "lang": "", "datatype": dt}


def occurrence(exact: str, text: str, start: int, where: str) -> int:
    """Which occurrence of `exact` in `text` begins at `start` (as `locate` counts them)."""
    n, at = 0, -1
    while True:
        at = text.find(exact, at + 1)
        if at < 0 or at > start:
            raise NotExpressible(
                f"{where}: oa:exact is not in the source's text at oa:start {start}"
            )
        n += 1
        if at == start:
            return n


class _Extractor:
    def __init__(self, g: Graph, texts: dict[str, str], existing: frozenset[str]) -> None:
        self.g = g
        self.texts = texts
        self.existing = existing
        self.claims = sorted(
            (s for s in set(g.subjects()) if ref_of(s).startswith("claim/")), key=str
        )
        self.claim_evidence = {URIRef(GKR + "evidence/claim-" + ref_of(c)[6:]) for c in self.claims}
        # (entity, property) -> the suffix of the compiler's not-in-source derivation's name
        self.unknown_order: dict[tuple[object, str], str] = {}
        method = URIRef(GKR + "concept/derivation-method/not-in-source")
        for d in g.subjects(URIRef(GK + "derivationMethod"), method):
            for node in g.objects(d, URIRef(GK + "derivedStatement")):
                tail = str(d).rpartition("-")[2]
                key = (g.value(node, RDF.subject), curie_of(g, g.value(node, RDF.object)))
                self.unknown_order[key] = tail.zfill(6) if tail.isdigit() else "0"

    def triple(self, node: URIRef) -> Triple:
        """The (subject, predicate, object) an rdf:Statement part reifies."""
        g = self.g
        return (
            _one(g, node, "rdf:subject"),
            _one(g, node, "rdf:predicate"),
            _one(g, node, "rdf:object"),
        )

    def quote_of(self, ev: URIRef) -> tuple[str, str, str]:
        """(source, exact, occurrence cell) of an annotation, checked against the text."""
        g = self.g
        where = _name(ev)
        target = _one(g, ev, "oa:hasTarget")
        source = ref_of(_one(g, target, "oa:hasSource"))
        selectors = {
            curie_of(g, t): sel for sel in g.objects(target, URIRef(OA + "hasSelector"))
            for t in g.objects(sel, RDF.type)
        }  # fmt: skip
        if set(selectors) != {"oa:TextQuoteSelector", "oa:TextPositionSelector"}:
            raise NotExpressible(f"{where}: oa:hasSelector is not one quote and one position")
        exact = str(_one(g, selectors["oa:TextQuoteSelector"], "oa:exact"))
        start = int(_one(g, selectors["oa:TextPositionSelector"], "oa:start"))
        text = self.texts.get(source)
        if text is None:
            raise NotExpressible(f"{where}: the text of {source} was not given (--source)")
        n = occurrence(exact, text, start, where)
        if locate(exact, text, n)[0] != start:  # pragma: no cover - counted as locate does
            raise NotExpressible(f"{where}: occurrence {n} of oa:exact is not at oa:start")
        return source, exact, "" if n == 1 else str(n)

    def bodies(self, ev: URIRef, p: str) -> list[URIRef]:
        """The statement parts of an annotation or derivation in their #sN order."""
        nodes = list(self.g.objects(ev, URIRef(_iri(p))))

        def number(n: object) -> int:
            frag = str(n).rpartition("#")[2]
            return int(frag[1:]) if frag[:1] == "s" and frag[1:].isdigit() else 10**9

        return sorted(nodes, key=lambda n: (number(n), str(n)))

    # ------------------------------------------------------------------ sheets

    def entities(self) -> list[Row]:
        g = self.g
        subjects = sorted(
            (
                s
                for s in set(g.subjects())
                if ref_of(s).split("/", 1)[0] in ENTITY_KINDS and ref_of(s) not in self.existing
            ),
            key=str,
        )
        rows = []
        for n, s in enumerate(subjects, start=2):
            ref = ref_of(s)
            types = [curie_of(g, t) for t in g.objects(s, RDF.type)]
            if not types:
                raise NotExpressible(f"{ref}: rdf:type missing (the class column is required)")
            cells = {"id": ref, "class": _many(s, "rdf:type", types)}
            pref_zh = _one(g, s, "skos:prefLabel", "zh", need=False)
            pref_en = _one(g, s, "skos:prefLabel", "en", need=False)
            labels_zh = [o for o in g.objects(s, URIRef(RDFS + "label")) if o.language == "zh"]
            label_en = _one(g, s, "rdfs:label", "en")
            alts = [str(o) for o in g.objects(s, URIRef(SKOS + "altLabel")) if o.language == "zh"]
            if pref_zh is not None and pref_zh in labels_zh and pref_en == label_en:
                cells["name_zh"] = str(pref_zh)
            elif len(labels_zh) > 1:
                raise NotExpressible(
                    f"{ref}: rdfs:label has {len(labels_zh)} zh values and no name"
                )
            elif labels_zh:
                cells["label_zh"] = str(labels_zh[0])
            cells["label_en"] = str(label_en)
            cells["alt_zh"] = _many(s, "skos:altLabel", alts)
            place = _one(g, s, "gk:jurisdiction", need=False)
            if place is not None:
                if not ref_of(place).startswith("place/"):
                    raise NotExpressible(f"{ref}: gk:jurisdiction {place.n3()} is not a place")
                cells["jurisdiction"] = ref_of(place)[len("place/") :]
            cells["unknown"] = self.unknowns(s)
            for lang in LANGS:
                cells[f"comment_{lang}"] = _text(_one(g, s, "rdfs:comment", lang, need=False))
                for col, p in (("job_title", "jobTitle"), ("affiliation", "affiliation")):
                    vals = [str(o) for o in g.objects(s, URIRef(PREFIXES["schema"] + p))
                            if getattr(o, "language", None) == lang]  # fmt: skip
                    cells[f"{col}_{lang}"] = _many(s, f"schema:{p}", vals)
            rows.append(Row("entities", n, {c: cells.get(c, "") for c in ENTITIES.names}))
        return rows

    def unknowns(self, s: URIRef) -> str:
        """The gk:leftUnknown column, in the order that gives the compiler's derivations
        their names back (`…-leftunknown`, `…-leftunknown-2`, …)."""
        g = self.g
        order = self.unknown_order
        values = [curie_of(g, o) for o in g.objects(s, URIRef(GK + "leftUnknown"))]
        values.sort(key=lambda v: (order.get((s, v), "999999"), v))
        for v in values:
            if LIST_SEPARATOR in v or v.startswith("<"):
                raise NotExpressible(
                    f"{ref_of(s)}: gk:leftUnknown {v} is no property of the vocabulary"
                )
        return LIST_SEPARATOR.join(values)

    def quotes(self) -> tuple[list[Row], list[Row]]:
        g = self.g
        annotations = []
        for ev in set(g.subjects(RDF.type, URIRef(GK + "Evidence"))):
            if ev in self.claim_evidence:
                continue
            key = ref_of(ev)
            if not key.startswith("evidence/") or "#" in key:
                raise NotExpressible(f"{_name(ev)}: an annotation's IRI is evidence/{{key}}")
            source, exact, occ = self.quote_of(ev)
            target = _one(g, ev, "oa:hasTarget")
            position = next(
                sel for sel in g.objects(target, URIRef(OA + "hasSelector"))
                if (sel, RDF.type, URIRef(OA + "TextPositionSelector")) in g
            )  # fmt: skip
            annotations.append((int(_one(g, position, "oa:start")), key, ev, source, exact, occ))
        quote_rows, statement_rows = [], []
        for _start, key, ev, source, exact, occ in sorted(annotations, key=lambda a: a[:2]):
            flag = _one(g, ev, "gk:listIsExhaustive", need=False)
            quote_rows.append(Row("quotes", len(quote_rows) + 2, {
                "id": key[len("evidence/") :], "source": source, "quote": exact,
                "occurrence": occ, "list_exhaustive": _text(flag),
                "comment_en": _text(_one(g, ev, "rdfs:comment", "en", need=False)),
            }))  # fmt: skip
            for node in self.bodies(ev, "oa:hasBody"):
                s, p, o = self.triple(node)
                where = f"{_name(node)}"
                if not ref_of(s):
                    raise NotExpressible(f"{where}: rdf:subject {s.n3()} is no govkg resource")
                statement_rows.append(Row("statements", len(statement_rows) + 2, {
                    "quote": key[len("evidence/") :], "subject": ref_of(s),
                    "predicate": curie_of(g, p), **object_cells(g, where, o),
                }))  # fmt: skip
        return quote_rows, statement_rows

    def derivations(self) -> list[Row]:
        g = self.g
        rows = []
        for d in sorted(set(g.subjects(RDF.type, URIRef(GK + "Derivation"))), key=str):
            where = _name(d)
            method = ref_of(_one(g, d, "gk:derivationMethod")).rpartition("/")[2]
            (node,) = self.bodies(d, "gk:derivedStatement") or (None,)
            if node is None:
                raise NotExpressible(f"{where}: gk:derivedStatement missing")
            s, p, o = self.triple(node)
            pc = curie_of(g, p)
            if (method, pc) in _GENERATED_BY_COMPILER or (
                ref_of(s).startswith("claim/") and pc in _CLAIM_DERIVED
            ):
                continue  # the compiler makes it again from the entity's or claim's row
            grounds = [
                ref_of(x)[len("evidence/") :] for x in g.objects(d, URIRef(PROV + "wasDerivedFrom"))
            ]
            rows.append(Row("derivations", len(rows) + 2, {
                "id": ref_of(d)[len("evidence/") :], "subject": ref_of(s), "predicate": pc,
                **object_cells(g, where, o), "method": method,
                "from": _many(d, "prov:wasDerivedFrom", grounds),
                "comment_en": _text(_one(g, d, "rdfs:comment", "en")),
            }))  # fmt: skip
        return rows

    def claims_sheet(self) -> tuple[list[Row], dict[str, str]]:
        """The claims, and each claims data set's source (for sources.claims_dataset)."""
        g = self.g
        rows = []
        datasets: dict[str, str] = {}
        for c in self.claims:
            key = ref_of(c)[len("claim/") :]
            where = ref_of(c)
            topic = _one(g, c, "gk:claimAbout")
            topic_en = str(_one(g, topic, "skos:prefLabel", "en"))
            label_en = str(_one(g, c, "rdfs:label", "en"))
            if not label_en.startswith(f"{topic_en}: "):
                raise NotExpressible(
                    f"{where}: rdfs:label@en is not '{{topic}}: {{number as written}}'"
                )
            ev = URIRef(GKR + f"evidence/claim-{key}")
            source, exact, occ = self.quote_of(ev)
            dataset = ref_of(_one(g, c, "qb:dataSet"))
            datasets[dataset] = source
            links = {p: sorted(ref_of(o)[len("claim/") :] for o in g.objects(c, URIRef(_iri(p))))
                     for p in _CLAIM_LINKS}  # fmt: skip
            if len(links["gk:partOf"]) > 1 or len(links["gk:shareDenominator"]) > 1:
                raise NotExpressible(f"{where}: gk:partOf / gk:shareDenominator has several values")
            share = ""
            if links["gk:shareNumerator"] or links["gk:shareDenominator"]:
                share = (
                    "+".join(links["gk:shareNumerator"])
                    + "/"
                    + "".join(links["gk:shareDenominator"])
                )
            qualifier = _one(g, c, "gk:qualifier", need=False)
            rows.append(Row("claims", len(rows) + 2, {
                "id": key,
                "topic_zh": str(_one(g, topic, "skos:prefLabel", "zh")),
                "topic_en": topic_en,
                "value": str(_one(g, c, "gk:statedValue")),
                "unit": ref_of(_one(g, c, "gk:unit")).rpartition("/")[2],
                "stated_text": str(_one(g, c, "gk:statedText")),
                "stated_text_en": label_en[len(topic_en) + 2 :],
                "source": source, "quote": exact, "occurrence": occ,
                "as_of": _text(_one(g, c, "gk:asOf", need=False)),
                "qualifier": ref_of(qualifier).rpartition("/")[2] if qualifier is not None else "",
                "total": _text(_one(g, c, "gk:statedAsTotal", need=False)),
                "list_exhaustive": _text(_one(g, c, "gk:listIsExhaustive", need=False)),
                "part_of": "".join(links["gk:partOf"]), "share_of": share,
                "stated_by": ref_of(_one(g, c, "gk:statedBy")),
                "year": _text(_one(g, c, "dct:date", need=False)),
                "comment_en": _text(_one(g, c, "rdfs:comment", "en", need=False)),
            }))  # fmt: skip
        return rows, datasets


_SHEETLESS = {  # kinds of govkg resource no sheet describes, and why
    "place": "places come from reference/provinces.csv, not from the sheets",
    "dataset": "a data set other than a claims data set is described by the build, not a sheet",
    "concept": "concepts come from the ontology (only claim topics are made by the claims sheet)",
}


def _covered(g: Graph, s: object) -> str | None:
    """Why no sheet covers subject `s`, or None if one does."""
    ref = ref_of(s)
    if not ref:
        return "it is no govkg resource (ontology terms and other IRIs are not data)"
    kind = ref.split("/", 1)[0]
    if kind in ("source", "claim", "evidence", *ENTITY_KINDS):
        return None
    if ref == "concept/claim-topic" or ref.startswith("concept/claim-topic/"):
        return None
    if kind == "dataset" and (s, RDF.type, URIRef(PREFIXES["qb"] + "DataSet")) in g:
        return None
    return _SHEETLESS.get(kind, f"no sheet holds a {kind!r} resource")


def extract(
    g: Graph, texts: dict[str, str] | None = None, existing: frozenset[str] = frozenset()
) -> Tables:
    """The graph's facts as the importer's sheets; `texts` maps each article source to its
    text (occurrence numbers are counted in it). NotExpressible names what no sheet holds.

    `existing`: resources of the graph the tables extend (the bundled one): they get no
    entities row, what `g` says about them comes from its quotes' statements.
    """
    texts = texts or {}
    for s in sorted(set(g.subjects()), key=str):
        why = _covered(g, s)
        if why:
            p, o = next(iter(sorted(g.predicate_objects(s))))
            raise NotExpressible(f"{_name(s)} {curie_of(g, p)} {o.n3()}: {why}")
    x = _Extractor(g, texts, existing)
    sources, _elsewhere = source_rows(g)
    claims, datasets = x.claims_sheet()
    for row in sources:
        for dataset, source in datasets.items():
            if source == row.get("id"):
                row.cells["claims_dataset"] = dataset
    quotes, statements = x.quotes()
    return Tables("graph", {
        "sources": sources, "entities": x.entities(), "quotes": quotes,
        "statements": statements, "derivations": x.derivations(), "claims": claims,
    })  # fmt: skip
