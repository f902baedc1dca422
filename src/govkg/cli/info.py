"""`govkg info`: what the graph holds, at a glance."""

from __future__ import annotations

import json
from pathlib import Path

import click

from govkg.cli.options import files_option, lang_option
from govkg.errors import EXIT_CODES_HELP


@click.command("info", epilog=EXIT_CODES_HELP)
@files_option()
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@lang_option()
def info_command(files: tuple[Path, ...], alone: bool, fmt: str, lang: str) -> None:
    """Triples, entities per class, provinces covered, source, version and licence."""
    from govkg.cli.options import load_files
    from govkg.info import describe

    summary = describe(load_files(files, alone), lang=lang)
    if fmt == "json":
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    click.echo(f"govkg {summary['version']}  ({summary['triples']} triples)")
    click.echo(f"dataset:   {summary['dataset'] or '-'}")
    click.echo(f"licence:   {summary['licence'] or '-'}")
    click.echo(f"source:    {summary['source'] or '-'}")
    if summary["source_sha256"]:
        click.echo(f"sha-256:   {summary['source_sha256']}")
    click.echo(
        f"provinces: {summary['provinces_covered']} of {summary['provinces']} "
        "provincial-level divisions have at least one stated body or group"
    )
    click.echo("entities:")
    width = max((len(k) for k in summary["entities"]), default=0)
    for label, count in summary["entities"].items():
        click.echo(f"  {label:<{width}}  {count:>5}")
