"""Canned and ad-hoc SPARQL: explicit query input, safe parameters, sandboxed execution.

Queries are untrusted text. A query names where it comes from (`Query.canned`,
`Query.from_file`, `Query.from_text`), so text is never taken for a file to read. Every
query runs in a worker process (`govkg.sandbox`) that cannot open sockets or files and is
killed when its time is up; a query that is not one of the shipped canned queries is first
parsed with a second SPARQL grammar and refused if it holds SERVICE, FROM or an update, or is
too complex (`govkg.sparql_guard`). Parameters are bound as RDF terms through pyoxigraph's
`substitutions=` (never spliced into the text). Only pyoxigraph is imported for canned
queries, so `govkg query NAME` stays fast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from govkg import inputs, sandbox, sparql_guard
from govkg.catalogue import CannedQuery, Param, find_canned, sort_concatenated
from govkg.errors import BadInput, InputSyntaxError
from govkg.namespaces import PREFIXES, sparql_prologue
from govkg.sparql_guard import QueryRefused, QueryTooComplex

DEFAULT_TIMEOUT = 60.0
LANGS = ("en", "zh")
XSD = PREFIXES["xsd"]


MAX_QUERY_CHARS = 1024 * 1024
"""Longer query texts are refused before anything parses them."""
GUARD_SECONDS = 5.0
"""The safety parse of an ad-hoc query may take this long; longer means too complex."""
_GUARD_EXPIRED = 81

__all__ = [
    "Query",
    "QueryCrashed",
    "QueryRefused",
    "QueryResult",
    "QueryTimeout",
    "QueryTooComplex",
    "as_query",
    "run_query",
]


class QueryTimeout(BadInput):
    """The query ran longer than the allowed time and its worker was killed: exit 2."""


class QueryCrashed(BadInput):
    """The engine's worker died on this query (a crash or its memory limit): exit 2."""


@dataclass(frozen=True)
class Query:
    """A query and where it came from; `entry` is set for the shipped canned queries.

    Construct with `Query.canned(name)`, `Query.from_file(path)` or `Query.from_text(text)`:
    the caller says what the input is, nothing guesses.
    """

    text: str
    source: str = "<query>"
    entry: CannedQuery | None = None

    @classmethod
    def canned(cls, name: str) -> Query:
        """A shipped canned query by name (see `govkg queries`); unknown names are refused."""
        entry = find_canned(name)
        return cls(entry.text, str(entry.path), entry)

    @classmethod
    def from_file(cls, path: Path | str) -> Query:
        """The SPARQL text of a user's .rq file (bounded read; UTF-8; never a canned query)."""
        data = inputs.read_bytes(Path(path), MAX_QUERY_CHARS * 4, what="query file")
        return cls(inputs.decode_utf8(data, str(path)), str(path))

    @classmethod
    def from_text(cls, text: str, source: str = "<query>") -> Query:
        """SPARQL text as given (from standard input, an HTTP request, a program)."""
        return cls(text, source)

    @property
    def trusted(self) -> bool:
        """Shipped canned queries skip the second parse (they still run in the sandbox)."""
        return self.entry is not None


