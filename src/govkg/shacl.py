"""SHACL validation: one engine interface, the pySHACL engine, and the report model.

Every engine takes an rdflib data graph and shapes graph and returns the standard
`sh:ValidationReport` graph; everything after that (shape IDs, bilingual messages, source
files and lines, counts, formats) is read from that graph here, so a faster engine can be
plugged in and compared with pySHACL result for result.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from govkg.errors import BadInput
from govkg.namespaces import GKS, PREFIXES, curie

if TYPE_CHECKING:
    import rdflib

    from govkg.load import KnowledgeGraph

SH = PREFIXES["sh"]
SEVERITIES = ("Violation", "Warning", "Info")
"""Severities from most to least serious (the local names of sh:Violation, ...)."""
INFERENCE = ("none", "rdfs", "owlrl")
_SHAPE_ID = re.compile(r"^(S\d{2,3})\b")


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


@dataclass(frozen=True)
class ValidationResult:
    """One `sh:ValidationResult`, with the shape's ID and messages in both languages."""

    severity_rank: int
    focus: str
    shape: str
    path: str | None
    value: str | None
    severity: str
    message_zh: str
    message_en: str
    source_shape: str
    constraint: str | None = None
    file: str | None = None
    line: int | None = None
    owner: str | None = None  # for a blank-node focus: the named node it hangs from

    def message(self, lang: str = "en") -> str:
        first, second = (self.message_zh, self.message_en)
        if lang == "en":
            first, second = second, first
        return first or second

    def sort_key(self) -> tuple[int, str, str, str, str]:
        """Most serious first, then by focus node, shape, path and value."""
        return (self.severity_rank, self.focus, self.shape, self.path or "", self.value or "")

    def key(self) -> tuple[str, str, str]:
        """What a fixture asserts: (focus node, shape ID, severity)."""
        return (self.focus, self.shape, self.severity)

    def as_row(self, lang: str = "en") -> dict[str, Any]:
        row = asdict(self)
        del row["severity_rank"], row["message_zh"], row["message_en"], row["constraint"]
        row["message"] = self.message(lang)
        return {
            k: row[k]
            for k in ("focus", "path", "value", "shape", "severity", "message", "file", "line")
        }


@dataclass
class ValidationReport:
    """The outcome of one validation run: results sorted, counts per severity, the raw graph."""

    results: list[ValidationResult]
    report_graph: rdflib.Graph
    engine: str = "pyshacl"
    files: list[Path] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        """True when there is no Violation (Warnings and Infos do not break the model)."""
        return not any(r.severity == "Violation" for r in self.results)

    @property
    def counts(self) -> dict[str, int]:
        """Results per severity, most serious first; severities without results left out."""
        c = Counter(r.severity for r in self.results)
        return {sev: c[sev] for sev in SEVERITIES if c[sev]}

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def about(self, files: Iterable[Path | str]) -> ValidationReport:
        """Only the results located in these files: what a user's additions cause.

        A result about a bundled node that the user's file also describes is located in the
        user's file (see `_locate`), so it stays; results about the bundled graph alone go.
        """
        shown = {_display(Path(f)) for f in files}
        kept = [r for r in self.results if r.file in shown]
        return ValidationReport(kept, self.report_graph, self.engine, self.files)

    def at_or_above(self, severity: str) -> list[ValidationResult]:
        """Results at least as serious as `severity` (for --fail-on)."""
        rank = SEVERITIES.index(severity.capitalize())
        return [r for r in self.results if r.severity_rank <= rank]


# --- shapes ---------------------------------------------------------------------------------


def shape_files(shapes_dir: Path | str | None = None) -> list[Path]:
    from govkg import resources

    folder = Path(shapes_dir) if shapes_dir is not None else resources.shapes_dir()
    if not folder.is_dir():
        raise BadInput(f"{folder}: shapes folder not found")
    files = resources.turtle_files(folder)
    if not files:
        raise BadInput(f"{folder}: no shapes (*.ttl) found")
    return files


def load_shapes(shapes_dir: Path | str | None = None) -> rdflib.Graph:
    """The shapes graph (parsed once per set of files and their modification times)."""
    files = shape_files(shapes_dir)
    return _load_shapes(tuple((str(f), f.stat().st_mtime_ns) for f in files))


@cache
def _load_shapes(stamped: tuple[tuple[str, int], ...]) -> rdflib.Graph:
    from govkg.load import parse_file, to_rdflib

    triples = []
    for name, _ in stamped:
        triples += [q.triple for q in parse_file(Path(name))]
    return to_rdflib(triples)


