"""Incremental validation: what a change (triples added, triples removed) does to the results.

A focus node's results depend only on the triples its evaluation reads. Those are found
from the shapes: every shape with targets reads triples at the nodes its paths reach from the
focus (`Read`: a path prefix from the focus, a predicate, a direction), through sh:property,
sh:node, sh:not/and/or/xone and qualified value shapes; sh:class reads rdf:type at the value
nodes and rdfs:subClassOf along the types; targets read rdf:type (and the subclasses), the
predicate of sh:targetSubjectsOf / sh:targetObjectsOf. A SPARQL target or constraint is read
from its algebra: each triple pattern, with the patterns every solution using it must also
match (its BGP, the enclosing groups' required patterns), is a query from the changed triple
back to the ?this it can reach. So the focus nodes a change can affect are the answers of a
few queries from the changed triples (added ones on the graph after, removed ones on the
graph before), and every other focus node keeps its results.

A shape whose affected nodes cannot be bounded (a pattern not tied to ?this, more candidates
than `CAP`, a construct the analysis does not read) is run in full, before and after; the
reason is given (`Delta.full`). The delta is then exact: the results after minus the results
before on the affected nodes (and the full shapes), which equals the full validation of the
graph after minus that of the graph before (tests/test_incremental.py checks it on random
changes, both engines).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

from rdflib import RDF, RDFS, BNode, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath

from govkg.shacl.compile import SH, Compiler
from govkg.shacl.report import ValidationResult

CAP = 20000
"""More candidate focus nodes than this for one shape: the shape runs in full instead."""


class Unbounded(Exception):
    """The analysis cannot bound the focus nodes a change affects (the shape runs in full)."""


@dataclass(frozen=True)
class Read:
    """Triples with `predicate` (None: any) read at the node `prefix` reaches from the focus
    (its object when `inverse`): such a triple changed -> the focus nodes that reach it."""

    prefix: tuple[Any, ...]
    predicate: Any
    inverse: bool


@dataclass(frozen=True)
class PatternRead:
    """A SPARQL triple pattern (s, path, o) and the patterns a solution using it matches too."""

    subject: Any
    path: Any
    object: Any
    co: tuple[tuple[Any, Any, Any], ...]


@dataclass
class Plan:
    """What one shape with targets reads from its focus nodes."""

    shape: Any
    reads: set[Read] = field(default_factory=set)
    patterns: list[PatternRead] = field(default_factory=list)
    target_patterns: list[PatternRead] = field(default_factory=list)  # of its SPARQL targets
    sparql_target: bool = False  # it has a SPARQL target (its members are listed, see run)
    full: str | None = None  # why it must run in full (None: bounded)


# --- paths -----------------------------------------------------------------------------------


def shape_path(g: Any, p: Any, depth: int = 0) -> Any:
    """A shapes graph's sh:path as an rdflib path object."""
    if depth > 20:
        raise Unbounded("a path nested too deep")
    if isinstance(p, URIRef):
        return p
    if (p, RDF.first, None) in g:
        return SequencePath(*[shape_path(g, x, depth + 1) for x in Collection(g, p)])
    alt = g.value(p, SH.alternativePath)
    if alt is not None:
        return AlternativePath(*[shape_path(g, x, depth + 1) for x in Collection(g, alt)])
    for prop, mod in (("inversePath", None), ("zeroOrMorePath", "*"), ("oneOrMorePath", "+")):
        inner = g.value(p, SH[prop])
        if inner is not None:
            sub = shape_path(g, inner, depth + 1)
            return InvPath(sub) if mod is None else MulPath(sub, mod)
    inner = g.value(p, SH.zeroOrOnePath)
    if inner is not None:
        return MulPath(shape_path(g, inner, depth + 1), "?")
    raise Unbounded(f"a path SHACL does not define: {p!r}")


def _inverse(p: Any) -> Any:
    if isinstance(p, URIRef):
        return InvPath(p)
    if isinstance(p, InvPath):
        return p.arg
    if isinstance(p, SequencePath):
        return SequencePath(*[_inverse(x) for x in reversed(p.args)])
    if isinstance(p, AlternativePath):
        return AlternativePath(*[_inverse(x) for x in p.args])
    if isinstance(p, MulPath):
        return MulPath(_inverse(p.path), p.mod)
    raise Unbounded(f"a path the analysis does not read: {p!r}")


def path_reads(p: Any, prefix: tuple[Any, ...] = ()) -> Iterator[Read]:
    """The triples a path reads from its start, each with the path prefix leading there."""
    if isinstance(p, URIRef):
        yield Read(prefix, p, False)
    elif isinstance(p, InvPath):
        if isinstance(p.arg, URIRef):
            yield Read(prefix, p.arg, True)
        else:
            yield from path_reads(_inverse(p.arg), prefix)
    elif isinstance(p, SequencePath):
        for i, step in enumerate(p.args):
            yield from path_reads(step, prefix + tuple(p.args[:i]))
    elif isinstance(p, AlternativePath):
        for alt in p.args:
            yield from path_reads(alt, prefix)
    elif isinstance(p, MulPath):
        yield from path_reads(p.path, prefix if p.mod == "?" else (*prefix, MulPath(p.path, "*")))
    elif isinstance(p, NegatedPath):
        yield Read(prefix, None, False)
        yield Read(prefix, None, True)
    else:
        raise Unbounded(f"a path the analysis does not read: {p!r}")