@dataclass
class QueryResult:
    """What a query gave: kind `select` / `construct` / `ask`, with rows as Python values.

    A SELECT result keeps its W3C JSON form so that every results format is produced by
    pyoxigraph's own serialisers; `terms` holds the pyoxigraph terms behind `rows`.
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    terms: list[tuple[Any, ...]] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)
    boolean: bool | None = None
    ordered: bool = False
    json_results: bytes = b""


# ---------------------------------------------------------------- parameters

_IRI_SCHEME = re.compile(r"^(?:https?|urn|file|mailto|tag):\S+$", re.IGNORECASE)


def to_term(value: str) -> ox.NamedNode | ox.Literal:
    """A parameter value as an RDF term: an IRI (full, `<...>` or a known CURIE), else a literal."""
    raw = value.strip()
    if raw.startswith("<") and raw.endswith(">") and len(raw) > 2:
        raw = raw[1:-1]
        if not _IRI_SCHEME.match(raw):
            raise BadInput(f"parameter value <{raw}> is not an absolute IRI")
        return ox.NamedNode(raw)
    if _IRI_SCHEME.match(raw) and not re.search(r"[\s<>\"{}|^`\\]", raw):
        return ox.NamedNode(raw)
    prefix, sep, local = raw.partition(":")
    if sep and prefix in PREFIXES and local and not re.search(r"[\s<>\"{}|^`\\]", local):
        return ox.NamedNode(PREFIXES[prefix] + local)
    return ox.Literal(value)


def bind_params(
    params: dict[str, str] | None,
    declared: tuple[Param, ...] | None,
    lang: str,
) -> dict[str, ox.NamedNode | ox.Literal]:
    """Parameter values as terms, with defaults; a missing or unknown parameter is refused."""
    if lang not in LANGS:
        raise BadInput(f"unknown label language {lang!r}; one of {', '.join(LANGS)}")
    given = dict(params or {})
    for name in given:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise BadInput(f"parameter name {name!r} is not a SPARQL variable name")
    bound: dict[str, ox.NamedNode | ox.Literal] = {}
    if declared is None:  # ad-hoc query: whatever the user binds
        bound = {k: to_term(v) for k, v in given.items()}
        bound.setdefault("lang", ox.Literal(lang))
        return bound
    names = {p.name for p in declared}
    unknown = sorted(set(given) - names - {"lang"})
    if unknown:
        takes = ", ".join(sorted(names - {"lang"})) or "none"
        raise BadInput(f"unknown parameter {', '.join(unknown)}; this query takes: {takes}")
    for p in declared:
        if p.name == "lang":
            bound["lang"] = ox.Literal(given.get("lang", lang))
            if bound["lang"].value not in LANGS:
                raise BadInput(f"unknown label language {bound['lang'].value!r}")
        elif p.name in given:
            bound[p.name] = to_term(given[p.name])
        elif p.default is not None:
            bound[p.name] = to_term(p.default)
        else:
            raise BadInput(
                f"missing parameter {p.name!r} ({p.description}); give --param {p.name}=..."
            )
    return bound


# ---------------------------------------------------------------- execution


def as_query(query: Query | str) -> Query:
    """A Query as is; a plain string is a canned-query name if it is a bare name, else SPARQL."""
    if isinstance(query, Query):
        return query
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", query.strip()):
        return Query.canned(query.strip())
    return Query.from_text(query)


_ERROR_AT = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)


def _syntax_error(err: SyntaxError, source: str) -> InputSyntaxError:
    message = str(err.msg if getattr(err, "msg", None) else err)
    match = _ERROR_AT.match(message)
    if match:
        return InputSyntaxError(
            f"SPARQL syntax error: {match.group(3)}",
            source,
            int(match.group(1)),
            int(match.group(2)),
        )
    return InputSyntaxError(f"SPARQL syntax error: {message}", source, err.lineno, err.offset)


def python_value(term: Any) -> Any:
    """A result term as a Python value: IRIs and strings as str, numbers, booleans, None."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else ""
        try:
            if dt in (XSD + "integer", XSD + "int", XSD + "long", XSD + "nonNegativeInteger"):
                return int(term.value)
            if dt == XSD + "decimal":
                return Decimal(term.value)
            if dt in (XSD + "double", XSD + "float"):
                return float(term.value)
            if dt == XSD + "boolean":
                return term.value in ("true", "1")
        except (ValueError, InvalidOperation):
            return term.value
        return term.value
    return term.value


def _evaluate(
    kg: Any,
    text: str,
    subs: dict[ox.Variable, Any],
    source: str,
    guarded: bool,
) -> tuple[str, bytes | bool, bool | None]:
    """In the worker: (kind, payload, the guard's verdict when it ran) of the query; errors
    as BadInput."""
    verdict = None
    if guarded:
        from govkg import sparql_guard

        watchdog = sandbox.exit_after(GUARD_SECONDS, _GUARD_EXPIRED)
        try:
            verdict = sparql_guard.check(text, sparql_prologue())
        except sparql_guard.ParseFailed as err:
            watchdog.cancel()
            _refuse_unreadable(text, source, str(err))
        except BadInput as err:
            raise type(err)(f"{source}: {err}") from None
        finally:
            watchdog.cancel()
        # an ad-hoc query binds only the variables it has (pyoxigraph requires it of ?lang)
        subs = {k: v for k, v in subs.items() if k.value in verdict.variables or k.value != "lang"}
    try:
        answer = kg.query(text, prefixes=PREFIXES, substitutions=subs or None)
        if isinstance(answer, ox.QueryBoolean):
            return "ask", bool(answer), verdict
        if isinstance(answer, ox.QueryTriples):
            return "construct", ox.serialize(answer, format=ox.RdfFormat.N_TRIPLES), verdict
        return "select", answer.serialize(format=ox.QueryResultsFormat.JSON), verdict
    except SyntaxError as err:
        raise _syntax_error(err, source) from None
    except RuntimeError as err:
        message = str(err)
        if "SELECT projection" in message:
            raise BadInput(
                f"{source}: a parameter must be a projected variable: {message}"
            ) from None
        raise BadInput(f"{source}: query failed: {message}") from None
    except (OSError, ValueError) as err:
        raise BadInput(f"{source}: query failed: {err}") from None


