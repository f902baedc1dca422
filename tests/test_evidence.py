"""Evidence quotes: `locate` finds them, `check_evidence` catches every way they can go wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from govkg import resources
from govkg.errors import BadInput
from govkg.evidence import check_evidence, locate, sha256_of
from govkg.load import KnowledgeGraph, load_graph
from govkg.namespaces import sparql_prologue

TEXT = "第一行\n甲乙丙丁甲乙丙丁戊己\n末行"


def test_locate_finds_the_nth_copy_with_context_on_its_line() -> None:
    start, end, prefix, suffix = locate("甲乙", TEXT)
    assert TEXT[start:end] == "甲乙"
    assert (start, end) == (4, 6)
    assert prefix == ""  # the line break before is not crossed
    assert suffix == "丙丁甲乙丙丁戊己"
    start2, end2, prefix2, suffix2 = locate("甲乙", TEXT, occurrence=2)
    assert (start2, end2) == (8, 10)
    assert prefix2 == "甲乙丙丁"
    assert suffix2 == "丙丁戊己"  # cut at the line break after


def test_locate_counts_code_points_not_bytes() -> None:
    text = "𠀀ab"  # one astral character (two UTF-16 units, four UTF-8 bytes)
    assert locate("ab", text)[:2] == (1, 3)


def test_locate_refuses_missing_quotes() -> None:
    with pytest.raises(ValueError, match="occurs 2 time"):
        locate("甲乙", TEXT, occurrence=3)
    with pytest.raises(ValueError, match="occurs 0 time"):
        locate("不在", TEXT)
    with pytest.raises(ValueError):
        locate("", TEXT)


SELECTORS = """
SELECT ?ann ?exact ?prefix ?suffix ?start ?end WHERE {
  ?ann a gk:Evidence ; oa:hasTarget ?t .
  ?t oa:hasSource gkr:source ; oa:hasSelector ?q , ?p .
  ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
  ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
}
""".replace("gkr:source", "<https://w3id.org/govkg/id/source/bjnews-2023-11-23>")


def test_every_quote_is_at_its_offsets(kg: KnowledgeGraph, article_text: str) -> None:
    """Independent of check_evidence: each quote, character for character, and its context."""
    rows = list(kg.query(sparql_prologue() + SELECTORS))
    n_ann = len(list(kg.query(sparql_prologue() + "SELECT ?a WHERE { ?a a gk:Evidence }")))
    assert len(rows) == n_ann > 50
    for row in rows:
        exact = row["exact"].value
        start, end = int(row["start"].value), int(row["end"].value)
        assert article_text[start:end] == exact, row["ann"].value
        assert article_text[start - len(row["prefix"].value) : start] == row["prefix"].value
        assert article_text[end : end + len(row["suffix"].value)] == row["suffix"].value
        assert row["exact"].datatype.value.endswith("#string")  # plain, no language tag


def test_quotes_are_short_and_never_the_whole_article(kg: KnowledgeGraph, article_text: str):
    covered: set[int] = set()
    for row in kg.query(sparql_prologue() + SELECTORS):
        start, end = int(row["start"].value), int(row["end"].value)
        assert end - start <= 70, f"{row['ann'].value}: quote of {end - start} characters"
        covered.update(range(start, end))
    assert len(covered) < 0.5 * len(article_text)


def test_check_evidence_passes_on_the_bundled_graph(kg: KnowledgeGraph, article_text: str):
    assert check_evidence(kg, resources.article_path()) == []


def test_check_evidence_reports_a_changed_article(
    kg: KnowledgeGraph, article_text: str, tmp_path: Path
) -> None:
    start, *_ = locate("国家数据局正式揭牌", article_text)
    changed = article_text[:start] + "国家统计局" + article_text[start + 5 :]
    path = tmp_path / "article.zh.txt"
    path.write_text(changed, encoding="utf-8")
    problems = check_evidence(kg, path)
    assert any("differs from" in p for p in problems)
    assert any("quote not at its offsets" in p and "国家统计局" in p for p in problems)


def _one_annotation(tmp_path: Path, target: str) -> KnowledgeGraph:
    ttl = tmp_path / "bad.ttl"
    ttl.write_text(
        "@prefix gk: <https://w3id.org/govkg/def#> .\n"
        "@prefix oa: <http://www.w3.org/ns/oa#> .\n"
        f"<https://example.org/ann> a gk:Evidence , oa:Annotation ; oa:hasTarget {target} .\n",
        encoding="utf-8",
    )
    return load_graph([ttl], ontology=False, data=False)


def test_check_evidence_reports_missing_source_and_bad_context(
    article_text: str, tmp_path: Path
) -> None:
    start, end, prefix, _ = locate("国家数据局正式揭牌", article_text)
    selectors = (
        f'oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "国家数据局正式揭牌" ; '
        f'oa:prefix "{prefix}" ; oa:suffix "不对" ] , '
        f"[ a oa:TextPositionSelector ; oa:start {start} ; oa:end {end} ]"
    )
    kg = _one_annotation(tmp_path, f"[ {selectors} ]")
    problems = check_evidence(kg, resources.article_path())
    assert any("missing source" in p for p in problems)
    assert any("oa:suffix" in p for p in problems)
    assert not any("oa:prefix" in p for p in problems)


def test_check_evidence_reports_offsets_outside_the_article(
    article_text: str, tmp_path: Path
) -> None:
    n = len(article_text)
    kg = _one_annotation(
        tmp_path,
        "[ oa:hasSource <https://w3id.org/govkg/id/source/bjnews-2023-11-23> ; "
        'oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "x" ] , '
        f"[ a oa:TextPositionSelector ; oa:start {n} ; oa:end {n + 1} ] ]",
    )
    assert any("outside the article" in p for p in check_evidence(kg, resources.article_path()))


def test_check_evidence_needs_the_article(kg: KnowledgeGraph, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="not found"):
        check_evidence(kg, tmp_path / "missing.txt")


def test_recorded_checksum_is_the_articles(kg: KnowledgeGraph, article_text: str) -> None:
    rows = list(
        kg.query(sparql_prologue() + "SELECT ?sha WHERE { ?s a gk:SourceArticle ; gk:sha256 ?sha }")
    )
    assert [r["sha"].value for r in rows] == [sha256_of(resources.article_path())]
