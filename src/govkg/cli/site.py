"""`govkg site`: the entity pages, ontology documentation, dumps and VoID as a static site."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from govkg.cli.options import files_option
from govkg.errors import EXIT_CODES_HELP

EVERY = 100
"""Off a terminal, a progress line on stderr every EVERY pages."""


@contextmanager
def page_progress(total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal; elsewhere (a log, CI) a line every EVERY pages."""
    from govkg.output import is_terminal, progress

    if is_terminal():
        with progress("Writing pages", total=total) as advance:
            yield advance
        return
    done = 0

    def advance(n: int = 1) -> None:
        nonlocal done
        before, done = done, done + n
        if done // EVERY > before // EVERY or (done == total and before < total):
            click.echo(f"govkg: site: {done}/{total} pages", err=True)

    yield advance


@click.command("site", epilog=EXIT_CODES_HELP)
@files_option()
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write (new, empty, or a site govkg wrote before; replaced atomically).",
)
@click.option(
    "--target",
    default="",
    metavar="URL",
    help="Where the site will be hosted: also write w3id.htaccess, the w3id.org/govkg/ "
    "redirect rules (303 + content negotiation) pointing there.",
)
def site_command(files: tuple[Path, ...], alone: bool, out: Path, target: str) -> None:
    """Write every page `govkg serve` shows for the dataset's IRIs as static files.

    \b
    Each IRI https://w3id.org/govkg/id/X becomes id/X.html, .ttl, .nt, .jsonld and .rdf;
    /def becomes def.html (the ontology's documentation); dumps/ holds the whole graph;
    void.ttl describes the data set; .htaccess does content negotiation on Apache.
    An IRI that cannot be a portable file name inside the folder (dot segments, percent
    escapes, `\\`, controls, over-long names, names differing only in case) is refused by
    name, exit 2, before anything is written.
    Example:  govkg site -o public --target https://example.org/govkg
    """
    from govkg.cli.options import load_files
    from govkg.web import publish
    from govkg.web.app import App

    if target and not target.startswith(("https://", "http://")):
        from govkg.errors import BadInput

        raise BadInput(f"--target {target!r} is not an http(s) URL")
    app = App(load_files(files, alone))
    iris = publish.documents(app)
    with page_progress(len(iris) + 1) as advance:
        count = publish.write_site(app, out, target=target, advance=advance, iris=iris)
    click.echo(f"govkg: wrote {count} pages to {out}", err=True)
