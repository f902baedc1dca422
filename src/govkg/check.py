"""`govkg check` as a library: every check of the bundled graph, one report.

Each stage is independent and reports pass / fail / not run with a few summary lines; the
whole check passes only when no stage fails. Only what govkg cannot ship may be "not run"
(the source article, a Java runtime); a missing Python component (pySHACL, owlready2) is a
failure. `strict` makes "not run" fail too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from govkg.load import KnowledgeGraph

PASS, FAIL, NOT_RUN = "pass", "fail", "not run"


@dataclass
class StageResult:
    name: str
    status: str
    lines: list[str] = field(default_factory=list)
    seconds: float = 0.0


Stage = Callable[[KnowledgeGraph], StageResult]


def source_files(kg: KnowledgeGraph) -> dict[str, Path | None]:
    """Each source article of the graph and the text file with its recorded SHA-256, if found.

    Looked for: the bundled article (resources.article_path(), $GOVKG_ARTICLE) and the other
    .txt files of its folder (shared/sources/ beside the checkout), matched by checksum, so a
    second article is checked as soon as its text sits beside the first.
    """
    from govkg import resources
    from govkg.evidence import sha256_of

    article = resources.article_path()
    candidates = [article]
    if article.parent.is_dir():
        candidates += sorted(p for p in article.parent.glob("*.txt") if p != article)
    by_sha = {}
    for path in candidates:
        if path.is_file():
            by_sha.setdefault(sha256_of(path), path)
    out: dict[str, Path | None] = {}
    for row in kg.query(
        "PREFIX gk: <https://w3id.org/govkg/def#> SELECT ?s ?sha WHERE { ?s a gk:SourceArticle "
        "OPTIONAL { ?s gk:sha256 ?sha } } ORDER BY ?s"
    ):
        sha = row["sha"].value.lower() if row["sha"] is not None else ""
        out[row["s"].value] = by_sha.get(sha)
    return out


def stage_evidence(kg: KnowledgeGraph) -> StageResult:
    from govkg import resources
    from govkg.evidence import check_evidence

    files = source_files(kg)
    missing = [s for s, f in files.items() if f is None]
    problems: list[str] = []
    for source, path in files.items():
        if path is not None:
            problems += check_evidence(kg, path, source)
    quotes = kg.count("SELECT (COUNT(*) AS ?n) WHERE { ?s a oa:TextQuoteSelector }")
    if problems:
        return StageResult("evidence", FAIL, [f"{len(problems)} quote problem(s)", *problems[:10]])
    if missing:
        where = resources.article_path()
        return StageResult(
            "evidence",
            NOT_RUN,
            [f"source article not found at {where} ({len(missing)} of {len(files)} source(s)); "
             f"set ${resources.ARTICLE_ENV} to check quotes"],
        )  # fmt: skip
    n = len(files)
    return StageResult(
        "evidence", PASS, [f"{quotes} quotes match their source at their offsets ({n} source(s))"]
    )


def stage_ontology_qa(kg: KnowledgeGraph) -> StageResult:
    from govkg.qa import run_qa

    results = run_qa(kg)
    bad = [(name, rows) for name, rows in results if rows]
    if bad:
        lines = [f"{name}: {len(rows)} offending term(s)" for name, rows in bad]
        return StageResult("ontology QA", FAIL, lines)
    return StageResult("ontology QA", PASS, [f"{len(results)} QA queries, no offending terms"])


def stage_reasoner(kg: KnowledgeGraph) -> StageResult:
    from govkg.errors import MissingDependency
    from govkg.reason import check_consistency

    try:
        result = check_consistency(kg)
    except MissingDependency as err:
        return StageResult("reasoner", NOT_RUN, [str(err)])
    lines = [
        f"HermiT: {'consistent' if result.consistent else 'INCONSISTENT'}, "
        f"{len(result.unsatisfiable)} unsatisfiable class(es), "
        f"{result.inferred_count} inferred fact(s)"
    ]
    lines += [f"unsatisfiable: {iri}" for iri in result.unsatisfiable]
    ok = result.consistent and not result.unsatisfiable
    return StageResult("reasoner", PASS if ok else FAIL, lines)


def stage_shapes(kg: KnowledgeGraph) -> StageResult:
    from govkg.shacl import validate_graph

    report = validate_graph(kg)  # the graph check loaded: FILES and --inferred included
    counts = ", ".join(f"{n} {sev}" for sev, n in report.counts.items())
    status = PASS if report.conforms else FAIL
    return StageResult("SHACL shapes", status, [counts or "No issues found"])


def stage_queries(kg: KnowledgeGraph) -> StageResult:
    from govkg.catalogue import catalogue
    from govkg.query import run_query

    failures: list[str] = []
    rows = 0
    canned = catalogue()
    for canned_query in canned:
        try:
            params = canned_query.example_params
            rows += len(run_query(kg, canned_query.name, params=params).rows)
        except Exception as err:  # a broken canned query is a check failure, not a crash
            failures.append(f"{canned_query.name}: {err}")
    if failures:
        return StageResult("canned queries", FAIL, failures)
    return StageResult("canned queries", PASS, [f"{len(canned)} queries ran, {rows} rows"])


def stage_claims(kg: KnowledgeGraph) -> StageResult:
    from govkg.query import run_query

    result = run_query(kg, "claims")
    cols = result.variables
    rows = [dict(zip(cols, row, strict=False)) for row in result.rows]
    differing = [r for r in rows if r.get("difference") not in (None, "", 0, "0")]
    lines = [
        f"{len(rows)} stated claims; {len(differing)} differ from what the enumerated facts give "
        "(findings about the source, not errors: see `govkg query claims`)"
    ]
    return StageResult("claims reconciliation", PASS, lines)


STAGES: list[tuple[str, Stage]] = [
    ("evidence", stage_evidence),
    ("ontology QA", stage_ontology_qa),
    ("reasoner", stage_reasoner),
    ("SHACL shapes", stage_shapes),
    ("canned queries", stage_queries),
    ("claims reconciliation", stage_claims),
]


def run_stage(name: str, stage: Stage, kg: KnowledgeGraph) -> StageResult:
    """Run one stage; a component not yet built is reported, not raised."""
    start = time.perf_counter()
    try:
        result = stage(kg)
    except ImportError as err:
        # pySHACL, owlready2, rdflib…: declared dependencies, so their absence is a failure;
        # only what govkg cannot ship (the source article, Java) may be "not run"
        missing = err.name or str(err)
        result = StageResult(
            name, FAIL, [f"required component missing: {missing} (pip install 'govkg')"]
        )
    result.seconds = time.perf_counter() - start
    return result
