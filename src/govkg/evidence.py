"""Evidence quotes: find a quote in the source article, and check every recorded quote.

Every fact of govkg points at a short quote of the source article through a Web Annotation
(`oa:TextQuoteSelector` exact/prefix/suffix and `oa:TextPositionSelector` start/end). Offsets
count Unicode code points (Python `str` indices) from the start of the article, end exclusive,
so anyone holding the article can verify a quote with `text[start:end] == exact`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from govkg.errors import BadInput
from govkg.namespaces import sparql_prologue

if TYPE_CHECKING:
    from govkg.load import KnowledgeGraph

CONTEXT = 8
"""Characters of prefix and suffix kept around a quote (fewer at a line break)."""


def locate(exact: str, text: str, occurrence: int = 1) -> tuple[int, int, str, str]:
    """Where the `occurrence`-th (1-based) copy of `exact` is in `text`.

    Returns (start, end, prefix, suffix): end is exclusive; prefix and suffix hold up to
    CONTEXT characters around the quote, cut at the nearest line break so they stay on the
    quote's own line. Raises ValueError when the quote is not there that many times.
    """
    if not exact:
        raise ValueError("an evidence quote may not be empty")
    if occurrence < 1:
        raise ValueError("occurrence counts from 1")
    start = -1
    for _ in range(occurrence):
        start = text.find(exact, start + 1)
        if start < 0:
            found = text.count(exact)
            raise ValueError(
                f"quote {exact!r} occurs {found} time(s) in the article, not {occurrence}"
            )
    end = start + len(exact)
    prefix = text[max(0, start - CONTEXT) : start].rsplit("\n", 1)[-1]
    suffix = text[end : end + CONTEXT].split("\n", 1)[0]
    return start, end, prefix, suffix


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, as lower-case hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


_SELECTORS = """
SELECT ?ann ?target ?source ?exact ?prefix ?suffix ?start ?end WHERE {
  ?ann a oa:Annotation .
  OPTIONAL { ?ann oa:hasTarget ?target .
    OPTIONAL { ?target oa:hasSource ?source }
    OPTIONAL { ?target oa:hasSelector ?q . ?q a oa:TextQuoteSelector ; oa:exact ?exact .
               OPTIONAL { ?q oa:prefix ?prefix } OPTIONAL { ?q oa:suffix ?suffix } }
    OPTIONAL { ?target oa:hasSelector ?p . ?p a oa:TextPositionSelector ;
               oa:start ?start ; oa:end ?end } }
}
"""

_CHECKSUMS = """
SELECT ?source ?sha WHERE { ?source a gk:SourceArticle . OPTIONAL { ?source gk:sha256 ?sha } }
"""


def _value(term: object) -> str | None:
    return None if term is None else str(getattr(term, "value", term))


def check_evidence(
    kg: KnowledgeGraph, article_path: Path | str, source: str | None = None
) -> list[str]:
    """Every problem with the graph's evidence quotes, one line each (empty: all quotes hold).

    Checks that each annotation has a target with a source and both selectors, that the
    article holds `exact` at [start, end) character for character, that prefix and suffix
    are the text right before and after, and that the article's SHA-256 is the recorded one.
    A missing article is bad input, not a problem of the graph. With `source` (an IRI), only
    that source's checksum and the annotations quoting it are checked (several sources).
    """
    path = Path(article_path)
    if not path.is_file():
        raise BadInput(f"source article not found: {path}")
    text = path.read_text(encoding="utf-8")
    problems: list[str] = []

    digest = sha256_of(path)
    for row in kg.query(sparql_prologue() + _CHECKSUMS):
        if source is not None and _value(row["source"]) != source:
            continue
        src, sha = _value(row["source"]), _value(row["sha"])
        if sha is None:
            problems.append(f"<{src}>: no gk:sha256 recorded for the source article")
        elif sha.lower() != digest:
            problems.append(
                f"<{src}>: gk:sha256 {sha} differs from {path.name} ({digest}): "
                "the article is not the one the quotes were taken from"
            )

    seen: set[tuple[str, ...]] = set()
    for row in kg.query(sparql_prologue() + _SELECTORS):
        ann = _value(row["ann"]) or "?"
        values = tuple(
            _value(row[k]) or ""
            for k in ("target", "source", "exact", "prefix", "suffix", "start", "end")
        )
        if (ann, *values) in seen:
            continue
        seen.add((ann, *values))
        target, quoted, exact, prefix, suffix, start_s, end_s = values
        if source is not None and quoted != source:
            continue
        where = f"<{ann}>"
        if not target:
            problems.append(f"{where}: no oa:hasTarget")
            continue
        if not quoted:
            problems.append(f"{where}: target has no oa:hasSource (missing source)")
        if not exact:
            problems.append(f"{where}: no oa:TextQuoteSelector with oa:exact")
            continue
        if not start_s or not end_s:
            problems.append(f"{where}: no oa:TextPositionSelector with oa:start and oa:end")
            continue
        try:
            start, end = int(start_s), int(end_s)
        except ValueError:
            problems.append(f"{where}: offsets {start_s!r}..{end_s!r} are not integers")
            continue
        if not (0 <= start <= end <= len(text)):
            problems.append(f"{where}: offsets {start}..{end} lie outside the article")
            continue
        found = text[start:end]
        if found != exact:
            problems.append(
                f"{where}: quote not at its offsets: text[{start}:{end}] is {found!r}, "
                f"oa:exact is {exact!r}"
            )
            continue
        if prefix and text[max(0, start - len(prefix)) : start] != prefix:
            problems.append(f"{where}: oa:prefix {prefix!r} is not the text before the quote")
        if suffix and text[end : end + len(suffix)] != suffix:
            problems.append(f"{where}: oa:suffix {suffix!r} is not the text after the quote")
    return sorted(problems)
