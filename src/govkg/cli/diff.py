"""`govkg diff OLD NEW`: what a change adds, removes and alters, grouped by entity."""

from __future__ import annotations

from pathlib import Path

import click

from govkg.cli.options import lang_option, output_option
from govkg.errors import EXIT_CODES_HELP


@click.command("diff", epilog=EXIT_CODES_HELP)
@click.argument("old", type=click.Path(path_type=Path, exists=True))
@click.argument("new", type=click.Path(path_type=Path, exists=True))
@lang_option()
@output_option()
def diff_command(old: Path, new: Path, lang: str, output: Path | None) -> None:
    """Compare two graphs (Turtle files or folders of them): per entity, the facts added
    (+), removed (-) and altered (~, a property whose values changed), with labels in the
    chosen language. Exit 0 when they are the same, 1 when they differ."""
    from govkg.graphdiff import diff_graphs, load_side, render
    from govkg.output import write_output

    before, after = load_side(old), load_side(new)
    changes = diff_graphs(before, after)
    write_output(output, render(changes, lang, before, after))
    raise click.exceptions.Exit(1 if changes else 0)
