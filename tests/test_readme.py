"""The README cannot drift: its quick start and examples are run as written."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
GOVKG = Path(sys.executable).parent / "govkg"


def _block(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\s*```sh\n(.*?)```\s*<!-- /{marker} -->", README, re.S)
    assert match, f"README has no {marker} block"
    return match.group(1).strip()


def _examples() -> list[str]:
    match = re.search(r"Examples:\n\n```sh\n(.*?)```", README, re.S)
    assert match, "README has no Examples block"
    return [line for line in match.group(1).splitlines() if line.startswith("govkg ")]


def test_quick_start_commands_have_the_promised_shape() -> None:
    run = _block("run-command")
    test = _block("test-command")
    assert run.startswith("python3 -m venv .venv && ") and run.endswith("govkg check")
    assert ".venv/bin/pip install ." in run
    # tools/setup.py makes .venv with `pip install -e '.[test]'` (tests/test_setup.py)
    assert test == "python3 tools/setup.py && .venv/bin/pytest"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- test-command -->" in ci and "<!-- \\/test-command -->" in ci
    extracted = subprocess.run(
        ["bash", "-c", ci.split("cmd=", 1)[1].split("\n", 1)[0].strip("$()")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert extracted == _block("test-command")


@pytest.mark.slow  # govkg check in a process of its own (HermiT included): CI runs it
def test_quick_start_main_job_passes(tmp_path: Path) -> None:
    """The run command's last step, through the installed entry point, from another folder."""
    assert GOVKG.exists(), "govkg entry point not installed in this environment"
    result = subprocess.run(
        [str(GOVKG), "check"], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failed" in result.stdout


@pytest.mark.parametrize("example", _examples())
def test_readme_example_runs(example: str, tmp_path: Path) -> None:
    args = shlex.split(example)[1:]
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    result = subprocess.run(
        [str(GOVKG), *args], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{example}\n{result.stderr}"


def test_readme_python_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    match = re.search(r"## Python\n.*?```python\n(.*?)```", README, re.S)
    assert match, "README has no Python example"
    exec(compile(match.group(1), "README.md", "exec"), {})  # the README's own code
    assert capsys.readouterr().out.strip() == "True"
