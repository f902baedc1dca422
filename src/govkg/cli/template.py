"""`govkg template`: write the documented fact-table template a contributor fills in."""

from __future__ import annotations

from pathlib import Path

import click

from govkg.cli.options import lang_option
from govkg.errors import EXIT_CODES_HELP


@click.command("template", epilog=EXIT_CODES_HELP)
@lang_option("Language of the column notes.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="FILE.xlsx for a workbook, or a folder for CSV sheets with a README.md.",
)
def template_command(lang: str, output: Path) -> None:
    """Write the fact-table template: one sheet per kind, a note on every column, and the
    allowed values (fixed choices, concept schemes, classes, places) as drop-down lists.

    Fill it and turn it into Turtle with `govkg import`.
    """
    from govkg import resources
    from govkg.tables.template import write_template
    from govkg.tables.vocab import allowed_values, vocabulary

    vocab = vocabulary(resources.ontology_files(), resources.data_files(), existing=False)
    write_template(output, allowed_values(vocab), lang)
    click.echo(f"wrote {output}", err=True)
