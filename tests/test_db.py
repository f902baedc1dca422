"""`govkg db` (a persistent base) and `validate --store`: the same answers as from the files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from govkg import db
from govkg.cli.main import cli

CHANGE = """@prefix gk: <https://w3id.org/govkg/def#> .
@prefix gkr: <https://w3id.org/govkg/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
gkr:test-new-body a gk:DataManagementBody ;
    skos:prefLabel "测试机构"@zh ;
    gk:plaqueOn gkr:test-nowhere .
"""


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _keys(output: str) -> Counter[tuple[str, ...]]:
    rows = json.loads(output)["results"]
    return Counter(
        (r["focus"], r["shape"], r.get("path") or "", r.get("value") or "") for r in rows
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("db") / "base"
    result = _run("db", "create", str(folder))
    assert result.exit_code == 0, result.output
    return folder


def test_store_validates_like_the_bundled_graph(store: Path) -> None:
    from_store = _run("validate", "--store", str(store), "-f", "json")
    from_files = _run("validate", "-f", "json")
    assert from_store.exit_code == from_files.exit_code
    assert _keys(from_store.stdout) == _keys(from_files.stdout)
    # located in the bundled files, as from the files
    rows = json.loads(from_store.stdout)["results"]
    assert rows and all(r["file"] for r in rows if not r["focus"].startswith("_:"))


def test_contribution_against_the_store(store: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.ttl"
    new.write_text(CHANGE, encoding="utf-8")
    result = _run("validate", "--store", str(store), str(new), "-f", "json")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)["results"]
    shapes = {r["shape"] for r in rows}
    assert {"S09", "S15"} <= shapes
    assert all(r["file"].endswith("new.ttl") for r in rows)
    # the same new results as a full validation of base + change minus the base's
    full_before = _keys(_run("validate", "--all-results", "-f", "json").stdout)
    full_after = _keys(_run("validate", str(new), "--all-results", "-f", "json").stdout)
    assert _keys(result.stdout) == full_after - full_before
    # the store is unchanged afterwards, and no journal is left
    assert not (store / db.PENDING).exists()
    again = _run("validate", "--store", str(store), "-f", "json")
    assert _keys(again.stdout) == full_before


def test_a_cut_short_run_is_undone_on_open(store: Path) -> None:
    import pyoxigraph as ox

    kg = db.open_store(store)
    t = ox.Triple(
        ox.NamedNode("https://w3id.org/govkg/id/x"),
        ox.NamedNode("https://w3id.org/govkg/def#plaqueOn"),
        ox.NamedNode("https://w3id.org/govkg/id/y"),
    )
    db.write_pending(store, [t], [])
    kg.store.add(ox.Quad(t.subject, t.predicate, t.object))
    kg.store.flush()
    del kg
    kg = db.open_store(store)
    assert ox.Quad(t.subject, t.predicate, t.object) not in kg.store
    assert not (store / db.PENDING).exists()


def test_refusals(store: Path, tmp_path: Path) -> None:
    again = _run("db", "create", str(store))
    assert again.exit_code == 2 and "already exists" in again.output
    nothing = _run("validate", "--store", str(tmp_path / "none"))
    assert nothing.exit_code == 2 and "not a govkg store" in nothing.output
    meta = json.loads((store / db.META).read_text())
    other = tmp_path / "old"
    other.mkdir()
    (other / db.STORE).mkdir()
    (other / db.META).write_text(json.dumps({**meta, "govkg": "0.0.1"}))
    old = _run("validate", "--store", str(other))
    assert old.exit_code == 2 and "written by govkg 0.0.1" in old.output
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    added = _run("db", "add", str(store), str(bad))
    assert added.exit_code == 2
    assert json.loads((store / db.META).read_text())["triples"] == meta["triples"]


def test_add_then_validate(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    new = tmp_path / "new.ttl"
    new.write_text(CHANGE, encoding="utf-8")
    assert _run("db", "create", str(folder)).exit_code == 0
    before = json.loads((folder / db.META).read_text())["triples"]
    assert _run("db", "add", str(folder), str(new)).exit_code == 0
    assert json.loads((folder / db.META).read_text())["triples"] == before + 3
    dup = _run("db", "add", str(folder), str(new))
    assert dup.exit_code == 2 and "already in the store" in dup.output
    full = _run("validate", "--store", str(folder), "-f", "json")
    rows = [r for r in json.loads(full.stdout)["results"] if r["focus"].endswith("test-new-body")]
    assert rows and all(r["file"].endswith("new.ttl") for r in rows)
