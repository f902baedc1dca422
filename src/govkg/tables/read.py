"""Read fact tables from a folder of CSV files or an .xlsx workbook, checked against the schema.

Every problem names the sheet, the row (as a spreadsheet shows it: the header is row 1) and
the column, and all problems are collected before anything is built, so a contributor fixes
a whole table in one pass. Every row and every cell is read (a workbook's rows whatever its
<dimension> says, see govkg.tables.package); one that cannot be read is refused by file,
row and column rather than skipped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from govkg.errors import BadInput
from govkg.tables.schema import CSV_ESCAPE, LIST_SEPARATOR, MAX_CELL_CHARS, SHEETS, unprotect_csv
from govkg.tables.xsd import invalid


@dataclass(frozen=True)
class Problem:
    """One bad cell (or row, or sheet): where it is and what is wrong."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        return self.text()

    def text(self, folder: bool = False) -> str:
        """`sheet:row:column: message`; in a folder of CSVs the sheet is its file."""
        where = f"{self.sheet}.csv" if folder and self.sheet in SHEETS else self.sheet
        if self.row is not None:
            where += f":{self.row}"
        if self.column:
            where += f":{self.column}"
        return f"{where}: {self.message}"


@dataclass
class Row:
    sheet: str
    number: int  # spreadsheet row number (header = 1)
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    def many(self, column: str) -> list[str]:
        value = self.get(column)
        return [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()] if value else []


@dataclass
class Tables:
    origin: str
    sheets: dict[str, list[Row]] = field(default_factory=dict)

    def rows(self, sheet: str) -> list[Row]:
        return self.sheets.get(sheet, [])


class TablesInvalid(BadInput):
    """Tables that break the schema or the data rules; carries every problem found."""

    exit_code = 1

    def __init__(self, origin: str, problems: list[Problem]) -> None:
        self.origin = origin
        self.folder = Path(origin).is_dir()
        self.problems = problems
        folder = Path(origin).is_dir()
        first = problems[0].text(folder) if problems else "no problems"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{origin}: {first}{more}")


Lines = list[tuple[int, list[str]]]
"""A sheet as read: (row number as a spreadsheet shows it, the row's cells as text)."""


def _column_name(header: list[str], index: int) -> str:
    """How a problem names the column at `index` (0-based): its header, else its letter."""
    from openpyxl.utils import get_column_letter

    if index < len(header) and header[index].strip() and header[index].isprintable():
        return header[index].strip()
    return get_column_letter(index + 1) if index < 16384 else f"#{index + 1}"


def _csv_rows(path: Path) -> Lines:
    """The rows of one CSV sheet: UTF-8 with or without a BOM, each cell unprotected
    (schema.CSV_ESCAPE); bytes that are not UTF-8 and overlong cells are refused by file,
    row and column."""
    from govkg.inputs import read_bytes
    from govkg.load import max_file_bytes

    data = read_bytes(path, max_file_bytes(), what="CSV sheet")
    try:
        text, bad = data.decode("utf-8"), False
    except UnicodeDecodeError:
        # read on, with each bad byte kept as a lone surrogate, to name the cell it is in
        text, bad = data.decode("utf-8", errors="surrogateescape"), True
    text = text.removeprefix("\ufeff")
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))  # the cell limit is checked below, named
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: Lines = []
    try:
        for number, values in enumerate(reader, start=1):
            rows.append((number, values))
    except csv.Error as err:
        raise BadInput(
            f"{path}:{len(rows) + 1}: not readable as CSV ({' '.join(str(err).split())})"
        ) from None
    finally:
        csv.field_size_limit(limit)
    header = rows[0][1] if rows else []
    for number, values in rows:
        for i, value in enumerate(values):
            if bad:
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError as err:
                    byte = ord(value[err.start]) - 0xDC00
                    raise BadInput(
                        f"{path}:{number}:{_column_name(header, i)}: not UTF-8 text "
                        f"(byte 0x{byte:02x}); save the sheet as CSV UTF-8"
                    ) from None
            if len(value) > MAX_CELL_CHARS:
                raise BadInput(
                    f"{path}:{number}:{_column_name(header, i)}: a cell of {len(value)} "
                    f"characters; at most {MAX_CELL_CHARS}"
                )
            if value.startswith(CSV_ESCAPE):
                values[i] = unprotect_csv(value)
    if bad:  # pragma: no cover - every byte past ASCII is in some cell, named above
        raise BadInput(f"{path}: not UTF-8 text; save the sheet as CSV UTF-8")
    return rows


