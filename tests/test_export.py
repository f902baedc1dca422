"""`govkg export`: every format round-trips to an isomorphic graph, bytes are stable,
and writing to a file is atomic."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from govkg.cli.main import cli
from govkg.export import EXPORT_FORMATS, serialize
from govkg.load import KnowledgeGraph

RDFLIB_PARSER = {
    "ttl": "turtle",
    "nt": "nt",
    "nq": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
    "xml": "xml",
}


def _reimport(payload: bytes, fmt: str) -> rdflib.Graph:
    if fmt in {"nq", "trig"}:
        ds = rdflib.Dataset()
        ds.parse(data=payload, format=RDFLIB_PARSER[fmt])
        graph = rdflib.Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
    return rdflib.Graph().parse(data=payload, format=RDFLIB_PARSER[fmt])


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_round_trip_is_isomorphic(kg: KnowledgeGraph, fmt: str) -> None:
    original = kg.rdflib()
    assert len(original) > 0
    again = _reimport(serialize(original, fmt), fmt)
    assert len(again) == len(original)
    assert isomorphic(again, original)


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_same_input_same_bytes(kg: KnowledgeGraph, fmt: str) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["export", "--format", fmt])
    second = runner.invoke(cli, ["export", "--format", fmt])
    assert first.exit_code == 0, first.output
    assert first.stdout_bytes == second.stdout_bytes


def test_turtle_uses_project_prefixes(kg: KnowledgeGraph) -> None:
    text = serialize(kg.rdflib(), "ttl").decode("utf-8")
    assert "@prefix gk: <https://w3id.org/govkg/def#> ." in text
    assert "@prefix org: <http://www.w3.org/ns/org#> ." in text


def test_output_file_written(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    result = CliRunner().invoke(cli, ["export", "-o", str(target)])
    assert result.exit_code == 0, result.output
    graph = rdflib.Graph().parse(target, format="turtle")
    assert len(graph) > 0
    assert not list(tmp_path.glob(".out.ttl.*"))


def test_failed_export_leaves_old_file_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.ttl"
    target.write_text("old content\n", encoding="utf-8")

    def broken(kg, out, fmt="ttl", advance=None):
        out.write(b"@prefix half: <written> .\n")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("govkg.export.export", broken)
    result = CliRunner().invoke(cli, ["export", "-o", str(target)])
    assert result.exit_code != 0
    assert target.read_text(encoding="utf-8") == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl"]


def test_write_interrupted_mid_way_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govkg import output

    target = tmp_path / "out.nt"
    target.write_text("old\n", encoding="utf-8")

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "replace", failing_replace)
    with pytest.raises(Exception, match="No space left"):
        output.write_output(target, b"new content")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nt"]


def test_alone_converts_a_users_file(tmp_path: Path) -> None:
    src = tmp_path / "mine.ttl"
    src.write_text(
        '@prefix ex: <http://example.org/> .\nex:a ex:p "一"@zh , [ ex:q 1 ] .\n', encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["export", str(src), "--alone", "--format", "nt"])
    assert result.exit_code == 0, result.output
    again = rdflib.Graph().parse(data=result.stdout_bytes, format="nt")
    assert isomorphic(again, rdflib.Graph().parse(src, format="turtle"))


def test_alone_without_files_is_usage_error() -> None:
    result = CliRunner().invoke(cli, ["export", "--alone"])
    assert result.exit_code == 2
