"""Write the article's facts (tools/facts.py) as Turtle in data/, with their evidence.

    .venv/bin/python tools/build_data.py          # needs the article ($GOVKG_ARTICLE or ../shared)

Deterministic: the same facts and article give the same bytes. Files written:
  data/source.ttl     the article (bibliographic metadata, SHA-256) and its byline
  data/national.ttl   the National Data Administration
  data/provinces.ttl  bodies, groups, offices, posts, events: one section per province
  data/experts.ttl    the quoted experts, their statements, the surveying CPPCC member
  data/claims.ttl     the article's own numbers (RDF Data Cube) and the claim-topic scheme
  data/evidence.ttl   one annotation per quote, in article order
  data/dataset.ttl    DCAT + VoID description of data/ (void:triples counted last)
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import facts as F
from ttl import B, I, L, Section, write

from govkg import resources
from govkg.evidence import locate, sha256_of
from govkg.load import parse_file
from govkg.namespaces import GKR, ONTOLOGY_IRI, PREFIXES, curie

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
VERSION = "0.1.0"
ISSUED = "2026-11-26"

# provinces in GB/T 2260 order, for the sections of provinces.ttl
ORDER = [
    "cn-bj",
    "cn-tj",
    "cn-he",
    "cn-sx",
    "cn-nm",
    "cn-ln",
    "cn-jl",
    "cn-hl",
    "cn-sh",
    "cn-js",
    "cn-zj",
    "cn-ah",
    "cn-fj",
    "cn-jx",
    "cn-sd",
    "cn-ha",
    "cn-hb",
    "cn-hn",
    "cn-gd",
    "cn-gx",
    "cn-hi",
    "cn-cq",
    "cn-sc",
    "cn-gz",
    "cn-yn",
    "cn-xz",
    "cn-sn",
    "cn-gs",
    "cn-qh",
    "cn-nx",
    "cn-xj",
]
NAMES = {
    "cn-bj": "北京 Beijing", "cn-tj": "天津 Tianjin", "cn-sx": "山西 Shanxi",
    "cn-nm": "内蒙古 Inner Mongolia", "cn-ln": "辽宁 Liaoning", "cn-jl": "吉林 Jilin",
    "cn-hl": "黑龙江 Heilongjiang", "cn-sh": "上海 Shanghai", "cn-js": "江苏 Jiangsu",
    "cn-zj": "浙江 Zhejiang", "cn-ah": "安徽 Anhui", "cn-fj": "福建 Fujian",
    "cn-jx": "江西 Jiangxi", "cn-sd": "山东 Shandong", "cn-ha": "河南 Henan",
    "cn-hb": "湖北 Hubei", "cn-hn": "湖南 Hunan", "cn-gd": "广东 Guangdong",
    "cn-gx": "广西 Guangxi", "cn-hi": "海南 Hainan", "cn-cq": "重庆 Chongqing",
    "cn-sc": "四川 Sichuan", "cn-gz": "贵州 Guizhou", "cn-yn": "云南 Yunnan",
    "cn-xz": "西藏 Tibet", "cn-sn": "陕西 Shaanxi", "cn-gs": "甘肃 Gansu",
}  # fmt: skip
ENTITY_KINDS = ("org", "group", "office", "post", "event", "person", "statement", "claim")


def is_resource(o: object) -> bool:
    """A govkg resource path (`org/...`), as opposed to a CURIE or a literal."""
    if not isinstance(o, str):
        return False
    head = o.partition(":")[0]
    return not (head in PREFIXES and ":" in o)


def term(o: object) -> object:
    return I(o) if isinstance(o, str) else o


def canonical_decimal(value: str) -> str:
    """The XSD canonical form of a decimal ("4" -> "4.0"), which serialisers write back as is."""
    from decimal import Decimal

    text = format(Decimal(str(value)).normalize(), "f")
    return text if "." in text else text + ".0"


def evidence_node(key: str, quote: str, occurrence: int, text: str) -> tuple[int, list]:
    start, end, prefix, suffix = locate(quote, text, occurrence)
    target = B(
        [
            ("rdf:type", I("oa:SpecificResource")),
            ("oa:hasSource", I(F.SOURCE)),
            (
                "oa:hasSelector",
                B(
                    [
                        ("rdf:type", I("oa:TextQuoteSelector")),
                        ("oa:exact", L(quote)),
                        ("oa:prefix", L(prefix)),
                        ("oa:suffix", L(suffix)),
                    ]
                ),
            ),
            (
                "oa:hasSelector",
                B(
                    [
                        ("rdf:type", I("oa:TextPositionSelector")),
                        ("oa:start", L(str(start), dt="xsd:integer")),
                        ("oa:end", L(str(end), dt="xsd:integer")),
                    ]
                ),
            ),
        ]
    )
    pairs: list = [
        ("rdf:type", I("gk:Evidence")),
        ("rdf:type", I("oa:Annotation")),
        ("oa:motivatedBy", I("oa:describing")),
        ("oa:hasTarget", target),
    ]
    return start, pairs


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
        elif p == "oa:hasBody":
            n_statements += 1
            ref = f"{ev}#s{n_statements}"
            parts.append((ref, o.pairs))
        else:
            raise SystemExit(f"{ev}: unexpected blank node under {p}")
        pairs[i] = (p, I(ref))
    return parts


def statement(s: str, p: str, o: object) -> B:
    return B(
        [
            ("rdf:type", I("rdf:Statement")),
            ("rdf:subject", I(s)),
            ("rdf:predicate", I(p)),
            ("rdf:object", term(o)),
        ]
    )


def describe(e: F.Entity) -> list:
    pairs: list = [("rdf:type", I(t)) for t in e.types]
    if e.zh:
        pairs += [("skos:prefLabel", L(e.zh, "zh")), ("skos:prefLabel", L(e.en, "en"))]
        pairs += [("rdfs:label", L(e.zh, "zh")), ("rdfs:label", L(e.en, "en"))]
        if e.label_zh and e.label_zh != e.zh:
            pairs.append(("skos:altLabel", L(e.label_zh, "zh")))
    elif e.ref.startswith("post/") and e.label_zh:
        # a post is named by its role, in the article's word for it (组长, 省委书记, 省长)
        pairs += [("skos:prefLabel", L(e.label_zh, "zh")), ("skos:prefLabel", L(e.en, "en"))]
        pairs += [("rdfs:label", L(e.label_zh, "zh")), ("rdfs:label", L(e.en, "en"))]
    else:
        if e.label_zh:
            pairs.append(("rdfs:label", L(e.label_zh, "zh")))
        pairs.append(("rdfs:label", L(e.en, "en")))
    pairs += [("skos:altLabel", L(a, "zh")) for a in e.alt_zh]
    if e.place:
        pairs.append(("gk:jurisdiction", I(f"place/{e.place}")))
    pairs += [("gk:leftUnknown", I(u)) for u in e.unknown]
    if e.comment_zh:
        pairs.append(("rdfs:comment", L(e.comment_zh, "zh")))
    if e.comment_en:
        pairs.append(("rdfs:comment", L(e.comment_en, "en")))
    pairs += [(p, term(o)) for p, o in e.extra]
    return pairs


def file_of(ref: str) -> str:
    if ref in (F.SOURCE, F.AUTHOR, F.INTERN, F.EDITOR, F.PROOFREADER):
        return "source"
    if ref.startswith(("person/", "statement/")):
        return "experts"
    if ref.startswith("claim/"):
        return "claims"
    e = F.ENTITIES.get(ref)
    if e and e.place == "cn":
        return "national"
    return "provinces"


def build(text: str, digest: str) -> dict[str, list[Section]]:
    # --- subjects: descriptions, fact triples, attestations
    subjects: dict[str, list] = {ref: describe(e) for ref, e in F.ENTITIES.items()}
    subjects.setdefault(F.SOURCE, [])
    annotations: list[tuple[int, str, list]] = []

    for f in F.FACTS:
        start, pairs = evidence_node(f.key, f.quote, f.occurrence, text)
        ev = f"evidence/{f.key}"
        pairs[4:4] = [("oa:hasBody", statement(*t)) for t in f.triples]
        if f.comment:
            pairs.append(("rdfs:comment", L(f.comment, "en")))
        annotations.append((start, ev, pairs))
        attested: list[str] = []
        for s, p, o in f.triples:
            if s not in subjects:
                raise SystemExit(f"{f.key}: subject {s} is not declared")
            subjects[s].append((p, term(o)))
            for r in (s, o):
                if is_resource(r) and r.split("/", 1)[0] in ENTITY_KINDS and r not in attested:
                    if r not in F.ENTITIES:
                        raise SystemExit(f"{f.key}: {r} is not declared")
                    attested.append(r)
        for r in attested:
            subjects[r].append(("gk:attestedBy", I(ev)))

    # --- claims
    claim_sec = Section("The article's numbers: one gk:StatedClaim (qb:Observation) per number")
    topic_sec = Section(
        "Claim topics (gkr:concept/claim-topic): what each number counts",
        note="Keys are fixed and shared with the canned queries.",
    )
    topic_sec.add(
        I("concept/claim-topic"),
        [
            ("rdf:type", I("skos:ConceptScheme")),
            ("skos:prefLabel", L("文章所述统计的主题", "zh")),
            ("skos:prefLabel", L("Topics of the article's stated numbers", "en")),
            ("rdfs:label", L("文章所述统计的主题", "zh")),
            ("rdfs:label", L("Topics of the article's stated numbers", "en")),
            ("skos:definition", L("文章所述每个统计数字所计量的对象。", "zh")),
            ("skos:definition", L("What each number the article states counts or measures.", "en")),
        ]
        + [("skos:hasTopConcept", I(f"concept/claim-topic/{c.key}")) for c in F.CLAIMS],
    )
    cube = Section("The data set of stated claims")
    cube.add(
        I("dataset/article-claims"),
        [
            ("rdf:type", I("qb:DataSet")),
            ("qb:structure", I("gk:claimStructure")),
            ("dct:title", L("文章所述统计", "zh")),
            ("dct:title", L("The numbers the article states", "en")),
            ("rdfs:label", L("文章所述统计", "zh")),
            ("rdfs:label", L("The numbers the article states", "en")),
            (
                "rdfs:comment",
                L(
                    "Every aggregate number of the source article, exactly as stated (never "
                    "adjusted), with its quote. The article's totals do not always add up; "
                    "compare them with the enumerated facts by query.",
                    "en",
                ),
            ),
            ("dct:source", I(F.SOURCE)),
        ],
    )
    seen_topics = set()
    for c in F.CLAIMS:
        if c.key in seen_topics:
            raise SystemExit(f"claim topic {c.key} twice")
        seen_topics.add(c.key)
        if c.stated_text not in c.quote:
            raise SystemExit(f"claim {c.key}: stated text {c.stated_text!r} not in its quote")
        topic = f"concept/claim-topic/{c.key}"
        topic_sec.add(
            I(topic),
            [
                ("rdf:type", I("skos:Concept")),
                ("skos:inScheme", I("concept/claim-topic")),
                ("skos:topConceptOf", I("concept/claim-topic")),
                ("skos:notation", L(c.key)),
                ("skos:definition", L(f"文章所述:{c.quote}", "zh")),
                ("skos:definition", L(f"{c.en}, as the article states it.", "en")),
                ("skos:prefLabel", L(c.zh, "zh")),
                ("skos:prefLabel", L(c.en, "en")),
                ("rdfs:label", L(c.zh, "zh")),
                ("rdfs:label", L(c.en, "en")),
            ],
        )
        claim = f"claim/{c.key}"
        value = L(canonical_decimal(c.value), dt="xsd:decimal")
        pairs: list = [
            ("rdf:type", I("gk:StatedClaim")),
            ("rdf:type", I("qb:Observation")),
            ("qb:dataSet", I("dataset/article-claims")),
            ("gk:claimAbout", I(topic)),
            ("gk:statedValue", value),
            ("gk:statedText", L(c.stated_text)),
            ("rdfs:label", L(f"{c.zh}:{c.stated_text}", "zh")),
            ("rdfs:label", L(f"{c.en}: {c.stated_text}", "en")),
            ("gk:unit", I(f"concept/unit/{c.unit}")),
        ]
        body = [statement(claim, "gk:claimAbout", topic), statement(claim, "gk:statedValue", value)]
        if c.as_of:
            pairs.append(("gk:asOf", L(c.as_of, dt="xsd:date")))
            body.append(statement(claim, "gk:asOf", L(c.as_of, dt="xsd:date")))
        if c.qualifier:
            q = f"concept/qualifier/{c.qualifier}"
            pairs.append(("gk:qualifier", I(q)))
            body.append(statement(claim, "gk:qualifier", q))
        if c.exhaustive is not None:
            flag = L("true" if c.exhaustive else "false", dt="xsd:boolean")
            pairs.append(("gk:listIsExhaustive", flag))
        if c.year:
            pairs.append(("dct:date", L(c.year, dt="xsd:gYear")))
        pairs.append(("gk:statedBy", I(c.stated_by)))
        body.append(statement(claim, "gk:statedBy", c.stated_by))
        if c.comment:
            pairs.append(("rdfs:comment", L(c.comment, "en")))
        ev = f"evidence/claim-{c.key}"
        pairs.append(("gk:attestedBy", I(ev)))
        claim_sec.add(I(claim), pairs)
        start, ev_pairs = evidence_node(ev, c.quote, c.occurrence, text)
        ev_pairs[4:4] = [("oa:hasBody", b) for b in body]
        annotations.append((start, ev, ev_pairs))

    # --- the source
    src = Section("The source article")
    src.add(
        I(F.SOURCE),
        [
            ("rdf:type", I("gk:SourceArticle")),
            ("rdf:type", I("schema:NewsArticle")),
            ("rdf:type", I("prov:Entity")),
            ("schema:headline", L("26省份设数字政府建设领导小组,多位书记省长任组长", "zh")),
            ("dct:title", L("26省份设数字政府建设领导小组,多位书记省长任组长", "zh")),
            (
                "dct:title",
                L(
                    "26 provinces have set up digital government leading groups, several "
                    "chaired by Party secretaries or governors",
                    "en",
                ),
            ),
            ("rdfs:label", L("26省份设数字政府建设领导小组,多位书记省长任组长", "zh")),
            ("schema:isPartOf", I("source/bjnews-think-tank")),
            ("schema:publisher", I("source/bjnews")),
            ("schema:datePublished", L("2023-11-23T17:02:27+08:00", dt="xsd:dateTime")),
            ("dct:issued", L("2023-11-23T17:02:27+08:00", dt="xsd:dateTime")),
            ("schema:inLanguage", L("zh")),
            ("dct:language", L("zh")),
            ("gk:sha256", L(digest)),
            ("schema:encodingFormat", L("text/plain; charset=utf-8")),
            (
                "rdfs:comment",
                L(
                    "Stated cut-off dates: leading groups as of 2023-11-10 (截至2023年11月10日); "
                    "data-management bodies as of the end of October 2023 (截至2023年10月底). "
                    "gk:sha256 is the SHA-256 of the UTF-8 text file article.zh.txt from which "
                    "every quote's offsets (Unicode code points, end exclusive) are taken.",
                    "en",
                ),
            ),
        ],
    )
    src.add(
        I("source/bjnews-think-tank"),
        [
            ("rdf:type", I("schema:CreativeWorkSeries")),
            ("schema:name", L("新京智库", "zh")),
            ("schema:name", L("Beijing News Think Tank", "en")),
            ("rdfs:label", L("新京智库", "zh")),
            ("rdfs:label", L("Beijing News Think Tank", "en")),
            ("schema:publisher", I("source/bjnews")),
        ],
    )
    src.add(
        I("source/bjnews"),
        [
            ("rdf:type", I("schema:NewsMediaOrganization")),
            ("schema:name", L("新京报", "zh")),
            ("schema:name", L("The Beijing News", "en")),
            ("rdfs:label", L("新京报", "zh")),
            ("rdfs:label", L("The Beijing News", "en")),
        ],
    )

    # --- distribute subjects into files and sections
    sections: dict[str, list[Section]] = {
        "source": [src, Section("The byline")],
        "national": [Section("National")],
        "provinces": [Section(f"{NAMES[p]} ({p.upper()})") for p in ORDER if p in NAMES],
        "experts": [
            Section("Quoted experts and their statements"),
            Section("The CPPCC member who surveyed a province in central China (told in 2022)"),
        ],
        "claims": [cube, topic_sec, claim_sec],
    }
    prov_index = {p: i for i, p in enumerate(p for p in ORDER if p in NAMES)}
    for ref, pairs in subjects.items():
        where = file_of(ref)
        if where == "source":
            sections["source"][0 if ref == F.SOURCE else 1].add(I(ref), pairs)
        elif where == "national":
            sections["national"][0].add(I(ref), pairs)
        elif where == "experts":
            sections["experts"][1 if ref in (F.MEMBER, F.MEMBER_ST) else 0].add(I(ref), pairs)
        else:
            place = F.ENTITIES[ref].place
            sections["provinces"][prov_index[place]].add(I(ref), pairs)

    ev_sec = Section("Evidence, in the order of the article")
    for _start, ev, pairs in sorted(annotations, key=lambda a: (a[0], a[1])):
        named = name_parts(ev, pairs)
        ev_sec.add(I(ev), pairs)
        for ref, part in named:
            ev_sec.add(I(ref), part)
    sections["evidence"] = [ev_sec]
    return sections


HEADERS = {
    "source": "The source article (bibliographic metadata and checksum) and its byline.",
    "national": "The national level: the National Data Administration (国家数据局).",
    "provinces": (
        "The provinces' bodies, leading groups, offices, chair posts and changes, one section\n"
        "per province (GB/T 2260 order). Only provinces the article names appear."
    ),
    "experts": "The experts the article quotes, their statements, and the surveying CPPCC member.",
    "claims": "The article's own aggregate numbers, as RDF Data Cube observations.",
    "evidence": (
        "One Web Annotation per quote of the article, in article order. oa:hasBody: the\n"
        "reified triples (rdf:Statement) the quote supports; oa:hasTarget: the quote in\n"
        "<source/bjnews-2023-11-23>, by exact text with prefix/suffix (TextQuoteSelector) and by\n"
        "Unicode code-point offsets, end exclusive (TextPositionSelector)."
    ),
}
COMMON = (
    "\nGenerated by tools/build_data.py from tools/facts.py; do not edit by hand.\n"
    "Every fact rests on a quote of the source article: see data/evidence.ttl and data/README.md.\n"
    "Licence: CC BY 4.0."
)


def dataset_sections(triples: int, classes: Counter, vocabularies: list[str]) -> list[Section]:
    sec = Section("This data set")
    pairs: list = [
        ("rdf:type", I("dcat:Dataset")),
        ("rdf:type", I("void:Dataset")),
        ("dct:title", L("省级数字政府与数据管理机构知识图谱:数据", "zh")),
        ("dct:title", L("govkg data: China's provincial digital-government bodies", "en")),
        ("rdfs:label", L("省级数字政府与数据管理机构知识图谱:数据", "zh")),
        ("rdfs:label", L("govkg data: China's provincial digital-government bodies", "en")),
        (
            "dct:description",
            L(
                "The facts one news analysis (新京报/新京智库, 2023-11-23) states about how "
                "China's provinces organise digital government and data management: leading "
                "groups, their offices and chairs, big-data and government-service bodies, their "
                "legal status, rank and managing department, and the article's own numbers, "
                "each fact with the quote it rests on.",
                "en",
            ),
        ),
        ("dct:license", I(LICENCE)),
        ("dcat:version", L(VERSION)),
        ("owl:versionInfo", L(VERSION)),
        ("dct:issued", L(ISSUED, dt="xsd:date")),
        ("dct:source", I(F.SOURCE)),
        ("prov:wasDerivedFrom", I(F.SOURCE)),
        ("prov:wasDerivedFrom", I("source/reference-provinces")),
        ("dct:hasPart", I("dataset/article-claims")),
        ("dct:language", L("zh")),
        ("dct:language", L("en")),
        ("void:uriSpace", L(GKR)),
        ("void:triples", L(str(triples), dt="xsd:integer")),
        (
            "rdfs:comment",
            L(
                "void:triples counts the distinct RDF triples of all data/*.ttl files parsed "
                "together, this file included (blank nodes are local to their file); ontology/ "
                "and shapes/ are not counted. void:classPartition counts the resources typed "
                "with each class in data/ (asserted types only, no inference).",
                "en",
            ),
        ),
    ]
    pairs += [("void:vocabulary", I(v)) for v in vocabularies]
    for cls, n in sorted(classes.items()):
        pairs.append(
            (
                "void:classPartition",
                B(
                    [
                        ("void:class", I(curie(cls).strip("<>"))),
                        ("void:entities", L(str(n), dt="xsd:integer")),
                    ]
                ),
            )
        )
    sec.add(I("dataset/govkg"), pairs)
    return [sec]


def measure() -> tuple[int, Counter, list[str]]:
    """Triples, class counts and vocabularies of everything now in data/."""
    import pyoxigraph as ox

    triples: set = set()
    for path in resources.turtle_files(DATA):
        for q in parse_file(path):
            triples.add(q.triple)
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    classes: Counter = Counter()
    vocab: set[str] = set()
    namespaces = {ns: p for p, ns in PREFIXES.items() if p not in ("gkr", "gks", "wd")}

    def note(iri: str) -> None:
        for ns in namespaces:
            if iri.startswith(ns):
                vocab.add(ONTOLOGY_IRI if ns == PREFIXES["gk"] else ns)

    for t in triples:
        note(t.predicate.value)
        if t.predicate.value == rdf_type and isinstance(t.object, ox.NamedNode):
            classes[t.object.value] += 1
            note(t.object.value)
    return len(triples), classes, sorted(vocab)


def main() -> int:
    path = resources.article_path()
    if not path.is_file():
        print(f"source article not found: {path} (set $GOVKG_ARTICLE)", file=sys.stderr)
        return 2
    text = path.read_text(encoding="utf-8")
    built = build(text, sha256_of(path))
    for name, secs in built.items():
        header = f"govkg data: {HEADERS[name]}{COMMON}"
        write(DATA / f"{name}.ttl", header, secs)
    header = "govkg data: description of the data set itself (DCAT + VoID)." + COMMON
    # void:triples and the partitions describe data/ including this file: write it with
    # provisional numbers, measure, write again (the numbers' values do not change the count)
    write(DATA / "dataset.ttl", header, dataset_sections(0, Counter(), []))
    _, classes, vocab = measure()
    write(DATA / "dataset.ttl", header, dataset_sections(0, classes, vocab))
    n, classes2, vocab2 = measure()
    write(DATA / "dataset.ttl", header, dataset_sections(n, classes2, vocab2))
    n3, classes3, vocab3 = measure()
    if (n3, classes3, vocab3) != (n, classes, vocab):
        raise SystemExit(f"data set description unstable: {n} then {n3} triples")
    print(f"wrote data/*.ttl: {n} triples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
