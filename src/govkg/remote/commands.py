"""What `query`, `validate`, `check`, `export` and `push` do with `--endpoint`: the glue
between the command line and the remote modules, so the CLI modules only dispatch here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pyoxigraph as ox

from govkg.errors import BadInput
from govkg.namespaces import sparql_prologue
from govkg.query import QueryResult
from govkg.remote.client import DEFAULT_TIMEOUT, Client, check_graph, check_url, shown


def _client(
    endpoint: str, graph: str | None, timeout: float | None, max_answer: int | None = None
) -> Client:
    check_url(endpoint)
    check_graph(graph)
    return Client(timeout, max_answer)


def no_files(files: tuple[Path, ...] | list[Path], command: str) -> None:
    if files:
        raise BadInput(f"{command}: give either FILES or --endpoint, not both")


def query_remote(
    endpoint: str,
    graph: str | None,
    query: str,
    params: dict[str, str],
    lang: str,
    timeout: float | None,
    max_answer: int | None = None,
) -> tuple[QueryResult, str | None]:
    """`govkg query … --endpoint URL`: the result, and why it is empty if the graph asked for
    is missing or empty (said on stderr here; `--strict` makes it exit 1)."""
    from govkg.remote.queries import empty_hint, is_empty, run_remote_query

    with _client(endpoint, graph, timeout, max_answer) as client:
        result = run_remote_query(client, endpoint, query, params, lang, graph)
        hint = empty_hint(client, endpoint, graph) if is_empty(result) else None
    if hint:
        click.echo(f"govkg: warning: {hint}", err=True)
    return result, hint


def validate_remote_report(
    endpoint: str,
    graph: str | None,
    *,
    shapes_dir: Path | None = None,
    inference: str = "none",
    timeout: float | None = DEFAULT_TIMEOUT,
    max_answer: int | None = None,
) -> Any:
    """`govkg validate --endpoint URL`: the report, and a note of how much was pulled."""
    from govkg.output import progress
    from govkg.remote.pull import validate_remote

    with (
        _client(endpoint, graph, timeout, max_answer) as client,
        progress("Validating", total=None),
    ):
        report, pulled = validate_remote(
            client, endpoint, graph, shapes_dir=shapes_dir, inference=inference
        )
        _warn_if_empty(client, endpoint, graph, pulled.store_total)
    click.echo(
        f"govkg: pulled {len(pulled.triples)} of {pulled.store_total} triples "
        f"({len(pulled.predicates)} predicates the shapes use) from {shown(endpoint)}",
        err=True,
    )
    return report


def _warn_if_empty(client: Client, endpoint: str, graph: str | None, count: int) -> None:
    """Say on stderr why the graph read holds nothing (a missing --graph, an empty default)."""
    if count:
        return
    from govkg.remote.queries import empty_hint

    hint = empty_hint(client, endpoint, graph)
    if hint:
        click.echo(f"govkg: warning: {hint}", err=True)


def export_remote(
    endpoint: str,
    graph: str | None,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_answer: int | None = None,
) -> Any:
    """`govkg export --endpoint URL`: the store's graph, asked for in full, as a local graph."""
    from govkg.load import KnowledgeGraph
    from govkg.output import progress
    from govkg.remote.pull import pull_all

    with (
        _client(endpoint, graph, timeout, max_answer) as client,
        progress("Downloading", total=None),
    ):
        triples = pull_all(client, endpoint, graph)
        _warn_if_empty(client, endpoint, graph, len(triples))
    kg = KnowledgeGraph(store=ox.Store(), files=[])
    kg.add_triples(triples)
    return kg


# ---- check -----------------------------------------------------------------------------------


@dataclass
class RemoteGraph:
    """The store seen through the few calls the checks make of a KnowledgeGraph."""

    client: Client
    endpoint: str
    graph: str | None = None
    files: list[Path] = field(default_factory=list)

    def close(self) -> None:
        """Close the store's connections (a keep-alive connection holds a server thread)."""
        self.client.http.close()

    def __len__(self) -> int:
        from govkg.remote.queries import remote_count

        return remote_count(self.client, self.endpoint, self.graph)

    def query(self, sparql: str, substitutions: dict[ox.Variable, Any] | None = None) -> Any:
        """A check's own query (shipped with govkg), judged and sent as any other would be."""
        from govkg.query import Query, vet
        from govkg.remote.queries import solutions

        if substitutions:
            raise BadInput("a remote query takes no substitutions")
        kind, _ = vet(Query.from_text(sparql, "check"))
        answer = self.client.query(self.endpoint, sparql, self.graph, kind)
        if answer.kind == "ask":
            return answer.boolean
        if answer.kind == "construct":
            return answer.triples
        return solutions(answer)

    def count(self, sparql: str) -> int:
        for row in self.query(sparql_prologue() + sparql):
            return int(row[0].value)
        return 0


