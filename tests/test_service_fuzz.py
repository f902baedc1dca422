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
from typing import Any

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings

from canary import canary
from govkg.errors import BadInput
from govkg.load import KnowledgeGraph
from govkg.namespaces import PREFIXES
from govkg.query import Query, run_query, worker_pool
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


def check_one(
    kg: KnowledgeGraph, target, text: str, how: str, stats: Counter, pool: Any = None
) -> None:
    """A worker forked for the query, then the server's path twice: a pre-started worker
    of the pool, the second time with the guard's remembered verdict if it accepted the
    text; the same outcome each time, and never a connection."""
    before = target.hits
    outcomes = []
    for through in (None, pool, pool) if pool is not None else (None,):
        try:
            run_query(kg, Query.from_text(text), timeout=20, pool=through)
            outcomes.append("ran")
        except BadInput as err:
            outcomes.append(type(err).__name__)
        assert target.hits == before, f"govkg let this query connect ({how}): {text!r}"
    assert len(set(outcomes)) == 1, (outcomes, text)
    stats[(engine_connects(text, target), outcomes[0])] += 1


def test_service_never_reaches_the_network(kg: KnowledgeGraph) -> None:
    stats: Counter = Counter()
    pool = worker_pool(kg, 2)
    with canary() as target, contextlib.closing(pool):

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(hidden_service(target.url))
        def check(example: tuple[str, str]) -> None:
            check_one(kg, target, *example, stats, pool)

        check()
    would = sum(n for (w, _), n in stats.items() if w)
    assert would >= EXAMPLES // 3, f"the fuzz is too weak: only {would} would connect: {stats}"
    assert not [k for k in stats if k[0] and k[1] == "ran"], stats
