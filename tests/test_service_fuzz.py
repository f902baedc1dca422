"""Differential fuzz: whenever pyoxigraph alone would call a SERVICE, govkg never does.

Every generated query points its SERVICE at a loopback canary. govkg runs it first: the
canary must see no connection. Then an unguarded pyoxigraph runs the same text: whether the
canary sees a connection now tells whether the query really reaches the network when
nothing stands in the way, so the test also proves it is not vacuous.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings

from canary import canary
from govkg.errors import BadInput
from govkg.load import KnowledgeGraph
from govkg.namespaces import PREFIXES
from govkg.query import Query, run_query
from service_fuzz import hidden_service

EXAMPLES = 150
PROBE = ox.Store()
"""One triple, so that OPTIONAL, MINUS and EXISTS have something to evaluate SERVICE against."""
PROBE.add(ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/p"), ox.Literal("o")))


def engine_connects(text: str, target) -> bool:
    """Whether pyoxigraph, unguarded, contacts `target` for this query (in a bounded thread)."""
    before = target.hits

    def attempt() -> None:
        with contextlib.suppress(Exception):
            result = PROBE.query(text, prefixes=PREFIXES)
            if not isinstance(result, ox.QueryBoolean):
                list(result)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(10)
    return target.hits > before


def check_one(kg: KnowledgeGraph, target, text: str, how: str, stats: Counter) -> None:
    before = target.hits
    try:
        run_query(kg, Query.from_text(text), timeout=20)
        outcome = "ran"
    except BadInput as err:
        outcome = type(err).__name__
    assert target.hits == before, f"govkg let this query connect ({how}): {text!r}"
    stats[(engine_connects(text, target), outcome)] += 1


def test_service_never_reaches_the_network(kg: KnowledgeGraph) -> None:
    stats: Counter = Counter()
    with canary() as target:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(hidden_service(target.url))
        def check(example: tuple[str, str]) -> None:
            check_one(kg, target, *example, stats)

        check()
    would = sum(n for (w, _), n in stats.items() if w)
    assert would >= EXAMPLES // 3, f"the fuzz is too weak: only {would} would connect: {stats}"
    assert not [k for k in stats if k[0] and k[1] == "ran"], stats
