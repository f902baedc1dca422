"""Property-based fuzzing of `govkg import` over mutated templates (.xlsx and CSV).

Each example starts from the template filled with the fictitious fixture tables and mutates
it: cells (any text, formula characters, overlong text, typed-cell variants openpyxl may
not convert, formulas with and without cached values), rows (dropped, duplicated,
renumbered, appended past the sheet's <dimension>), XML parts (a DTD, truncation, stray
bytes) and raw bytes of the file. Whatever the input, `govkg import` (in process, through
click's CliRunner) must end with exit 0, 1 or 2; never an internal error or a traceback;
a refusal is one line per problem naming the file (and sheet, row and column where the
problem is in a cell); and an accepted file's rows are all in the output, checked against
an independent reading of the input (openpyxl's full, non-streaming reader; the csv module).
`max_examples` keeps the run at about 20 s on a loaded two-core machine.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from govkg.cli.main import cli
from govkg.namespaces import GKR
from govkg.tables.read import read_tables
from govkg.tables.schema import SHEETS, protect_csv, unprotect_csv
from govkg.tables.template import write_template

REPO = Path(__file__).resolve().parents[1]
CLEAN = REPO / "tests" / "fixtures" / "import" / "clean"
TEXT = REPO / "tests" / "fixtures" / "import" / "example-source.txt"

EXAMPLES = int(os.environ.get("GOVKG_SHEET_FUZZ_EXAMPLES", "60"))
"""Per test; a longer campaign: GOVKG_SHEET_FUZZ_EXAMPLES=2000 pytest tests/test_sheets_fuzz.py."""
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)

TEXTS = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", " ", "=1+1", "+1", "-1", "@A1", "\t=x", "'", "''x", "2023-02-30",
                     "2023-02-30T25:61:00", "1e3", "NaN", "true", "gk:NoSuchClass",
                     "org/cn-qh-test-data-bureau", "x" * 40_000]),
)  # fmt: skip
CELL_XML = st.sampled_from(
    [
        '<c r="{ref}"><f>A1</f><v>abc</v></c>',
        '<c r="{ref}"><f>A1</f></c>',
        '<c r="{ref}" t="str"><f>A1</f><v>{text}</v></c>',
        '<c r="{ref}" t="e"><v>#REF!</v></c>',
        '<c r="{ref}" t="n"><v>{text}</v></c>',
        '<c r="{ref}" t="s"><v>{text}</v></c>',
        '<c r="{ref}" t="b"><v>{text}</v></c>',
        '<c r="{ref}" t="d"><v>{text}</v></c>',
        '<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>',
        '<c t="inlineStr"><is><t>{text}</t></is></c>',
        '<c r="{ref}" t="n"><v>1.5</v></c>',
    ]
)


class Mutated(bytes):
    """A mutated file's bytes, shown by what was done to it (not 70 kB of repr)."""

    how: str = ""
    cell: str = ""  # the coordinate of a mutated cell, which a cell's refusal must name

    def __repr__(self) -> str:
        return f"<{len(self)} bytes: {self.how}>"


def _mutated(data: bytes, how: str, cell: str = "") -> Mutated:
    out = Mutated(data)
    out.how, out.cell = how, cell
    return out


def _base(tmp: Path) -> tuple[Path, Path]:
    book = tmp / "t.xlsx"
    write_template(book, {}, "en", read_tables(CLEAN))
    folder = tmp / "csv"
    shutil.copytree(CLEAN, folder)
    return book, folder


