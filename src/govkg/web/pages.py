"""HTML for people: entity pages, the ontology's documentation, the query page, result
tables and search. Every label is written in both languages; the page's `data-lang` (set by
`?lang=`, the browser's language or the switch) shows one of them (static/govkg.css).

Plain f-strings with `html.escape` on every value: the pages are small and fixed, and a
template engine would be one more dependency for the wheel.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from govkg import __version__
from govkg.catalogue import CannedQuery
from govkg.namespaces import BASE, GKR, ONTOLOGY_IRI, PREFIXES, curie
from govkg.web.links import Linker
from govkg.web.messages import META_CSP
from govkg.web.negotiation import RDF_FORMATS
from govkg.web.orgchart import OrgChart, svg
from govkg.web.views import RDF_TYPE, EntityView, Labels, Quote, Statement, Term

esc = html.escape


def bi(zh: str | None, en: str | None) -> str:
    """A text in both languages; the page shows the one it is set to (or the other)."""
    zh, en = zh or en or "", en or zh or ""
    if zh == en:
        return esc(zh)
    return f'<span class="zh" lang="zh">{esc(zh)}</span><span class="en" lang="en">{esc(en)}</span>'


_PLAIN = {PREFIXES["xsd"] + t for t in ("string", "integer", "decimal", "boolean")}
"""Datatypes whose values speak for themselves: no tag beside them."""

# the longer bilingual texts of the pages
FOOTER = (
    "数据来自一篇新闻分析；每条事实附原文引文。",
    "Facts from one news analysis, each with its quote.",
)
CHART_HINT = (
    "由图谱绘制：领导小组 → 办公室 → 所在机构；数据管理机构及其性质、级别、管理关系。",
    "Drawn from the graph: leading group → office → host; data bodies with legal status, "
    "rank and who manages them.",
)
EDITOR_HINT = (
    "前缀已预先声明；结果中的 IRI 链接到实体页面。",
    "Prefixes are predeclared; IRIs in results link to entity pages.",
)
TITLE = (
    "省级数字政府与数据管理机构知识图谱",
    "govkg: how China’s provinces organise digital government",
)


def layout(
    title: str,
    body: str,
    links: Linker,
    *,
    lang: str = "en",
    head: str = "",
    alternates: Iterable[tuple[str, str]] = (),
    wide: bool = False,
) -> bytes:
    """The frame every page shares: title, navigation, language switch, footer."""
    alt = "".join(
        f'<link rel="alternate" type="{esc(media)}" href="{esc(href)}">'
        for media, href in alternates
    )
    nav = [
        (links.page("/"), bi("查询", "Query")),
        (links.page("/def"), bi("本体", "Ontology")),
        (links.page("/.well-known/void"), "VoID"),
    ]
    search = (
        ""
        if links.static
        else f'<form class="search" action="{esc(links.page("/search"))}" method="get">'
        '<input type="search" name="q" placeholder="按名称查找 / find by label" '
        'aria-label="search by label" required>'
        '<button type="submit">查找 · Find</button></form>'
    )
    # a static site's pages carry the policy themselves (a live server sends it as a header)
    csp = f'<meta http-equiv="Content-Security-Policy" content="{esc(META_CSP)}">\n'
    page = f"""<!doctype html>
