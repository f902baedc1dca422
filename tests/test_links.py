"""Links that cannot run script, and the Content-Security-Policy of every page.

`link_target` is the one place that decides whether an IRI may be an `href`; these tests
pin it on the classic vectors, fuzz it (a scheme it lets through is one of three), and
check every page kind renders a hostile IRI as text. test_browser.py compares it with
Chromium's own URL parser and clicks the results.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from importlib import resources as importlib_resources
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govkg.load import KnowledgeGraph, load_graph
from govkg.namespaces import GKR
from govkg.web.app import App
from govkg.web.links import LINK_SCHEMES, Linker, link_target
from govkg.web.messages import (
    CONTENT_SECURITY_POLICY,
    CSP_DIRECTIVES,
    META_CSP,
    YASGUI_STYLE_HASHES,
    Request,
)
from govkg.web.orgchart import Node, OrgChart, svg
from govkg.web.publish import htaccess

HOSTILE_TTL = Path(__file__).parent / "fixtures" / "hostile-links.ttl"
HOSTILE = (
    "javascript:alert(4)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==",
    "vbscript:msgbox(6)",
)
BUREAU = GKR + "org/cn-gs-big-data-bureau"
GANSU = GKR + "place/cn-gs"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "\x01javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "blob:http://x/1",
        "urn:isbn:123",
        "filesystem:http://x/y",
        "http://[bad",
    ],
)
def test_script_and_other_schemes_are_not_links(url: str) -> None:
    assert link_target(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/x",
        "HTTPS://example.org/x",
        "mailto:someone@example.org",
        "/id/org/x",
        "../place/cn-gs.html#orgchart",
        "x.html",
    ],
)
def test_web_and_mail_links_and_own_paths_are_links(url: str) -> None:
    assert link_target(url) == url


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from([*"javscriptdhomlJAVS:/.%\t\n\x00\x01 ", "\xa0"]),
        max_size=16,
    )
    | st.text(max_size=16)
)
def test_a_link_has_no_scheme_or_one_of_three(text: str) -> None:
    """Fuzzed: whatever `link_target` lets through parses (by the same WHATWG rules the
    browser uses: C0 and spaces stripped at the ends, tabs and newlines dropped) to no
    scheme or http/https/mailto."""
    url = link_target(text)
    if url is None:
        return
    cleaned = re.sub(r"[\t\n\r]", "", text).strip("".join(map(chr, range(0x21))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", cleaned)
    assert match is None or match.group(1).lower() in LINK_SCHEMES, text


def test_linker_shows_hostile_iris_as_text_live_and_static() -> None:
    for static in (False, True):
        links = Linker(static, "/id/org/x")
        for iri in HOSTILE:
            assert links.href(iri) is None
        assert links.href("https://example.org/a") == "https://example.org/a"
        # a local IRI whose static file name would start with a scheme is not a link there
        assert links.href(GKR + "javascript:alert(1)") in (
            "/id/javascript:alert(1)",
            "https://w3id.org/govkg/id/javascript:alert(1)",
        )
    assert Linker(True, "/id/org/x").href(GKR + "org/y.z") == "y.z.html"


def test_org_chart_node_with_a_script_iri_is_a_box_not_a_link() -> None:
    nodes = {
        "javascript:alert(4)": Node("javascript:alert(4)", "data", {"en": "evil"}),
        BUREAU: Node(BUREAU, "body", {"en": "bureau"}),
    }
    chart = OrgChart(GANSU, nodes, [("javascript:alert(4)", "managedBy", BUREAU)])
    drawn = svg(chart, Linker().href)
    hrefs = re.findall(r'href="([^"]*)"', drawn)
    assert hrefs == ["/id/org/cn-gs-big-data-bureau"]
    assert '<g class="node data">' in drawn and "evil" in drawn


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.scripts_inline = 0
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("href", "xlink:href", "src", "action", "formaction"):
            if a.get(name) is not None:
                self.hrefs.append(a[name] or "")
        self.handlers += [n for n, _ in attrs if n.startswith("on")]
        if tag == "script" and "src" not in a:
            self.scripts_inline += 1


@pytest.fixture(scope="module")
def hostile_app() -> App:
    return App(load_graph([HOSTILE_TTL]))


def _html(app: App, path: str, qs: str = "") -> str:
    r = app.handle(Request("GET", path, qs, {"accept": "text/html"}))
    assert r.status == 200, (path, r.status, r.body[:300])
    assert r.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    return r.body.decode("utf-8")


def _check_no_script_links(page: str) -> list[str]:
    parser = _Anchors()
    parser.feed(page)
    for href in parser.hrefs:
        assert link_target(href) == href, href
        assert not href.lower().lstrip().startswith(("javascript:", "data:", "vbscript:"))
    assert parser.scripts_inline == 0 and parser.handlers == []
    return parser.hrefs


def test_every_page_kind_shows_hostile_iris_as_text(hostile_app: App) -> None:
    bureau = _html(hostile_app, "/id/org/cn-gs-big-data-bureau")  # object + subject (incoming)
    province = _html(hostile_app, "/id/place/cn-gs")  # org chart node
    select = "SELECT ?x ?o WHERE { ?x rdfs:seeAlso ?o } ORDER BY ?x ?o"
    table = _html(hostile_app, "/sparql", urlencode({"query": select}))
    search = _html(hostile_app, "/search", urlencode({"q": "hostile body"}))
    index = _html(hostile_app, "/")
    ontology = _html(hostile_app, "/def")
    canned = _html(hostile_app, "/queries/evidence", urlencode({"entity": BUREAU}))
    for page in (bureau, province, table, search, index, ontology, canned):
        _check_no_script_links(page)
    assert "alert(4)" in bureau and "msgbox(6)" in bureau  # shown, as text
    assert 'class="node data"' in province and "Hostile body" in province
    assert "alert(4)" in table and "Hostile body" in search  # the one hit is listed, not a 302


def test_static_pages_carry_the_policy_as_meta(hostile_app: App) -> None:
    static = App(hostile_app.kg, hostile_app.limits, static=True)
    page = static.handle(Request("GET", "/id/org/cn-gs-big-data-bureau")).body.decode()
    hrefs = _check_no_script_links(page)
    assert f'<meta http-equiv="Content-Security-Policy" content="{META_CSP}">' in page.replace(
        "&#x27;", "'"
    )
    assert page.index("Content-Security-Policy") < page.index("<link rel=")
    assert "frame-ancestors" not in META_CSP and "frame-ancestors" in CONTENT_SECURITY_POLICY
    assert "../place/cn-gs.html" in hrefs


def test_policy_forbids_inline_script_eval_and_other_hosts() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["style-src"].split()[0] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert "http" not in CONTENT_SECURITY_POLICY  # no other host, no scheme source


def test_readme_states_the_policy_served() -> None:
    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text("utf-8").split())
    for directive, value in CSP_DIRECTIVES:
        if directive != "style-src":  # the README shortens the hashes
            assert f"{directive} {value}" in readme, directive
    assert "style-src 'self' 'sha256-…' 'sha256-…'" in readme


def test_yasgui_style_hashes_are_the_texts_it_inserts() -> None:
    """The vendored column resizer's two fixed <style> texts (its layout rules, and the drag
    cursor built from its default option): a YASGUI update that changes them fails here."""
    js = (importlib_resources.files("govkg.web") / "static/yasgui/yasgui.min.js").read_text()
    layout = re.search(r"createStyle\(a,`( \.grip-resizable\{.*?)`\)", js)
    drag = re.search(r"createStyle\(document\.querySelector\(`head`\),`(\*\{cursor:)`\+", js)
    cursor = re.search(r"dragCursor:`([^`]*)`", js)
    assert layout and drag and cursor
    texts = [layout.group(1), f"{drag.group(1)}{cursor.group(1)}!important}}"]
    digests = [hashlib.sha256(t.encode()).digest() for t in texts]
    got = ["sha256-" + base64.b64encode(d).decode() for d in digests]
    assert got == list(YASGUI_STYLE_HASHES)


def test_htaccess_sends_the_policy_and_nosniff() -> None:
    rules = htaccess()
    assert f'Header always set Content-Security-Policy "{CONTENT_SECURITY_POLICY}"' in rules
    assert 'Header always set X-Content-Type-Options "nosniff"' in rules
    assert "<IfModule mod_headers.c>" in rules  # no 500 where mod_headers is off
    assert "Header" not in htaccess("https://example.org/g")  # w3id.org's file only redirects


def test_hostile_fixture_parses_to_the_iris_it_names(kg: KnowledgeGraph) -> None:
    iris = {t.value for q in ox.parse(path=str(HOSTILE_TTL)) for t in (q.subject, q.object)}
    assert set(HOSTILE) <= iris


def test_answers_the_adapters_give_themselves_carry_the_headers(kg: KnowledgeGraph) -> None:
    """A 413 from the WSGI adapter never reaches the app: it has the headers all the same."""
    import io

    from govkg.web.wsgi import wsgi_app

    seen: list[tuple[str, list[tuple[str, str]]]] = []
    application = wsgi_app(App(kg))
    env = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/sparql",
        "CONTENT_LENGTH": str(10**9),
        "wsgi.input": io.BytesIO(b""),
    }
    application(env, lambda status, headers: seen.append((status, headers)))
    status, headers = seen[0]
    assert status.startswith("413")
    assert ("Content-Security-Policy", CONTENT_SECURITY_POLICY) in headers
    assert ("X-Content-Type-Options", "nosniff") in headers


_SCHEMES = st.sampled_from(
    [
        "javascript",
        "JaVaScRiPt",
        "data",
        "vbscript",
        "file",
        "ftp",
        "http",
        "https",
        "mailto",
        "blob",
        "about",
        "urn",
        "x-y.z+w",
    ]
)
_REST = st.text(alphabet=st.sampled_from([*"/:.%#?@!$&'()*+,;=~-_aZ09", "甘"]), max_size=20)


def _iri(scheme: str, rest: str) -> str | None:
    try:
        return ox.NamedNode(f"{scheme}:{rest}").value
    except ValueError:
        return None


@settings(max_examples=300, deadline=None)
@given(_SCHEMES, _REST, st.booleans(), st.sampled_from(["/", "/id/org/x", "/id/a/b/c"]))
def test_rendered_terms_and_chart_nodes_never_link_another_scheme(
    scheme: str, rest: str, static: bool, here: str
) -> None:
    """Fuzzed through the renderers themselves: any IRI the store could hold, as a term on
    a page or a box of the org chart, is an href only with no scheme or one of three."""
    from govkg.web.pages import term_html
    from govkg.web.views import Labels

    iri = _iri(scheme, rest) or _iri(scheme, "x")
    assert iri is not None
    links = Linker(static, here)
    html = term_html(ox.NamedNode(iri), Labels(), links)
    html += svg(OrgChart(GANSU, {iri: Node(iri, "data")}, []), links.href)
    parser = _Anchors()
    parser.feed(html)
    for href in parser.hrefs:
        assert link_target(href) == href
        found = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", href)
        assert found is None or found.group(1).lower() in LINK_SCHEMES, href
    if scheme.lower() not in LINK_SCHEMES:
        assert parser.hrefs == [], html
