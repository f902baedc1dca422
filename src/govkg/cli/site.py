"""`govkg site`: the entity pages, ontology documentation, dumps and VoID as a static site."""

from __future__ import annotations

from pathlib import Path

import click

from govkg.errors import EXIT_CODES_HELP


@click.command("site", epilog=EXIT_CODES_HELP)
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
def site_command(out: Path, target: str) -> None:
    """Write every page `govkg serve` shows for the dataset's IRIs as static files.

    \b
    Each IRI https://w3id.org/govkg/id/X becomes id/X.html, .ttl, .nt, .jsonld and .rdf;
    /def becomes def.html (the ontology's documentation); dumps/ holds the whole graph;
    void.ttl describes the data set; .htaccess does content negotiation on Apache.
    Example:  govkg site -o public --target https://example.org/govkg
    """
    from govkg.load import load_graph
    from govkg.output import progress
    from govkg.web import publish
    from govkg.web.app import App

    if target and not target.startswith(("https://", "http://")):
        from govkg.errors import BadInput

        raise BadInput(f"--target {target!r} is not an http(s) URL")
    app = App(load_graph())
    with progress("Writing pages", total=len(publish.documents(app))) as advance:
        count = publish.write_site(app, out, target=target, advance=advance)
    click.echo(f"govkg: wrote {count} pages to {out}", err=True)
