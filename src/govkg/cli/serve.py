"""`govkg serve`: the bundled graph as a read-only SPARQL 1.1 Protocol endpoint over HTTP."""

from __future__ import annotations

from pathlib import Path

import click

from govkg.cli.options import files_option, inferred_option, timeout_option
from govkg.errors import EXIT_CODES_HELP


@click.command(
    "serve",
    epilog="Queries run under the same rules as `govkg query`: no updates, no SERVICE, no "
    "FROM, a time limit. The default host is loopback only; give --host 0.0.0.0 to serve "
    "other machines. " + EXIT_CODES_HELP,
)
@files_option()
@inferred_option()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=7878,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@timeout_option(30.0)
@click.option("-q", "--quiet", is_flag=True, help="Do not log requests to standard error.")
def serve_command(
    files: tuple[Path, ...],
    alone: bool,
    inferred: bool,
    host: str,
    port: int,
    timeout: float,
    quiet: bool,
) -> None:
    """Serve the graph at http://HOST:PORT/sparql until Ctrl-C.

    GET /sparql?query=… or POST it; GET / lists the canned queries, run them at
    /queries/NAME?param=…; GET /.well-known/void describes the data set.
    """
    from govkg.cli.options import load_files
    from govkg.serve import make_server, serve_until_stopped

    kg = load_files(files, alone, inferred=inferred)
    server = make_server(kg, host, port, timeout=timeout, quiet=quiet)
    click.echo(f"govkg: SPARQL endpoint at {server.url} (Ctrl-C to stop)")
    serve_until_stopped(server)
