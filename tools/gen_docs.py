"""Generate the documentation tables from what they describe, instead of keeping copies.

    .venv/bin/python tools/gen_docs.py --write   # rewrite the generated blocks
    .venv/bin/python tools/gen_docs.py --check   # exit 1 naming each stale file (tests run it)

Blocks (between `<!-- generated:NAME ... -->` and `<!-- /generated:NAME -->`):
  README.md          commands  the command table, from the click commands (usage, help, options)
  README.md          queries   the canned-query table, from the catalogue (queries/*.rq headers)
  README.md          citation  the citation line, from govkg.__version__ and data/dataset.ttl
  shapes/README.md   shapes    the shape table, from the shapes (ID, file, severity, sh:name)
  docs/MODEL.md      classes   the class table, from the ontology (super-classes, zh label)
  docs/MODEL.md      properties the property table, from the ontology (domain, range, zh label)
  docs/MODEL.md      concepts  the concept schemes and their concepts, from ontology/concepts.ttl
  ontology/README.md version   the version line, from govkg.__version__
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _block(name: str, body: str) -> str:
    return (
        f"<!-- generated:{name} (tools/gen_docs.py --write; do not edit) -->\n"
        f"{body.rstrip()}\n<!-- /generated:{name} -->"
    )


def _cell(text: str) -> str:
    """Text for a Markdown table cell: one line, pipes escaped (also inside code spans)."""
    return " ".join(text.split()).replace("|", "\\|")


def commands_table() -> str:
    """Every `govkg` command: its usage, its own help's first paragraph, every option (with
    its choices), read from the click commands themselves."""
    import click

    from govkg.cli.main import cli

    ctx = click.Context(cli, info_name="govkg")
    rows = ["| command | what it does | options |", "|---|---|---|"]

    def row(command: click.Command, names: list[str], parent: click.Context) -> None:
        if isinstance(command, click.Group):  # a group: a row for each of its commands
            group = click.Context(command, info_name=names[-1], parent=parent)
            for sub_name in command.list_commands(group):
                sub_command = command.get_command(group, sub_name)
                assert sub_command is not None
                row(sub_command, [*names, sub_name], group)
            return
        sub = click.Context(command, info_name=names[-1], parent=parent)
        pieces = [p for p in command.collect_usage_pieces(sub) if p != "[OPTIONS]"]
        usage = " ".join(["govkg", *names, *pieces]).replace("]...", "…]").replace("...", "…")
        options = []
        for param in command.params:
            if not isinstance(param, click.Option) or param.hidden:
                continue
            spelled = "/".join(param.opts)
            if isinstance(param.type, click.Choice):
                spelled += " " + "|".join(str(c) for c in param.type.choices)
            elif not param.is_flag:
                named = isinstance(param.type, click.Path | click.File) or param.metavar
                meta = param.make_metavar(sub) if named else str(param.name).upper()
                spelled += f" {meta.replace('_', '-')}"
            options.append(f"`{spelled}`")
        does = command.get_short_help_str(limit=1000)
        rows.append(f"| `{_cell(usage)}` | {_cell(does)} | {_cell(', '.join(options))} |")

    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None
        row(command, [name], ctx)
    return "\n".join(rows)


def citation() -> str:
    """How to cite the data: the version from govkg.__version__, the year it was issued."""
    import rdflib

    from govkg import __version__, resources

    g = rdflib.Graph().parse(resources.data_dir() / "dataset.ttl", format="turtle")
    issued = rdflib.URIRef("http://purl.org/dc/terms/issued")
    dataset = rdflib.URIRef("https://w3id.org/govkg/id/dataset/govkg")
    year = str(g.value(dataset, issued))[:4]
    return (
        f"Cite the data as: *govkg contributors, govkg knowledge graph {__version__} ({year}), "
        "built from the article above, CC BY 4.0.*"
    )


def queries_table() -> str:
    from govkg.catalogue import catalogue

    rows = ["| query | answers | 回答 |", "|---|---|---|"]
    for q in catalogue():
        params = "".join(f" `{p.name}=…`" for p in q.params if p.required)
        rows.append(f"| `{q.name}`{params} | {q.title_en} | {q.title_zh} |")
    return "\n".join(rows)


def shapes_table() -> str:
    import rdflib
    from rdflib.namespace import SH

    rows = [
        "| ID | shape | file | severity | checks (en) | 检查内容 (zh) |",
        "|---|---|---|---|---|---|",
    ]
    found = []
    for path in sorted((REPO / "shapes").glob("*.ttl")):
        g = rdflib.Graph().parse(path, format="turtle")
        for shape in set(g.subjects(SH.severity, None)):
            local = str(shape).rsplit("#", 1)[-1]
            m = re.match(r"(S\d{2})-", local)
            if not m:
                continue
            names = {o.language: str(o) for o in g.objects(shape, SH.name)}
            sev = str(g.value(shape, SH.severity)).rsplit("#", 1)[-1]
            found.append(
                (m.group(1), local, path.name, sev, names.get("en", ""), names.get("zh", ""))
            )
    for sid, local, file, sev, en, zh in sorted(found):
        rows.append(f"| {sid} | `{local}` | {file} | {sev} | {en} | {zh} |")
    return "\n".join(rows)


def _ontology() -> tuple[object, list[str]]:
    import rdflib

    path = REPO / "ontology" / "govkg.ttl"
    g = rdflib.Graph().parse(path, format="turtle")
    order = re.findall(r"^gk:([A-Za-z][A-Za-z0-9]*) a ", path.read_text(encoding="utf-8"), re.M)
    return g, order


def _curie(iri: object) -> str:
    from govkg.namespaces import curie

    return f"`{curie(str(iri))}`"


def _zh(g: object, term: object) -> str:
    from rdflib.namespace import SKOS

    return next((str(o) for o in g.objects(term, SKOS.prefLabel) if o.language == "zh"), "")


def classes_table() -> str:
    from rdflib import OWL, RDF, RDFS, URIRef

    from govkg.namespaces import GK

    g, order = _ontology()
    rows = ["| term | super (alignment) | zh |", "|---|---|---|"]
    for local in order:
        term = URIRef(GK + local)
        if (term, RDF.type, OWL.Class) not in g:
            continue
        supers = sorted(
            _curie(o) for o in g.objects(term, RDFS.subClassOf) if isinstance(o, URIRef)
        )
        rows.append(f"| `gk:{local}` | {', '.join(supers)} | {_zh(g, term)} |")
    return "\n".join(rows)


def properties_table() -> str:
    from rdflib import OWL, RDF, RDFS, URIRef

    from govkg.namespaces import GK

    g, order = _ontology()
    kinds = {OWL.ObjectProperty: "object", OWL.DatatypeProperty: "datatype",
             OWL.AnnotationProperty: "annotation"}  # fmt: skip
    rows = ["| term | kind | domain → range | super | zh |", "|---|---|---|---|---|"]
    for local in order:
        term = URIRef(GK + local)
        kind = next((k for t, k in kinds.items() if (term, RDF.type, t) in g), None)
        if kind is None:
            continue
        dom = ", ".join(sorted(_curie(o) for o in g.objects(term, RDFS.domain))) or "any"
        rng = ", ".join(sorted(_curie(o) for o in g.objects(term, RDFS.range))) or "any"
        sup = ", ".join(sorted(_curie(o) for o in g.objects(term, RDFS.subPropertyOf)))
        rows.append(f"| `gk:{local}` | {kind} | {dom} → {rng} | {sup} | {_zh(g, term)} |")
    return "\n".join(rows)


def concepts_table() -> str:
    import rdflib
    from rdflib.namespace import RDF, SKOS

    from govkg.namespaces import GKR

    path = REPO / "ontology" / "concepts.ttl"
    g = rdflib.Graph().parse(path, format="turtle")
    text = path.read_text(encoding="utf-8")
    base = GKR + "concept/"

    def first(term: object) -> int:  # the order of the file, as its authors wrote it
        return text.find(f"<{term}> a ")

    def label(term: object, lang: str) -> str:
        return next((str(o) for o in g.objects(term, SKOS.prefLabel) if o.language == lang), "")

    rows = ["| scheme | concept | en | zh |", "|---|---|---|---|"]
    for scheme in sorted(g.subjects(RDF.type, SKOS.ConceptScheme), key=first):
        name = str(scheme)[len(base) :]
        for concept in sorted(g.subjects(SKOS.inScheme, scheme), key=first):
            key = str(concept)[len(str(scheme)) + 1 :]
            rows.append(f"| `{name}` | `{key}` | {label(concept, 'en')} | {label(concept, 'zh')} |")
    return "\n".join(rows)


def version_line() -> str:
    from govkg import __version__
    from govkg.namespaces import ONTOLOGY_IRI

    return f"Version {__version__} (`owl:versionIRI <{ONTOLOGY_IRI}/{__version__}>`), CC BY 4.0."


def store_differences() -> str:
    """The README's table of where Virtuoso differs, from queries/stores.toml."""
    from govkg.catalogue import catalogue
    from govkg.remote.differences import differences

    rows = [f"| canned query | what {differences('virtuoso')[0].store} does |", "|---|---|"]
    touched: set[str] = set()
    for d in differences("virtuoso"):
        names = ", ".join(
            f"`{q.split('@')[0]}` ({q.split('@')[1]} labels)" if "@" in q else f"`{q}`"
            for q in d.queries
        )
        note = "; the minimal case is tested on its own" if d.minimal else ""
        rows.append(f"| {names} | {d.does}{note} |")
        touched |= {q for q in d.queries if "@" not in q}
    same = [f"`{q.name}`" for q in catalogue() if q.name not in touched]
    return "\n".join(rows) + (
        f"\n\nThe other canned queries ({', '.join(same)}) give the embedded engine's rows on "
        "Virtuoso, in both languages unless the table names one; on the Oxigraph server all "
        f"{len(catalogue())} do."
    )


