"""`govkg export`: every format round-trips to an isomorphic graph, bytes are stable,
and writing to a file is atomic."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from govkg.cli.main import cli
from govkg.export import EXPORT_FORMATS, serialize
from govkg.load import KnowledgeGraph

RDFLIB_PARSER = {
    "ttl": "turtle",
    "nt": "nt",
    "nq": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
    "xml": "xml",
}


def _reimport(payload: bytes, fmt: str) -> rdflib.Graph:
    if fmt in {"nq", "trig"}:
        ds = rdflib.Dataset()
        ds.parse(data=payload, format=RDFLIB_PARSER[fmt])
        graph = rdflib.Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
    return rdflib.Graph().parse(data=payload, format=RDFLIB_PARSER[fmt])


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_round_trip_is_isomorphic(kg: KnowledgeGraph, fmt: str) -> None:
    original = kg.rdflib()
    assert len(original) > 0
    again = _reimport(serialize(original, fmt), fmt)
    assert len(again) == len(original)
    assert isomorphic(again, original)


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_same_input_same_bytes(kg: KnowledgeGraph, fmt: str) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["export", "--format", fmt])
    second = runner.invoke(cli, ["export", "--format", fmt])
    assert first.exit_code == 0, first.output
    assert first.stdout_bytes == second.stdout_bytes


def test_turtle_uses_project_prefixes(kg: KnowledgeGraph) -> None:
    text = serialize(kg.rdflib(), "ttl").decode("utf-8")
    assert "@prefix gk: <https://w3id.org/govkg/def#> ." in text
    assert "@prefix org: <http://www.w3.org/ns/org#> ." in text


def test_output_file_written(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    result = CliRunner().invoke(cli, ["export", "-o", str(target)])
    assert result.exit_code == 0, result.output
    graph = rdflib.Graph().parse(target, format="turtle")
    assert len(graph) > 0
    assert not list(tmp_path.glob(".out.ttl.*"))


def test_failed_export_leaves_old_file_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.ttl"
    target.write_text("old content\n", encoding="utf-8")

    def broken(kg, out, fmt="ttl", advance=None):
        out.write(b"@prefix half: <written> .\n")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("govkg.export.export", broken)
    result = CliRunner().invoke(cli, ["export", "-o", str(target)])
    assert result.exit_code != 0
    assert target.read_text(encoding="utf-8") == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl"]


def test_write_interrupted_mid_way_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govkg import output

    target = tmp_path / "out.nt"
    target.write_text("old\n", encoding="utf-8")

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "replace", failing_replace)
    with pytest.raises(Exception, match="No space left"):
        output.write_output(target, b"new content")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nt"]


def test_alone_converts_a_users_file(tmp_path: Path) -> None:
    src = tmp_path / "mine.ttl"
    src.write_text(
        '@prefix ex: <http://example.org/> .\nex:a ex:p "一"@zh , [ ex:q 1 ] .\n', encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["export", str(src), "--alone", "--format", "nt"])
    assert result.exit_code == 0, result.output
    again = rdflib.Graph().parse(data=result.stdout_bytes, format="nt")
    assert isomorphic(again, rdflib.Graph().parse(src, format="turtle"))


def test_alone_without_files_is_usage_error() -> None:
    result = CliRunner().invoke(cli, ["export", "--alone"])
    assert result.exit_code == 2


# ---------------------------------------------------------------- named graphs (issue 11)


def _graphs(payload: bytes, fmt: str) -> dict[str, rdflib.Graph]:
    ds = rdflib.Dataset()
    ds.parse(data=payload, format=RDFLIB_PARSER[fmt])
    out: dict[str, rdflib.Graph] = {}
    for s, p, o, g in ds.quads((None, None, None, None)):
        out.setdefault(str(g), rdflib.Graph()).add((s, p, o))
    return out


@pytest.mark.parametrize("fmt", ["nq", "trig"])
def test_quad_exports_keep_each_part_in_its_named_graph(kg: KnowledgeGraph, fmt: str) -> None:
    from govkg import resources
    from govkg.load import bundled_files, parse_file, to_rdflib
    from govkg.namespaces import graph_iri

    result = CliRunner().invoke(cli, ["export", "--format", fmt, "--shapes"])
    assert result.exit_code == 0, result.output
    graphs = _graphs(result.stdout_bytes, fmt)
    assert set(graphs) == {graph_iri(p) for p in ("ontology", "data", "shapes")}

    def of(files: list[Path]) -> rdflib.Graph:
        return to_rdflib(q.triple for f in files for q in parse_file(f))

    assert isomorphic(graphs[graph_iri("ontology")], of(bundled_files(data=False)))
    assert isomorphic(graphs[graph_iri("data")], of(resources.data_files()))
    assert isomorphic(graphs[graph_iri("shapes")], of(resources.shape_files()))


def test_triple_restated_in_data_stays_in_both_graphs(tmp_path: Path) -> None:
    from govkg.namespaces import GK, graph_iri

    mine = tmp_path / "mine.ttl"
    statement = f"<{GK}PublicBody> a <http://www.w3.org/2002/07/owl#Class> .\n"
    mine.write_text(statement, encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", str(mine), "--format", "nq"])
    assert result.exit_code == 0, result.output
    lines = [
        line
        for line in result.stdout.splitlines()
        if line.startswith(f"<{GK}PublicBody> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ")
        and "owl#Class" in line
    ]
    assert sorted(line.split()[-2] for line in lines) == sorted(
        [f"<{graph_iri('data')}>", f"<{graph_iri('ontology')}>"]
    )


def test_inferred_export_loads_back_losslessly(tmp_path: Path) -> None:
    from govkg.namespaces import graph_iri

    first = tmp_path / "first.trig"
    result = CliRunner().invoke(cli, ["export", "--inferred", "--format", "trig", "-o", str(first)])
    assert result.exit_code == 0, result.output
    graphs = _graphs(first.read_bytes(), "trig")
    assert set(graphs) == {graph_iri(p) for p in ("ontology", "data", "inferred")}
    again = CliRunner().invoke(cli, ["export", str(first), "--alone", "--format", "trig"])
    assert again.exit_code == 0, again.output
    assert again.stdout_bytes == first.read_bytes()  # same graphs, same triples, same bytes
    nq = CliRunner().invoke(cli, ["export", str(first), "--alone", "--format", "nq"])
    back = _graphs(nq.stdout_bytes, "nq")
    assert set(back) == set(graphs)
    for name, graph in graphs.items():
        assert isomorphic(back[name], graph), name


# ---------------------------------------------------------------- inference views (issue 11)

STANDARD_VIEW = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?b a org:FormalOrganization }",
    "SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { ?b a org:FormalOrganization ; dct:spatial ?p }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?b rov:orgType ?s }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?b prov:wasDerivedFrom ?e }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?b org:subOrganizationOf|org:linkedTo ?o }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?p org:role org:Head ; org:heldBy ?h }",
]


def test_inferred_view_answers_like_a_store_holding_the_inferred_export(tmp_path: Path) -> None:
    import pyoxigraph as ox

    from govkg.cli.options import load_files
    from govkg.namespaces import PREFIXES

    exported = CliRunner().invoke(cli, ["export", "--inferred", "--format", "nt"])
    assert exported.exit_code == 0
    other = ox.Store()
    other.load(exported.stdout_bytes, ox.RdfFormat.N_TRIPLES)
    kg = load_files((), False, inferred=True)
    plain = load_files((), False)
    for query in STANDARD_VIEW:
        expected = next(iter(other.query(query, prefixes=PREFIXES)))[0].value
        assert kg.count(query) == int(expected), query
    # (52: the data audit added two nameplate bodies and typed Yunnan's former office a body)
    assert kg.count(STANDARD_VIEW[0]) == 52
    assert plain.count(STANDARD_VIEW[0]) == 0  # the asserted graph alone uses govkg's terms


def test_query_cli_inferred_and_user_files(tmp_path: Path) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?b a org:FormalOrganization }"
    runner = CliRunner()
    assert runner.invoke(cli, ["query", "-", "-f", "csv"], input=query).stdout == "n\n0\n"
    inferred = runner.invoke(cli, ["query", "-", "--inferred", "-f", "csv"], input=query)
    assert inferred.exit_code == 0, inferred.output
    assert inferred.stdout == "n\n52\n"
    mine = tmp_path / "mine.ttl"
    mine.write_text(
        "<http://example.org/b> a <http://www.w3.org/ns/org#FormalOrganization> .\n",
        encoding="utf-8",
    )
    merged = runner.invoke(cli, ["query", "-", str(mine), "--inferred", "-f", "csv"], input=query)
    assert merged.stdout == "n\n53\n"
    alone = runner.invoke(cli, ["query", "-", str(mine), "--alone", "-f", "csv"], input=query)
    assert alone.stdout == "n\n1\n"


def test_info_takes_user_files(tmp_path: Path) -> None:
    import json

    mine = tmp_path / "mine.ttl"
    mine.write_text("<http://example.org/a> <http://example.org/p> 1 .\n", encoding="utf-8")
    runner = CliRunner()
    alone = runner.invoke(cli, ["info", str(mine), "--alone", "--format", "json"])
    assert alone.exit_code == 0, alone.output
    assert json.loads(alone.stdout)["triples"] == 1
    merged = json.loads(runner.invoke(cli, ["info", str(mine), "--format", "json"]).stdout)
    bundled = json.loads(runner.invoke(cli, ["info", "--format", "json"]).stdout)
    assert merged["triples"] == bundled["triples"] + 1


# ---------------------------------------------------------------- RDF/XML and control characters


def test_xml_export_refuses_a_control_character(tmp_path: Path) -> None:
    src = tmp_path / "ctl.nt"
    src.write_text('<http://x/a> <http://x/p> "bell\\u0007here" .\n', encoding="utf-8")
    target = tmp_path / "out.rdf"
    result = CliRunner().invoke(
        cli, ["export", str(src), "--alone", "--format", "xml", "-o", str(target)]
    )
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.count("\n") == 0 and message.startswith("govkg: error: ")
    assert "U+0007" in message and "<http://x/a>" in message and "--format ttl" in message
    assert not target.exists() and list(tmp_path.iterdir()) == [src]
    # the same literal is fine in Turtle, and the XML of a clean graph is well-formed
    assert CliRunner().invoke(cli, ["export", str(src), "--alone"]).exit_code == 0


def test_xml_export_is_well_formed_xml(kg: KnowledgeGraph) -> None:
    import xml.dom.minidom

    result = CliRunner().invoke(cli, ["export", "--format", "xml"])
    assert result.exit_code == 0
    xml.dom.minidom.parseString(result.stdout_bytes)  # a real XML parser: raises if ill-formed


# ---------------------------------------------------------------- output safety (issue 9 item 5/6)


def _govkg(*args: str, **kwargs):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "govkg", *args], stderr=subprocess.PIPE, timeout=120, **kwargs
    )


def test_output_onto_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.ttl"
    real.write_text("old\n", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.ttl"
    link.symlink_to(real.name)
    result = CliRunner().invoke(cli, ["export", "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == real
    assert len(rdflib.Graph().parse(real, format="turtle")) > 0
    assert (real.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.ttl", "real.ttl"]


def test_output_onto_a_device_writes_into_it(tmp_path: Path) -> None:
    import stat

    result = CliRunner().invoke(cli, ["export", "-o", "/dev/null"])
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)
    assert not list(Path("/dev").glob(".null.*"))


def test_output_onto_a_fifo_writes_into_it(tmp_path: Path) -> None:
    import os
    import stat
    import threading

    fifo = tmp_path / "pipe.nt"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = CliRunner().invoke(cli, ["export", "--format", "nt", "-o", str(fifo)])
    reader.join(30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert len(rdflib.Graph().parse(data=got[0], format="nt")) > 0


SLOW_EXPORT = """
import sys, time
import govkg.export

