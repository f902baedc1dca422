"""SHACL shapes compiled to SPARQL: one set-based query per shape and constraint component.

Each `Check` is a SELECT over the whole data graph whose solutions are exactly the
validation results of one constraint component of one shape: the focus nodes (the shape's
targets, joined once), the value nodes (its path), and a FILTER that holds where the
constraint is violated. Conformance to a nested shape (`sh:node`, `sh:or`, `sh:not`,
`sh:qualifiedValueShape`, ...) becomes a `NOT EXISTS` expression on the value node.

What is compiled: SHACL Core (all targets, paths and constraint components) and the
SHACL-SPARQL constraints and SPARQL targets of SHACL-AF. Anything else (custom constraint
components, rules, JavaScript, recursive shapes, `$shapesGraph`, blank nodes as constants)
raises `Unsupported`, so `--engine auto` hands the shapes to pySHACL instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

SH = Namespace("http://www.w3.org/ns/shacl#")
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = f"<{RDF.type}>"
SUBCLASS = f"<{RDFS.subClassOf}>"
OWL_IMPORTS = URIRef("http://www.w3.org/2002/07/owl#imports")
SCOPE_GRAPH = "urn:govkg:validation-scope"
"""A named graph of the focus nodes a scoped run may report on (see `run.validate`)."""
SCOPE_MEMBER = "urn:govkg:in-scope"
TARGETS_GRAPH = "urn:govkg:validation-targets"
"""With `Compiler(listed_targets=True)`: the SPARQL targets' focus nodes, listed in this graph
as `<shape> TARGET_OF <node>` by the caller (`shacl.incremental`; the node is the object, so
a literal can be listed too)."""
TARGET_OF = "urn:govkg:target-of"

# SHACL predicates the compiler reads (or that carry no semantics for validation: names,
# messages, report vocabulary in a test manifest); any other sh: predicate is unsupported
TARGETS = ("targetNode", "targetClass", "targetSubjectsOf", "targetObjectsOf", "target")
PARAMETERS = [
    "class",
    "datatype",
    "nodeKind",
    "minCount",
    "maxCount",
    "minExclusive",
    "minInclusive",
    "maxExclusive",
    "maxInclusive",
    "minLength",
    "maxLength",
    "pattern",
    "flags",
    "languageIn",
    "uniqueLang",
    "equals",
    "disjoint",
    "lessThan",
    "lessThanOrEquals",
    "not",
    "and",
    "or",
    "xone",
    "node",
    "property",
    "qualifiedValueShape",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint",
    "closed",
    "ignoredProperties",
    "hasValue",
    "in",
    "sparql",
]
KNOWN = (
    set(TARGETS)
    | set(PARAMETERS)
    | set(
        [
            "path",
            "alternativePath",
            "inversePath",
            "zeroOrMorePath",
            "oneOrMorePath",
            "zeroOrOnePath",
            "name",
            "description",
            "message",
            "severity",
            "deactivated",
            "order",
            "group",
            "defaultValue",
            "prefixes",
            "declare",
            "prefix",
            "namespace",
            "select",
            "conforms",
            "result",
            "focusNode",
            "resultPath",
            "value",
            "sourceShape",
            "resultSeverity",
            "sourceConstraintComponent",
            "sourceConstraint",
            "resultMessage",
            "detail",
            "shapesGraph",
        ]
    )
)
_XSD_LEXICAL = {
    # lexical spaces (XSD 1.1) of the datatypes a value is checked against; a literal of
    # another datatype is taken as well formed
    "integer": r"^[+-]?[0-9]+$",
    "nonNegativeInteger": r"^(\+?[0-9]+|-0+)$",
    "positiveInteger": r"^\+?0*[1-9][0-9]*$",
    "decimal": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$",
    "boolean": r"^(true|false|1|0)$",
    "gYear": r"^-?([1-9][0-9]{4,}|[0-9]{4})(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$",
    "date": r"^-?([1-9][0-9]{4,}|[0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$",
    "double": r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$",
    "float": r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$",
}


V = "\x00V\x00"
"""Where a condition names its value node (replaced by a variable when used)."""


FOCUS = "\x00FOCUS\x00"
"""Where a bulk query's body puts its focus nodes (filled in per check)."""


NEED_A_VALUE = {
    f"{name}ConstraintComponent"
    for name in [
        "Class",
        "Datatype",
        "NodeKind",
        "MinExclusive",
        "MinInclusive",
        "MaxExclusive",
        "MaxInclusive",
        "MinLength",
        "MaxLength",
        "Pattern",
        "LanguageIn",
        "In",
        "Node",
        "Not",
        "And",
        "Or",
        "Xone",
        "MaxCount",
        "UniqueLang",
        "Disjoint",
        "LessThan",
        "LessThanOrEquals",
    ]
}
"""Components whose every result is about a value node (so a focus node has a value)."""


class Unsupported(Exception):
    """A construct the SPARQL compiler does not translate (auto then runs pySHACL)."""


