"""The data in data/: evidence everywhere, article names, key facts pinned, claims exact."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from govkg import __version__, resources
from govkg.load import KnowledgeGraph, parse_file
from govkg.namespaces import GKR, GRAPH_PARTS, KINDS, graph_iri, sparql_prologue

P = sparql_prologue()
ORG_CLASS = "?c rdfs:subClassOf* org:Organization . ?x a ?c ."


def rows(kg: KnowledgeGraph, sparql: str) -> list[dict[str, str]]:
    result = kg.query(P + sparql)
    names = [v.value for v in result.variables]
    return [{n: sol[n].value for n in names if sol[n] is not None} for sol in result]


def col(kg: KnowledgeGraph, sparql: str, var: str = "x") -> set[str]:
    return {r[var] for r in rows(kg, sparql) if var in r}


def short(iri: str) -> str:
    return iri.removeprefix(GKR)


# ------------------------------------------------------------------ evidence and names


def test_every_organisation_group_office_post_event_claim_has_evidence(kg: KnowledgeGraph):
    things = col(
        kg,
        f"""SELECT DISTINCT ?x WHERE {{
          {{ {ORG_CLASS} }} UNION
          {{ VALUES ?k {{ gk:CoordinationMechanism gk:LeadingGroupOffice org:Post
                          gk:ChangeEvent gk:StatedClaim gk:ExpertStatement }}
             ?c rdfs:subClassOf* ?k . ?x a ?c . }}
        }}""",
    )
    assert len(things) > 120
    attested = col(kg, "SELECT DISTINCT ?x WHERE { ?x gk:attestedBy ?e . ?e a gk:Evidence }")
    assert sorted(short(t) for t in things - attested) == []


def test_attestations_point_at_annotations_that_mention_the_entity(kg: KnowledgeGraph):
    """An entity is attested by a quote whose reified statements are about it."""
    bad = rows(
        kg,
        """SELECT ?x ?e WHERE {
          ?x gk:attestedBy ?e .
          FILTER NOT EXISTS { ?e oa:hasBody ?b . { ?b rdf:subject ?x } UNION { ?b rdf:object ?x } }
        }""",
    )
    assert bad == []


def test_every_organisation_is_named_in_the_article_or_marked_unnamed(
    kg: KnowledgeGraph, article_text: str
) -> None:
    labels: dict[str, set[str]] = {}
    for r in rows(
        kg,
        f"""SELECT ?x ?l WHERE {{ {ORG_CLASS}
              OPTIONAL {{ ?x skos:prefLabel|skos:altLabel|rdfs:label ?l FILTER(lang(?l) = "zh") }}
        }}""",
    ):
        labels.setdefault(r["x"], set()).update({r["l"]} if "l" in r else set())
    unnamed = col(kg, "SELECT ?x WHERE { ?x gk:leftUnknown skos:prefLabel }")
    has_pref = col(kg, 'SELECT ?x WHERE { ?x skos:prefLabel ?l FILTER(lang(?l) = "zh") }')
    for org, names in labels.items():
        verbatim = {n for n in names if n in article_text}
        if org in unnamed:
            assert org not in has_pref, f"{short(org)} is both named and marked unnamed"
        else:
            assert org in has_pref, f"{short(org)} has no zh prefLabel and is not marked unnamed"
            assert verbatim, f"{short(org)}: no zh label occurs in the article: {names}"
        # even unnamed bodies are labelled with the article's own words
        assert verbatim, f"{short(org)}: labels {names} are not the article's words"


def test_prefLabels_zh_are_the_articles_words(kg: KnowledgeGraph, article_text: str) -> None:
    for r in rows(
        kg,
        """SELECT ?x ?l WHERE { ?x skos:prefLabel ?l FILTER(lang(?l) = "zh")
           FILTER(STRSTARTS(STR(?x), "https://w3id.org/govkg/id/org/")) }""",
    ):
        assert r["l"] in article_text, f"{short(r['x'])}: {r['l']}"


def test_every_resource_has_zh_and_en_labels(kg: KnowledgeGraph) -> None:
    missing = col(
        kg,
        """SELECT DISTINCT ?x WHERE { ?x gk:attestedBy ?e .
             FILTER NOT EXISTS { ?x rdfs:label ?en FILTER(lang(?en) = "en") } }""",
    )
    assert missing == set()


def test_iris_follow_the_minting_rule(kg: KnowledgeGraph) -> None:
    key = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    graphs = {graph_iri(part) for part in GRAPH_PARTS}
    for path in resources.data_files():
        for q in parse_file(path):
            for t in (q.subject, q.object):
                iri = t.value if isinstance(t, ox.NamedNode) else ""
                if not iri.startswith(GKR):
                    continue
                if iri in graphs:  # the named graphs: govkg.namespaces.graph_iri
                    continue
                kind, _, rest = iri[len(GKR) :].partition("/")
                assert kind in KINDS, iri
                parts = rest.split("/")
                if kind == "concept":
                    assert len(parts) in (1, 2) and all(key.match(p) for p in parts), iri
                else:
                    local, _, part = parts[0].partition("#")  # annotation parts: #target, #s1
                    assert len(parts) == 1 and key.match(local), iri
                    assert not part or key.match(part), iri


def test_places_come_from_the_reference_file(kg: KnowledgeGraph) -> None:
    places = rows(
        kg,
        """SELECT ?x ?code ?iso ?wd WHERE { ?x a/rdfs:subClassOf* gk:ProvincialDivision ;
             dct:identifier ?code ; gk:iso3166Code ?iso ; skos:exactMatch ?wd ;
             dct:source <https://w3id.org/govkg/id/source/reference-provinces> }""",
    )
    assert len(places) == 31
    by_iso = {r["iso"]: r for r in places}
    assert by_iso["CN-GS"]["code"] == "620000"
    assert by_iso["CN-GS"]["x"] == GKR + "place/cn-gs"
    assert by_iso["CN-NM"]["wd"] == "http://www.wikidata.org/entity/Q41079"
    kinds = rows(
        kg, "SELECT ?k (COUNT(?x) AS ?n) WHERE { ?x gk:iso3166Code ?i ; a ?k } GROUP BY ?k"
    )
    assert {short(r["k"]).split("#")[-1]: r["n"] for r in kinds} == {
        "Province": "22",
        "AutonomousRegion": "5",
        "Municipality": "4",
    }
    assert col(kg, "SELECT ?x WHERE { ?x a gk:Country }") == {GKR + "place/cn"}