def shape_ids(shapes: rdflib.Graph) -> dict[str, str]:
    """Shape ID (`S07`) -> shape IRI, for every numbered shape of the shapes graph."""
    from rdflib import URIRef

    out: dict[str, str] = {}
    for s in set(shapes.subjects()):
        if isinstance(s, URIRef) and str(s).startswith(GKS):
            m = _SHAPE_ID.match(str(s)[len(GKS) :])
            if m:
                out[m.group(1)] = str(s)
    return dict(sorted(out.items()))


def shape_id(iri: str) -> str:
    """`gks:S07-Division-iso3166` -> `S07`; any other shape by its prefixed name."""
    if iri.startswith(GKS):
        m = _SHAPE_ID.match(iri[len(GKS) :])
        if m:
            return m.group(1)
    return curie(iri) if not iri.startswith("_:") else iri


# --- running --------------------------------------------------------------------------------


def validate(
    data_files: Sequence[Path | str] = (),
    *,
    bundled: bool = True,
    shapes_dir: Path | str | None = None,
    inference: str = "none",
    engine: ShaclEngine | None = None,
    only: Sequence[str] = (),
) -> ValidationReport:
    """Validate the bundled graph, or files (with the bundled data unless `bundled=False`).

    The ontology is always merged in so `sh:class` and the SPARQL rules see the class
    hierarchy; `bundled=False` checks only the files. `only` limits the run to some shape
    IDs (`S07`). Unparsable files raise BadInput (exit 2).
    """
    from govkg.load import load_graph

    kg = load_graph(data_files, ontology=True, data=bundled or not data_files)
    return validate_graph(kg, shapes_dir=shapes_dir, inference=inference, engine=engine, only=only)


def validate_graph(
    kg: KnowledgeGraph,
    *,
    shapes_dir: Path | str | None = None,
    inference: str = "none",
    engine: ShaclEngine | None = None,
    only: Sequence[str] = (),
) -> ValidationReport:
    """Validate an already loaded graph against the shapes."""
    if inference not in INFERENCE:
        raise BadInput(f"unknown inference {inference!r}; one of {', '.join(INFERENCE)}")
    engine = engine or DEFAULT_ENGINE
    shapes = load_shapes(shapes_dir)
    use_shapes: list[str] = []
    if only:
        known = shape_ids(shapes)
        unknown = [sid for sid in only if sid not in known]
        if unknown:
            raise BadInput(f"unknown shape ID(s): {', '.join(unknown)}")
        use_shapes = [known[sid] for sid in only]
    from govkg.load import to_rdflib

    # a fresh rdflib graph: inference must never leak into the cached view of the graph
    data = to_rdflib(kg.triples())
    report_graph = engine.run(data, shapes, inference=inference, use_shapes=use_shapes)
    results = read_results(report_graph, shapes)
    from govkg import resources

    ontology = {p.resolve() for p in resources.ontology_files()}
    bundled = {p.resolve() for p in resources.data_files()}
    located = [_locate(r, kg, ontology, bundled) for r in results]
    located.sort(key=ValidationResult.sort_key)
    return ValidationReport(located, report_graph, engine.name, list(kg.files))


def read_results(report: rdflib.Graph, shapes: rdflib.Graph) -> list[ValidationResult]:
    """The results of a standard report graph, with messages in zh and en."""
    from rdflib import RDF, Namespace

    sh = Namespace(SH)
    out = []
    for node in report.subjects(RDF.type, sh.ValidationResult):
        focus = report.value(node, sh.focusNode)
        source = report.value(node, sh.sourceShape)
        severity = report.value(node, sh.resultSeverity)
        sev = str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"
        sev = sev if sev in SEVERITIES else "Violation"
        zh, en = _messages(report, node, shapes, source)
        path = report.value(node, sh.resultPath)
        value = report.value(node, sh.value)
        constraint = report.value(node, sh.sourceConstraintComponent)
        source_str = _term(source) or ""
        out.append(
            ValidationResult(
                severity_rank=SEVERITIES.index(sev),
                focus=_term(focus) or "",
                shape=shape_id(source_str),
                path=_path_text(report, path),
                value=_term(value),
                severity=sev,
                message_zh=zh,
                message_en=en,
                source_shape=source_str,
                constraint=_term(constraint),
            )
        )
    return out


