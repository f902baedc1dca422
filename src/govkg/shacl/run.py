"""Running a validation: load the graph, pick an engine, read and locate the results."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govkg.errors import BadInput
from govkg.shacl.engines import INFERENCE, PyShaclEngine, ShaclEngine
from govkg.shacl.locate import locate_all
from govkg.shacl.report import ValidationReport, ValidationResult, read_results
from govkg.shacl.shapes import load_shapes, shape_ids

if TYPE_CHECKING:
    import rdflib

    from govkg.load import KnowledgeGraph

ENGINES = ("auto", "pyshacl", "oxigraph")
SCOPE_MAX_BYTES = 5 * 1024 * 1024
"""Files up to this size are checked through their scope; bigger ones touch most nodes."""


def validate(
    data_files: Sequence[Path | str] = (),
    *,
    bundled: bool = True,
    shapes_dir: Path | str | None = None,
    inference: str = "none",
    engine: ShaclEngine | str | None = None,
    only: Sequence[str] = (),
    about_files: bool = False,
    show_progress: bool = False,
) -> ValidationReport:
    """Validate the bundled graph, or files (with the bundled data unless `bundled=False`).

    The ontology is always merged in so `sh:class` and the SPARQL rules see the class
    hierarchy; `bundled=False` checks only the files. `only` limits the run to some shape
    IDs (`S07`). `engine` is an engine or one of auto (the default), pyshacl, oxigraph.
    `about_files` keeps only the results the files cause (`ValidationReport.about`); the
    SPARQL engine then checks only the focus nodes the files can affect (`scope_nodes`),
    which gives the same results. Unparsable files raise BadInput (exit 2).
    """
    from govkg.load import load_graph
    from govkg.output import progress

    if inference not in INFERENCE:
        raise BadInput(f"unknown inference {inference!r}; one of {', '.join(INFERENCE)}")
    chosen = choose_engine(engine, load_shapes(shapes_dir), inference)
    with progress("Loading", total=None) if show_progress else nullcontext():
        # the SPARQL engine reads the store alone: data files load in Rust (see load_graph)
        kg = load_graph(
            data_files,
            ontology=True,
            data=bundled or not data_files,
            queries_only=_reads_store(chosen),
        )
        fit = engine_for_graph(kg, chosen, engine)
        if fit is not chosen:  # pySHACL reads the exact literals: loaded again with them
            chosen = fit
            kg = load_graph(data_files, ontology=True, data=bundled or not data_files)
    scoped = about_files and bool(data_files) and bundled
    report = validate_graph(
        kg,
        shapes_dir=shapes_dir,
        inference=inference,
        engine=chosen,
        only=only,
        scope_files=list(data_files) if scoped else None,
        show_progress=show_progress,
    )
    return report.about(data_files) if scoped else report


def choose_engine(
    engine: ShaclEngine | str | None, shapes: rdflib.Graph, inference: str
) -> ShaclEngine:
    """The engine to run: auto takes the SPARQL engine when it supports every construct."""
    from govkg.shacl.oxigraph import OxigraphEngine

    if engine is None:
        engine = "auto"
    if not isinstance(engine, str):
        return engine
    if engine not in ENGINES:
        raise BadInput(f"unknown engine {engine!r}; one of {', '.join(ENGINES)}")
    if engine == "pyshacl":
        return PyShaclEngine()
    fast = OxigraphEngine()
    if engine == "oxigraph":
        reasons = fast.unsupported(shapes, inference=inference)
        if reasons:
            raise BadInput(
                f"the oxigraph engine cannot run these shapes: {'; '.join(reasons)} "
                "(use --engine auto or pyshacl)"
            )
        return fast
    return PyShaclEngine() if fast.unsupported(shapes, inference=inference) else fast


def engine_for_graph(
    kg: KnowledgeGraph, chosen: ShaclEngine, asked: ShaclEngine | str | None
) -> ShaclEngine:
    """The SPARQL engine only where the store gives back every literal's datatype as the
    input wrote it (`govkg.retyped`): else auto takes pySHACL, and asking for the SPARQL
    engine is refused (its answer on such literals would be wrong, not merely slow)."""
    from govkg.retyped import cannot_check

    if not _reads_store(chosen):
        return chosen
    retyped = kg.retyped()
    if retyped == set():
        return chosen
    if asked not in (None, "auto"):
        raise BadInput(f"{cannot_check(retyped)}; use --engine auto or pyshacl")
    return PyShaclEngine()


def validate_graph(
    kg: KnowledgeGraph,
    *,
    shapes_dir: Path | str | None = None,
    inference: str = "none",
    engine: ShaclEngine | str | None = None,
    only: Sequence[str] = (),
    scope_files: Sequence[Path | str] | None = None,
    show_progress: bool = False,
) -> ValidationReport:
    """Validate an already loaded graph against the shapes.

    `scope_files`: report only on focus nodes these files can affect (SPARQL engine); the
    caller keeps the results located in them (`ValidationReport.about`).
    """
    from govkg.output import progress

    if inference not in INFERENCE:
        raise BadInput(f"unknown inference {inference!r}; one of {', '.join(INFERENCE)}")
    shapes = load_shapes(shapes_dir)
    chosen = engine_for_graph(kg, choose_engine(engine, shapes, inference), engine)
    if kg.queries_only and not _reads_store(chosen):
        raise BadInput(
            f"the {chosen.name} engine reads the exact literals: load the graph without "
            "queries_only (as `validate` does)"
        )
    use_shapes: list[str] = []
    if only:
        known = shape_ids(shapes)
        unknown = [sid for sid in only if sid not in known]
        if unknown:
            raise BadInput(f"unknown shape ID(s): {', '.join(unknown)}")
        use_shapes = [known[sid] for sid in only]
    graph: Any
    if _reads_store(chosen):
        # the SPARQL engine: results straight from its solutions, the graph built on demand
        results, graph = _run_on_store(kg, chosen, shapes, use_shapes, scope_files, show_progress)
    else:
        from govkg.load import to_rdflib

        with progress("Validating (pySHACL)", total=None) if show_progress else nullcontext():
            # a fresh rdflib graph: inference must never leak into the cached view
            data = to_rdflib(kg.triples())
            graph = chosen.run(data, shapes, inference=inference, use_shapes=use_shapes)
        results = read_results(graph, shapes)
    from govkg import resources

    ontology = {p.resolve() for p in resources.ontology_files()}
    bundled = {p.resolve() for p in resources.data_files()}
    located = locate_all(results, kg, ontology, bundled)
    located.sort(key=ValidationResult.sort_key)
    return ValidationReport(located, graph, chosen.name, list(kg.files))


def _reads_store(engine: ShaclEngine) -> bool:
    """The engine runs on the store itself (the SPARQL engine), not on an rdflib copy."""
    return getattr(engine, "results_store", None) is not None


def _run_on_store(
    kg: KnowledgeGraph,
    engine: Any,
    shapes: rdflib.Graph,
    use_shapes: list[str],
    scope_files: Sequence[Path | str] | None,
    show_progress: bool,
) -> tuple[list[ValidationResult], Callable[[], rdflib.Graph]]:
    """The SPARQL engine's results and its report graph's builder, on the loaded store."""
    from govkg.output import progress

    scoped = (
        scope_files is not None
        and sum(Path(f).stat().st_size for f in scope_files) <= SCOPE_MAX_BYTES
    )
    if scoped:
        mark_scope(kg, scope_nodes(kg, scope_files or ()))
    try:
        if not show_progress:
            return engine.results_store(kg.store, shapes, use_shapes=use_shapes, scoped=scoped)
        # one step per compiled check (shape x constraint component)
        with progress("Validating (checks run)", total=None) as advance:
            return engine.results_store(
                kg.store, shapes, use_shapes=use_shapes, scoped=scoped, advance=advance
            )
    finally:
        if scoped:
            clear_scope(kg)


def scope_nodes(kg: KnowledgeGraph, files: Sequence[Path | str]) -> set[Any]:
    """The named nodes these files can affect: their subjects and objects, and what points
    at those (blank nodes hanging from them are added by `mark_scope`)."""
    import pyoxigraph as ox

    from govkg.load import parse_file

    touched: set[Any] = set()
    for f in files:
        for q in parse_file(Path(f)):
            for term in (q.subject, q.object):
                if isinstance(term, ox.NamedNode):
                    touched.add(term)
    pointing = set()
    for node in touched:
        for q in kg.store.quads_for_pattern(None, None, node, ox.DefaultGraph()):
            if isinstance(q.subject, ox.NamedNode):
                pointing.add(q.subject)
    return touched | pointing


def mark_scope(kg: KnowledgeGraph, nodes: set[Any], depth: int = 6) -> None:
    """Write the scope into its own named graph (the validated default graph is untouched);
    blank nodes hanging from scoped nodes (a few levels down) are in scope too."""
    import pyoxigraph as ox

    from govkg.shacl.compile import SCOPE_GRAPH, SCOPE_MEMBER

    graph, member = ox.NamedNode(SCOPE_GRAPH), ox.NamedNode(SCOPE_MEMBER)
    frontier = set(nodes)
    seen = set(nodes)
    for _ in range(depth):
        below = set()
        for node in frontier:
            if isinstance(node, ox.Literal):
                continue  # a literal has no statements of its own
            for q in kg.store.quads_for_pattern(node, None, None, ox.DefaultGraph()):
                if isinstance(q.object, ox.BlankNode) and q.object not in seen:
                    below.add(q.object)
        seen |= below
        frontier = below
        if not frontier:
            break
    kg.store.extend(ox.Quad(graph, member, n, graph) for n in seen)


def clear_scope(kg: KnowledgeGraph) -> None:
    import pyoxigraph as ox

    from govkg.shacl.compile import SCOPE_GRAPH

    kg.store.remove_graph(ox.NamedNode(SCOPE_GRAPH))