BLOCKS: dict[str, list[tuple[str, Callable[[], str]]]] = {
    "README.md": [
        ("commands", commands_table),
        ("queries", queries_table),
        ("store-differences", store_differences),
        ("citation", citation),
    ],
    "shapes/README.md": [("shapes", shapes_table)],
    "docs/MODEL.md": [
        ("classes", classes_table),
        ("properties", properties_table),
        ("concepts", concepts_table),
    ],
    "ontology/README.md": [("version", version_line)],
}


def render(path: str) -> str:
    """The file with every generated block it holds refreshed."""
    text = (REPO / path).read_text(encoding="utf-8")
    for name, make in BLOCKS[path]:
        pattern = re.compile(rf"<!-- generated:{name} .*?-->\n.*?<!-- /generated:{name} -->", re.S)
        if not pattern.search(text):
            raise SystemExit(f"{path}: no generated:{name} block")
        text = pattern.sub(lambda _m, make=make, name=name: _block(name, make()), text)
    return text


def stale() -> list[str]:
    return [p for p in BLOCKS if render(p) != (REPO / p).read_text(encoding="utf-8")]


def main(argv: list[str]) -> int:
    if argv[1:] == ["--write"]:
        for path in BLOCKS:
            text = render(path)
            if text != (REPO / path).read_text(encoding="utf-8"):
                (REPO / path).write_text(text, encoding="utf-8")
                print(f"updated {path}")
        return 0
    if argv[1:] == ["--check"]:
        bad = stale()
        for path in bad:
            print(f"{path}: generated tables are stale: run tools/gen_docs.py --write")
        return 1 if bad else 0
    print(__doc__.strip().splitlines()[2], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
