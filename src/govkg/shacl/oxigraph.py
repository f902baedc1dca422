"""The SPARQL engine: the shapes compiled to SPARQL (`compile`), run on pyoxigraph.

It answers with the same standard `sh:ValidationReport` graph as pySHACL, so the report
model and every output format are the same; `compare_reports` and the equality tests check
it result for result against pySHACL, the reference engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from govkg.errors import BadInput
from govkg.shacl.compile import SH, Check, Compiler, Unsupported

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
        return _report(store, checks, shapes, advance)


def _report(
    store: ox.Store,
    checks: list[Check],
    shapes: rdflib.Graph,
    advance: Callable[[int], None] | None,
) -> rdflib.Graph:
    from rdflib import RDF, BNode, Graph, Literal

    report = Graph()
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    copied: set[Any] = set()
    # (check, focus, value) -> result, for attaching sh:detail results to their parent
    parents: dict[tuple[int, Any, Any], Any] = {}
    detailed = {id(c.parent) for c in checks if c.parent is not None}
    from concurrent.futures import ThreadPoolExecutor

    def solutions(check: Check) -> list[Any]:
        return list(store.query(check.query))

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        answers = pool.map(solutions, checks)  # in order: a detail after its parent
        _build(report, root, checks, answers, shapes, advance, parents, detailed, copied)
    conforms = not any(report.objects(root, SH.result))
    report.add((root, SH.conforms, Literal(conforms)))
    return report


def _build(report, root, checks, answers, shapes, advance, parents, detailed, copied) -> None:  # type: ignore[no-untyped-def]
    """One result node per solution, in the order of the checks."""
    from rdflib import RDF, BNode, Literal

    from govkg.load import to_rdflib_term as term

    add = report.add
    for check, rows in zip(checks, answers, strict=True):
        for row in rows:
            focus = term(row["this"])
            result = BNode()
            if check.parent is None:
                add((root, SH.result, result))
            else:
                up = parents.get((id(check.parent), term(row["_parent"]), focus))
                if up is None:
                    continue
                add((up, SH.detail, result))
            add((result, RDF.type, SH.ValidationResult))
            add((result, SH.focusNode, focus))
            add((result, SH.resultSeverity, check.severity))
            add((result, SH.sourceShape, check.shape))
            add((result, SH.sourceConstraintComponent, check.component))
            path = check.path
            value = row["value"] if check.value else None
            if check.sparql:
                value = row["value"] or row["this"]
                bound = row["path"]
                if path is None and bound is not None and type(bound).__name__ == "NamedNode":
                    path = term(bound)
                add((result, SH.sourceConstraint, check.constraint))
            elif path is None and check.component == SH.ClosedConstraintComponent:
                path = term(row["path"])
            if path is not None:
                add((result, SH.resultPath, path))
                if path not in copied:
                    copied.add(path)
                    _copy(shapes, path, report)
            if value is not None:
                add((result, SH.value, term(value)))
                if id(check) in detailed:
                    parents[(id(check), focus, term(value))] = result
            for message in check.messages:
                text = str(message)
                if check.sparql:
                    text = _TEMPLATE.sub(lambda m, row=row: _binding(row, m), text)
                add((result, SH.resultMessage, Literal(text, lang=message.language)))
        if advance is not None:
            advance(1)


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
