"""The root CLI: help, version, and the one-line error policy with its exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from govkg import __version__
from govkg.cli.main import COMMANDS, cli


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name}" in result.output
    assert "Exit codes" in result.output
    assert runner.invoke(cli, ["-h"]).output == result.output


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["-V"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_every_command_has_help(runner: CliRunner) -> None:
    for name in COMMANDS:
        result = runner.invoke(cli, [name, "-h"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage: " in result.output


def _one_line_error(result, exit_code: int) -> str:
    assert result.exit_code == exit_code, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("govkg: error: ")
    assert "Traceback" not in result.output
    return lines[0]


def test_missing_file_is_one_line_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "missing.ttl"
    line = _one_line_error(runner.invoke(cli, ["export", str(missing)]), 2)
    assert str(missing) in line and "cannot read" in line


def test_malformed_turtle_names_file_line_column(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix a: <http://x/> .\na:b a:c a:d\na:e a:f a:g .\n", encoding="utf-8")
    line = _one_line_error(runner.invoke(cli, ["export", str(bad)]), 2)
    assert f"{bad}:3:" in line


def test_unknown_format_is_one_line_exit_2(runner: CliRunner) -> None:
    line = _one_line_error(runner.invoke(cli, ["export", "--format", "yaml"]), 2)
    assert "yaml" in line


def test_unknown_command_suggests(runner: CliRunner) -> None:
    line = _one_line_error(runner.invoke(cli, ["exprt"]), 2)
    assert "export" in line


def test_unknown_rdf_file_ending_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    odd = tmp_path / "facts.yaml"
    odd.write_text("a: b\n", encoding="utf-8")
    line = _one_line_error(runner.invoke(cli, ["export", str(odd)]), 2)
    assert "unknown RDF format" in line


def test_debug_shows_the_exception(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--debug", "export", str(tmp_path / "missing.ttl")])
    assert result.exit_code != 0
    assert result.exception is not None


def _commands_with_alone() -> list[str]:
    import click

    ctx = click.Context(cli)

    def params(name: str) -> set[str]:
        return {p.name for p in cli.get_command(ctx, name).params if p.name}

    # FILES and --alone (files_option); `import TABLE --alone` is another flag of that name
    return [n for n in COMMANDS if {"files", "alone"} <= params(n)]


# what each command needs besides FILES to get as far as loading
_REQUIRED = {
    "query": ["chairs"],
    "push": ["--endpoint", "http://127.0.0.1:9/sparql", "--graph", "urn:x-govkg:test"],
    "site": ["-o", "never-written"],  # refused before anything is written
}


@pytest.mark.parametrize("name", _commands_with_alone())
def test_alone_without_files_is_a_usage_error(runner: CliRunner, name: str) -> None:
    # every command that loads the graph takes FILES and --alone the same way
    assert {"check", "export", "query", "validate", "site"} <= set(_commands_with_alone())
    result = runner.invoke(cli, [name, *_REQUIRED.get(name, []), "--alone"])
    assert _one_line_error(result, 2) == "govkg: error: --alone needs at least one FILE"
