"""The spreadsheet path at its edges: no row dropped, no cell evaluated, one line per refusal.

Crafted workbooks start from the template filled with the fictitious fixture tables
(tests/fixtures/import/clean) and change one part of the package's XML; crafted CSVs
change one file's bytes. Each refusal must be one line naming file, sheet, row and column
(or the package part), with exit 2 for input govkg cannot read and exit 1 for data that
breaks the rules.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

import needs
from govkg.cli.main import cli
from govkg.errors import BadInput
from govkg.tables.read import TablesInvalid, read_tables
from govkg.tables.schema import FORMULA_START, MAX_CELL_CHARS, protect_csv, unprotect_csv
from govkg.tables.template import write_template

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "import"
CLEAN = FIXTURES / "clean"
TEXT = FIXTURES / "example-source.txt"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook(path: Path, folder: Path = CLEAN) -> Path:
    write_template(path, {}, "en", read_tables(folder))
    return path


def part_of(book: Path, title: str) -> str:
    """The package part that holds the worksheet `title`."""
    import openpyxl

    wb = openpyxl.load_workbook(book, read_only=True)
    try:
        return wb[title]._worksheet_path
    finally:
        wb.close()


def rewrite(book: Path, part: str, edit: Callable[[str], str]) -> None:
    """Replace one XML part of the package by `edit` of its text."""
    with zipfile.ZipFile(book) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == part:
                data = edit(data.decode("utf-8")).encode("utf-8")
            z.writestr(info.filename, data)
    book.write_bytes(buf.getvalue())


def sheet_edit(book: Path, title: str, edit: Callable[[str], str]) -> str:
    part = part_of(book, title)
    rewrite(book, part, edit)
    return part


def run_import(table: Path, out: Path) -> Result:
    return CliRunner().invoke(cli, ["import", str(table), "--source", str(TEXT), "-o", str(out)])


def one_line_error(result: Result, code: int) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("govkg: error: ") and "internal error" not in lines[0], lines
    return lines[0]


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


ENTITY_ROW = (
    ("A", "org/cn-qh-test-extra-bureau"),
    ("B", "gk:DataManagementBody"),
    ("C", "cn-qh"),
    ("F", "Qinghai extra test bureau (fictitious)"),
)


def extra_row(n: int, cls: str = "gk:DataManagementBody", key: str = "extra") -> str:
    cells = dict(ENTITY_ROW) | {"B": cls, "A": f"org/cn-qh-test-{key}-bureau"}
    return f'<row r="{n}">' + "".join(inline(f"{c}{n}", v) for c, v in cells.items()) + "</row>"


# --------------------------------------------------------------------------- rows


def test_rows_past_the_dimension_are_read(tmp_path: Path) -> None:
    """A sheet whose <dimension> says A1:C2 but has rows 3..5 (and columns to N): every row
    and cell is read (openpyxl's read-only iteration, trusting the dimension, loses them)."""
    import openpyxl

    book = workbook(tmp_path / "t.xlsx")

    def edit(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:C2"/>', xml)
        return xml.replace("</sheetData>", extra_row(5) + "</sheetData>")

    sheet_edit(book, "entities", edit)
    naive = openpyxl.load_workbook(book, read_only=True, data_only=True)["entities"]
    assert len(list(naive.iter_rows(values_only=True))) == 2  # what was read before
    rows = read_tables(book).rows("entities")
    assert [r.number for r in rows] == [2, 3, 4, 5]
    assert rows[0].get("label_en") == "Qinghai test data bureau (fictitious)"  # column F
    assert rows[3].get("id") == "org/cn-qh-test-extra-bureau"


def test_a_bad_row_past_the_dimension_is_refused_by_name(tmp_path: Path) -> None:
    book = workbook(tmp_path / "t.xlsx")

    def edit(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:C2"/>', xml)
        return xml.replace("</sheetData>", extra_row(5, "gk:NoSuchClass") + "</sheetData>")

    sheet_edit(book, "entities", edit)
    out = tmp_path / "new.ttl"
    result = run_import(book, out)
    assert result.exit_code == 1, result.output
    assert f"{book}: entities:5:class: unknown class 'gk:NoSuchClass'" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda x: x.replace('<row r="3">', '<row r="2">'), "row 2 appears out of order or twice"),
        (
            lambda x: x.replace(
                '<c r="B2"', '<c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="B2"', 1
            ),
            "A2): a cell that appears twice or out of order",
        ),
        (lambda x: x.replace('<row r="4">', '<row r="1048577">'), "past row 1048576"),
    ],
)
def test_a_row_or_cell_twice_is_refused_not_overwritten(
    tmp_path: Path, edit: Callable[[str], str], message: str
) -> None:
    book = workbook(tmp_path / "t.xlsx")
    sheet_edit(book, "entities", edit)
    line = one_line_error(run_import(book, tmp_path / "o.ttl"), 2)
    assert f"{book}: entities:" in line and message in line, line


