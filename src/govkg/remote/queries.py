"""Canned and ad-hoc queries against a remote store, answered as `govkg query` answers them.

The same refusals as in process (no updates, SERVICE or FROM), the project prefixes declared,
the parameters of a canned query bound as RDF terms, and the rows read the same way, so a
table from the store and from the embedded engine can be compared cell for cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from govkg.errors import BadInput
from govkg.namespaces import sparql_prologue
from govkg.query import Query, QueryResult, _without, as_query, bind_params, vet
from govkg.remote.client import Answer, Client


@dataclass
class Prepared:
    """A query ready to send: its text, the parameter columns to hide, its form and order."""

    text: str
    hidden: set[str]
    kind: str
    ordered: bool
    concatenated: tuple[tuple[str, str], ...] = ()  # a canned query's GROUP_CONCAT cells


def prepare(query: Query | str, params: dict[str, str] | None, lang: str) -> Prepared:
    """What to send for a query (a str: a canned name, else SPARQL text), refused as here."""
    q = as_query(query)
    if q.entry is not None:
        bind_params(params, q.entry.params, lang)  # refuses unknown or missing parameters
        sent = q.entry.sparql(params, lang)
        kind, ordered = vet(Query(sent, q.source, q.entry))
        return Prepared(sent, set(), kind, ordered, q.entry.concatenated)
    if params:
        raise BadInput(
            "with --endpoint, --param binds the parameters of canned queries only; "
            "write the values into your own query"
        )
    kind, ordered = vet(q)  # the guard and the sandbox, as in process; positions are the user's
    return Prepared(sparql_prologue() + q.text, set(), kind, ordered)


def to_result(
    answer: Answer,
    hidden: set[str],
    ordered: bool,
    concatenated: tuple[tuple[str, str], ...] = (),
) -> QueryResult:
    """A store's answer as the QueryResult `govkg query` renders (concatenated cells sorted,
    as in process)."""
    if answer.kind == "ask":
        return QueryResult(kind="ask", boolean=answer.boolean)
    if answer.kind == "construct":
        return QueryResult(kind="construct", triples=list(answer.triples or []))
    result = QueryResult(kind="select", json_results=answer.json_results, ordered=ordered)
    return _without(result, hidden, concatenated)


def run_remote_query(
    client: Client,
    endpoint: str,
    query: Query | str,
    params: dict[str, str] | None = None,
    lang: str = "en",
    graph: str | None = None,
) -> QueryResult:
    """Run a canned query, a .rq file or SPARQL text on a store; rows as `run_query` gives."""
    q = prepare(query, params, lang)
    answer = client.query(endpoint, q.text, graph, q.kind)
    return to_result(answer, q.hidden, q.ordered, q.concatenated)


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


GRAPHS_LISTED = 10


def govkg_graphs(client: Client, endpoint: str, limit: int = GRAPHS_LISTED) -> list[str]:
    """The store's named graphs holding govkg data (a subject typed with a gk: class), sorted;
    at most `limit` + 1 of them (one more than shown, to tell that there are more)."""
    from govkg.namespaces import GK

    text = (
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a ?t } "
        f"FILTER(STRSTARTS(STR(?t), {ox.Literal(GK)})) }} ORDER BY ?g LIMIT {limit + 1}"
    )
    return [row[0].value for row in solutions(client.query(endpoint, text, None, "select"))]


def _holds_anything(client: Client, endpoint: str, graph: str | None) -> bool:
    text = f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}" if graph else "ASK { ?s ?p ?o }"
    return bool(client.query(endpoint, text, None, "ask").boolean)


def empty_hint(client: Client, endpoint: str, graph: str | None) -> str | None:
    """Why an empty answer may be empty: `graph` is not in the store, or (without --graph)
    the default graph holds nothing; with the named graphs that do hold govkg data. None when
    the graph asked for holds triples (the answer is then what the data gives)."""
    from govkg.remote.client import shown

    if _holds_anything(client, endpoint, graph):
        return None
    if graph:
        reason = f"the store has no graph <{graph}> (or it is empty)"
    else:
        reason = "the store's default graph is empty (without --graph the query reads only it)"
    graphs = govkg_graphs(client, endpoint)
    if graphs:
        listed = ", ".join(f"<{g}>" for g in graphs[:GRAPHS_LISTED])
        more = " and more" if len(graphs) > GRAPHS_LISTED else ""
        where = f"its named graphs holding govkg data: {listed}{more}; give one with --graph"
    else:
        where = "none of its named graphs holds govkg data (see `govkg push`)"
    return f"{shown(endpoint)}: the answer is empty: {reason}; {where}"


def is_empty(result: QueryResult) -> bool:
    if result.kind == "select":
        return not result.rows
    if result.kind == "construct":
        return not result.triples
    return result.boolean is False
