"""govkg check: a missing Python component fails; only the article and Java may be "not run"."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from govkg import check
from govkg.cli.main import cli
from govkg.load import KnowledgeGraph


def test_a_missing_python_component_fails_its_stage(kg: KnowledgeGraph) -> None:
    def needs_pyshacl(_kg: KnowledgeGraph) -> check.StageResult:
        raise ModuleNotFoundError("No module named 'pyshacl'", name="pyshacl")

    result = check.run_stage("SHACL shapes", needs_pyshacl, kg)
    assert result.status == check.FAIL
    assert "pyshacl" in result.lines[0]


@pytest.mark.parametrize(("strict", "code"), [(False, 0), (True, 1)])
def test_strict_fails_when_the_article_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, strict: bool, code: int
) -> None:
    monkeypatch.setattr(check, "STAGES", [("evidence", check.stage_evidence)])
    monkeypatch.setenv("GOVKG_ARTICLE", str(tmp_path / "absent.txt"))
    args = ["check", "--strict"] if strict else ["check"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code, result.output
    assert "--    evidence: source article not found" in result.output
    assert "1 not run" in result.output
