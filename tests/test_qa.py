"""Ontology QA queries (queries/qa/*-violation.rq): headers, clean on the bundled graph, and
each one catching its own kind of defect in a small bad fixture."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govkg.catalogue import parse_header
from govkg.load import load_graph
from govkg.qa import qa_queries, run_qa, run_query

QUERIES = dict(qa_queries())
EXPECTED = {
    "missing-label-zh-violation",
    "missing-label-en-violation",
    "missing-definition-violation",
    "undeclared-term-violation",
    "duplicate-label-violation",
}

PREFIXES = """
@prefix gk: <https://w3id.org/govkg/def#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""

# one defect per query; the offending term and the value expected in the first column
BAD = {
    "missing-label-zh-violation": (
        """gk:QaOnlyEnglish a owl:Class ; rdfs:label "qa only english"@en ;
        skos:prefLabel "qa only english"@en ; skos:definition "d"@en , "定义甲"@zh .""",
        {"term": "https://w3id.org/govkg/def#QaOnlyEnglish"},
    ),
    "missing-label-en-violation": (
        """gk:qaOnlyChinese a owl:ObjectProperty ; rdfs:label "仅中文"@zh ;
        skos:prefLabel "仅中文"@zh ; skos:definition "d2"@en , "定义乙"@zh .""",
        {"term": "https://w3id.org/govkg/def#qaOnlyChinese"},
    ),
    "missing-definition-violation": (
        """<https://w3id.org/govkg/id/concept/legal-status/qa-undefined> a skos:Concept ;
        rdfs:label "qa undefined"@en , "未定义"@zh ;
        skos:prefLabel "qa undefined"@en , "未定义"@zh ;
        skos:definition "only English"@en .""",
        {"term": "https://w3id.org/govkg/id/concept/legal-status/qa-undefined", "lang": "zh"},
    ),
    "undeclared-term-violation": (
        """<https://example.org/body> gk:managedBYY <https://example.org/other> .""",
        {"term": "https://w3id.org/govkg/def#managedBYY"},
    ),
    "duplicate-label-violation": (
        """gk:QaTwin a owl:Class ; rdfs:label "qa twin"@en , "机构"@zh ;
        skos:prefLabel "qa twin"@en , "机构"@zh ; skos:definition "d3"@en , "定义丙"@zh .""",
        {
            "label": "机构",
            "lang": "zh",
            "term": "https://w3id.org/govkg/def#PublicBody",
            "other_term": "https://w3id.org/govkg/def#QaTwin",
        },
    ),
}


@pytest.fixture(scope="module")
def bundled():
    """Ontology + bundled data + shapes: undeclared-term looks at all three."""
    return load_graph(shapes=True)


def test_the_five_checks_exist() -> None:
    assert set(QUERIES) == EXPECTED == set(BAD)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_header_and_columns(name: str) -> None:
    text = QUERIES[name]
    fields = parse_header(text)
    for key in ("title@en", "title@zh", "description", "columns"):
        assert fields.get(key), (name, key)
    assert re.search(r"[\u4e00-\u9fff]", fields["title@zh"])
    select = re.search(r"SELECT\s+(?:DISTINCT\s+)?(.*?)\s+WHERE", text, re.S).group(1)
    variables = re.findall(r"(?:AS\s+)?\?(\w+)\)?(?=\s|$)", select)
    columns = [c.strip() for c in fields["columns"].split(",")]
    assert [v for v in variables if v in columns] == columns
    assert "ORDER BY" in text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_clean_on_the_bundled_graph(bundled, name: str) -> None:
    assert run_query(bundled, QUERIES[name]) == []


def test_run_qa_reports_every_query_in_order(bundled) -> None:
    results = run_qa(bundled)
    assert [name for name, _ in results] == sorted(EXPECTED)
    assert all(rows == [] for _, rows in results)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_query_catches_its_defect(tmp_path: Path, name: str) -> None:
    turtle, expected = BAD[name]
    bad = tmp_path / f"{name}.ttl"
    bad.write_text(PREFIXES + turtle, encoding="utf-8")
    rows = run_query(load_graph(extra=[bad], shapes=True), QUERIES[name])
    assert rows, f"{name} missed its defect"
    assert {tuple(row[k] for k in expected) for row in rows} == {tuple(expected.values())}
    # and only this query objects: the fixtures are otherwise complete
    others = {
        n: rows for n, rows in run_qa(load_graph(extra=[bad], shapes=True)) if rows and n != name
    }
    assert others == {}