# ------------------------------------------------------------------ key facts pinned


def test_the_four_plaque_bodies_and_their_hosts(kg: KnowledgeGraph) -> None:
    got = {
        (short(r["place"]), r["host"])
        for r in rows(
            kg,
            """SELECT ?place ?host WHERE {
                 ?b gk:legalStatus gkr:concept\\/legal-status\\/plaque-body ;
                    gk:plaqueOn ?h ; gk:jurisdiction ?place .
                 ?h skos:prefLabel ?host FILTER(lang(?host) = "zh") }""",
        )
    }
    assert got == {
        ("place/cn-bj", "北京经信局"),
        ("place/cn-ln", "辽宁省营商局"),
        ("place/cn-gs", "甘肃省政府办公厅"),
        ("place/cn-sn", "陕西省政府办公厅"),
    }
    centres = col(kg, "SELECT ?p WHERE { ?b gk:hasCentre ?c . ?b gk:jurisdiction ?p }", "p")
    assert {short(p) for p in centres} == {"place/cn-ln", "place/cn-gs", "place/cn-sn"}


def test_six_directly_affiliated_bodies_at_full_department_level(kg: KnowledgeGraph) -> None:
    got = rows(
        kg,
        """SELECT ?place ?gov WHERE {
             ?b gk:legalStatus gkr:concept\\/legal-status\\/directly-affiliated-agency ;
                gk:rank gkr:concept\\/rank\\/full-department-level ;
                gk:jurisdiction ?place ; gk:subordinateTo ?gov ; gk:leftUnknown gk:directlyUnder .
             ?gov a gk:PeoplesGovernment ; gk:jurisdiction ?place }""",
    )
    assert {short(r["place"]) for r in got} == {
        f"place/cn-{c}" for c in ("jl", "ah", "sd", "gx", "cq", "gz")
    }
    assert len(got) == 6
    direct = col(kg, "SELECT ?x WHERE { ?x gk:directlyUnder ?y }")
    assert direct == set()  # the article does not say which parent is direct


def test_general_office_manages_zhejiang_guangdong_henan(kg: KnowledgeGraph) -> None:
    got = col(
        kg,
        """SELECT ?p WHERE { ?b gk:managedBy ?go ; gk:jurisdiction ?p .
             ?go a gk:GeneralOffice ; gk:jurisdiction ?p .
             ?b gk:legalStatus gkr:concept\\/legal-status\\/department-administered-agency ;
                gk:rank gkr:concept\\/rank\\/deputy-department-level }""",
        "p",
    )
    assert {short(p) for p in got} == {"place/cn-zj", "place/cn-gd", "place/cn-ha"}
    fj = col(
        kg,
        """SELECT ?x WHERE { ?x gk:managedBy ?drc . ?drc a gk:DevelopmentAndReformCommission .
             ?x skos:prefLabel "福建省大数据局"@zh }""",
    )
    assert len(fj) == 1


def test_leading_group_offices_hosted_in_the_drc(kg: KnowledgeGraph) -> None:
    got = col(
        kg,
        """SELECT ?p WHERE { ?g a gk:DigitalGovernmentLeadingGroup ; gk:hasOffice ?o ;
             gk:jurisdiction ?p . ?o gk:hostedIn ?h . ?h a gk:DevelopmentAndReformCommission }""",
        "p",
    )
    assert {short(p) for p in got} == {f"place/cn-{c}" for c in ("fj", "js", "ln", "yn")}
    in_go = col(
        kg,
        """SELECT ?p WHERE { ?g gk:hasOffice ?o ; gk:jurisdiction ?p .
             ?o gk:hostedIn ?h . ?h a gk:GeneralOffice }""",
        "p",
    )
    assert {short(p) for p in in_go} == {f"place/cn-{c}" for c in ("gs", "hb", "nm", "xz")}
    is_host = col(kg, "SELECT ?p WHERE { ?o gk:officeIsHost ?b . ?b gk:jurisdiction ?p }", "p")
    assert {short(p) for p in is_host} == {
        f"place/cn-{c}" for c in ("ah", "gd", "gx", "ha", "jl", "sd")
    }


def test_digital_government_groups_only_for_named_provinces(kg: KnowledgeGraph) -> None:
    groups = col(
        kg, "SELECT ?p WHERE { ?g a gk:DigitalGovernmentLeadingGroup ; gk:jurisdiction ?p }", "p"
    )
    assert len(groups) == 17  # 26 is the article's claim; 17 provinces are named
    # "通常由省级高层官员领导" (usually led by senior officials) gives no group a chair: only
    # Shandong's two chairs are stated
    chaired = col(
        kg, "SELECT ?g WHERE { ?g a gk:DigitalGovernmentLeadingGroup ; gk:hasChair ?c }", "g"
    )
    assert {short(g) for g in chaired} == {"group/cn-sd-digital-province-leading-group"}


