"""SHACL engines: one interface, the pySHACL reference engine, comparing two engines' reports.

Every engine takes a data graph and a shapes graph and returns the standard
`sh:ValidationReport` graph; everything after that (shape IDs, bilingual messages, source
files and lines, counts, formats) is read from that graph, so a faster engine can be
plugged in and compared with pySHACL result for result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from govkg.errors import BadInput

if TYPE_CHECKING:
    import rdflib

    from govkg.shacl.report import ValidationReport

INFERENCE = ("none", "rdfs", "owlrl")


class ShaclEngine(Protocol):
    """A SHACL processor: data + shapes in, a standard `sh:ValidationReport` graph out."""

    name: str

    def run(
        self,
        data: rdflib.Graph,
        shapes: rdflib.Graph,
        *,
        inference: str = "none",
        use_shapes: Sequence[str] = (),
    ) -> rdflib.Graph:
        """Validate; `use_shapes` (shape IRIs) limits the run to those shapes."""
        ...


class PyShaclEngine:
    """The reference engine: pySHACL (SHACL Core and SHACL-SPARQL)."""

    name = "pyshacl"

    def run(
        self,
        data: rdflib.Graph,
        shapes: rdflib.Graph,
        *,
        inference: str = "none",
        use_shapes: Sequence[str] = (),
    ) -> rdflib.Graph:
        import pyshacl

        if inference not in INFERENCE:
            raise BadInput(f"unknown inference {inference!r}; one of {', '.join(INFERENCE)}")
        with _prepared_queries():
            _conforms, report, _text = pyshacl.validate(
                data,
                shacl_graph=shapes,
                inference=None if inference == "none" else inference,
                abort_on_first=False,
                # the standard report: sh:conforms false on any result (govkg's own
                # `conforms` ignores Warnings and Infos)
                allow_infos=False,
                allow_warnings=False,
                meta_shacl=False,
                advanced=True,  # SPARQL targets (SHACL Advanced Features) of S51, S53-S54, S57-S59
                use_shapes=list(use_shapes) if use_shapes else None,
                inplace=True,  # the caller hands a fresh graph: no need to copy it
            )
        if not hasattr(report, "subjects"):  # pySHACL reports a broken shapes graph this way
            raise BadInput(f"the shapes cannot be used: {getattr(report, 'message', report)}")
        return report


@contextmanager
def _prepared_queries() -> Iterator[None]:
    """Parse each SPARQL text once while pySHACL runs.

    pySHACL hands rdflib the query text once per focus node and rdflib parses it every time
    (about 45 ms a parse, most of a SHACL-SPARQL shape's cost); a prepared query is made
    for exactly this reuse with different initial bindings.
    """
    from rdflib.plugins.sparql import processor

    original = processor.SPARQLProcessor.query
    cache: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Any] = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(strOrQuery, str):
            ns = tuple(sorted((k, str(v)) for k, v in (initNs or {}).items()))
            key = (strOrQuery, base, ns)
            if key not in cache:
                cache[key] = processor.prepareQuery(strOrQuery, initNs=initNs or {}, base=base)
            strOrQuery = cache[key]
        return original(self, strOrQuery, initBindings or {}, initNs or {}, base, DEBUG)

    processor.SPARQLProcessor.query = query
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original


DEFAULT_ENGINE: ShaclEngine = PyShaclEngine()


def compare_reports(
    first: ValidationReport, second: ValidationReport
) -> tuple[Counter[tuple[str, ...]], Counter[tuple[str, ...]]]:
    """Results only `first` has, and only `second` has, result for result.

    Compared on (focus, shape, severity, path, value) as multisets, not on messages: for
    checking a new engine against pySHACL on the same data and shapes.
    """

    def keyed(report: ValidationReport) -> Counter[tuple[str, ...]]:
        return Counter(
            (r.focus, r.shape, r.severity, r.path or "", r.value or "") for r in report.results
        )

    a, b = keyed(first), keyed(second)
    return a - b, b - a
