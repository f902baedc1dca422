"""`govkg import`: turn a filled template into govkg Turtle with evidence for every row."""

from __future__ import annotations

from pathlib import Path

import click

from govkg.cli.options import source_option
from govkg.errors import EXIT_CODES_HELP


@click.command("import", epilog=EXIT_CODES_HELP)
@click.argument("table", type=click.Path(path_type=Path, exists=True))
@source_option(
    "A source text the quotes are taken from (matched to its source by SHA-256). "
    "Repeat for several; the bundled article is found by itself."
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="The Turtle file to write (atomically), or - for standard output.",
)
@click.option(
    "--alone",
    is_flag=True,
    help="The tables stand by themselves (e.g. from `govkg template --bundled`): not checked "
    "against or merged with the bundled graph, so their ids need not be new.",
)
def import_command(table: Path, sources: tuple[Path, ...], output: Path, alone: bool) -> None:
    """Turn TABLE (a folder of CSV sheets, one sheet's .csv, or an .xlsx) into Turtle.

    Every row is checked (schema, IRIs minted by the project's rule, known classes,
    properties, concepts, places and entities, each quote found verbatim in its source);
    the result is merged with the bundled graph and validated against the shapes. Every
    bad row is reported with sheet, row and column, and nothing is written unless all pass.
    """
    from govkg.output import write_output
    from govkg.tables.importer import import_tables, with_article
    from govkg.tables.read import TablesInvalid

    texts = with_article(sources)
    try:
        result = import_tables(table, texts, alone=alone)
    except TablesInvalid as err:
        for problem in err.problems:
            click.echo(f"govkg: error: {table}: {problem.text(err.folder)}", err=True)
        raise click.exceptions.Exit(1) from None
    write_output(output, result.turtle)
    click.echo(
        f"wrote {output}: {result.statements} stated and {result.derivations} derived "
        "triple(s), each stated by its quote or derived from quotes",
        err=True,
    )
