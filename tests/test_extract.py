"""graph -> tables: the decompiler gives back the bundled sheets, and refuses loss by name."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from govkg import resources
from govkg.cli.main import cli
from govkg.namespaces import GK, GKR, PREFIXES
from govkg.tables.extract import NotExpressible, extract, occurrence, source_rows
from govkg.tables.importer import import_tables
from govkg.tables.read import read_tables
from govkg.tables.roundtrip import compile_back, extract_checked, load, table_files
from govkg.tables.schema import STATEMENTS

OA = PREFIXES["oa"]

DATA = Path(__file__).resolve().parent.parent / "data"
# columns the graph carries (text and claims_dataset live outside the source resource)
GRAPH_COLUMNS = ("id", "kind", "name_zh", "name_en", "part_of", "publisher", "published",
                 "language", "media_type", "sha256", "comment_en")  # fmt: skip


def _source_graph() -> Graph:
    g = Graph()
    g.parse(DATA / "source.ttl")
    return g


def test_sources_sheet_comes_back_from_the_bundled_graph() -> None:
    with (DATA / "tables" / "sources.csv").open(encoding="utf-8", newline="") as fh:
        want = sorted(({c: r[c] for c in GRAPH_COLUMNS} for r in csv.DictReader(fh)),
                      key=lambda r: r["id"])  # fmt: skip
    rows, elsewhere = source_rows(_source_graph())
    got = [{c: r.get(c) for c in GRAPH_COLUMNS} for r in rows]
    assert len(got) >= 3
    assert got == want
    # what the sources sheet leaves is only what a quote's statements hold
    assert elsewhere and {str(p).rsplit("/", 1)[1] for _, p, _ in elsewhere} <= {
        "author", "contributor", "editor"}  # fmt: skip


def test_a_place_is_refused_by_name() -> None:
    g = _source_graph()
    g.parse(DATA / "places.ttl")
    with pytest.raises(NotExpressible, match=r"^place/\S+ \S+ .*: places come from reference"):
        extract(g)


def test_an_unexpressible_triple_is_named() -> None:
    g = _source_graph()
    g.add(
        (URIRef(GKR + "source/bjnews"), URIRef(PREFIXES["schema"] + "foundingDate"), Literal("x"))
    )
    with pytest.raises(NotExpressible, match=r"^source/bjnews: schema:foundingDate cannot"):
        source_rows(g)


def test_a_literal_the_cell_would_not_rebuild_is_named() -> None:
    g = _source_graph()
    article = URIRef(GKR + "source/bjnews-2023-11-23")
    issued = URIRef(PREFIXES["dct"] + "issued")
    (old,) = g.objects(article, issued)
    g.remove((article, issued, old))
    g.add((article, issued, Literal(str(old))))  # the same text, its datatype lost
    with pytest.raises(NotExpressible, match=r"^source/bjnews-2023-11-23: dct:issued .* published"):
        source_rows(g)


# ---------------------------------------------------------------- the whole graph, round trip

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "import"


def _bundled() -> Graph:
    return load(table_files())


@pytest.mark.parametrize("target", ["bundled.xlsx", "bundled"])
def test_bundled_graph_round_trips_through_the_filled_template(
    tmp_path: Path, article_text: str, target: str
) -> None:
    """data/*.ttl built from tables -> `template --bundled` -> `import --alone`: isomorphic."""
    out, ttl = tmp_path / target, tmp_path / "back.ttl"
    runner = CliRunner()
    made = runner.invoke(cli, ["template", "--bundled", "-o", str(out)])
    assert made.exit_code == 0, made.output
    back = runner.invoke(cli, ["import", "--alone", str(out), "-o", str(ttl)])
    assert back.exit_code == 0, back.output
    original, rebuilt = _bundled(), Graph().parse(ttl, format="turtle")
    assert len(original) == len(rebuilt) > 5000
    assert isomorphic(original, rebuilt)
    # every sheet filled, as many rows as the project's own tables
    tables = read_tables(out)
    for sheet in ("sources", "entities", "quotes", "statements", "derivations", "claims"):
        with (DATA / "tables" / f"{sheet}.csv").open(encoding="utf-8", newline="") as fh:
            assert len(tables.rows(sheet)) == sum(1 for _ in csv.DictReader(fh)) > 0, sheet


def test_statements_come_back_in_the_order_of_their_quotes(article_text: str) -> None:
    tables = extract(_bundled(), {"source/bjnews-2023-11-23": article_text})
    rows = [tuple(r.get(c) for c in STATEMENTS.names) for r in tables.rows("statements")]
    with (DATA / "tables" / "statements.csv").open(encoding="utf-8", newline="") as fh:
        want = [tuple(r[c] for c in STATEMENTS.names) for r in csv.DictReader(fh)]
    assert sorted(rows) == sorted(want)
    for quote in {r[0] for r in want}:  # within a quote, the #sN order of the sheet
        assert [r for r in rows if r[0] == quote] == [r for r in want if r[0] == quote]
    # the derivations the tables hold, not those the compiler adds
    with (DATA / "tables" / "derivations.csv").open(encoding="utf-8", newline="") as fh:
        assert sorted(r["id"] for r in csv.DictReader(fh)) == [
            r.get("id") for r in tables.rows("derivations")
        ]


def test_a_repeated_quote_keeps_its_occurrence(tmp_path: Path) -> None:
    """A quote whose words occur twice: the row says 2, and compiles to the same offset."""
    folder, text = tmp_path / "tables", tmp_path / "text.txt"
    shutil.copytree(FIXTURE / "clean", folder)
    words = (FIXTURE / "example-source.txt").read_text(encoding="utf-8") + "\n又:该局为副厅级。\n"
    text.write_text(words, encoding="utf-8")
    _set(folder / "sources.csv", 2, "sha256", hashlib.sha256(words.encode()).hexdigest())
    _set(folder / "quotes.csv", 4, "occurrence", "2")
    g = Graph().parse(data=import_tables(folder, [text], alone=True).turtle, format="turtle")
    tables, alone = extract_checked(g, [text])  # raises unless the sheets compile back to g
    assert alone
    (row,) = [r for r in tables.rows("quotes") if r.get("id") == "example-qh-rank"]
    assert row.get("occurrence") == "2"
    assert (
        words.index("该局为副厅级")
        < words.rindex("该局为副厅级")
        == int(g.value(URIRef(GKR + "evidence/example-qh-rank#position"), URIRef(OA + "start")))
    )
    assert all(r.get("occurrence") == "" for r in tables.rows("quotes") if r is not row)


def test_occurrence_counts_as_locate_does() -> None:
    assert occurrence("aa", "aaa", 1, "x") == 2  # overlapping copies count, as in locate
    with pytest.raises(NotExpressible, match="not in the source's text at oa:start 0"):
        occurrence("ab", "xab", 0, "x")


def test_compile_back_names_triples_lost_and_added(article_text: str) -> None:
    g = _bundled()
    tables = extract(g, {"source/bjnews-2023-11-23": article_text})
    extra = (URIRef(GKR + "org/cn-gs-general-office"), URIRef(GK + "rank"), Literal("x"))
    gone = next(iter(g.triples((URIRef(GKR + "org/cn-gs-general-office"), None, None))))
    g.add(extra)
    g.remove(gone)
    diff = compile_back(g, tables, [resources.article_path()])
    assert diff.lost == [extra]
    assert diff.added == [gone]


def test_a_triple_no_sheet_expresses_is_refused_by_name_with_exit_2(
    tmp_path: Path, article_text: str
) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "<https://w3id.org/govkg/id/org/cn-gs-general-office> "
        '<https://schema.org/foundingDate> "2020" .\n',
        encoding="utf-8",
    )
    out = tmp_path / "t.xlsx"
    args = ["template", "-o", str(out)]
    for f in [*table_files(), extra]:
        args += ["--from", str(f)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "govkg: error: compiling the sheets back loses org/cn-gs-general-office "
        'schema:foundingDate "2020": no column of the entities sheet holds it, and no quote '
        "states it (an rdf:Statement body) nor a derivation derives it"
    ]
    assert not out.exists()
    # a place: refused while extracting, with the reason
    places = CliRunner().invoke(
        cli, ["template", "--from", str(DATA / "places.ttl"), "-o", str(out)]
    )
    assert places.exit_code == 2
    assert "places come from reference/provinces.csv" in places.stderr
    assert not out.exists()


def test_bundled_template_needs_alone_to_import(tmp_path: Path, article_text: str) -> None:
    """Without --alone every id is a duplicate of the bundled graph's (exit 1)."""
    out = tmp_path / "b"
    runner = CliRunner()
    assert runner.invoke(cli, ["template", "--bundled", "-o", str(out)]).exit_code == 0
    result = runner.invoke(cli, ["import", str(out), "-o", str(tmp_path / "x.ttl")])
    assert result.exit_code == 1
    assert "duplicate IRI" in result.stderr


def _set(path: Path, row: int, column: str, value: str) -> None:
    rows = list(csv.reader(path.open(encoding="utf-8")))
    if column not in rows[0]:  # a sheet may leave optional columns out
        rows = [[*r, ""] for r in rows]
        rows[0][-1] = column
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def test_unknowns_keep_the_order_that_names_their_derivations(tmp_path: Path) -> None:
    """Two not-in-source derivations on one body are named …-leftunknown, …-leftunknown-2
    by the order of the unknown column: the extracted row gives the same names back."""
    folder = tmp_path / "tables"
    shutil.copytree(FIXTURE / "clean", folder)
    _set(folder / "entities.csv", 2, "unknown", "org:originalOrganization|gk:directlyUnder")
    text = FIXTURE / "example-source.txt"
    g = Graph().parse(
        data=import_tables(folder, [text], check_shapes=False, alone=True).turtle, format="turtle"
    )
    second = URIRef(GKR + "evidence/org-cn-qh-test-data-bureau-leftunknown-2#s1")
    assert g.value(second, URIRef(PREFIXES["rdf"] + "object")) == URIRef(GK + "directlyUnder")
    tables, _alone = extract_checked(g, [text])
    (row,) = [r for r in tables.rows("entities") if r.get("id") == "org/cn-qh-test-data-bureau"]
    assert row.get("unknown") == "org:originalOrganization|gk:directlyUnder"


def test_import_alone_still_validates_against_the_shapes(tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    shutil.copytree(FIXTURE / "clean", folder)
    path = folder / "statements.csv"
    kept = [r for r in csv.reader(path.open(encoding="utf-8")) if "gk:managedBy" not in r]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(kept)
    out = tmp_path / "x.ttl"
    text = str(FIXTURE / "example-source.txt")
    result = CliRunner().invoke(
        cli, ["import", "--alone", str(folder), "--source", text, "-o", str(out)]
    )
    assert result.exit_code == 1
    assert "entities.csv:2:id: S53" in result.stderr and "gk:managedBy" in result.stderr
    assert not out.exists()


def test_a_triple_the_importer_would_add_is_refused_by_name(
    tmp_path: Path, article_text: str
) -> None:
    """A graph lacking what the rows compile to (an attestedBy link) is no round trip either."""
    g = _bundled()
    body = URIRef(GKR + "org/cn-fj-big-data-bureau")
    link = (
        body,
        URIRef(GK + "attestedBy"),
        URIRef(GKR + "evidence/cn-fj-big-data-bureau-managed-by-drc"),
    )
    assert link in g
    g.remove(link)
    path = tmp_path / "less.nt"
    g.serialize(path, format="nt", encoding="utf-8")
    out = tmp_path / "t"
    result = CliRunner().invoke(cli, ["template", "--from", str(path), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "govkg: error: compiling the sheets back adds org/cn-fj-big-data-bureau gk:attestedBy "
        "evidence/cn-fj-big-data-bureau-managed-by-drc: the importer makes it from the "
        "entities rows, but the graph lacks it"
    )
    assert not out.exists()


def test_an_import_that_extends_the_bundled_graph_round_trips(
    tmp_path: Path, article_text: str
) -> None:
    """`govkg import` output (ids new, a fact about a bundled body) -> template -> import."""
    folder = tmp_path / "tables"
    shutil.copytree(FIXTURE / "clean", folder)
    with (folder / "statements.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(
            ["example-qh-rank", "org/cn-fj-big-data-bureau", "rdfs:comment", "test only", "en", ""]
        )
    # the naming rule: the quote names the bundled body only through its comment's mapping,
    # checked against the bundled graph's names of it
    quotes = list(csv.reader((folder / "quotes.csv").open(encoding="utf-8")))
    quotes[3][-1] = "该局 = 青海省测试数据局; 该局 = 福建省大数据局 (test only)."
    with (folder / "quotes.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(quotes)
    text = FIXTURE / "example-source.txt"
    first = tmp_path / "first.ttl"
    first.write_text(import_tables(folder, [text], check_shapes=False).turtle, encoding="utf-8")
    out, again = tmp_path / "t", tmp_path / "again.ttl"
    runner = CliRunner()
    made = runner.invoke(
        cli, ["template", "--from", str(first), "--source", str(text), "-o", str(out)]
    )
    assert made.exit_code == 0, made.output
    assert "with govkg import (it extends the bundled graph)" in made.stderr
    ids = [r.get("id") for r in read_tables(out).rows("entities")]
    assert "org/cn-fj-big-data-bureau" not in ids and len(ids) == 3  # no row for a bundled body
    back = runner.invoke(cli, ["import", str(out), "--source", str(text), "-o", str(again)])
    assert back.exit_code == 0, back.output
    assert isomorphic(Graph().parse(first), Graph().parse(again))
