"""The canned-query catalogue: queries/*.rq files, what their headers say, and their SPARQL.

A query file is data: its `# key: value` header names it in both languages, describes its
parameters and columns and gives runnable examples; standard SPARQL 1.1 follows, with its
own PREFIX lines. Two conventions make one file serve every store:

- a parameter is a `VALUES ?name { default }` line (`UNDEF` for a required one), placed
  where the parameter is used (inside a subquery if that is where it is needed);
  `CannedQuery.sparql()` rewrites that line with the value as a validated, escaped RDF term;
- `gkq:label(?x)` inside a `BIND(... AS ?out)` line stands for the one label rule of the
  project: skos:prefLabel in the query's language, else rdfs:label in it, else any label.
  It is written once, here (`_label_rule`); the catalogue expands it into three OPTIONALs of
  plain SPARQL 1.1 with the language as a literal, so no binding has to be in scope where
  the label filters are (a `?lang` bound outside a nested group or subquery is not).
  `govkg query NAME --sparql` prints the expanded, self-contained text; the embedded engine
  runs that same text.

A header line `# concatenated: col="; ", …` names the columns that are GROUP_CONCATs and their
separators (tests check it against rdflib's parse of every query): SPARQL gives such a cell's
parts in no defined order, so govkg sorts them after the query, in process and from a remote
store alike; the `--sparql` text run elsewhere gives them in that store's order.
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
    # (column, separator) of each cell that concatenates values (GROUP_CONCAT): SPARQL leaves
    # their order to the store, so govkg sorts them after the query (`sort_concatenated`)
    concatenated: tuple[tuple[str, str], ...] = ()

    @property
    def example_params(self) -> dict[str, str]:
        """The parameters of the first header example: what its golden result, `govkg check`
        and the web form's first values use (tests check this reading against the CLI's)."""
        import itertools
        import shlex

        if not self.examples:
            return {}
        words = shlex.split(self.examples[0])
        pairs = [b for a, b in itertools.pairwise(words) if a in ("-p", "--param")]
        pairs += [w.split("=", 1)[1] for w in words if w.startswith("--param=")]
        return dict(pair.split("=", 1) for pair in pairs if "=" in pair)

    def title(self, lang: str = "en") -> str:
        return self.title_zh if lang == "zh" and self.title_zh else self.title_en

    @property
    def text(self) -> str:
        """The file as written (labels as `gkq:label` calls, parameters at their defaults)."""
        return self.path.read_text(encoding="utf-8")

    @property
    def ordered(self) -> bool:
        """Whether the query orders its rows (a shipped file: read, not a safety decision)."""
        body = "\n".join(line.split("#", 1)[0] for line in self.text.splitlines())
        return re.search(r"\bORDER\s+BY\b", body, re.IGNORECASE) is not None

    def sparql(self, params: dict[str, str] | None = None, lang: str = "en") -> str:
        """The self-contained SPARQL 1.1 text for these parameter values: runs on any store.

        Values are checked and turned into RDF terms by `govkg.query.bind_params` (an IRI,
        a CURIE of a project prefix, else a literal), then written in N-Triples form (IRIs
        validated, literals escaped by pyoxigraph); user text is never spliced in raw.
        """
        from govkg.query import bind_params

        bound = bind_params(params, self.params, lang)
        label_lang = bound["lang"].value if "lang" in bound else lang
        return expand(self.text, {k: str(v) for k, v in bound.items()}, label_lang, self.path)


# ---------------------------------------------------------------- expansion

MACRO_NS = "https://w3id.org/govkg/query#"  # the namespace of `gkq:label`; never in output
_MACRO_PREFIX = re.compile(r"^PREFIX\s+gkq:\s*<" + re.escape(MACRO_NS) + r">[ \t]*\n", re.M)
_PARAM_LINE = re.compile(
    r"^(?P<indent>[ \t]*)VALUES \?(?P<name>\w+) \{ (?P<term>[^{}#]+?) \}(?P<tail>[ \t]*(?:#.*)?)$",
    re.M,
)
_LABEL_BIND = re.compile(
    r"^(?P<indent>[ \t]*)BIND\((?P<expr>.*\bgkq:label\(.*) AS \?(?P<out>\w+)\)\s*$"
)
_LABEL_CALL = re.compile(r"(?P<coalesce>COALESCE\(\s*)?gkq:label\(\?(?P<var>\w+)\)")
_LABEL_PREFIXES = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


def _label_rule(indent: str, var: str, out: str, lang: str) -> list[str]:
    """The project's label fallback for ?var into ?out_1..3 (the one place it is written)."""
    lit = f'"{lang}"'
    return [
        f"{indent}OPTIONAL {{ ?{var} skos:prefLabel ?{out}_1 "
        f"FILTER(LANGMATCHES(LANG(?{out}_1), {lit})) }}",
        f"{indent}OPTIONAL {{ ?{var} rdfs:label ?{out}_2 "
        f"FILTER(LANGMATCHES(LANG(?{out}_2), {lit})) }}",
        f"{indent}OPTIONAL {{ ?{var} skos:prefLabel|rdfs:label ?{out}_3 "
        f"FILTER(!BOUND(?{out}_1) && !BOUND(?{out}_2)) }}",
    ]


