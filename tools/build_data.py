"""Write data/*.ttl from the fact tables in data/tables/, through the same importer as
`govkg import` (govkg.tables), laid out for people: one file per kind, one section per province.

    .venv/bin/python tools/build_data.py          # needs the article ($GOVKG_ARTICLE or ../shared)

Deterministic: the same tables and article give the same bytes. Files written:
  data/source.ttl     the sources (bibliographic record, SHA-256) and the byline
  data/national.ttl   the national level
  data/provinces.ttl  bodies, groups, offices, posts, events: one section per province
  data/experts.ttl    the quoted experts, their statements, the surveying CPPCC member
  data/claims.ttl     the article's own numbers (RDF Data Cube) and the claim-topic scheme
  data/evidence.ttl   one annotation per quote, in article order; then the derivations
  data/dataset.ttl    DCAT + VoID description of data/ (void:triples counted last)
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

from ttl import B, I, L, Section, write

from govkg import __version__, resources
from govkg.load import parse_file
from govkg.namespaces import DATASET, GKR, GRAPH_PARTS, ONTOLOGY_IRI, PREFIXES, curie, graph_iri
from govkg.tables.build import Compiled, claim_sections, compile_tables, evidence_sections
from govkg.tables.read import TablesInvalid, read_tables
from govkg.tables.vocab import vocabulary

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
TABLES = DATA / "tables"
REFERENCE = REPO / "reference" / "provinces.csv"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
ISSUED = "2026-11-26"
BYLINE = {"schema:author", "schema:editor", "schema:contributor"}


def source_texts(tables_dir: Path = TABLES) -> dict[str, str]:
    """The text of each article source: the bundled article from resources.article_path()."""
    tables = read_tables(tables_dir)
    texts: dict[str, str] = {}
    for row in tables.rows("sources"):
        if row.get("kind") != "article":
            continue
        path = resources.article_path()
        if Path(row.get("text")).name != path.name:
            path = REPO.parent / row.get("text")
        if path.is_file():
            texts[row.get("id")] = path.read_text(encoding="utf-8")
    return texts


def compile_bundled(texts: dict[str, str]) -> Compiled:
    vocab = vocabulary(resources.ontology_files(), [DATA / "places.ttl"], existing=False)
    return compile_tables(read_tables(TABLES), vocab, texts)


def layout(out: Compiled) -> dict[str, list[Section]]:
    """The compiled tables as the sections of each data file."""
    provinces = list(csv.DictReader(REFERENCE.open(encoding="utf-8")))
    provinces.sort(key=lambda r: r["gb2260"])
    src, byline = Section("The sources"), Section("The byline")
    bylined = {o.ref for pairs in out.sources.values() for p, o in pairs if p in BYLINE}
    for ref, pairs in out.sources.items():
        src.add(I(ref), pairs)
    national = Section("National")
    sections = {
        r["iso3166_2"].lower(): Section(f"{r['short_zh']} {r['short_en']} ({r['iso3166_2']})")
        for r in provinces
    }
    experts = Section("Quoted experts, their statements, and the surveying CPPCC member")
    for ref, pairs in out.subjects.items():
        place = out.jurisdiction.get(ref)
        if ref in bylined:
            byline.add(I(ref), pairs)
        elif ref.startswith(("person/", "statement/")):
            experts.add(I(ref), pairs)
        elif place == "cn":
            national.add(I(ref), pairs)
        elif place in sections:
            sections[place].add(I(ref), pairs)
        else:
            raise SystemExit(f"{ref}: no jurisdiction, and not a person or statement")
    return {
        "source": [src, byline],
        "national": [national],
        "provinces": list(sections.values()),
        "experts": [experts],
        "claims": claim_sections(out, describe_scheme=True),
        "evidence": evidence_sections(out),
    }


def build(texts: dict[str, str]) -> dict[str, list[Section]]:
    return layout(compile_bundled(texts))


HEADERS = {
    "source": "The sources (bibliographic record and checksum) and the byline.",
    "national": "The national level: the National Data Administration (国家数据局).",
    "provinces": (
        "The provinces' bodies, leading groups, offices, chair posts and changes, one section\n"
        "per province (GB/T 2260 order). Only provinces the sources name appear."
    ),
    "experts": "The experts the article quotes, their statements, and the surveying CPPCC member.",
    "claims": "The article's own aggregate numbers, as RDF Data Cube observations.",
    "evidence": (
        "One Web Annotation per quote, in source order. oa:hasBody: the reified triples\n"
        "(rdf:Statement) the quote states; oa:hasTarget: the quote in its source, by exact text\n"
        "with prefix/suffix (TextQuoteSelector) and by Unicode code-point offsets, end exclusive\n"
        "(TextPositionSelector). Then the derivations: triples govkg concludes, with the method\n"
        "(gk:derivationMethod) and the quotes they rest on (prov:wasDerivedFrom)."
    ),
}
COMMON = (
    "\nGenerated by tools/build_data.py from data/tables/; do not edit by hand.\n"
    "Every fact rests on a quote of a source: see data/evidence.ttl and data/README.md.\n"
    "Licence: CC BY 4.0."
)


# The named graphs of a TriG / N-Quads export and of `govkg serve`, described as subsets so a
# user who meets a graph IRI can look up what it holds: (title en, title zh, what it holds).
GRAPHS = {
    "ontology": (
        "govkg ontology",
        "govkg 本体",
        "The OWL ontology and its concept schemes (ontology/*.ttl).",
    ),
    "data": (
        "govkg data",
        "govkg 数据",
        "The facts, their evidence and this description (data/*.ttl): what void:triples of "
        "the data set counts.",
    ),
    "shapes": ("govkg shapes", "govkg 约束形状", "The SHACL shapes (shapes/*.ttl)."),
    "inferred": (
        "govkg inferred triples",
        "govkg 推理所得三元组",
        "What the OWL 2 RL closure adds to the other graphs (present when asked for, e.g. "
        "`govkg export --inferred`): concluded by a reasoner, not stated by any source.",
    ),
}


def _rel(iri: str) -> str:
    return iri[len(GKR) :]


def graph_sections(counts: dict[str, int]) -> Section:
    sec = Section("Its named graphs (void:subset)")
    for part in GRAPH_PARTS:
        en, zh, holds = GRAPHS[part]
        pairs: list = [
            ("rdf:type", I("void:Dataset")),
            ("dct:title", L(zh, "zh")),
            ("dct:title", L(en, "en")),
            ("rdfs:label", L(zh, "zh")),
            ("rdfs:label", L(en, "en")),
            ("dct:description", L(holds, "en")),
            ("dct:isPartOf", I(_rel(DATASET))),
        ]
        if part in counts:
            pairs.append(("void:triples", L(str(counts[part]), dt="xsd:integer")))
        sec.add(I(_rel(graph_iri(part))), pairs)
    return sec


def dataset_sections(
    triples: int,
    classes: Counter,
    vocabularies: list[str],
    sources: list[str],
    part_triples: dict[str, int],
) -> list[Section]:
    """The data set; `part_triples` counts the named graphs other than data (ontology, shapes)."""
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
        ("dcat:version", L(__version__)),
        ("owl:versionInfo", L(__version__)),
        ("dct:issued", L(ISSUED, dt="xsd:date")),
        *[("dct:source", I(s)) for s in sources],
        *[("prov:wasDerivedFrom", I(s)) for s in sources],
        ("prov:wasDerivedFrom", I("source/reference-provinces")),
        ("dct:hasPart", I("dataset/article-claims")),
        *[("void:subset", I(_rel(graph_iri(part)))) for part in GRAPH_PARTS],
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
    return [sec, graph_sections({"data": triples, **part_triples})]


def distinct_triples(paths: list[Path]) -> set:
    """The distinct triples of these files parsed together (blank nodes local to their file)."""
    return {q.triple for path in paths for q in parse_file(path)}


def measure() -> tuple[int, Counter, list[str]]:
    """Triples, class counts and vocabularies of everything now in data/."""
    import pyoxigraph as ox

    triples = distinct_triples(resources.turtle_files(DATA))
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
    texts = source_texts()
    if not texts:
        print(
            f"source article not found: {resources.article_path()} (set $GOVKG_ARTICLE)",
            file=sys.stderr,
        )
        return 2
    try:
        out = compile_bundled(texts)
    except TablesInvalid as err:
        for problem in err.problems:
            print(f"{err.origin}/{problem}", file=sys.stderr)
        return 1
    built = layout(out)
    for name, secs in built.items():
        header = f"govkg data: {HEADERS[name]}{COMMON}"
        write(DATA / f"{name}.ttl", header, secs)
    header = "govkg data: description of the data set itself (DCAT + VoID)." + COMMON
    sources = out.article_sources
    # void:triples and the partitions describe data/ including this file: write it with
    # provisional numbers, measure, write again (the numbers' values do not change the count)
    parts = {
        "ontology": len(distinct_triples(resources.ontology_files())),
        "shapes": len(distinct_triples(resources.shape_files())),
    }
    write(DATA / "dataset.ttl", header, dataset_sections(0, Counter(), [], sources, parts))
    _, classes, vocab = measure()
    write(DATA / "dataset.ttl", header, dataset_sections(0, classes, vocab, sources, parts))
    n, classes2, vocab2 = measure()
    write(DATA / "dataset.ttl", header, dataset_sections(n, classes2, vocab2, sources, parts))
    n3, classes3, vocab3 = measure()
    if (n3, classes3, vocab3) != (n, classes, vocab):
        raise SystemExit(f"data set description unstable: {n} then {n3} triples")
    print(f"wrote data/*.ttl: {n} triples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