def slow(kg, out, fmt="ttl", advance=None):
    out.write(b"@prefix half: <written> .")
    out.flush()
    print("writing", file=sys.stderr, flush=True)
    time.sleep(60)

govkg.export.export = slow
from govkg.cli.main import main
sys.argv = ["govkg", "export", "-o", sys.argv[1]]
main()
"""


def test_sigterm_during_export_leaves_no_temp_file(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    target = tmp_path / "out.ttl"
    target.write_text("old\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_EXPORT, str(target)],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stderr.readline() == b"writing\n"
        assert len(list(tmp_path.iterdir())) == 2  # the temp file exists while writing
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 143
    finally:
        if proc.poll() is None:
            proc.kill()
    assert b"Traceback" not in proc.stderr.read()
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]


@pytest.mark.parametrize("command", [["export"], ["info"], ["queries"]])
def test_full_disk_on_standard_output_is_one_line(command: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        run = _govkg(*command, stdout=full)
    err = run.stderr.decode()
    assert run.returncode == 2, err
    assert err.startswith("govkg: error: ") and err.count("\n") == 1, err
    assert "No space left on device" in err


def test_broken_pipe_exits_silently() -> None:
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "govkg", "export", "--format", "nt"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout.read(100)
    proc.stdout.close()  # the reader goes away, as `govkg export | head` does
    assert proc.wait(timeout=60) == 141
    assert proc.stderr.read() == b""


def test_reloading_keeps_a_triple_stated_in_two_graphs_in_both(tmp_path: Path) -> None:
    from govkg.namespaces import graph_iri

    both = "<http://x/a> <http://x/p> <http://x/b>"
    src = tmp_path / "two.nq"
    src.write_text(
        f"{both} <{graph_iri('ontology')}> .\n{both} <{graph_iri('data')}> .\n"
        f'<http://x/a> <http://x/q> "1.50"^^<http://www.w3.org/2001/XMLSchema#decimal> '
        f"<{graph_iri('inferred')}> .\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["export", str(src), "--alone", "--format", "nq"])
    assert result.exit_code == 0, result.output
    assert sorted(result.stdout.splitlines()) == sorted(src.read_text().splitlines())
