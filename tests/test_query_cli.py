"""`govkg query` / `govkg queries` in-process: formats, parameters, refusals, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from govkg.cli.main import cli


def run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=input)


def test_queries_lists_titles_in_both_languages() -> None:
    en, zh = run("queries"), run("queries", "--lang", "zh")
    assert en.exit_code == zh.exit_code == 0
    assert "provinces-overview" in en.output and "Provinces at a glance" in en.output
    assert "各省份概览" in zh.output
    assert "entity=" in en.output  # required parameter shown


def test_select_formats() -> None:
    out = {
        f: run("query", "plaques", "-f", f) for f in ("table", "csv", "tsv", "json", "xml", "md")
    }
    assert all(r.exit_code == 0 for r in out.values()), {f: r.output for f, r in out.items()}
    doc = json.loads(out["json"].output)
    assert doc["head"]["vars"] == ["iso", "province", "body", "host", "direction"]
    assert len(doc["results"]["bindings"]) == 6  # 4 plaque bodies + 2 extra nameplates (加挂…牌子)
    assert out["csv"].output.startswith("iso,province,body,host,direction")
    assert out["tsv"].output.startswith("?iso\t?province")
    assert "<sparql" in out["xml"].output
    assert out["md"].output.startswith("| iso | province |")
    assert "plaque-on" in out["table"].output and "CN-BJ" in out["table"].output


def test_lang_switches_labels() -> None:
    zh = run("query", "plaques", "--lang", "zh", "-f", "csv")
    assert zh.exit_code == 0 and "北京经信局" in zh.output


def test_param_as_iri_curie_and_label() -> None:
    for value in ("gkr:place/cn-sd", "https://w3id.org/govkg/id/place/cn-sd", "CN-SD", "山东省"):
        r = run("query", "province-profile", "-p", f"province={value}", "-f", "csv")
        assert r.exit_code == 0, r.output
        assert "Shandong" in r.output, value


def test_param_value_is_never_spliced() -> None:
    hostile = '"} } ; DROP ALL ; SELECT * { ?s ?p ?o'
    r = run("query", "evidence", "-p", f"entity={hostile}", "-f", "csv")
    assert r.exit_code == 0
    assert r.output.strip().splitlines()[1:] == []


def test_missing_and_unknown_param() -> None:
    r = run("query", "evidence")
    assert r.exit_code == 2 and "missing parameter 'entity'" in r.output
    r = run("query", "plaques", "-p", "nope=1")
    assert r.exit_code == 2 and "unknown parameter nope" in r.output
    r = run("query", "plaques", "-p", "noequals")
    assert r.exit_code == 2


def test_unknown_name_suggests() -> None:
    r = run("query", "provinces-overveiw")
    assert r.exit_code == 2 and "Did you mean: provinces-overview" in r.output


def test_syntax_error_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.rq"
    path.write_text("SELECT * WHERE {\n  ?s ?p \n}\n", encoding="utf-8")
    r = run("query", str(path))
    assert r.exit_code == 2
    assert f"{path}:3:" in r.output and "syntax error" in r.output
    r = run("query", "-", input="SELECT ?x WHERE { ?x ?p }")
    assert r.exit_code == 2 and "<stdin>:1:" in r.output


def test_update_service_from_refused() -> None:
    for text, word in (
        ("INSERT DATA { <http://a/b> <http://a/c> <http://a/d> }", "UPDATE"),
        ("DELETE WHERE { ?s ?p ?o }", "UPDATE"),
        ("LOAD <http://example.org/x>", "UPDATE"),
        ("CLEAR ALL", "UPDATE"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", "FROM"),
    ):
        r = run("query", "-", input=text)
        assert r.exit_code == 2, text
        assert word in r.output, r.output


def test_keywords_inside_strings_iris_and_comments_are_fine() -> None:
    text = (
        '# DELETE this comment\nSELECT ?s WHERE { ?s ?p "SERVICE insert" '
        "FILTER(?s != <http://example.org/load>) } LIMIT 1"
    )
    r = run("query", "-", "-f", "csv", input=text)
    assert r.exit_code == 0, r.output


def test_ask_and_construct(tmp_path: Path) -> None:
    r = run(
        "query",
        "-",
        input="ASK { gkr:place/cn-sd gk:iso3166Code ?c }".replace(
            "gkr:place/cn-sd", "<https://w3id.org/govkg/id/place/cn-sd>"
        ),
    )
    assert r.exit_code == 0 and r.output.strip() == "true"
    r = run("query", "-", "-f", "json", input="ASK { <http://example.org/x> ?p ?o }")
    assert json.loads(r.output)["boolean"] is False
    construct = "CONSTRUCT { ?p gk:iso3166Code ?c } WHERE { ?p gk:iso3166Code ?c }"
    for fmt, marker in (
        ("ttl", "@prefix gk:"),
        ("nt", "<https://w3id.org/govkg/def#iso3166Code>"),
        ("jsonld", "@id"),
    ):
        r = run("query", "-", "-f", fmt, input=construct)
        assert r.exit_code == 0 and marker in r.output, fmt
    r = run("query", "-", "-f", "csv", input=construct)
    assert r.exit_code == 2
    out = tmp_path / "codes.ttl"
    r = run("query", "-", "-o", str(out), input=construct)
    assert r.exit_code == 0 and out.read_text(encoding="utf-8").count("iso3166Code") >= 31


def test_timeout() -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    r = run("query", "-", "--timeout", "0.2", input=slow)
    assert r.exit_code == 2 and "longer than 0.2 s" in r.output


def test_header_examples_run() -> None:
    import shlex

    from govkg.catalogue import catalogue

    for q in catalogue():
        for example in q.examples:
            args = shlex.split(example)
            assert args[:2] == ["govkg", "query"], example
            r = run(*args[1:])
            assert r.exit_code == 0, (example, r.output)