def _parts(book: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        return [(i, z.read(i.filename)) for i in z.infolist()]


def _pack(parts: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts:
            z.writestr(info.filename, data)
    return buf.getvalue()


def _rows_of(xml: str) -> list[re.Match[str]]:
    return list(re.finditer(r'<row r="(\d+)"[^>]*>.*?</row>', xml, re.S))


@st.composite
def xlsx_mutation(draw: st.DrawFn, data: bytes) -> Mutated:
    parts = _parts(data)
    sheets = [
        i for i, (info, _) in enumerate(parts) if re.match(r"xl/worksheets/sheet\d", info.filename)
    ]
    k = draw(st.sampled_from(sheets[1:-1]))  # the fact sheets (README first, allowed last)
    info, raw = parts[k]
    xml = raw.decode("utf-8")
    kinds = ["cell", "cell", "cellxml", "cellxml", "cellxml", "row", "row", "dimension", "part"]
    kind = draw(st.sampled_from([*kinds, "bytes"]))
    rows = _rows_of(xml)
    ref = ""
    if kind in ("cell", "cellxml") and len(rows) > 1:
        m = draw(st.sampled_from(rows[1:]))
        cells = list(re.finditer(r'<c r="([A-Z]+\d+)"[^>]*?(/>|>.*?</c>)', m.group(0), re.S))
        if cells:
            c = draw(st.sampled_from(cells))
            ref = c.group(1)
            text = escape(draw(TEXTS))
            if kind == "cell":
                new = f'<c r="{c.group(1)}" t="inlineStr"><is><t>{text}</t></is></c>'
            else:
                template = draw(CELL_XML)
                new = template.format(ref=c.group(1), text=text)
                ref = ref if 'r="{ref}"' in template else ""
            row = m.group(0)[: c.start()] + new + m.group(0)[c.end() :]
            xml = xml[: m.start()] + row + xml[m.end() :]
    elif kind == "row" and len(rows) > 1:
        m = draw(st.sampled_from(rows[1:]))
        how = draw(st.sampled_from(["drop", "twice", "renumber", "append-past"]))
        if how == "drop":
            xml = xml[: m.start()] + xml[m.end() :]
        elif how == "twice":
            xml = xml[: m.end()] + m.group(0) + xml[m.end() :]
        elif how == "renumber":
            n = str(draw(st.integers(0, 1_100_000)))
            row = re.sub(r'r="([A-Z]+)\d+"', rf'r="\g<1>{n}"', m.group(0))
            xml = (
                xml[: m.start()] + row.replace(f'r="{m.group(1)}"', f'r="{n}"', 1) + xml[m.end() :]
            )
        else:  # a copy with a fresh id, after the last row, and a dimension that hides it
            last = int(rows[-1].group(1)) + draw(st.integers(1, 3))
            row = re.sub(r'r="([A-Z]+)\d+"', rf'r="\g<1>{last}"', m.group(0))
            row = row.replace(f'<row r="{m.group(1)}"', f'<row r="{last}"', 1)
            row = re.sub(r"<t>([a-z]+/[a-z0-9-]+)</t>", r"<t>\1-copy</t>", row, count=1)
            xml = xml.replace("</sheetData>", row + "</sheetData>")
            xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:C2"/>', xml)
    elif kind == "dimension":
        ref = draw(st.sampled_from(["A1:C2", "A1", "A1:XFD1048576", "", "B2:A1", "junk"]))
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml)
    elif kind == "part":
        how = draw(st.sampled_from(["dtd", "entity", "truncate", "insert"]))
        if how == "dtd":
            xml = '<!DOCTYPE worksheet [<!ENTITY e "x">]>' + xml
        elif how == "entity":
            xml = '<!DOCTYPE worksheet [<!ENTITY e "x">]>' + xml.replace("<t>", "<t>&e;", 1)
        elif how == "truncate":
            xml = xml[: draw(st.integers(0, len(xml) - 1))]
        else:
            at = draw(st.integers(0, len(xml)))
            xml = (
                xml[:at]
                + draw(st.sampled_from(["<", "&", "</row>", "<c>", '"', "\x00"]))
                + xml[at:]
            )
    parts[k] = (info, xml.encode("utf-8"))
    out = _pack(parts)
    if kind == "bytes":
        flipped = bytearray(out)
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(flipped) - 1))
            flipped[at] = draw(st.integers(0, 255))
        out = bytes(flipped)
    return _mutated(out, f"{kind} in {info.filename}", ref)


@st.composite
def csv_mutation(draw: st.DrawFn, folder: Path) -> tuple[str, bytes, str]:
    name = draw(st.sampled_from(sorted(p.stem for p in folder.glob("*.csv"))))
    data = (folder / f"{name}.csv").read_bytes()
    kind = draw(st.sampled_from(["cell", "row", "bytes", "encoding"]))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    where = ""
    if kind == "cell" and len(rows) > 1:
        r = draw(st.integers(1, len(rows) - 1))
        c = draw(st.integers(0, len(rows[r])))
        value = draw(TEXTS)
        value = protect_csv(value) if draw(st.booleans()) else value
        if c == len(rows[r]):
            rows[r].append(value)
        else:
            rows[r][c] = value
        where = f"{name}.csv:{r + 1}:"
    elif kind == "row" and len(rows) > 1:
        r = draw(st.integers(1, len(rows) - 1))
        how = draw(st.sampled_from(["drop", "twice", "copy"]))
        if how == "drop":
            del rows[r]
        elif how == "twice":
            rows.insert(r, list(rows[r]))
        else:
            copy = list(rows[r])
            copy[0] += "-copy"
            rows.append(copy)
    if kind in ("cell", "row"):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        return name, buf.getvalue().encode("utf-8"), where
    if kind == "encoding":
        enc = draw(st.sampled_from(["gbk", "utf-16", "utf-8-sig", "latin-1"]))
        try:
            return name, data.decode("utf-8").encode(enc), ""
        except UnicodeEncodeError:
            return name, data.decode("utf-8").encode(enc, errors="replace"), ""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(out)))
        out[at:at] = bytes([draw(st.integers(0, 255))])
    return name, bytes(out), ""