def _messages(report: Any, node: Any, shapes: Any, source: Any) -> tuple[str, str]:
    """The result's message in zh and en.

    pySHACL fills in `{?value}`-style variables but drops the language tag; a filled-in
    message is given the language of the shape's template it matches.
    """
    from rdflib import Literal, Namespace

    sh = Namespace(SH)
    templates: list[tuple[str, re.Pattern[str], str]] = []
    if source is not None:
        for msg in shapes.objects(source, sh.message):
            if isinstance(msg, Literal) and msg.language:
                parts = re.split(r"\{[?$]\w+\}", str(msg))
                pattern = re.compile("^" + "(.*?)".join(map(re.escape, parts)) + "$", re.S)
                templates.append((msg.language.lower()[:2], pattern, str(msg)))
    found: dict[str, str] = {}
    untagged = ""
    for msg in report.objects(node, sh.resultMessage):
        if not isinstance(msg, Literal):
            continue
        lang = (msg.language or "").lower()[:2]
        if not lang:
            lang = next((t_lang for t_lang, pat, _ in templates if pat.match(str(msg))), "")
        if lang in ("zh", "en"):
            found.setdefault(lang, str(msg))
        elif not untagged:
            untagged = str(msg)
    for t_lang, _, text in templates:  # an engine that copied no message at all
        found.setdefault(t_lang, text)
    return found.get("zh", untagged), found.get("en", untagged)


def _term(term: Any) -> str | None:
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return term.n3()
    return str(term)


def _path_text(graph: Any, path: Any) -> str | None:
    """A property path as SPARQL-like text (`gk:a|gk:b`, `^gk:hasChair`, ...)."""
    from rdflib import RDF, BNode, Namespace, URIRef
    from rdflib.collection import Collection

    sh = Namespace(SH)
    if path is None:
        return None
    if isinstance(path, URIRef):
        return curie(str(path))
    if isinstance(path, BNode):
        if (path, RDF.first, None) in graph:
            return "/".join(_path_text(graph, p) or "?" for p in Collection(graph, path))
        alt = graph.value(path, sh.alternativePath)
        if alt is not None:
            return "|".join(_path_text(graph, p) or "?" for p in Collection(graph, alt))
        inv = graph.value(path, sh.inversePath)
        if inv is not None:
            return "^" + (_path_text(graph, inv) or "?")
        for prop, mark in (
            (sh.zeroOrMorePath, "*"),
            (sh.oneOrMorePath, "+"),
            (sh.zeroOrOnePath, "?"),
        ):
            inner = graph.value(path, prop)
            if inner is not None:
                return f"({_path_text(graph, inner)}){mark}"
    return _term(path)


# --- where a focus node came from -----------------------------------------------------------


def _locate(
    result: ValidationResult, kg: KnowledgeGraph, skip: set[Path], bundled: set[Path]
) -> ValidationResult:
    """Add the file (a user's file before a bundled one) and line the focus node is in.

    A blank node (an evidence selector, say) is located by the named node it hangs from.
    """
    from dataclasses import replace

    iri = result.focus
    owner = None
    if iri.startswith("_:"):
        owner = _owner(kg, iri[2:])
        if owner is None:
            return result
        iri = owner
    files = [f for f in kg.files_of(iri) if f.resolve() not in skip]
    if not files:
        return replace(result, owner=owner)
    path = sorted(files, key=lambda f: f.resolve() in bundled)[0]
    return replace(result, file=_display(path), line=first_line(path, iri), owner=owner)


def _owner(kg: KnowledgeGraph, bnode_id: str, depth: int = 6) -> str | None:
    """The first named node found walking up from a blank node (a few steps at most)."""
    import pyoxigraph as ox

    node: Any = ox.BlankNode(bnode_id)
    for _ in range(depth):
        parent = next(iter(kg.store.quads_for_pattern(None, None, node)), None)
        if parent is None:
            return None
        if isinstance(parent.subject, ox.NamedNode):
            return parent.subject.value
        node = parent.subject
    return None


