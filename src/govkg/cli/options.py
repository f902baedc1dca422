"""Options several commands share, defined once so they read and behave the same."""

from __future__ import annotations

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