def path_text(p: Any) -> str:
    """SPARQL text of an rdflib path (or IRI)."""
    if isinstance(p, URIRef):
        return f"<{p}>"
    if isinstance(p, InvPath):
        return f"^({path_text(p.arg)})"
    if isinstance(p, SequencePath):
        return "(" + "/".join(path_text(x) for x in p.args) + ")"
    if isinstance(p, AlternativePath):
        return "(" + "|".join(path_text(x) for x in p.args) + ")"
    if isinstance(p, MulPath):
        return f"({path_text(p.path)}){p.mod}"
    raise Unbounded(f"a path the analysis does not write: {p!r}")


# --- what Core shapes read ---------------------------------------------------------------------

_TYPE_PATH = (RDF.type, MulPath(RDFS.subClassOf, "*"))


def core_reads(g: Any, s: Any, focus: tuple[Any, ...], depth: int = 0) -> Iterator[Read]:
    """The reads of shape `s` evaluated at the nodes `focus` reaches (its focus nodes)."""
    if depth > 12:
        raise Unbounded("shapes nested too deep")
    if (s, SH.deactivated, Literal(True)) in g:
        return
    values = focus
    if (s, SH.path, None) in g:
        path = shape_path(g, g.value(s, SH.path))
        yield from path_reads(path, focus)
        values = (*focus, path)
    if any(True for _ in g.objects(s, SH["class"])):
        yield Read(values, RDF.type, False)
        yield Read(values + _TYPE_PATH, RDFS.subClassOf, False)
    for name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
        for other in g.objects(s, SH[name]):
            yield Read(focus, other, False)
    if (s, SH.closed, None) in g:
        yield Read(values, None, False)
    nested = [*g.objects(s, SH.node), *g.objects(s, SH["not"])]
    nested += list(g.objects(s, SH.qualifiedValueShape))
    for name in ("and", "or", "xone"):
        for lst in g.objects(s, SH[name]):
            nested += list(Collection(g, lst))
    if (s, SH.qualifiedValueShapesDisjoint, None) in g:
        for parent in g.subjects(SH.property, s):
            for sibling in g.objects(parent, SH.property):
                nested += list(g.objects(sibling, SH.qualifiedValueShape))
    for n in nested:
        yield from core_reads(g, n, values, depth + 1)
    for child in g.objects(s, SH.property):
        yield from core_reads(g, child, values, depth + 1)


def target_reads(g: Any, s: Any, compiler: Compiler) -> Iterator[Read]:
    """The reads deciding whether a node is a focus node of `s` (SPARQL targets aside)."""
    if any(True for _ in g.objects(s, SH.targetClass)) or compiler.implicit_class(s):
        yield Read((), RDF.type, False)
        yield Read(_TYPE_PATH, RDFS.subClassOf, False)
    for p in g.objects(s, SH.targetSubjectsOf):
        yield Read((), p, False)
    for p in g.objects(s, SH.targetObjectsOf):
        yield Read((), p, True)


# --- what SPARQL reads -------------------------------------------------------------------------

Triple = tuple[Any, Any, Any]


def sparql_patterns(text: str, prefixes: dict[str, str]) -> list[PatternRead]:
    """Each triple pattern of a SELECT with the patterns every solution using it matches."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        query = prepareQuery(text, initNs=prefixes)
    except Exception as err:  # rdflib's parser raises many kinds
        raise Unbounded(f"a query the analysis cannot parse ({type(err).__name__})") from None
    counter = [0]
    _mandatory, each = _walk(query.algebra.p, counter, top=True)
    return [PatternRead(t[0], t[1], t[2], tuple(co)) for t, co in each]


def _walk(node: Any, counter: list[int], top: bool = False) -> tuple[list[Triple], list[Any]]:
    """(required patterns, [(pattern, patterns matched with it)]) of an algebra node."""
    from rdflib.plugins.sparql.algebra import translateGroupGraphPattern

    name = getattr(node, "name", None)
    if name == "BGP":
        triples = [tuple(t) for t in node.triples]
        return triples, [(t, [u for u in triples if u is not t]) for t in triples]
    if name in ("Join",):
        m1, e1 = _walk(node.p1, counter)
        m2, e2 = _walk(node.p2, counter)
        return m1 + m2, [(t, co + m2) for t, co in e1] + [(t, co + m1) for t, co in e2]
    if name in ("LeftJoin", "Minus"):
        m1, e1 = _walk(node.p1, counter)
        m2, e2 = _walk(node.p2, counter)
        extra = _exists(getattr(node, "expr", None), m1 + m2, counter)
        return m1, e1 + [(t, co + m1) for t, co in e2] + extra
    if name == "Union":
        m1, e1 = _walk(node.p1, counter)
        m2, e2 = _walk(node.p2, counter)
        # a solution matches one branch's required patterns or the other's
        either = [UnionItem((tuple(m1), tuple(m2)))] if m1 and m2 else []
        return either, e1 + e2
    if name == "Filter":
        m, e = _walk(node.p, counter)
        # a solution using a pattern of the filtered group counts only if it passes the filter
        scope = frozenset(getattr(node.p, "_vars", None) or _variables(node.expr))
        kept = FilterItem(node.expr, (), scope)
        # every solution of the node passed it: required with its patterns, too
        return [*m, kept], [(t, [*co, kept]) for t, co in e] + _exists(node.expr, m, counter)
    if name == "Extend":
        m, e = _walk(node.p, counter)
        return m, e + _exists(node.expr, m, counter)
    if name == "Group":
        m, e = _walk(node.p, counter)
        return m, e + _exists(getattr(node, "expr", None), m, counter)
    if name in ("Distinct", "Reduced", "OrderBy", "AggregateJoin", "ToMultiSet"):
        return _walk(node.p, counter)
    if name == "Project":
        m, e = _walk(node.p, counter)
        if top:
            return m, e
        counter[0] += 1  # a subquery: its own variables are its own
        keep = set(node.PV)
        rename = _renamer(keep, counter[0])
        return [rename(t) for t in m], [(rename(t), [rename(u) for u in co]) for t, co in e]
    if name in ("values", "ToMultiSet_values") or name == "Values":
        return [], []
    if name in ("GroupGraphPatternSub",):
        return _walk(translateGroupGraphPattern(node), counter)
    raise Unbounded(f"SPARQL {name or type(node).__name__} (not read by the analysis)")


@dataclass(frozen=True)
class FilterItem:
    """A FILTER enclosing a pattern: `renames` are the subqueries' renamings to apply to its
    variables, `scope` the variables its group binds (before renaming)."""

    expr: Any
    renames: tuple[tuple[frozenset[Any], int], ...]
    scope: frozenset[Any]

    def name(self, var: Any) -> Any:
        for keep, n in self.renames:
            if var not in keep:
                var = Variable(f"{var}__{n}")
        return var


@dataclass(frozen=True)
class UnionItem:
    """The required patterns of each branch of a UNION (a solution matches one of them)."""

    branches: tuple[tuple[Any, ...], ...]


def _renamer(keep: set[Any], n: int) -> Any:
    frozen = frozenset(keep)

    def term(x: Any) -> Any:
        return Variable(f"{x}__{n}") if isinstance(x, Variable) and x not in keep else x

    def rename(t: Any) -> Any:
        if isinstance(t, FilterItem):
            return FilterItem(t.expr, (*t.renames, (frozen, n)), t.scope)
        if isinstance(t, UnionItem):
            return UnionItem(tuple(tuple(rename(u) for u in b) for b in t.branches))
        return (term(t[0]), t[1] if not isinstance(t[1], Variable) else term(t[1]), term(t[2]))

    return rename


def _variables(expr: Any, depth: int = 0) -> set[Any]:
    """Every variable an expression names (inside EXISTS groups too)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if depth > 60:
        raise Unbounded("an expression nested too deep")
    if isinstance(expr, Variable):
        return {expr}
    out: set[Any] = set()
    if isinstance(expr, CompValue):
        for value in expr.values():
            out |= _variables(value, depth + 1)
    elif isinstance(expr, list | tuple | set):
        for value in expr:
            out |= _variables(value, depth + 1)
    return out


