"""`govkg query` and `govkg queries`: run a canned or ad-hoc SPARQL query; list the canned ones."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from govkg.cli.options import (
    endpoint_options,
    files_option,
    inferred_option,
    lang_option,
    max_answer_option,
    output_option,
    timeout_option,
)
from govkg.errors import EXIT_CODES_HELP, BadInput

if TYPE_CHECKING:
    from govkg.query import Query

_FORMATS = ("table", "csv", "tsv", "json", "xml", "md", "ttl", "nt", "jsonld")


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise BadInput(f"--param {item!r}: write it as NAME=VALUE")
        params[key.strip()] = value
    return params


@click.command(
    "query",
    epilog="Parameters are bound as RDF terms (an IRI if the value is one or a CURIE with a "
    "govkg prefix, else a literal), never pasted into the query text. " + EXIT_CODES_HELP,
)
@click.argument("query", metavar="NAME|FILE.rq|-")
@files_option()
@inferred_option()
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a query parameter (repeatable).",
)
@lang_option()
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(_FORMATS),
    default=None,
    help="Output format [default: table for SELECT/ASK, ttl for CONSTRUCT].",
)
@output_option()
@timeout_option(60.0)
@click.option(
    "--sparql",
    "print_sparql",
    is_flag=True,
    help="Print the canned query as self-contained SPARQL 1.1 (PREFIX lines, parameters and "
    "language written in) for any store, instead of running it.",
)
@endpoint_options()
@max_answer_option()
@click.option(
    "--strict",
    is_flag=True,
    help="With --endpoint: exit 1 when the answer is empty because the graph asked for is "
    "not in the store (or, without --graph, the default graph is empty).",
)
def query_command(
    query: str,
    files: tuple[Path, ...],
    alone: bool,
    inferred: bool,
    params: tuple[str, ...],
    lang: str,
    fmt: str | None,
    output: Path | None,
    timeout: float,
    print_sparql: bool,
    endpoint: str | None,
    graph: str | None,
    max_answer: int | None,
    strict: bool,
) -> None:
    """Run a canned query by NAME (see `govkg queries`), a FILE.rq, or SPARQL read from '-'.

    Project prefixes (gk:, gkr:, org:, skos:, ...) need no PREFIX lines. FILES are merged
    into the bundled graph (or queried alone with --alone).
    """
    from govkg.cli.options import load_files
    from govkg.output import write_output
    from govkg.query import run_query
    from govkg.results import render

    bound = _parse_params(params)
    if (strict or max_answer is not None) and not endpoint:
        raise BadInput("--strict and --max-answer apply to --endpoint: give --endpoint")
    hint = None
    if print_sparql:  # the text any SPARQL 1.1 store runs with the same answers
        from govkg.catalogue import find_canned

        if query == "-" or query.endswith(".rq"):
            raise BadInput("--sparql takes a canned query NAME (see `govkg queries`)")
        write_output(output, find_canned(query).sparql(bound, lang))
        return
    if endpoint:
        from govkg.remote.commands import query_remote

        result, hint = query_remote(
            endpoint, graph, _query(query), bound, lang, timeout, max_answer
        )
    else:
        kg = load_files(files, alone, inferred=inferred, queries_only=True)
        result = run_query(kg, _query(query), bound, lang=lang, timeout=timeout)
    tty = (output is None or str(output) == "-") and sys.stdout.isatty()
    write_output(output, render(result, fmt, tty=tty))
    if strict and hint:
        from govkg.errors import EXIT_PROBLEMS

        click.get_current_context().exit(EXIT_PROBLEMS)


def _query(argument: str) -> Query:
    """The argument as the user meant it: '-' standard input, *.rq a file, else a name."""
    from govkg.inputs import decode_utf8
    from govkg.query import MAX_QUERY_CHARS, Query

    if argument == "-":
        data = sys.stdin.buffer.read(MAX_QUERY_CHARS * 4 + 1)
        text = decode_utf8(data, "<stdin>")
        if not text.strip():
            raise BadInput("no query on standard input")
        return Query.from_text(text, "<stdin>")
    if argument.endswith(".rq"):
        return Query.from_file(argument)
    return Query.canned(argument)


@click.command("queries", epilog=EXIT_CODES_HELP)
@lang_option()
@click.option("-v", "--verbose", is_flag=True, help="Also show description, parameters, columns.")
def queries_command(lang: str, verbose: bool) -> None:
    """List the canned queries with their titles."""
    from govkg.catalogue import catalogue

    items = catalogue()
    size = max((len(q.name) for q in items), default=0)
    for q in items:
        params = " ".join(
            f"{p.name}=" + (p.default if p.default is not None else "…")
            for p in q.params
            if p.name != "lang"
        )
        click.echo(f"{q.name:<{size}}  {q.title(lang)}" + (f"  [{params}]" if params else ""))
        if verbose:
            click.echo(f"{'':<{size}}  {q.description}")
            click.echo(f"{'':<{size}}  columns: {', '.join(q.columns)}")
            for p in q.params:
                click.echo(f"{'':<{size}}  param {p.name}: {p.description}")
            for ex in q.examples:
                click.echo(f"{'':<{size}}  e.g. {ex}")