<html lang="{esc(lang)}" data-lang="{esc(lang)}">
<head>
<meta charset="utf-8">
{csp if links.static else ""}<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} · govkg</title>
<link rel="stylesheet" href="{esc(links.page("/static/govkg.css"))}">
{alt}{head}
<script src="{esc(links.page("/static/govkg.js"))}"></script>
</head>
<body class="{"wide" if wide else ""}">
<header class="top">
<a class="brand" href="{esc(links.page("/"))}">govkg</a>
<nav>{"".join(f'<a href="{esc(h)}">{t}</a>' for h, t in nav)}</nav>
{search}
<button type="button" class="lang-switch" id="lang-switch" title="中文 / English">
<span class="zh">English</span><span class="en">中文</span></button>
</header>
<main>
{body}
</main>
<footer>govkg {esc(__version__)} ·
{bi(*FOOTER)}
· <a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a></footer>
</body>
</html>
"""
    return page.encode("utf-8")


# ---------------------------------------------------------------- terms


def iri_link(iri: str, text: str, links: Linker, title: str = "", external: bool = False) -> str:
    """`text` (already HTML) as a link to the IRI, or as plain text when the IRI's scheme
    is not one a link may have (`links.href` decides: javascript:, data: … are never
    links)."""
    href = links.href(iri)
    title_attr = f' title="{esc(title)}"' if title else ""
    if href is None:
        return f'<span class="iri-text"{title_attr}>{text}</span>'
    ext = ' class="external" rel="nofollow"' if external else ""
    return f'<a href="{esc(href)}"{title_attr}{ext}>{text}</a>'


def term_html(term: Any, labels: Labels, links: Linker) -> str:
    """A term as people read it: IRIs as links with their label, literals with language."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        names = labels.both(iri)
        text = bi(names.get("zh"), names.get("en")) if names else esc(curie(iri).strip("<>"))
        return iri_link(iri, text, links, curie(iri), external=not iri.startswith(BASE))
    if isinstance(term, ox.BlankNode):
        return f"<code>_:{esc(term.value)}</code>"
    if isinstance(term, ox.Literal):
        tag = ""
        if term.language:
            tag = f' <span class="tag">@{esc(term.language)}</span>'
        elif term.datatype and term.datatype.value not in _PLAIN:
            tag = f' <span class="tag">{esc(curie(term.datatype.value))}</span>'
        lang = f' lang="{esc(term.language)}"' if term.language else ""
        return f'<span class="literal"{lang}>{esc(term.value)}</span>{tag}'
    return esc(str(term))


def quote_html(q: Quote, links: Linker) -> str:
    """A quote in its context, and where it stands in the article."""
    where = ""
    if q.start is not None and q.end is not None:
        where = bi(f"原文第 {q.start}–{q.end} 字", f"article, characters {q.start}–{q.end}")
    source = " " + iri_link(q.source, bi("来源", "source"), links) if q.source else ""
    return (
        f'<blockquote class="quote" lang="zh"><span class="ctx">{esc(q.prefix)}</span>'
        f'<mark>{esc(q.exact)}</mark><span class="ctx">{esc(q.suffix)}</span></blockquote>'
        f'<div class="where">{where}{source} · '
        f"{iri_link(q.annotation, bi('证据', 'evidence'), links)}</div>"
    )


def _statements(rows: list[Statement], labels: Labels, links: Linker, incoming: bool) -> str:
    head = (
        bi("主体", "subject") if incoming else bi("属性", "property"),
        bi("属性", "property") if incoming else bi("值", "value"),
        bi("证据（原文引文）", "evidence (quote from the article)"),
    )
    out = [
        f'<table class="statements"><thead><tr>{"".join(f"<th>{h}</th>" for h in head)}'
        "</tr></thead><tbody>"
    ]
    for st in rows:
        first = st.subject if incoming else st.predicate
        second = st.predicate if incoming else st.object
        quotes = "".join(quote_html(q, links) for q in st.quotes) or '<span class="none">—</span>'
        out.append(
            f"<tr><td>{term_html(first, labels, links)}</td>"
            f"<td>{term_html(second, labels, links)}</td><td>{quotes}</td></tr>"
        )
    out.append("</tbody></table>")
    return "\n".join(out)


def _formats(iri: str, links: Linker) -> tuple[str, list[tuple[str, str]]]:
    """Links to the IRI's description in each RDF format, and the same as <link> pairs."""
    pairs = [(media, links.data(iri, f, ext)) for f, (media, ext, _) in RDF_FORMATS.items()]
    html_links = " · ".join(
        f'<a href="{esc(links.data(iri, f, ext))}" class="format">{name}</a>'
        for f, (_, ext, name) in RDF_FORMATS.items()
    )
    return html_links, pairs