_OPS = {"ConditionalAndExpression": "&&", "ConditionalOrExpression": "||"}
_BUILTINS = {
    "STR", "STRSTARTS", "STRENDS", "CONTAINS", "isIRI", "isBLANK", "isLITERAL", "isURI",
    "BOUND", "sameTerm", "LANG", "DATATYPE", "LANGMATCHES", "STRLEN", "LCASE", "UCASE",
}  # fmt: skip


def expr_text(expr: Any, name: Any, depth: int = 0) -> str:
    """SPARQL text of an rdflib expression (Unbounded for a form not written here)."""
    from rdflib.plugins.sparql.algebra import translateGroupGraphPattern
    from rdflib.plugins.sparql.parserutils import CompValue

    if depth > 60:
        raise Unbounded("an expression nested too deep")
    if isinstance(expr, Variable):
        return f"?{name(expr)}"
    if isinstance(expr, URIRef | Literal):
        return expr.n3()
    if not isinstance(expr, CompValue):
        raise Unbounded(f"an expression the analysis does not write: {expr!r}")
    kind = expr.name

    def sub(x: Any) -> str:
        return expr_text(x, name, depth + 1)

    if kind in _OPS:
        others = expr.other if isinstance(expr.other, list) else [expr.other]
        parts = [sub(expr.expr), *(sub(o) for o in others if o is not None)]
        return "(" + f" {_OPS[kind]} ".join(parts) + ")"
    if kind == "RelationalExpression":
        if expr.op in ("IN", "NOT IN"):
            return f"({sub(expr.expr)} {expr.op} ({', '.join(sub(o) for o in expr.other)}))"
        return f"({sub(expr.expr)} {expr.op} {sub(expr.other)})"
    if kind == "UnaryNot":
        return f"(!{sub(expr.expr)})"
    if kind in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
        graph = expr.graph
        if getattr(graph, "name", None) == "GroupGraphPatternSub":
            graph = translateGroupGraphPattern(graph)
        word = "NOT EXISTS" if kind == "Builtin_NOTEXISTS" else "EXISTS"
        return f"{word} {{ {group_text(graph, name, depth + 1)} }}"
    if kind.startswith("Builtin_") and kind[8:] in _BUILTINS:
        args = [expr.arg] if "arg" in expr else [expr[a] for a in ("arg1", "arg2") if a in expr]
        return f"{kind[8:]}({', '.join(sub(a) for a in args)})"
    raise Unbounded(f"SPARQL {kind} in a filter (not written by the analysis)")


