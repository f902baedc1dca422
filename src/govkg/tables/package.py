"""An .xlsx workbook read as untrusted input: its XML parts, and every row of its sheets.

`check_package`, before openpyxl sees the file: the zip must unpack to at most the file
limit, and every XML part (`.xml`, `.rels`, `.vml`) must be well-formed XML without a DTD,
as defusedxml's SAX parser (expat, with `forbid_dtd`) reads it. A part with a `<!DOCTYPE`
(where entity declarations live, and so entity expansion) is refused by name, exit 2.
openpyxl itself parses through defusedxml too, which it uses when it is installed (a
declared dependency; the tests check that it does).

`sheet_rows` reads a worksheet's XML with openpyxl's own cell parser, but row by row as the
XML has them: openpyxl's read-only sheets stop at the row the sheet's `<dimension>` names
and cut each row at its last column (a row or cell past it was silently dropped), and
skip a row that comes after a later one. Here every `<row>` and `<c>` is read; a row or
cell that appears twice, or rows out of order, are refused, so nothing is lost. A cell
whose value openpyxl cannot convert (an untyped cached value that is no number, a shared
string that does not exist), an error value (`#REF!`), and a formula cell without a plain
cached value (text, number or boolean: the value the spreadsheet last showed) are refused
by sheet, cell, row and column; a formula cell with such a value counts as that value.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from govkg.errors import BadInput, MissingDependency
from govkg.tables.schema import MAX_CELL_CHARS

XML_PARTS = (".xml", ".rels", ".vml")
MAX_ROW = 1_048_576
"""A spreadsheet's last row and column (Excel's, LibreOffice's): a cell past them is refused."""
MAX_COLUMN = 16_384


def check_package(data: bytes, path: Path) -> None:
    """Refuse a workbook that is no zip, unpacks past the file limit, or has an XML part
    that is not well-formed or holds a DTD (entity declarations, entity expansion)."""
    from xml.sax import SAXException
    from xml.sax.handler import ContentHandler, ErrorHandler

    try:
        import defusedxml.sax
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - a declared dependency
        raise MissingDependency("reading .xlsx needs defusedxml (pip install defusedxml)") from None

    from govkg.load import max_file_bytes

    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        infos = book.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as err:
        raise BadInput(
            f"{path}: not a readable .xlsx workbook (not a zip package: {err})"
        ) from None
    limit, total = max_file_bytes(), 0
    for info in infos:
        total += info.file_size
        if total > limit:
            raise BadInput(
                f"{path}: the workbook unpacks to more than the {limit} bytes govkg reads"
            )
    for info in infos:
        name = info.filename
        if not name.lower().endswith(XML_PARTS):
            continue
        try:
            with book.open(info) as part:
                defusedxml.sax.parse(part, ContentHandler(), ErrorHandler(), forbid_dtd=True)
        except DefusedXmlException as err:
            raise BadInput(
                f"{path}: {name}: a DTD (<!DOCTYPE …>) in the workbook's XML; entity "
                f"declarations and entity expansion are refused ({type(err).__name__})"
            ) from None
        except SAXException as err:
            line = getattr(err, "getLineNumber", lambda: None)()
            col = getattr(err, "getColumnNumber", lambda: None)()
            where = f"{name}:{line}:{col}" if line is not None else name
            reason = err.getMessage() if hasattr(err, "getMessage") else str(err)
            raise BadInput(f"{path}: {where}: not well-formed XML ({one_line(reason)})") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                RuntimeError, ValueError) as err:  # fmt: skip
            raise BadInput(
                f"{path}: {name}: cannot unpack this part of the workbook ({one_line(err)})"
            ) from None


def one_line(text: object, limit: int = 120) -> str:
    """`text` on one line, at most `limit` characters (a library's message may quote a
    whole cell, line breaks included)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class _CellRefused(Exception):
    def __init__(self, coordinate: str, message: str) -> None:
        self.coordinate = one_line(coordinate, 20)
        self.message = one_line(message, 200)


@cache
def _parser_class() -> type:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        """openpyxl's cell parser; a cell it cannot convert is refused by its coordinate,
        and each cell says whether it holds a formula."""

        def parse_cell(self, element: Any) -> dict:
            here = (
                element.get("r")
                or f"{get_column_letter(min(self.col_counter + 1, MAX_COLUMN))}{self.row_counter}"
            )
            try:
                cell = super().parse_cell(element)
            except Exception as err:  # openpyxl's conversion of this one cell's XML failed
                raise _CellRefused(here, f"a value that cannot be read ({one_line(err)})") from None
            cell["formula"] = element.find(FORMULA_TAG) is not None
            cell["where"] = here
            return cell

    return Parser


def _text(cell: dict) -> str:
    """The cell's value as the text the sheets hold."""
    value, kind = cell["value"], cell["data_type"]
    if cell["formula"] and (value is None or kind == "e"):
        raise _CellRefused(
            cell["where"],
            "a formula with no plain cached value; type the value itself, not a formula",
        )
    if kind == "e":
        raise _CellRefused(cell["where"], f"an error value ({value!r}); type the value itself")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise _CellRefused(cell["where"], f"a {type(value).__name__} value; type it as text")


def sheet_rows(path: Path, book: Any, ws: Any) -> list[tuple[int, list[str]]]:
    """Every row of the worksheet `ws` of the read-only `book`, as (row number, texts)."""
    from openpyxl.utils.exceptions import CellCoordinatesException, InvalidFileException

    part = ws._worksheet_path
    parser = _parser_class()(
        book._archive.open(part),
        ws._shared_strings,
        data_only=True,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    last = 0
    where = f"{path}: {ws.title}"
    try:
        for number, cells in parser.parse():
            if number <= last or number > MAX_ROW:
                what = "out of order or twice" if number <= last else f"past row {MAX_ROW}"
                raise BadInput(f"{where}:{number}: row {number} appears {what} in {part}")
            last = number
            values: list[str] = []
            for cell in cells:
                col = cell["column"]
                if col > MAX_COLUMN or cell["row"] != number:
                    raise _CellRefused(
                        cell["where"], f"a cell outside row {number} or past column {MAX_COLUMN}"
                    )
                if col <= len(values):
                    raise _CellRefused(cell["where"], "a cell that appears twice or out of order")
                values.extend([""] * (col - 1 - len(values)))
                text = _text(cell)
                if len(text) > MAX_CELL_CHARS:
                    raise _CellRefused(
                        cell["where"], f"a cell of {len(text)} characters; at most {MAX_CELL_CHARS}"
                    )
                values.append(text)
            if number == 1:
                header = [h.strip() for h in values]
            rows.append((number, values))
    except _CellRefused as err:
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

        try:
            letter, row = coordinate_from_string(err.coordinate)
            index = column_index_from_string(letter) - 1
            name = header[index] if 0 <= index < len(header) and header[index] else letter
            at = f"{row}:{name} (cell {err.coordinate})"
        except (ValueError, CellCoordinatesException):
            at = f"cell {err.coordinate!r}"
        raise BadInput(f"{where}:{at}: {err.message}") from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, ParseError,
            CellCoordinatesException, InvalidFileException) as err:  # fmt: skip
        after = f" after row {last}" if last else ""
        raise BadInput(
            f"{where}: unreadable worksheet XML ({part}){after}: {one_line(err)}"
        ) from None
    finally:
        parser.source.close()
    return rows
