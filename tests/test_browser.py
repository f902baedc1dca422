"""The pages as a person uses them: Playwright driving Debian's Chromium on loopback.

Route interception aborts, and records, every request for a URL that is not the test's own
server: the pages (YASGUI included) must work offline, so any such request fails the test.
Screenshots are kept in tests/artifacts/ (ignored by git) for people to look at.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