@dataclass
class Check:
    """One shape x constraint component as a query; each solution is one result."""

    shape: Any
    component: URIRef
    severity: URIRef
    query: str
    path: Any = None  # the shape's sh:path node (copied into the report)
    constraint: Any = None  # the sh:sparql node of a SPARQL-based constraint
    messages: list[Literal] = field(default_factory=list)
    value: bool = True  # the solutions bind ?value
    sparql: bool = False  # SHACL-SPARQL: ?value defaults to the focus, ?path may be bound
    parent: Check | None = None  # a sh:detail of that check's results (bound as ?_parent)


def _esc(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


_IRI_OK = re.compile(r'^[^<>"{}|^`\\\x00-\x20]*$')


def sparql_term(term: Any) -> str:
    """An rdflib IRI or literal as SPARQL text (blank nodes cannot be named in a query)."""
    if isinstance(term, URIRef):
        if not _IRI_OK.match(str(term)):
            raise Unsupported(f"an IRI SPARQL cannot write: {term!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        text = f'"{_esc(str(term))}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^{sparql_term(URIRef(term.datatype))}"
        return text
    raise Unsupported("a blank node used as a constant")


class Compiler:
    """Reads a shapes graph; `checks()` gives the queries, or raises Unsupported."""

    def __init__(
        self, shapes: Graph, *, scoped: bool = False, listed_targets: bool = False
    ) -> None:
        self.g = shapes
        self.scoped = scoped
        self.listed_targets = listed_targets
        self._n = 0
        self._stack: list[Any] = []
        self._prefixes: dict[str, str] = {}
        self.compiled: list[Check] = []  # what `unsupported()` compiled, for reuse

    # --- reading the shapes graph -----------------------------------------------------

    def fresh(self, hint: str = "v") -> str:
        self._n += 1
        return f"?_{hint}{self._n}"

    def one(self, s: Any, p: str) -> Any:
        return self.g.value(s, SH[p])

    def items(self, node: Any) -> list[Any]:
        if node is None:
            return []
        if node != RDF.nil and (node, RDF.first, None) not in self.g:
            raise Unsupported(f"sh: list expected, got {node!r}")
        return list(Collection(self.g, node))

    def true(self, s: Any, p: str) -> bool:
        value = self.one(s, p)
        return isinstance(value, Literal) and str(value) == "true"

    def integer(self, s: Any, p: str) -> int | None:
        value = self.one(s, p)
        if value is None:
            return None
        try:
            return int(str(value))
        except ValueError:
            raise Unsupported(f"sh:{p} {value!r} is not an integer") from None

    def is_property(self, s: Any) -> bool:
        return (s, SH.path, None) in self.g

    def has_targets(self, s: Any) -> bool:
        return any((s, SH[t], None) in self.g for t in TARGETS) or self.implicit_class(s)

    def implicit_class(self, s: Any) -> bool:
        if not isinstance(s, URIRef):
            return False
        shape_types = (SH.NodeShape, SH.PropertyShape)
        types = set(self.g.objects(s, RDF.type))
        if not types & set(shape_types):
            return False
        closure = set(types)
        todo = list(types)
        while todo:
            for sup in self.g.objects(todo.pop(), RDFS.subClassOf):
                if sup not in closure:
                    closure.add(sup)
                    todo.append(sup)
        return RDFS.Class in closure

    def unsupported(self) -> list[str]:
        """What in the shapes graph this compiler does not translate (empty: all of it)."""
        found = sorted(
            {
                f"sh:{str(p)[len(SH) :]}"
                for p in set(self.g.predicates())
                if str(p).startswith(str(SH)) and str(p)[len(SH) :] not in KNOWN
            }
        )
        if found:
            return found
        try:
            self.compiled = self.checks()
        except Unsupported as err:
            return [str(err)]
        return []

    # --- paths, focus nodes and value nodes -------------------------------------------

    def path(self, p: Any, depth: int = 0) -> str:
        if depth > 20:
            raise Unsupported("a path nested too deep")
        if isinstance(p, URIRef):
            return sparql_term(p)
        if isinstance(p, BNode):
            if (p, RDF.first, None) in self.g:
                parts = [self.path(x, depth + 1) for x in self.items(p)]
                if len(parts) < 2:
                    raise Unsupported("a sequence path of fewer than two steps")
                return "(" + "/".join(parts) + ")"
            alt = self.one(p, "alternativePath")
            if alt is not None:
                parts = [self.path(x, depth + 1) for x in self.items(alt)]
                if len(parts) < 2:
                    raise Unsupported("an alternative path of fewer than two members")
                return "(" + "|".join(parts) + ")"
            inner = self.one(p, "inversePath")
            if inner is not None:
                return "(^" + self.path(inner, depth + 1) + ")"
            for prop, mark in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+")):
                inner = self.one(p, prop)
                if inner is not None:
                    return "(" + self.path(inner, depth + 1) + ")" + mark
            inner = self.one(p, "zeroOrOnePath")
            if inner is not None:
                return "(" + self.path(inner, depth + 1) + ")?"
        raise Unsupported(f"a path SHACL does not define: {p!r}")

    def values(self, s: Any, f: str, v: str) -> str:
        """A pattern binding `v` to each value node of shape `s` at focus `f`."""
        if self.is_property(s):
            return f"{f} {self.path(self.one(s, 'path'))} {v} .\n"
        return f"BIND ({f} AS {v})\n"

    def target_patterns(self, s: Any, var: str) -> list[str]:
        out = []
        for node in sorted(self.g.objects(s, SH.targetNode), key=str):
            out.append(f"VALUES {var} {{ {sparql_term(node)} }}")
        classes = list(self.g.objects(s, SH.targetClass))
        if self.implicit_class(s):
            classes.append(s)
        for cls in sorted(set(classes), key=str):
            out.append(f"{var} {RDF_TYPE}/{SUBCLASS}* {sparql_term(cls)} .")
        for p in sorted(self.g.objects(s, SH.targetSubjectsOf), key=str):
            out.append(self._once(f"{var} {sparql_term(p)} {self.fresh('o')} .", var))
        for p in sorted(self.g.objects(s, SH.targetObjectsOf), key=str):
            out.append(self._once(f"{self.fresh('s')} {sparql_term(p)} {var} .", var))
        for t in sorted(self.g.objects(s, SH.target), key=str):
            if (t, RDF.type, SH.SPARQLTarget) not in self.g and self.one(t, "select") is None:
                raise Unsupported("a target that is not a SPARQL target")
            if self.true(t, "deactivated"):
                continue
            if self.listed_targets and isinstance(s, URIRef):
                out.append(f"GRAPH <{TARGETS_GRAPH}> {{ {sparql_term(s)} <{TARGET_OF}> {var} }}")
                continue
            out.append(self.subselect(t, var))
        return out

    def own_focus(self, s: Any, var: str) -> str:
        """A group binding `var` to each focus node of `s`'s own targets, once each."""
        branches = self.target_patterns(s, var)
        if not branches:
            return "FILTER (false)\n"
        union = " UNION ".join(f"{{ {b} }}" for b in branches)
        return f"{{ SELECT DISTINCT {var} WHERE {{ {union} }} }}\n"

    def routes(self) -> list[tuple[Any, Any]]:
        """(shape, focus) for each shape with targets and each way to reach a property shape
        from one through sh:property; `focus(var)` is a group binding `var`. A shape reached
        two ways is validated (and reported) once per way, as the SHACL test suite expects."""
        out: list[tuple[Any, Any]] = []

        def walk(s: Any, focus: Any, depth: int) -> None:
            if depth > 10:
                raise Unsupported("property shapes nested too deep")
            if any(s == done for done, _ in out):
                # the standard reports a shape's results once per way it is reached
                raise Unsupported("a shape reached by more than one sh:property route")
            out.append((s, self._scoped(focus)))
            for child in sorted(self.g.objects(s, SH.property), key=str):
                if self.true(child, "deactivated"):
                    continue
                if self.is_property(s):
                    # values repeat across focus nodes, and so do the standard's results
                    raise Unsupported("sh:property on a property shape")

                def child_focus(var: str, s: Any = s, focus: Any = focus) -> str:
                    pvar = self.fresh("p")
                    return (
                        f"{{ SELECT DISTINCT {var} WHERE {{ {focus(pvar)}"
                        f"{self.values(s, pvar, var)} }} }}\n"
                    )

                walk(child, child_focus, depth + 1)

        for s in sorted(set(self.g.subjects()), key=str):
            if self.has_targets(s) and not self.true(s, "deactivated"):
                walk(s, lambda var, s=s: self.own_focus(s, var), 0)
        return out

    def _scoped(self, focus: Any) -> Any:
        if not self.scoped:
            return focus

        def inner(var: str) -> str:
            # members are objects, so literal focus nodes can be in scope too
            scope = f"GRAPH <{SCOPE_GRAPH}> {{ <{SCOPE_GRAPH}> <{SCOPE_MEMBER}> {var} }}"
            self._lateral = True
            try:
                targets = focus(var)
            finally:
                self._lateral = False
            if self._binds(targets):
                targets = focus(var)
                # a SPARQL target binds the variable itself (AS): joined, as the targets are
                return f"{{ SELECT DISTINCT {var} WHERE {{ {targets} {scope} }} }}\n"
            # the scope's nodes first, each tested against the targets (LATERAL, SEP-0006),
            # so a scoped check costs what the scope holds, not what the targets hold
            return f"{{ SELECT DISTINCT {var} WHERE {{ {scope} LATERAL {{ {targets} }} }} }}\n"

        return inner

    _lateral = False
    """Set while a scoped run's targets are written for LATERAL (`_scoped`): the node is
    bound, so a subjects-of / objects-of target needs one triple, not all of them."""

    def _once(self, pattern: str, var: str) -> str:
        if not self._lateral:
            return pattern
        return f"{{ SELECT {var} WHERE {{ {pattern} }} LIMIT 1 }}"

    def _binds(self, text: str) -> bool:
        """The compiled focus group names its variable in a projection (`(?x AS ?this)`):
        only SPARQL targets do (`subselect`); text this compiler wrote, not user input."""
        return " AS ?" in text

    # --- SPARQL text from the shapes -------------------------------------------------------

    def declare(self, node: Any) -> None:
        """Collect the prefixes a sh:select declares through sh:prefixes."""
        owners = list(self.g.objects(node, SH.prefixes))
        seen = set(owners)
        while owners:  # an ontology's declarations include those of what it imports
            owner = owners.pop()
            for imported in self.g.objects(owner, OWL_IMPORTS):
                if imported not in seen:
                    seen.add(imported)
                    owners.append(imported)
            for decl in self.g.objects(owner, SH.declare):
                prefix, ns = self.one(decl, "prefix"), self.one(decl, "namespace")
                if prefix is None or ns is None:
                    raise Unsupported("a prefix declaration without sh:prefix or sh:namespace")
                if self._prefixes.get(str(prefix), str(ns)) != str(ns):
                    raise Unsupported(f"prefix {prefix}: declared twice, differently")
                self._prefixes[str(prefix)] = str(ns)

    def prologue(self) -> str:
        return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(self._prefixes.items()))

    def subselect(self, t: Any, var: str) -> str:
        """A SPARQL target's SELECT as a subquery projecting `var`."""
        text = str(self.one(t, "select"))
        at = re.search(r"\bSELECT\b", text, re.I)
        if at is None or text[: at.start()].strip():
            raise Unsupported("a SPARQL target with its own prologue")
        self.declare(t)
        inner = self.fresh("t")
        return f"{{ SELECT ({inner} AS {var}) WHERE {{ {{ {_rename_this(text, inner)} }} }} }}"

    # --- constraint components --------------------------------------------------------

    def conforms(self, s: Any, x: str) -> str:
        """A SPARQL expression: node `x` conforms to shape `s`."""
        parts = [f"NOT EXISTS {{ {pattern} }}" for pattern in self.nested(s, x)]
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def nested(self, s: Any, x: str) -> Iterator[str]:
        """Patterns matching (with `x` bound) where `x` violates `s` or its property shapes."""
        if self.true(s, "deactivated"):
            return
        if s in self._stack:
            raise Unsupported("recursive shapes")
        if self.one(s, "sparql") is not None:
            raise Unsupported("a SPARQL constraint in a nested shape")
        self._stack.append(s)
        try:
            patterns = [pattern for _c, pattern, _v, _p in self.violations(s, x)]
            for child in sorted(self.g.objects(s, SH.property), key=str):
                y = x if not self.is_property(s) else self.fresh()
                reach = "" if y == x else self.values(s, x, y)
                patterns += [reach + pattern for pattern in self.nested(child, y)]
        finally:
            self._stack.pop()
        yield from patterns

    def violations(
        self, s: Any, f: str, focus: str = ""
    ) -> Iterator[tuple[str, str, str | None, str | None]]:
        """(component, pattern, value and path variables) for each constraint of `s` at focus `f`.

        With `focus` (a group binding `f`) the pattern stands alone as a query body (bulk);
        without, it is evaluated with `f` bound, inside an EXISTS.
        """
        g = self.g
        prop = self.is_property(s)
        bulk = bool(focus)

        def each(cond: str) -> tuple[str, str]:
            v = self.fresh()
            return f"{focus}{self.values(s, f, v)}FILTER ({cond.replace(V, v)})\n", v

        def value_wise(component: str, cond: str) -> tuple[str, str, str, None]:
            pattern, v = each(cond)
            return component, pattern, v, None

        for cls in sorted(g.objects(s, SH["class"]), key=str):
            instances = f"{V} {RDF_TYPE}/{SUBCLASS}* {sparql_term(cls)}"
            if bulk and not self.scoped:  # a scoped run: each value tested (NOT EXISTS)
                # set-based: the value nodes MINUS the class's instances (one anti-join, not
                # a path walked per value; equal to NOT EXISTS, as the value node is bound)
                v = self.fresh()
                body = f"{focus}{self.values(s, f, v)}MINUS {{ {instances.replace(V, v)} }}\n"
                yield "ClassConstraintComponent", body, v, None
                continue
            yield value_wise("ClassConstraintComponent", f"NOT EXISTS {{ {instances} }}")
        for dt in g.objects(s, SH.datatype):
            yield value_wise("DatatypeConstraintComponent", _datatype_violation(dt))
        for kind in g.objects(s, SH.nodeKind):
            yield value_wise("NodeKindConstraintComponent", _node_kind_violation(kind))
        for name, op in (
            ("minExclusive", ">"),
            ("minInclusive", ">="),
            ("maxExclusive", "<"),
            ("maxInclusive", "<="),
        ):
            for bound in g.objects(s, SH[name]):
                yield value_wise(
                    name[0].upper() + name[1:] + "ConstraintComponent",
                    f"!COALESCE({V} {op} {sparql_term(bound)}, false)",
                )
        for name, op in (("minLength", "<"), ("maxLength", ">")):
            n = self.integer(s, name)
            if n is not None:
                yield value_wise(
                    name[0].upper() + name[1:] + "ConstraintComponent",
                    f"isBlank({V}) || !COALESCE(!(STRLEN(STR({V})) {op} {n}), false)",
                )
        for pattern in g.objects(s, SH.pattern):
            flags = self.one(s, "flags")
            flag_text = f', "{_esc(str(flags))}"' if flags is not None else ""
            yield value_wise(
                "PatternConstraintComponent",
                f'isBlank({V}) || !COALESCE(REGEX(STR({V}), "{_esc(str(pattern))}"'
                f"{flag_text}), false)",
            )
        for lst in g.objects(s, SH.languageIn):
            tags = [f'langMatches(LANG({V}), "{_esc(str(t))}")' for t in self.items(lst)]
            yield value_wise(
                "LanguageInConstraintComponent",
                f"!isLiteral({V}) || !(" + (" || ".join(tags) or "false") + ")",
            )
        for lst in g.objects(s, SH["in"]):
            members = [f"sameTerm({V}, {sparql_term(t)})" for t in self.items(lst)]
            yield value_wise(
                "InConstraintComponent", "!(" + (" || ".join(members) or "false") + ")"
            )
        for other in g.objects(s, SH.node):
            yield value_wise("NodeConstraintComponent", "!" + self.conforms(other, V))
        for other in g.objects(s, SH["not"]):
            yield value_wise("NotConstraintComponent", self.conforms(other, V))
        for lst in g.objects(s, SH["and"]):
            parts = [self.conforms(m, V) for m in self.items(lst)]
            yield value_wise("AndConstraintComponent", "!(" + (" && ".join(parts) or "true") + ")")
        for lst in g.objects(s, SH["or"]):
            parts = [self.conforms(m, V) for m in self.items(lst)]
            yield value_wise("OrConstraintComponent", "!(" + (" || ".join(parts) or "false") + ")")
        for lst in g.objects(s, SH.xone):
            parts = [f"IF({self.conforms(m, V)}, 1, 0)" for m in self.items(lst)]
            yield value_wise("XoneConstraintComponent", "(" + (" + ".join(parts) or "0") + ") != 1")
        # the placeholders above are filled per value variable
        yield from self._focus_wise(s, f, focus, prop, bulk)

    def _focus_wise(
        self, s: Any, f: str, focus: str, prop: bool, bulk: bool
    ) -> Iterator[tuple[str, str, str | None, str | None]]:
        g = self.g
        for value in g.objects(s, SH.hasValue):
            v = self.fresh()
            yield (
                "HasValueConstraintComponent",
                f"{focus}FILTER NOT EXISTS {{ {self.values(s, f, v)}"
                f"FILTER (sameTerm({v}, {sparql_term(value)})) }}\n",
                None,
                None,
            )
        if prop:
            low, high = self.integer(s, "minCount"), self.integer(s, "maxCount")
            if low is not None and low > 0:
                yield (
                    "MinCountConstraintComponent",
                    self._count(s, f, focus, "", "<", low),
                    None,
                    None,
                )
            if high is not None:
                yield (
                    "MaxCountConstraintComponent",
                    self._count(s, f, focus, "", ">", high),
                    None,
                    None,
                )
            if self.true(s, "uniqueLang"):
                a, b = self.fresh(), self.fresh()
                path = self.path(self.one(s, "path"))
                lang = f"LCASE(LANG({a}))"
                body = (
                    f"{focus}{f} {path} {a} . {f} {path} {b} .\n"
                    f'FILTER (!sameTerm({a}, {b}) && LANG({a}) != ""'
                    f" && {lang} = LCASE(LANG({b})))\n"
                )
                if bulk:
                    body = (
                        f"{{ SELECT DISTINCT {f} ?_parent ({lang} AS ?_lang) "
                        f"WHERE {{ {body} }} }}\n"
                    )
                yield "UniqueLangConstraintComponent", body, None, "?_lang"  # one result a language
            qshape = self.one(s, "qualifiedValueShape")
            if qshape is not None:
                cond = self.conforms(qshape, V)
                if self.true(s, "qualifiedValueShapesDisjoint"):
                    for sibling in self._siblings(s):
                        cond += " && !" + self.conforms(sibling, V)
                low = self.integer(s, "qualifiedMinCount")
                high = self.integer(s, "qualifiedMaxCount")
                if low is not None and low > 0:
                    yield (
                        "QualifiedMinCountConstraintComponent",
                        self._count(s, f, focus, cond, "<", low),
                        None,
                        None,
                    )
                if high is not None:
                    yield (
                        "QualifiedMaxCountConstraintComponent",
                        self._count(s, f, focus, cond, ">", high),
                        None,
                        None,
                    )
        for other in g.objects(s, SH.equals):
            p = sparql_term(other)
            v, w = self.fresh(), self.fresh()
            yield (
                "EqualsConstraintComponent",
                f"{{ {focus}{self.values(s, f, v)}FILTER NOT EXISTS {{ {f} {p} {v} }} }} UNION "
                f"{{ {focus}{f} {p} {v} . FILTER NOT EXISTS {{ {self.values(s, f, w)}"
                f"FILTER (sameTerm({w}, {v})) }} }}\n",
                v,
                None,
            )
        for other in g.objects(s, SH.disjoint):
            v = self.fresh()
            yield (
                "DisjointConstraintComponent",
                f"{focus}{self.values(s, f, v)}{f} {sparql_term(other)} {v} .\n",
                v,
                None,
            )
        for name, op in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for other in g.objects(s, SH[name]):
                v, w = self.fresh(), self.fresh()
                yield (
                    name[0].upper() + name[1:] + "ConstraintComponent",
                    f"{focus}{self.values(s, f, v)}{f} {sparql_term(other)} {w} .\n"
                    f"FILTER (!COALESCE({v} {op} {w}, false))\n",
                    v,
                    w,  # projected too: one result per pair, as the standard says
                )
        if self.true(s, "closed"):
            allowed = [
                sparql_term(p)
                for child in g.objects(s, SH.property)
                for p in [self.one(child, "path")]
                if isinstance(p, URIRef)
            ]
            allowed += [sparql_term(p) for p in self.items(self.one(s, "ignoredProperties"))]
            n, v, p = self.fresh(), self.fresh(), self.fresh("path")
            keep = f"FILTER ({p} NOT IN ({', '.join(allowed)}))\n" if allowed else ""
            yield (
                "ClosedConstraintComponent",
                f"{focus}{self.values(s, f, n)}{n} {p} {v} .\n{keep}",
                v,
                p,
            )

    def _siblings(self, s: Any) -> list[Any]:
        out = []
        for parent in self.g.subjects(SH.property, s):
            for other in self.g.objects(parent, SH.property):
                q = self.one(other, "qualifiedValueShape")
                if other != s and q is not None:
                    out.append(q)
        return out

    def _implied_focus(self, s: Any) -> bool:
        """The focus nodes of `s` are exactly the nodes with a value: its only targets are
        sh:targetSubjectsOf the predicates its path is (one, or their alternative), so a
        check whose results all have a value node needs no join with the focus nodes."""
        if self.scoped or not self.is_property(s) or self.implicit_class(s):
            return False
        if any((s, SH[t], None) in self.g for t in TARGETS if t != "targetSubjectsOf"):
            return False
        subjects_of = set(self.g.objects(s, SH.targetSubjectsOf))
        path = self.one(s, "path")
        alt = self.one(path, "alternativePath") if isinstance(path, BNode) else None
        steps = [path] if isinstance(path, URIRef) else self.items(alt) if alt else []
        if not steps or not all(isinstance(p, URIRef) for p in steps):
            return False
        return bool(subjects_of) and set(steps) == subjects_of

    def _plain_path(self, s: Any) -> bool:
        """The shape's path has no `*`, `+` or `?` step: its pairs can be listed at no more
        than the cost of its triples (a closure from every node could be quadratic)."""

        def plain(p: Any, depth: int = 0) -> bool:  # the shapes graph's path, as `path` reads it
            if isinstance(p, URIRef):
                return True
            if depth > 20 or not isinstance(p, BNode):
                return False
            if (p, RDF.first, None) in self.g:
                return all(plain(x, depth + 1) for x in self.items(p))
            alt = self.one(p, "alternativePath")
            if alt is not None:
                return all(plain(x, depth + 1) for x in self.items(alt))
            inner = self.one(p, "inversePath")
            return inner is not None and plain(inner, depth + 1)  # else *, + or ?

        return plain(self.one(s, "path"))

    def _count(self, s: Any, f: str, focus: str, cond: str, op: str, k: int) -> str:
        """Focus nodes whose number of value nodes (meeting `cond`) is `op` k."""
        if focus and not cond and self._plain_path(s) and not self.scoped:
            # set-based (a scoped run counts its few focus nodes' values instead)
            v = self.fresh()
            if op == "<" and k == 1:
                # no value at all: the focus nodes MINUS those with a value (one anti-join)
                return f"{focus}MINUS {{ {self.values(s, f, v)}}}\n"
            if op == ">":
                # only nodes with values can have too many: count those first, then keep
                # the few over the limit that are focus nodes
                n = self.fresh("n")
                return (
                    f"{{ SELECT {f} (COUNT(DISTINCT {v}) AS {n}) WHERE {{ {self.values(s, f, v)}}}"
                    f" GROUP BY {f} HAVING (COUNT(DISTINCT {v}) > {k}) }}\n{focus}"
                )
        if focus:
            v = self.fresh()
            filt = f"FILTER ({cond.replace(V, v)})" if cond else ""
            n = self.fresh("n")
            return (
                f"{{ SELECT {f} ?_parent (COUNT(DISTINCT {v}) AS {n}) WHERE {{ {focus}"
                f"OPTIONAL {{ {self.values(s, f, v)}{filt} }} }} GROUP BY {f} ?_parent }}\n"
                f"FILTER ({n} {op} {k})\n"
            )
        # nested: "at least m distinct values" written out, m = k (for <) or k + 1 (for >)
        m = k if op == "<" else k + 1
        if m > 4:
            raise Unsupported("a nested count above 4")
        vs = [self.fresh() for _ in range(m)]
        pats = "".join(self.values(s, f, v) for v in vs)
        distinct = [f"!sameTerm({a}, {b})" for i, a in enumerate(vs) for b in vs[i + 1 :]]
        conds = [cond.replace(V, v) for v in vs if cond] + distinct
        filt = f"FILTER ({' && '.join(conds)})" if conds else ""
        exists = f"EXISTS {{ {pats}{filt} }}"
        return f"FILTER ({'!' if op == '<' else ''}{exists})\n"

    # --- the checks -----------------------------------------------------------------------

    def checks(self) -> list[Check]:
        out: list[Check] = []
        for s, focus in self.routes():
            out += self._checks_of(s, lambda focus=focus: focus("?this"))
            severity = self.one(s, "severity") or SH.Violation
            messages = sorted(self.g.objects(s, SH.message), key=str)
            path = self.one(s, "path") if self.is_property(s) else None
            for c in sorted(self.g.objects(s, SH.sparql), key=str):
                if self.true(c, "deactivated"):
                    continue
                out.append(self.sparql_check(s, c, severity, messages, path, focus))
        return out

    def _checks_of(self, s: Any, focus: Any, parent: Check | None = None) -> list[Check]:
        """The Core checks of shape `s` on the focus nodes `focus()` binds to ?this.

        A check of sh:node is followed by the checks of the node shape on each value that
        fails it (pySHACL's sh:detail results, which the report model lists too); those
        carry ?_parent, the focus node of the result they detail.
        """
        out: list[Check] = []
        severity = self.one(s, "severity") or SH.Violation
        messages = sorted(self.g.objects(s, SH.message), key=str)
        path = self.one(s, "path") if self.is_property(s) else None
        keep = " ?_parent" if parent is not None else ""
        implied = parent is None and self._implied_focus(s)
        for component, pattern, v, p in self.violations(s, "?this", focus=FOCUS):
            self._prefixes = {}
            body = pattern.replace(FOCUS, "" if implied and component in NEED_A_VALUE else focus())
            proj = (f"({v} AS ?value)" if v else "") + (f" ({p} AS ?path)" if p else "")
            query = f"SELECT DISTINCT ?this{keep} {proj} WHERE {{ {body} }}"
            check = Check(
                shape=s,
                component=SH[component],
                severity=severity,
                query=self.prologue() + query,
                path=path,
                messages=messages,
                value=v is not None,
                parent=parent,
            )
            out.append(check)
            if component == "NodeConstraintComponent" and parent is None:
                for other in sorted(self.g.objects(s, SH.node), key=str):
                    out += self._details(s, other, focus, check)
        return out

    def _details(self, s: Any, other: Any, focus: Any, parent: Check) -> list[Check]:
        if self.true(other, "deactivated"):
            return []

        def failing() -> str:
            outer = re.sub(r"\?this\b", "?_parent", focus())
            return (
                f"{{ SELECT DISTINCT ?_parent ?this WHERE {{ {outer}"
                f"{self.values(s, '?_parent', '?this')}"
                f"FILTER (!{self.conforms(other, '?this')}) }} }}\n"
            )

        out = self._checks_of(other, failing, parent)
        for child in sorted(self.g.objects(other, SH.property), key=str):
            if not self.true(child, "deactivated") and not self.is_property(other):
                out += self._checks_of(child, failing, parent)
        return out

    def sparql_check(
        self, s: Any, c: Any, severity: Any, messages: list[Literal], path: Any, focus: Any
    ) -> Check:
        select = self.one(c, "select")
        if select is None:
            raise Unsupported("a SPARQL constraint without sh:select")
        text = str(select)
        if re.search(r"[?$]shapesGraph\b", text):
            raise Unsupported("$shapesGraph in a SPARQL constraint")
        _check_constraint_text(text)
        self._prefixes = {}
        self.declare(c)
        if path is not None:
            text = re.sub(r"\$PATH\b", lambda _m: self.path(path), text)
        brace, end = _where_group(text)
        inject = focus("?this")
        if re.search(r"[?$]currentShape\b", text):
            inject += f"VALUES ?currentShape {{ {sparql_term(s)} }}\n"
        # LATERAL (oxigraph's SEP-0006): the group runs once per focus node with $this
        # substituted, as SHACL pre-binding reads; a plain join let the optimiser evaluate
        # the whole group over the data first (S58, S66: +0.5 s each at 1M triples)
        query = (
            text[: brace + 1]
            + "\n"
            + inject
            + "LATERAL {\n"
            + text[brace + 1 : end]
            + "}\n"
            + text[end:]
        )
        own = sorted(self.g.objects(c, SH.message), key=str)
        return Check(
            shape=s,
            component=SH.SPARQLConstraintComponent,
            severity=severity,
            query=self.prologue() + query,
            path=path,
            constraint=c,
            messages=own or messages,
            sparql=True,
        )


_LEXEME = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^\s<>"{}|^`\\]*>|#[^\n]*'
    r"|[{}()]|[^\s{}()\"'<#]+|\S"
)
_THIS = re.compile(r"^[?$]this$")


