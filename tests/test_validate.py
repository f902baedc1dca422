"""govkg.shacl as a library: the bundled graph, realistic bad additions, the engine seam."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from govkg.errors import BadInput, InputSyntaxError
from govkg.namespaces import GKR
from govkg.shacl import (
    SEVERITIES,
    PyShaclEngine,
    ValidationReport,
    compare_reports,
    first_line,
    render,
    validate,
)

ADDITIONS = Path(__file__).parent / "shapes" / "additions"
BAD_ADDITIONS = sorted(p for p in ADDITIONS.glob("*.ttl") if p.name != "clean.ttl")
EXPECT = re.compile(r"^#\s*expect:\s*<([^>]+)>\s+(S\d\d)\s+(\w+)\s*$", re.M)


@pytest.fixture(scope="session")
def bundled_report() -> ValidationReport:
    return validate()


@pytest.mark.slow
def test_bundled_graph_conforms(bundled_report: ValidationReport) -> None:
    violations = [r for r in bundled_report.results if r.severity == "Violation"]
    assert violations == [], "\n".join(
        f"{r.shape} {r.focus} {r.path} {r.value}: {r.message_en}" for r in violations[:20]
    )
    assert bundled_report.conforms


@pytest.mark.slow
def test_bundled_unknowns_are_reported_as_info(bundled_report: ValidationReport) -> None:
    infos = [r for r in bundled_report.results if r.shape == "S60"]
    assert infos, "the data states known unknowns; each is an Info"
    assert {r.severity for r in infos} == {"Info"}
    assert all(r.path == "gk:leftUnknown" and r.value for r in infos)


@pytest.mark.slow
@pytest.mark.parametrize("path", BAD_ADDITIONS, ids=lambda p: p.stem)
def test_bad_addition_caught_by_the_right_shape(
    path: Path, bundled_report: ValidationReport
) -> None:
    expected = set(EXPECT.findall(path.read_text(encoding="utf-8")))
    assert expected, f"{path.name} lists its expected results"
    report = validate([path])
    before = {r.key() for r in bundled_report.results}
    new = {r.key() for r in report.results} - before
    assert new == expected
    for r in report.results:
        if r.key() in expected:
            assert r.file and r.file.endswith(path.name), "the user's file is named"
            assert isinstance(r.line, int) and r.line > 0


def test_alone_checks_only_the_files() -> None:
    # the host is a bundled body: alone, it is unknown, so the value-class shape fires too
    report = validate([ADDITIONS / "plaque-other-province.ttl"], bundled=False, only=["S15"])
    assert {r.key() for r in report.results} == {
        (GKR + "org/cn-nx-test-big-data-bureau", "S15", "Violation")
    }


def test_clean_file_alone() -> None:
    report = validate([ADDITIONS / "clean.ttl"], bundled=False)
    assert report.conforms
    assert report.counts == {"Warning": 1, "Info": 1}
    assert [r.shape for r in report.results] == ["S02", "S60"]  # most serious first
    assert report.at_or_above("warning") and not report.at_or_above("violation")


def test_result_fields_and_bilingual_filled_messages() -> None:
    report = validate([ADDITIONS / "misspelled-property.ttl"], bundled=False, only=["S58"])
    (r,) = report.results
    assert r.focus == GKR + "org/cn-nx-test-data-centre"
    assert (r.shape, r.severity, r.path) == ("S58", "Violation", "gk:managedby")
    assert r.value == GKR + "org/cn-gs-general-office"
    assert r.source_shape.endswith("#S58-Undeclared-ontology-property")
    assert "managedby" in r.message_en and "misspelled" in r.message_en
    assert "managedby" in r.message_zh and "拼写" in r.message_zh
    assert "{?path}" not in r.message_en + r.message_zh
    # the line of the offending triple (gk:managedby ...), not only of its subject (line 10)
    assert r.file.endswith("misspelled-property.ttl") and r.line == 14


def test_formats_of_one_report() -> None:
    import csv
    import io
    import json

    report = validate([ADDITIONS / "clean.ttl"], bundled=False)
    doc = json.loads(render(report, "json", "zh"))
    assert doc["conforms"] is True
    assert doc["counts"] == {"Violation": 0, "Warning": 1, "Info": 1}
    assert set(doc["results"][0]) == {
        "focus",
        "path",
        "value",
        "shape",
        "severity",
        "message",
        "file",
        "line",
    }
    assert "英文" in doc["results"][0]["message"]
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert [row["shape"] for row in rows] == ["S02", "S60"]
    text = render(report, "text")
    assert "gkr:org/cn-xx-test-data-centre" in text and "0 violation(s)" in text
    with pytest.raises(BadInput):
        render(report, "yaml")


def test_inference_modes() -> None:
    path = ADDITIONS / "clean.ttl"
    assert validate([path], bundled=False, inference="rdfs").conforms
    with pytest.raises(BadInput):
        validate([path], bundled=False, inference="hermit")


def test_unknown_shape_id_and_bad_shapes_folder(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="S99"):
        validate([ADDITIONS / "clean.ttl"], bundled=False, only=["S99"])
    with pytest.raises(BadInput, match="no shapes"):
        validate([ADDITIONS / "clean.ttl"], bundled=False, shapes_dir=tmp_path)


def test_unparsable_file_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix gk: <https://w3id.org/govkg/def#> .\n<a> gk:x "open .\n')
    with pytest.raises(InputSyntaxError) as err:
        validate([bad], bundled=False)
    assert err.value.line == 2


class RecordingEngine:
    """A stand-in engine: proves validate() goes through the engine seam only."""

    name = "recording"

    def __init__(self) -> None:
        self.calls: list[tuple[int, int, str, list[str]]] = []

    def run(self, data, shapes, *, inference="none", use_shapes=()):  # type: ignore[no-untyped-def]
        from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

        sh = Namespace("http://www.w3.org/ns/shacl#")
        self.calls.append((len(data), len(shapes), inference, list(use_shapes)))
        report = Graph()
        node, result = BNode(), BNode()
        report.add((node, RDF.type, sh.ValidationReport))
        report.add((node, sh.conforms, Literal(False)))
        report.add((node, sh.result, result))
        report.add((result, RDF.type, sh.ValidationResult))
        report.add((result, sh.focusNode, URIRef(GKR + "place/cn-xx-test")))
        report.add((result, sh.resultSeverity, sh.Warning))
        report.add(
            (
                result,
                sh.sourceShape,
                URIRef("https://w3id.org/govkg/shapes#S07-Division-iso3166-code"),
            )
        )
        return report


def test_engine_seam() -> None:
    engine = RecordingEngine()
    report = validate([ADDITIONS / "clean.ttl"], bundled=False, engine=engine, only=["S07"])
    ((n_data, n_shapes, inference, use),) = engine.calls
    assert n_data > 100 and n_shapes > 100 and inference == "none"
    assert use == ["https://w3id.org/govkg/shapes#S07-Division-iso3166-code"]
    (r,) = report.results
    assert (r.shape, r.severity, r.engine if hasattr(r, "engine") else report.engine) == (
        "S07",
        "Warning",
        "recording",
    )
    # messages come from the shape when the engine copied none
    assert "ISO 3166-2" in r.message_en and "代码" in r.message_zh
    assert r.file and r.file.endswith("clean.ttl")
    assert report.conforms  # a Warning is not a Violation
    assert isinstance(PyShaclEngine().name, str) and SEVERITIES[0] == "Violation"


def test_first_line_finds_full_relative_prefixed_and_escaped_names(tmp_path: Path) -> None:
    f = tmp_path / "x.ttl"
    f.write_text(
        "# <https://w3id.org/govkg/id/org/a> in a comment does not count\n"
        "@base <https://w3id.org/govkg/id/> .\n"
        "@prefix body: <https://w3id.org/govkg/id/org/> .\n"
        "@prefix gkr: <https://w3id.org/govkg/id/> .\n"
        "<org/ab> a <T> .\n"
        "body:a a <T> .\n"
        "gkr:org\\/c a <T> .\n"
        "<https://w3id.org/govkg/id/org/d> a <T> .\n",
        encoding="utf-8",
    )
    assert first_line(f, GKR + "org/ab") == 5
    assert first_line(f, GKR + "org/a") == 6  # not line 5's org/ab, not the comment
    assert first_line(f, GKR + "org/c") == 7
    assert first_line(f, GKR + "org/d") == 8
    assert first_line(f, GKR + "org/zz") is None


def test_blank_node_focus_is_located_by_its_owner(tmp_path: Path) -> None:
    f = tmp_path / "evidence.ttl"
    f.write_text(
        "@base <https://w3id.org/govkg/id/> .\n"
        "@prefix gk: <https://w3id.org/govkg/def#> .\n"
        "@prefix oa: <http://www.w3.org/ns/oa#> .\n"
        "<evidence/x> a gk:Evidence ;\n"
        "    oa:hasTarget [ oa:hasSource <source/a> ;\n"
        "        oa:hasSelector [ a oa:TextPositionSelector ; oa:start 5 ; oa:end 3 ] ] .\n",
        encoding="utf-8",
    )
    report = validate([f], bundled=False, only=["S49"])
    (r,) = report.results
    assert r.focus.startswith("_:") and r.owner == GKR + "evidence/x"
    assert (r.file, r.line) == (str(f), 4)
    text = render(report, "text")
    assert "(in gkr:evidence/x)" in text and '"5"^^xsd:integer' in text


def test_compare_reports_result_for_result() -> None:
    path = Path(__file__).parent / "shapes" / "S07-invalid-01.ttl"  # S07 and S02 results
    one = validate([path], bundled=False)
    two = validate([path], bundled=False)
    assert compare_reports(one, two) == (Counter(), Counter())
    fewer = validate([path], bundled=False, only=["S07"])
    only_first, only_second = compare_reports(one, fewer)
    assert not only_second
    assert {key[1] for key in only_first} == {"S02"}


def test_first_line_in_json_ld(tmp_path: Path) -> None:
    f = tmp_path / "x.jsonld"
    f.write_text('{\n  "@id": "https://w3id.org/govkg/id/org/a",\n  "@type": "x"\n}\n')
    assert first_line(f, GKR + "org/a") == 2


def test_store_only_load_locates_as_the_full_load() -> None:
    """`validate` with the SPARQL engine loads data files in Rust (`queries_only`, their
    subjects read alongside): the located results are those of a full load, field for field
    (blank-node labels aside, which are each load's own)."""
    from dataclasses import astuple

    from govkg.load import load_graph
    from govkg.shacl import validate_graph

    files = [ADDITIONS / "misspelled-property.ttl", *BAD_ADDITIONS[:3]]
    fast = validate(files)
    full = validate_graph(load_graph(files, ontology=True, data=True), engine="oxigraph")

    def rows(report: ValidationReport) -> Counter[tuple[object, ...]]:
        return Counter(
            tuple("_:" if str(x).startswith("_:") else x for x in astuple(r))
            for r in report.results
        )

    assert fast.engine == full.engine == "oxigraph"
    assert rows(fast) == rows(full)
    names = {f.name for f in files}
    placed = {Path(r.file).name for r in fast.results if r.file and r.line}
    assert placed & names  # located in the files by their subjects, read alongside the load
