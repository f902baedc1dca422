"""The report model: results read from a standard `sh:ValidationReport` graph.

Whatever engine ran, results are read from its report graph here, with the shape's ID and
its messages in zh and en, so every output format is the same for every engine.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govkg.namespaces import PREFIXES, curie
from govkg.shacl.shapes import shape_id

if TYPE_CHECKING:
    import rdflib

SH = PREFIXES["sh"]
SEVERITIES = ("Violation", "Warning", "Info")
"""Severities from most to least serious (the local names of sh:Violation, ...)."""


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
    """The outcome of one validation run: results sorted, counts per severity, the raw graph.

    `graph_source` is the standard report graph, or a function building it: the SPARQL
    engine reads its results straight from the query solutions and builds the graph only
    when an output (Turtle) asks for it.
    """

    results: list[ValidationResult]
    graph_source: rdflib.Graph | Callable[[], rdflib.Graph]
    engine: str = "pyshacl"
    files: list[Path] = field(default_factory=list)

    @property
    def report_graph(self) -> rdflib.Graph:
        """The standard `sh:ValidationReport` graph (built once, when first asked for)."""
        if callable(self.graph_source):
            self.graph_source = self.graph_source()
        return self.graph_source

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
        return ValidationReport(kept, self.graph_source, self.engine, self.files)

    def at_or_above(self, severity: str) -> list[ValidationResult]:
        """Results at least as serious as `severity` (for --fail-on)."""
        rank = SEVERITIES.index(severity.capitalize())
        return [r for r in self.results if r.severity_rank <= rank]


def read_results(report: rdflib.Graph, shapes: rdflib.Graph) -> list[ValidationResult]:
    """The results of a standard report graph, with messages in zh and en."""
    from rdflib import RDF, Namespace

    sh = Namespace(SH)
    out = []
    cache: dict[Any, Any] = {}
    for node in report.subjects(RDF.type, sh.ValidationResult):
        source = report.value(node, sh.sourceShape)
        out.append(
            make_result(
                focus=report.value(node, sh.focusNode),
                source=source,
                severity=report.value(node, sh.resultSeverity),
                path=path_text(report, report.value(node, sh.resultPath)),
                value=report.value(node, sh.value),
                component=report.value(node, sh.sourceConstraintComponent),
                messages=_messages(report, node, shapes, source, cache),
            )
        )
    return out


def make_result(
    *,
    focus: Any,
    source: Any,
    severity: Any,
    path: str | None,
    value: Any,
    component: Any,
    messages: tuple[str, str],
) -> ValidationResult:
    """One result from the rdflib terms of a report's result node (`path` already as text)."""
    sev = str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"
    sev = sev if sev in SEVERITIES else "Violation"
    source_str = _term(source) or ""
    return ValidationResult(
        severity_rank=SEVERITIES.index(sev),
        focus=_term(focus) or "",
        shape=shape_id(source_str),
        path=path,
        value=_term(value),
        severity=sev,
        message_zh=messages[0],
        message_en=messages[1],
        source_shape=source_str,
        constraint=_term(component),
    )


def _messages(
    report: Any, node: Any, shapes: Any, source: Any, cache: dict[Any, Any]
) -> tuple[str, str]:
    """The result's message in zh and en, from its sh:resultMessage in the report graph."""
    from rdflib import Namespace

    messages = list(report.objects(node, Namespace(SH).resultMessage))
    return messages_of(messages, templates_of(shapes, source, cache))


def templates_of(
    shapes: Any, source: Any, cache: dict[Any, Any]
) -> list[tuple[str, re.Pattern[str], str]]:
    """A shape's language-tagged message templates as patterns (`cache`: per run, by shape)."""
    from rdflib import Literal, Namespace

    if source not in cache:
        templates: list[tuple[str, re.Pattern[str], str]] = []
        if source is not None:
            for msg in shapes.objects(source, Namespace(SH).message):
                if isinstance(msg, Literal) and msg.language:
                    parts = re.split(r"\{[?$]\w+\}", str(msg))
                    pattern = re.compile("^" + "(.*?)".join(map(re.escape, parts)) + "$", re.S)
                    templates.append((msg.language.lower()[:2], pattern, str(msg)))
        cache[source] = templates
    return cache[source]


def messages_of(
    messages: Iterable[Any], templates: list[tuple[str, re.Pattern[str], str]]
) -> tuple[str, str]:
    """A result's message in zh and en, from its message literals.

    pySHACL fills in `{?value}`-style variables but drops the language tag; a filled-in
    message is given the language of the shape's template it matches.
    """
    from rdflib import Literal

    found: dict[str, str] = {}
    untagged = ""
    for msg in messages:
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


def path_text(graph: Any, path: Any) -> str | None:
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
            return "/".join(path_text(graph, p) or "?" for p in Collection(graph, path))
        alt = graph.value(path, sh.alternativePath)
        if alt is not None:
            return "|".join(path_text(graph, p) or "?" for p in Collection(graph, alt))
        inv = graph.value(path, sh.inversePath)
        if inv is not None:
            return "^" + (path_text(graph, inv) or "?")
        for prop, mark in (
            (sh.zeroOrMorePath, "*"),
            (sh.oneOrMorePath, "+"),
            (sh.zeroOrOnePath, "?"),
        ):
            inner = graph.value(path, prop)
            if inner is not None:
                return f"({path_text(graph, inner)}){mark}"
    return _term(path)


def result_keys(results: Iterable[ValidationResult]) -> set[tuple[str, str, str]]:
    return {r.key() for r in results}


def _display(path: Path) -> str:
    """A path relative to the working folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
