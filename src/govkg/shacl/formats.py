"""Output formats of a validation report: text for people, the standard Turtle, JSON, CSV."""

from __future__ import annotations

import re

from govkg.errors import BadInput
from govkg.namespaces import curie
from govkg.shacl.report import SEVERITIES, ValidationReport, ValidationResult


def to_turtle(report: ValidationReport) -> str:
    from govkg.namespaces import bind_prefixes

    graph = bind_prefixes(report.report_graph)
    return graph.serialize(format="turtle")


ROW_FIELDS = ("focus", "path", "value", "shape", "severity", "message", "file", "line")


def to_json(report: ValidationReport, lang: str = "en") -> str:
    import json

    doc = {
        "conforms": report.conforms,
        "engine": report.engine,
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


def _engine(report: ValidationReport, lang: str) -> str:
    """Which engine ran, after the summary line (auto picks one)."""
    return f" [引擎:{report.engine}]" if lang == "zh" else f" [engine: {report.engine}]"


def summary(report: ValidationReport, lang: str = "en") -> str:
    n = {sev: report.count(sev) for sev in SEVERITIES}
    if lang == "zh":
        return f"违规 {n['Violation']} 条,警告 {n['Warning']} 条,提示 {n['Info']} 条"
    return f"{n['Violation']} violation(s), {n['Warning']} warning(s), {n['Info']} info(s)"


def to_text(report: ValidationReport, lang: str = "en") -> str:
    """Results grouped by focus node, most serious first, then one summary line."""
    if not report.results:
        return ("未发现问题" if lang == "zh" else "No issues found") + _engine(report, lang) + "\n"
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
    lines.append(summary(report, lang) + _engine(report, lang))
    return "\n".join(lines) + "\n"


def render(report: ValidationReport, fmt: str = "text", lang: str = "en") -> str:
    formats = {"text": to_text, "json": to_json, "csv": to_csv}
    if fmt == "turtle":
        return to_turtle(report)
    if fmt not in formats:
        raise BadInput(f"unknown report format {fmt!r}; one of text, turtle, json, csv")
    return formats[fmt](report, lang)
