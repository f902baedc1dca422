"""Canned and ad-hoc queries against a remote store, answered as `govkg query` answers them.

The same refusals as in process (no updates, SERVICE or FROM), the project prefixes declared,
the parameters of a canned query bound as RDF terms, and the rows read the same way, so a
table from the store and from the embedded engine can be compared cell for cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from govkg.catalogue import CannedQuery
from govkg.errors import BadInput
from govkg.namespaces import PREFIXES, sparql_prologue
from govkg.query import QueryResult, _without, bind_params, check_safe, keywords, resolve
from govkg.remote.client import Answer, Client, query_kind


def canned_text(canned: CannedQuery, params: dict[str, str] | None, lang: str) -> str:
    """The self-contained text of a canned query, parameters bound, that runs on any store."""
    portable = getattr(canned, "sparql", None)
    if portable is not None:  # the portable catalogue's own method (branch `portable`)
        return portable(params, lang)
    return interim_sparql(canned, params, lang)


# ---- TEMPORARY (until CannedQuery.sparql() lands from branch `portable`) -------------------
# The canned text is trusted (it ships with govkg); a parameter value is validated and turned
# into an RDF term by `bind_params` (pyoxigraph writes it in N-Triples syntax, escaped), and
# that term replaces the parameter variable where the query uses it. Projected and grouped
# occurrences stay variables (unbound: `_without` hides those columns, as in process).
_INTERIM_TOKEN = re.compile(
    r"""
      (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<comment>\#[^\n]*)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<open>[({])
    | (?P<close>[)}])
    """,
    re.VERBOSE | re.DOTALL,
)
_CLAUSE_END = {"WHERE", "FROM", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES", "SELECT"}


def interim_sparql(canned: CannedQuery, params: dict[str, str] | None, lang: str) -> str:
    """Prologue + the canned text with its declared parameters replaced by bound terms."""
    bound = bind_params(params, canned.params, lang)
    terms = {name: str(term) for name, term in bound.items()}
    text = canned.text
    out: list[str] = []
    at = 0
    keep_bare = False  # inside a SELECT projection or a GROUP BY list
    depth = 0  # parentheses and braces since that clause began
    previous = ""
    for m in _INTERIM_TOKEN.finditer(text):
        kind, token = m.lastgroup, m.group()
        if kind == "word":
            word = token.upper()
            if word == "SELECT" or (word == "BY" and previous == "GROUP"):
                keep_bare, depth = True, 0
            elif word in _CLAUSE_END and depth == 0:
                keep_bare = False
            previous = word
        elif kind == "open":
            if keep_bare and token == "{":
                keep_bare = False
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth < 0:
                keep_bare, depth = False, 0
        elif kind == "var" and token[1:] in terms and not (keep_bare and depth == 0):
            out.append(text[at : m.start()])
            out.append(terms[token[1:]])
            at = m.end()
    out.append(text[at:])
    return sparql_prologue() + "".join(out)


# ---- end TEMPORARY ---------------------------------------------------------------------------


@dataclass
class Prepared:
    """A query ready to send: its text, the parameter columns to hide, its form and order."""

    text: str
    hidden: set[str]
    kind: str
    ordered: bool


def prepare(name_or_text: str, params: dict[str, str] | None, lang: str) -> Prepared:
    """What to send for a canned name, a .rq file or SPARQL text (refused as in process)."""
    text, canned, source = resolve(name_or_text)
    check_safe(text)
    ordered = "ORDER" in keywords(text)
    if canned is not None:
        bound = bind_params(params, canned.params, lang)
        sent = canned_text(canned, params, lang)
        return Prepared(sent, set(bound), query_kind(sent, None, source), ordered)
    if params:
        raise BadInput(
            "with --endpoint, --param binds the parameters of canned queries only; "
            "write the values into your own query"
        )
    kind = query_kind(text, PREFIXES, source)  # positions in errors are the user's own
    return Prepared(sparql_prologue() + text, set(), kind, ordered)


def to_result(answer: Answer, hidden: set[str], ordered: bool) -> QueryResult:
    """A store's answer as the QueryResult `govkg query` renders."""
    if answer.kind == "ask":
        return QueryResult(kind="ask", boolean=answer.boolean)
    if answer.kind == "construct":
        return QueryResult(kind="construct", triples=list(answer.triples or []))
    result = QueryResult(kind="select", json_results=answer.json_results, ordered=ordered)
    return _without(result, hidden)


def run_remote_query(
    client: Client,
    endpoint: str,
    name_or_text: str,
    params: dict[str, str] | None = None,
    lang: str = "en",
    graph: str | None = None,
) -> QueryResult:
    """Run a canned query, a .rq file or SPARQL text on a store; rows as `run_query` gives."""
    q = prepare(name_or_text, params, lang)
    return to_result(client.query(endpoint, q.text, graph, q.kind), q.hidden, q.ordered)


def remote_count(client: Client, endpoint: str, graph: str | None = None) -> int:
    """How many triples the store's default graph (or `graph`) holds."""
    answer = client.query(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", graph, "select")
    result = to_result(answer, set(), False)
    if result.kind != "select" or len(result.rows) != 1:
        raise BadInput(f"{endpoint}: a COUNT query gave no single number")
    value = result.rows[0][0]
    return int(value)


def solutions(answer: Answer) -> ox.QuerySolutions:
    """SELECT results as pyoxigraph solutions (what the in-process checks iterate over)."""
    if answer.kind != "select":
        raise BadInput(f"expected SELECT results, got {answer.kind}")
    return ox.parse_query_results(answer.json_results, format=ox.QueryResultsFormat.JSON)
