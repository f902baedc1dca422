"""`govkg serve`: the graph over HTTP: SPARQL 1.1 endpoint, entity pages, query page."""

from __future__ import annotations

from pathlib import Path

import click

from govkg.cli.options import files_option, inferred_option, timeout_option
from govkg.errors import EXIT_CODES_HELP


@click.command(
    "serve",
    epilog="Read-only is the only mode. Queries run under the same rules as `govkg query`: "
    "no updates, no SERVICE, no FROM, a time limit, a row cap. The default host is loopback "
    "only; another --host serves other machines (a warning says so). For deployment behind "
    "a real server use the WSGI app govkg.web.wsgi:create(). " + EXIT_CODES_HELP,
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
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Rows (or triples) one answer carries at most; X-SPARQL-MaxRows marks a cut answer.",
)
@click.option(
    "--max-running",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Queries evaluated at once (/sparql texts; canned queries have as many slots of "
    "their own); every open connection may wait, 10 s at most, then 503.",
)
@click.option(
    "--cache-mb",
    type=click.IntRange(min=0),
    default=64,
    show_default=True,
    help="Memory for answers to repeated requests (the graph is read-only); 0: no cache.",
)
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Server processes forked after the load, sharing the graph and the port (each "
    "with its own query workers); 2 on a 2-core machine renders pages on both cores.",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not log requests to standard error.")
def serve_command(
    files: tuple[Path, ...],
    alone: bool,
    inferred: bool,
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    max_running: int,
    cache_mb: int,
    processes: int,
    quiet: bool,
) -> None:
    """Serve the graph at http://HOST:PORT/ until Ctrl-C.

    \b
    /                  query page: SPARQL editor, canned queries, search by label
    /sparql            SPARQL 1.1 Protocol (GET, POST); without a query: service description
    /id/..., /def      the dataset's IRIs: HTML pages or RDF (Accept, ?format=)
    /queries/NAME      a canned query, ?param=...
    /.well-known/void  VoID/DCAT description; /dumps/govkg.ttl the whole graph
    """
    from govkg.cli.options import load_files
    from govkg.serve import LOOPBACK, MAX_CONNECTIONS, make_server, serve_until_stopped
    from govkg.web.admission import Admission

    if host not in LOOPBACK:
        click.echo(
            f"govkg: warning: --host {host} serves every machine that can reach it, not only "
            "this one (read-only, with limits)",
            err=True,
        )
    kg = load_files(files, alone, inferred=inferred)
    waiting = max(8 * max_running, MAX_CONNECTIONS)
    server = make_server(
        kg,
        host,
        port,
        timeout=timeout,
        quiet=quiet,
        max_rows=max_rows,
        # every open connection may wait for a slot (the wait is bounded, not the line);
        # the canned queries have slots of their own, which /sparql texts cannot take
        admission=Admission(running=max_running, waiting=waiting),
        canned=Admission(running=max_running, waiting=waiting),
        cache_bytes=cache_mb * 1024 * 1024,
    )
    click.echo(f"govkg: SPARQL endpoint at {server.url} (Ctrl-C to stop)")
    serve_until_stopped(server, processes)
