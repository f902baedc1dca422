"""Turn checked fact tables into govkg's RDF: descriptions, evidence, derivations, claims.

The bundled data (tools/build_data.py) and `govkg import` both go through `compile_tables`,
so a contributor's spreadsheet and the project's own tables obey the same rules:
- every IRI is minted by `govkg.namespaces.mint`; ids are unique, also against the graph
  the tables extend;
- every referenced entity, place, class, property and concept exists;
- every quote is found verbatim in its source's text (whose SHA-256 must match the table);
- every fact is a statement of a quote (stated) or a derivation (concluded, with method and
  the quotes it rests on): nothing else becomes a triple about a resource.
All problems are collected and raised together, each naming sheet, row and column.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from govkg.evidence import locate
from govkg.namespaces import GKR, KINDS, PREFIXES, mint
from govkg.tables.naming import check_naming, names_from_pairs
from govkg.tables.read import Problem, Row, Tables, TablesInvalid
from govkg.tables.schema import ENTITY_KINDS
from govkg.tables.turtle import B, I, L, Section

_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_QUOTE = 70
SCHEMA_PROPERTIES = frozenset(
    f"schema:{p}" for p in ("name", "jobTitle", "affiliation", "author", "contributor", "editor")
)
SOURCE_CLASSES = {
    "article": ("gk:SourceArticle", "schema:NewsArticle", "prov:Entity"),
    "series": ("schema:CreativeWorkSeries",),
    "publisher": ("schema:NewsMediaOrganization",),
}


@dataclass
class Vocabulary:
    """What the tables may refer to: the ontology's terms, the places, an existing graph."""

    classes: set[str]  # CURIEs
    properties: set[str]  # CURIEs
    concepts: set[str]  # resource paths concept/{scheme}/{key}
    places: dict[str, str]  # jurisdiction key (cn-gs) -> resource path place/cn-gs
    existing: set[str] = field(default_factory=set)  # resource paths already in the graph
    # the names the naming rule looks for (govkg.tables.naming): place -> its names (zh, en);
    # a resource of the graph -> its (predicate, object) label and jurisdiction pairs
    place_names: dict[str, set[str]] = field(default_factory=dict)
    existing_names: dict[str, list] = field(default_factory=dict)


@dataclass
class Compiled:
    """The tables as subjects with (predicate, object) pairs, ready to lay out as Turtle."""

    subjects: dict[str, list] = field(default_factory=dict)  # entity ref -> pairs
    jurisdiction: dict[str, str | None] = field(default_factory=dict)
    sources: dict[str, list] = field(default_factory=dict)  # source ref -> pairs
    annotations: list[tuple[int, str, list]] = field(default_factory=list)  # (start, ev, pairs)
    derivations: list[tuple[str, list]] = field(default_factory=list)
    claims: list[tuple[str, list]] = field(default_factory=list)
    topics: list[tuple[str, list]] = field(default_factory=list)
    datasets: dict[str, str] = field(default_factory=dict)  # claims data set -> source ref
    article_sources: list[str] = field(default_factory=list)
    stated: set[tuple[str, str, str]] = field(default_factory=set)
    derived: set[tuple[str, str, str]] = field(default_factory=set)