def _refuse_unreadable(text: str, source: str, reason: str) -> None:
    """rdflib could not read it: pyoxigraph's syntax error if it has one, else refuse."""
    try:
        ox.Store().query(text, prefixes=PREFIXES)  # an empty store: only the parse matters
    except SyntaxError as err:
        raise _syntax_error(err, source) from None
    except Exception:  # parsed, then failed on nothing: still a query rdflib cannot read
        pass
    raise QueryRefused(
        f"{source}: not run: govkg's safety check (rdflib's SPARQL 1.1 grammar) cannot read "
        f"this query, which the engine would accept ({reason})"
    )


def _without(
    result: QueryResult, hidden: set[str], concatenated: Iterable[tuple[str, str]] = ()
) -> QueryResult:
    """Drop parameter columns (pyoxigraph needs them projected), sort the parts of each
    concatenated cell (`catalogue.sort_concatenated`), and fill rows from JSON."""
    doc = json.loads(result.json_results)
    names = [v for v in doc["head"]["vars"] if v not in hidden]
    joins = [(col, sep) for col, sep in concatenated if col in names]
    if len(names) != len(doc["head"]["vars"]) or joins:
        doc["head"]["vars"] = names
        for b in doc["results"]["bindings"]:
            for h in hidden:
                b.pop(h, None)
            for col, sep in joins:
                if col in b and b[col].get("type") == "literal":
                    b[col]["value"] = sort_concatenated(b[col]["value"], sep)
        result.json_results = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    solutions = ox.parse_query_results(result.json_results, format=ox.QueryResultsFormat.JSON)
    result.variables = names
    for sol in solutions:
        terms = tuple(sol[n] for n in names)
        result.terms.append(terms)
        result.rows.append(tuple(python_value(t) for t in terms))
    return result


def _in_worker(
    q: Query, limits: sandbox.Limits, fn: Any, *args: Any, pool: sandbox.Pool | None = None
) -> Any:
    """fn(*args) in a sandboxed worker (of `pool`, which holds args[0] itself, else a
    worker forked for it), its failures as the query's one-line errors."""
    if not q.trusted and pool is None:
        from govkg import sparql_guard

        sparql_guard.preload()
    try:
        if pool is not None:
            if pool.context is not args[0]:
                raise ValueError("the worker pool holds another graph")
            return pool.run(fn, *args[1:], timeout=limits.timeout)
        return sandbox.run(fn, *args, limits=limits)
    except sandbox.WorkerTimeout:
        raise QueryTimeout(
            f"{q.source}: query ran longer than {limits.timeout:g} s and was stopped"
        ) from None
    except sandbox.WorkerViolation:
        raise QueryRefused(
            f"{q.source}: the query tried to reach the network (SERVICE) and was stopped: "
            "govkg queries never reach other endpoints"
        ) from None
    except sandbox.WorkerExited as err:
        if err.code != _GUARD_EXPIRED:
            raise QueryCrashed(f"{q.source}: the query engine stopped ({err})") from None
        raise QueryTooComplex(
            f"{q.source}: query too complex to run safely (its safety check took longer than "
            f"{GUARD_SECONDS:g} s): simplify or split it"
        ) from None
    except sandbox.WorkerCrashed as err:
        raise QueryCrashed(
            f"{q.source}: the query engine stopped on this query ({err}): a query nested or "
            "chained very deeply, or one needing more memory than the worker's limit"
        ) from None


def _vet_in_worker(text: str, source: str, guarded: bool) -> tuple[str, bool | None]:
    """In the worker: the guard's verdict, then the query form as pyoxigraph parses it."""
    empty = ox.Store()
    kind, _, verdict = _evaluate(_Bare(empty), text, {}, source, guarded)
    return kind, verdict.ordered if verdict is not None else None


class _Bare:
    """A store seen as a KnowledgeGraph by `_evaluate` (only `query` is asked of it)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def query(self, sparql: str, **options: Any) -> Any:
        return self.store.query(sparql, **options)


def vet(query: Query | str, timeout: float | None = DEFAULT_TIMEOUT) -> tuple[str, bool]:
    """(form, ordered) of a query to be sent to another store, refused exactly as here.

    The same guard and sandbox as `run_query`; the query runs only on an empty store, to
    learn its form (select, ask or construct) as pyoxigraph parses it.
    """
    q = as_query(query)
    if len(q.text) > MAX_QUERY_CHARS:
        raise BadInput(
            f"{q.source}: query of {len(q.text)} characters is over the {MAX_QUERY_CHARS} limit"
        )
    limits = sandbox.Limits(timeout=timeout)
    kind, ordered = _in_worker(q, limits, _vet_in_worker, q.text, q.source, not q.trusted)
    return kind, q.entry.ordered if q.entry else bool(ordered)


def declared_parameters(text: str) -> set[str]:
    """The parameters a query's own header declares (`# param NAME…`) that have their one
    `VALUES ?NAME { … }` line: how a canned query's `--sparql` text still names them."""
    from govkg.catalogue import parameter_lines, parse_header

    lines = parameter_lines(text)
    return {p.name for p in parse_header(text)["params"] if len(lines.get(p.name, [])) == 1}


