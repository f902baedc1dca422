"""The ontology: header, bilingual documented terms, the MODEL.md contract, alignment axioms,
and the README diagram generated from the axioms."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from govkg import __version__, resources
from govkg.diagram import embedded, mermaid, readme_block
from govkg.load import load_graph
from govkg.namespaces import GK, GKR, ONTOLOGY_IRI, PREFIXES

REPO = Path(__file__).resolve().parents[1]
P = PREFIXES


@pytest.fixture(scope="module")
def onto():
    return load_graph(data=False)


def ask(kg, sparql: str) -> bool:
    return bool(kg.query("".join(f"PREFIX {k}: <{v}>\n" for k, v in P.items()) + sparql))


def select(kg, sparql: str) -> list[tuple[str, ...]]:
    prologue = "".join(f"PREFIX {k}: <{v}>\n" for k, v in P.items())
    return [
        tuple(t.value if t is not None else None for t in row)
        for row in kg.query(prologue + sparql)
    ]


def test_header(onto) -> None:
    o = f"<{ONTOLOGY_IRI}>"
    assert ask(
        onto,
        f"ASK {{ {o} a owl:Ontology ; owl:versionInfo '{__version__}' ;"
        f" owl:versionIRI <{ONTOLOGY_IRI}/{__version__}> }}",
    )
    assert ask(onto, f"ASK {{ {o} dct:license <https://creativecommons.org/licenses/by/4.0/> }}")
    for lang in ("en", "zh"):
        assert ask(
            onto,
            f"ASK {{ {o} dct:title ?t ; dct:description ?d ."
            f" FILTER(LANG(?t) = '{lang}' && LANG(?d) = '{lang}') }}",
        )
    for prop in ("created", "modified"):
        assert ask(onto, f"ASK {{ {o} dct:{prop} '2026-11-26'^^xsd:date }}")


def test_no_owl_imports() -> None:
    for path in resources.ontology_files():
        quads = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        assert not [q for q in quads if q.predicate.value == P["owl"] + "imports"], path


def test_file_prefixes_agree_with_the_one_table() -> None:
    for path in resources.ontology_files():
        for prefix, iri in re.findall(r"@prefix\s+([\w-]*):\s*<([^>]*)>", path.read_text("utf-8")):
            assert PREFIXES.get(prefix) == iri, (path.name, prefix, iri)


def test_every_term_says_where_it_comes_from(onto) -> None:
    rows = select(
        onto,
        f"""SELECT ?t WHERE {{
          VALUES ?k {{ owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty
                      owl:NamedIndividual skos:Concept skos:ConceptScheme }}
          ?t a ?k . FILTER(STRSTARTS(STR(?t), "{GK}") || STRSTARTS(STR(?t), "{GKR}"))
          FILTER NOT EXISTS {{ ?t gk:sourceTerm ?s }}
          FILTER NOT EXISTS {{ ?t rdfs:comment ?c . FILTER(CONTAINS(STR(?c), "Modelling term")) }}
        }}""",
    )
    assert rows == []


def test_model_contract_terms_are_declared(onto) -> None:
    """Every gk: term docs/MODEL.md names exists in the ontology (the shared contract)."""
    text = (REPO / "docs" / "MODEL.md").read_text("utf-8")
    names = set(re.findall(r"\bgk:([A-Za-z][A-Za-z0-9]*)", text)) - {"NationalDataAdministration"}
    assert len(names) > 40
    declared = {
        row[0][len(GK) :]
        for row in select(
            onto, f"SELECT ?t WHERE {{ ?t a ?k . FILTER(STRSTARTS(STR(?t), '{GK}')) }}"
        )
    }
    assert sorted(names - declared) == []


def _schemes() -> list[str]:
    """The concept schemes of ontology/concepts.ttl (docs/MODEL.md's table is made from them)."""
    import rdflib
    from rdflib.namespace import RDF, SKOS

    g = rdflib.Graph().parse(resources.ontology_dir() / "concepts.ttl", format="turtle")
    return sorted(
        str(s)[len(GKR) + len("concept/") :] for s in g.subjects(RDF.type, SKOS.ConceptScheme)
    )


@pytest.mark.parametrize("scheme", _schemes())
def test_concept_schemes_are_complete(onto, scheme: str) -> None:
    """Every concept of a scheme: key = skos:notation, prefLabel zh and en, a definition,
    reachable from a top concept by skos:broader; the scheme has a top concept."""
    base = f"{GKR}concept/{scheme}"
    keys = select(onto, f"SELECT ?c ?n WHERE {{ ?c skos:inScheme <{base}> ; skos:notation ?n }}")
    assert keys and all(c == f"{base}/{n}" for c, n in keys)
    lacking = select(
        onto,
        f"""SELECT ?c WHERE {{ ?c skos:inScheme <{base}> .
          FILTER(NOT EXISTS {{ ?c skos:prefLabel ?zh FILTER(LANG(?zh) = "zh") }}
              || NOT EXISTS {{ ?c skos:prefLabel ?en FILTER(LANG(?en) = "en") }}
              || NOT EXISTS {{ ?c skos:definition ?d }}
              || NOT EXISTS {{ ?c skos:broader* ?top . ?top skos:topConceptOf <{base}> }}) }}""",
    )
    assert lacking == []
    assert ask(onto, f"ASK {{ <{base}> a skos:ConceptScheme ; skos:hasTopConcept ?c }}")


@pytest.mark.parametrize(
    ("sub", "rel", "sup"),
    [
        ("gk:legalStatus", "rdfs:subPropertyOf", "rov:orgType"),
        ("rov:orgType", "rdfs:subPropertyOf", "org:classification"),
        ("gk:managedBy", "rdfs:subPropertyOf", "org:linkedTo"),
        ("gk:plaqueOn", "rdfs:subPropertyOf", "org:linkedTo"),
        ("gk:plaqueOn", "owl:inverseOf", "gk:alsoCarriesNameplateOf"),
        ("gk:directlyUnder", "rdfs:subPropertyOf", "org:subOrganizationOf"),
        ("org:subOrganizationOf", "rdfs:subPropertyOf", "org:transitiveSubOrganizationOf"),
        ("org:subOrganizationOf", "owl:inverseOf", "org:hasSubOrganization"),
        ("org:transitiveSubOrganizationOf", "a", "owl:TransitiveProperty"),
        ("gk:attestedBy", "rdfs:subPropertyOf", "prov:wasDerivedFrom"),
        ("gk:jurisdiction", "rdfs:subPropertyOf", "dct:spatial"),
        ("gk:PublicBody", "rdfs:subClassOf", "org:FormalOrganization"),
        ("gk:PublicBody", "rdfs:subClassOf", "schema:GovernmentOrganization"),
        ("gk:CoordinationMechanism", "rdfs:subClassOf", "org:OrganizationalCollaboration"),
        ("gk:StatedClaim", "rdfs:subClassOf", "qb:Observation"),
        ("gk:Evidence", "rdfs:subClassOf", "oa:Annotation"),
    ],
)
def test_alignment_axioms(onto, sub: str, rel: str, sup: str) -> None:
    assert ask(onto, f"ASK {{ {sub} {rel} {sup} }}")


def test_no_axiom_forbids_two_names_or_two_chairs(onto) -> None:
    """Bodies have two names, Shandong's group two chairs: nothing of ours is functional."""
    assert (
        select(
            onto,
            f"""SELECT ?p WHERE {{
            VALUES ?k {{ owl:FunctionalProperty owl:InverseFunctionalProperty }}
            ?p a ?k . FILTER(STRSTARTS(STR(?p), "{GK}")) }}""",
        )
        == []
    )
    assert not ask(
        onto,
        "ASK { ?x owl:onProperty ?p ; owl:maxCardinality|owl:maxQualifiedCardinality"
        "|owl:cardinality|owl:qualifiedCardinality ?n }",
    )
    assert not ask(onto, "ASK { ?x ?y rov:orgStatus }") and not ask(
        onto, "ASK { ?x rov:orgStatus ?y }"
    )


def test_org_linked_to_has_no_characteristics(onto) -> None:
    """ORG defines org:linkedTo as an arbitrary relationship: not symmetric, not transitive."""
    assert not ask(onto, "ASK { org:linkedTo a ?k . FILTER(?k != owl:ObjectProperty) }")


def test_readme_diagram_is_generated_from_the_ontology(onto) -> None:
    readme = (resources.ontology_dir() / "README.md").read_text("utf-8")
    assert embedded(readme) == readme_block(onto), "run: python -m govkg.diagram --write"


def test_diagram_shows_main_classes_and_reporting_lines(onto) -> None:
    text = mermaid(onto)
    assert text.startswith("classDiagram\n")
    for needle in (
        "PublicBody <|-- DataManagementBody",
        "PublicBody --> PublicBody : managedBy",
        "PublicBody --> PublicBody : plaqueOn",
        "LeadingGroupOffice --> PublicBody : hostedIn",
        "ChairPost --> OfficeHolderPost : heldExOfficioBy",
        "PublicBody --> DataCentre : hasCentre",
    ):
        assert needle in text


def test_one_version_everywhere() -> None:
    """govkg.__version__ is the one home of the version: every header carries the same."""
    import rdflib

    def version_info(path: Path, iri: str) -> set[str]:
        g = rdflib.Graph().parse(path, format="turtle")
        info = rdflib.URIRef("http://www.w3.org/2002/07/owl#versionInfo")
        return {str(o) for o in g.objects(rdflib.URIRef(iri), info)}

    assert version_info(REPO / "ontology" / "govkg.ttl", ONTOLOGY_IRI) == {__version__}
    shapes = REPO / "shapes" / "00-shapes.ttl"
    assert version_info(shapes, "https://w3id.org/govkg/shapes") == {__version__}
    dataset = REPO / "data" / "dataset.ttl"
    assert version_info(dataset, "https://w3id.org/govkg/id/dataset/govkg") == {__version__}
    readme = (REPO / "ontology" / "README.md").read_text(encoding="utf-8")
    assert f"Version {__version__} (`owl:versionIRI <{ONTOLOGY_IRI}/{__version__}>`)" in readme
    citations = re.findall(
        r"govkg knowledge graph (\S+) \(", (REPO / "README.md").read_text(encoding="utf-8")
    )
    assert citations == [__version__], "the README's citation carries another version"
