"""The pages as a person uses them: Playwright driving Debian's Chromium on loopback.

Route interception aborts, and records, every request for a URL that is not the test's own
server: the pages (YASGUI included) must work offline, so any such request fails the test.
Screenshots are kept in tests/artifacts/ (ignored by git) for people to look at.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

import needs
from govkg.load import KnowledgeGraph
from govkg.serve import make_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def base(kg: KnowledgeGraph) -> Iterator[str]:
    with _server(kg) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    needs.require("chromium", "cjk-font")  # skipped naming them when missing (failed under CI)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any, base: str) -> Iterator[Any]:
    """A fresh page that may reach only the test's server; it fails the test otherwise."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    outside: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(base + "/"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.set_default_timeout(20_000)
    try:
        yield page
    finally:
        context.close()
    assert outside == [], f"the page asked for non-loopback URLs: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_canned_query_to_entity_page_to_org_chart(page: Any, base: str) -> None:
    page.goto(base + "/")
    shot(page, "01-query-page")
    page.locator("#q-evidence summary").click()
    form = page.locator("#q-evidence form")
    form.locator("input[name=entity]").fill("gkr:org/cn-gs-big-data-bureau")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/queries/evidence?*")
    rows = page.locator("table.results tbody tr")
    assert rows.count() > 0
    assert "挂牌" in page.locator("table.results").inner_text()  # the quotes are there
    shot(page, "02-canned-query-results")

    page.locator('table.results a[href="/id/org/cn-gs-general-office"]').first.click()
    page.wait_for_url("**/id/org/cn-gs-general-office")
    heading = page.locator("h1")
    assert heading.inner_text() == "Gansu Provincial Government General Office"
    shot(page, "03-entity-page-en")
    page.locator("#lang-switch").click()
    assert heading.inner_text() == "甘肃省政府办公厅"
    assert page.locator("html").get_attribute("data-lang") == "zh"
    shot(page, "04-entity-page-zh")

    page.locator('#statements a[href="/id/place/cn-gs"]').first.click()
    page.wait_for_url("**/id/place/cn-gs")
    assert page.locator("h1").inner_text() == "甘肃省"  # the language choice is kept
    chart = page.locator("#orgchart svg")
    chart.scroll_into_view_if_needed()
    assert chart.is_visible()
    assert chart.locator("a.node").count() >= 5
    assert "挂牌于" in chart.text_content()
    shot(page, "05-province-org-chart")
    chart.locator('a.node[href="/id/org/cn-gs-big-data-bureau"]').click()
    page.wait_for_url("**/id/org/cn-gs-big-data-bureau")
    assert page.locator("mark").count() >= 2  # quotes highlighted in the statements


def test_yasgui_runs_a_query_and_links_iris_to_pages(page: Any, base: str) -> None:
    page.goto(base + "/")
    page.locator("#yasgui .yasqe_queryButton").click()
    table = page.locator("#yasgui .yasr table")
    table.locator("a").first.wait_for()
    table.scroll_into_view_if_needed()
    shot(page, "06-yasgui-results")
    link = table.locator('a[href^="https://w3id.org/govkg/id/"]').first
    href = link.get_attribute("href")
    link.click()  # opens the entity page on this server, not on w3id.org
    page.wait_for_url(base + href.removeprefix("https://w3id.org/govkg") + "*")
    assert page.locator("#statements").is_visible()


def test_search_by_label_jumps_to_the_entity(page: Any, base: str) -> None:
    page.goto(base + "/id/place/cn-gs?lang=zh")
    page.locator("form.search input").fill("big data bureau")
    page.locator("form.search button").click()
    page.wait_for_url("**/search?*")
    page.locator('ul.hits a[href="/id/org/cn-gs-big-data-bureau"]').click()
    page.wait_for_url("**/id/org/cn-gs-big-data-bureau")
    page.locator("form.search input").fill("山东省")
    page.locator("form.search button").click()
    page.wait_for_url("**/id/place/cn-sd")
    shot(page, "07-search-exact-hit")


def test_ontology_documentation_page(page: Any, base: str) -> None:
    page.goto(base + "/def#plaqueOn")
    section = page.locator("section#plaqueOn")
    assert section.is_visible() and "Domain" in section.inner_text()
    shot(page, "08-ontology-term")


# ---------------------------------------------------------------- links that cannot run script

