"""Untrusted query text: what a read-only, offline service refuses, however it is spelled."""

from __future__ import annotations

import pytest

from govkg import sparql_guard
from govkg.errors import BadInput
from govkg.namespaces import sparql_prologue


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "select * where { service <http://127.0.0.1:9/> { ?s ?p ?o } }",
        r"SELECT * WHERE { \u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        r"SELECT * WHERE { SERVIC\U00000045 <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "INSERT DATA { <http://x/a> <http://x/p> 1 }",
        "LOAD <http://example.org/data.ttl>",
        "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
    ],
)
def test_refused(text: str) -> None:
    with pytest.raises(BadInput):
        sparql_guard.check(text, sparql_prologue())


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s ?p "SERVICE INSERT FROM" }',
        "SELECT * WHERE { ?s <http://x/SERVICE> ?o }  # LOAD in a comment",
        r'SELECT * WHERE { ?s ?p "\u0041" }',
        "SELECT ?from WHERE { ?from ?p ?o }",
    ],
)
def test_allowed(text: str) -> None:
    sparql_guard.check(text, sparql_prologue())
