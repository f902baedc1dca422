"""The SPARQL 1.1 Protocol's query operation as a function: Request -> Response.

Query text from the network is untrusted: it goes on as `Query.from_text` (never a
canned-query name or a file path) to `govkg.query.run_query`, which refuses updates,
SERVICE and FROM on the parsed query and runs it in a sandboxed worker that is killed at the
time limit; here it waits for a place in the admission bound, is capped at `max_rows`, and
is serialised in the negotiated format.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import pyoxigraph as ox

from govkg import sandbox
from govkg.errors import BadInput, InputSyntaxError
from govkg.namespaces import ONTOLOGY_IRI, PREFIXES
from govkg.query import (
    Query,
    QueryCrashed,
    QueryRefused,
    QueryResult,
    QueryTimeout,
    as_query,
    run_query,
    to_term,
    worker_pool,
)
from govkg.results import render
from govkg.web.admission import Admission
from govkg.web.links import Linker
from govkg.web.messages import HttpError, Request, Response, one, parse_form
from govkg.web.negotiation import GRAPH_TYPES, RESULT_TYPES, choose

DEFAULT_TIMEOUT = 30.0
MAX_ROWS = 10_000
"""Rows (or triples) one answer carries at most; more are cut, and X-SPARQL-MaxRows says so
(Virtuoso's header for the same cap)."""
MAX_BODY = 1024 * 1024
"""Larger request bodies are refused (413) before they are read."""
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
READ_ONLY = "this endpoint is read-only: SPARQL updates are not accepted"
ALLOW = "GET, HEAD, POST, OPTIONS"


@dataclass
class Limits:
    """What one query may use: time, rows, a place in the bounded queue."""

    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = MAX_ROWS
    max_body: int = MAX_BODY
    admission: Admission = field(default_factory=Admission)
    """Slots for query text from a request (/sparql)."""
    canned: Admission = field(default_factory=Admission)
    """Slots of their own for the shipped canned queries (/queries/NAME), so runaway
    /sparql texts holding every slot above cannot starve them (pages take no slot)."""
    cache_bytes: int = 64 * 1024 * 1024
    """Whole responses kept for repeated requests (govkg.web.cache); 0: none."""


def read_only() -> HttpError:
    return HttpError(HTTPStatus.METHOD_NOT_ALLOWED, READ_ONLY, {"Allow": ALLOW})


def cap(result: QueryResult, max_rows: int) -> tuple[QueryResult, bool]:
    """The result cut to `max_rows` rows or triples; True when something was cut."""
    if result.kind == "construct" and len(result.triples) > max_rows:
        result.triples = result.triples[:max_rows]
        return result, True
    if result.kind == "select" and len(result.terms) > max_rows:
        doc = json.loads(result.json_results)
        doc["results"]["bindings"] = doc["results"]["bindings"][:max_rows]
        result.json_results = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        result.rows, result.terms = result.rows[:max_rows], result.terms[:max_rows]
        return result, True
    return result, False


REQUEST_NICE = 10
"""Nice value added to the workers that run query text from requests (/sparql)."""
UNION_LINE = "\n# ---- union\n"
"""Between the queries of a page query text whose results are added up (`page_runner`)."""
PART_LINE = "VALUES ?part { }"
"""A page query's placeholder for the hash-IRI parts of ?entity, or of the ontology when no
entity is bound (`Executor.page_runner`)."""


class Executor:
    """Runs queries for the web layer: admission, time limit, error mapping, row cap.

    Two kinds of query, two paths. Text from a request (/sparql) and the canned queries go
    through `run_query`: admission, the guard for ad-hoc text, a sandboxed worker killed at
    the time limit. The pages' own queries (web/queries/*.rq, fixed text shipped in the
    package, parameters bound as RDF terms, each an index lookup on its entity) are
    trusted: `page_runner` runs them in this process on the store, with no worker and no
    guard, and they take no admission slot, so runaway /sparql queries cannot starve pages.
    """

    def __init__(self, kg: Any, limits: Limits) -> None:
        self.kg = kg
        self.limits = limits
        self._parts: dict[str, list[ox.NamedNode]] | None = None
        self._parts_lock = threading.Lock()
        self._pools: dict[bool, sandbox.Pool] = {}

    def pool(self, trusted: bool) -> sandbox.Pool | None:
        """The query workers of a lane (canned queries, or text from a request): one per
        slot, forked from this process once (after the graph is loaded: they see it
        copy-on-write) and replaced when one is killed or dies. The workers for request
        text run at a lower priority (nice +10): a runaway among them takes the CPU only
        when pages and canned queries leave it. None where there is no fork."""
        if sandbox.can_fork() and trusted not in self._pools:
            with self._parts_lock:
                if trusted not in self._pools:
                    lane = self.limits.canned if trusted else self.limits.admission
                    nice = 0 if trusted else REQUEST_NICE
                    self._pools[trusted] = worker_pool(self.kg, lane.limit, nice=nice)
        return self._pools.get(trusted)

    def close(self) -> None:
        """Stop the query workers (a later query starts new ones)."""
        with self._parts_lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()

    def run(
        self, query: Query | str, params: dict[str, str] | None = None, lang: str = "en"
    ) -> tuple[QueryResult, bool]:
        """(result, truncated) of a Query (a str: a canned name, else SPARQL text)."""
        try:
            query = as_query(query)
        except BadInput as err:
            raise HttpError(HTTPStatus.BAD_REQUEST, str(err)) from None
        lane = self.limits.canned if query.trusted else self.limits.admission
        with lane.slot():
            try:
                result = run_query(
                    self.kg,
                    query,
                    params or {},
                    lang=lang,
                    timeout=self.limits.timeout,
                    pool=self.pool(query.trusted),
                )
            except QueryTimeout:
                raise HttpError(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    f"query ran longer than {self.limits.timeout:g} s and was stopped",
                    {"Retry-After": "5"},
                ) from None
            except QueryRefused as err:
                raise HttpError(HTTPStatus.FORBIDDEN, f"query refused: {err}") from None
            except QueryCrashed as err:
                raise HttpError(HTTPStatus.INTERNAL_SERVER_ERROR, str(err)) from None
            except InputSyntaxError as err:
                where = ":".join(str(n) for n in (err.line, err.column) if n is not None) or "?"
                raise HttpError(HTTPStatus.BAD_REQUEST, f"query:{where}: {err.detail}") from None
            except BadInput as err:
                raise HttpError(HTTPStatus.BAD_REQUEST, str(err)) from None
        return cap(result, self.limits.max_rows)

    def parts(self, iri: str) -> list[ox.NamedNode]:
        """The hash-IRI parts (`IRI#…`) that have statements, from an index of the store's
        hash-IRI subjects built by one query on first use (the graph of a server does not
        change; an App made on a graph that changes later sees the parts it had then)."""
        if self._parts is None:
            with self._parts_lock:
                if self._parts is None:
                    self._parts = _hash_parts(self.kg)
        return self._parts.get(iri, [])

    def prepare(self, *, workers: bool = True) -> None:
        """Build the page reads' index and (with `workers`) start the query workers now,
        not on first use."""
        self.parts("")
        if workers:
            self.pool(True)
            self.pool(False)

    def page_runner(self, query: str, params: dict[str, Any]) -> QueryResult:
        """Page data (views.Runner): a shipped page query run in process on the store.

        Parameters are RDF terms (a str read as `govkg query --param` reads it), written
        into the text's `VALUES ?name { }` lines in N-Triples form (pyoxigraph's own
        serialisation: an IRI it accepted, a literal it escaped), else bound by
        `substitutions=` (which the engine joins after reading the whole pattern); the
        `VALUES ?part { }` line gets the parts of ?entity (terms from the store). A text of
        several queries between `# ---- union` lines gives their rows (or triples) added
        up, in order; one about parts is not run when there are none. Parameter columns
        are left out of the rows and rows are capped at `max_rows` as for any query.
        """
        terms = {
            k: v if isinstance(v, ox.NamedNode | ox.Literal) else to_term(v)
            for k, v in params.items()
        }
        parts: list[ox.NamedNode] | None = None
        if PART_LINE in query:  # the parts of ?entity; of the ontology for a query without
            entity = params.get("entity", ONTOLOGY_IRI)
            parts = self.parts(str(getattr(entity, "value", entity)))
        cap_at = self.limits.max_rows
        hidden = set(params)
        names: list[str] = []
        rows: list[tuple[Any, ...]] = []
        triples: list[ox.Triple] = []
        seen: set[ox.Triple] = set()
        kind = "select"
        for piece in query.split(UNION_LINE):
            if any(line.lstrip().startswith(PART_LINE) for line in piece.splitlines()):
                if not parts:
                    continue
                piece = piece.replace(
                    PART_LINE, "VALUES ?part { " + " ".join(str(n) for n in parts) + " }"
                )
            subs: dict[ox.Variable, Any] = {}
            for name, term in terms.items():
                line = f"VALUES ?{name} {{ }}"
                if line in piece:
                    piece = piece.replace(line, f"VALUES ?{name} {{ {term} }}")
                elif f"?{name}" in piece:
                    subs[ox.Variable(name)] = term
            answer = self.kg.query(piece, prefixes=PREFIXES, substitutions=subs or None)
            if isinstance(answer, ox.QueryBoolean):
                return QueryResult(kind="ask", boolean=bool(answer))
            if isinstance(answer, ox.QueryTriples):
                kind = "construct"
                for triple in answer:  # a graph: a triple two queries give is there once
                    if len(triples) < cap_at and triple not in seen:
                        seen.add(triple)
                        triples.append(triple)
                continue
            names = names or [v.value for v in answer.variables if v.value not in hidden]
            left = cap_at - len(rows)
            rows += [tuple(sol[n] for n in names) for sol in itertools.islice(answer, left)]
        if kind == "construct":
            return QueryResult(kind="construct", triples=triples)
        return QueryResult(kind="select", variables=names, terms=rows)


def _hash_parts(kg: Any) -> dict[str, list[ox.NamedNode]]:
    """document IRI -> the hash IRIs under it (`doc#a`, and `doc#a#b` under both)."""
    index: dict[str, list[ox.NamedNode]] = {}
    text = 'SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && CONTAINS(STR(?s), "#")) }'
    for (node,) in kg.query(text):
        iri = node.value
        at = iri.find("#")
        while at >= 0:
            index.setdefault(iri[:at], []).append(node)
            at = iri.find("#", at + 1)
    for found in index.values():
        found.sort(key=lambda n: n.value)
    return index


# ---------------------------------------------------------------- serialising


def graph_bytes(triples: list[ox.Triple], fmt: str) -> bytes:
    """Triples in ttl, nt, jsonld or rdfxml."""
    if fmt == "rdfxml":
        return ox.serialize(triples, format=ox.RdfFormat.RDF_XML) or b""
    return render(QueryResult(kind="construct", triples=triples), fmt)


def graph_response(
    request: Request,
    triples: list[ox.Triple],
    html: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A graph in the format the client asked for (`html` renders it for people)."""
    offers = GRAPH_TYPES if html is not None else GRAPH_TYPES[:8]
    media, fmt = choose(request.header("accept"), one(request.form(), "format"), offers)
    if fmt == "html":
        return Response(200, html(triples), media, dict(headers or {}))
    return Response(200, graph_bytes(triples, fmt), media, dict(headers or {}))


def result_response(
    request: Request,
    result: QueryResult,
    truncated: bool,
    form: dict[str, list[str]],
    html: Any,
) -> Response:
    headers = (
        {"X-SPARQL-MaxRows": str(len(result.terms) or len(result.triples))} if truncated else {}
    )
    if result.kind == "construct":
        return graph_response(request, result.triples, html=lambda _: html(result), headers=headers)
    media, fmt = choose(request.header("accept"), one(form, "format"), RESULT_TYPES)
    if fmt == "html":
        return Response(200, html(result), media, headers)
    return Response(200, render(result, fmt), media, headers)


# ---------------------------------------------------------------- the operation


def query_fields(request: Request, max_body: int) -> dict[str, list[str]]:
    """The protocol's fields, wherever this request carries them (GET, POST form, direct)."""
    if request.method in ("GET", "HEAD"):
        return request.form()
    media = request.media_type
    if media == "application/sparql-update":
        raise read_only()
    if media not in ("application/sparql-query", "application/x-www-form-urlencoded"):
        raise HttpError(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "POST application/sparql-query or application/x-www-form-urlencoded",
        )
    try:
        body = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(HTTPStatus.BAD_REQUEST, "request body is not UTF-8") from None
    if media == "application/sparql-query":
        form = request.form()
        if "query" in form:
            raise HttpError(HTTPStatus.BAD_REQUEST, "the query goes in the body, not the URL")
        form["query"] = [body]
        return form
    return parse_form(body)


def sparql(
    request: Request, executor: Executor, links: Linker, html: Any, describe: Any
) -> Response:
    """/sparql: a query, or the service description when there is none."""
    form = query_fields(request, executor.limits.max_body)
    if "update" in form:
        raise read_only()
    for name in ("default-graph-uri", "named-graph-uri"):
        if name in form:
            raise HttpError(
                HTTPStatus.BAD_REQUEST,
                f"{name} is not supported: queries run over the loaded graph only",
            )
    text = one(form, "query")
    if text is None and request.method in ("GET", "HEAD"):
        return describe(request)
    if text is None or not text.strip():
        raise HttpError(HTTPStatus.BAD_REQUEST, "no query: give query=... (see /)")
    result, truncated = executor.run(Query.from_text(text, "query"))
    return result_response(request, result, truncated, form, lambda r: html(text, r))


def service_description(endpoint: str, void_url: str, triple_count: int) -> list[ox.Triple]:
    """sd:Service for the endpoint: language, result formats, dataset (SPARQL 1.1 SD)."""
    node, rdf_type = ox.NamedNode(endpoint), ox.NamedNode(PREFIXES["rdf"] + "type")
    dataset, graph = ox.BlankNode("dataset"), ox.BlankNode("default-graph")

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    triples = [
        ox.Triple(node, rdf_type, sd("Service")),
        ox.Triple(node, sd("endpoint"), node),
        ox.Triple(node, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(
            node,
            sd("defaultEntailmentRegime"),
            ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
        ox.Triple(node, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), graph),
        ox.Triple(graph, rdf_type, sd("Graph")),
        ox.Triple(
            graph,
            ox.NamedNode(PREFIXES["void"] + "triples"),
            ox.Literal(str(triple_count), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer")),
        ),
        ox.Triple(dataset, ox.NamedNode(PREFIXES["rdfs"] + "seeAlso"), ox.NamedNode(void_url)),
        ox.Triple(
            node,
            ox.NamedNode(PREFIXES["dct"] + "description"),
            ox.Literal(
                "govkg: read-only SPARQL 1.1 query endpoint (no update, SERVICE "
                "or FROM; time and row limits)",
                language="en",
            ),
        ),
    ]
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ):
        triples.append(ox.Triple(node, sd("resultFormat"), ox.NamedNode(FORMATS_NS + name)))
    return triples