def test_a_value_in_a_column_with_no_header_is_refused(tmp_path: Path) -> None:
    book = workbook(tmp_path / "t.xlsx")
    cell = inline("Q3", "lost?")
    sheet_edit(book, "entities", lambda x: re.sub(r'(<row r="3".*?)</row>', rf"\1{cell}</row>", x))
    with pytest.raises(TablesInvalid) as err:
        read_tables(book)
    assert [(p.sheet, p.row, p.column) for p in err.value.problems] == [("entities", 3, "Q")]
    folder = tmp_path / "csv"
    shutil.copytree(CLEAN, folder)
    path = folder / "entities.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] += ",,,,,,,x"  # six named columns, then the value in column N
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(TablesInvalid) as err:
        read_tables(folder)
    assert [(p.sheet, p.row, p.column) for p in err.value.problems] == [("entities", 2, "M")]


# --------------------------------------------------------------------------- typed columns

BAD_TYPED = [
    ("sources", "published", "2023-02-30T25:61:00", "day is out of range"),
    ("sources", "published", "2023-02-01 10:00:00", "lexical form"),
    ("sources", "published", "2023-02-01T10:00", "lexical form"),
    ("sources", "published", "2023-02-01T10:00:60", "second must be in 0..59"),
    ("claims", "as_of", "2023-02-29", "day is out of range"),
    ("claims", "as_of", "2023/02/01", "lexical form"),
    ("claims", "year", "23", "lexical form"),
    ("claims", "value", "1.5e3", "lexical form"),
    ("claims", "value", "NaN", "lexical form"),
    ("quotes", "occurrence", "0", "a count from 1"),
    ("quotes", "occurrence", "1.0", "lexical form"),
]
GOOD_TYPED = [
    ("sources", "published", "2023-02-01T10:00:00"),
    ("sources", "published", "2023-02-01T24:00:00"),  # XSD: midnight ending the day
    ("sources", "published", "2023-02-01T10:00:00+08:00"),
    ("claims", "as_of", "2024-02-29"),
    ("claims", "year", "2023"),
    ("claims", "value", "0.3333"),
]


def set_cell(folder: Path, sheet: str, row: int, column: str, value: str) -> None:
    path = folder / f"{sheet}.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    if column not in rows[0]:
        rows[0].append(column)
        for r in rows[1:]:
            r.append("")
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


@pytest.mark.parametrize(("sheet", "column", "value", "message"), BAD_TYPED)
def test_typed_cells_are_checked_lexically_and_by_value(
    tmp_path: Path, sheet: str, column: str, value: str, message: str
) -> None:
    folder = tmp_path / "t"
    shutil.copytree(CLEAN, folder)
    set_cell(folder, sheet, 2, column, value)
    with pytest.raises(TablesInvalid) as err:
        read_tables(folder)
    got = [(p.sheet, p.row, p.column, p.message) for p in err.value.problems]
    assert len(got) == 1 and got[0][:3] == (sheet, 2, column) and message in got[0][3], got
    # the same through a workbook
    book = tmp_path / "t.xlsx"
    write_template(book, {}, "en", read_tables(CLEAN))
    with pytest.raises(TablesInvalid):
        read_tables(_refill(book, tmp_path, folder))


