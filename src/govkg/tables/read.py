"""Read fact tables from a folder of CSV files or an .xlsx workbook, checked against the schema.

Every problem names the sheet, the row (as a spreadsheet shows it: the header is row 1) and
the column, and all problems are collected before anything is built, so a contributor fixes
a whole table in one pass.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from govkg.errors import BadInput
from govkg.tables.schema import LIST_SEPARATOR, SHEETS


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


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [list(r) for r in csv.reader(fh)]


def _xlsx_rows(path: Path) -> dict[str, list[list[str]]]:
    try:
        import openpyxl
    except ImportError as err:  # pragma: no cover - a declared dependency
        raise BadInput("reading .xlsx needs openpyxl (pip install openpyxl)") from err
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:
        raise BadInput(f"{path}: not a readable .xlsx workbook ({err})") from err
    out: dict[str, list[list[str]]] = {}
    for ws in book.worksheets:
        if ws.title not in SHEETS:
            continue
        out[ws.title] = [
            ["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)
        ]
    book.close()
    return out


def read_tables(path: Path | str) -> Tables:
    """The sheets of a folder of `{sheet}.csv` files or of an .xlsx file, cells checked.

    Raises TablesInvalid with every problem (unknown or missing columns, empty required
    cells, values outside a column's fixed choices); BadInput when the path is unreadable.
    """
    path = Path(path)
    raw: dict[str, list[list[str]]] = {}
    if path.is_dir():
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
        if not lines:
            problems.append(Problem(name, None, None, "the sheet is empty (no header row)"))
            continue
        header = [h.strip() for h in lines[0]]
        while header and not header[-1]:
            header.pop()
        for i, h in enumerate(header):
            if h not in sheet.names:
                problems.append(Problem(name, 1, h or f"#{i + 1}", "unknown column"))
        for c in sheet.columns:
            if c.required and c.name not in header:
                problems.append(Problem(name, 1, c.name, "required column missing"))
        rows: list[Row] = []
        for n, values in enumerate(lines[1:], start=2):
            if not any(v.strip() for v in values):
                continue
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
            rows.append(row)
        tables.sheets[name] = rows
    if problems:
        raise TablesInvalid(str(path), problems)
    return tables