def test_shandong_group_is_co_chaired_by_secretary_and_governor(kg: KnowledgeGraph) -> None:
    got = rows(
        kg,
        """SELECT ?chair ?holder ?in WHERE {
             ?g skos:prefLabel "数字强省建设领导小组"@zh ; a gk:DigitalGovernmentLeadingGroup ;
                gk:jurisdiction gkr:place\\/cn-sd ; gk:hasChair ?chair .
             ?chair gk:heldExOfficioBy ?post . ?post a gk:OfficeHolderPost ;
                rdfs:label ?holder ; org:postIn ?body . ?body a ?in .
             FILTER(lang(?holder) = "zh") FILTER(?in IN (gk:PartyCommittee, gk:PeoplesGovernment))
        }""",
    )
    assert {(r["holder"], r["in"].split("#")[-1]) for r in got} == {
        ("省委书记", "PartyCommittee"),
        ("省长", "PeoplesGovernment"),
    }
    assert len({r["chair"] for r in got}) == 2


def test_hainan_statutory_body(kg: KnowledgeGraph) -> None:
    got = rows(
        kg,
        """SELECT ?gov WHERE { ?b skos:prefLabel "海南省大数据管理局"@zh ;
             gk:legalStatus gkr:concept\\/legal-status\\/statutory-body ; gk:managedBy ?g .
             ?g skos:prefLabel ?gov FILTER(lang(?gov) = "zh") }""",
    )
    assert got == [{"gov": "海南省人民政府"}]


def test_coordination_mechanisms(kg: KnowledgeGraph) -> None:
    def places(cls: str) -> set[str]:
        return {
            short(p)[len("place/cn-") :]
            for p in col(kg, f"SELECT ?p WHERE {{ ?g a {cls} ; gk:jurisdiction ?p }}", "p")
        }

    assert places("gk:BigDataLeadingGroup") == {
        "nm",
        "bj",
        "jx",
        "gd",
        "fj",
        "yn",
        "sx",
        "ln",
        "gz",
    }
    assert places("gk:InformatizationLeadingGroup") == {"sh", "bj", "sc"}
    assert places("gk:JointConference") == {"ah"}


def test_changes(kg: KnowledgeGraph) -> None:
    got = {
        (r["kind"].rsplit("/", 1)[-1], r["to"])
        for r in rows(
            kg,
            """SELECT ?kind ?to WHERE { ?e a gk:ChangeEvent ; gk:changeKind ?kind ;
                 org:resultingOrganization ?b . ?b rdfs:label ?to FILTER(lang(?to) = "zh") }""",
        )
    }
    assert ("renaming", "云南省政务服务管理局") in got
    assert ("renaming", "贵州省大数据发展管理局") in got
    assert ("reorganisation", "辽宁省大数据管理中心") in got
    assert ("reorganisation", "黑龙江省政务大数据中心") in got
    assert ("unveiling", "国家数据局") in got
    years = rows(kg, "SELECT ?e ?y WHERE { ?e gk:year ?y }")
    assert [(short(r["e"]), r["y"]) for r in years] == [
        ("event/cn-ha-big-data-bureau-establishment", "2018")
    ]
    date = rows(kg, "SELECT ?d WHERE { ?e gk:date ?d }")
    assert date == [{"d": "2023-10-25"}]


# ------------------------------------------------------------------ claims

CLAIMS = {
    "provinces-with-dg-leading-group": ("26", "province", "26", "2023-11-10", None),
    "dg-chair-party-secretary": ("6", "province", "6", None, None),
    "dg-chair-governor": ("12", "province", "12", None, None),
    "dg-chair-vice-governor": ("4", "province", "4", None, None),
    "dg-chair-other-or-unstated": ("5", "province", "5", None, None),
    "dg-chair-secretary-or-governor-share": ("70", "percent", "近70%", None, "nearly"),
    "provinces-with-office-information": ("17", "province", "17", None, None),
    "office-in-general-office": ("4", "province", "四", None, None),
    "one-bureau-one-centre-provinces": ("3", "province", "三", None, None),
    "provinces-with-data-body": ("28", "province", "28", "2023-10-31", None),
    "provinces-with-known-legal-status": ("25", "province", "25", None, None),
    "bodies-with-known-legal-status": ("28", "body", "28", None, None),
    "status-public-institution": ("12", "body", "12", None, None),
    "status-directly-affiliated": ("6", "body", "6", None, None),
    "status-department-administered": ("4", "body", "4", None, None),
    "status-plaque": ("4", "body", "4", None, None),
    "directly-affiliated-full-department-level": ("6", "body", "6", None, None),
    "other-provinces-with-big-data-centre": ("10", "province", "10", None, None),
    "provinces-with-coordination-mechanism": ("13", "province", "13", None, None),
    "provinces-with-big-data-leading-group": ("10", "province", "10", None, None),
    "provinces-with-informatization-group": ("3", "province", "3", None, None),
    "bodies-named-for-big-data": ("20", "body", "20", None, None),
    "bodies-named-otherwise": ("8", "province", "8", None, None),
    "public-institution-bureaus": ("12", "body", "12", None, None),
    "public-institution-bureau-share": ("42.86", "percent", "42.86%", None, None),
    "survey-provincial-units": ("87", "provincial-unit", "87", None, None),
    "survey-information-systems": ("767", "information-system", "767", None, None),
    "survey-interconnected-departments": ("11", "department", "11", None, None),
    "survey-independent-networks": ("28", "provincial-unit", "28", None, None),
    "study-divisions": ("1700", "division", "1700多", None, "more-than"),
    "study-divisions-with-data-share": ("0.3333", "fraction", "1/3", None, None),
    "study-divisions-supporting-lists-share": ("20", "percent", "不到20%", None, "less-than"),
}

