"""A seeded generator of a national-scale graph in govkg's own vocabulary, for benchmarks.

SYNTHETIC DATA, NOT FACTS: every division, body, post and quote here is invented; IRIs are
under https://example.org/govkg-synthetic/ and every label says "synthetic" (合成). Only
govkg's vocabulary (the ontology's classes and properties, the concept schemes) is real.

Each division (synthetic provinces, then prefectures under them, then counties under those,
round robin) gets its people's government, general office, data-management bureau with its
big-data centre, digital-government leading group with its office and chair post, the post
that holds the chair, a change event and one piece of evidence (a Web Annotation with quote
and position selectors); every third division a plaque body on a department. Generation
stops once the requested number of triples is reached.

A counted set of defects is injected, spread evenly (one kind per division in turn, after
the first few), and the expected results per shape are printed as `expect <shape> <n>`
lines (S60 counts the known unknowns, Infos, which are not defects). Merged with the
bundled data (plain `govkg validate FILE`), the file gives exactly those results.

    python bench/gen_national.py --triples 100000 --seed 1 -o national-100k.nt
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

BASE = "https://example.org/govkg-synthetic/id/"
GK = "https://w3id.org/govkg/def#"
GKR = "https://w3id.org/govkg/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OA = "http://www.w3.org/ns/oa#"
ORG = "http://www.w3.org/ns/org#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
PREFIXES = {
    "": BASE,
    "gk": GK,
    "gkr": GKR,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "xsd": XSD,
    "oa": OA,
    "org": ORG,
    "dct": DCT,
    "schema": SCHEMA,
}
SIZES = (10_000, 100_000, 1_000_000, 3_000_000)
PROVINCES = 26  # synthetic ISO-like codes CN-WA ... CN-WZ (no real code starts with W)
PREFECTURES_PER_PROVINCE = 14
COUNTIES_PER_PREFECTURE = 85  # enough divisions for 3M triples

# defect kind -> the results it causes, per shape (checked by tests/test_engine_equality.py)
DEFECTS: dict[str, dict[str, int]] = {
    "no-english-label": {"S02": 1},
    "no-jurisdiction": {"S09": 1},
    "manager-not-a-body": {"S14": 1},
    "plaque-host-not-a-body": {"S15": 1, "S52": 0},
    "plaque-host-elsewhere": {"S52": 1},
    "agency-without-manager": {"S53": 1},
    "management-cycle": {"S55": 2},
    "misspelled-property": {"S58": 1, "S53": 1},  # the agency then has no gk:managedBy
    "no-evidence": {"S42": 1},
    "start-after-end": {"S49": 1},
    "code-wrong-form": {"S07": 1},
}
PROVINCE_ONLY = {"code-wrong-form"}
PLAQUE_ONLY = {"plaque-host-not-a-body", "plaque-host-elsewhere"}


def iri(path: str) -> str:
    return f"<{BASE}{path}>"


def term(ns: str, local: str) -> str:
    return f"<{ns}{local}>"


def lit(text: str, lang: str | None = None, dt: str | None = None) -> str:
    body = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if lang:
        return f"{body}@{lang}"
    if dt:
        return f"{body}^^<{dt}>"
    return body


A = term(RDF, "type")


class Generator:
    """Divisions one at a time, each as a list of N-Triples-ready (s, p, o) tuples."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.expected: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()
        self.kinds = list(DEFECTS)
        self.turn = 0

    def divisions(self) -> Iterator[tuple[str, str, str | None, int]]:
        """(path, level, parent path, province number): provinces, then prefectures..."""
        for p in range(PROVINCES):
            yield f"place/p{p:02d}", "province", None, p
        for k in range(PREFECTURES_PER_PROVINCE):
            for p in range(PROVINCES):
                yield f"place/p{p:02d}-f{k:02d}", "prefecture", f"place/p{p:02d}", p
        for c in range(COUNTIES_PER_PREFECTURE):
            for k in range(PREFECTURES_PER_PROVINCE):
                for p in range(PROVINCES):
                    parent = f"place/p{p:02d}-f{k:02d}"
                    yield f"{parent}-c{c:02d}", "county", parent, p
        raise SystemExit("gen_national: more triples asked for than the divisions allow")

    def defect(self, n: int, level: str, plaque: bool) -> str | None:
        """Every fourth division after the first eight gets the next defect kind it can take."""
        if n < 8 or n % 4:
            return None
        for _ in range(len(self.kinds)):
            kind = self.kinds[self.turn % len(self.kinds)]
            self.turn += 1
            if kind in PROVINCE_ONLY and level != "province":
                continue
            if kind in PLAQUE_ONLY and not plaque:
                continue
            return kind
        return None

    def division(self, n: int, path: str, level: str, parent: str | None, p: int) -> list[tuple]:
        name = path.split("/", 1)[1]
        zh_level = {"province": "省", "prefecture": "市", "county": "县"}[level]
        plaque = n % 3 == 0
        kind = self.defect(n, level, plaque)
        if kind:
            self.injected[kind] += 1
            for sid, count in DEFECTS[kind].items():
                self.expected[sid] += count
        t: list[tuple] = []
        d = iri(path)
        label_zh = f"合成{zh_level}{name}(虚构)"
        label_en = f"Synthetic {level} {name} (fictional)"
        cls = "Province" if level == "province" else "AdministrativeDivision"
        t += [(d, A, term(GK, cls))]
        t += self.labels(d, label_zh, label_en)
        if level == "province":
            code = f"CN-W{chr(65 + p)}" if kind != "code-wrong-form" else f"CN-W{p}"
            t += [(d, term(DCT, "identifier"), lit(f"9{p:02d}000"))]
            t += [(d, term(GK, "iso3166Code"), lit(code))]
        if parent:
            t += [(d, term(SCHEMA, "containedInPlace"), iri(parent))]
        ev = iri(f"evidence/{name}")
        gov, office_ = iri(f"org/{name}-government"), iri(f"org/{name}-general-office")
        bureau, centre = iri(f"org/{name}-data-bureau"), iri(f"org/{name}-data-centre")
        group, lgo = iri(f"group/{name}-dg-leading-group"), iri(f"office/{name}-dg-office")
        chair, head = iri(f"post/{name}-dg-chair"), iri(f"post/{name}-head")
        event = iri(f"event/{name}-bureau-established")

        def body(node: str, cls: str, zh: str, en: str, *, evidence: bool = True) -> list:
            out = [(node, A, term(GK, cls))]
            out += self.labels(node, f"{label_zh}{zh}", f"{label_en} {en}")
            out += [(node, term(GK, "jurisdiction"), d)]
            if evidence:
                out += [(node, term(GK, "attestedBy"), ev)]
            return out

        t += body(gov, "PeoplesGovernment", "人民政府", "people's government")
        t += body(office_, "GeneralOffice", "政府办公厅", "general office")
        if kind == "no-jurisdiction":
            t = [x for x in t if not (x[0] == office_ and x[1] == term(GK, "jurisdiction"))]
        t += body(bureau, "DataManagementBody", "大数据局", "big data bureau")
        if kind == "no-english-label":
            t = [x for x in t if not (x[0] == bureau and x[2].endswith("@en"))]
        t += [
            (
                bureau,
                term(GK, "legalStatus"),
                iri_gkr("concept/legal-status/department-administered-agency"),
            ),
            (bureau, term(GK, "rank"), iri_gkr("concept/rank/deputy-department-level")),
            (bureau, term(GK, "focus"), iri_gkr("concept/focus/both")),
            (bureau, term(GK, "hasCentre"), centre),
        ]
        manager = {"manager-not-a-body": group, "management-cycle": centre}.get(kind, office_)
        if kind == "misspelled-property":
            t += [(bureau, term(GK, "managedby"), office_)]
        elif kind != "agency-without-manager":
            t += [(bureau, term(GK, "managedBy"), manager)]
        t += body(
            centre, "DataCentre", "大数据中心", "big data centre", evidence=kind != "no-evidence"
        )
        t += [(centre, term(GK, "legalStatus"), iri_gkr("concept/legal-status/public-institution"))]
        if kind == "management-cycle":
            t += [(centre, term(GK, "managedBy"), bureau)]
        if plaque:
            host = iri(f"org/{name}-drc")
            plate = iri(f"org/{name}-data-plaque")
            t += body(
                host,
                "DevelopmentAndReformCommission",
                "发展和改革委员会",
                "development and reform commission",
            )
            t += body(plate, "DataManagementBody", "数据局(挂牌)", "data bureau (plaque)")
            t += [(plate, term(GK, "legalStatus"), iri_gkr("concept/legal-status/plaque-body"))]
            target = {
                "plaque-host-not-a-body": group,
                "plaque-host-elsewhere": iri("org/p00-general-office"),
            }.get(kind, host)
            t += [(plate, term(GK, "plaqueOn"), target)]
        t += body(
            group,
            "DigitalGovernmentLeadingGroup",
            "数字政府建设领导小组",
            "digital government leading group",
        )
        t += [(group, term(GK, "hasChair"), chair), (group, term(GK, "hasOffice"), lgo)]
        t += body(lgo, "LeadingGroupOffice", "领导小组办公室", "leading group office")
        t += [(lgo, term(GK, "hostedIn"), bureau)]
        if n % 5 == 0:  # a known unknown: the office's own name (an Info of S60)
            t = [x for x in t if not (x[0] == lgo and x[1] == term(SKOS, "prefLabel"))]
            t += [(lgo, term(GK, "leftUnknown"), term(SKOS, "prefLabel"))]
            self.expected["S60"] += 1
        t += body(chair, "ChairPost", "组长", "chair")
        t += body(head, "OfficeHolderPost", "主要负责人", "head of government")
        t += [(chair, term(GK, "heldExOfficioBy"), head), (head, term(ORG, "postIn"), gov)]
        t += [
            (event, A, term(GK, "ChangeEvent")),
            *self.labels(
                event, f"{label_zh}大数据局组建", f"{label_en} bureau established", pref=False
            ),
            (event, term(GK, "jurisdiction"), d),
            (event, term(GK, "changeKind"), iri_gkr("concept/change-kind/establishment")),
            (event, term(ORG, "resultingOrganization"), bureau),
            (event, term(GK, "year"), lit(str(2015 + self.rnd.randrange(9)), dt=XSD + "gYear")),
            (event, term(GK, "attestedBy"), ev),
        ]
        t += self.evidence(ev, name, kind == "start-after-end")
        return t

    def labels(self, node: str, zh: str, en: str, pref: bool = True) -> list[tuple]:
        out = []
        for prop in ("prefLabel", "label") if pref else ("label",):
            ns = SKOS if prop == "prefLabel" else RDFS
            out += [(node, term(ns, prop), lit(zh, "zh")), (node, term(ns, prop), lit(en, "en"))]
        return out

    def evidence(self, ev: str, name: str, swapped: bool) -> list[tuple]:
        target = ev[:-1] + "#target>"
        quote, position = ev[:-1] + "#quote>", ev[:-1] + "#position>"
        start = self.rnd.randrange(100_000)
        end = start + 12 + self.rnd.randrange(40)
        if swapped:
            start, end = end, start
        return [
            (ev, A, term(GK, "Evidence")),
            (ev, A, term(OA, "Annotation")),
            (ev, term(OA, "motivatedBy"), term(OA, "describing")),
            (ev, term(OA, "hasTarget"), target),
            (target, A, term(OA, "SpecificResource")),
            (target, term(OA, "hasSource"), iri("source/synthetic-article")),
            (target, term(OA, "hasSelector"), quote),
            (target, term(OA, "hasSelector"), position),
            (quote, A, term(OA, "TextQuoteSelector")),
            (quote, term(OA, "exact"), lit(f"合成引文 {name}(虚构,非文章原文)")),
            (quote, term(OA, "prefix"), lit("")),
            (quote, term(OA, "suffix"), lit("")),
            (position, A, term(OA, "TextPositionSelector")),
            (position, term(OA, "start"), lit(str(start), dt=XSD + "integer")),
            (position, term(OA, "end"), lit(str(end), dt=XSD + "integer")),
        ]