def _check_constraint_text(text: str) -> None:
    """Refuse what SHACL-SPARQL forbids, and pre-bound $this where joining is not enough.

    The engine joins the focus nodes with the constraint's WHERE group, which is the
    substitution of $this the standard asks for wherever $this is bound by a triple pattern
    of its group, or the group is OPTIONAL or (NOT) EXISTS inside such a group; a $this used
    only in the FILTER of another nested group, or in a subquery, is not translated.
    """
    tokens = [t for t in _LEXEME.findall(text) if not t.startswith("#")]
    words = [t.upper() for t in tokens]
    for bad in ("MINUS", "VALUES", "SERVICE"):
        if bad in words:
            raise Unsupported(f"{bad} in a SPARQL constraint (not allowed: SHACL 5.2.1)")
    if words.count("SELECT") > 1:
        raise Unsupported("a subquery in a SPARQL constraint")
    stack: list[list[Any]] = []  # per open group: [keyword before it, in a triple, in a filter]
    parens = 0  # depth inside the parentheses of a FILTER or BIND (0: outside)
    expecting = False
    prev = ""
    for tok, word in zip(tokens, words, strict=True):
        if word in ("FILTER", "BIND") and not parens:
            expecting = True
        elif tok == "(" and (parens or expecting):
            parens += 1
            expecting = False
        elif tok == ")" and parens:
            parens -= 1
        elif tok == "{":
            stack.append([prev, False, False])
        elif tok == "}" and stack:
            kind, in_triple, in_filter = stack.pop()
            correlated = kind in ("OPTIONAL", "EXISTS")
            if stack and in_filter and not in_triple and not correlated:
                raise Unsupported("pre-bound $this used only in a filter of a nested group")
        elif _THIS.match(tok) and stack:
            stack[-1][2 if parens else 1] = True
        prev = word


