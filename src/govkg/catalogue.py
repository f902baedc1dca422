"""The canned-query catalogue: queries/*.rq files and what their headers say.

A query file is data: its `# key: value` header names it in both languages, describes its
parameters and columns and gives runnable examples; the SPARQL follows.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from govkg import resources
from govkg.errors import BadInput


@dataclass(frozen=True)
class Param:
    """A declared parameter: `# param NAME: text` (required) or `# param NAME=DEFAULT: text`."""

    name: str
    description: str
    default: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class CannedQuery:
    """One queries/*.rq file and what its header says about it."""

    name: str
    path: Path
    title_en: str
    title_zh: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    examples: tuple[str, ...] = ()

    def title(self, lang: str = "en") -> str:
        return self.title_zh if lang == "zh" and self.title_zh else self.title_en

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def ordered(self) -> bool:
        """Whether the query orders its rows (a shipped file: read, not a safety decision)."""
        body = "\n".join(line.split("#", 1)[0] for line in self.text.splitlines())
        return re.search(r"\bORDER\s+BY\b", body, re.IGNORECASE) is not None


_HEADER_LINE = re.compile(r"^#\s*([A-Za-z@_-]+(?:\s+[^:=\s]+(?:=[^:]*)?)?)\s*:\s?(.*)$")


def parse_header(text: str) -> dict[str, Any]:
    """The `# key: value` lines at the top of a query file (continuations: `#   more`)."""
    header: dict[str, Any] = {"params": [], "examples": []}
    last: str | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER_LINE.match(line)
        body = line[1:].strip()
        if match and not line.startswith("#  "):
            key, value = match.group(1).strip(), match.group(2).strip()
            if key.startswith("param "):
                spec = key[len("param ") :].strip()
                name, _, default = spec.partition("=")
                header["params"].append(Param(name.strip(), value, default.strip() or None))
                last = "param"
            elif key == "example":
                header["examples"].append(value)
                last = "example"
            else:
                header[key] = value
                last = key
        elif last and body:
            if last == "param":
                p = header["params"][-1]
                header["params"][-1] = Param(p.name, f"{p.description} {body}", p.default)
            elif last == "example":
                header["examples"][-1] += " " + body
            else:
                header[last] = f"{header[last]} {body}"
    return header


def load_canned(path: Path) -> CannedQuery:
    """A canned query from its file; a file without the required header is refused."""
    header = parse_header(path.read_text(encoding="utf-8"))
    missing = [k for k in ("title@en", "title@zh", "description", "columns") if not header.get(k)]
    if missing:
        raise BadInput(f"{path}: query header lacks {', '.join('# ' + m for m in missing)}")
    return CannedQuery(
        name=path.stem,
        path=path,
        title_en=header["title@en"],
        title_zh=header["title@zh"],
        description=header["description"],
        params=tuple(header["params"]),
        columns=tuple(c.strip() for c in header["columns"].split(",") if c.strip()),
        examples=tuple(header["examples"]),
    )


@cache
def _catalogue(folder: Path) -> tuple[CannedQuery, ...]:
    return tuple(load_canned(p) for p in sorted(folder.glob("*.rq")))


def catalogue() -> list[CannedQuery]:
    """Every top-level queries/*.rq (queries/qa/ holds QA checks, not researchers' questions)."""
    return list(_catalogue(resources.queries_dir()))


def find_canned(name: str) -> CannedQuery:
    """A canned query by name; an unknown name lists the closest ones."""
    by_name = {q.name: q for q in catalogue()}
    if name in by_name:
        return by_name[name]
    close = difflib.get_close_matches(name, list(by_name), n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else " See `govkg queries`."
    raise BadInput(f"no canned query named {name!r}.{hint}")