def iri_gkr(path: str) -> str:
    """govkg's own vocabulary (concept schemes): real IRIs, not synthetic facts."""
    return f"<{GKR}{path}>"


def generate(target: int, seed: int) -> tuple[list[list[tuple]], Generator]:
    gen = Generator(seed)
    blocks = []
    total = 0
    for n, (path, level, parent, p) in enumerate(gen.divisions()):
        block = gen.division(n, path, level, parent, p)
        blocks.append(block)
        total += len(block)
        if total >= target:
            break
    return blocks, gen


def _short(t: str) -> str:
    """A term in Turtle, with the file's prefixes where a local name allows."""
    if t.startswith("<"):
        inner = t[1:-1]
        for prefix, ns in PREFIXES.items():
            if inner.startswith(ns):
                local = inner[len(ns) :]
                if local and all(ch.isalnum() or ch in "-_" for ch in local):
                    return f"{prefix}:{local}"
        if t == A:
            return "a"
    return t


def write(blocks: list[list[tuple]], out: Path) -> int:
    turtle = out.suffix.lower() in (".ttl", ".turtle")
    count = 0
    with out.open("w", encoding="utf-8") as f:
        f.write("# SYNTHETIC benchmark data (bench/gen_national.py): fictional, not facts.\n")
        if turtle:
            for prefix, ns in PREFIXES.items():
                f.write(f"@prefix {prefix}: <{ns}> .\n")
        for block in blocks:
            count += len(block)
            if not turtle:
                f.writelines(f"{s} {p} {o} .\n" for s, p, o in block)
                continue
            by_subject: dict[str, list[tuple[str, str]]] = {}
            for s, p, o in block:
                by_subject.setdefault(s, []).append((p, o))
            for s, pairs in by_subject.items():
                f.write(f"\n{_short(s)}\n")
                lines = [f"    {_short(p) if p != A else 'a'} {_short(o)}" for p, o in pairs]
                f.write(" ;\n".join(lines) + " .\n")
    return count


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=SIZES[0], help="about this many triples")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", type=Path, required=True, help="FILE.nt or FILE.ttl")
    args = ap.parse_args(argv)
    blocks, gen = generate(args.triples, args.seed)
    count = write(blocks, args.output)
    print(f"{args.output}: {count} triples, {len(blocks)} synthetic divisions")
    for kind, n in sorted(gen.injected.items()):
        print(f"defect {kind} {n}")
    for sid, n in sorted(gen.expected.items()):
        if n:
            print(f"expect {sid} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