def entity_page(view: EntityView, links: Linker, lang: str, chart: OrgChart | None = None) -> bytes:
    labels = view.labels
    names = labels.both(view.iri)
    title = names.get(lang) or names.get("en") or names.get("zh") or curie(view.iri)
    formats, alternates = _formats(view.iri, links)
    types = ", ".join(term_html(ox.NamedNode(t), labels, links) for t in view.types)
    parts = [
        f'<p class="iri"><code>{esc(view.iri)}</code></p>',
        f"<h1>{bi(names.get('zh'), names.get('en')) if names else esc(curie(view.iri))}</h1>",
    ]
    if names.get("zh") and names.get("en"):
        parts.append(
            f'<p class="other-label"><span class="zh" lang="en">{esc(names["en"])}</span>'
            f'<span class="en" lang="zh">{esc(names["zh"])}</span></p>'
        )
    parts.append(
        f'<p class="meta">{bi("类型", "Type")}: {types or "—"} · '
        f"{bi('数据', 'Data')}: {formats}</p>"
    )
    if chart is not None and not chart.empty:
        parts.append(
            f'<section id="orgchart"><h2>{bi("组织结构图", "Organisation chart")}</h2>'
            f'<p class="hint">{bi(*CHART_HINT)}</p>'
            f'<div class="chart">{svg(chart, links.href)}</div></section>'
        )
    if view.statements:
        parts.append(f'<section id="statements"><h2>{bi("陈述", "Statements")}</h2>')
        parts.append(_statements(view.statements, labels, links, incoming=False))
        parts.append("</section>")
    for part, rows in view.parts.items():
        fragment = part.partition("#")[2]
        parts.append(f'<section class="part" id="{esc(fragment)}"><h3>#{esc(fragment)}</h3>')
        parts.append(_statements(rows, labels, links, incoming=False))
        parts.append("</section>")
    if view.attested:
        parts.append(f'<section id="evidence"><h2>{bi("证据", "Evidence")}</h2>')
        parts.append(
            "".join(f'<div class="attested">{quote_html(q, links)}</div>' for q in view.attested)
        )
        parts.append("</section>")
    if view.incoming:
        parts.append(f'<section id="incoming"><h2>{bi("指向此处的链接", "Incoming links")}</h2>')
        parts.append(_statements(view.incoming, labels, links, incoming=True))
        parts.append("</section>")
    related = _related(view)
    if related:
        items = "".join(f"<li>{term_html(ox.NamedNode(i), labels, links)}</li>" for i in related)
        parts.append(
            f'<section id="related"><h2>{bi("相关实体", "Related entities")}</h2>'
            f'<ul class="related">{items}</ul></section>'
        )
    return layout(title, "\n".join(parts), links, lang=lang, alternates=alternates)


def _related(view: EntityView) -> list[str]:
    """The govkg entities this one links to or is linked from (evidence and types aside)."""
    seen: dict[str, None] = {}
    for st in view.statements:
        if (
            isinstance(st.object, ox.NamedNode)
            and st.object.value.startswith(GKR)
            and st.predicate.value != RDF_TYPE
            and "/evidence/" not in st.object.value
        ):
            seen.setdefault(st.object.value)
    for st in view.incoming:
        if isinstance(st.subject, ox.NamedNode) and st.subject.value.startswith(GKR):
            seen.setdefault(st.subject.value)
    seen.pop(view.iri, None)
    return list(seen)


# ---------------------------------------------------------------- the ontology


