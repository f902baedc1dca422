"""govkg template / import: the contributor's path, and the bundled data built by the same code.

The fixture tables in tests/fixtures/import/clean describe a fictitious body from a
fictitious text (example-source.txt): test data, not facts. Each error test breaks one cell
and checks that the problem names that sheet, row and column and that nothing is written.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from govkg import resources
from govkg.cli.main import cli
from govkg.tables.importer import import_tables
from govkg.tables.read import TablesInvalid, read_tables
from govkg.tables.template import write_template
from govkg.tables.vocab import allowed_values, vocabulary

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "import"
CLEAN = FIXTURES / "clean"
TEXT = FIXTURES / "example-source.txt"


def edit(folder: Path, sheet: str, row: int, column: str, value: str) -> None:
    """Set one cell (row numbered as a spreadsheet shows it: header = 1)."""
    path = folder / f"{sheet}.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


@pytest.fixture
def table(tmp_path: Path) -> Path:
    folder = tmp_path / "tables"
    shutil.copytree(CLEAN, folder)
    return folder


def problems(folder: Path) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(TablesInvalid) as err:
        import_tables(folder, [TEXT], check_shapes=False)
    return [(p.sheet, p.row, p.column, p.message) for p in err.value.problems]


def test_clean_tables_import_with_evidence_for_every_row() -> None:
    result = import_tables(CLEAN, [TEXT])
    g = Graph().parse(data=result.turtle, format="turtle")
    evidence = set(g.query("SELECT ?e WHERE { ?e a <https://w3id.org/govkg/def#Evidence> }"))
    assert len(evidence) == 4  # three quotes and the claim's
    assert result.statements == 13  # 8 statement rows + the claim's 5
    bodies = g.query(
        """SELECT ?s WHERE { ?e <http://www.w3.org/ns/oa#hasBody> ?b .
             ?b <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?s }"""
    )
    assert len(bodies) == result.statements


@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "message"),
    [
        ("statements", 8, "object", "concept/legal-status/no-such-status", "unknown concept"),
        ("statements", 3, "quote", "no-such-quote", "missing evidence"),
        ("quotes", 4, "quote", "该局为正厅级", "quote not in the source"),
        ("entities", 2, "jurisdiction", "cn-zz", "bad code"),
        ("statements", 6, "object", "org/cn-qh-no-such-body", "unknown entity"),
        ("entities", 3, "id", "org/cn-gs-general-office", "duplicate IRI"),
        ("statements", 2, "predicate", "gk:noSuchProperty", "unknown property"),
        ("entities", 2, "class", "gk:NoSuchClass", "unknown class"),
        ("entities", 2, "id", "org/Not-Minted", "must be lower-case ASCII"),
    ],
)
def test_each_error_names_sheet_row_and_column(
    table: Path, sheet: str, row: int, column: str, value: str, message: str
) -> None:
    edit(table, sheet, row, column, value)
    got = problems(table)
    assert any((s, r, c) == (sheet, row, column) and message in m for s, r, c, m in got), got


def test_every_bad_row_is_reported_at_once(table: Path) -> None:
    edit(table, "entities", 2, "jurisdiction", "cn-zz")
    edit(table, "quotes", 4, "quote", "该局为正厅级")
    edit(table, "claims", 2, "unit", "no-such-unit")
    got = {(s, r, c) for s, r, c, _m in problems(table)}
    assert {("entities", 2, "jurisdiction"), ("quotes", 4, "quote"), ("claims", 2, "unit")} <= got


def test_schema_errors_before_anything_is_built(table: Path) -> None:
    edit(table, "quotes", 2, "list_exhaustive", "maybe")
    with pytest.raises(TablesInvalid) as err:
        read_tables(table)
    assert [(p.sheet, p.row, p.column) for p in err.value.problems] == [
        ("quotes", 2, "list_exhaustive")
    ]


def test_a_violation_of_the_merged_graph_is_reported_on_its_row(table: Path) -> None:
    # a department-administered agency needs its managing body (shape S-rules): drop it
    path = table / "statements.csv"
    rows = [r for r in csv.reader(path.open(encoding="utf-8")) if "gk:managedBy" not in r]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    with pytest.raises(TablesInvalid) as err:
        import_tables(table, [TEXT])
    assert any(p.sheet == "entities" and p.row == 2 for p in err.value.problems), [
        str(p) for p in err.value.problems
    ]


def test_cli_import_writes_nothing_unless_all_rows_pass(table: Path, tmp_path: Path) -> None:
    out = tmp_path / "new.ttl"
    runner = CliRunner()
    edit(table, "entities", 2, "jurisdiction", "cn-zz")
    result = runner.invoke(cli, ["import", str(table), "--source", str(TEXT), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert not out.exists()
    assert "entities.csv:2:jurisdiction: bad code 'cn-zz'" in result.stderr
    assert all(line.startswith("govkg: error: ") for line in result.stderr.splitlines())
    ok = runner.invoke(cli, ["import", str(CLEAN), "--source", str(TEXT), "-o", str(out)])
    assert ok.exit_code == 0, ok.output
    assert Graph().parse(out, format="turtle")


def test_a_source_text_that_is_no_source_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("无关文本", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["import", str(CLEAN), "--source", str(other), "-o", str(tmp_path / "x.ttl")]
    )
    assert result.exit_code == 2
    assert "is no source's" in result.stderr


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_template_has_every_sheet_note_and_allowed_value(tmp_path: Path, lang: str) -> None:
    import openpyxl

    runner = CliRunner()
    book_path = tmp_path / "t.xlsx"
    assert runner.invoke(cli, ["template", "--lang", lang, "-o", str(book_path)]).exit_code == 0
    book = openpyxl.load_workbook(book_path)
    assert {"README", "sources", "entities", "quotes", "statements", "claims"} <= set(
        book.sheetnames
    )
    ws = book["entities"]
    assert ws["C1"].value == "jurisdiction" and ws["C1"].comment is not None
    allowed = [c.value for c in book["allowed"][1]]
    assert "claims.unit" in allowed and "derivations.method" in allowed
    folder = tmp_path / "t"
    assert runner.invoke(cli, ["template", "--lang", lang, "-o", str(folder)]).exit_code == 0
    text = (folder / "README.md").read_text(encoding="utf-8")
    assert "department-administered-agency" not in text  # only columns with a scheme list
    assert "either-or-common-parent" in text and "cn-gs" in text


def test_bundled_tables_round_trip_through_the_workbook_template(
    tmp_path: Path, article_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """data/tables exported to the .xlsx template and imported back give the bundled graph."""
    monkeypatch.syspath_prepend(str(REPO / "tools"))
    import build_data
    from ttl import render, used_prefixes

    vocab = vocabulary(resources.ontology_files(), resources.data_files(), existing=False)
    book = tmp_path / "bundled.xlsx"
    write_template(book, allowed_values(vocab), "en", read_tables(build_data.TABLES))
    from govkg.tables.build import compile_tables

    places = vocabulary(resources.ontology_files(), [build_data.DATA / "places.ttl"], False)
    compiled = compile_tables(read_tables(book), places, build_data.source_texts())
    back = Graph()
    for secs in build_data.layout(compiled).values():
        back.parse(data=render("x", secs, used_prefixes(secs)), format="turtle")
    bundled = Graph()
    for path in resources.data_files():
        if path.name not in ("places.ttl", "dataset.ttl"):
            bundled.parse(path, format="turtle")
    assert len(back) == len(bundled) > 5000
    assert isomorphic(back, bundled)


def test_a_triple_whose_quote_names_neither_end_is_refused_on_its_row(table: Path) -> None:
    """The naming rule on a contributor's tables: 该局为副厅级 names the bureau only through
    its comment's mapping (该局 = 青海省测试数据局); without it the rank row is refused."""
    edit(table, "quotes", 4, "comment_en", "")
    assert problems(table) == [
        (
            "statements",
            9,
            "quote",
            "the quote 'example-qh-rank' does not name org/cn-qh-test-data-bureau: a triple the "
            "quote only implies is a derivation (derivations sheet, method identification, with "
            "a note), or map the quote's words in its comment_en ('W = …' / 'Said of …')",
        )
    ]
    runner = CliRunner()
    out = table.parent / "new.ttl"
    result = runner.invoke(cli, ["import", str(table), "--source", str(TEXT), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "statements.csv:9:quote: the quote 'example-qh-rank' does not name" in result.stderr
    assert not out.exists()
    # a mapping whose word is not in the quote maps nothing
    edit(table, "quotes", 4, "comment_en", "该机构 = 青海省测试数据局.")
    assert [p[1] for p in problems(table)] == [9]
    edit(table, "quotes", 4, "comment_en", "该局 = 青海省测试数据局.")
    import_tables(table, [TEXT], check_shapes=False)