def group_text(node: Any, name: Any, depth: int = 0) -> str:
    """SPARQL text of a (small) algebra group: BGPs, joins, filters, OPTIONAL."""
    kind = getattr(node, "name", None)
    if depth > 60:
        raise Unbounded("a group nested too deep")

    def term(x: Any) -> str:
        if isinstance(x, Variable):
            return f"?{name(x)}"
        if isinstance(x, Path):
            return path_text(x)
        if isinstance(x, URIRef | Literal):
            return x.n3()
        raise Unbounded(f"a term the analysis does not write: {x!r}")

    if kind == "BGP":
        return "".join(f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in node.triples)
    if kind == "Join":
        return group_text(node.p1, name, depth + 1) + group_text(node.p2, name, depth + 1)
    if kind == "Filter":
        inner = group_text(node.p, name, depth + 1)
        if getattr(node.expr, "name", None) == "TrueFilter":
            return inner
        return inner + f"FILTER ({expr_text(node.expr, name, depth + 1)})\n"
    if kind == "LeftJoin":
        right = group_text(node.p2, name, depth + 1)
        if getattr(node.expr, "name", None) not in (None, "TrueFilter"):
            right += f"FILTER ({expr_text(node.expr, name, depth + 1)})\n"
        return group_text(node.p1, name, depth + 1) + f"OPTIONAL {{ {right} }}\n"
    raise Unbounded(f"SPARQL {kind} in an EXISTS group (not written by the analysis)")


def _exists(expr: Any, outer: list[Triple], counter: list[int]) -> list[Any]:
    """The patterns of (NOT) EXISTS groups in an expression, matched with the outer ones."""
    out: list[Any] = []
    for graph in _exists_graphs(expr):
        _m, e = _walk(graph, counter)
        out += [(t, co + outer) for t, co in e]
    return out


def _exists_graphs(expr: Any, depth: int = 0) -> Iterator[Any]:
    from rdflib.plugins.sparql.parserutils import CompValue

    if depth > 50 or expr is None:
        return
    if isinstance(expr, CompValue):
        if expr.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            yield expr.graph
            return
        for value in expr.values():
            yield from _exists_graphs(value, depth + 1)
    elif isinstance(expr, list | tuple):
        for value in expr:
            yield from _exists_graphs(value, depth + 1)


# --- the plan ----------------------------------------------------------------------------------


def top_shapes(compiler: Compiler) -> list[Any]:
    g = compiler.g
    return [
        s
        for s in sorted(set(g.subjects()), key=str)
        if compiler.has_targets(s) and not compiler.true(s, "deactivated")
    ]


def plans(shapes: Any) -> list[Plan]:
    """What each shape with targets reads (cached per shapes graph)."""
    key = (id(shapes), len(shapes))
    if key in _plans:
        return _plans[key]
    compiler = Compiler(shapes)
    g = shapes
    out = []
    for s in top_shapes(compiler):
        plan = Plan(s)
        try:
            plan.reads |= set(target_reads(g, s, compiler))
            plan.reads |= set(core_reads(g, s, ()))
            queries = []
            for t in g.objects(s, SH.target):
                if compiler.true(t, "deactivated"):
                    continue
                queries.append((t, str(g.value(t, SH.select))))
                plan.sparql_target = True
            for c in g.objects(s, SH.sparql):
                if compiler.true(c, "deactivated"):
                    continue
                text = str(g.value(c, SH.select))
                path = g.value(s, SH.path)
                if path is not None:
                    text = re.sub(r"\$PATH\b", lambda _m, p=path: compiler.path(p), text)
                queries.append((c, text))
            for node, text in queries:
                compiler._prefixes = {}
                compiler.declare(node)
                found = sparql_patterns(text, dict(compiler._prefixes))
                plan.patterns += found
                if (node, SH.select, None) in g and (s, SH.target, node) in g:
                    plan.target_patterns += found
        except Unbounded as err:
            plan.full = str(err)
        out.append(plan)
    _plans.clear()
    _plans[key] = out
    return out


_plans: dict[tuple[int, int], list[Plan]] = {}


# --- candidates --------------------------------------------------------------------------------


def _sparql(term: Any) -> str | None:
    """A pyoxigraph term as SPARQL text (None for a blank node: bound by substitution)."""
    import pyoxigraph as ox

    if isinstance(term, ox.BlankNode):
        return None
    return str(term)


def _rdflib_text(term: Any, names: dict[Any, str]) -> str:
    if isinstance(term, Variable):
        return f"?{term}"
    if isinstance(term, BNode):  # a blank node in a query is a variable
        return names.setdefault(term, f"?_b{len(names)}")
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    if isinstance(term, Path):
        return path_text(term)
    raise Unbounded(f"a term the analysis does not write: {term!r}")


