"""The vendored W3C suites (tests/w3c): exactly the files the conformance tests read, under
their licence, small, and walked the same way by both conformance modules."""

from __future__ import annotations

from pathlib import Path

import suites

OWN = {"LICENSE.md", "README.md"}
UPSTREAM = {"shacl/LICENSE.md", "shacl/README.upstream.md", "sparql11/LICENSE.md"}


def test_the_copy_is_exactly_the_files_the_tests_use() -> None:
    used = {p.relative_to(suites.W3C.resolve()).as_posix() for p in suites.used_files()}
    present = {p.relative_to(suites.W3C).as_posix() for p in suites.W3C.rglob("*") if p.is_file()}
    assert used - present == set(), "named by a manifest but not vendored"
    assert present - used - OWN - UPSTREAM == set(), "vendored but used by no test"
    assert len(used) > 500


def test_the_licence_travels_with_the_copy() -> None:
    text = (suites.W3C / "LICENSE.md").read_text(encoding="utf-8")
    assert "W3C 3-clause BSD License" in text
    assert "Redistributions of works must retain the original copyright notice" in text
    for name in UPSTREAM:
        assert (suites.W3C / name).is_file(), name


def test_the_copy_is_small() -> None:
    size = sum(p.stat().st_size for p in suites.W3C.rglob("*") if p.is_file())
    assert size < 2_000_000, f"{size / 1e6:.1f} MB"


def test_the_walker_follows_includes_once_and_resolves_where_the_clone_is(
    tmp_path: Path,
) -> None:
    mf = suites.MF
    (tmp_path / "sub").mkdir()
    (tmp_path / "manifest.ttl").write_text(
        f"<> <{mf}include> <sub/m.ttl> , <sub/m.ttl> ; <{mf}entries> ( <a> <b> ) .\n",
        encoding="utf-8",
    )
    (tmp_path / "sub" / "m.ttl").write_text(
        f"<> <{mf}include> <../manifest.ttl> ; <{mf}entries> ( <c> ) .\n", encoding="utf-8"
    )
    visited: set[Path] = set()
    entries = list(suites.walk((tmp_path / "manifest.ttl",), visited))
    root = tmp_path.resolve()
    assert [suites.file_path(e.node) for e in entries] == [root / "a", root / "b", root / "sub/c"]
    assert [e.manifest for e in entries] == [root / "manifest.ttl"] * 2 + [root / "sub/m.ttl"]
    assert visited == {root / "manifest.ttl", root / "sub/m.ttl"}
