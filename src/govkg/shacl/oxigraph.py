"""The SPARQL engine: the shapes compiled to SPARQL (`compile`), run on pyoxigraph.

It answers with the same standard `sh:ValidationReport` graph as pySHACL (built only when
asked for: the results are read straight from the query solutions, as `read_results` would
read them from that graph), so the report model and every output format are the same;
`compare_reports` and the equality tests check it result for result against pySHACL, the
reference engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from govkg.errors import BadInput
from govkg.shacl.compile import SH, Check, Compiler, Unsupported
from govkg.shacl.report import ValidationResult, make_result, messages_of, path_text, templates_of

if TYPE_CHECKING:
    import pyoxigraph as ox
    import rdflib

_TEMPLATE = re.compile(r"\{[?$](\w+)\}")
_compiled: dict[tuple[int, int, bool], list[Check]] = {}
"""The last shapes graph's checks (shapes graphs are cached per process, see shapes.py)."""
WORKERS = 2
"""Queries run on this many threads (pyoxigraph evaluates without holding the GIL)."""


class OxigraphEngine:
    """SHACL Core and SHACL-SPARQL as set-based SPARQL queries on a pyoxigraph store."""

    name = "oxigraph"

    def unsupported(self, shapes: rdflib.Graph, *, inference: str = "none") -> list[str]:
        """Why this engine cannot run these shapes (empty when it can)."""
        if inference != "none":
            return [f"inference {inference!r} (the SPARQL engine validates the graph as is)"]
        compiler = Compiler(shapes)
        reasons = compiler.unsupported()
        if not reasons:
            _compiled.clear()
            _compiled[(id(shapes), len(shapes), False)] = compiler.compiled
        return reasons

    def run(
        self,
        data: rdflib.Graph,
        shapes: rdflib.Graph,
        *,
        inference: str = "none",
        use_shapes: Sequence[str] = (),
    ) -> rdflib.Graph:
        """The `ShaclEngine` interface: an rdflib data graph, copied into a store."""
        import pyoxigraph as ox

        from govkg.load import from_rdflib
        from govkg.retyped import cannot_check, in_rdflib

        retyped = in_rdflib(data)
        if retyped:  # the store would give them back as xsd:integer / xsd:dateTime
            raise BadInput(f"{cannot_check(retyped)}; use --engine pyshacl")
        store = ox.Store()
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in from_rdflib(data))
        return self.run_store(store, shapes, inference=inference, use_shapes=use_shapes)

    def run_store(
        self,
        store: ox.Store,
        shapes: rdflib.Graph,
        *,
        inference: str = "none",
        use_shapes: Sequence[str] = (),
        scoped: bool = False,
        advance: Callable[[int], None] | None = None,
        on_checks: Callable[[int], None] | None = None,
    ) -> rdflib.Graph:
        """Validate the store's default graph; `scoped` limits focus nodes to the scope graph."""
        _results, graph = self.results_store(
            store,
            shapes,
            inference=inference,
            use_shapes=use_shapes,
            scoped=scoped,
            advance=advance,
            on_checks=on_checks,
        )
        return graph()

    def results_store(
        self,
        store: ox.Store,
        shapes: rdflib.Graph,
        *,
        inference: str = "none",
        use_shapes: Sequence[str] = (),
        scoped: bool = False,
        advance: Callable[[int], None] | None = None,
        on_checks: Callable[[int], None] | None = None,
    ) -> tuple[list[ValidationResult], Callable[[], rdflib.Graph]]:
        """The results, read straight from the query solutions, and a function building the
        standard report graph from the same solutions (only Turtle output needs it)."""
        if inference != "none":
            raise BadInput(f"the oxigraph engine does not run inference ({inference})")
        try:
            key = (id(shapes), len(shapes), scoped)
            if key not in _compiled:
                _compiled.clear()
                _compiled[key] = Compiler(shapes, scoped=scoped).checks()
            checks = _compiled[key]
        except Unsupported as err:
            raise BadInput(
                f"the oxigraph engine cannot run these shapes ({err}); use --engine pyshacl"
            ) from None
        if use_shapes:
            wanted = set(use_shapes)
            checks = [c for c in checks if str(c.shape) in wanted]
        if on_checks is not None:
            on_checks(len(checks))
        answers = _solve(store, checks, advance)
        results = _results(checks, answers, shapes)
        return results, lambda: _report(checks, answers, shapes)


def _solve(
    store: ox.Store, checks: list[Check], advance: Callable[[int], None] | None
) -> list[list[Any]]:
    """Each check's solutions (in order of the checks), the queries run on WORKERS threads.

    The longest queries start first: they are the costly ones (a SPARQL target's own query,
    or the union of many target classes), so the threads finish together instead of one
    running a costly check alone at the end (1M triples: solve 3.0 s -> 2.5 s).
    """
    from concurrent.futures import ThreadPoolExecutor, as_completed

    def solutions(check: Check) -> list[Any]:
        return list(store.query(check.query))

    out: list[list[Any]] = [[] for _ in checks]
    order = sorted(range(len(checks)), key=lambda i: -len(checks[i].query))
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        running = {pool.submit(solutions, checks[i]): i for i in order}
        for done in as_completed(running):
            out[running[done]] = done.result()
            if advance is not None:
                advance(1)
    return out


