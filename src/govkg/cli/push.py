"""`govkg push`: publish the graph to a triple store through the Graph Store HTTP Protocol."""

from __future__ import annotations

from pathlib import Path

import click

from govkg.cli.options import (
    endpoint_options,
    files_option,
    max_answer_option,
    timeout_option,
)
from govkg.errors import EXIT_CODES_HELP


@click.command(
    "push",
    epilog="Credentials: $GOVKG_ENDPOINT_USER and $GOVKG_ENDPOINT_PASSWORD (HTTP Digest or "
    "Basic, as the store asks), or $GOVKG_ENDPOINT_TOKEN (Bearer); never on the command line. "
    + EXIT_CODES_HELP,
)
@files_option("Push only FILES, not the bundled graph.")
@endpoint_options(
    required=True,
    help="The store's SPARQL 1.1 query endpoint (used to count what arrived).",
    graph_help="The named graph to write.",
)
@click.option(
    "--store",
    metavar="URL",
    default=None,
    help="The store's Graph Store HTTP Protocol endpoint [default: beside --endpoint for "
    "Oxigraph (/query -> /store) and Virtuoso (/sparql -> /sparql-graph-crud, /sparql-auth "
    "-> /sparql-graph-crud-auth)].",
)
@click.option(
    "--update-endpoint",
    "update",
    metavar="URL",
    default=None,
    help="The store's SPARQL 1.1 Update endpoint, for the one-step move from the staging graph "
    "[default: beside --endpoint for Oxigraph and Fuseki (/query -> /update) and Virtuoso "
    "(/sparql-auth; /sparql, or /sparql-auth when credentials are set)].",
)
@click.option("--replace", is_flag=True, help="Replace the graph's content instead of adding.")
@click.option(
    "--non-atomic",
    is_flag=True,
    help="Send the chunks straight into GRAPH, without a staging graph and SPARQL Update (for "
    "stores that take none); a failure then says how much was stored.",
)
@click.option("--force", is_flag=True, help="Push even when the data does not conform.")
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Triples per request.",
)
@timeout_option(60.0)
@max_answer_option()
@click.pass_context
def push_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    endpoint: str,
    graph: str,
    store: str | None,
    update: str | None,
    replace: bool,
    non_atomic: bool,
    force: bool,
    alone: bool,
    chunk_size: int,
    timeout: float,
    max_answer: int | None,
) -> None:
    """Push the merged graph (ontology + data + any FILES) into GRAPH of a triple store.

    The data is validated first (as `govkg validate` does) and refused if it does not
    conform, unless --force. It is sent in chunks to a staging graph; when the store counts
    all of it there, one SPARQL Update moves it onto GRAPH (--replace) or adds it, so GRAPH
    changes in one step or not at all. A failure says what GRAPH then holds.

    \b
    Examples:
      govkg push --endpoint http://127.0.0.1:7878/query --graph https://w3id.org/govkg/graph
      govkg push my-bodies.ttl --endpoint http://127.0.0.1:8890/sparql-auth \\
          --graph https://example.org/govkg --replace
    """
    from govkg.remote.commands import push_command_body

    ctx.exit(
        push_command_body(
            files,
            endpoint=endpoint,
            graph=graph,
            store=store,
            update=update,
            replace=replace,
            non_atomic=non_atomic,
            force=force,
            alone=alone,
            chunk_size=chunk_size,
            timeout=timeout,
            max_answer=max_answer,
        )
    )
