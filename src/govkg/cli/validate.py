"""`govkg validate`: check new data (or the bundled graph) against the SHACL shapes."""

from __future__ import annotations

from pathlib import Path

import click

from govkg.cli.options import (
    check_alone,
    endpoint_options,
    files_option,
    lang_option,
    output_option,
    remote_limits_options,
)
from govkg.errors import EXIT_CODES_HELP, EXIT_OK, EXIT_PROBLEMS


@click.command("validate", epilog=EXIT_CODES_HELP)
@files_option(
    "Check only FILES, not merged with the bundled data (so they may not refer to existing "
    "bodies). The ontology is always merged in for the class hierarchy."
)
@click.option(
    "--shapes",
    "shapes_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder of shapes (*.ttl) to use instead of the bundled shapes.",
)
@click.option(
    "--all-results",
    is_flag=True,
    help="With FILES: also report what the shapes say about the bundled graph itself "
    "(by default only results located in FILES are reported and counted).",
)
@click.option(
    "--inference",
    type=click.Choice(["none", "rdfs", "owlrl"]),
    default="none",
    show_default=True,
    help="Inference before validating (owlrl is much slower).",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "pyshacl", "oxigraph"]),
    default="auto",
    show_default=True,
    help="oxigraph: the shapes compiled to SPARQL on pyoxigraph (fast, linear); pyshacl: "
    "the reference engine; auto: oxigraph when it supports every construct of the shapes "
    "and no inference is asked for, else pySHACL. The report says which ran.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle", "json", "csv"]),
    default="text",
    show_default=True,
    help="text for people; turtle is the standard sh:ValidationReport; json/csv one row a result.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["violation", "warning", "info"]),
    default="violation",
    show_default=True,
    help="Exit 1 when there is a result of this severity or a more serious one.",
)
@lang_option("Language of the messages.")
@output_option("Write the report to this file (atomically) instead of standard output.")
@endpoint_options(
    help="Validate the data of this SPARQL 1.1 endpoint: only the triples the shapes use are "
    "fetched (credentials from $GOVKG_ENDPOINT_USER/$GOVKG_ENDPOINT_PASSWORD or "
    "$GOVKG_ENDPOINT_TOKEN)."
)
@remote_limits_options()
@click.option(
    "--store",
    "store",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Validate against this store (`govkg db create`) instead of loading the bundled "
    "graph: with FILES, only what FILES change; alone, the whole store.",
)
@click.option(
    "--remove",
    "remove",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A contribution that deletes: the triples of this file are taken out of the base "
    "(with FILES or alone; implies --incremental).",
)
@click.option(
    "--incremental",
    is_flag=True,
    help="Report exactly what FILES (and --remove) add to the base's results (and, on "
    "standard error, what they resolve), checking only the focus nodes they can affect.",
)
@click.option("-v", "--verbose", is_flag=True, help="Say how an incremental run was bounded.")
@click.pass_context
def validate_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    alone: bool,
    shapes_dir: Path | None,
    all_results: bool,
    inference: str,
    engine: str,
    fmt: str,
    fail_on: str,
    lang: str,
    output: Path | None,
    endpoint: str | None,
    graph: str | None,
    timeout: float | None,
    max_answer: int | None,
    store: Path | None,
    remove: tuple[Path, ...],
    incremental: bool,
    verbose: bool,
) -> None:
    """Validate FILES (or, with none, the bundled graph) against govkg's SHACL shapes.

    Results are grouped by the node they are about, with the shape ID (S01...), severity,
    message, offending value and the file and line the node comes from. Violations break the
    model, Warnings are missing recommended information, Infos list what the article leaves
    unknown.
    """
    from govkg.output import write_output
    from govkg.shacl import render, validate

    incremental = incremental or bool(remove) or (store is not None and bool(files))
    if incremental:
        from govkg.errors import BadInput
        from govkg.shacl.incremental import validate_contribution

        if endpoint or alone or all_results or inference != "none":
            raise BadInput(
                "an incremental run takes FILES, --remove, --store, --engine, --shapes only"
            )
        if not files and not remove:
            raise BadInput("--incremental needs FILES or --remove")
        report, change = validate_contribution(
            files, remove, store=store, engine=engine, shapes_dir=shapes_dir
        )
        click.echo(
            f"incremental: {len(change.new)} triple(s) added, {len(change.old)} removed; "
            f"{change.nodes} focus node(s) checked; {len(change.gone)} result(s) resolved",
            err=True,
        )
        if verbose:
            for shape, why in sorted(change.full.items()):
                click.echo(f"run in full: {shape} ({why})", err=True)
            for r in change.gone:
                click.echo(f"resolved: {r.shape} {r.focus} {r.message(lang)}", err=True)
    elif store is not None:
        from govkg import db
        from govkg.errors import BadInput
        from govkg.shacl import validate_graph

        if endpoint:
            raise BadInput("--store and --endpoint: choose one base")
        report = validate_graph(db.open_store(store), shapes_dir=shapes_dir, engine=engine)
    elif endpoint:
        from govkg.remote.client import DEFAULT_TIMEOUT
        from govkg.remote.commands import no_files, validate_remote_report

        no_files(files, "validate")
        report = validate_remote_report(
            endpoint,
            graph,
            shapes_dir=shapes_dir,
            inference=inference,
            timeout=timeout or DEFAULT_TIMEOUT,
            max_answer=max_answer,
        )
    else:
        check_alone(files, alone)
        report = validate(
            files,
            bundled=not alone,
            shapes_dir=shapes_dir,
            inference=inference,
            engine=engine,
            about_files=bool(files) and not alone and not all_results,
            show_progress=True,
        )
    write_output(output, render(report, fmt, lang))
    failing = report.at_or_above(fail_on)
    if output is not None and fmt != "text":
        from govkg.shacl import summary

        click.echo(summary(report, lang), err=True)
    ctx.exit(EXIT_PROBLEMS if failing else EXIT_OK)