def _where_group(text: str) -> tuple[int, int]:
    """The offsets of the `{` and `}` of a SELECT's WHERE group, found on the same lexemes
    as `_check_constraint_text` reads (a brace or SELECT in a string, IRI or comment is
    none)."""
    start = depth = 0
    selected = False
    for m in _LEXEME.finditer(text):
        lexeme = m.group()
        if lexeme.startswith("#"):
            continue
        if not selected:
            selected = lexeme.upper() == "SELECT"
        elif lexeme == "{":
            depth += 1
            start = m.start() if depth == 1 else start
        elif lexeme == "}" and depth:
            depth -= 1
            if depth == 0:
                return start, m.start()
    if not selected or not depth:
        raise Unsupported("a SPARQL constraint that is not a SELECT")
    raise Unsupported("a SPARQL constraint whose WHERE group is not closed")


def _rename_this(select: str, var: str) -> str:
    """A target's `?this` renamed, so that the subquery projects it under `var`."""
    return re.sub(r"[?$]this\b", var, select)


def _datatype_violation(dt: Any) -> str:
    if not isinstance(dt, URIRef):
        raise Unsupported("sh:datatype that is not an IRI")
    cond = f"!isLiteral({V}) || DATATYPE({V}) != {sparql_term(dt)}"
    local = str(dt)[len(XSD) :] if str(dt).startswith(XSD) else None
    lexical = _XSD_LEXICAL.get(local or "")
    if lexical:
        cond += f' || !REGEX(STR({V}), "{_esc(lexical)}")'
    return cond


def _node_kind_violation(kind: Any) -> str:
    tests = {
        SH.IRI: f"!isIRI({V})",
        SH.BlankNode: f"!isBlank({V})",
        SH.Literal: f"!isLiteral({V})",
        SH.BlankNodeOrIRI: f"isLiteral({V})",
        SH.BlankNodeOrLiteral: f"isIRI({V})",
        SH.IRIOrLiteral: f"isBlank({V})",
    }
    if kind not in tests:
        raise Unsupported(f"sh:nodeKind {kind!r}")
    return tests[kind]
