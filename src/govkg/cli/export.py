"""`govkg export`: the merged graph (ontology + data) as RDF, optionally with entailments."""

from __future__ import annotations

from pathlib import Path

import click

from govkg.cli.options import endpoint_options, output_option
from govkg.errors import EXIT_CODES_HELP
from govkg.export import EXPORT_FORMATS


@click.command("export", epilog=EXIT_CODES_HELP)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(list(EXPORT_FORMATS)),
    default="ttl",
    show_default=True,
    help="RDF serialisation.",
)
@click.option(
    "--inferred",
    is_flag=True,
    help="Add the OWL-RL entailments, so standard ORG/SKOS/PROV queries see every fact.",
)
@click.option(
    "--data-only",
    is_flag=True,
    help="Leave the ontology out: only the facts and their evidence.",
)
@click.option(
    "--alone",
    is_flag=True,
    help="Export only FILES (e.g. to convert their format), not the bundled graph.",
)
@output_option()
@endpoint_options(
    help="Export the whole graph of this SPARQL 1.1 endpoint instead (credentials from "
    "$GOVKG_ENDPOINT_USER/$GOVKG_ENDPOINT_PASSWORD or $GOVKG_ENDPOINT_TOKEN)."
)
def export_command(
    files: tuple[Path, ...],
    fmt: str,
    inferred: bool,
    data_only: bool,
    alone: bool,
    output: Path | None,
    endpoint: str | None,
    graph: str | None,
) -> None:
    """Write the merged graph (ontology + data + any FILES); same input, same bytes.

    \b
    Examples:
      govkg export -o govkg.ttl
      govkg export --format jsonld --inferred -o govkg-inferred.jsonld
      govkg export my-bodies.ttl --alone --format nt
    """
    from govkg.errors import BadInput

    if alone and not files:
        raise BadInput("--alone needs at least one FILE to export")
    from govkg.export import serialize
    from govkg.load import load_graph
    from govkg.output import progress, write_output

    if endpoint:
        from govkg.remote.commands import export_remote, no_files

        no_files(files, "export")
        kg = export_remote(endpoint, graph)
    else:
        with progress("Loading", total=None):
            kg = load_graph(files, ontology=not (data_only or alone), data=not alone)
    if inferred:
        from govkg.reason import inferred_graph

        with progress("Computing OWL-RL closure", total=None):
            graph = inferred_graph(kg)
    else:
        graph = kg.rdflib()
    with progress(f"Serialising {fmt}", total=None):
        payload = serialize(graph, fmt)
    write_output(output, payload)
