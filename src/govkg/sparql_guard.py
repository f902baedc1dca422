"""Decide whether an untrusted SPARQL query may run, on what a SPARQL parser parsed.

The query is parsed with rdflib's implementation of the SPARQL 1.1 grammar (a second,
independent parser; pyoxigraph, which runs the query, offers no parse-only interface). The
query is refused when that parse tree holds a SERVICE pattern or a dataset clause, when the
text is an update, when the tree is too deep or too large for the engine to be safe with,
and when rdflib cannot read a query pyoxigraph would (fail closed: a disagreement between
the two grammars is exactly where a hidden SERVICE could live). Where the two grammars
disagree the other way (rdflib reads a harmless query, pyoxigraph a SERVICE, e.g. a comment
ended by CR), the sandbox (`govkg.sandbox`) kills the worker before any connection is made.

Runs inside the query worker, so a pathological parse is bounded by the worker's limits.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from govkg.errors import BadInput

MAX_TREE_DEPTH = 256
"""Deepest parse tree accepted: the canned queries reach 40; the engine is safe far beyond."""
MAX_TREE_NODES = 250_000
"""Most parse-tree nodes accepted: long UNION or && chains recurse in the engine too."""
MAX_ANONYMOUS_NODES = 1_000
"""Most `[]` blank nodes and collection members: rdflib flattens them, the engine nests."""


class QueryRefused(BadInput):
    """A query a read-only, offline service must not run (exit 2, HTTP 403)."""


class QueryTooComplex(BadInput):
    """A query nested or chained past what the engine handles safely (exit 2, HTTP 400)."""


@dataclass(frozen=True)
class Verdict:
    """What the parse showed about an accepted query."""

    variables: frozenset[str]
    ordered: bool


def _walk(tree: Any) -> tuple[int, int, int, list[str], set[str], bool]:
    """(depth, nodes, anonymous nodes, forbidden constructs, variables, ORDER BY) of a tree."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import BNode, Variable

    depth = nodes = anonymous = 0
    forbidden: list[str] = []
    variables: set[str] = set()
    ordered = False
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        node, level = stack.pop()
        nodes += 1
        depth = max(depth, level)
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                forbidden.append("SERVICE")
            if "datasetClause" in node:
                forbidden.append("FROM / FROM NAMED")
            if node.name.endswith("Query") and "orderby" in node:
                ordered = True
            stack.extend((value, level + 1) for value in node.values())
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend((value, level + 1) for value in node)
        elif isinstance(node, Variable):
            variables.add(str(node))
        elif isinstance(node, BNode):
            anonymous += 1
    return depth, nodes, anonymous, forbidden, variables, ordered


def check(text: str, prologue: str = "") -> Verdict:
    """Accept the query or raise QueryRefused / QueryTooComplex / ParseFailed."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 50_000))  # a worker thread's big stack
    try:
        tree = parseQuery(prologue + text)
    except RecursionError:
        raise QueryTooComplex(
            "query too complex to run safely (nested too deeply): simplify or split it"
        ) from None
    except (ParseBaseException, ValueError, TypeError) as err:
        try:
            parseUpdate(prologue + text)
        except Exception:
            raise ParseFailed(
                str(err).splitlines()[0] if str(err) else type(err).__name__
            ) from None
        raise QueryRefused("SPARQL UPDATE is not allowed: govkg only reads the graph") from None
    depth, nodes, anonymous, forbidden, variables, ordered = _walk(tree)
    if forbidden:
        if "SERVICE" in forbidden:
            raise QueryRefused("SERVICE is not allowed: govkg queries never reach other endpoints")
        raise QueryRefused(
            "FROM / FROM NAMED is not allowed: the query runs over the loaded graph only"
        )
    if depth > MAX_TREE_DEPTH or nodes > MAX_TREE_NODES or anonymous > MAX_ANONYMOUS_NODES:
        raise QueryTooComplex(
            f"query too complex to run safely (parse tree depth {depth}, {nodes} nodes, "
            f"{anonymous} blank nodes; limits {MAX_TREE_DEPTH}, {MAX_TREE_NODES}, "
            f"{MAX_ANONYMOUS_NODES}): simplify or split it"
        )
    return Verdict(frozenset(variables), ordered)


class ParseFailed(Exception):
    """rdflib's grammar did not accept the text (the caller asks pyoxigraph why, or refuses)."""


def preload() -> None:
    """Import the parser before forking workers, so each worker does not pay for it."""
    import rdflib.plugins.sparql.parser  # noqa: F401


# ---------------------------------------------------------------- remembered verdicts

REMEMBERED = 512
"""Accepted texts whose verdicts are kept (least recently used first out)."""
REMEMBERED_CHARS = 32 * 1024
"""Longer texts are not kept: at most REMEMBERED x this many characters are held."""
_verdicts: OrderedDict[str, Verdict] = OrderedDict()
_verdicts_lock = threading.Lock()


def remembered(text: str) -> Verdict | None:
    """The verdict `check` gave this very text (same prologue) when it accepted it, if kept.

    The verdict depends on the text alone, so a repeated query (a client's ASK {}, a page's
    own SPARQL) is not parsed again; it still runs in the sandbox.
    """
    with _verdicts_lock:
        verdict = _verdicts.get(text)
        if verdict is not None:
            _verdicts.move_to_end(text)
        return verdict


def remember(text: str, verdict: Verdict) -> None:
    """Keep an accepted text's verdict (bounded in entries and in characters)."""
    if len(text) > REMEMBERED_CHARS:
        return
    with _verdicts_lock:
        _verdicts[text] = verdict
        _verdicts.move_to_end(text)
        while len(_verdicts) > REMEMBERED:
            _verdicts.popitem(last=False)