HOSTILE_TTL = Path(__file__).parent / "fixtures" / "hostile-links.ttl"
SAFE_PROTOCOLS = {"http:", "https:", "mailto:"}
# every link of the page, HTML and SVG (href and xlink:href), with the protocol it opens
ALL_LINKS = """() => Array.from(document.querySelectorAll("a, area")).flatMap(a => {
  const out = [];
  for (const href of [a.getAttribute("href"),
                      a.getAttributeNS("http://www.w3.org/1999/xlink", "href")]) {
    if (href === null) continue;
    let protocol = null;
    try { protocol = new URL(href, document.baseURI).protocol; } catch (e) {}
    out.push([href, protocol]);
  }
  return out;
})"""


@contextmanager
def _server(kg: KnowledgeGraph) -> Iterator[str]:
    server = make_server(kg, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def hostile_kg() -> KnowledgeGraph:
    from govkg.load import load_graph

    return load_graph([HOSTILE_TTL])


@pytest.fixture(scope="module")
def hostile_base(hostile_kg: KnowledgeGraph) -> Iterator[str]:
    with _server(hostile_kg) as url:
        yield url


@contextmanager
def _guarded_page(browser: Any, allowed: str) -> Iterator[tuple[Any, list[str]]]:
    """A page that may reach only `allowed`; yields it with the dialogs that opened."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    outside: list[str] = []
    errors: list[str] = []
    dialogs: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(allowed):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda err: errors.append(str(err)))

    def dialog(d: Any) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.set_default_timeout(20_000)
    try:
        yield page, dialogs
    finally:
        context.close()
    assert outside == [], f"the page asked for URLs elsewhere: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


def _no_script_links(page: Any) -> list[list[str]]:
    links = page.evaluate(ALL_LINKS)
    assert links, "no links at all: the page did not render"
    bad = [(h, p) for h, p in links if p not in SAFE_PROTOCOLS and p != "file:"]
    assert bad == [], f"links that are not http(s)/mailto: {bad}"
    return links


def _styled(page: Any) -> bool:
    """Whether static/govkg.css applied under the policy (the header's grey background)."""
    header = "getComputedStyle(document.querySelector('header.top')).backgroundColor"
    return page.evaluate(header) == "rgb(248, 249, 250)"


def _inline_script_blocked(page: Any) -> bool:
    """Whether the page's policy stops an injected inline script (as an attacker's would)."""
    return page.evaluate(
        """() => { const s = document.createElement("script");
        s.textContent = "window.__ran = true"; document.head.appendChild(s);
        return window.__ran !== true; }"""
    )


def _click_all(page: Any, selector: str) -> int:
    """Click every element matching `selector` (the hostile IRIs' texts), staying put."""
    here = page.url
    texts = page.locator(selector)
    n = texts.count()
    for i in range(n):
        texts.nth(i).scroll_into_view_if_needed()
        texts.nth(i).click()
        page.wait_for_timeout(150)
        assert page.url == here
    return n


def test_hostile_iris_are_text_not_links_and_clicking_them_runs_nothing(
    browser: Any, hostile_base: str
) -> None:
    from govkg.web.messages import CONTENT_SECURITY_POLICY

    with _guarded_page(browser, hostile_base + "/") as (page, dialogs):
        # entity page: the IRIs as objects (statements) and as subjects (incoming links)
        response = page.goto(hostile_base + "/id/org/cn-gs-big-data-bureau")
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
        _no_script_links(page)
        assert _styled(page)
        statements, incoming = page.locator("#statements"), page.locator("#incoming")
        for text in ("Hostile body", "data:text/html", "vbscript:msgbox(6)"):
            assert text in statements.inner_text()
        assert "vbscript:msgbox(6)" in incoming.inner_text()
        assert "Hostile body" in incoming.inner_text()
        assert _click_all(page, "main .iri-text") >= 4
        shot(page, "20-hostile-entity-page")

        # a province's org chart: the javascript: body is a box, not a link
        page.goto(hostile_base + "/id/place/cn-gs")
        links = _no_script_links(page)
        chart = page.locator("#orgchart svg")
        assert chart.locator("a.node").count() >= 5  # the other boxes still link
        box = chart.locator("g.node.data", has_text="Hostile body")
        assert box.count() == 1
        box.scroll_into_view_if_needed()
        box.click()
        page.wait_for_timeout(200)
        assert page.url == hostile_base + "/id/place/cn-gs"
        assert all("alert" not in h for h, _ in links)
        shot(page, "21-hostile-org-chart")

        # a result table (the HTML answer of /sparql) and a search hit
        query = "SELECT ?x ?o WHERE { ?x rdfs:seeAlso ?o } ORDER BY ?x ?o"
        page.goto(f"{hostile_base}/sparql?{urlencode({'query': query})}", referer=None)
        page.wait_for_selector("table.results")
        _no_script_links(page)
        assert _click_all(page, "table.results .iri-text") >= 4
        page.goto(f"{hostile_base}/search?q=hostile+body")
        _no_script_links(page)
        assert _click_all(page, "ul.hits .iri-text") == 1

        # YASGUI's own result table: it draws links; govkg.js takes the bad ones' href away
        page.goto(hostile_base + "/")
        page.evaluate(
            "q => document.querySelector('#yasgui .CodeMirror').CodeMirror.setValue(q)", query
        )
        page.locator("#yasgui .yasqe_queryButton").click()
        table = page.locator("#yasgui .yasr table")
        table.locator("td", has_text="alert(4)").first.wait_for()
        _no_script_links(page)
        for cell in table.locator("td", has_text="alert(4)").all():
            cell.click()
        page.wait_for_timeout(300)
        shot(page, "22-hostile-yasgui")
        assert page.evaluate("window.__csp") == []  # the policy broke nothing
        assert _inline_script_blocked(page)
    assert dialogs == []


def test_static_site_pages_link_safely_under_their_meta_policy(
    browser: Any, hostile_kg: KnowledgeGraph, tmp_path: Path
) -> None:
    """The static site, served by `python -m http.server` on loopback (no headers of ours):
    the <meta> policy is in force, hostile IRIs are text, clicking them opens nothing."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from govkg.namespaces import GKR, ONTOLOGY_IRI
    from govkg.web.app import App
    from govkg.web.publish import write_site

    out = tmp_path / "site"
    iris = [GKR + "org/cn-gs-big-data-bureau", GKR + "place/cn-gs", ONTOLOGY_IRI]
    write_site(App(hostile_kg), out, iris=iris)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/index.html", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        with _guarded_page(browser, base + "/") as (page, dialogs):
            response = page.goto(base + "/id/org/cn-gs-big-data-bureau.html")
            assert "content-security-policy" not in response.headers  # the meta does it
            links = _no_script_links(page)
            assert any(h == "../place/cn-gs.html" for h, _ in links)
            assert _click_all(page, "main .iri-text") >= 4
            assert _inline_script_blocked(page)  # the page's own policy is in force
            page.evaluate("window.__csp = []")
            assert _styled(page)
            page.goto(base + "/id/place/cn-gs.html")
            _no_script_links(page)
            page.locator("#orgchart g.node.data", has_text="Hostile body").click()
            assert page.url == base + "/id/place/cn-gs.html"
            shot(page, "23-static-org-chart")
            assert page.evaluate("window.__csp") == []
        assert dialogs == []
    finally:
        proc.terminate()
        proc.wait(10)


def test_link_target_agrees_with_chromiums_url_parser(browser: Any) -> None:
    """Differential: for many strings, what `link_target` lets be an href opens, by
    Chromium's own `new URL()`, an http, https or mailto URL (or a path of the page's)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from govkg.web.links import link_target

    page = browser.new_page()
    page.goto("about:blank")
    pieces = st.sampled_from(
        [
            *"jJavVsScriptdDmMhHtTpPlLoO:/.%+-",
            "\t",
            "\n",
            "\r",
            "\x00",
            "\x01",
            "\x1f",
            " ",
            "\u00a0",
            "\u2028",
            "\ufeff",
            "%09",
            "&#58;",
            "java",
            "script",
            "http",
            "data",
            "://",
        ]
    )
    texts = st.lists(pieces, max_size=14).map("".join) | st.text(max_size=12)
    seen: list[str] = []

    @settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
    @given(texts)
    def collect(text: str) -> None:
        seen.append(text)

    collect()
    protocols = page.evaluate(
        "xs => xs.map(x => { try { return new URL(x, 'http://127.0.0.1/p/q').protocol; }"
        " catch (e) { return null; } })",
        seen,
    )
    page.close()
    wrong = [
        (t, p)
        for t, p in zip(seen, protocols, strict=True)
        if link_target(t) is not None and p is not None and p not in SAFE_PROTOCOLS
    ]
    assert wrong == [], wrong[:10]
    assert sum(link_target(t) is None for t in seen) > 10  # the fuzz did reach refusals
