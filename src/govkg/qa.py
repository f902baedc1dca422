"""Ontology quality checks, ROBOT-report style: one SPARQL SELECT per `queries/qa/*-violation.rq`.

Each query returns the offending terms; an empty result means the check passes. Kept as data
files so users can read and run them with any SPARQL engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from govkg import resources
from govkg.catalogue import queries_in

if TYPE_CHECKING:
    from govkg.load import KnowledgeGraph

SUFFIX = "-violation.rq"


def qa_dir() -> Path:
    return resources.queries_dir() / "qa"


def qa_queries() -> list[tuple[str, str]]:
    """(name, SPARQL text) of every QA query, sorted by name; name is the file name less .rq.

    Read by the catalogue's header parser, so a QA file's header follows the same rules as
    a canned query's."""
    return [(q.name, q.sparql()) for q in queries_in(qa_dir(), "*" + SUFFIX)]


def _value(term: Any) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return term.value
    return str(term)


def run_query(kg: KnowledgeGraph, sparql: str) -> list[dict[str, str | None]]:
    """Rows of one QA query as {variable: value} (IRIs and literals as plain strings)."""
    solutions = kg.query(sparql)
    names = [v.value for v in solutions.variables]
    return [{n: _value(row[n]) for n in names} for row in solutions]


def run_qa(kg: KnowledgeGraph) -> list[tuple[str, list[dict[str, str | None]]]]:
    """Every QA query's offending rows: [(name, rows)], in name order; all empty = clean."""
    return [(name, run_query(kg, text)) for name, text in qa_queries()]