def _display(path: Path) -> str:
    """A path relative to the working folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def first_line(path: Path, iri: str) -> int | None:
    """The first line of a Turtle-like file naming `iri` in full or as a prefixed name."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    needles = [f"<{iri}>", f'"{iri}"']  # Turtle/N-Triples; JSON-LD and RDF/XML
    declared = dict(PREFIXES)
    for m in re.finditer(r"@?prefix\s+([\w.-]*):\s*<([^>]*)>", text, re.IGNORECASE):
        declared[m.group(1)] = m.group(2)
    for prefix, ns in declared.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            local = iri[len(ns) :]
            needles += [f"{prefix}:{local}", f"{prefix}:{local.replace('/', chr(92) + '/')}"]
    base = re.search(r"@?base\s+<([^>]*)>", text, re.IGNORECASE)
    if base and iri.startswith(base.group(1)):
        needles.append(f"<{iri[len(base.group(1)) :]}>")
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        for needle in needles:
            at = line.find(needle)
            while at >= 0:
                before = line[at - 1] if at else " "
                after = line[at + len(needle)] if at + len(needle) < len(line) else " "
                if not _name_char(before) and not _name_char(after, tail=True):
                    return number
                at = line.find(needle, at + 1)
    return None


def _name_char(ch: str, tail: bool = False) -> bool:
    """Whether `ch` would continue a name (a following '.' ends a statement instead)."""
    return ch.isalnum() or ch in "_-:/#%\\"


# --- output formats -------------------------------------------------------------------------


def to_turtle(report: ValidationReport) -> str:
    from govkg.namespaces import bind_prefixes

    graph = bind_prefixes(report.report_graph)
    return graph.serialize(format="turtle")


ROW_FIELDS = ("focus", "path", "value", "shape", "severity", "message", "file", "line")


def to_json(report: ValidationReport, lang: str = "en") -> str:
    import json

    doc = {
        "conforms": report.conforms,
        "counts": {sev: report.count(sev) for sev in SEVERITIES},
        "results": [r.as_row(lang) for r in report.results],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def to_csv(report: ValidationReport, lang: str = "en") -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=ROW_FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in report.results:
        writer.writerow(r.as_row(lang))
    return buf.getvalue()


def _short(term: str | None) -> str:
    if term is None:
        return ""
    typed = re.match(r'^(".*")\^\^<([^>]+)>$', term, re.S)
    if typed:
        return f"{typed.group(1)}^^{curie(typed.group(2))}"
    if term.startswith("http") or term.startswith("urn:"):
        return curie(term)
    return term


_IRI = re.compile(r"https?://[^\s()（）<>\"'，,]+")


def _compact(message: str) -> str:
    """IRIs filled into a message, shortened to prefixed names for reading."""
    return _IRI.sub(lambda m: curie(m.group(0)) if "…" not in m.group(0) else m.group(0), message)


def summary(report: ValidationReport, lang: str = "en") -> str:
    n = {sev: report.count(sev) for sev in SEVERITIES}
    if lang == "zh":
        return f"违规 {n['Violation']} 条,警告 {n['Warning']} 条,提示 {n['Info']} 条"
    return f"{n['Violation']} violation(s), {n['Warning']} warning(s), {n['Info']} info(s)"


def to_text(report: ValidationReport, lang: str = "en") -> str:
    """Results grouped by focus node, most serious first, then one summary line."""
    if not report.results:
        return ("未发现问题" if lang == "zh" else "No issues found") + "\n"
    groups: dict[str, list[ValidationResult]] = {}
    for r in sorted(report.results, key=lambda r: (r.focus, r.severity_rank, r.shape)):
        groups.setdefault(r.focus, []).append(r)
    lines: list[str] = []
    for focus, items in groups.items():
        where = ""
        first = items[0]
        if first.file:
            where = f"  ({first.file}" + (f":{first.line}" if first.line else "") + ")"
        owner = f" (in {_short(first.owner)})" if first.owner else ""
        lines.append(f"{_short(focus)}{owner}{where}")
        for r in items:
            detail = []
            if r.path:
                detail.append(f"path {r.path}")
            if r.value is not None:
                detail.append(f"value {_short(r.value)}")
            extra = f" [{'; '.join(detail)}]" if detail else ""
            lines.append(f"  {r.shape} {r.severity}: {_compact(r.message(lang))}{extra}")
        lines.append("")
    lines.append(summary(report, lang))
    return "\n".join(lines) + "\n"


def render(report: ValidationReport, fmt: str = "text", lang: str = "en") -> str:
    formats = {"text": to_text, "json": to_json, "csv": to_csv}
    if fmt == "turtle":
        return to_turtle(report)
    if fmt not in formats:
        raise BadInput(f"unknown report format {fmt!r}; one of text, turtle, json, csv")
    return formats[fmt](report, lang)


def result_keys(results: Iterable[ValidationResult]) -> set[tuple[str, str, str]]:
    return {r.key() for r in results}


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