def _check_outcome(table: Path, out: Path, cell: str = "") -> Graph | None:
    """The outcome of importing `table`, checked; `cell`: where the one mutated text cell
    is (an .xlsx coordinate, or `sheet.csv:row:`), which a refusal of a cell must name."""
    result = CliRunner().invoke(
        cli, ["import", str(table), "--source", str(TEXT), "-o", str(out)], catch_exceptions=True
    )
    text = result.stderr
    assert result.exit_code in (0, 1, 2), (result.exit_code, text, result.exception)
    assert "internal error" not in text and "Traceback" not in text, text
    if result.exit_code == 0:
        return Graph().parse(out, format="turtle")
    assert not out.exists()
    lines = text.strip().splitlines()
    assert lines and all(line.startswith("govkg: error: ") for line in lines), text
    for line in lines:
        assert str(table) in line or str(TEXT) in line, line  # the file is named
        if result.exit_code == 1:  # a data problem: sheet (or shapes), row and column
            rest = line.split(f"{table}: ", 1)[1]
            assert re.match(r"(\w+)(\.csv)?(:\d+(:[^:]+)?)?: ", rest), line
        elif cell and "(cell " in line:  # a workbook cell refused: sheet:row:column (cell REF)
            assert re.search(rf": \w+:\d+:[^:]+ \(cell {cell}\): ", line), (cell, line)
        elif cell and "characters; at most" in line:  # an overlong CSV cell
            assert f"{cell}" in line, (cell, line)
    return None


def _all_rows_in(g: Graph, sheets: dict[str, list[dict[str, str]]]) -> None:
    subjects = {str(s) for s in g.subjects()}
    literals = {str(o) for o in g.objects() if isinstance(o, Literal)}
    for row in sheets.get("entities", []):
        if row.get("id", "").strip():
            assert GKR + row["id"].strip() in subjects, row
    for row in sheets.get("quotes", []):
        if row.get("quote", "").strip():
            assert row["quote"].strip() in literals, row
    for row in sheets.get("claims", []):
        if row.get("id", "").strip():
            assert GKR + "claim/" + row["id"].strip() in subjects, row
    for row in sheets.get("statements", []):
        s, p = row.get("subject", "").strip(), row.get("predicate", "").strip()
        if s:
            assert any(True for _ in g.predicate_objects(URIRef(GKR + s))), (s, p)


def _independent_xlsx(path: Path) -> dict[str, list[dict[str, str]]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True)  # full reader: every cell it parsed
    out = {}
    for name in SHEETS:
        if name in wb.sheetnames:
            rows = [
                ["" if v is None else str(v) for v in r]
                for r in wb[name].iter_rows(values_only=True)
            ]
            head = rows[0] if rows else []
            out[name] = [dict(zip(head, r, strict=False)) for r in rows[1:]]
    return out


def _independent_csv(folder: Path) -> dict[str, list[dict[str, str]]]:
    out = {}
    for name in SHEETS:
        path = folder / f"{name}.csv"
        if path.is_file():
            with path.open(encoding="utf-8-sig", newline="") as fh:
                rows = [[unprotect_csv(v) for v in r] for r in csv.reader(fh)]
            out[name] = [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]
    return out


def test_mutated_workbooks_never_crash_and_lose_no_row(tmp_path: Path) -> None:
    book, _ = _base(tmp_path)
    base = book.read_bytes()
    accepted = []

    @SETTINGS
    @given(xlsx_mutation(base))
    def check(data: Mutated) -> None:
        path = tmp_path / "m.xlsx"
        out = tmp_path / "m.ttl"
        out.unlink(missing_ok=True)
        path.write_bytes(data)
        g = _check_outcome(path, out, data.cell)
        if g is not None:
            accepted.append(1)
            _all_rows_in(g, _independent_xlsx(path))

    check()
    assert accepted  # some mutations keep a valid workbook, and those are checked too


def test_mutated_csv_sheets_never_crash_and_lose_no_row(tmp_path: Path) -> None:
    _, folder = _base(tmp_path)
    accepted = []

    @SETTINGS
    @given(csv_mutation(folder))
    def check(mutation: tuple[str, bytes, str]) -> None:
        name, data, where = mutation
        work = tmp_path / "m"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(folder, work)
        (work / f"{name}.csv").write_bytes(data)
        out = tmp_path / "m.ttl"
        out.unlink(missing_ok=True)
        g = _check_outcome(work, out, where)
        if g is not None:
            accepted.append(1)
            _all_rows_in(g, _independent_csv(work))

    check()
    assert accepted
