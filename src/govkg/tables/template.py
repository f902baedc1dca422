"""Write the fact tables' template: an .xlsx workbook or a folder of CSV files, documented.

One sheet per kind (the schema's sheets), the machine-readable column names in row 1 (so a
filled template imports as is), a note on every column in the chosen language, and the
allowed values of a column (fixed choices, concept schemes, classes, places) as drop-down
lists in the workbook and listed in the folder's README.md. With `tables`, the sheets are
filled with those rows (how the round-trip test exports the project's own tables).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from govkg.errors import BadInput
from govkg.tables.read import Tables
from govkg.tables.schema import FORMULA_START, LIST_SEPARATOR, SHEETS, Sheet, protect_csv

TITLE = {
    "en": "govkg fact tables: one row per fact, each with its quote",
    "zh": "govkg 事实表:每行一个事实,各附原文引文",
}
INTRO = {
    "en": (
        "Fill one sheet per kind. Row 1 holds the column names: keep them. Several values in "
        f"one cell are separated by '{LIST_SEPARATOR}'. Every fact is a row of 'statements' "
        "naming its quote in 'quotes' (verbatim, at most 70 characters); what you conclude "
        "rather than read goes to 'derivations' with the method and the quotes. Then run: "
        "govkg import FILE --source ARTICLE.txt -o new.ttl"
    ),
    "zh": (
        "每类一张表。第1行为列名,请勿改动。一个单元格内的多个值以“"
        f"{LIST_SEPARATOR}”分隔。每个事实是“statements”表中的一行,并注明其在“quotes”表中的"
        "引文(逐字,不超过70字);推断而非原文所述的内容写入“derivations”表,注明方法与依据"
        "的引文。然后运行:govkg import 文件 --source 文章.txt -o new.ttl"
    ),
}

TEXT_ONLY = {
    "en": (
        "Every cell is read as text, never evaluated: a formula cell counts as the plain value "
        "it last showed (refused when it has none), and cells govkg writes are never formulas. "
        "In the CSV sheets, a text that begins with =, +, -, @, a tab or a line break, or with "
        "an apostrophe, is written with one apostrophe in front ('=A1, ''quoted), and "
        "`govkg import` takes one leading apostrophe off every CSV cell: so write ''x for a "
        "text that begins with an apostrophe. The .xlsx sheets need no apostrophe: their "
        "text cells are typed as text."
    ),
    "zh": (
        "每个单元格都按文本读取,从不计算:公式单元格只取其上次显示的普通值(没有则拒绝),"
        "govkg 写出的单元格从不是公式。CSV 表中,以 =、+、-、@、制表符、换行符或撇号开头的文本,"
        "写出时前加一个撇号('=A1、''quoted),govkg import 读取每个 CSV 单元格时去掉一个开头的"
        "撇号:以撇号开头的文本请写作 ''x。.xlsx 表的文本单元格已标为文本,无需撇号。"
    ),
}
"""How the template keeps text from being taken for a formula (schema.CSV_ESCAPE)."""


def _note(sheet: Sheet, name: str, lang: str) -> str:
    col = sheet.column(name)
    text = col.zh if lang == "zh" else col.en
    flags = []
    if col.required:
        flags.append("必填" if lang == "zh" else "required")
    if col.many:
        flags.append(("可填多个,以" if lang == "zh" else "several, separated by ") + LIST_SEPARATOR)
    return text + (f" ({'; '.join(flags)})" if flags else "")


def _rows(tables: Tables | None, sheet: Sheet) -> list[list[str]]:
    if tables is None:
        return []
    return [[row.get(c) for c in sheet.names] for row in tables.rows(sheet.name)]


def readme(allowed: dict[tuple[str, str], list[str]], lang: str) -> str:
    """The folder template's README.md: every sheet, column, note and allowed value."""
    out = [f"# {TITLE[lang]}", "", INTRO[lang], "", TEXT_ONLY[lang], ""]
    for sheet in SHEETS.values():
        out += [f"## {sheet.name}.csv", "", sheet.zh if lang == "zh" else sheet.en, ""]
        head = ("列", "说明", "可选值") if lang == "zh" else ("column", "note", "allowed values")
        out += [f"| {head[0]} | {head[1]} | {head[2]} |", "|---|---|---|"]
        for col in sheet.columns:
            values = ", ".join(allowed.get((sheet.name, col.name), []))
            out.append(f"| `{col.name}` | {_note(sheet, col.name, lang)} | {values} |")
        out.append("")
    return "\n".join(out)


def folder_files(
    allowed: dict[tuple[str, str], list[str]], lang: str, tables: Tables | None
) -> dict[str, str]:
    """The folder template's files (name -> text): one CSV per sheet and a README.md."""
    files = {}
    for sheet in SHEETS.values():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(sheet.names)
        w.writerows([protect_csv(v) for v in row] for row in _rows(tables, sheet))
        files[f"{sheet.name}.csv"] = buf.getvalue()
    files["README.md"] = readme(allowed, lang)
    return files


