"""The SPARQL engine (oxigraph) against pySHACL, the reference: the same results, exactly.

Compared as sets of (focus, path, value, source shape, constraint component, severity) on
the bundled graph, every shape fixture (alone, all shapes), every realistic bad addition
(with the bundled data) and a generated national-scale graph of about 10k triples with
defects injected for every shape family.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from govkg.load import load_graph
from govkg.shacl import ValidationReport, load_shapes, validate, validate_graph
from govkg.shacl.oxigraph import OxigraphEngine

HERE = Path(__file__).parent
FIXTURES = sorted((HERE / "shapes").glob("S*.ttl"))
ADDITIONS = sorted((HERE / "shapes" / "additions").glob("*.ttl"))
GENERATOR = HERE.parent / "bench" / "gen_national.py"


def keys(report: ValidationReport) -> set[tuple[str, ...]]:
    return {
        (r.focus, r.path or "", r.value or "", r.source_shape, r.constraint or "", r.severity)
        for r in report.results
    }


def same(files: list[Path], bundled: bool) -> tuple[ValidationReport, ValidationReport]:
    """Both engines on one loaded graph (blank-node labels are those of one parse); the
    SPARQL engine's report and pySHACL's (the reference, computed once per case)."""
    kg = load_graph(files, ontology=True, data=bundled or not files)
    fast = validate_graph(kg, engine="oxigraph")
    reference = validate_graph(kg, engine="pyshacl")
    assert fast.engine == "oxigraph" and reference.engine == "pyshacl"
    assert keys(fast) == keys(reference)
    assert len(fast.results) == len(reference.results)
    assert [(r.focus, r.file, r.line) for r in fast.results] == [
        (r.focus, r.file, r.line) for r in reference.results
    ]
    # messages: the shape's own (filled in); pySHACL's wording for results of unnamed
    # nested shapes (sh:detail of sh:node, which have no sh:message) is not reproduced
    named = [r for r in reference.results if r.shape.startswith("S")]
    assert [(r.message_en, r.message_zh) for r in fast.results if r.shape.startswith("S")] == [
        (r.message_en, r.message_zh) for r in named
    ]
    return fast, reference


def test_the_bundled_shapes_are_all_supported() -> None:
    assert OxigraphEngine().unsupported(load_shapes()) == []
    assert OxigraphEngine().unsupported(load_shapes(), inference="rdfs")


@pytest.mark.slow
def test_bundled_graph() -> None:
    report, _ = same([], bundled=True)
    assert report.results  # the known unknowns (S60 Infos) at least


@pytest.mark.slow
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture(path: Path) -> None:
    same([path], bundled=False)


@pytest.mark.slow
@pytest.mark.parametrize("path", ADDITIONS, ids=lambda p: p.stem)
def test_realistic_addition(path: Path) -> None:
    """Both engines on the bundled graph with the addition; then the scoped run against the
    full runs, with pySHACL's report of the same graph as the reference (computed once)."""
    report, reference = same([path], bundled=True)
    if path.name != "clean.ttl":
        assert not report.conforms
    scoped_equals_full(path, reference)


@pytest.mark.slow
def test_generated_10k(tmp_path: Path) -> None:
    out = tmp_path / "national-10k.ttl"
    done = subprocess.run(
        [sys.executable, str(GENERATOR), "--triples", "10000", "--seed", "7", "-o", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    report = same([out], bundled=True)[0].about([out])
    expected = _expected_counts(done.stdout)
    assert expected["S55"] and expected["S58"] and expected["S60"]
    got: dict[str, int] = {}
    for r in report.results:
        got[r.shape] = got.get(r.shape, 0) + 1
    assert {sid: got.get(sid, 0) for sid in expected} == expected


def _expected_counts(stdout: str) -> dict[str, int]:
    """The generator's `expect S07 3` lines."""
    out = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "expect":
            out[parts[1]] = int(parts[2])
    return out


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in FIXTURES if "invalid" in p.name], ids=lambda p: p.stem)
def test_scoped_run_equals_full_run_restricted_to_the_file(path: Path) -> None:
    """An invalid shape fixture with the bundled graph (the realistic additions are checked
    the same way in test_realistic_addition)."""
    scoped_equals_full(path, validate([path], engine="pyshacl"))


def scoped_equals_full(path: Path, reference: ValidationReport) -> None:
    """FILES with the bundled graph: checking only the focus nodes the files can affect
    (their subjects and objects, what points at them, blank nodes below) gives exactly the
    results of a full run kept to those located in the files (`about`), on both engines.
    `reference` is pySHACL's full report of the bundled graph with `path`, as `validate`
    gives it (loaded with the bundled data and the ontology)."""
    assert reference.engine == "pyshacl"
    scoped = validate([path], engine="oxigraph", about_files=True)
    full = validate([path], engine="oxigraph").about([path])

    def located(report: ValidationReport) -> list[tuple]:
        def named(term: str | None, owner: str | None = None) -> str | None:
            # blank-node labels differ from one parse to the next
            return (owner or "_:") if term and term.startswith("_:") else term

        return [
            (named(r.focus, r.owner), r.shape, r.path, named(r.value), r.severity, r.file, r.line)
            for r in report.results
        ]

    assert located(scoped) == located(full) == located(reference.about([path]))


@pytest.mark.parametrize("fixture", FIXTURES[:3] + ADDITIONS[:2], ids=lambda p: p.stem)
def test_results_from_solutions_are_those_of_the_report_graph(fixture: Path) -> None:
    """The engine reads its results straight from the query solutions; reading the report
    graph it builds on demand (for Turtle) gives the very same results, messages included."""
    from govkg.shacl.report import read_results

    kg = load_graph([fixture], ontology=True, data=True)
    shapes = load_shapes()
    results, graph = OxigraphEngine().results_store(kg.store, shapes)
    assert results, "a fixture of bad data has results"
    again = read_results(graph(), shapes)
    assert sorted(results, key=repr) == sorted(again, key=repr)


def test_a_constraint_group_with_braces_in_strings_and_comments() -> None:
    """The group the engine runs LATERAL to the focus nodes is the WHERE group itself, not
    one cut at a brace inside a string or a comment (a wrong cut would fail to parse or
    change the results)."""
    from rdflib import Graph

    from govkg.shacl.engines import PyShaclEngine

    shapes = Graph().parse(
        format="turtle",
        data='''
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
  sh:sparql [ sh:select """
    # before the query: a SELECT { in a comment
    SELECT $this ?value WHERE {
      # a comment with a } and a {
      $this <http://example.org/p> ?value .
      FILTER (?value IN ("}", "{x}"))
    } ORDER BY ?value
  """ ] .
''',
    )
    data = Graph().parse(
        format="turtle",
        data="""
@prefix ex: <http://example.org/> .
ex:a a ex:C ; ex:p "}" , "ok" .
ex:b a ex:C ; ex:p "{x}" .
ex:c ex:p "}" .
""",
    )

    def found(report: Graph) -> set[tuple[str, str]]:
        sh = "http://www.w3.org/ns/shacl#"
        rows = report.query(f"SELECT ?f ?v WHERE {{ ?r <{sh}focusNode> ?f ; <{sh}value> ?v }}")
        return {(str(f), str(v)) for f, v in rows}

    fast = found(OxigraphEngine().run(data, shapes))
    assert fast == {("http://example.org/a", "}"), ("http://example.org/b", "{x}")}
    assert fast == found(PyShaclEngine().run(data, shapes))
