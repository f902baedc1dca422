"""Remote validation: pull only the triples the shapes can look at, then validate in process.

What a shape can look at is read from the shapes graph: every property in a `sh:path` (and in
targets and pair constraints), every predicate of the SHACL-SPARQL queries (parsed by rdflib's
SPARQL parser, not scanned as text), and `rdf:type` / `rdfs:subClassOf` for class targets and
`sh:class`. The store is asked for exactly those triples in one CONSTRUCT (one document, so
blank nodes keep their identity), and the count is checked against the store's own COUNT so a
store that truncates results is caught. A shape that could look at any predicate (a variable
predicate, a negated property set, `sh:closed`) is refused rather than pulling everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from govkg.errors import BadInput
from govkg.namespaces import PREFIXES
from govkg.remote.client import Client, RemoteError, shown

SH = PREFIXES["sh"]
RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_SUBCLASS = PREFIXES["rdfs"] + "subClassOf"

# shape properties whose value is a property of the data
_PROPERTY_VALUED = (
    "targetSubjectsOf",
    "targetObjectsOf",
    "equals",
    "disjoint",
    "lessThan",
    "lessThanOrEquals",
)


class NeedsEverything(BadInput):
    """A shape can look at any predicate: validating remotely would mean pulling the store."""


@dataclass
class Pulled:
    predicates: list[str]
    triples: list[ox.Triple]
    store_total: int


@dataclass
class Needs:
    """What the shapes can look at: these predicates, and every predicate in these namespaces."""

    predicates: set[str] = field(default_factory=set)
    namespaces: set[str] = field(default_factory=set)


def needed(shapes: Any) -> Needs:
    """Every data property the shapes graph (rdflib) can look at."""
    from rdflib import URIRef

    sh = {
        name: URIRef(SH + name) for name in ("path", "closed", "select", "ask", *_PROPERTY_VALUED)
    }
    needs = Needs({RDF_TYPE, RDFS_SUBCLASS})
    for path in shapes.objects(None, sh["path"]):
        _path_predicates(shapes, path, needs.predicates)
    for name in _PROPERTY_VALUED:
        needs.predicates.update(
            str(o) for o in shapes.objects(None, sh[name]) if isinstance(o, URIRef)
        )
    for shape, value in shapes.subject_objects(sh["closed"]):
        if str(value).lower() == "true":
            raise NeedsEverything(f"shape {shape} is sh:closed: it looks at every predicate")
    prefixes = {**PREFIXES, **_declared_prefixes(shapes)}
    for key in ("select", "ask"):
        for node, text in shapes.subject_objects(sh[key]):
            _query_needs(str(text), prefixes, needs, node)
    return needs


def _path_predicates(graph: Any, path: Any, found: set[str]) -> None:
    from rdflib import RDF, BNode, URIRef
    from rdflib.collection import Collection

    if isinstance(path, URIRef):
        found.add(str(path))
        return
    if not isinstance(path, BNode):
        return
    if (path, RDF.first, None) in graph:
        for step in Collection(graph, path):
            _path_predicates(graph, step, found)
        return
    for key in (
        "alternativePath",
        "inversePath",
        "zeroOrMorePath",
        "oneOrMorePath",
        "zeroOrOnePath",
    ):
        for inner in graph.objects(path, URIRef(SH + key)):
            _path_predicates(graph, inner, found)


def _declared_prefixes(shapes: Any) -> dict[str, str]:
    from rdflib import URIRef

    out = {}
    for decl in shapes.objects(None, URIRef(SH + "declare")):
        prefix = shapes.value(decl, URIRef(SH + "prefix"))
        namespace = shapes.value(decl, URIRef(SH + "namespace"))
        if prefix is not None and namespace is not None:
            out[str(prefix)] = str(namespace)
    return out


def _query_needs(text: str, prefixes: dict[str, str], needs: Needs, node: Any) -> None:
    """The predicates of a SHACL-SPARQL query, from rdflib's parse of it.

    A variable predicate is allowed when a FILTER of the query limits it to a list of IRIs
    (`?p IN (…)`) or to a namespace (`STRSTARTS(STR(?p), "…")`); otherwise the query could
    look at anything and the shape is refused.
    """
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(text, initNs=prefixes).algebra
    except Exception as err:  # rdflib raises pyparsing errors of several kinds
        raise BadInput(f"the SPARQL of shape node {node} does not parse: {err}") from None
    variables: set[str] = set()
    limits: dict[str, tuple[set[str], set[str]]] = {}
    _walk(algebra, needs.predicates, variables, limits, node)
    for var in sorted(variables):
        iris, namespaces = limits.get(var, (set(), set()))
        if not iris and not namespaces:
            raise NeedsEverything(
                f"the SPARQL of shape node {node} has a predicate ?{var} that no FILTER limits "
                "to IRIs or a namespace: it could look at every triple"
            )
        needs.predicates |= iris
        needs.namespaces |= namespaces


def _walk(
    value: Any,
    found: set[str],
    variables: set[str],
    limits: dict[str, tuple[set[str], set[str]]],
    node: Any,
) -> None:
    from rdflib.paths import Path as RdfPath
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(value, CompValue) and value.name == "Filter":
        _limits(value.get("expr"), limits)
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "triples" and isinstance(inner, list):
                for triple in inner:
                    _predicate(triple[1], found, variables, node)
            else:
                _walk(inner, found, variables, limits, node)
    elif isinstance(value, list | tuple):
        for inner in value:
            _walk(inner, found, variables, limits, node)
    elif isinstance(value, RdfPath):
        _predicate(value, found, variables, node)


def _limits(expr: Any, limits: dict[str, tuple[set[str], set[str]]]) -> None:
    """Record `?v IN (iris)` and `STRSTARTS(STR(?v), "ns")` terms of a conjunction."""
    from rdflib import Literal, URIRef, Variable
    from rdflib.plugins.sparql.parserutils import CompValue

    if not isinstance(expr, CompValue):
        return
    if expr.name == "ConditionalAndExpression":
        for part in [expr.get("expr"), *(expr.get("other") or [])]:
            _limits(part, limits)
    elif expr.name == "RelationalExpression" and expr.get("op") == "IN":
        var, items = expr.get("expr"), expr.get("other") or []
        if isinstance(var, Variable) and items and all(isinstance(i, URIRef) for i in items):
            limits.setdefault(str(var), (set(), set()))[0].update(str(i) for i in items)
    elif expr.name == "Builtin_STRSTARTS":
        arg, prefix = expr.get("arg1"), expr.get("arg2")
        if (
            isinstance(arg, CompValue)
            and arg.name == "Builtin_STR"
            and isinstance(arg.get("arg"), Variable)
            and isinstance(prefix, Literal)
            and str(prefix)
        ):
            limits.setdefault(str(arg.get("arg")), (set(), set()))[1].add(str(prefix))


def _predicate(term: Any, found: set[str], variables: set[str], node: Any) -> None:
    from rdflib import URIRef, Variable
    from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath

    if isinstance(term, URIRef):
        found.add(str(term))
    elif isinstance(term, Variable):
        variables.add(str(term))
    elif isinstance(term, NegatedPath):
        raise NeedsEverything(f"the SPARQL of shape node {node} uses a negated property set")
    elif isinstance(term, SequencePath | AlternativePath):
        for inner in term.args:
            _predicate(inner, found, variables, node)
    elif isinstance(term, InvPath):
        _predicate(term.arg, found, variables, node)
    elif isinstance(term, MulPath):
        _predicate(term.path, found, variables, node)


def store_predicates(client: Client, endpoint: str, needs: Needs, graph: str | None) -> list[str]:
    """The needed predicates, with the store's own predicates in the needed namespaces."""
    found = set(needs.predicates)
    if needs.namespaces:
        from govkg.remote.queries import solutions

        tests = " || ".join(f"STRSTARTS(STR(?p), {_string(ns)})" for ns in sorted(needs.namespaces))
        answer = client.query(
            endpoint, f"SELECT DISTINCT ?p WHERE {{ ?s ?p ?o FILTER({tests}) }}", graph, "select"
        )
        found.update(row[0].value for row in solutions(answer))
    return sorted(found)