def _ad_hoc_parameters(
    text: str, params: dict[str, str] | None, lang: str
) -> tuple[str, dict[str, ox.NamedNode | ox.Literal]]:
    """(text, terms to substitute) for an ad-hoc query: a parameter its header declares is
    set in its `VALUES` line, and only when given (the text's own value stands otherwise;
    the default label language does not replace it); any other is bound as a term."""
    from govkg.catalogue import set_parameters

    given = dict(params or {})
    declared = declared_parameters(text) if "VALUES" in text else set()
    if not declared:
        return text, bind_params(given, None, lang)
    inline = {k: v for k, v in given.items() if k in declared}
    bound = bind_params({k: v for k, v in given.items() if k not in declared}, None, lang)
    if "lang" in declared:
        bound.pop("lang", None)
    terms = bind_params(inline, None, lang)
    return set_parameters(text, {k: str(terms[k]) for k in inline}), bound


def worker_pool(
    kg: Any,
    size: int,
    memory_bytes: int | None = sandbox.DEFAULT_MEMORY_BYTES,
    *,
    nice: int = 0,
) -> sandbox.Pool:
    """Pre-started query workers holding `kg` as it is now (for `run_query(pool=…)`); the
    guard's parser is imported first, so no worker has to read it."""
    sparql_guard.preload()
    limits = sandbox.Limits(timeout=None, memory_bytes=memory_bytes)
    return sandbox.Pool(kg, size, limits, nice=nice)


def run_query(
    kg: Any,
    query: Query | str,
    params: dict[str, str] | None = None,
    lang: str = "en",
    timeout: float | None = DEFAULT_TIMEOUT,
    *,
    memory_bytes: int | None = sandbox.DEFAULT_MEMORY_BYTES,
    pool: sandbox.Pool | None = None,
) -> QueryResult:
    """Run a query on the graph's pyoxigraph store, in a sandboxed worker process.

    `query` is a `Query`, or a string: a bare name for a canned query, else SPARQL text
    (a string is never read as a file path: use `Query.from_file`). Parameters are bound
    as typed terms (a canned query runs as `CannedQuery.sparql(params, lang)`, the text
    `--sparql` prints, values written in as RDF terms); `lang` picks the label language. A
    query running longer than `timeout` seconds is killed and raises QueryTimeout. With
    `pool` (pre-started workers holding `kg`, `worker_pool`) no process is forked for it;
    an ad-hoc text whose guard verdict is remembered (`sparql_guard.remembered`) is not
    parsed again.
    """
    q = as_query(query)
    if len(q.text) > MAX_QUERY_CHARS:
        raise BadInput(
            f"{q.source}: query of {len(q.text)} characters is over the {MAX_QUERY_CHARS} limit"
        )
    text = q.text
    if q.entry is not None:  # values written into the text: the very text `--sparql` prints
        text, bound = q.entry.sparql(params, lang), {}
    else:
        text, bound = _ad_hoc_parameters(text, params, lang)
    subs = {ox.Variable(k): v for k, v in bound.items()}
    limits = sandbox.Limits(timeout=timeout, memory_bytes=memory_bytes)
    guarded = not q.trusted
    verdict = sparql_guard.remembered(text) if guarded else None
    if verdict is not None:  # accepted before, text for text: the guard would say the same
        guarded = False
        subs = {k: v for k, v in subs.items() if k.value in verdict.variables or k.value != "lang"}
    kind, payload, seen = _in_worker(
        q, limits, _evaluate, kg, text, subs, q.source, guarded, pool=pool
    )
    if seen is not None:
        sparql_guard.remember(text, seen)
        verdict = seen
    ordered = verdict.ordered if verdict is not None else None
    if kind == "ask":
        return QueryResult(kind="ask", boolean=bool(payload))
    if kind == "construct":
        triples = [quad.triple for quad in ox.parse(payload, format=ox.RdfFormat.N_TRIPLES)]
        return QueryResult(kind="construct", triples=triples)
    result = QueryResult(kind="select", json_results=payload)
    result.ordered = q.entry.ordered if q.entry else bool(ordered)
    return _without(result, set(bound), q.entry.concatenated if q.entry else ())
