"""`govkg template`: write the documented fact-table template a contributor fills in."""

from __future__ import annotations

from pathlib import Path

import click

from govkg.cli.options import lang_option, source_option
from govkg.errors import EXIT_CODES_HELP, BadInput


@click.command("template", epilog=EXIT_CODES_HELP)
@lang_option("Language of the column notes.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="FILE.xlsx for a workbook, or a folder for CSV sheets with a README.md.",
)
@click.option(
    "--from",
    "graphs",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Fill the template with the facts of this govkg graph (RDF file; repeat for "
    "several): the sheets `govkg import --alone` compiles back to exactly this graph.",
)
@click.option(
    "--bundled",
    is_flag=True,
    help="Fill the template with the bundled data (what data/tables holds): start here to "
    "extend the current facts.",
)
@source_option(
    "With --from/--bundled: a source text the quotes are counted in (matched by "
    "SHA-256). The bundled article is found by itself."
)
def template_command(
    lang: str, output: Path, graphs: tuple[Path, ...], bundled: bool, sources: tuple[Path, ...]
) -> None:
    """Write the fact-table template: one sheet per kind, a note on every column, and the
    allowed values (fixed choices, concept schemes, classes, places) as drop-down lists.

    Fill it and turn it into Turtle with `govkg import`. With --from or --bundled the sheets
    hold a graph's facts; a triple no sheet can express is refused by name (exit 2) and
    nothing is written. A graph of its own (the bundled data, `import --alone` output)
    imports back with `govkg import --alone`; one that extends the bundled graph (`govkg
    import` output) with `govkg import`.

    \b
      govkg template --bundled -o facts.xlsx
      govkg template --from my.ttl --source article.txt -o my-tables
    """
    from govkg import resources
    from govkg.tables.template import write_template
    from govkg.tables.vocab import allowed_values, vocabulary

    if graphs and bundled:
        raise BadInput("give --from FILE… or --bundled, not both")
    if sources and not (graphs or bundled):
        raise BadInput("--source needs --from or --bundled")
    tables = None
    if graphs or bundled:
        from govkg.tables.importer import with_article
        from govkg.tables.roundtrip import extract_checked, load, table_files

        texts = with_article(sources)
        tables, alone = extract_checked(load(list(graphs) or table_files()), texts)
    vocab = vocabulary(resources.ontology_files(), resources.data_files(), existing=False)
    write_template(output, allowed_values(vocab), lang, tables, check_back=True)
    click.echo(f"wrote {output}", err=True)
    if tables is not None:
        how = "govkg import --alone" if alone else "govkg import (it extends the bundled graph)"
        click.echo(
            f"the sheets (read back from the written files) compile back to exactly the "
            f"graph with {how}",
            err=True,
        )