def canonical_decimal(value: str) -> str:
    """The XSD canonical form of a decimal ("4" -> "4.0"), which serialisers write back as is."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text if "." in text else text + ".0"


def _key(term: object) -> str:
    if isinstance(term, I):
        return "I:" + term.iri
    if isinstance(term, L):
        return f"L:{term.value}@{term.lang or ''}^{term.dt or ''}"
    return repr(term)


def statement_node(s: str, p: str, o: object) -> B:
    return B(
        [
            ("rdf:type", I("rdf:Statement")),
            ("rdf:subject", I(s)),
            ("rdf:predicate", I(p)),
            ("rdf:object", o),
        ]
    )


class _Compiler:
    def __init__(self, tables: Tables, vocab: Vocabulary, texts: dict[str, str]) -> None:
        self.t = tables
        self.v = vocab
        self.texts = texts
        self.problems: list[Problem] = []
        self.out = Compiled()
        self.declared: set[str] = set()
        self.quote_ids: dict[str, Row] = {}
        self.evidence_of: dict[str, list[str]] = {}  # entity -> evidence ids
        self.sources: dict[str, Row] = {}
        self.derived_about: set[str] = set()  # entities some derivation concludes about
        self.stated_rows: list[tuple[Row, str, str, object]] = []  # statements that compiled
        # a quote may state facts about a claim (what the article says of the cases it counts)
        self.claim_refs = {f"claim/{r.get('id')}" for r in tables.rows("claims")}
        self.claim_facts: dict[str, list] = {}

    def bad(self, row: Row, column: str | None, message: str) -> None:
        self.problems.append(Problem(row.sheet, row.number, column, message))

    # ------------------------------------------------------------------ terms

    def curie_ok(self, row: Row, column: str, value: str, known: set[str], what: str) -> bool:
        head, sep, _ = value.partition(":")
        if not sep or head not in PREFIXES:
            self.bad(row, column, f"{value!r} is not a prefixed name (e.g. gk:…)")
            return False
        if value not in known:
            self.bad(row, column, f"unknown {what} {value!r}")
            return False
        return True

    def resource(self, row: Row, column: str, value: str) -> bool:
        """A reference to a govkg resource: declared here, in the graph, a place or concept."""
        kind = value.split("/", 1)[0]
        if kind == "concept":
            if value not in self.v.concepts:
                self.bad(row, column, f"unknown concept {value!r}")
                return False
            return True
        if kind == "place":
            if value not in self.v.places.values():
                self.bad(row, column, f"unknown place {value!r} (not in the reference table)")
                return False
            return True
        if value in self.declared or value in self.v.existing or value in self.claim_refs:
            return True
        self.bad(row, column, f"unknown entity {value!r} (not in entities, sources or the graph)")
        return False

    def object_term(self, row: Row) -> object | None:
        value, lang, dt = row.get("object"), row.get("lang"), row.get("datatype")
        if lang and dt:
            self.bad(row, "datatype", "a literal has a language or a datatype, not both")
            return None
        if lang:
            return L(value, lang)
        if dt:
            if dt == "xsd:decimal":
                try:
                    value = canonical_decimal(value)
                except InvalidOperation:
                    self.bad(row, "object", f"{value!r} is not a decimal")
                    return None
            return L(value, None, None if dt == "xsd:string" else dt)
        if ":" in value and value.split(":", 1)[0] in PREFIXES:
            return (
                I(value)
                if self.curie_ok(row, "object", value, self.v.properties, "property")
                else None
            )
        return I(value) if self.resource(row, "object", value) else None

    def triple(self, row: Row) -> tuple[str, str, object] | None:
        s, p = row.get("subject"), row.get("predicate")
        ok = self.resource(row, "subject", s)
        ok = self.curie_ok(row, "predicate", p, self.v.properties, "property") and ok
        o = self.object_term(row)
        return (s, p, o) if ok and o is not None else None

    # ------------------------------------------------------------------ sheets

    def source_rows(self) -> None:
        for row in self.t.rows("sources"):
            ref = row.get("id")
            if not self.minted(row, ref, ("source",)):
                continue
            if ref in self.declared:
                self.bad(row, "id", f"duplicate IRI {ref!r}")
                continue
            self.declared.add(ref)
            self.sources[ref] = row
        for ref, row in self.sources.items():
            kind = row.get("kind")
            pairs: list = [("rdf:type", I(c)) for c in SOURCE_CLASSES[kind]]
            zh, en = L(row.get("name_zh"), "zh"), L(row.get("name_en"), "en")
            if kind == "article":
                self.out.article_sources.append(ref)
                pairs += [("schema:headline", zh), ("dct:title", zh), ("dct:title", en)]
                pairs += [("rdfs:label", zh), ("rdfs:label", en)]
                for col, prop in (
                    ("part_of", "schema:isPartOf"),
                    ("publisher", "schema:publisher"),
                ):
                    if row.get(col) and self.resource(row, col, row.get(col)):
                        pairs.append((prop, I(row.get(col))))
                if row.get("published"):
                    when = L(row.get("published"), dt="xsd:dateTime")
                    pairs += [("schema:datePublished", when), ("dct:issued", when)]
                if row.get("language"):
                    lang = L(row.get("language"))
                    pairs += [("schema:inLanguage", lang), ("dct:language", lang)]
                digest = row.get("sha256")
                if not re.fullmatch(r"[0-9a-f]{64}", digest):
                    self.bad(row, "sha256", "not a SHA-256 (64 lower-case hex digits)")
                elif ref not in self.texts:
                    self.bad(row, "text", f"the text of {ref} was not given")
                else:
                    actual = hashlib.sha256(self.texts[ref].encode("utf-8")).hexdigest()
                    if actual != digest:
                        self.bad(row, "sha256", f"the text's SHA-256 is {actual}, not this")
                pairs.append(("gk:sha256", L(digest)))
                if row.get("media_type"):
                    pairs.append(("schema:encodingFormat", L(row.get("media_type"))))
                if row.get("comment_en"):
                    pairs.append(("rdfs:comment", L(row.get("comment_en"), "en")))
                dataset = row.get("claims_dataset")
                if dataset and self.minted(row, dataset, ("dataset",), "claims_dataset"):
                    self.out.datasets[dataset] = ref
            else:
                pairs += [("schema:name", zh), ("schema:name", en)]
                pairs += [("rdfs:label", zh), ("rdfs:label", en)]
                if row.get("publisher") and self.resource(row, "publisher", row.get("publisher")):
                    pairs.append(("schema:publisher", I(row.get("publisher"))))
            self.out.sources[ref] = pairs

    def minted(self, row: Row, ref: str, kinds: tuple[str, ...], column: str = "id") -> bool:
        kind, _, key = ref.partition("/")
        if kind not in kinds:
            self.bad(row, column, f"{ref!r}: the kind must be one of {', '.join(kinds)}")
            return False
        try:
            mint(kind, key)
        except ValueError as err:
            self.bad(row, column, str(err))
            return False
        return True

    def entity_rows(self) -> None:
        for row in self.t.rows("entities"):
            ref = row.get("id")
            if not self.minted(row, ref, ENTITY_KINDS):
                continue
            if ref in self.declared or ref in self.v.existing:
                self.bad(row, "id", f"duplicate IRI {ref!r}")
                continue
            self.declared.add(ref)
        for row in self.t.rows("entities"):
            ref = row.get("id")
            if ref not in self.declared or ref in self.out.subjects:
                continue
            self.out.subjects[ref] = self.describe(row)

    def describe(self, row: Row) -> list:
        ref = row.get("id")
        classes = row.many("class")
        pairs: list = []
        for c in classes:
            if self.curie_ok(row, "class", c, self.v.classes, "class"):
                pairs.append(("rdf:type", I(c)))
        name_zh, label_zh, en = row.get("name_zh"), row.get("label_zh"), row.get("label_en")
        if name_zh:
            pairs += [("skos:prefLabel", L(name_zh, "zh")), ("skos:prefLabel", L(en, "en"))]
            pairs += [("rdfs:label", L(name_zh, "zh")), ("rdfs:label", L(en, "en"))]
            if label_zh:
                pairs.append(("skos:altLabel", L(label_zh, "zh")))
        else:
            if label_zh:
                pairs.append(("rdfs:label", L(label_zh, "zh")))
            pairs.append(("rdfs:label", L(en, "en")))
        pairs += [("skos:altLabel", L(a, "zh")) for a in row.many("alt_zh")]
        place = row.get("jurisdiction")
        self.out.jurisdiction[ref] = place or None
        if place:
            if place not in self.v.places:
                self.bad(
                    row, "jurisdiction", f"bad code {place!r}: not a place of the reference table"
                )
            else:
                pairs.append(("gk:jurisdiction", I(self.v.places[place])))
        for u in row.many("unknown"):
            if self.curie_ok(row, "unknown", u, self.v.properties, "property"):
                pairs.append(("gk:leftUnknown", I(u)))
        for col, lang in (("comment_zh", "zh"), ("comment_en", "en")):
            if row.get(col):
                pairs.append(("rdfs:comment", L(row.get(col), lang)))
        if "schema:Person" in classes and name_zh:
            pairs += [("schema:name", L(name_zh, "zh")), ("schema:name", L(en, "en"))]
        for col, prop in (
            ("job_title_zh", "schema:jobTitle"),
            ("job_title_en", "schema:jobTitle"),
            ("affiliation_zh", "schema:affiliation"),
            ("affiliation_en", "schema:affiliation"),
        ):
            pairs += [(prop, L(v, col[-2:])) for v in row.many(col)]
        return pairs

    def quote_rows(self) -> None:
        for row in self.t.rows("quotes"):
            key = row.get("id")
            if not _KEY.match(key):
                self.bad(
                    row, "id", f"evidence key {key!r} must be lower-case ASCII words joined by '-'"
                )
            elif key in self.quote_ids or f"evidence/{key}" in self.v.existing:
                self.bad(row, "id", f"duplicate IRI 'evidence/{key}'")
            else:
                self.quote_ids[key] = row
        bodies: dict[str, list[tuple[str, str, object]]] = {k: [] for k in self.quote_ids}
        for row in self.t.rows("statements"):
            q = row.get("quote")
            if q not in self.quote_ids:
                self.bad(row, "quote", f"missing evidence: no quote {q!r} in the quotes sheet")
                continue
            t = self.triple(row)
            if t:
                bodies[q].append(t)
                self.stated_rows.append((row, *t))
        for key, row in self.quote_ids.items():
            if not bodies[key]:
                self.bad(row, "id", "the quote states nothing (no row in statements)")
                continue
            located = self.locate(row, "quote")
            if located is None:
                continue
            start, prefix, suffix = located
            ev = f"evidence/{key}"
            pairs = self.annotation(row, row.get("quote"), start, prefix, suffix)
            pairs[4:4] = [("oa:hasBody", statement_node(s, p, o)) for s, p, o in bodies[key]]
            if row.get("list_exhaustive"):
                pairs.append(
                    ("gk:listIsExhaustive", L(row.get("list_exhaustive"), dt="xsd:boolean"))
                )
            if row.get("comment_en"):
                pairs.append(("rdfs:comment", L(row.get("comment_en"), "en")))
            self.out.annotations.append((start, ev, pairs))
            attested: list[str] = []
            for s, p, o in bodies[key]:
                self.add_fact(s, p, o)
                self.out.stated.add((s, p, _key(o)))
                for r in (s, o.ref if isinstance(o, I) else None):
                    if r and r.split("/", 1)[0] in ENTITY_KINDS and r not in attested:
                        attested.append(r)
            for r in attested:
                self.evidence_of.setdefault(r, []).append(ev)

    def add_fact(self, s: str, p: str, o: object) -> None:
        if s in self.claim_refs:
            self.claim_facts.setdefault(s, []).append((p, o))
        elif s in self.out.subjects:
            self.out.subjects[s].append((p, o))
        elif s in self.out.sources:
            self.out.sources[s].append((p, o))
        else:  # a resource of the graph the tables extend
            self.out.subjects.setdefault(s, []).append((p, o))
            self.out.jurisdiction.setdefault(s, None)

    def locate(self, row: Row, column: str) -> tuple[int, str, str] | None:
        quote, source = row.get(column), row.get("source")
        if source not in self.sources and source not in self.texts:
            self.bad(row, "source", f"unknown source {source!r} (not in the sources sheet)")
            return None
        if len(quote) > MAX_QUOTE:
            self.bad(row, column, f"quote longer than {MAX_QUOTE} characters ({len(quote)})")
        text = self.texts.get(source)
        if text is None:
            self.bad(row, "source", f"the text of {source} was not given")
            return None
        occ = row.get("occurrence") or "1"
        if not occ.isdigit() or int(occ) < 1:
            self.bad(row, "occurrence", f"{occ!r} is not a count from 1")
            return None
        try:
            start, _end, prefix, suffix = locate(quote, text, int(occ))
        except ValueError as err:
            self.bad(row, column, f"quote not in the source: {err}")
            return None
        return start, prefix, suffix

    def annotation(self, row: Row, quote: str, start: int, prefix: str, suffix: str) -> list:
        target = B(
            [
                ("rdf:type", I("oa:SpecificResource")),
                ("oa:hasSource", I(row.get("source"))),
                ("oa:hasSelector", B([
                    ("rdf:type", I("oa:TextQuoteSelector")),
                    ("oa:exact", L(quote)), ("oa:prefix", L(prefix)), ("oa:suffix", L(suffix)),
                ])),
                ("oa:hasSelector", B([
                    ("rdf:type", I("oa:TextPositionSelector")),
                    ("oa:start", L(str(start), dt="xsd:integer")),
                    ("oa:end", L(str(start + len(quote)), dt="xsd:integer")),
                ])),
            ]
        )  # fmt: skip
        return [
            ("rdf:type", I("gk:Evidence")),
            ("rdf:type", I("oa:Annotation")),
            ("oa:motivatedBy", I("oa:describing")),
            ("oa:hasTarget", target),
        ]

    def derivation_rows(self) -> None:
        seen: set[str] = set()
        for row in self.t.rows("derivations"):
            key = row.get("id")
            if not _KEY.match(key):
                self.bad(
                    row,
                    "id",
                    f"derivation key {key!r} must be lower-case ASCII words joined by '-'",
                )
                continue
            if key in seen or key in self.quote_ids or f"evidence/{key}" in self.v.existing:
                self.bad(row, "id", f"duplicate IRI 'evidence/{key}'")
                continue
            seen.add(key)
            t = self.triple(row)
            method = f"concept/derivation-method/{row.get('method')}"
            if method not in self.v.concepts:
                self.bad(row, "method", f"unknown concept {method!r}")
                t = None
            grounds = row.many("from")
            for g in grounds:
                if g not in self.quote_ids and f"evidence/{g}" not in self.v.existing:
                    self.bad(row, "from", f"missing evidence: no quote {g!r}")
                    t = None
            if t is None:
                continue
            s, p, o = t
            self.add_fact(s, p, o)
            self.out.derived.add((s, p, _key(o)))
            self.derived_about.update({s, o.ref if isinstance(o, I) else s})
            pairs: list = [
                ("rdf:type", I("gk:Derivation")),
                ("rdf:type", I("prov:Entity")),
                ("gk:derivationMethod", I(method)),
                ("gk:derivedStatement", statement_node(s, p, o)),
            ]
            pairs += [("prov:wasDerivedFrom", I(f"evidence/{g}")) for g in grounds]
            pairs.append(("rdfs:comment", L(row.get("comment_en"), "en")))
            self.out.derivations.append((f"evidence/{key}", pairs))

    def claim_rows(self) -> None:
        seen: set[str] = set()
        rows = self.t.rows("claims")
        keys = {r.get("id") for r in rows}
        for row in rows:
            key = row.get("id")
            if not _KEY.match(key):
                self.bad(
                    row, "id", f"claim key {key!r} must be lower-case ASCII words joined by '-'"
                )
                continue
            claim = f"claim/{key}"
            ev = f"evidence/claim-{key}"
            if key in seen or claim in self.v.existing:
                self.bad(row, "id", f"duplicate IRI {claim!r}")
                continue
            seen.add(key)
            quote, text = row.get("quote"), row.get("stated_text")
            if text not in quote:
                self.bad(row, "stated_text", f"{text!r} is not in the claim's quote")
            try:
                value = L(canonical_decimal(row.get("value")), dt="xsd:decimal")
            except InvalidOperation:
                self.bad(row, "value", f"{row.get('value')!r} is not a decimal")
                continue
            unit = f"concept/unit/{row.get('unit')}"
            if unit not in self.v.concepts:
                self.bad(row, "unit", f"unknown concept {unit!r}")
            topic = f"concept/claim-topic/{key}"
            zh, en = row.get("topic_zh"), row.get("topic_en")
            self.out.topics.append((topic, [
                ("rdf:type", I("skos:Concept")),
                ("skos:inScheme", I("concept/claim-topic")),
                ("skos:topConceptOf", I("concept/claim-topic")),
                ("skos:notation", L(key)),
                ("skos:definition", L(f"文章所述:{quote}", "zh")),
                ("skos:definition", L(f"{en}, as the article states it.", "en")),
                ("skos:prefLabel", L(zh, "zh")), ("skos:prefLabel", L(en, "en")),
                ("rdfs:label", L(zh, "zh")), ("rdfs:label", L(en, "en")),
            ]))  # fmt: skip
            source = row.get("source")
            dataset = next((d for d, s in self.out.datasets.items() if s == source), None)
            if dataset is None:
                dataset = f"dataset/{source.split('/', 1)[-1]}-claims"
                self.out.datasets[dataset] = source
            pairs: list = [
                ("rdf:type", I("gk:StatedClaim")),
                ("rdf:type", I("qb:Observation")),
                ("qb:dataSet", I(dataset)),
                ("gk:claimAbout", I(topic)),
                ("gk:statedValue", value),
                ("gk:statedText", L(text)),
                ("rdfs:label", L(f"{zh}:{text}", "zh")),
                ("rdfs:label", L(f"{en}: {row.get('stated_text_en')}", "en")),
                ("gk:unit", I(unit)),
            ]
            body = [
                (claim, "gk:claimAbout", I(topic)),
                (claim, "gk:statedValue", value),
                (claim, "gk:unit", I(unit)),
            ]
            if row.get("as_of"):
                body.append((claim, "gk:asOf", L(row.get("as_of"), dt="xsd:date")))
            if row.get("qualifier"):
                q = f"concept/qualifier/{row.get('qualifier')}"
                if q not in self.v.concepts:
                    self.bad(row, "qualifier", f"unknown concept {q!r}")
                body.append((claim, "gk:qualifier", I(q)))
            pairs += [(p, o) for _s, p, o in body[3:]]
            if row.get("total"):
                flag = L(row.get("total"), dt="xsd:boolean")
                pairs.append(("gk:statedAsTotal", flag))
                body.append((claim, "gk:statedAsTotal", flag))
            if row.get("list_exhaustive"):
                flag = L(row.get("list_exhaustive"), dt="xsd:boolean")
                pairs.append(("gk:listIsExhaustive", flag))
                self.conclude(
                    claim, "gk:listIsExhaustive", flag, "combination", [ev],
                    "The enumeration next to the number (主要包括, 等) is outside the number's "
                    "own quote. " + (row.get("comment_en") or ""),
                )  # fmt: skip
            links: list[tuple[str, str]] = []
            other = row.get("part_of")
            if other:
                if other not in keys:
                    self.bad(row, "part_of", f"unknown claim {other!r}")
                else:
                    links.append(("gk:partOf", other))
            if row.get("share_of"):
                num, sep, den = row.get("share_of").partition("/")
                parts = [n.strip() for n in num.split("+") if n.strip()]
                if not sep or not parts or not den.strip():
                    self.bad(
                        row,
                        "share_of",
                        "write numerator claims joined by '+', '/', the denominator claim",
                    )
                for n in [*parts, den.strip()]:
                    if n and n not in keys:
                        self.bad(row, "share_of", f"unknown claim {n!r}")
                links += [("gk:shareNumerator", n) for n in parts]
                if den.strip():
                    links.append(("gk:shareDenominator", den.strip()))
            for prop, other in links:
                o = I(f"claim/{other}")
                pairs.append((prop, o))
                self.out.derived.add((claim, prop, _key(o)))
                local = prop.split(":", 1)[1].lower()
                self.out.derivations.append((f"evidence/claim-{key}-{local}-{other}", [
                    ("rdf:type", I("gk:Derivation")),
                    ("rdf:type", I("prov:Entity")),
                    ("gk:derivationMethod", I("concept/derivation-method/arithmetic-reading")),
                    ("gk:derivedStatement", statement_node(claim, prop, o)),
                    ("prov:wasDerivedFrom", I(f"evidence/claim-{key}")),
                    ("prov:wasDerivedFrom", I(f"evidence/claim-{other}")),
                    ("rdfs:comment", L(
                        "How the article presents its numbers (其中, 另有, 占…), read by govkg to "
                        "compare them: a part of the whole, not a partition (parts may overlap, "
                        "e.g. a province counted in two, or leave cases in none); the numbers "
                        "themselves stay as stated.", "en")),
                ]))  # fmt: skip
            if row.get("year"):
                year = L(row.get("year"), dt="xsd:gYear")
                pairs.append(("dct:date", year))
                self.conclude(
                    claim,
                    "dct:date",
                    year,
                    "combination",
                    [ev],
                    "The year is stated at the start of the sentence the quote ends.",
                )
            by = row.get("stated_by")
            if self.resource(row, "stated_by", by):
                pairs.append(("gk:statedBy", I(by)))
                body.append((claim, "gk:statedBy", I(by)))
            if row.get("comment_en"):
                pairs.append(("rdfs:comment", L(row.get("comment_en"), "en")))
            pairs += self.claim_facts.get(claim, [])
            pairs.append(("gk:attestedBy", I(ev)))
            self.out.claims.append((claim, pairs))
            for s, p, o in body:
                self.out.stated.add((s, p, _key(o)))
            located = self.locate(row, "quote")
            if located is None:
                continue
            start, prefix, suffix = located
            ev_pairs = self.annotation(row, quote, start, prefix, suffix)
            ev_pairs[4:4] = [("oa:hasBody", statement_node(s, p, o)) for s, p, o in body]
            self.out.annotations.append((start, ev, ev_pairs))

    def conclude(
        self, s: str, p: str, o: object, method: str, grounds: list[str], why: str
    ) -> None:
        """Record a derivation the build itself makes (not from the derivations sheet)."""
        self.out.derived.add((s, p, _key(o)))
        local = re.sub(r"[^a-z0-9]+", "-", f"{s}-{p.split(':', 1)[1]}".lower()).strip("-")
        n = sum(1 for ref, _ in self.out.derivations if ref.startswith(f"evidence/{local}"))
        ref = f"evidence/{local}" + (f"-{n + 1}" if n else "")
        self.out.derivations.append((ref, [
            ("rdf:type", I("gk:Derivation")),
            ("rdf:type", I("prov:Entity")),
            ("gk:derivationMethod", I(f"concept/derivation-method/{method}")),
            ("gk:derivedStatement", statement_node(s, p, o)),
            *[("prov:wasDerivedFrom", I(g)) for g in grounds],
            ("rdfs:comment", L(why.strip(), "en")),
        ]))  # fmt: skip

    def check_naming(self) -> None:
        """Every stated triple's quote names what it is about (govkg.tables.naming)."""
        known, here = self.v.existing_names, self.out.subjects
        names = {
            ref: names_from_pairs([*known.get(ref, []), *here.get(ref, [])])
            for ref in known.keys() | here.keys()
        }
        self.problems += check_naming(self.stated_rows, self.quote_ids, names, self.v.place_names)

    def finish(self) -> None:
        for ref in self.out.subjects:
            if ref not in self.declared:
                continue
            evs = self.evidence_of.get(ref, [])
            for p, o in list(self.out.subjects[ref]):
                if (ref, p, _key(o)) in self.out.stated | self.out.derived or not evs:
                    continue
                if p == "gk:jurisdiction":
                    self.conclude(
                        ref,
                        p,
                        o,
                        "place-of-mention",
                        evs,
                        "The quotes that mention this resource say which province it is of.",
                    )
                elif p == "gk:leftUnknown":
                    self.conclude(
                        ref,
                        p,
                        o,
                        "not-in-source",
                        evs,
                        "None of the quotes that mention this resource gives this value.",
                    )
            if not evs and ref not in self.derived_about:
                row = next(r for r in self.t.rows("entities") if r.get("id") == ref)
                self.bad(
                    row,
                    "id",
                    f"missing evidence: nothing about {ref} is stated by a quote or derived",
                )
            self.out.subjects[ref] += [("gk:attestedBy", I(ev)) for ev in evs]