def _string(text: str) -> str:
    return str(ox.Literal(text))


def _values(predicates: Iterable[str]) -> str:
    return "VALUES ?p { " + " ".join(f"<{p}>" for p in predicates) + " }"


def pull(client: Client, endpoint: str, predicates: list[str], graph: str | None) -> Pulled:
    """The store's triples with these predicates, checked complete against its COUNT."""
    values = _values(predicates)
    answer = client.query(
        endpoint, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {values} ?s ?p ?o }}", graph, "construct"
    )
    if answer.kind != "construct":
        raise RemoteError(f"{shown(endpoint)}: a CONSTRUCT query gave {answer.kind} results")
    triples = list(dict.fromkeys(answer.triples or []))
    from govkg.remote.queries import remote_count, solutions

    counted = solutions(
        client.query(
            endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ {values} ?s ?p ?o }}", graph, "select"
        )
    )
    expected = next(int(row[0].value) for row in counted)
    if len(triples) != expected:
        raise RemoteError(
            f"{shown(endpoint)}: the store sent {len(triples)} of the {expected} triples the "
            "shapes need (does it cap result sizes? Virtuoso: [SPARQL] ResultSetMaxRows)"
        )
    return Pulled(predicates, triples, remote_count(client, endpoint, graph))


def validate_remote(
    client: Client,
    endpoint: str,
    graph: str | None = None,
    *,
    shapes_dir: Path | str | None = None,
    inference: str = "none",
) -> tuple[Any, Pulled]:
    """The validation report of the store's data, as `validate_graph` gives it in process.

    As in process, the bundled ontology is merged in for the class hierarchy.
    """
    from govkg.load import load_graph
    from govkg.shacl import load_shapes, validate_graph

    predicates = store_predicates(client, endpoint, needed(load_shapes(shapes_dir)), graph)
    pulled = pull(client, endpoint, predicates, graph)
    kg = load_graph(ontology=True, data=False)
    kg.add_triples(pulled.triples)
    report = validate_graph(kg, shapes_dir=shapes_dir, inference=inference)
    return report, pulled


def pull_all(client: Client, endpoint: str, graph: str | None = None) -> list[ox.Triple]:
    """Every triple of the store's default graph (or `graph`): for an explicit export only."""
    answer = client.query(endpoint, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", graph, "construct")
    if answer.kind != "construct":
        raise RemoteError(f"{shown(endpoint)}: a CONSTRUCT query gave {answer.kind} results")
    triples = list(dict.fromkeys(answer.triples or []))
    from govkg.remote.queries import remote_count

    expected = remote_count(client, endpoint, graph)
    if len(triples) != expected:
        raise RemoteError(
            f"{shown(endpoint)}: the store sent {len(triples)} of its {expected} triples "
            "(does it cap result sizes? Virtuoso: [SPARQL] ResultSetMaxRows)"
        )
    return triples