def _expand_label_bind(indent: str, expr: str, out: str, lang: str) -> list[str]:
    """`BIND(expr AS ?out)` with each `gkq:label(?x)` in expr replaced by its label rule."""
    calls = list(_LABEL_CALL.finditer(expr))
    names = [out] if len(calls) == 1 else [f"{out}_{i}" for i in range(1, len(calls) + 1)]
    lines: list[str] = []
    for call, name in zip(calls, names, strict=True):
        lines.extend(_label_rule(indent, call.group("var"), name, lang))
    pieces = iter(names)

    def coalesce(c: re.Match[str]) -> str:
        name = next(pieces)
        parts = f"?{name}_1, ?{name}_2, ?{name}_3"
        return f"COALESCE({parts}" if c.group("coalesce") else f"COALESCE({parts})"

    lines.append(f"{indent}BIND({_LABEL_CALL.sub(coalesce, expr)} AS ?{out})")
    return lines


def parameter_lines(text: str) -> dict[str, list[str]]:
    """name -> terms of the one-variable, one-line `VALUES ?name { term }` blocks of a query
    (a declared parameter's is its parameter line; other names are ordinary VALUES)."""
    found: dict[str, list[str]] = {}
    for m in _PARAM_LINE.finditer(text):
        found.setdefault(m.group("name"), []).append(m.group("term").strip())
    return found


def expand(text: str, terms: dict[str, str], lang: str, source: Path | str = "<query>") -> str:
    """A catalogue file as plain SPARQL 1.1: parameter lines set to `terms` (N-Triples
    forms), `gkq:label` calls expanded with `lang`; header comments kept."""
    return expand_labels(set_parameters(text, terms), lang, source)


def set_parameters(text: str, terms: dict[str, str]) -> str:
    """The text with each named parameter's `VALUES ?name { ... }` line set to its term."""

    def set_param(m: re.Match[str]) -> str:
        term = terms.get(m.group("name"))
        return (
            m.group(0)
            if term is None
            else f"{m.group('indent')}VALUES ?{m.group('name')} {{ {term} }}{m.group('tail')}"
        )

    return _PARAM_LINE.sub(set_param, text)


def expand_labels(text: str, lang: str, source: Path | str = "<query>") -> str:
    """The text with every `gkq:label(?x)` BIND written out as the label rule in `lang`."""
    if lang not in ("en", "zh"):
        raise BadInput(f"unknown label language {lang!r}")
    if "gkq:" not in text:
        return text
    for prefix, ns in _LABEL_PREFIXES.items():
        if not re.search(rf"^PREFIX\s+{prefix}:\s*<{re.escape(ns)}>", text, re.M):
            raise BadInput(f"{source}: gkq:label needs the line PREFIX {prefix}: <{ns}>")
    out_lines: list[str] = []
    for number, line in enumerate(_MACRO_PREFIX.sub("", text).splitlines(), 1):
        m = _LABEL_BIND.match(line)
        if not m or line.lstrip().startswith("#"):
            if "gkq:" in line and not line.lstrip().startswith("#"):
                raise BadInput(f"{source}:{number}: gkq:label is only allowed in a one-line BIND")
            out_lines.append(line)
            continue
        out_lines.extend(
            _expand_label_bind(m.group("indent"), m.group("expr"), m.group("out"), lang)
        )
    return "\n".join(out_lines) + "\n"


# ---------------------------------------------------------------- header

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
    """A canned query from its file; a file without the required header is refused, and so
    is a declared parameter without exactly one `VALUES ?name { ... }` line (lang, which the
    label rule uses, may have none)."""
    text = path.read_text(encoding="utf-8")
    header = parse_header(text)
    missing = [k for k in ("title@en", "title@zh", "description", "columns") if not header.get(k)]
    if missing:
        raise BadInput(f"{path}: query header lacks {', '.join('# ' + m for m in missing)}")
    lines = parameter_lines(text)
    for p in header["params"]:
        count = len(lines.get(p.name, []))
        if count > 1 or (count == 0 and p.name != "lang"):
            raise BadInput(
                f"{path}: parameter {p.name} needs exactly one line VALUES ?{p.name} {{ ... }}"
                f" (found {count})"
            )
    return CannedQuery(
        name=path.stem,
        path=path,
        title_en=header["title@en"],
        title_zh=header["title@zh"],
        description=header["description"],
        params=tuple(header["params"]),
        columns=tuple(c.strip() for c in header["columns"].split(",") if c.strip()),
        examples=tuple(header["examples"]),
        concatenated=tuple(_CONCATENATED.findall(header.get("concatenated", ""))),
    )


_CONCATENATED = re.compile(r'(\w+)="([^"]+)"')


def sort_concatenated(value: str, separator: str) -> str:
    """A GROUP_CONCAT cell with its parts in code-point order: the same cell from every store.

    GROUP_CONCAT has no order in SPARQL 1.1 (embedded pyoxigraph, an Oxigraph server and
    Virtuoso each give their own); the parts of the cell are the same on every store, so
    sorted they give the same bytes."""
    return separator.join(sorted(value.split(separator)))


@cache
def _catalogue(folder: Path, pattern: str) -> tuple[CannedQuery, ...]:
    return tuple(load_canned(p) for p in sorted(folder.glob(pattern)))


def queries_in(folder: Path, pattern: str = "*.rq") -> list[CannedQuery]:
    """The query files of one folder, by name, read by the one header parser (queries/ and
    queries/qa/ alike)."""
    return list(_catalogue(folder, pattern))


def catalogue() -> list[CannedQuery]:
    """Every top-level queries/*.rq (queries/qa/ holds QA checks, not researchers' questions)."""
    return queries_in(resources.queries_dir())


def find_canned(name: str) -> CannedQuery:
    """A canned query by name; an unknown name lists the closest ones."""
    by_name = {q.name: q for q in catalogue()}
    if name in by_name:
        return by_name[name]
    close = difflib.get_close_matches(name, list(by_name), n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else " See `govkg queries`."
    raise BadInput(f"no canned query named {name!r}.{hint}")