def compile_tables(tables: Tables, vocab: Vocabulary, texts: dict[str, str]) -> Compiled:
    """The tables as RDF, or TablesInvalid listing every problem.

    `texts` maps each article source (`source/…`) to its text; quotes are found in it.
    """
    c = _Compiler(tables, vocab, texts)
    c.source_rows()
    c.entity_rows()
    c.quote_rows()
    c.derivation_rows()
    c.claim_rows()
    c.check_naming()
    c.finish()
    if c.problems:
        raise TablesInvalid(tables.origin, c.problems)
    return c.out


def name_parts(ev: str, pairs: list) -> list[tuple[str, list]]:
    """Give an annotation's parts IRIs of their own (`#target`, `#quote`, `#position`, `#s1`…).

    Named parts can be cited and show up by name in validation reports, and exports need no
    blank-node canonicalisation. Replaces the blank nodes in `pairs` in place; returns the
    parts, each to be written as a subject of its own after the annotation.
    """
    parts: list[tuple[str, list]] = []
    n_statements = 0
    for i, (p, o) in enumerate(pairs):
        if not isinstance(o, B):
            continue
        if p == "oa:hasTarget":
            ref = f"{ev}#target"
            for j, (tp, to) in enumerate(o.pairs):
                if tp == "oa:hasSelector" and isinstance(to, B):
                    kind = dict(to.pairs)["rdf:type"].ref
                    sel = f"{ev}#{'quote' if kind == 'oa:TextQuoteSelector' else 'position'}"
                    o.pairs[j] = (tp, I(sel))
                    parts.append((sel, to.pairs))
            parts.insert(0, (ref, o.pairs))
        elif p in ("oa:hasBody", "gk:derivedStatement"):
            n_statements += 1
            ref = f"{ev}#s{n_statements}"
            parts.append((ref, o.pairs))
        else:
            raise ValueError(f"{ev}: unexpected blank node under {p}")
        pairs[i] = (p, I(ref))
    return parts


