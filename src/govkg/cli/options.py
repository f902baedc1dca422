"""Options several commands share, defined once so they read and behave the same."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

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


def timeout_option(default: float) -> Decorator:
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=default,
        show_default=True,
        help="Stop a query that runs longer (seconds).",
    )


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
