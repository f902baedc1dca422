"""No dead branches: every UNION branch, OPTIONAL and property-path alternative of a canned
query matches something in the bundled graph.

Decided on rdflib's parsed algebra, never on the query text: each branch is evaluated by
rdflib's own evaluator (a UNION branch on its own, looking through an aggregate subquery to
the pattern it counts; an OPTIONAL together with what it extends and its filter; a path
alternative as its own triple pattern). The label rule is the catalogue's, not a branch of
a query, so queries are checked with their `gkq:label` calls unexpanded.
"""

from __future__ import annotations

from typing import Any

import pytest
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.plugins.sparql import algebra, prepareQuery
from rdflib.plugins.sparql.evaluate import evalPart
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import QueryContext
from rdflib.term import URIRef, Variable

from govkg.catalogue import catalogue, find_canned, set_parameters
from govkg.namespaces import GK
from govkg.query import bind_params
from test_queries import TEST_PARAMS, _patch_rdflib_distinct

NAMES = [q.name for q in catalogue()]

# Branches allowed to match nothing today, each only because a concurrent data change will
# populate it: (query, a predicate of the branch) -> why.
ALLOWED_EMPTY: dict[tuple[str, str], str] = {
    # (query, predicate) of a branch allowed to match nothing yet, with the reason; none now.
}

# subquery wrappers: a branch that counts (COUNT over nothing is still a row) is judged by
# the pattern it counts; BIND (Extend) never removes a row
_LOOK_THROUGH = {
    "ToMultiSet",
    "Project",
    "Distinct",
    "Reduced",
    "Slice",
    "OrderBy",
    "AggregateJoin",
    "Group",
    "Extend",
}


def _core(node: CompValue) -> CompValue:
    while isinstance(node, CompValue) and node.name in _LOOK_THROUGH:
        node = node.p
    return node


def _predicates(node: Any) -> set[str]:
    """Every IRI used as (part of) a predicate in a pattern: names a branch in messages."""
    found: set[str] = set()

    def path(p: Any) -> None:
        if isinstance(p, URIRef):
            found.add(str(p))
        elif isinstance(p, AlternativePath | SequencePath):
            for a in p.args:
                path(a)
        elif isinstance(p, InvPath):
            path(p.arg)
        elif isinstance(p, MulPath):
            path(p.path)

    def walk(n: Any) -> None:
        if isinstance(n, CompValue):
            if n.name == "BGP":
                for _, p, _ in n.triples:
                    path(p)
            for key in ("p", "p1", "p2"):
                if key in n:
                    walk(n[key])

    walk(node)
    return found


def _alternatives(p: Any) -> list[Any]:
    """The members of every `a|b` alternative inside a path."""
    if isinstance(p, AlternativePath):
        return list(p.args) + [m for a in p.args for m in _alternatives(a)]
    if isinstance(p, SequencePath):
        return [m for a in p.args for m in _alternatives(a)]
    if isinstance(p, InvPath):
        return _alternatives(p.arg)
    if isinstance(p, MulPath):
        return _alternatives(p.path)
    return []


def _triple(path: Any) -> CompValue:
    return algebra.BGP([(Variable("s"), path, Variable("o"))])


def _branches(node: Any) -> list[tuple[str, CompValue, set[str]]]:
    """(kind, pattern to evaluate, predicates naming it) for every branch under a pattern."""
    found: list[tuple[str, CompValue, set[str]]] = []

    def walk(n: Any) -> None:
        if not isinstance(n, CompValue):
            return
        if n.name == "Union":
            found.append(("UNION branch", _core(n.p1), _predicates(n.p1)))
            found.append(("UNION branch", _core(n.p2), _predicates(n.p2)))
        elif n.name == "LeftJoin":
            joined = algebra.Join(n.p1, n.p2)
            found.append(("OPTIONAL", algebra.Filter(n.expr, joined), _predicates(n.p2)))
        elif n.name == "BGP":
            for _, p, _ in n.triples:
                for member in _alternatives(p):
                    found.append(
                        ("path alternative", _triple(member), _predicates(_triple(member)))
                    )
        for key in ("p", "p1", "p2"):
            if key in n:
                walk(n[key])

    walk(node)
    return found


def _raw_text(name: str) -> str:
    """The query with its test parameters set and its label calls left unexpanded."""
    query = find_canned(name)
    bound = bind_params(TEST_PARAMS[name], query.params, "en")
    return set_parameters(query.text, {k: str(v) for k, v in bound.items()})


def _matches(graph: Any, parsed: Any, pattern: CompValue) -> bool:
    ctx = QueryContext(graph, initBindings={})
    ctx.prologue = parsed.prologue
    return next(iter(evalPart(ctx, pattern)), None) is not None


@pytest.fixture(scope="module")
def graph(kg):  # type: ignore[no-untyped-def]
    _patch_rdflib_distinct()
    return kg.rdflib()


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_every_branch_matches_the_bundled_data(graph, name: str) -> None:
    parsed = prepareQuery(_raw_text(name))
    dead = []
    for kind, pattern, named in _branches(parsed.algebra):
        if _matches(graph, parsed, pattern):
            continue
        if any((name, p) in ALLOWED_EMPTY for p in named):
            continue
        dead.append(f"{kind} using {', '.join(sorted(named)) or 'no predicate'}")
    assert dead == [], f"{name}: branches that match nothing in the bundled data"


def test_allow_list_entries_are_still_needed(graph) -> None:
    """An allowed branch that now matches must leave the list (the data arrived)."""
    for (name, predicate), why in ALLOWED_EMPTY.items():
        assert name in NAMES, name
        used = any(True for _ in graph.triples((None, URIRef(predicate), None)))
        assert not used, f"{name}: {predicate} is in the data now ({why}): drop the entry"


def test_the_check_finds_a_dead_branch(graph) -> None:
    """A branch on a predicate the data never uses is reported (the test can fail)."""
    text = _raw_text("one-bureau-one-center").replace(
        "  ?b gk:hasCentre ?c .\n", "  { ?b gk:hasCentre ?c } UNION { ?c gk:centreOf ?b }\n"
    )
    parsed = prepareQuery(text)
    dead = [
        named
        for kind, pattern, named in _branches(parsed.algebra)
        if kind == "UNION branch" and not _matches(graph, parsed, pattern)
    ]
    assert dead == [{GK + "centreOf"}]
    # an OPTIONAL is judged with what it extends: a chair seat never has a gk:hasCentre
    text = _raw_text("chairs").replace(
        "    ?g gk:hasChair ?seat .\n",
        "    ?g gk:hasChair ?seat .\n    OPTIONAL { ?seat gk:hasCentre ?c }\n",
    )
    parsed = prepareQuery(text)
    dead = [
        named
        for kind, pattern, named in _branches(parsed.algebra)
        if kind == "OPTIONAL" and not _matches(graph, parsed, pattern)
    ]
    assert dead == [{GK + "hasCentre"}]
    text = _raw_text("reporting-path").replace(
        "(gk:managedBy|gk:subordinateTo|", "(gk:managedBy|gk:directlyUnder|gk:subordinateTo|"
    )
    parsed = prepareQuery(text)
    dead = [
        named
        for kind, pattern, named in _branches(parsed.algebra)
        if kind == "path alternative" and not _matches(graph, parsed, pattern)
    ]
    assert dead == [{GK + "directlyUnder"}]