def ontology_page(
    terms: list[Term], labels: Labels, header: EntityView, links: Linker, lang: str
) -> bytes:
    """`/def`: the ontology's documentation, one section per term (anchors = local names)."""
    labels.merge(header.labels)
    hl = labels
    formats, alternates = _formats(ONTOLOGY_IRI, links)
    names = header.labels.both(ONTOLOGY_IRI)

    def ref(iri: str) -> str:
        return term_html(ox.NamedNode(iri), hl, links)

    about = [st for st in header.statements if st.predicate.value != RDF_TYPE]
    parts = [
        f'<p class="iri"><code>{esc(ONTOLOGY_IRI)}</code></p>',
        f"<h1>{bi(names.get('zh'), names.get('en')) if names else 'govkg ontology'}</h1>",
        f'<p class="meta">{bi("数据", "Data")}: {formats}</p>',
        _statements(about, hl, links, incoming=False) if about else "",
    ]
    toc = {"class": [], "property": []}
    for t in terms:
        key = "class" if t.kind == "class" else "property"
        toc[key].append(
            f'<a href="#{esc(t.local)}">{bi(t.labels.get("zh"), t.labels.get("en") or t.local)}</a>'
        )
    parts.append(
        f'<nav class="toc"><h2>{bi("类", "Classes")}</h2><p>{" · ".join(toc["class"])}</p>'
        f"<h2>{bi('属性', 'Properties')}</h2><p>{' · '.join(toc['property'])}</p></nav>"
    )
    for t in terms:
        rows: list[str] = []

        def row(zh: str, en: str, value: str, rows: list[str] = rows) -> None:
            if value:
                rows.append(f"<tr><th>{bi(zh, en)}</th><td>{value}</td></tr>")

        row("定义", "Definition", bi(t.definitions.get("zh"), t.definitions.get("en")))
        row("说明", "Comment", "<br>".join(esc(c) for c in t.comments))
        row("上位", "Super-terms", ", ".join(ref(s) for s in t.supers))
        row("下位", "Sub-terms", ", ".join(ref(s) for s in t.subs))
        row("定义域", "Domain", ", ".join(ref(s) for s in t.domains))
        row("值域", "Range", ", ".join(ref(s) for s in t.ranges))
        row("用例数", "Uses in the data", str(t.usage) if t.usage else "")
        if t.instances:
            shown = ", ".join(ref(i) for i in t.instances[:60])
            more = f" … (+{len(t.instances) - 60})" if len(t.instances) > 60 else ""
            row("实例", "Instances", shown + more)
        name = bi(t.labels.get("zh"), t.labels.get("en") or t.local)
        parts.append(
            f'<section class="term" id="{esc(t.local)}"><h2>{name}'
            f' <code class="curie">gk:{esc(t.local)}</code>'
            f' <span class="kind">{esc(t.kind)}</span></h2>'
            f'<table class="term">{"".join(rows)}</table></section>'
        )
    return layout("govkg ontology", "\n".join(parts), links, lang=lang, alternates=alternates)


# ---------------------------------------------------------------- query results


