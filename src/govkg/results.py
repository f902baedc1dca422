"""Result formats: the W3C ones through pyoxigraph, a table and Markdown for people.

SELECT results: table, csv, tsv, json, xml (W3C SPARQL results), md. CONSTRUCT/DESCRIBE:
ttl, nt, jsonld. ASK: true/false (or the W3C JSON/XML boolean document).
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pyoxigraph as ox

from govkg.errors import BadInput
from govkg.namespaces import PREFIXES, curie
from govkg.query import QueryResult

SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml", "md")
GRAPH_FORMATS = ("ttl", "nt", "jsonld")
FORMATS = SELECT_FORMATS + GRAPH_FORMATS

_W3C = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
_RDF = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def cell(term: Any) -> str:
    """A result term as people read it: IRIs as CURIEs, literals as their text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return curie(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def plain_table(headers: list[str], rows: list[list[str]]) -> str:
    """An aligned text table (for pipes and files; rich draws the one on a terminal)."""
    sizes = [width(h) for h in headers]
    for row in rows:
        sizes = [max(s, width(c)) for s, c in zip(sizes, row, strict=True)]
    lines = ["  ".join(_pad(h, s) for h, s in zip(headers, sizes, strict=True)).rstrip()]
    lines.append("  ".join("-" * s for s in sizes))
    lines += [
        "  ".join(_pad(c, s) for c, s in zip(row, sizes, strict=True)).rstrip() for row in rows
    ]
    return "\n".join(lines) + "\n"


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table; pipes and newlines inside cells escaped."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")

    lines = ["| " + " | ".join(esc(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def rich_table(headers: list[str], rows: list[list[str]]) -> str:
    """The same table drawn by rich, for a terminal."""
    import shutil

    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for h in headers:
        table.add_column(h, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console = Console(width=shutil.get_terminal_size().columns, record=True, force_terminal=True)
    with console.capture() as capture:
        console.print(table)
    return capture.get()


def _ask_document(value: bool, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}) + "\n"
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head></head><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        )
    return ("true" if value else "false") + "\n"


def default_format(result: QueryResult) -> str:
    return "ttl" if result.kind == "construct" else "table"


def render(result: QueryResult, fmt: str | None = None, *, tty: bool = False) -> bytes:
    """The result in one format, as bytes ready to write."""
    fmt = fmt or default_format(result)
    if result.kind == "ask":
        if fmt in GRAPH_FORMATS:
            raise BadInput(f"an ASK query gives true/false; --format {fmt} is for CONSTRUCT")
        return _ask_document(bool(result.boolean), fmt).encode("utf-8")
    if result.kind == "construct":
        if fmt == "table":
            fmt = "ttl"
        if fmt not in _RDF:
            raise BadInput(
                "a CONSTRUCT/DESCRIBE query gives triples: --format one of "
                + ", ".join(GRAPH_FORMATS)
            )
        prefixes = PREFIXES if fmt == "ttl" else None
        return ox.serialize(result.triples, format=_RDF[fmt], prefixes=prefixes) or b""
    if fmt in _W3C:
        solutions = ox.parse_query_results(result.json_results, format=ox.QueryResultsFormat.JSON)
        return solutions.serialize(format=_W3C[fmt])
    if fmt not in ("table", "md"):
        raise BadInput(f"a SELECT query gives a table: --format one of {', '.join(SELECT_FORMATS)}")
    rows = [[cell(t) for t in terms] for terms in result.terms]
    if fmt == "md":
        return markdown_table(result.variables, rows).encode("utf-8")
    if tty:
        return rich_table(result.variables, rows).encode("utf-8")
    return plain_table(result.variables, rows).encode("utf-8")