def _as_text(cell: object) -> None:
    """A text cell that a spreadsheet could take for a formula (it begins with a character
    of FORMULA_START) stays text: typed as a string (openpyxl makes a formula of any text
    beginning with `=`), and marked quotePrefix, so editing it keeps it text too."""
    value = getattr(cell, "value", None)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"  # type: ignore[attr-defined]
        cell.quotePrefix = True  # type: ignore[attr-defined]


def workbook_bytes(
    allowed: dict[tuple[str, str], list[str]], lang: str, tables: Tables | None
) -> bytes:
    """An .xlsx with a README sheet, one sheet per kind and a sheet of allowed values."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    about = book.active
    about.title = "README"
    about.append([TITLE[lang]])
    about["A1"].font = Font(bold=True)
    about.append([INTRO[lang]])
    about.append([TEXT_ONLY[lang]])
    about.append([])
    about.append(["sheet", "column", "note", "allowed values"])
    values = book.create_sheet("allowed")
    lists: dict[tuple[str, str], str] = {}
    for i, (key, vals) in enumerate(sorted(allowed.items()), start=1):
        letter = get_column_letter(i)
        values.cell(row=1, column=i, value=f"{key[0]}.{key[1]}")
        for j, v in enumerate(vals, start=2):
            values.cell(row=j, column=i, value=v)
        last = max(2, len(vals) + 1)
        lists[key] = f"{quote_sheetname('allowed')}!${letter}$2:${letter}${last}"
    for sheet in SHEETS.values():
        ws = book.create_sheet(sheet.name)
        ws.append(sheet.names)
        for n, name in enumerate(sheet.names, start=1):
            cell = ws.cell(row=1, column=n)
            cell.font = Font(bold=True)
            cell.comment = Comment(_note(sheet, name, lang), "govkg")
            ws.column_dimensions[get_column_letter(n)].width = 24
            note = _note(sheet, name, lang)
            about.append([sheet.name, name, note, ", ".join(allowed.get((sheet.name, name), []))])
            key = (sheet.name, name)
            if key in lists and not sheet.column(name).many:
                dv = DataValidation(type="list", formula1=lists[key], allow_blank=True)
                ws.add_data_validation(dv)
                dv.add(f"{get_column_letter(n)}2:{get_column_letter(n)}5000")
        for row in _rows(tables, sheet):
            ws.append(row)
        ws.freeze_panes = "A2"
    book.move_sheet("allowed", offset=len(book.sheetnames))
    for ws in book.worksheets:
        for line in ws.iter_rows():
            for cell in line:
                _as_text(cell)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def write_template(
    target: Path, allowed: dict[tuple[str, str], list[str]], lang: str = "en",
    tables: Tables | None = None, check_back: bool = False,
) -> None:  # fmt: skip
    """FILE.xlsx gives a workbook; any other path a folder of CSV sheets and a README.md.

    With `check_back`, the files are first read back as `govkg import` reads them (from a
    temporary copy) and must give exactly `tables`' cells and pass the sheets' checks;
    otherwise nothing is written and the first cell that differs is named.
    """
    from govkg.output import write_output

    if lang not in TITLE:
        raise BadInput(f"unknown language {lang!r}; one of {', '.join(TITLE)}")
    files: dict[str, bytes | str]
    if target.suffix.lower() == ".xlsx":
        files = {target.name: workbook_bytes(allowed, lang, tables)}
        folder = target.parent
    elif target.suffix:
        raise BadInput(f"{target}: write FILE.xlsx or a folder (no suffix)")
    else:
        files = dict(folder_files(allowed, lang, tables))
        folder = target
    if check_back and tables is not None:
        _check_back(target, files, tables)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        write_output(folder / name, data)  # each file whole or not at all


def _check_back(target: Path, files: dict[str, bytes | str], tables: Tables) -> None:
    """Refuse (BadInput) unless `files` read back to exactly the cells of `tables`."""
    import tempfile

    from govkg.tables.read import TablesInvalid, read_tables

    with tempfile.TemporaryDirectory(prefix="govkg-template-") as tmp:
        trial = Path(tmp) / (target.name if target.suffix else "sheets")
        where = trial.parent if target.suffix else trial
        where.mkdir(exist_ok=True)
        for name, data in files.items():
            path = where / name
            if isinstance(data, str):
                path.write_text(data, encoding="utf-8")
            else:
                path.write_bytes(data)
        try:
            back = read_tables(trial)
        except TablesInvalid as err:
            raise BadInput(
                f"{target}: the sheets would not import: {err.problems[0].text(err.folder)}"
            ) from None
    for sheet in SHEETS.values():
        want = [r for r in _rows(tables, sheet) if any(v.strip() for v in r)]
        got = [[row.get(c) for c in sheet.names] for row in back.rows(sheet.name)]
        for n, (w, g) in enumerate(zip(want, got, strict=False), start=2):
            for c, a, b in zip(sheet.names, w, g, strict=True):
                if a != b:
                    raise BadInput(
                        f"{target}: {sheet.name}:{n}:{c} would read back as {b!r}, not {a!r}"
                    )
        if len(want) != len(got):
            raise BadInput(
                f"{target}: {sheet.name}: {len(got)} row(s) would read back, not {len(want)}"
            )