CLAIM_ROWS = """
SELECT ?claim ?topic ?value ?unit ?text ?asof ?qual ?exact WHERE {
  ?claim a gk:StatedClaim ; qb:dataSet gkr:dataset\\/article-claims ; gk:claimAbout ?topic ;
         gk:statedValue ?value ; gk:unit ?unit ; gk:statedText ?text ; gk:attestedBy ?e .
  ?topic skos:inScheme gkr:concept\\/claim-topic ; skos:prefLabel ?zh , ?en .
  FILTER(lang(?zh) = "zh" && lang(?en) = "en")
  ?e oa:hasTarget/oa:hasSelector/oa:exact ?exact .
  OPTIONAL { ?claim gk:asOf ?asof } OPTIONAL { ?claim gk:qualifier ?qual }
}
"""


def test_every_claim_is_exactly_the_articles(kg: KnowledgeGraph) -> None:
    got = {short(r["topic"]).rsplit("/", 1)[-1]: r for r in rows(kg, CLAIM_ROWS)}
    assert set(got) == set(CLAIMS)
    for key, (value, unit, text, as_of, qualifier) in CLAIMS.items():
        r = got[key]
        assert Decimal(r["value"]) == Decimal(value), key
        assert r["unit"] == f"{GKR}concept/unit/{unit}", key
        assert r["text"] == text, key
        assert r["text"] in r["exact"], f"{key}: stated text not in its quote"
        assert r.get("asof") == as_of, key
        assert (r["qual"].rsplit("/", 1)[-1] if "qual" in r else None) == qualifier, key


def test_non_exhaustive_lists_are_marked(kg: KnowledgeGraph) -> None:
    got = col(kg, "SELECT ?x WHERE { ?x gk:listIsExhaustive false }")
    assert {short(x) for x in got} >= {
        "claim/office-in-general-office",
        "claim/provinces-with-big-data-leading-group",
        "claim/provinces-with-informatization-group",
    }


def test_survey_claims_are_stated_by_the_unnamed_member(kg: KnowledgeGraph) -> None:
    got = col(
        kg,
        """SELECT ?x WHERE { ?x gk:statedBy ?m . ?m a schema:Person ;
             gk:leftUnknown schema:name . FILTER NOT EXISTS { ?m schema:name ?n } }""",
    )
    assert {short(x) for x in got} == {
        f"claim/survey-{k}"
        for k in (
            "provincial-units",
            "information-systems",
            "interconnected-departments",
            "independent-networks",
        )
    } | {"statement/cppcc-member-2022-survey-findings"}


def test_experts_and_their_statements(kg: KnowledgeGraph) -> None:
    got = rows(
        kg,
        """SELECT ?name ?s WHERE { ?s a gk:ExpertStatement ; prov:wasAttributedTo ?p ;
             gk:attestedBy ?e ; rdfs:comment ?c FILTER(lang(?c) = "en")
             ?p schema:name ?name FILTER(lang(?name) = "zh") }""",
    )
    assert {r["name"] for r in got} == {"张克", "江小涓"}


# ------------------------------------------------------------------ the data set


def test_void_triples_counts_the_data_files(kg: KnowledgeGraph) -> None:
    triples = set()
    for path in resources.data_files():
        triples.update(q.triple for q in parse_file(path))
    stated = rows(kg, "SELECT ?n WHERE { gkr:dataset\\/govkg void:triples ?n }")
    assert stated == [{"n": str(len(triples))}]


def test_dataset_description(kg: KnowledgeGraph) -> None:
    got = rows(
        kg,
        """SELECT ?lic ?v ?issued ?src WHERE { gkr:dataset\\/govkg a dcat:Dataset , void:Dataset ;
             dct:license ?lic ; dcat:version ?v ; dct:issued ?issued ; dct:source ?src }""",
    )
    assert got == [
        {
            "lic": "https://creativecommons.org/licenses/by/4.0/",
            "v": __version__,
            "issued": "2026-11-26",
            "src": GKR + "source/bjnews-2023-11-23",
        }
    ]
    vocab = col(kg, "SELECT ?x WHERE { gkr:dataset\\/govkg void:vocabulary ?x }")
    assert "http://www.w3.org/ns/oa#" in vocab and "https://w3id.org/govkg/def" in vocab


def test_named_graphs_of_an_export_are_described_subsets(kg: KnowledgeGraph) -> None:
    """Every graph IRI a TriG export writes resolves to a void:subset of the data set whose
    void:triples (where stated) is the number of triples the export puts in that graph."""
    from govkg.export import serialize
    from govkg.load import load_graph

    full = load_graph(shapes=True)
    quads = list(ox.parse(serialize(full, "nq"), format=ox.RdfFormat.N_QUADS))
    written = {q.graph_name.value for q in quads}
    assert written == {graph_iri(p) for p in ("ontology", "data", "shapes")}
    subsets = col(kg, "SELECT ?x WHERE { gkr:dataset\\/govkg void:subset ?x }")
    assert subsets == {graph_iri(p) for p in GRAPH_PARTS}
    for part in GRAPH_PARTS:
        got = rows(
            kg,
            f"""SELECT ?en ?zh ?n WHERE {{ <{graph_iri(part)}> a void:Dataset ;
                 dct:title ?en , ?zh . FILTER(LANG(?en) = "en" && LANG(?zh) = "zh")
                 OPTIONAL {{ <{graph_iri(part)}> void:triples ?n }} }}""",
        )
        assert len(got) == 1, part
        if part in written:
            n = sum(1 for q in quads if q.graph_name.value == graph_iri(part))
            assert int(got[0]["n"]) == n, part