def evidence_sections(out: Compiled) -> list[Section]:
    """Annotations in source order, then derivations; each part a subject of its own."""
    ev_sec = Section("Evidence, in the order of the article")
    for _start, ev, pairs in sorted(out.annotations, key=lambda a: (a[0], a[1])):
        named = name_parts(ev, pairs)
        ev_sec.add(I(ev), pairs)
        for ref, part in named:
            ev_sec.add(I(ref), part)
    der_sec = Section(
        "Derivations: what govkg concludes rather than the article states",
        note="gk:derivationMethod says how; prov:wasDerivedFrom the quotes it rests on.",
    )
    for ev, pairs in out.derivations:
        named = name_parts(ev, pairs)
        der_sec.add(I(ev), pairs)
        for ref, part in named:
            der_sec.add(I(ref), part)
    return [ev_sec, der_sec]


def claim_sections(out: Compiled, describe_scheme: bool) -> list[Section]:
    """The claims data sets, the claim-topic concepts, the claims."""
    cube = Section("The data set of stated claims")
    for dataset, source in out.datasets.items():
        if not any(dict(p).get("qb:dataSet") == I(dataset) for _c, p in out.claims):
            continue
        cube.add(I(dataset), [
            ("rdf:type", I("qb:DataSet")),
            ("qb:structure", I("gk:claimStructure")),
            ("dct:title", L("文章所述统计", "zh")),
            ("dct:title", L("The numbers the article states", "en")),
            ("rdfs:label", L("文章所述统计", "zh")),
            ("rdfs:label", L("The numbers the article states", "en")),
            ("rdfs:comment", L(
                "Every aggregate number of the source article, exactly as stated (never "
                "adjusted), with its quote. The article's totals do not always add up; "
                "compare them with the enumerated facts by query.", "en")),
            ("dct:source", I(source)),
        ])  # fmt: skip
    topic_sec = Section(
        "Claim topics (gkr:concept/claim-topic): what each number counts",
        note="Keys are fixed and shared with the canned queries.",
    )
    top = [("skos:hasTopConcept", I(t)) for t, _p in out.topics]
    if describe_scheme:
        topic_sec.add(I("concept/claim-topic"), [
            ("rdf:type", I("skos:ConceptScheme")),
            ("skos:prefLabel", L("文章所述统计的主题", "zh")),
            ("skos:prefLabel", L("Topics of the article's stated numbers", "en")),
            ("rdfs:label", L("文章所述统计的主题", "zh")),
            ("rdfs:label", L("Topics of the article's stated numbers", "en")),
            ("skos:definition", L("文章所述每个统计数字所计量的对象。", "zh")),
            ("skos:definition", L("What each number the article states counts or measures.", "en")),
            *top,
        ])  # fmt: skip
    elif top:
        topic_sec.add(I("concept/claim-topic"), top)
    for t, p in out.topics:
        topic_sec.add(I(t), p)
    claim_sec = Section("The article's numbers: one gk:StatedClaim (qb:Observation) per number")
    for c, p in out.claims:
        claim_sec.add(I(c), p)
    return [cube, topic_sec, claim_sec]


def resource_path(iri: str) -> str | None:
    """`https://w3id.org/govkg/id/org/x` -> `org/x` (None for other IRIs)."""
    if not iri.startswith(GKR):
        return None
    path = iri[len(GKR) :]
    return path if path.split("/", 1)[0] in KINDS else None


Layout = Callable[[Compiled], dict[str, list[Section]]]
