"""Every example in a canned query's header runs and finds something."""

from __future__ import annotations

import shlex

import pytest
from click.testing import CliRunner

from govkg.catalogue import catalogue
from govkg.cli.main import cli

EXAMPLES = [(q.name, example) for q in catalogue() for example in q.examples]


def test_every_canned_query_has_an_example() -> None:
    assert {name for name, _ in EXAMPLES} == {q.name for q in catalogue()}


@pytest.mark.parametrize(("name", "example"), EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_header_example_runs_and_finds_rows(name: str, example: str) -> None:
    words = shlex.split(example)
    assert words[:3] == ["govkg", "query", name]
    words = [w for w in words[1:] if w not in ("--format", "md", "csv")]
    result = CliRunner().invoke(cli, [*words, "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) >= 2, f"{example} found no rows"
