"""A persistent base: the graph loaded once into an on-disk pyoxigraph store (`govkg db`).

A store folder holds:
- `oxigraph/`: the pyoxigraph store. Its default graph is the merged graph (ontology + data),
  exactly what `load_graph` builds in memory, so every compiled query runs on it unchanged;
  the named graph SUBJECTS records which file states something about which subject
  (`<subject> STATED_IN <file IRI>`), for the file:line of validation results.
- `govkg-store.json`: the format, the govkg version and a digest of the bundled ontology and
  shapes it was written with (a store written by another version is refused: its merged
  ontology or the shapes' compiled queries may differ), the files loaded (path, size,
  SHA-256), and the datatypes the store retypes (`govkg.retyped`, so the SPARQL engine's
  refusal of such data still holds).
- the named graph TARGETS: the members of each SPARQL target of the bundled shapes, so an
  incremental validation does not run those queries over the whole base.
- `pending-change.nq`, only while `validate --store` has a change applied: the triples it
  added and removed, undone when the store is next opened if the run was cut short.

What the store does not keep: the input's exact lexical forms of typed literals (the store
keeps values, see `load.is_typed`), so what needs them (the pySHACL engine, exports) reads
the files, not the store.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from govkg import __version__, resources
from govkg.errors import BadInput

FORMAT = 2
META = "govkg-store.json"
STORE = "oxigraph"
PENDING = "pending-change.nq"
SUBJECTS = ox.NamedNode("urn:govkg:db:subjects")
STATED_IN = ox.NamedNode("urn:govkg:db:stated-in")
TARGETS = ox.NamedNode("urn:govkg:db:targets")
"""The members of each SPARQL target of the bundled shapes (`<shape> TARGET_OF <node>`):
an incremental validation reads them instead of running the target's query on the base."""


def bundle_digest() -> str:
    """A digest of the bundled ontology and shapes (what a store's validation depends on)."""
    h = hashlib.sha256()
    for path in [*resources.ontology_files(), *resources.shape_files()]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _file_record(path: Path) -> dict[str, Any]:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return {"path": str(path.resolve()), "bytes": path.stat().st_size, "sha256": h.hexdigest()}


@dataclass
class StoredSubjects:
    """A file's subjects as recorded in the store (`node in subjects`, as `files_of` asks)."""

    store: ox.Store
    file: ox.NamedNode

    def __contains__(self, node: Any) -> bool:
        return ox.Quad(node, STATED_IN, self.file, SUBJECTS) in self.store


def _subject_quads(files: dict[Path, Any]) -> Iterable[ox.Quad]:
    for path, subjects in files.items():
        iri = ox.NamedNode(Path(path).resolve().as_uri())
        for node in subjects:
            yield ox.Quad(node, STATED_IN, iri, SUBJECTS)