def _refill(book: Path, tmp_path: Path, folder: Path) -> Path:
    """The workbook template holding `folder`'s rows, unchecked (as a contributor types them)."""
    from govkg.tables.read import Row, Tables
    from govkg.tables.schema import SHEETS

    tables = Tables(str(folder))
    for name in SHEETS:
        path = folder / f"{name}.csv"
        if path.is_file():
            lines = list(csv.DictReader(path.open(encoding="utf-8")))
            tables.sheets[name] = [Row(name, i, dict(r)) for i, r in enumerate(lines, start=2)]
    out = tmp_path / "refilled.xlsx"
    write_template(out, {}, "en", tables)
    return out


@pytest.mark.parametrize(("sheet", "column", "value"), GOOD_TYPED)
def test_valid_typed_cells_pass(tmp_path: Path, sheet: str, column: str, value: str) -> None:
    folder = tmp_path / "t"
    shutil.copytree(CLEAN, folder)
    set_cell(folder, sheet, 2, column, value)
    assert read_tables(folder).rows(sheet)[0].get(column) == value


def test_a_typed_object_is_checked_against_its_datatype(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(CLEAN, folder)
    set_cell(folder, "statements", 3, "object", "2026-02-30")  # the gk:date row, xsd:date
    with pytest.raises(TablesInvalid) as err:
        read_tables(folder)
    assert [(p.sheet, p.row, p.column) for p in err.value.problems] == [("statements", 3, "object")]


def test_the_bad_published_of_the_issue_is_not_written(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(CLEAN, folder)
    set_cell(folder, "sources", 2, "published", "2023-02-30T25:61:00")
    out = tmp_path / "new.ttl"
    result = run_import(folder, out)
    assert result.exit_code == 1
    assert "sources.csv:2:published: '2023-02-30T25:61:00' is not an xsd:dateTime" in result.stderr
    assert not out.exists()


# --------------------------------------------------------------------------- the five inputs

DTD_ENTITY = '<!DOCTYPE worksheet [<!ENTITY e "gk:DataManagementBody">]>'
LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + "]>"
)


def _with_dtd(dtd: str, ref: str) -> Callable[[str], str]:
    def edit(xml: str) -> str:
        xml = xml.replace("<worksheet ", dtd + "<worksheet ", 1)
        return xml.replace("<t>gk:DataManagementBody</t>", f"<t>{ref}</t>", 1)

    return edit


def test_an_xml_entity_in_sheet_xml_is_refused_by_part(tmp_path: Path) -> None:
    book = workbook(tmp_path / "t.xlsx")
    part = sheet_edit(book, "entities", _with_dtd(DTD_ENTITY, "&e;"))
    line = one_line_error(run_import(book, tmp_path / "o.ttl"), 2)
    assert f"{book}: {part}: a DTD" in line and "entity" in line, line


def test_entity_expansion_in_sheet_xml_is_refused_by_part(tmp_path: Path) -> None:
    book = workbook(tmp_path / "t.xlsx")
    part = sheet_edit(book, "entities", _with_dtd(LAUGHS, "&i;"))
    line = one_line_error(run_import(book, tmp_path / "o.ttl"), 2)
    assert f"{book}: {part}: a DTD" in line, line


@pytest.mark.parametrize("part", ["xl/workbook.xml", "[Content_Types].xml", "xl/styles.xml"])
def test_a_dtd_in_any_part_is_refused_by_name(tmp_path: Path, part: str) -> None:
    book = workbook(tmp_path / "t.xlsx")
    rewrite(book, part, lambda x: re.sub(r"^(<\?xml[^>]*\?>)?", r"\1<!DOCTYPE x>", x, count=1))
    line = one_line_error(run_import(book, tmp_path / "o.ttl"), 2)
    assert f"{book}: {part}: a DTD" in line, line


def test_openpyxl_parses_through_defusedxml(tmp_path: Path) -> None:
    """openpyxl uses defusedxml when installed: with govkg's own check out of the way, an
    entity declaration in sheet XML still stops openpyxl (it would expand it otherwise)."""
    import openpyxl
    from defusedxml import EntitiesForbidden

    assert openpyxl.xml.DEFUSEDXML
    book = workbook(tmp_path / "t.xlsx")
    sheet_edit(book, "entities", _with_dtd(DTD_ENTITY, "&e;"))
    with pytest.raises(Exception) as err:
        ws = openpyxl.load_workbook(book, read_only=True)["entities"]
        list(ws.iter_rows(values_only=True))
    chain, cause = [], err.value
    while cause is not None:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    assert any(isinstance(e, EntitiesForbidden) for e in chain), chain


FORMULA_CELLS = [
    (
        '<c r="B2"><f>A1</f><v>abc</v></c>',
        2,
        "entities:2:class (cell B2): a value that cannot be read",
    ),
    (
        '<c r="B2"><f>A1</f></c>',
        2,
        "entities:2:class (cell B2): a formula with no plain cached value",
    ),
    ('<c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c>', 2, "(cell B2): a formula with no plain"),
    ('<c r="B2" t="e"><v>#REF!</v></c>', 2, "entities:2:class (cell B2): an error value ('#REF!')"),
    ('<c r="B2" t="s"><v>999</v></c>', 2, "(cell B2): a value that cannot be read"),
    ('<c r="B2" t="b"><v>x</v></c>', 2, "(cell B2): a value that cannot be read"),
    ('<c r="B2" t="d"><v>2023-02-30</v></c>', 2, "(cell B2): a value that cannot be read"),
    ('<c r="ZZZZ2" t="inlineStr"><is><t>x</t></is></c>', 2, "a value that cannot be read"),
]


@pytest.mark.parametrize(("cell", "code", "message"), FORMULA_CELLS)
def test_unreadable_and_formula_cells_are_refused_by_cell(
    tmp_path: Path, cell: str, code: int, message: str
) -> None:
    book = workbook(tmp_path / "t.xlsx")
    old = inline("B2", "gk:DataManagementBody")
    sheet_edit(book, "entities", lambda x: x.replace(old, cell, 1))
    line = one_line_error(run_import(book, tmp_path / "o.ttl"), code)
    assert f"{book}: " in line and message in line, line


def test_a_formula_with_a_plain_cached_value_counts_as_that_value(tmp_path: Path) -> None:
    book = workbook(tmp_path / "t.xlsx")
    old = inline("B2", "gk:DataManagementBody")
    new = '<c r="B2" t="str"><f>"gk:"&amp;"DataManagementBody"</f><v>gk:DataManagementBody</v></c>'
    sheet_edit(book, "entities", lambda x: x.replace(old, new, 1))
    assert read_tables(book).rows("entities")[0].get("class") == "gk:DataManagementBody"


def test_a_long_csv_field_is_refused_by_file_row_and_column(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(CLEAN, folder)
    set_cell(folder, "quotes", 3, "comment_en", "x" * 300_000)
    line = one_line_error(run_import(folder, tmp_path / "o.ttl"), 2)
    path = folder / "quotes.csv"
    assert f"{path}:3:comment_en: a cell of 300000 characters; at most {MAX_CELL_CHARS}" in line


def test_a_gbk_csv_is_refused_by_file_row_and_column(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(CLEAN, folder)
    path = folder / "entities.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    line = one_line_error(run_import(folder, tmp_path / "o.ttl"), 2)
    assert f"{path}:2:name_zh: not UTF-8 text (byte 0xc7)" in line, line


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_csv_with_or_without_bom_is_read(tmp_path: Path, bom: bytes) -> None:
    folder = tmp_path / "t"
    shutil.copytree(CLEAN, folder)
    path = folder / "entities.csv"
    path.write_bytes(bom + path.read_bytes())
    rows = read_tables(folder).rows("entities")
    assert rows[0].get("id") == "org/cn-qh-test-data-bureau"
    assert rows[0].get("name_zh") == "青海省测试数据局"


def test_not_a_workbook_is_one_line(tmp_path: Path) -> None:
    book = tmp_path / "t.xlsx"
    book.write_bytes(b"PK\x03\x04 not really")
    line = one_line_error(run_import(book, tmp_path / "o.ttl"), 2)
    assert f"{book}: not a readable .xlsx workbook" in line


def test_bad_input_is_typed(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(CLEAN, folder)
    (folder / "quotes.csv").write_bytes(b"id,source,quote\n\xff\xfe,x,y\n")
    with pytest.raises(BadInput, match=r"quotes.csv:2:id: not UTF-8"):
        read_tables(folder)


# --------------------------------------------------------------------------- no formulas out

FORMULA_LABELS = {  # entity row -> (label_en, comment_en): each formula character leads once
    2: ('=HYPERLINK("http://127.0.0.1:9/?"&A1,"x")', "@SUM(A1:A9)"),
    3: ("+86 test", "'quoted"),
    4: ("-1+2", "''twice"),
}


def formula_graph(tmp_path: Path) -> Path:
    """`govkg import` output whose labels and comments begin with formula characters."""
    folder = tmp_path / "tables"
    shutil.copytree(CLEAN, folder)
    for n, (label, comment) in FORMULA_LABELS.items():
        set_cell(folder, "entities", n, "label_en", label)
        # the CSV convention: a comment that begins with ' is written with one more
        set_cell(folder, "entities", n, "comment_en", protect_csv(comment))
    out = tmp_path / "graph.ttl"
    result = run_import(folder, out)
    assert result.exit_code == 0, result.output
    return out


def _template_from(graph: Path, out: Path) -> None:
    args = ["template", "--from", str(graph), "--source", str(TEXT), "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "compile back to exactly the graph" in result.stderr


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_formula_labels_round_trip_exactly(tmp_path: Path, kind: str) -> None:
    """graph -> template -> import gives the same graph, labels beginning with =, +, -, @
    and apostrophes included (the issue: the .xlsx held a live formula and import refused)."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    graph = formula_graph(tmp_path)
    target = tmp_path / ("t.xlsx" if kind == "xlsx" else "t")
    _template_from(graph, target)
    back = tmp_path / "back.ttl"
    result = run_import(target, back)
    assert result.exit_code == 0, result.output
    g, b = Graph().parse(graph), Graph().parse(back)
    labels = {str(o) for o in g.objects(None, None) if str(o)[:1] in "=+-@'"}
    want = {v for pair in FORMULA_LABELS.values() for v in pair}
    assert want <= labels, labels
    assert isomorphic(g, b)


def test_the_workbook_has_no_formula_and_marks_the_text(tmp_path: Path) -> None:
    graph = formula_graph(tmp_path)
    book = tmp_path / "t.xlsx"
    _template_from(graph, book)
    with zipfile.ZipFile(book) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = {n: z.read(n).decode("utf-8") for n in sheets}
        styles = z.read("xl/styles.xml").decode("utf-8")
    assert not any("<f>" in x or "<f " in x for x in xml.values())
    entities = xml[part_of(book, "entities")]
    cell = re.search(r'<c r="F\d+"[^>]*><is><t>=HYPERLINK', entities)
    assert cell and 't="inlineStr"' in cell.group(0), entities[:500]
    assert 'quotePrefix="1"' in styles
    import openpyxl

    ws = openpyxl.load_workbook(book)["entities"]
    values = {c.value for row in ws.iter_rows(min_row=2) for c in row}
    assert set(FORMULA_LABELS[2]) <= values
    assert all(c.data_type == "s" for row in ws.iter_rows() for c in row if c.value)


def test_the_csv_template_protects_what_a_spreadsheet_would_evaluate(tmp_path: Path) -> None:
    graph = formula_graph(tmp_path)
    folder = tmp_path / "t"
    _template_from(graph, folder)
    rows = list(csv.reader((folder / "entities.csv").open(encoding="utf-8")))
    cells = {c for r in rows[1:] for c in r if c}
    assert '\'=HYPERLINK("http://127.0.0.1:9/?"&A1,"x")' in cells
    assert {"'+86 test", "'-1+2", "'@SUM(A1:A9)", "''quoted", "'''twice"} <= cells
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    note = (folder / "README.md").read_text(encoding="utf-8")
    assert "one apostrophe in front" in note


@given(st.text(max_size=12))
@settings(max_examples=300, deadline=None)
def test_the_csv_protection_is_reversed_exactly(text: str) -> None:
    written = protect_csv(text)
    assert unprotect_csv(written) == text
    assert not written.startswith(FORMULA_START)


@pytest.mark.parametrize("first", list(FORMULA_START))
def test_every_formula_character_is_kept_as_text_in_the_workbook(first: str) -> None:
    from openpyxl import Workbook

    from govkg.tables.template import _as_text

    ws = Workbook().active
    cell = ws.cell(row=1, column=1, value=f"{first}1+1")
    _as_text(cell)
    assert cell.data_type == "s" and cell.quotePrefix


def _soffice() -> str:
    needs.require("libreoffice")
    found = shutil.which("soffice") or shutil.which("libreoffice")
    assert found, "tools/system-packages.toml names soffice as what libreoffice provides"
    return found


def _convert(book: Path, sheet: int, out: Path, profile: Path) -> Path:
    """The `sheet`-th sheet of `book` as CSV, as LibreOffice (headless, its own profile,
    a time limit, stopped by its process group) computes and shows it."""
    import os
    import signal
    import subprocess

    # field sep, quote, UTF-8, from row 1, -, -, -, -, as shown, no formulas, -, that sheet
    filt = f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,{sheet}"
    cmd = [_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
           "--norestore", "--convert-to", filt, "--outdir", str(out), str(book)]  # fmt: skip
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        log, _ = proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"LibreOffice did not convert {book} within 180 s")
    found = sorted(out.glob(f"{book.stem}*.csv"))
    assert proc.returncode == 0 and len(found) == 1, log.decode(errors="replace")
    return found[0]


def test_libreoffice_shows_the_labels_as_text_not_a_computed_value(tmp_path: Path) -> None:
    """A real spreadsheet reads the template: every label that begins with a formula
    character shows as its text. Control: the same text written as openpyxl writes it by
    default (a formula) shows LibreOffice's computed value, so the test sees evaluation."""
    from openpyxl import Workbook

    graph = formula_graph(tmp_path)
    book = tmp_path / "t.xlsx"
    _template_from(graph, book)
    profile = tmp_path / "lo-profile"
    import openpyxl

    index = openpyxl.load_workbook(book, read_only=True).sheetnames.index("entities") + 1
    shown = _convert(book, index, tmp_path / "out", profile)
    rows = list(csv.reader(shown.open(encoding="utf-8")))
    header = rows[0]
    got = {r[header.index("id")]: (r[header.index("label_en")], r[header.index("comment_en")])
           for r in rows[1:]}  # fmt: skip
    want = {r.get("id"): FORMULA_LABELS[r.number] for r in read_tables(CLEAN).rows("entities")}
    assert got == want
    control = tmp_path / "control.xlsx"
    wb = Workbook()
    wb.active.append(["=1+1", '=HYPERLINK("http://127.0.0.1:9/","x")', "text"])
    wb.save(control)
    computed = list(csv.reader(_convert(control, 1, tmp_path / "ctl", profile).open()))
    assert computed[0] == ["2", "x", "text"]


# --------------------------------------------------------------------------- found by the fuzz


def test_a_claims_dataset_that_is_no_minted_iri_is_named(tmp_path: Path) -> None:
    """It went into the Turtle unchecked: 'Invalid IRI code point' in a temporary file."""
    folder = tmp_path / "t"
    shutil.copytree(CLEAN, folder)
    set_cell(folder, "sources", 2, "claims_dataset", "dataset/a{b")
    line = one_line_error(run_import(folder, tmp_path / "o.ttl"), 1)
    assert "sources.csv:2:claims_dataset: IRI key 'a{b' must be lower-case ASCII" in line, line


def test_control_characters_stay_on_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(CLEAN, folder)
    path = folder / "claims.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("id,", "i\x0bd,", 1), "utf-8")
    result = run_import(folder, tmp_path / "o.ttl")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert all(line.startswith("govkg: error: ") for line in lines), lines
    assert any("claims.csv:1:'i\\x0bd': unknown column" in line for line in lines), lines
    book = workbook(tmp_path / "t.xlsx")
    old = inline("B2", "gk:DataManagementBody")
    bad = '<c r="B2" t="d"><v>2023-02-30\nline two\rline three</v></c>'
    sheet_edit(book, "entities", lambda x: x.replace(old, bad, 1))
    line = one_line_error(run_import(book, tmp_path / "o.ttl"), 2)
    assert "entities:2:class (cell B2): a value that cannot be read" in line


def test_typed_spreadsheet_cells_read_as_their_xsd_text(tmp_path: Path) -> None:
    """A contributor's spreadsheet stores dates, numbers and booleans typed: they read as
    the text the typed columns check (a date at midnight as YYYY-MM-DD)."""
    import datetime as dt

    import openpyxl

    book = workbook(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(book)
    header = [c.value for c in wb["sources"][1]]
    wb["sources"].cell(row=2, column=header.index("published") + 1).value = dt.datetime(
        2026, 1, 2, 9, 30
    )
    claims = [c.value for c in wb["claims"][1]]
    wb["claims"].cell(row=2, column=claims.index("value") + 1).value = 1e-05
    wb["claims"].cell(row=2, column=claims.index("total") + 1).value = True
    wb["claims"].cell(row=2, column=len(claims) + 1).value = "as_of"
    wb["claims"].cell(row=1, column=len(claims) + 1).value = "as_of"
    wb["claims"].cell(row=2, column=len(claims) + 1).value = dt.datetime(2025, 12, 31)
    wb.save(book)
    tables = read_tables(book)
    assert tables.rows("sources")[0].get("published") == "2026-01-02T09:30:00"
    claim = tables.rows("claims")[0]
    assert (claim.get("value"), claim.get("total"), claim.get("as_of")) == (
        "0.00001",
        "true",
        "2025-12-31",
    )  # fmt: skip  (no exponent: a decimal)


# --------------------------------------------------------------------------- the DTD guard

DTD_LOOKALIKES = st.sampled_from(
    [
        ("top", '<!DOCTYPE worksheet [<!ENTITY e "x">]>'),
        ("top", "<!DOCTYPE worksheet>"),
        ("top", '<!DOCTYPE worksheet SYSTEM "file:///etc/passwd">'),
        ("top", "<!-- <!DOCTYPE worksheet [<!ENTITY e 'x'>]> -->"),
        ("top", "<?pi <!DOCTYPE x> ?>"),
        ("text", "&lt;!DOCTYPE worksheet [&lt;!ENTITY e 'x'&gt;]&gt;"),
        ("text", "<![CDATA[<!DOCTYPE worksheet [<!ENTITY e 'x'>]>]]>"),
        ("text", "<!ENTITY e 'x'>"),  # not well-formed inside an element
        ("text", "&#60;!DOCTYPE x&#62;"),
        ("attr", ' x="&lt;!DOCTYPE y&gt;"'),
    ]
)


def _expat_sees(xml: bytes) -> tuple[bool, bool]:
    """(a DOCTYPE declaration, well-formed) as plain expat reports them: the oracle."""
    import xml.parsers.expat as expat

    seen = []
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = lambda *args: seen.append(args)
    try:
        parser.Parse(xml, True)
    except expat.ExpatError:
        return bool(seen), False
    return bool(seen), True


@given(st.lists(DTD_LOOKALIKES, min_size=1, max_size=3))
@settings(max_examples=60, deadline=None)
def test_the_dtd_guard_decides_on_what_the_parser_parsed(
    placements: list[tuple[str, str]],
) -> None:
    """Differential: the workbook check refuses a part as holding a DTD exactly when
    expat, parsing that part, reports a DOCTYPE declaration; DTD-like text in a comment,
    a processing instruction, CDATA, escaped text or an attribute is only text."""
    from govkg.tables.package import check_package

    xml = (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
    )
    for where, piece in placements:
        if where == "top":
            xml = piece + xml
        elif where == "text":
            xml = xml.replace("<t>x", f"<t>x{piece}", 1)
        else:
            xml = xml.replace('<c r="A1"', f'<c r="A1"{piece}', 1)
    data = xml.encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", data)
    doctype, well_formed = _expat_sees(data)
    try:
        check_package(buf.getvalue(), Path("g.xlsx"))
        refused = ""
    except BadInput as err:
        refused = str(err)
    if doctype:
        assert "a DTD" in refused, (xml, refused)
    elif well_formed:
        assert refused == "", (xml, refused)
    else:
        assert "not well-formed XML" in refused, (xml, refused)


@pytest.mark.parametrize("name", ["Entities", "entities ", "ENTITIES"])
def test_a_sheet_named_nearly_like_one_is_refused_not_passed_over(
    tmp_path: Path, name: str
) -> None:
    book = workbook(tmp_path / "t.xlsx")
    rewrite(book, "xl/workbook.xml", lambda x: x.replace('name="entities"', f'name="{name}"'))
    line = one_line_error(run_import(book, tmp_path / "o.ttl"), 2)
    assert f"{book}: sheet {name!r} is not read: name it 'entities'" in line
    folder = tmp_path / "csv"
    shutil.copytree(CLEAN, folder)
    (folder / "entities.csv").rename(folder / f"{name}.csv")
    line = one_line_error(run_import(folder, tmp_path / "o.ttl"), 2)
    assert f"{folder}: file '{name}.csv' is not read: name it 'entities.csv'" in line
    (folder / f"{name}.csv").rename(folder / "entities.CSV")
    line = one_line_error(run_import(folder, tmp_path / "o.ttl"), 2)
    assert "file 'entities.CSV' is not read: name it 'entities.csv'" in line


def test_template_from_a_graph_writes_nothing_its_sheets_would_not_import(
    tmp_path: Path,
) -> None:
    """'the sheets compile back to exactly the graph' is said of the written files, read
    back as import reads them: an ill-typed literal in the graph (a dateTime of 30
    February) compiles in memory but would be refused by import, so nothing is written."""
    folder = tmp_path / "tables"
    shutil.copytree(CLEAN, folder)
    set_cell(folder, "sources", 2, "published", "2026-01-02T09:30:00")
    graph = tmp_path / "graph.ttl"
    assert run_import(folder, graph).exit_code == 0
    text = graph.read_text(encoding="utf-8")
    assert text.count("2026-01-02T09:30:00") == 2
    graph.write_text(text.replace("2026-01-02T09:30:00", "2023-02-30T25:61:00"), "utf-8")
    for out in (tmp_path / "t.xlsx", tmp_path / "t"):
        args = ["template", "--from", str(graph), "--source", str(TEXT), "-o", str(out)]
        line = one_line_error(CliRunner().invoke(cli, args), 2)
        assert f"{out}: the sheets would not import: sources" in line, line
        assert "published: '2023-02-30T25:61:00' is not an xsd:dateTime" in line, line
        assert not out.exists()
