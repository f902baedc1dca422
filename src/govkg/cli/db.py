"""`govkg db`: a persistent base, loaded once into an on-disk store (see `govkg.db`)."""

from __future__ import annotations

from pathlib import Path

import click

from govkg.cli.options import files_option
from govkg.errors import EXIT_CODES_HELP


@click.group("db", epilog=EXIT_CODES_HELP)
def db_command() -> None:
    """A persistent base: the merged graph loaded once into an on-disk store.

    `govkg validate --store DIR` then validates it, or a contribution against it, without
    loading anything again.
    """


@db_command.command("create", epilog=EXIT_CODES_HELP)
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@files_option("Load only FILES (and the ontology), not the bundled data.")
def create_command(folder: Path, files: tuple[Path, ...], alone: bool) -> None:
    """Create the store FOLDER from the ontology, the bundled data and FILES."""
    from govkg import db
    from govkg.cli.options import check_alone

    check_alone(files, alone)
    meta = db.create(folder, list(files), bundled=not alone)
    click.echo(f"{folder}: {meta['triples']} triples from {len(meta['files'])} files", err=True)


@db_command.command("add", epilog=EXIT_CODES_HELP)
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
def add_command(folder: Path, files: tuple[Path, ...]) -> None:
    """Add FILES to the store FOLDER (all parsed first: a bad file adds nothing)."""
    from govkg import db

    meta = db.add(folder, list(files))
    click.echo(f"{folder}: {meta['triples']} triples from {len(meta['files'])} files", err=True)


@db_command.command("info", epilog=EXIT_CODES_HELP)
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
def info_command(folder: Path) -> None:
    """What the store FOLDER holds: triples, files, the govkg version that wrote it."""
    from govkg import db

    meta = db.info(folder)
    click.echo(f"govkg store {folder} (format {meta['format']}, govkg {meta['govkg']})")
    click.echo(f"triples: {meta['triples']}")
    for f in meta["files"]:
        click.echo(f"file: {f['path']} ({f['bytes']} bytes, sha256 {f['sha256'][:12]})")
