"""Options several commands share, defined once so they read and behave the same."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from govkg.load import KnowledgeGraph

LANGS = ("en", "zh")

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def lang_option(help: str = "Label language (falls back to the other).") -> Decorator:
    return click.option(
        "--lang", type=click.Choice(LANGS), default="en", show_default=True, help=help
    )


def output_option(
    help: str = "Write to this file (atomically) instead of standard output.",
) -> Decorator:
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
        default=None,
        help=help,
    )


def source_option(help: str) -> Decorator:
    """--source FILE (repeatable): a source text, matched to its source by SHA-256."""
    return click.option(
        "--source",
        "sources",
        multiple=True,
        type=click.Path(path_type=Path, dir_okay=False),
        help=help,
    )


def timeout_option(default: float) -> Decorator:
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=default,
        show_default=True,
        help="Stop a query that runs longer (seconds).",
    )


class _Size(click.ParamType):
    name = "BYTES"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        from govkg.remote.client import parse_size

        if isinstance(value, int):
            return value
        try:
            return parse_size(str(value))
        except ValueError as err:
            self.fail(str(err), param, ctx)


def max_answer_option() -> Decorator:
    """`--max-answer BYTES`: the most a remote store's answer may hold."""
    return click.option(
        "--max-answer",
        type=_Size(),
        default=None,
        help="With --endpoint: refuse an answer larger than this (e.g. 512M, 2G) [default: "
        "$GOVKG_MAX_ANSWER_BYTES, else 256M].",
    )


def remote_limits_options() -> Decorator:
    """`--timeout` and `--max-answer` for the commands whose only remote use is --endpoint."""

    timeout = click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        metavar="SECONDS",
        help="With --endpoint: the deadline of each whole request to the store [default: 60].",
    )

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def checked(*args: Any, **kwargs: Any) -> Any:
            given = kwargs.get("timeout") is not None or kwargs.get("max_answer") is not None
            if given and not kwargs.get("endpoint"):
                from govkg.errors import BadInput

                raise BadInput("--timeout and --max-answer apply to --endpoint: give --endpoint")
            return f(*args, **kwargs)

        return timeout(max_answer_option()(checked))

    return decorate


def files_option(
    alone_help: str = "Use only FILES, not the bundled ontology and data.",
) -> Decorator:
    """FILES… (a user's RDF files, merged with the bundled graph) and --alone, for every
    command that loads the graph: the same argument and flag everywhere."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option("--alone", is_flag=True, help=alone_help)(command)
        return click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))(
            command
        )

    return decorate


def inferred_option() -> Decorator:
    return click.option(
        "--inferred",
        is_flag=True,
        help="Query the graph together with its OWL-RL closure (kept in its own named graph), "
        "so standard ORG/SKOS/PROV queries see every fact.",
    )


def check_alone(files: Sequence[Path], alone: bool) -> None:
    """--alone with no FILES would load nothing: refuse it (usage error, exit 2)."""
    from govkg.errors import BadInput

    if alone and not files:
        raise BadInput("--alone needs at least one FILE")


def load_files(
    files: Sequence[Path],
    alone: bool,
    *,
    ontology: bool = True,
    shapes: bool = False,
    inferred: bool = False,
    queries_only: bool = False,
) -> KnowledgeGraph:
    """The graph a command works on: bundled ontology and data plus FILES, or FILES alone.

    `queries_only`: the command only runs SPARQL on it (see `load_graph`)."""
    from govkg.load import load_graph

    check_alone(files, alone)
    kg = load_graph(
        files,
        ontology=ontology and not alone,
        data=not alone,
        shapes=shapes,
        queries_only=queries_only and not inferred,  # the closure reads the exact triples
        keep_subjects=not queries_only,  # only locating validation results reads them
    )
    if inferred:
        from govkg.output import progress

        with progress("Computing OWL-RL closure", total=None):
            kg.add_inferred()
    return kg


# ---- remote stores (govkg.remote) ------------------------------------------------------------


def endpoint_options(
    required: bool = False, help: str | None = None, graph_help: str | None = None
) -> Decorator:
    """`--endpoint URL` and `--graph IRI`: run against a SPARQL 1.1 store instead of in process.

    Credentials come from $GOVKG_ENDPOINT_USER / $GOVKG_ENDPOINT_PASSWORD or
    $GOVKG_ENDPOINT_TOKEN, never from the command line.
    """
    endpoint = click.option(
        "--endpoint",
        metavar="URL",
        required=required,
        default=None,
        help=help
        or "Run against this SPARQL 1.1 query endpoint instead of the bundled graph "
        "(credentials from $GOVKG_ENDPOINT_USER/$GOVKG_ENDPOINT_PASSWORD or "
        "$GOVKG_ENDPOINT_TOKEN).",
    )
    graph = click.option(
        "--graph",
        metavar="IRI",
        default=None,
        required=required,
        help=graph_help
        or "The named graph to use on the endpoint (its default graph if not given).",
    )

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if kwargs.get("graph") and not kwargs.get("endpoint"):
                from govkg.errors import BadInput

                raise BadInput("--graph picks a named graph of an --endpoint: give --endpoint")
            return f(*args, **kwargs)

        return endpoint(graph(checked))

    return decorate
