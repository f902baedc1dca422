"""One concept, one place: every prefix written in a knowledge file agrees with the table."""

from __future__ import annotations

import re

import pytest

from govkg import resources
from govkg.namespaces import GKR, PREFIXES, curie, mint

PREFIX_LINE = re.compile(r"^\s*@prefix\s+([\w-]*):\s*<([^>]*)>", re.M)


def _knowledge_files():
    root = resources.kb_root()
    return sorted(
        p for folder in ("ontology", "data", "shapes") for p in (root / folder).rglob("*.ttl")
    )


def test_there_are_knowledge_files() -> None:
    assert _knowledge_files()


@pytest.mark.parametrize("path", _knowledge_files(), ids=lambda p: p.name)
def test_prefixes_agree_with_the_table(path) -> None:
    for prefix, iri in PREFIX_LINE.findall(path.read_text(encoding="utf-8")):
        if prefix in PREFIXES:
            assert iri == PREFIXES[prefix], f"{path.name}: {prefix}: <{iri}>"
        else:
            assert iri not in PREFIXES.values(), f"{path.name}: second prefix {prefix} for <{iri}>"


def test_mint_rule() -> None:
    assert mint("place", "cn-gs") == GKR + "place/cn-gs"
    assert mint("concept", "plaque-body", scheme="legal-status") == (
        GKR + "concept/legal-status/plaque-body"
    )
    for bad_kind, bad_key in [("org", "Gansu Bureau"), ("org", "cn_gs"), ("thing", "x")]:
        with pytest.raises(ValueError):
            mint(bad_kind, bad_key)


def test_curie() -> None:
    assert curie(GKR + "org/x") == "gkr:org/x"
    assert curie("http://www.w3.org/ns/org#Post") == "org:Post"
    assert curie("http://example.org/x") == "<http://example.org/x>"
