"""`govkg import`: a filled template becomes govkg Turtle, checked before anything is written.

The same compiler as the bundled build (govkg.tables.build), against the bundled graph: ids
must be new, references may point at bundled resources, quotes are found in the `--source`
texts (matched to sources by SHA-256, the bundled article included). The Turtle is then
merged with the bundled graph and validated against the shapes; only when every row passes
and the merge has no Violation is the file written (atomically).

`alone`: the tables stand by themselves (e.g. the bundled tables, or tables `govkg template
--from` extracted from a whole graph): ids need not be new, references go only to the
tables' own resources and the places, the claim-topic scheme is described, and the Turtle
is validated with the places alone.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from govkg import resources
from govkg.errors import BadInput
from govkg.namespaces import GKR, PREFIXES
from govkg.tables.build import Compiled, claim_sections, compile_tables, evidence_sections
from govkg.tables.read import Problem, Tables, TablesInvalid, read_tables
from govkg.tables.turtle import I, Section, render, used_prefixes
from govkg.tables.vocab import vocabulary


@dataclass
class Imported:
    turtle: str
    compiled: Compiled
    statements: int
    derivations: int


def bundled_sources() -> dict[str, str]:
    """sha256 -> source path of the sources already in the bundled data."""
    from govkg.load import parse_file

    sha = PREFIXES["gk"] + "sha256"
    out: dict[str, str] = {}
    for path in resources.data_files():
        for q in parse_file(path):
            if q.predicate.value == sha and q.subject.value.startswith(GKR + "source/"):
                out[q.object.value] = q.subject.value[len(GKR) :]
    return out


def with_article(sources: Iterable[Path]) -> list[Path]:
    """The --source texts, and the bundled article where it is there (found by itself)."""
    texts = list(sources)
    article = resources.article_path()
    if article.is_file() and article not in texts:
        texts.append(article)
    return texts


def source_texts(tables: Tables, files: list[Path]) -> dict[str, str]:
    """Each `--source` file's text, keyed by the source whose SHA-256 it has."""
    wanted = {r.get("sha256"): r.get("id") for r in tables.rows("sources")}
    wanted.update({k: v for k, v in bundled_sources().items() if k not in wanted})
    return read_texts(files, wanted)


def read_texts(
    files: list[Path], wanted: dict[str, str], *, others: bool = False
) -> dict[str, str]:
    """The UTF-8 text of each file, keyed by `wanted[its SHA-256]`; a file whose digest is not
    wanted is refused, or passed over with `others`."""
    texts: dict[str, str] = {}
    for f in files:
        try:
            data = f.read_bytes()
        except OSError as err:
            raise BadInput(f"{f}: cannot read the source text: {err.strerror or err}") from None
        digest = hashlib.sha256(data).hexdigest()
        if digest not in wanted:
            if others:
                continue
            raise BadInput(f"{f}: its SHA-256 {digest} is no source's (sources sheet or bundled)")
        try:
            texts[wanted[digest]] = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BadInput(f"{f}: the source text is not UTF-8") from None
    return texts


def places_file() -> Path:
    """The places (from reference/provinces.csv): the one data file tables always refer to."""
    return resources.data_dir() / "places.ttl"


def layout(out: Compiled, title: str, describe_scheme: bool = False) -> list[Section]:
    src = Section("Sources")
    for ref, pairs in out.sources.items():
        src.add(I(ref), pairs)
    ents = Section("Resources and their facts")
    for ref, pairs in out.subjects.items():
        ents.add(I(ref), pairs)
    return [src, ents, *claim_sections(out, describe_scheme), *evidence_sections(out)]


def import_tables(
    table: Path, sources: list[Path], *, check_shapes: bool = True, alone: bool = False
) -> Imported:
    """The Turtle for `table`, or TablesInvalid (every bad row) / BadInput."""
    return compile_read(read_tables(table), str(table), sources, check_shapes, alone)


def compile_read(
    tables: Tables, name: str, sources: list[Path], check_shapes: bool = True, alone: bool = False
) -> Imported:
    """`import_tables` for tables already read (or extracted from a graph)."""
    texts = source_texts(tables, sources)
    graph = [places_file()] if alone else resources.data_files()
    vocab = vocabulary(resources.ontology_files(), graph, existing=not alone)
    out = compile_tables(tables, vocab, texts)
    secs = layout(out, name, describe_scheme=alone)
    header = (
        f"govkg data imported from {Path(name).name} by `govkg import`.\n"
        "Every fact rests on a quote (oa:Annotation with its rdf:Statement bodies) or is a\n"
        "gk:Derivation saying how and from which quotes it was concluded."
    )
    turtle = render(header, secs, used_prefixes(secs))
    if check_shapes:
        _validate_merged(turtle, tables, alone)
    return Imported(turtle, out, len(out.stated), len(out.derived))


def _validate_merged(turtle: str, tables: Tables, alone: bool = False) -> None:
    """Violations the new Turtle causes when merged with the bundled graph, as problems
    placed on the entity row of the resource they are about (where there is one)."""
    from govkg.shacl import validate

    rows = {GKR + r.get("id"): r.number for r in tables.rows("entities")}
    with tempfile.TemporaryDirectory(prefix="govkg-import-") as tmp:
        path = Path(tmp) / "import.ttl"
        path.write_text(turtle, encoding="utf-8")
        files = [places_file(), path] if alone else [path]
        report = validate(files, bundled=not alone).about([path])
    problems = []
    for r in report.at_or_above("violation"):
        focus = r.focus.split("#", 1)[0]
        where = ("entities", rows[focus], "id") if focus in rows else ("shapes", None, None)
        problems.append(Problem(*where, f"{r.shape} {r.focus}: {r.message('en')}"))
    if problems:
        raise TablesInvalid(tables.origin, problems)