class Finder:
    """The candidate focus nodes of each plan for one change, on one store."""

    def __init__(self, store: Any, cap: int = CAP) -> None:
        self.store = store
        self.cap = cap
        self._cache: dict[str, list[Any]] = {}

    def _select(self, body: str, binds: list[tuple[str, Any]]) -> list[Any]:
        """?this of `body` for each binding of ?_y (VALUES, or one substitution per blank)."""
        import pyoxigraph as ox

        out: list[Any] = []
        texts = sorted({t for _v, term in binds if (t := _sparql(term)) is not None})
        blanks = [term for _v, term in binds if _sparql(term) is None]
        queries = []
        if texts:
            queries.append((f"VALUES ?_y {{ {' '.join(texts)} }}\n{body}", None))
        for b in blanks:
            queries.append((body, b))
        for text, blank in queries:
            q = f"SELECT DISTINCT ?this WHERE {{ {text} }} LIMIT {self.cap + 1}"
            if q not in self._cache or blank is not None:
                subs = {ox.Variable("_y"): blank} if blank is not None else None
                rows = [row["this"] for row in self.store.query(q, substitutions=subs)]
                if blank is not None:
                    out += rows
                    if len(out) > self.cap:
                        raise Unbounded(f"more than {self.cap} candidate focus nodes")
                    continue
                self._cache[q] = rows
            out += self._cache[q]
            if len(out) > self.cap or any(r is None for r in out):
                raise Unbounded(f"more than {self.cap} candidate focus nodes")
        return out

    def read(self, read: Read, triples: Sequence[Any]) -> set[Any]:
        ys = []
        for t in triples:
            if read.predicate is None or str(t.predicate.value) == str(read.predicate):
                ys.append(t.object if read.inverse else t.subject)
        if not ys:
            return set()
        if not read.prefix:
            return set(ys)
        prefix = path_text(SequencePath(*read.prefix)) if len(read.prefix) > 1 else None
        prefix = prefix or path_text(read.prefix[0])
        return set(self._select(f"?this {prefix} ?_y .", [("_y", y) for y in ys]))

    def pattern(self, pat: PatternRead, triples: Sequence[Any]) -> set[Any]:
        names: dict[Any, str] = {}
        plain = [t for t in pat.co if isinstance(t, tuple)]
        bound = {x for t in (*plain, (pat.subject, pat.path, pat.object)) for x in t}
        bound |= {x for u in pat.co if isinstance(u, UnionItem) for x in _union_bound(u)}
        if Variable("this") not in bound:
            raise Unbounded("a SPARQL pattern not tied to ?this")
        co = _co_text(pat.co, names, bound)
        out: set[Any] = set()
        if isinstance(pat.path, Path):
            start = _rdflib_text(pat.subject, names)
            for read in path_reads(pat.path):
                ys = [
                    t.object if read.inverse else t.subject
                    for t in triples
                    if read.predicate is None or t.predicate.value == str(read.predicate)
                ]
                if not ys:
                    continue
                if read.prefix:
                    steps = read.prefix[0] if len(read.prefix) == 1 else SequencePath(*read.prefix)
                    reach = f"{start} {path_text(steps)} ?_y .\n"
                    out |= set(self._select(co + reach, [("_y", y) for y in ys]))
                elif pat.subject == Variable("this"):
                    out |= set(ys)
                elif isinstance(pat.subject, Variable | BNode):
                    # the step starts at the pattern's subject: that variable is the read node
                    body = re.sub(rf"{re.escape(start)}\b", "?_y", co)
                    out |= set(self._select(body, [("_y", y) for y in ys]))
                elif any(_same_term(pat.subject, y) for y in ys):
                    out |= set(self._one(co))
            return out
        rows = [b for t in triples if (b := self._bind_triple(pat, t, names)) is not None]
        if not rows:
            return out
        if not rows[0]:
            return set(self._one(co))
        # one query for every changed triple the pattern matches; the filters on the
        # pattern's own variables are applied to those rows first (else the engine may join
        # before it filters: a predicate's every use, per changed triple)
        vars_ = sorted(rows[0])
        values = sorted({"(" + " ".join(str(r[v]) for v in vars_) + ")" for r in rows})
        own = _co_text(pat.co, names, bound, only=set(vars_))
        rest = _co_text(pat.co, names, bound, skip=set(vars_))
        inner = f"VALUES ({' '.join(vars_)}) {{ {' '.join(values)} }}\n{own}"
        return set(self._one(f"{{ SELECT * WHERE {{ {inner} }} }}\n{rest}"))

    def _one(self, body: str) -> list[Any]:
        q = f"SELECT DISTINCT ?this WHERE {{ {body} }} LIMIT {self.cap + 1}"
        if q not in self._cache:
            self._cache[q] = [row["this"] for row in self.store.query(q)]
        rows = self._cache[q]
        if len(rows) > self.cap or any(r is None for r in rows):
            raise Unbounded(f"more than {self.cap} candidate focus nodes")
        return rows

    def _bind_triple(
        self, pat: PatternRead, t: Any, names: dict[Any, str]
    ) -> dict[str, Any] | None:
        """The pattern's variables bound to the changed triple (None: cannot match)."""
        binds: dict[str, Any] = {}
        for part, term in (
            (pat.subject, t.subject),
            (pat.path, t.predicate),
            (pat.object, t.object),
        ):
            if isinstance(part, Variable | BNode):
                var = _rdflib_text(part, names)
                if binds.get(var, term) != term:
                    return None
                binds[var] = term
            elif not _same_term(part, term):
                return None
        if any(_sparql(term) is None for term in binds.values()):
            raise Unbounded("a blank node bound in a SPARQL pattern")
        return binds


def _union_bound(u: UnionItem) -> set[Any]:
    """The variables every branch of a union binds."""
    sets = [
        {x for t in b if isinstance(t, tuple) for x in t if isinstance(x, Variable)}
        for b in u.branches
    ]
    return set.intersection(*sets) if sets else set()


def _co_text(
    items: Iterable[Any],
    names: dict[Any, str],
    bound: set[Any],
    only: set[str] | None = None,
    skip: set[str] | None = None,
) -> str:
    """The patterns a candidate query must match with the changed one; a filter only where
    every variable it reads from its group is bound here too (else it could hold in the
    query and fail here), and one the analysis cannot write is left out (fewer conditions:
    more candidates, never fewer). `only`: just the filters reading no other variable than
    these (SPARQL names); `skip`: all but those filters."""
    out = []
    for item in items:
        if only is not None and not isinstance(item, FilterItem):
            continue
        if isinstance(item, tuple):
            s, p, o = item
            out.append(
                f"{_rdflib_text(s, names)} {_rdflib_text(p, names)} {_rdflib_text(o, names)} .\n"
            )
        elif isinstance(item, UnionItem):
            branches = [_co_text(b, names, bound) for b in item.branches]
            out.append(" UNION ".join(f"{{ {b} }}" for b in branches) + "\n")
        elif isinstance(item, FilterItem):
            try:
                names_in = _variables(item.expr)
                needed = {item.name(v) for v in names_in if v in item.scope}
                # a variable its group leaves unbound must stay unbound here too
                clash = {item.name(v) for v in names_in if v not in item.scope} & bound
                if not needed <= bound or clash:
                    continue
                own = {_rdflib_text(v, names) for v in needed} <= (only or skip or set())
                if (only is not None and not own) or (skip is not None and own):
                    continue
                out.append(f"FILTER ({expr_text(item.expr, item.name)})\n")
            except Unbounded:
                continue
    return "".join(out)