def _xlsx_rows(path: Path) -> dict[str, Lines]:
    """The rows of the workbook's sheets that the schema knows, every row whatever the
    sheet's <dimension> says; the package's XML checked first (package.check_package)."""
    from govkg.inputs import read_bytes
    from govkg.load import max_file_bytes
    from govkg.tables.package import check_package, one_line, sheet_rows

    data = read_bytes(path, max_file_bytes(), what=".xlsx workbook")
    check_package(data, path)
    import openpyxl
    from defusedxml import DefusedXmlException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except DefusedXmlException as err:  # pragma: no cover - check_package refuses these first
        raise BadInput(f"{path}: refused XML in the workbook ({err})") from None
    except Exception as err:  # openpyxl's own refusals of a broken package are not typed
        reason = one_line(str(err).split("\n", 1)[0])  # its first line
        raise BadInput(f"{path}: not a readable .xlsx workbook ({reason})") from None
    try:
        for title in book.sheetnames:
            _near_miss(path, title, "sheet")
        return {
            ws.title: sheet_rows(path, book, ws) for ws in book.worksheets if ws.title in SHEETS
        }
    finally:
        book.close()


def _near_miss(path: Path, name: str, what: str) -> None:
    """A sheet or file named like a sheet of the schema but not exactly (`Entities`,
    `claims `, `quotes.CSV`) would be passed over with all its rows: refuse it by name."""
    stem = name[:-4] if what == "file" and name.lower().endswith(".csv") else name
    if what == "file" and stem == name:
        return
    key = stem.strip().lower()
    if key in SHEETS and name != (f"{key}.csv" if what == "file" else key):
        right = f"{key}.csv" if what == "file" else key
        raise BadInput(f"{path}: {what} {name!r} is not read: name it {right!r}")


def read_tables(path: Path | str) -> Tables:
    """The sheets of a folder of `{sheet}.csv` files or of an .xlsx file, cells checked.

    Raises TablesInvalid with every problem (unknown or missing columns, empty required
    cells, values outside a column's fixed choices, typed values that are not valid XSD
    literals (govkg.tables.xsd), a value in a column with no name in row 1); BadInput when
    the path or a cell is unreadable (not UTF-8, longer than MAX_CELL_CHARS, an .xlsx
    package or cell govkg.tables.package refuses).
    """
    path = Path(path)
    raw: dict[str, Lines] = {}
    if path.is_dir():
        for entry in path.iterdir():
            _near_miss(path, entry.name, "file")
        for name in SHEETS:
            f = path / f"{name}.csv"
            if f.is_file():
                raw[name] = _csv_rows(f)
    elif path.suffix.lower() == ".xlsx" and path.is_file():
        raw = _xlsx_rows(path)
    elif path.suffix.lower() == ".csv" and path.is_file() and path.stem in SHEETS:
        raw[path.stem] = _csv_rows(path)
    else:
        raise BadInput(f"{path}: not a folder of CSV sheets, a sheet's .csv or an .xlsx file")
    if not raw:
        raise BadInput(f"{path}: no sheet found (expected one of {', '.join(SHEETS)})")
    tables = Tables(str(path))
    problems: list[Problem] = []
    for name, lines in raw.items():
        sheet = SHEETS[name]
        if not lines or lines[0][0] != 1 or not any(v.strip() for v in lines[0][1]):
            problems.append(Problem(name, 1, None, "no header row (the column names in row 1)"))
            continue
        header = [h.strip() for h in lines[0][1]]
        while header and not header[-1]:
            header.pop()
        for i, h in enumerate(header):
            if h not in sheet.names:
                shown = h if h.isprintable() else repr(h)
                problems.append(Problem(name, 1, shown or f"#{i + 1}", "unknown column"))
        for c in sheet.columns:
            if c.required and c.name not in header:
                problems.append(Problem(name, 1, c.name, "required column missing"))
        rows: list[Row] = []
        for n, values in lines[1:]:
            if not any(v.strip() for v in values):
                continue
            for i in range(len(header), len(values)):
                if values[i].strip():
                    problems.append(
                        Problem(
                            name,
                            n,
                            _column_name(header, i),
                            "a value in a column with no name in row 1",
                        )
                    )
            cells = {h: (values[i] if i < len(values) else "") for i, h in enumerate(header)}
            row = Row(name, n, cells)
            for c in sheet.columns:
                if c.name not in header:
                    continue
                value = row.get(c.name)
                if c.required and not value:
                    problems.append(Problem(name, n, c.name, "required value missing"))
                values_ = row.many(c.name) if c.many else ([value] if value else [])
                for v in values_:
                    if c.choices and v not in c.choices:
                        allowed = ", ".join(c.choices)
                        problems.append(Problem(name, n, c.name, f"{v!r} is not one of {allowed}"))
                    elif c.datatype and (why := invalid(c.datatype, v)):
                        problems.append(Problem(name, n, c.name, why))
            typed = row.get("datatype") if "datatype" in header and "object" in header else ""
            if typed and row.get("object") and (why := invalid(typed, row.get("object"))):
                problems.append(Problem(name, n, "object", why))
            rows.append(row)
        tables.sheets[name] = rows
    if problems:
        raise TablesInvalid(str(path), problems)
    return tables
