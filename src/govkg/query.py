"""Canned and ad-hoc SPARQL: the catalogue of queries/*.rq, safe parameters, execution.

Queries are untrusted text: updates, SERVICE and FROM are refused before anything runs,
parameters are bound as RDF terms through pyoxigraph's `substitutions=` (never spliced into
the text), and a query that runs too long is abandoned. Only pyoxigraph is imported here, so
`govkg query` stays fast.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from govkg import resources
from govkg.catalogue import CannedQuery, Param, find_canned, load_canned
from govkg.errors import BadInput, InputSyntaxError
from govkg.namespaces import PREFIXES

DEFAULT_TIMEOUT = 60.0
LANGS = ("en", "zh")
XSD = PREFIXES["xsd"]


class QueryTimeout(BadInput):
    """The query ran longer than the allowed time: exit 2."""


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


# ---------------------------------------------------------------- safety

# strings, IRIs, comments, variables and prefixed names are skipped; bare words are keywords
_TOKEN = re.compile(
    r"""
      (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<comment>\#[^\n]*)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<pname>(?:[A-Za-z][\w.-]*)?:[^\s(){}\[\],;]*)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)
_UPDATE_WORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
}


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def keywords(text: str) -> list[str]:
    """The bare words of a query, upper-cased, outside strings, IRIs and comments."""
    return [m.group("word").upper() for m in _TOKEN.finditer(text) if m.lastgroup == "word"]


def check_safe(text: str) -> None:
    """Refuse what a read-only, offline query service must not run (exit 2)."""
    # SPARQL lets \uXXXX escapes stand anywhere (§19.2): look at the text as a parser may
    words = keywords(_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text))
    update = sorted(_UPDATE_WORDS.intersection(words))
    if update:
        raise BadInput(
            f"SPARQL UPDATE ({', '.join(update)}) is not allowed: govkg only reads the graph"
        )
    if "SERVICE" in words:
        raise BadInput("SERVICE is not allowed: govkg queries never reach other endpoints")
    if "FROM" in words:
        raise BadInput(
            "FROM / FROM NAMED is not allowed: the query runs over the loaded graph only"
        )


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


def resolve(name_or_text: str) -> tuple[str, CannedQuery | None, str]:
    """(query text, canned query or None, where it came from) for a name, a .rq file or text."""
    s = name_or_text
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", s.strip()):
        canned = find_canned(s.strip())
        return canned.text, canned, str(canned.path)
    if "\n" not in s and s.strip().endswith(".rq"):
        path = Path(s.strip())
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise BadInput(f"{path}: cannot read: {err.strerror or err}") from None
        except UnicodeDecodeError:
            raise BadInput(f"{path}: not UTF-8 text") from None
        if path.resolve().parent == resources.queries_dir().resolve():
            return text, load_canned(path), str(path)
        return text, None, str(path)
    return s, None, "<query>"


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


def _execute(kg: Any, text: str, subs: dict[ox.Variable, Any], source: str) -> QueryResult:
    try:
        answer = kg.query(text, prefixes=PREFIXES, substitutions=subs or None)
    except SyntaxError as err:
        raise _syntax_error(err, source) from None
    except RuntimeError as err:
        message = str(err)
        if "SELECT projection" in message:
            raise BadInput(
                f"{source}: a parameter must be a projected variable: {message}"
            ) from None
        raise BadInput(f"{source}: query failed: {message}") from None
    try:
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult(kind="ask", boolean=bool(answer))
        if isinstance(answer, ox.QueryTriples):
            return QueryResult(kind="construct", triples=list(answer))
        payload = answer.serialize(format=ox.QueryResultsFormat.JSON)
    except OSError as err:
        raise BadInput(f"{source}: query failed: {err}") from None
    return QueryResult(kind="select", json_results=payload)


def _without(result: QueryResult, hidden: set[str]) -> QueryResult:
    """Drop parameter columns (pyoxigraph needs them projected) and fill rows from JSON."""
    doc = json.loads(result.json_results)
    names = [v for v in doc["head"]["vars"] if v not in hidden]
    if len(names) != len(doc["head"]["vars"]):
        doc["head"]["vars"] = names
        for b in doc["results"]["bindings"]:
            for h in hidden:
                b.pop(h, None)
        result.json_results = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    solutions = ox.parse_query_results(result.json_results, format=ox.QueryResultsFormat.JSON)
    result.variables = names
    for sol in solutions:
        terms = tuple(sol[n] for n in names)
        result.terms.append(terms)
        result.rows.append(tuple(python_value(t) for t in terms))
    return result


def run_query(
    kg: Any,
    name_or_text: str,
    params: dict[str, str] | None = None,
    lang: str = "en",
    timeout: float | None = DEFAULT_TIMEOUT,
) -> QueryResult:
    """Run a canned query (by name), a .rq file or SPARQL text on the graph's pyoxigraph store.

    Parameters are bound with pyoxigraph substitutions (typed terms; never text splicing);
    `lang` picks label language in canned queries. A query running longer than `timeout`
    seconds raises QueryTimeout (its worker thread is abandoned, not killed).
    """
    text, canned, source = resolve(name_or_text)
    check_safe(text)
    bound = bind_params(params, canned.params if canned else None, lang)
    words = keywords(text)
    if canned is None:  # ad-hoc: bind only what the query mentions, so projection rules hold
        mentioned = {m.group("var")[1:] for m in _TOKEN.finditer(text) if m.lastgroup == "var"}
        bound = {k: v for k, v in bound.items() if k in mentioned or k != "lang"}
    subs = {ox.Variable(k): v for k, v in bound.items()}
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = _execute(kg, text, subs, source)
        except BaseException as err:  # handed to the caller's thread
            box["error"] = err

    if timeout is None:
        work()
    else:
        worker = threading.Thread(target=work, name="govkg-query", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise QueryTimeout(f"{source}: query ran longer than {timeout:g} s and was stopped")
    if "error" in box:
        raise box["error"]
    result: QueryResult = box["result"]
    result.ordered = "ORDER" in words
    if result.kind == "select":
        result = _without(result, set(bound))
    return result