def _same_literal(part: Any, term: Any) -> bool:
    import pyoxigraph as ox

    if not isinstance(term, ox.Literal):
        return False
    return str(part) == term.value and (part.language or None) == (term.language or None)


def _same_term(part: Any, term: Any) -> bool:
    import pyoxigraph as ox

    if isinstance(part, URIRef):
        return isinstance(term, ox.NamedNode) and term.value == str(part)
    return isinstance(part, Literal) and _same_literal(part, term)


@dataclass
class Affected:
    """The focus nodes a change can affect, and the shapes that must run in full."""

    nodes: set[Any] = field(default_factory=set)
    full: dict[Any, str] = field(default_factory=dict)  # shape -> why
    # SPARQL-target shape -> the candidates whose membership of its targets may change
    moved: dict[Any, set[Any]] = field(default_factory=dict)


def affected(shapes: Any, store: Any, triples: Sequence[Any], into: Affected) -> Affected:
    """Add to `into` the candidate focus nodes of `triples` (changed) on `store`."""
    finder = Finder(store)
    if not triples:
        return into
    for plan in plans(shapes):
        if plan.shape in into.full:
            continue
        if plan.full is not None:
            into.full[plan.shape] = plan.full
            continue
        try:
            found: set[Any] = set()
            for read in plan.reads:
                found |= finder.read(read, triples)
            for pat in plan.patterns:
                here = finder.pattern(pat, triples)
                found |= here
                if pat in plan.target_patterns:
                    into.moved.setdefault(plan.shape, set()).update(here)
            if len(found) > CAP:
                raise Unbounded(f"more than {CAP} candidate focus nodes")
            into.nodes |= found
        except Unbounded as err:
            into.full[plan.shape] = str(err)
    return into


def delta(
    before: Iterable[ValidationResult], after: Iterable[ValidationResult]
) -> tuple[list[ValidationResult], list[ValidationResult]]:
    """(results added, results gone): after minus before and before minus after, as multisets."""
    b = list(before)
    a = list(after)
    kb = Counter(_key(r) for r in b)
    ka = Counter(_key(r) for r in a)
    added, gone = [], []
    left = ka - kb
    for r in a:
        if left[_key(r)] > 0:
            left[_key(r)] -= 1
            added.append(r)
    left = kb - ka
    for r in b:
        if left[_key(r)] > 0:
            left[_key(r)] -= 1
            gone.append(r)
    return added, gone


def _key(r: ValidationResult) -> tuple[Any, ...]:
    return (r.focus, r.source_shape, r.severity, r.path, r.value, r.message_en, r.message_zh)


def owners(shapes: Any) -> dict[Any, Any]:
    """The shape with targets each property shape (reached through sh:property) belongs to."""
    compiler = Compiler(shapes)
    out: dict[Any, Any] = {}
    for top in top_shapes(compiler):
        todo = [top]
        while todo:
            s = todo.pop()
            if s in out:
                continue
            out[s] = top
            todo += list(shapes.objects(s, SH.property))
    return out


# --- running a change ------------------------------------------------------------------------


@dataclass
class ChangeReport:
    """What a change does: the results it adds and those it resolves, with how it was run."""

    added: list[ValidationResult]
    gone: list[ValidationResult]
    nodes: int  # candidate focus nodes checked
    full: dict[str, str]  # shapes run in full -> why
    engine: str
    new: list[Any] = field(default_factory=list)  # the triples really added
    old: list[Any] = field(default_factory=list)  # the triples really removed


def run_change(
    kg: Any,
    added: Sequence[Any],
    removed: Sequence[Any] = (),
    *,
    shapes: Any,
    engine: str = "oxigraph",
    keep: bool = False,
    on_change: Callable[[list[Any], list[Any]], None] | None = None,
    target_cache: Any = None,
) -> ChangeReport:
    """Validate a change of `kg` (triples `added` and `removed`) incrementally.

    The store ends as before (or changed, with `keep`). Results are not located (the caller
    does, on the graph it reports about). `on_change(added, removed)` is told the triples
    really added and removed before the store is first changed (a journal, see `db`).
    `target_cache`: the store's named graph listing the members of each SPARQL target of
    the bundled shapes (`db`); without it they are computed on the graph before.
    """
    import pyoxigraph as ox

    store = kg.store
    default = ox.DefaultGraph()
    new = list(
        dict.fromkeys(t for t in added if ox.Quad(t.subject, t.predicate, t.object) not in store)
    )
    old = list(
        dict.fromkeys(
            t for t in removed if ox.Quad(t.subject, t.predicate, t.object, default) in store
        )
    )
    gone_set = set(old)
    new = [t for t in new if t not in gone_set]
    if on_change is not None:
        on_change(new, old)
    aff = Affected()
    affected(shapes, store, old, aff)  # removed triples: read on the graph before
    apply_change(kg, new, old)
    try:
        affected(shapes, store, new, aff)  # added ones: on the graph after
    finally:
        apply_change(kg, old, new)
    listed: dict[Any, set[Any]] | None = None
    if engine != "pyshacl":
        listed = _base_members(kg.store, shapes, aff, target_cache)
    before = _results(kg, shapes, engine, aff, listed)
    apply_change(kg, new, old)
    try:
        if listed is not None:
            listed = _moved_members(kg.store, shapes, aff, listed)
        after = _results(kg, shapes, engine, aff, listed)
    finally:
        if not keep:
            apply_change(kg, old, new)
    plus, minus = delta(before, after)
    full = {str(k): v for k, v in aff.full.items()}
    return ChangeReport(plus, minus, len(aff.nodes), full, engine, new, old)