def results_table(result: Any, links: Linker) -> str:
    """A SELECT or ASK result as an HTML table; IRIs link to their pages."""
    if result.kind == "ask":
        return f'<p class="boolean">{"true" if result.boolean else "false"}</p>'
    labels = Labels()
    head = "".join(f"<th>{esc(v)}</th>" for v in result.variables)
    body = []
    for terms in result.terms:
        cells = "".join(f"<td>{term_html(t, labels, links)}</td>" for t in terms)
        body.append(f"<tr>{cells}</tr>")
    count = bi(f"{len(result.terms)} 行", f"{len(result.terms)} rows")
    return (
        f'<p class="count">{count}</p><table class="results"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _param_value(q: CannedQuery, name: str) -> str:
    """A starting value for a form field: the default, else the first example's value."""
    for p in q.params:
        if p.name == name and p.default is not None:
            return p.default
    return q.example_params.get(name, "")


def canned_form(q: CannedQuery, values: dict[str, str], lang: str, links: Linker) -> str:
    fields = []
    for p in q.params:
        if p.name == "lang":
            continue
        value = values.get(p.name, _param_value(q, p.name))
        fields.append(
            f'<label>{esc(p.name)} <input name="{esc(p.name)}" value="{esc(value)}" '
            f'title="{esc(p.description)}" {"required" if p.required else ""}></label>'
        )
    choice = values.get("lang", lang)
    options = "".join(
        f'<option value="{v}"{" selected" if v == choice else ""}>{t}</option>'
        for v, t in (("en", "English labels"), ("zh", "中文标签"))
    )
    return (
        f'<form class="canned" action="{esc(links.page("/queries/" + q.name))}" method="get" '
        f'data-query="{esc(q.name)}">{"".join(fields)}'
        f'<label>lang <select name="lang" class="label-lang">{options}</select></label>'
        f'<button type="submit">{bi("运行", "Run")}</button></form>'
    )


def canned_page(
    q: CannedQuery, values: dict[str, str], result: Any, lang: str, links: Linker, query_string: str
) -> bytes:
    downloads = " · ".join(
        f'<a href="?{esc(query_string + ("&" if query_string else "") + "format=" + f)}">{f}</a>'
        for f in ("csv", "tsv", "json", "xml")
    )
    body = (
        f'<h1>{bi(q.title_zh, q.title_en)}</h1><p class="description">{esc(q.description)}</p>'
        f"{canned_form(q, values, lang, links)}"
        f'<p class="meta">{bi("下载", "Download")}: {downloads} · '
        f"<code>govkg query {esc(q.name)}</code></p>"
        f"{results_table(result, links)}"
    )
    return layout(q.title(lang), body, links, lang=lang, wide=True)


def sparql_results_page(text: str, result: Any, lang: str, links: Linker) -> bytes:
    body = (
        f'<h1>{bi("查询结果", "Query results")}</h1><pre class="sparql">{esc(text)}</pre>'
        f"{results_table(result, links)}"
    )
    return layout("SPARQL results", body, links, lang=lang, wide=True)


def search_page(text: str, hits: list[tuple[str, str, bool]], lang: str, links: Linker) -> bytes:
    items = "".join(
        f"<li>{iri_link(iri, esc(label), links)} <code>{esc(curie(iri))}</code></li>"
        for iri, label, _ in hits
    )
    none = bi("没有找到。", "Nothing found.")
    body = (
        f'<h1>{bi("查找", "Search")}: {esc(text)}</h1><ul class="hits">{items}</ul>'
        if hits
        else f"<h1>{esc(text)}</h1><p>{none}</p>"
    )
    return layout(f"search: {text}", body, links, lang=lang)


# ---------------------------------------------------------------- the query page


def example_query() -> str:
    """The query the editor opens with: every prefix declared, a first question asked."""
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    return (
        prologue + "\n# Provinces and their data bodies / 各省的数据管理机构\n"
        "SELECT ?province ?body ?label WHERE {\n"
        "  ?body a gk:DataManagementBody ; gk:jurisdiction ?province ; rdfs:label ?label .\n"
        '  FILTER(LANG(?label) = "zh")\n'
        "}\nORDER BY ?province\nLIMIT 50\n"
    )


def index_page(
    queries: list[CannedQuery],
    provinces: list[tuple[str, dict[str, str]]],
    lang: str,
    links: Linker,
) -> bytes:
    """`/`: YASGUI for SPARQL, every canned query with its form, search, the provinces."""
    static = links.static
    canned = []
    for q in queries:
        form = "" if static else canned_form(q, {}, lang, links)
        canned.append(
            f'<li class="canned-query" id="q-{esc(q.name)}"><details><summary>'
            f"<b>{bi(q.title_zh, q.title_en)}</b> <code>{esc(q.name)}</code></summary>"
            f'<p class="description">{esc(q.description)}</p>{form}</details></li>'
        )
    prov = " · ".join(
        iri_link(iri + "#orgchart", bi(n.get("zh"), n.get("en")), links) for iri, n in provinces
    )
    editor = ""
    head = ""
    if not static:
        head = (
            f'<link rel="stylesheet" href="{esc(links.page("/static/yasgui/yasgui.min.css"))}">'
            f'<script src="{esc(links.page("/static/yasgui/yasgui.min.js"))}"></script>'
        )
        config = {"endpoint": "/sparql", "query": example_query(), "base": BASE}
        editor = (
            f'<section id="sparql"><h2>SPARQL</h2>'
            f'<p class="hint">{bi(*EDITOR_HINT)} '
            f"<code>GET|POST /sparql</code></p>"
            f'<div id="yasgui" data-config="{esc(json.dumps(config))}"></div></section>'
        )
    body = (
        f"<h1>{bi(*TITLE)}</h1>"
        f'<section id="provinces"><h2>{bi("各省组织结构图", "Provinces: organisation charts")}</h2>'
        f"<p>{prov}</p></section>"
        f'<section id="canned"><h2>{bi("常用查询", "Canned queries")}</h2>'
        f'<ul class="canned">{"".join(canned)}</ul></section>'
        f"{editor}"
        f'<section id="data"><h2>{bi("数据", "Data")}</h2><p>'
        + " · ".join(
            f'<a href="{esc(links.page("/dumps/govkg." + ext))}">govkg.{ext}</a>'
            for _, ext, _ in RDF_FORMATS.values()
        )
        + f' · <a href="{esc(links.page("/.well-known/void"))}">VoID</a></p></section>'
    )
    return layout("govkg", body, links, lang=lang, head=head, wide=True)