def test_source_metadata(kg: KnowledgeGraph) -> None:
    got = rows(
        kg,
        """SELECT ?date ?author ?editor WHERE { ?s a gk:SourceArticle ;
             schema:datePublished ?date ; schema:author/schema:name ?author ;
             schema:editor/schema:name ?editor ; schema:isPartOf/schema:name "新京智库"@zh ;
             schema:publisher/schema:name "新京报"@zh .
             FILTER(lang(?author) = "zh" && lang(?editor) = "zh") }""",
    )
    assert got == [{"date": "2023-11-23T17:02:27", "author": "郑伟彬", "editor": "柯锐"}]


# ------------------------------------------------------------------ the build is current


def test_places_file_is_what_the_script_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """data/places.ttl is generated from the vendored reference table."""
    root = Path(__file__).resolve().parents[1]
    monkeypatch.syspath_prepend(str(root / "tools"))
    import build_places
    from ttl import render, used_prefixes

    secs = build_places.build(build_places.DEFAULT_CSV)
    text = render(build_places.HEADER, secs, used_prefixes(secs))
    assert (root / "data" / "places.ttl").read_text(encoding="utf-8") == text


def test_vendored_reference_is_the_shared_one() -> None:
    root = Path(__file__).resolve().parents[1]
    shared = root.parent / "shared" / "reference" / "provinces.csv"
    if not shared.is_file():
        pytest.skip(f"shared reference not found: {shared}")
    vendored = root / "reference" / "provinces.csv"
    assert vendored.read_bytes() == shared.read_bytes()


