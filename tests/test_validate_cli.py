"""`govkg validate` through click's CliRunner: every exit code and every output format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from govkg.cli.main import cli

ADDITIONS = Path(__file__).parent / "shapes" / "additions"
CLEAN = str(ADDITIONS / "clean.ttl")  # no Violation, 1 Warning, 1 Info
# two S07 Violations (codes of the wrong form) and two S02 Warnings (no English labels)
BAD = str(Path(__file__).parent / "shapes" / "S07-invalid-01.ttl")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_exit_0_when_nothing_at_or_above_fail_on() -> None:
    code, out, _ = run(CLEAN, "--alone")
    assert code == 0
    # the summary says which engine ran (auto: the SPARQL engine runs the bundled shapes)
    assert out.rstrip().endswith("0 violation(s), 1 warning(s), 1 info(s) [engine: oxigraph]")


@pytest.mark.parametrize(("fail_on", "expected"), [("violation", 0), ("warning", 1), ("info", 1)])
def test_fail_on(fail_on: str, expected: int) -> None:
    assert run(CLEAN, "--alone", "--fail-on", fail_on)[0] == expected


def test_exit_1_on_violations_text_grouped_by_focus() -> None:
    code, out, _ = run(BAD, "--alone")
    assert code == 1
    lines = out.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("gkr:place/cn-bj")))
    assert "S07-invalid-01.ttl:" in lines[at]  # the file and line the node comes from
    assert lines[at + 1].startswith("  S07 Violation: ")
    assert 'value "CN-B"' in lines[at + 1]
    assert "2 violation(s)" in lines[-1]


def test_no_issues_found(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("<https://example.org/a> <https://example.org/b> 1 .\n")
    code, out, _ = run(str(empty), "--alone")
    assert (code, out) == (0, "No issues found [engine: oxigraph]\n")
    assert run(str(empty), "--alone", "--lang", "zh")[1] == "未发现问题 [引擎:oxigraph]\n"


def test_messages_in_chinese() -> None:
    code, out, _ = run(BAD, "--alone", "--lang", "zh")
    assert code == 1
    assert "ISO 3166-2 代码" in out and "违规 2 条" in out


@pytest.mark.parametrize(
    "args",
    [
        ["does-not-exist.ttl"],
        ["--shapes", "no-such-folder", CLEAN],
        ["--format", "yaml", CLEAN],
        ["--inference", "hermit", CLEAN],
    ],
)
def test_exit_2_on_bad_input(args: list[str]) -> None:
    code, _, err = run(*args)
    assert code == 2
    assert err.strip()


def test_exit_2_unparsable_names_file_line_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix gk: <https://w3id.org/govkg/def#> .\n\ngk:a gk:b gk:c gk:d .\n")
    code, out, err = run(str(bad))
    assert code == 2 and out == ""
    assert err.startswith(f"govkg: error: {bad}:3:")
    assert "Traceback" not in err


def test_turtle_is_a_standard_validation_report() -> None:
    from rdflib import RDF, Graph, Literal, Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    code, out, _ = run(BAD, "--alone", "--format", "turtle")
    assert code == 1
    graph = Graph().parse(data=out, format="turtle")
    (report,) = graph.subjects(RDF.type, sh.ValidationReport)
    assert graph.value(report, sh.conforms) == Literal(False)
    results = list(graph.objects(report, sh.result))
    assert len(results) == 4
    severities = sorted(str(graph.value(r, sh.resultSeverity)).rsplit("#")[-1] for r in results)
    assert severities == ["Violation", "Violation", "Warning", "Warning"]


def test_json_and_csv_one_row_per_result() -> None:
    import csv
    import io

    code, out, _ = run(BAD, "--alone", "-f", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["conforms"] is False and doc["counts"]["Violation"] == 2
    assert sorted(row["shape"] for row in doc["results"]) == ["S02", "S02", "S07", "S07"]
    assert all(row["file"].endswith("S07-invalid-01.ttl") and row["line"] for row in doc["results"])
    code, out, _ = run(BAD, "--alone", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 1 and len(rows) == 4
    assert [row["severity"] for row in rows] == ["Violation", "Violation", "Warning", "Warning"]
    assert list(rows[0]) == [
        "focus",
        "path",
        "value",
        "shape",
        "severity",
        "message",
        "file",
        "line",
    ]


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, err = run(BAD, "--alone", "-f", "json", "-o", str(target))
    assert code == 1 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["counts"]["Violation"] == 2
    assert "2 violation(s)" in err


def test_own_shapes_folder(tmp_path: Path) -> None:
    import shutil

    from govkg import resources

    for name in ("00-shapes.ttl", "20-bodies.ttl"):
        shutil.copy(resources.shapes_dir() / name, tmp_path / name)
    # only the body shapes: the codes (S07) and labels (S02) are not checked
    code, out, _ = run(BAD, "--alone", "--shapes", str(tmp_path))
    assert (code, out) == (0, "No issues found [engine: oxigraph]\n")


@pytest.mark.slow
def test_with_bundled_by_default() -> None:
    # the plaque's host exists only in the bundled data: merged, exactly S52 is new
    code, out, _ = run(str(ADDITIONS / "plaque-other-province.ttl"), "-f", "json")
    assert code == 1
    shapes = {row["shape"] for row in json.loads(out)["results"] if row["severity"] == "Violation"}
    assert shapes == {"S52"}


def test_files_report_only_their_own_results_unless_all_results() -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "fictional-city-bureau.ttl"
    runner = CliRunner()
    scoped = runner.invoke(cli, ["validate", str(example)])
    assert scoped.exit_code == 0, scoped.output
    assert scoped.stdout.strip() == "No issues found [engine: oxigraph]"
    everything = runner.invoke(cli, ["validate", str(example), "--all-results"])
    assert everything.exit_code == 0, everything.output
    assert "S60 Info" in everything.stdout