def apply_change(kg: Any, add: Sequence[Any], remove: Sequence[Any]) -> None:
    """Triples added to and removed from the store's default graph (exact literals too)."""
    import pyoxigraph as ox

    from govkg.load import is_typed

    for t in remove:
        quad = ox.Quad(t.subject, t.predicate, t.object)
        kg.store.remove(quad)
        if is_typed(t.object) and quad in kg.exact:
            kg.exact.remove(quad)
    if add:
        kg.store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in add)
        if not kg.queries_only:
            for t in add:
                if is_typed(t.object):
                    kg.exact.add(ox.Quad(t.subject, t.predicate, t.object))


def _results(
    kg: Any, shapes: Any, engine: str, aff: Affected, listed: dict[Any, set[Any]] | None
) -> list[ValidationResult]:
    if engine == "pyshacl":
        return _pyshacl_results(kg, shapes, aff)
    return _store_results(kg, shapes, aff, listed or {})


_checks: dict[tuple[int, int, bool], list[Any]] = {}


def _checks_of(shapes: Any, scoped: bool) -> list[Any]:
    """The checks; scoped ones read the SPARQL targets' members from TARGETS_GRAPH."""
    key = (id(shapes), len(shapes), scoped)
    if key not in _checks:
        _checks[key] = Compiler(shapes, scoped=scoped, listed_targets=scoped).checks()
    return _checks[key]


def target_query(shapes: Any, s: Any) -> str:
    """The members of the SPARQL targets of shape `s`, as one SELECT of ?this."""
    compiler = Compiler(shapes)
    compiler._prefixes = {}
    branches = [
        compiler.subselect(t, "?this")
        for t in sorted(shapes.objects(s, SH.target), key=str)
        if not compiler.true(t, "deactivated")
    ]
    union = " UNION ".join(f"{{ {b} }}" for b in branches) or "FILTER (false)"
    return compiler.prologue() + f"SELECT DISTINCT ?this WHERE {{ {union} }}"


def listed_shapes(shapes: Any) -> list[Any]:
    """The shapes whose SPARQL targets scoped checks read from a list (IRIs)."""
    return [p.shape for p in plans(shapes) if p.sparql_target and isinstance(p.shape, URIRef)]


def target_members(store: Any, shapes: Any) -> Iterator[tuple[Any, Any]]:
    """(node, shape IRI) of every SPARQL target's members: for a store's cache (`db`)."""
    import pyoxigraph as ox

    for s in listed_shapes(shapes):
        node = ox.NamedNode(str(s))
        for row in store.query(target_query(shapes, s)):
            yield row["this"], node


def _base_members(store: Any, shapes: Any, aff: Affected, cache: Any) -> dict[Any, set[Any]]:
    """Each listed shape's members among the affected nodes, on the graph before."""
    import pyoxigraph as ox

    from govkg.shacl.compile import TARGET_OF

    out: dict[Any, set[Any]] = {}
    of = ox.NamedNode(TARGET_OF)
    for s in listed_shapes(shapes):
        if s in aff.full:
            continue
        if cache is not None:
            shape = ox.NamedNode(str(s))
            out[s] = {n for n in aff.nodes if ox.Quad(shape, of, n, cache) in store}
        else:
            members = {row["this"] for row in store.query(target_query(shapes, s))}
            out[s] = members & aff.nodes
    return out


def _moved_members(
    store: Any, shapes: Any, aff: Affected, before: dict[Any, set[Any]]
) -> dict[Any, set[Any]]:
    """The members after the change: re-asked of the target's query only for the shapes
    whose target patterns the change reached (cost of that query), only for those nodes."""
    out = dict(before)
    for s, moved in aff.moved.items():
        if s not in out or not moved:
            continue
        if len(moved) > PER_NODE:
            members = {row["this"] for row in store.query(target_query(shapes, s))} & moved
        else:
            members = {n for n in moved if _is_member(store, shapes, s, n)}
        out[s] = (out[s] - moved) | members
    return out


PER_NODE = 64
"""Up to this many nodes, target membership is asked node by node (?this pre-bound)."""


def _is_member(store: Any, shapes: Any, s: Any, node: Any) -> bool:
    """`node` is a member of a SPARQL target of `s`: its query with ?this pre-bound to the
    node (pyoxigraph's substitution, SHACL's pre-binding), one query per target."""
    import pyoxigraph as ox

    compiler = Compiler(shapes)
    for t in sorted(shapes.objects(s, SH.target), key=str):
        if compiler.true(t, "deactivated"):
            continue
        compiler._prefixes = {}
        compiler.declare(t)
        query = compiler.prologue() + str(shapes.value(t, SH.select))
        if any(True for _ in store.query(query, substitutions={ox.Variable("this"): node})):
            return True
    return False


def _top(check: Any, owner: dict[Any, Any]) -> Any:
    while check.parent is not None:
        check = check.parent
    return owner.get(check.shape, check.shape)


