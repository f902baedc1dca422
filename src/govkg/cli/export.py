"""`govkg export`: the merged graph (ontology + data) as RDF, optionally with entailments."""

from __future__ import annotations

from pathlib import Path

import click

from govkg.cli.options import endpoint_options, files_option, output_option, remote_limits_options
from govkg.errors import EXIT_CODES_HELP
from govkg.export import EXPORT_FORMATS


@click.command("export", epilog=EXIT_CODES_HELP)
@files_option("Export only FILES (e.g. to convert their format), not the bundled graph.")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(list(EXPORT_FORMATS)),
    default="ttl",
    show_default=True,
    help="RDF serialisation (nq and trig keep ontology, data, shapes and inferred triples in "
    "separate named graphs).",
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
    "--shapes",
    "with_shapes",
    is_flag=True,
    help="Also export the bundled SHACL shapes (their own named graph in nq and trig).",
)
@output_option()
@endpoint_options(
    help="Export the whole graph of this SPARQL 1.1 endpoint instead (credentials from "
    "$GOVKG_ENDPOINT_USER/$GOVKG_ENDPOINT_PASSWORD or $GOVKG_ENDPOINT_TOKEN)."
)
@remote_limits_options()
def export_command(
    files: tuple[Path, ...],
    alone: bool,
    fmt: str,
    inferred: bool,
    data_only: bool,
    with_shapes: bool,
    output: Path | None,
    endpoint: str | None,
    graph: str | None,
    timeout: float | None,
    max_answer: int | None,
) -> None:
    """Write the merged graph (ontology + data + any FILES); same input, same bytes.

    \b
    Examples:
      govkg export -o govkg.ttl
      govkg export --format jsonld --inferred -o govkg-inferred.jsonld
      govkg export my-bodies.ttl --alone --format nt
    """
    from govkg.cli.options import load_files
    from govkg.export import export
    from govkg.output import open_output, progress

    if endpoint:
        from govkg.remote.client import DEFAULT_TIMEOUT
        from govkg.remote.commands import export_remote, no_files

        no_files(files, "export")
        kg = export_remote(endpoint, graph, timeout or DEFAULT_TIMEOUT, max_answer)
        if inferred:
            kg.add_inferred()
    else:
        kg = load_files(files, alone, ontology=not data_only, shapes=with_shapes, inferred=inferred)
    with open_output(output) as out, progress(f"Writing {fmt}", total=len(kg)) as advance:
        export(kg, out, fmt, advance)