def _kept(checks: list[Check], answers: list[list[Any]]) -> Iterator[tuple[Check, Any, Any]]:
    """(check, row, focus) of each result, in the order of the checks; a sh:detail result is
    kept when the result it details is there (its check runs after its parent's)."""
    from govkg.load import to_rdflib_term as term

    parents: set[tuple[int, Any, Any]] = set()
    detailed = {id(c.parent) for c in checks if c.parent is not None}
    for check, rows in zip(checks, answers, strict=True):
        for row in rows:
            focus = term(row["this"])
            up = None if check.parent is None else (id(check.parent), term(row["_parent"]), focus)
            if up is not None and up not in parents:
                continue
            if check.value and id(check) in detailed and row["value"] is not None:
                parents.add((id(check), focus, term(row["value"])))
            yield check, row, focus


def _path_and_value(check: Check, row: Any) -> tuple[Any, Any]:
    """A result's sh:resultPath (rdflib) and sh:value (pyoxigraph term or None)."""
    from govkg.load import to_rdflib_term as term

    path = check.path
    value = row["value"] if check.value else None
    if check.sparql:
        value = row["value"] or row["this"]
        bound = row["path"]
        if path is None and bound is not None and type(bound).__name__ == "NamedNode":
            path = term(bound)
    elif path is None and check.component == SH.ClosedConstraintComponent:
        path = term(row["path"])
    return path, value


def _message_literals(check: Check, row: Any) -> list[Any]:
    from rdflib import Literal

    out = []
    for message in check.messages:
        text = str(message)
        if check.sparql:
            text = _TEMPLATE.sub(lambda m, row=row: _binding(row, m), text)
        out.append(Literal(text, lang=message.language))
    return out


def _results(
    checks: list[Check], answers: list[list[Any]], shapes: rdflib.Graph
) -> list[ValidationResult]:
    """The report model's results, exactly as `read_results` reads them from `_report`."""
    from govkg.load import to_rdflib_term as term

    out = []
    templates: dict[Any, Any] = {}
    paths: dict[Any, str | None] = {}
    for check, row, focus in _kept(checks, answers):
        path, value = _path_and_value(check, row)
        if path not in paths:
            paths[path] = path_text(shapes, path)
        out.append(
            make_result(
                focus=focus,
                source=check.shape,
                severity=check.severity,
                path=paths[path],
                value=None if value is None else term(value),
                component=check.component,
                messages=messages_of(
                    _message_literals(check, row), templates_of(shapes, check.shape, templates)
                ),
            )
        )
    return out


def _report(checks: list[Check], answers: list[list[Any]], shapes: rdflib.Graph) -> rdflib.Graph:
    """The standard `sh:ValidationReport` graph: one result node per kept solution."""
    from rdflib import RDF, BNode, Graph, Literal

    from govkg.load import to_rdflib_term as term

    report = Graph()
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    add = report.add
    copied: set[Any] = set()
    # (check, focus, value) -> result, for attaching sh:detail results to their parent
    parents: dict[tuple[int, Any, Any], Any] = {}
    detailed = {id(c.parent) for c in checks if c.parent is not None}
    for check, row, focus in _kept(checks, answers):
        result = BNode()
        if check.parent is None:
            add((root, SH.result, result))
        else:
            add((parents[(id(check.parent), term(row["_parent"]), focus)], SH.detail, result))
        add((result, RDF.type, SH.ValidationResult))
        add((result, SH.focusNode, focus))
        add((result, SH.resultSeverity, check.severity))
        add((result, SH.sourceShape, check.shape))
        add((result, SH.sourceConstraintComponent, check.component))
        if check.sparql:
            add((result, SH.sourceConstraint, check.constraint))
        path, value = _path_and_value(check, row)
        if path is not None:
            add((result, SH.resultPath, path))
            if path not in copied:
                copied.add(path)
                _copy(shapes, path, report)
        if value is not None:
            add((result, SH.value, term(value)))
            if id(check) in detailed:
                parents[(id(check), focus, term(value))] = result
        for literal in _message_literals(check, row):
            add((result, SH.resultMessage, literal))
    conforms = not any(report.objects(root, SH.result))
    report.add((root, SH.conforms, Literal(conforms)))
    return report


def _binding(row: Any, match: re.Match[str]) -> str:
    try:
        value = row[match.group(1)]
    except (KeyError, ValueError, TypeError):
        return match.group(0)
    return match.group(0) if value is None else str(value.value)


def _copy(shapes: Any, node: Any, report: Any, depth: int = 0) -> None:
    """A path's blank-node structure, copied from the shapes into the report."""
    from rdflib import BNode

    if not isinstance(node, BNode) or depth > 20:
        return
    for p, o in shapes.predicate_objects(node):
        report.add((node, p, o))
        _copy(shapes, o, report, depth + 1)