def check_stages(rg: RemoteGraph) -> list[tuple[str, Any]]:
    """`govkg check`'s stages against a store; the reasoner needs the whole graph: not run."""
    from govkg.check import FAIL, NOT_RUN, PASS, STAGES, StageResult
    from govkg.remote.pull import validate_remote
    from govkg.remote.queries import run_remote_query

    def reasoner(_kg: Any) -> StageResult:
        return StageResult(
            "reasoner",
            NOT_RUN,
            [
                "HermiT needs the whole graph: `govkg export --endpoint … -o g.ttl`, then "
                "`govkg reason` on it"
            ],
        )

    def shapes(_kg: Any) -> StageResult:
        report, pulled = validate_remote(rg.client, rg.endpoint, rg.graph)
        counts = ", ".join(f"{n} {sev}" for sev, n in report.counts.items())
        note = f"checked {len(pulled.triples)} of {pulled.store_total} triples"
        return StageResult(
            "SHACL shapes", PASS if report.conforms else FAIL, [counts or "No issues found", note]
        )

    def queries(_kg: Any) -> StageResult:
        from govkg.catalogue import catalogue

        failures, rows, canned = [], 0, catalogue()
        for q in canned:
            try:
                params = q.example_params
                rows += len(
                    run_remote_query(rg.client, rg.endpoint, q.name, params, "en", rg.graph).rows
                )
            except BadInput as err:  # a query the store cannot run is a check failure
                failures.append(f"{q.name}: {err}")
        if failures:
            return StageResult("canned queries", FAIL, failures)
        return StageResult("canned queries", PASS, [f"{len(canned)} queries ran, {rows} rows"])

    def claims(_kg: Any) -> StageResult:
        try:
            result = run_remote_query(rg.client, rg.endpoint, "claims", None, "en", rg.graph)
        except BadInput as err:
            return StageResult("claims reconciliation", FAIL, [str(err)])
        rows = [dict(zip(result.variables, row, strict=False)) for row in result.rows]
        differing = [r for r in rows if r.get("difference") not in (None, "", 0, "0")]
        return StageResult(
            "claims reconciliation",
            PASS,
            [
                f"{len(rows)} stated claims; {len(differing)} differ from what the enumerated "
                "facts give (findings about the source, not errors: see `govkg query claims`)"
            ],
        )

    remote = {
        "reasoner": reasoner,
        "SHACL shapes": shapes,
        "canned queries": queries,
        "claims reconciliation": claims,
    }
    return [(name, remote.get(name, stage)) for name, stage in STAGES]


def open_check(
    endpoint: str,
    graph: str | None,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_answer: int | None = None,
) -> tuple[RemoteGraph, list[tuple[str, Any]]]:
    """The store as the graph `govkg check` checks, and the stages to run on it."""
    client = _client(endpoint, graph, timeout, max_answer)
    rg = RemoteGraph(client, endpoint, graph)
    from govkg.remote.queries import remote_count

    try:
        _warn_if_empty(client, endpoint, graph, remote_count(client, endpoint, graph))
    except BaseException:
        rg.close()
        raise
    return rg, check_stages(rg)


# ---- push ------------------------------------------------------------------------------------


def push_command_body(
    files: tuple[Path, ...],
    *,
    endpoint: str,
    graph: str,
    store: str | None,
    update: str | None = None,
    replace: bool,
    non_atomic: bool = False,
    force: bool,
    alone: bool,
    chunk_size: int,
    timeout: float,
    max_answer: int | None = None,
) -> int:
    """`govkg push`: validate, stage in chunks, check the count, move or add; the exit code."""
    from govkg.cli.options import load_files
    from govkg.errors import EXIT_OK, EXIT_PROBLEMS
    from govkg.output import progress
    from govkg.remote.auth import auth_from_env
    from govkg.remote.gsp import check_update, chunks, push, store_url, update_url

    target = store or store_url(endpoint)
    if target is None:
        raise BadInput(
            f"{endpoint}: cannot tell where its Graph Store HTTP Protocol endpoint is; "
            "give it with --store URL"
        )
    check_url(target, "--store")
    check_url(endpoint)
    check_graph(graph)
    if non_atomic:
        update = None
    else:
        update = update or update_url(endpoint, auth_from_env() is not None)
        if update is not None:
            check_url(update, "--update-endpoint")
    with progress("Loading", total=None):
        kg = load_files(files, alone)
    if not force:
        from govkg.shacl import summary, validate_graph

        with progress("Validating", total=None):
            report = validate_graph(kg)
        if not report.conforms:
            click.echo(
                f"govkg: error: the data does not conform ({summary(report)}); nothing was "
                "pushed. See `govkg validate`, or give --force to push it anyway",
                err=True,
            )
            return EXIT_PROBLEMS
    parts = chunks(kg.triples(), chunk_size)  # a store holds each triple once: no duplicates
    with _client(endpoint, graph, timeout, max_answer) as client:
        if not non_atomic:
            why = (
                "the store's update endpoint is not known: give --update-endpoint URL"
                if update is None
                else check_update(client, update)
            )
            if why is not None:
                update = None
                if replace:
                    from govkg.remote.queries import remote_count

                    now = remote_count(client, endpoint, graph)
                    raise BadInput(
                        f"cannot replace <{graph}> in one step: the store takes no SPARQL Update "
                        f"({why}); nothing was pushed: <{graph}> is unchanged ({now} triples). "
                        "Give --update-endpoint URL, or "
                        "--non-atomic to replace it chunk by chunk (a failure then leaves it "
                        "part-replaced, and says how much was stored)"
                    )
                click.echo(
                    f"govkg: warning: no SPARQL Update ({why}): adding to <{graph}> chunk by "
                    "chunk, not in one step",
                    err=True,
                )

        def say(line: str) -> None:
            click.echo(f"govkg: {line}", err=True)

        with progress("Pushing", total=len(parts)) as advance:
            done = push(
                client,
                endpoint,
                target,
                graph,
                parts,
                replace=replace,
                update=update,
                advance=advance,
                say=say,
            )
    how = "through a staging graph, in one step" if done.atomic else "straight into it"
    click.echo(
        f"pushed {done.sent} triples in {done.chunks} chunk(s) to <{graph}> at {shown(target)} "
        f"{how}; the store now counts {done.after} triples in it"
    )
    return EXIT_OK