def test_data_files_are_what_the_tables_give(
    article_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """data/*.ttl is generated from data/tables/: a hand edit or a stale build fails here."""
    root = Path(__file__).resolve().parents[1]
    monkeypatch.syspath_prepend(str(root / "tools"))
    import build_data
    from ttl import render, used_prefixes

    built = build_data.build(build_data.source_texts())
    for name, secs in built.items():
        header = f"govkg data: {build_data.HEADERS[name]}{build_data.COMMON}"
        expected = render(header, secs, used_prefixes(secs))
        actual = (root / "data" / f"{name}.ttl").read_text(encoding="utf-8")
        assert actual == expected, f"data/{name}.ttl is stale: run tools/build_data.py"


# ------------------------------------------------------------------ stated or derived

# predicates that name or describe rather than state a fact; and the plumbing of the model
DESCRIPTIVE = {
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2000/01/rdf-schema#comment",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "https://schema.org/name",
    "https://schema.org/jobTitle",
    "https://schema.org/affiliation",
    GKR.replace("/id/", "/def#") + "attestedBy",
    GKR.replace("/id/", "/def#") + "statedText",
    "http://purl.org/linked-data/cube#dataSet",
}
ENTITY_KINDS = ("org", "group", "office", "post", "event", "person", "statement", "claim")

REIFIED = """
SELECT ?s ?p ?o ?how WHERE {
  { ?e a gk:Evidence ; oa:hasBody ?b . BIND("stated" AS ?how) }
  UNION { ?e a gk:Derivation ; gk:derivedStatement ?b . BIND("derived" AS ?how) }
  ?b rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
}
"""


def test_every_fact_is_stated_by_a_quote_or_marked_derived(kg: KnowledgeGraph) -> None:
    """Each non-label triple about a resource is a quote's statement or a derivation."""
    how: dict[tuple, set[str]] = {}
    for sol in kg.query(P + REIFIED):
        how.setdefault((sol["s"], sol["p"], sol["o"]), set()).add(sol["how"].value)
    facts = []
    for sol in kg.query(
        f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{GKR}')) }}"
    ):
        s, p, o = sol["s"], sol["p"], sol["o"]
        if s.value[len(GKR) :].split("/", 1)[0] not in ENTITY_KINDS or "#" in s.value:
            continue
        if p.value not in DESCRIPTIVE:
            facts.append((s, p, o))
    assert len(facts) > 300
    neither = [f"{short(s.value)} {p.value} {o}" for s, p, o in facts if (s, p, o) not in how]
    assert neither == []
    both = [
        f"{short(s.value)} {p.value}"
        for s, p, o in facts
        if how.get((s, p, o)) == {"stated", "derived"}
    ]
    assert both == []  # a triple is either stated or concluded, never both
    derived = {k for k, v in how.items() if v == {"derived"}}
    assert len(derived) >= 9  # the either/or parents, the combined hosts, the number links


def test_derivations_say_how_and_from_which_quotes(kg: KnowledgeGraph) -> None:
    bad = rows(
        kg,
        """SELECT ?d WHERE { ?d a gk:Derivation .
             FILTER(NOT EXISTS { ?d gk:derivationMethod ?m .
                                 ?m skos:inScheme gkr:concept\\/derivation-method }
                    || NOT EXISTS { ?d prov:wasDerivedFrom ?e . ?e a gk:Evidence }) }""",
    )
    assert bad == []


def test_the_articles_qualifiers_are_statements(kg: KnowledgeGraph) -> None:
    """What lived only in comments is now data a query finds, each with its quote."""
    got = rows(
        kg,
        """SELECT ?x ?p ?o WHERE {
             VALUES ?p { gk:exceptionTo gk:arrangement gk:firstOfItsKind
                         gk:outsideGovernmentSequence gk:integratedDuty gk:alsoCarriesNameplateOf }
             ?x ?p ?o . ?e a gk:Evidence ; oa:hasBody [ rdf:subject ?x ; rdf:predicate ?p ] }""",
    )
    by = {}
    for r in got:
        by.setdefault(r["p"].rsplit("#", 1)[-1], set()).add(short(r["x"]))
    assert by["exceptionTo"] == {"org/cn-bj-big-data-bureau"}
    assert by["arrangement"] == {f"org/cn-{p}-big-data-bureau" for p in ("ln", "gs", "sn")}
    assert by["firstOfItsKind"] == by["outsideGovernmentSequence"] == {"org/cn-hi-big-data-bureau"}
    assert by["integratedDuty"] == {"event/cn-ha-big-data-bureau-establishment"}
    assert by["alsoCarriesNameplateOf"] == {
        "org/cn-ah-data-resources-bureau",
        "org/cn-ha-big-data-bureau",
    }
    unknown_sources = col(kg, "SELECT ?x WHERE { ?x gk:leftUnknown org:originalOrganization }")
    assert {short(x) for x in unknown_sources} == {
        "event/cn-ln-big-data-management-centre-reorganisation",
        "event/cn-hl-government-big-data-centre-reorganisation",
    }
    lists = col(kg, "SELECT ?x WHERE { ?x a gk:Evidence ; gk:listIsExhaustive false }")
    assert len(lists) >= 10
    # nameplates are relations, not bare alternative names
    alt = col(
        kg, 'SELECT ?l WHERE { ?x skos:altLabel ?l FILTER(CONTAINS(?l, "政务服务管理局")) }', "l"
    )
    assert alt == set()


def test_no_untranslated_chinese_in_english_labels(kg: KnowledgeGraph) -> None:
    bad = col(
        kg,
        """SELECT ?l WHERE { ?x rdfs:label|skos:prefLabel|skos:altLabel ?l
             FILTER(lang(?l) = "en" && REGEX(?l, "[\\u3400-\\u9fff]")) }""",
        "l",
    )
    assert bad == set()


def test_claims_say_whether_they_are_totals_and_how_they_relate(kg: KnowledgeGraph) -> None:
    not_total = col(kg, "SELECT ?x WHERE { ?x gk:statedAsTotal false }")
    assert {short(x) for x in not_total} == {"claim/office-in-general-office"}
    parts = rows(
        kg,
        """SELECT ?whole (SUM(?v) AS ?sum) ?stated WHERE { ?c gk:partOf ?w ; gk:statedValue ?v .
             ?w gk:statedValue ?stated . BIND(STRAFTER(STR(?w), "claim/") AS ?whole) }
           GROUP BY ?whole ?stated""",
    )
    gaps = {r["whole"]: (Decimal(r["sum"]), Decimal(r["stated"])) for r in parts}
    # the article's own arithmetic, shown, never fixed
    assert gaps["provinces-with-dg-leading-group"] == (Decimal(27), Decimal(26))
    assert gaps["bodies-with-known-legal-status"] == (Decimal(26), Decimal(28))
    assert gaps["status-public-institution"] == (Decimal(13), Decimal(12))
    shares = rows(
        kg,
        """SELECT ?c (SUM(?n) AS ?num) ?den WHERE { ?c gk:shareNumerator/gk:statedValue ?n ;
             gk:shareDenominator/gk:statedValue ?den } GROUP BY ?c ?den""",
    )
    assert {short(r["c"]): (Decimal(r["num"]), Decimal(r["den"])) for r in shares} == {
        "claim/dg-chair-secretary-or-governor-share": (Decimal(18), Decimal(26)),
        "claim/public-institution-bureau-share": (Decimal(12), Decimal(28)),
    }


# ------------------------------------------------------------------ the naming rule

TABLES = Path(__file__).resolve().parents[1] / "data" / "tables"
SIX_BODIES = {
    "org/cn-gd-government-services-data-bureau": 6,
    "org/cn-ha-big-data-bureau": 5,
    "org/cn-jl-government-services-and-digitalisation-bureau": 5,
    "org/cn-ah-data-resources-bureau": 5,
    "org/cn-gz-big-data-development-bureau": 4,
    "org/cn-fj-big-data-bureau": 3,
}


def _csv(sheet: str, folder: Path = TABLES) -> tuple[list[str], list[dict[str, str]]]:
    import csv

    with (folder / f"{sheet}.csv").open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write_csv(folder: Path, sheet: str, fields: list[str], rows: list[dict[str, str]]) -> None:
    import csv

    with (folder / f"{sheet}.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _compile(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """The problems compile_tables reports for the tables in `folder` ([] when they build)."""
    root = Path(__file__).resolve().parents[1]
    monkeypatch.syspath_prepend(str(root / "tools"))
    import build_data

    from govkg.tables.build import compile_tables
    from govkg.tables.read import TablesInvalid, read_tables
    from govkg.tables.vocab import vocabulary

    vocab = vocabulary(resources.ontology_files(), [root / "data" / "places.ttl"], existing=False)
    try:
        compile_tables(read_tables(folder), vocab, build_data.source_texts())
    except TablesInvalid as err:
        return [(p.sheet, p.row, p.column, p.message) for p in err.problems]
    return []


def _identifications() -> list[dict[str, str]]:
    _, rows = _csv("derivations")
    return [
        r
        for r in rows
        if r["method"] in ("identification", "combination")
        and (r["subject"] in SIX_BODIES or r["object"] in SIX_BODIES)
        and r["predicate"] != "gk:subordinateTo"  # the parents: derivations of another kind
    ]


def test_the_six_bodies_identifications_are_marked_derivations() -> None:
    """28 triples on six bodies rest on a generic noun: each is a derivation with a note."""
    found = _identifications()
    counts = {b: sum(b in (r["subject"], r["object"]) for r in found) for b in SIX_BODIES}
    assert counts == SIX_BODIES
    assert len(found) == 28
    for r in found:
        grounds = r["from"].split("|")
        assert r["comment_en"], r["id"]
        if r["method"] == "identification":
            # the note names the body the quote is taken to mean, by the article's name for it
            _, entities = _csv("entities")
            body = r["subject"] if r["subject"] in SIX_BODIES else r["object"]
            name = next(e["name_zh"] for e in entities if e["id"] == body)
            assert name in r["comment_en"], r["id"]
            assert len(grounds) == 2, r["id"]  # the generic quote and the one naming the body
    henan = [r for r in found if r["method"] == "combination"]
    assert [(r["subject"], r["predicate"], r["object"]) for r in henan] == [
        (
            "office/cn-ha-digital-government-leading-group-office",
            "gk:hostedIn",
            "org/cn-ha-big-data-bureau",
        )
    ]
    assert henan[0]["from"].split("|") == [
        "leading-group-offices-in-government-service-body",
        "leading-group-office-is-big-data-body",
    ]


@pytest.mark.parametrize("derivation", _identifications(), ids=lambda r: r["id"])
def test_an_identification_stated_as_a_quotes_triple_fails_the_build(
    derivation: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each of the 28 reverted to a plain statement of its quote is refused, on its row."""
    import shutil

    folder = tmp_path / "tables"
    shutil.copytree(TABLES, folder)
    fields, rows = _csv("derivations", folder)
    _write_csv(folder, "derivations", fields, [r for r in rows if r["id"] != derivation["id"]])
    fields, rows = _csv("statements", folder)
    cells = {k: derivation[k] for k in ("subject", "predicate", "object", "lang", "datatype")}
    rows.append({"quote": derivation["from"].split("|")[0], **cells})
    _write_csv(folder, "statements", fields, rows)
    problems = _compile(folder, monkeypatch)
    assert len(problems) == 1, problems
    sheet, row, column, message = problems[0]
    assert (sheet, row, column) == ("statements", len(rows) + 1, "quote")
    assert "does not name" in message


def test_the_bundled_tables_build_and_a_comments_mapping_is_what_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without its comment's `相应的大数据中心 = …辽宁省大数据管理中心`, the 一局一中心 quote
    no longer names the Liaoning centre: its two triples fail, the others still pass."""
    import shutil

    assert _compile(TABLES, monkeypatch) == []
    folder = tmp_path / "tables"
    shutil.copytree(TABLES, folder)
    fields, rows = _csv("quotes", folder)
    for r in rows:
        if r["id"] == "one-bureau-one-centre":
            assert "相应的大数据中心 = for Liaoning 辽宁省大数据管理中心" in r["comment_en"]
            r["comment_en"] = r["comment_en"].split("; 相应的大数据中心")[0]
    _write_csv(folder, "quotes", fields, rows)
    problems = _compile(folder, monkeypatch)
    _, statements = _csv("statements")
    failing = [statements[row - 2] for _sheet, row, _col, _msg in problems]
    assert {(r["subject"], r["predicate"]) for r in failing} == {
        ("org/cn-ln-big-data-bureau", "gk:hasCentre"),
        ("org/cn-ln-big-data-management-centre", "gk:legalStatus"),
    }


# ------------------------------------------------------------------ the article's arithmetic


def _claims(kg: KnowledgeGraph) -> dict[str, dict[str, object]]:
    from govkg.query import run_query

    result = run_query(kg, "claims")
    return {row[0]: dict(zip(result.variables, row, strict=True)) for row in result.rows}


def test_coordination_mechanisms_are_ten_plus_three_plus_one_with_beijing_twice(
    kg: KnowledgeGraph, article_text: str
) -> None:
    """全国共有13个省份…: 10 big-data groups + 3 informatization groups + Anhui's joint
    conference (in neither count) - Beijing (in both) = 13; the parts are no partition."""
    for words in (
        "共有13个省份",
        "共有10个省份",
        "共有3个省份",
        "安徽则是建立大数据发展部际联席会议",
    ):
        assert words in article_text
    assert "北京市同时设置上述两个方向的领导小组" in article_text
    row = _claims(kg)["provinces-with-coordination-mechanism"]
    assert row["parts_sum"] == 13 and row["stated"] == 13
    assert row["counted_twice"] == "Beijing Municipality"
    assert row["in_no_part"] == "Anhui Province"
    assert "parts add up" not in str(row["reconciliation"])
    assert row["reconciliation"] == (
        "parts 13 + 1 in no part (in_no_part) - 1 counted twice (counted_twice) = 13, the whole"
    )
    whole = GKR + "claim/provinces-with-coordination-mechanism"
    comments = col(
        kg,
        f"""SELECT ?x WHERE {{ ?d gk:derivedStatement [ rdf:predicate gk:partOf ;
                                                       rdf:object <{whole}> ] ;
                               rdfs:comment ?x }}""",
    )
    assert len(comments) == 1 and "not a partition" in comments.pop()
    note = col(kg, f"SELECT ?x WHERE {{ <{whole}> rdfs:comment ?x }}")
    assert any("10 + 3 + 1 - 1 = 13" in n for n in note)


def test_the_other_reconciliation_notes(kg: KnowledgeGraph) -> None:
    """Shandong's two chairs are the chairs row's +1; Hainan's statutory body is in the
    legal-status gap; 近70% beside 69.23% and 65.38%; the three 一局一中心 provinces named."""
    claims = _claims(kg)
    chairs = claims["provinces-with-dg-leading-group"]
    assert chairs["parts_gap"] == 1 and chairs["counted_twice"] == "Shandong Province"
    assert chairs["reconciliation"] == "parts 27 - 1 counted twice (counted_twice) = 26, the whole"
    status = claims["bodies-with-known-legal-status"]
    assert status["in_no_part"] == "Hainan Big Data Administration Bureau"
    assert status["reconciliation"] == (
        "parts 26 + 1 in no part (in_no_part) = 27, 1 not accounted for"
    )
    share = claims["dg-chair-secretary-or-governor-share"]
    assert (share["stated_text"], share["figures_share"], share["distinct_share"]) == (
        "近70%",
        Decimal("69.23"),
        Decimal("65.38"),
    )
    assert claims["public-institution-bureau-share"]["distinct_share"] is None
    centres = claims["one-bureau-one-centre-provinces"]
    assert centres["enumerated"] == 3
    assert centres["members"] == "Gansu Province | Liaoning Province | Shaanxi Province"


def test_the_reorganised_centres_came_from_public_institutions(kg: KnowledgeGraph) -> None:
    """由其下多家省直事业单位重新组建: gk:fromStatus public institution, stated by that quote."""
    got = rows(
        kg,
        """SELECT ?x ?q WHERE {
             ?x gk:fromStatus <https://w3id.org/govkg/id/concept/legal-status/public-institution> ;
                gk:changeKind <https://w3id.org/govkg/id/concept/change-kind/reorganisation> .
             ?e a gk:Evidence ; oa:hasBody [ rdf:subject ?x ; rdf:predicate gk:fromStatus ] ;
                oa:hasTarget/oa:hasSelector/oa:exact ?q }""",
    )
    assert {short(r["x"]) for r in got} == {
        "event/cn-ln-big-data-management-centre-reorganisation",
        "event/cn-hl-government-big-data-centre-reorganisation",
    }
    assert all("由其下多家省直事业单位重新组建" in r["q"] for r in got)


def test_smaller_wording_follows_the_article(kg: KnowledgeGraph) -> None:
    """The source's English label; definitions that say only what the article says; Fujian's
    department-administered bureau managed by (not contained in) its DRC."""
    source = GKR + "source/bjnews-2023-11-23"
    labels = rows(kg, f"SELECT ?l (LANG(?l) AS ?lang) WHERE {{ <{source}> rdfs:label ?l }}")
    assert {r["lang"] for r in labels} == {"zh", "en"}

    def definition(iri: str) -> str:
        (text,) = col(
            kg, f'SELECT ?d WHERE {{ <{iri}> skos:definition ?d FILTER(LANG(?d) = "en") }}', "d"
        )
        return text

    assert "standing office" not in definition(GKR.replace("/id/", "/def#") + "LeadingGroup")
    unveiling = definition(GKR + "concept/change-kind/unveiling")
    assert "新阶段" in unveiling and "start of its work" not in unveiling
    identification = definition(GKR + "concept/derivation-method/identification")
    assert "28 bodies in 25 provinces" in identification
    fj, drc = GKR + "org/cn-fj-big-data-bureau", GKR + "org/cn-fj-development-and-reform-commission"
    assert kg.query(P + f"ASK {{ <{fj}> gk:managedBy <{drc}> }}")
    assert not kg.query(P + f"ASK {{ <{fj}> gk:subordinateTo ?x }}")


def test_the_other_ten_centres_qualifier_is_quoted_triples(kg: KnowledgeGraph) -> None:
    """另有10个省份设置有相应的大数据中心 … 这些机构同样均为事业单位,主要隶属于各省政府办公厅、
    发改委等机构: triples on the claim, stated by that quote, the list marked not exhaustive."""
    claim = GKR + "claim/other-provinces-with-big-data-centre"
    got = rows(
        kg,
        f"""SELECT ?p ?o ?q ?all WHERE {{
              <{claim}> ?p ?o . VALUES ?p {{ gk:casesLegalStatus gk:casesMainlyUnder }}
              ?e a gk:Evidence ; gk:listIsExhaustive ?all ;
                 oa:hasBody [ rdf:subject <{claim}> ; rdf:predicate ?p ; rdf:object ?o ] ;
                 oa:hasTarget/oa:hasSelector/oa:exact ?q }}""",
    )
    assert {(r["p"].rsplit("#", 1)[1], r["o"]) for r in got} == {
        ("casesLegalStatus", GKR + "concept/legal-status/public-institution"),
        ("casesMainlyUnder", "各省政府办公厅"),
        ("casesMainlyUnder", "发改委"),
    }
    assert {r["q"] for r in got} == {
        "这些机构同样均为事业单位,主要隶属于各省政府办公厅、发改委等机构"
    }
    assert {r["all"] for r in got} == {"false"}
