"""The documentation tables are generated, not hand-kept: tools/gen_docs.py --check."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_generated_tables_are_current(monkeypatch: pytest.MonkeyPatch) -> None:
    """README query table, shapes/README.md, docs/MODEL.md classes and properties."""
    monkeypatch.syspath_prepend(str(REPO / "tools"))
    import gen_docs

    assert gen_docs.stale() == [], "run tools/gen_docs.py --write"


def test_generated_tables_cover_what_they_describe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(REPO / "tools"))
    import gen_docs

    from govkg.catalogue import catalogue
    from govkg.shacl import load_shapes, shape_ids

    assert len(gen_docs.queries_table().splitlines()) == 2 + len(catalogue())
    import click

    from govkg.cli.main import cli

    def leaves(group: click.Group, ctx: click.Context) -> list[str]:
        """A row per command a user runs: a group such as `db` by its own commands."""
        out = []
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                out += [f"{name} {n}" for n in leaves(command, click.Context(command))]
            else:
                out.append(name)
        return out

    commands = leaves(cli, click.Context(cli))
    table = gen_docs.commands_table()
    assert len(table.splitlines()) == 2 + len(commands)
    assert "db create" in commands and all(f"`govkg {c}" in table for c in commands)
    # every option of every command, with every choice: `query --format` lists all formats
    options = cli.get_command(click.Context(cli), "query").params
    choices = next(p.type.choices for p in options if "--format" in p.opts)
    spelled = "\\|".join(choices)
    assert f"`-f/--format {spelled}`" in table and len(choices) >= 9
    assert len(gen_docs.shapes_table().splitlines()) == 2 + len(shape_ids(load_shapes()))
    assert "| `gk:Derivation` |" in gen_docs.classes_table()
    assert "| `gk:alsoCarriesNameplateOf` |" in gen_docs.properties_table()


def test_check_fails_on_a_hand_edit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.syspath_prepend(str(REPO / "tools"))
    import gen_docs

    for rel in gen_docs.BLOCKS:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text((REPO / rel).read_text(encoding="utf-8"), encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("| `plaques` |", "| `plaque` |"))
    monkeypatch.setattr(gen_docs, "REPO", tmp_path)
    (tmp_path / "ontology").mkdir(exist_ok=True)
    for path in [
        *sorted((REPO / "shapes").glob("*.ttl")),
        *sorted((REPO / "ontology").glob("*.ttl")),
    ]:
        (tmp_path / path.relative_to(REPO)).write_bytes(path.read_bytes())
    assert gen_docs.stale() == ["README.md"]
    assert gen_docs.main(["gen_docs", "--check"]) == 1