def create(folder: Path, files: Sequence[Path], *, bundled: bool = True) -> dict[str, Any]:
    """Load the ontology, the bundled data (unless `bundled=False`) and `files` into a new
    store folder; written beside it and renamed into place, so a failed load leaves none."""
    from govkg.load import load_graph

    folder = Path(folder)
    if folder.exists():
        raise BadInput(f"{folder}: already exists (a store is created once; add with `db add`)")
    partial = folder.with_name(f".{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        kg = load_graph(files, ontology=True, data=bundled or not files, queries_only=True)
        store = ox.Store(str(partial / STORE))
        store.bulk_extend(kg.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        store.bulk_extend(_subject_quads(kg.file_subjects))
        _list_targets(store)
        store.flush()
        retyped = kg.retyped()
        meta = {
            "format": FORMAT,
            "govkg": __version__,
            "bundle": bundle_digest(),
            "files": [_file_record(p) for p in kg.files],
            "retyped": None if retyped is None else sorted(retyped),
            "triples": len(kg.store),
        }
        del store
        _write_meta(partial, meta)
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return meta


def _list_targets(store: ox.Store) -> None:
    """The SPARQL targets' members, computed again over the whole store (once per change
    of the store, not per validation)."""
    from govkg.shacl.compile import TARGET_OF
    from govkg.shacl.incremental import target_members
    from govkg.shacl.shapes import load_shapes

    of = ox.NamedNode(TARGET_OF)
    store.remove_graph(TARGETS)
    members = list(target_members(store, load_shapes(None)))
    store.extend(ox.Quad(shape, of, node, TARGETS) for node, shape in members)


def _write_meta(folder: Path, meta: dict[str, Any]) -> None:
    tmp = folder / (META + ".tmp")
    tmp.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, folder / META)


def read_meta(folder: Path) -> dict[str, Any]:
    """The store's metadata; a folder that is no store, or one of another version, refused."""
    folder = Path(folder)
    path = folder / META
    if not path.is_file() or not (folder / STORE).is_dir():
        raise BadInput(f"{folder}: not a govkg store (create one with `govkg db create`)")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise BadInput(f"{path}: unreadable store metadata ({err})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise BadInput(f"{folder}: a store of another format; create it again (`govkg db create`)")
    if meta.get("govkg") != __version__ or meta.get("bundle") != bundle_digest():
        raise BadInput(
            f"{folder}: written by govkg {meta.get('govkg')} with other bundled ontology or "
            f"shapes (this is govkg {__version__}); create it again with `govkg db create`"
        )
    return meta


def open_store(folder: Path) -> Any:
    """The store as a `KnowledgeGraph` (queries only), a change a cut-short run left undone."""
    from govkg.load import KnowledgeGraph

    folder = Path(folder)
    meta = read_meta(folder)
    try:
        store = ox.Store(str(folder / STORE))
    except OSError as err:
        raise BadInput(f"{folder}: cannot open the store ({err})") from None
    files = [Path(f["path"]) for f in meta["files"]]
    subjects = {p: StoredSubjects(store, ox.NamedNode(p.as_uri())) for p in files}
    retyped = meta.get("retyped")
    kg = KnowledgeGraph(
        store=store,
        files=files,
        file_subjects=subjects,  # type: ignore[arg-type]
        queries_only=True,
        retyped_unkept=None if retyped is None else set(retyped),
    )
    _undo_pending(folder, kg)
    return kg


def add(folder: Path, files: Sequence[Path]) -> dict[str, Any]:
    """Add files to a store: each parsed in full first (a bad file adds nothing), then added
    in one transaction, then recorded."""
    from govkg.load import load_graph

    folder = Path(folder)
    meta = read_meta(folder)
    known = {f["path"] for f in meta["files"]}
    for f in files:
        if str(Path(f).resolve()) in known:
            raise BadInput(f"{f}: already in the store {folder}")
    kg = open_store(folder)
    new = load_graph(files, ontology=False, data=False, queries_only=True)
    quads = list(new.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    quads += list(_subject_quads(new.file_subjects))
    kg.store.extend(quads)
    _list_targets(kg.store)
    kg.store.flush()
    retyped = new.retyped()
    old = meta.get("retyped")
    meta["retyped"] = None if retyped is None or old is None else sorted(set(old) | retyped)
    meta["files"] += [_file_record(Path(p)) for p in files]
    default = kg.store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    meta["triples"] = sum(1 for _ in default)
    _write_meta(folder, meta)
    return meta


# --- a change applied while validating ------------------------------------------------------


def write_pending(folder: Path, added: Sequence[Any], removed: Sequence[Any]) -> None:
    """Record a change before it is applied: added triples in the default graph, removed ones
    in the graph <urn:govkg:db:removed> (undone by `_undo_pending` if the run stops)."""
    gone = ox.NamedNode("urn:govkg:db:removed")
    quads = [ox.Quad(t.subject, t.predicate, t.object) for t in added]
    quads += [ox.Quad(t.subject, t.predicate, t.object, gone) for t in removed]
    tmp = folder / (PENDING + ".tmp")
    with tmp.open("wb") as out:
        ox.serialize(quads, out, ox.RdfFormat.N_QUADS)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, folder / PENDING)


def clear_pending(folder: Path) -> None:
    (Path(folder) / PENDING).unlink(missing_ok=True)


def _undo_pending(folder: Path, kg: Any) -> None:
    from govkg.shacl.incremental import apply_change

    path = folder / PENDING
    if not path.is_file():
        return
    gone = ox.NamedNode("urn:govkg:db:removed")
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    added = [q.triple for q in quads if q.graph_name != gone]
    removed = [q.triple for q in quads if q.graph_name == gone]
    apply_change(kg, removed, added)
    kg.store.flush()
    clear_pending(folder)


def info(folder: Path) -> dict[str, Any]:
    return read_meta(folder)