def _store_results(
    kg: Any, shapes: Any, aff: Affected, listed: dict[Any, set[Any]]
) -> list[ValidationResult]:
    import pyoxigraph as ox

    from govkg.shacl import oxigraph
    from govkg.shacl.compile import TARGET_OF, TARGETS_GRAPH
    from govkg.shacl.run import clear_scope, mark_scope

    owner = owners(shapes)
    checks = [c for c in _checks_of(shapes, True) if _top(c, owner) not in aff.full]
    if not aff.nodes:
        checks = []
    if aff.full:
        checks += [c for c in _checks_of(shapes, False) if _top(c, owner) in aff.full]
    graph = ox.NamedNode(TARGETS_GRAPH)
    if checks and aff.nodes:
        mark_scope(kg, aff.nodes)
        of = ox.NamedNode(TARGET_OF)
        kg.store.extend(
            ox.Quad(ox.NamedNode(str(s)), of, n, graph)
            for s, nodes in listed.items()
            for n in nodes
        )
    try:
        answers = oxigraph._solve(kg.store, checks, None)
    finally:
        if aff.nodes:
            clear_scope(kg)
            kg.store.remove_graph(graph)
    return oxigraph._results(checks, answers, shapes)


def _pyshacl_results(kg: Any, shapes: Any, aff: Affected) -> list[ValidationResult]:
    """pySHACL on the whole graph (before, then after): exact, not bounded.

    pySHACL's focus_nodes option cannot bound a run: it filters nested shapes' value nodes
    too (a literal value of sh:qualifiedValueShape is dropped as "not targeted", so the
    count changes) and, with use_shapes, validates the nodes against shapes that do not
    target them. The bounded run is the SPARQL engine's.
    """
    from govkg.load import to_rdflib
    from govkg.shacl.engines import PyShaclEngine
    from govkg.shacl.report import read_results

    graph = PyShaclEngine().run(to_rdflib(kg.triples()), shapes)
    return read_results(graph, shapes)


# --- a contribution: files added (and removed) against a base ---------------------------------


def validate_contribution(
    files: Sequence[FilePath | str],
    remove: Sequence[FilePath | str] = (),
    *,
    store: FilePath | str | None = None,
    engine: str = "auto",
    shapes_dir: FilePath | str | None = None,
) -> tuple[Any, ChangeReport]:
    """What adding `files` (and removing the triples of `remove`) does to the results of the
    base: the store folder `store`, else the bundled graph. Returns the report of the results
    the change adds (located in the files) and the `ChangeReport` (results it resolves,
    candidate nodes, shapes run in full). Only the affected focus nodes are checked."""
    from govkg import resources
    from govkg.errors import BadInput
    from govkg.load import load_graph
    from govkg.shacl.locate import locate_all
    from govkg.shacl.report import ValidationReport
    from govkg.shacl.run import choose_engine, engine_for_graph
    from govkg.shacl.shapes import load_shapes

    shapes = load_shapes(shapes_dir)
    chosen = choose_engine(engine, shapes, "none")
    folder = FilePath(store) if store is not None else None
    if folder is not None:
        from govkg import db

        if chosen.name != "oxigraph":
            raise BadInput(
                "a store keeps literal values, not their lexical forms: validate against it "
                "with --engine oxigraph (the shapes must compile to SPARQL)"
            )
        kg = db.open_store(folder)
        chosen = engine_for_graph(kg, chosen, engine)
    else:
        kg = load_graph([], queries_only=chosen.name == "oxigraph")
        fit = engine_for_graph(kg, chosen, engine)
        if fit is not chosen:
            chosen = fit
            kg = load_graph([])
    change = load_graph(files, ontology=False, data=False, queries_only=True) if files else None
    gone = load_graph(remove, ontology=False, data=False, queries_only=True) if remove else None

    def triples(g: Any) -> list[Any]:
        import pyoxigraph as ox

        if g is None:
            return []
        return [q.triple for q in g.store.quads_for_pattern(None, None, None, ox.DefaultGraph())]

    def journal(new: list[Any], old: list[Any]) -> None:
        if folder is not None:
            from govkg import db

            db.write_pending(folder, new, old)

    added, removed = triples(change), triples(gone)
    if chosen.name == "pyshacl" and change is not None:
        # pySHACL reads the exact literals: the files' typed literals as written
        exact = load_graph(files, ontology=False, data=False)
        added = list(exact.triples())
    cache = None
    if folder is not None and shapes_dir is None:
        from govkg import db

        cache = db.TARGETS  # listed by `db` for the bundled shapes
    rep = run_change(
        kg,
        added,
        removed,
        shapes=shapes,
        engine=chosen.name,
        keep=True,
        on_change=journal,
        target_cache=cache,
    )
    try:
        if change is not None:
            kg.files = [*kg.files, *change.files]
            kg.file_subjects.update(change.file_subjects)
        ontology = {p.resolve() for p in resources.ontology_files()}
        bundled = {p.resolve() for p in resources.data_files()}
        rep.added = locate_all(rep.added, kg, ontology, bundled)
        rep.gone = locate_all(rep.gone, kg, ontology, bundled)
    finally:
        apply_change(kg, rep.old, rep.new)
        if folder is not None:
            from govkg import db

            kg.store.flush()
            db.clear_pending(folder)
    rep.added.sort(key=ValidationResult.sort_key)
    rep.gone.sort(key=ValidationResult.sort_key)

    def no_graph() -> Any:
        raise BadInput("a contribution's report has no sh:ValidationReport graph: use -f json")

    report = ValidationReport(rep.added, no_graph, chosen.name, [FilePath(f) for f in files])
    return report, rep
