"""A province's org chart as SVG, drawn from the graph (web/queries/orgchart*.rq).

Layers top to bottom: coordination mechanisms (leading groups), their offices, the public
bodies that host offices or that data bodies report to, and the data bodies with their legal
status and rank. Edges carry the relation's name: office, hosted in, managed by, plaque on,
directly under. No layout library: the chart is small, so rows of boxes are enough.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from govkg.web.views import Runner, page_query

RELATIONS = {
    "hasOffice": ("office", "办公室"),
    "hostedIn": ("hosted in", "设在"),
    "officeIsHost": ("is", "即"),
    "managedBy": ("managed by", "由…管理"),
    "plaqueOn": ("plaque on", "挂牌于"),
    "directlyUnder": ("directly under", "直属于"),
    "subordinateTo": ("under", "隶属于"),
    "hasCentre": ("centre", "中心"),
}
ROLE_ROW = {"group": 0, "office": 1, "body": 2, "data": 3}
BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 200, 64, 56, 70, 20


@dataclass
class Node:
    iri: str
    role: str
    labels: dict[str, str] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    rank: dict[str, str] = field(default_factory=dict)
    x: float = 0.0
    y: float = 0.0


@dataclass
class OrgChart:
    place: str
    nodes: dict[str, Node]
    edges: list[tuple[str, str, str]]

    @property
    def empty(self) -> bool:
        return not self.nodes


def org_chart(run: Runner, place: str) -> OrgChart:
    """The nodes and edges of one province's chart, from two queries."""
    nodes: dict[str, Node] = {}
    for iri, role, zh, en, s_zh, s_en, r_zh, r_en in run(
        page_query("orgchart-nodes"), {"place": place}
    ).terms:
        node = nodes.get(iri.value)
        if node is None or ROLE_ROW[role.value] > ROLE_ROW[node.role]:
            node = nodes[iri.value] = Node(iri.value, role.value)
        for target, lang, lit in (
            (node.labels, "zh", zh),
            (node.labels, "en", en),
            (node.status, "zh", s_zh),
            (node.status, "en", s_en),
            (node.rank, "zh", r_zh),
            (node.rank, "en", r_en),
        ):
            if lit is not None:
                target.setdefault(lang, lit.value)
    edges = []
    for frm, rel, to in run(page_query("orgchart"), {"place": place}).terms:
        edge = (frm.value, rel.value, to.value)
        if frm.value in nodes and edge not in edges:
            edges.append(edge)
            if to.value not in nodes:  # a body outside the province (a national one, say)
                nodes[to.value] = Node(to.value, "body")
    # boxes by IRI: the engine's row order differs from one process to the next
    return OrgChart(place, dict(sorted(nodes.items())), sorted(edges))


_TOKEN = re.compile(r"[\u2e80-\uffff]|[^\s\u2e80-\uffff]+|\s+")


def _wrap(text: str, width: int, most: int = 3) -> list[str]:
    """At most `most` lines of `width` columns (CJK characters count two): CJK text breaks
    between any two characters, other text at spaces."""
    lines, line = [], ""
    for token in _TOKEN.findall(text):
        if _width(line + token) > width and line.strip():
            lines.append(line.strip())
            line = "" if token.isspace() else token
        else:
            line += token
    if line.strip():
        lines.append(line.strip())
    if len(lines) > most:
        lines = [*lines[: most - 1], lines[most - 1] + "…"]
    return lines


def _width(text: str) -> int:
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in text)


def svg(chart: OrgChart, href: Callable[[str], str | None]) -> str:
    """The chart as an inline SVG: boxes link to the entity pages, edges are labelled; every
    text is there in zh and en (classes `zh`/`en`), the page's language switch shows one.
    A node whose IRI `href` will not link (None: javascript:, data: …) is a box, not a link."""
    rows: dict[int, list[Node]] = {}
    for node in sorted(chart.nodes.values(), key=lambda n: n.iri):
        rows.setdefault(ROLE_ROW[node.role], []).append(node)
    used = sorted(rows)
    width = max(len(r) for r in rows.values()) * (BOX_W + GAP_X) - GAP_X + 2 * PAD
    for i, row in enumerate(used):
        nodes = rows[row]
        span = len(nodes) * (BOX_W + GAP_X) - GAP_X
        left = (width - span) / 2
        for j, node in enumerate(nodes):
            node.x = left + j * (BOX_W + GAP_X)
            node.y = PAD + i * (BOX_H + GAP_Y) + (16 if i else 0)
    height = PAD * 2 + len(used) * (BOX_H + GAP_Y) - GAP_Y + 16
    esc = html.escape
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="orgchart" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'font-family="sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    for frm, rel, to in chart.edges:
        a, b = chart.nodes[frm], chart.nodes[to]
        x1, x2 = a.x + BOX_W / 2, b.x + BOX_W / 2
        if b.y > a.y:
            y1, y2 = a.y + BOX_H, b.y
        elif b.y < a.y:
            y1, y2 = a.y, b.y + BOX_H
        else:
            y1 = y2 = a.y + BOX_H / 2
            x1, x2 = (a.x + BOX_W, b.x) if b.x > a.x else (a.x, b.x + BOX_W)
        en, zh = RELATIONS.get(rel, (rel, rel))
        tx, ty = (x1 + x2) / 2 + 4, (y1 + y2) / 2 - (4 if y1 == y2 else 0)
        names = "".join(
            f'<text class="{cls}" x="{tx:.0f}" y="{ty:.0f}" fill="#333" font-size="11">'
            f"{esc(name)}</text>"
            for cls, name in (("en", en), ("zh", zh))
        )
        out.append(
            f'<g class="edge" data-relation="{esc(rel)}"><line x1="{x1:.0f}" y1="{y1:.0f}" '
            f'x2="{x2:.0f}" y2="{y2:.0f}" stroke="#555" marker-end="url(#arrow)"/>{names}</g>'
        )
    fills = {"group": "#e8f0fe", "office": "#fef7e0", "body": "#f1f3f4", "data": "#e6f4ea"}
    for node in chart.nodes.values():
        target = href(node.iri)
        tag = "a" if target is not None else "g"
        out.append(
            (f'<a href="{esc(target)}"' if target is not None else "<g")
            + f' class="node {esc(node.role)}">'
            f'<rect x="{node.x:.0f}" y="{node.y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="6" '
            f'fill="{fills[node.role]}" stroke="#888"/>'
        )
        for lang, other in (("zh", "en"), ("en", "zh")):
            label = node.labels.get(lang) or node.labels.get(other) or node.iri.rsplit("/", 1)[-1]
            extra = " · ".join(
                v
                for v in (
                    node.status.get(lang) or node.status.get(other),
                    node.rank.get(lang) or node.rank.get(other),
                )
                if v
            )
            out.append(f'<g class="{lang}">')
            for k, line in enumerate(_wrap(label, 30)):
                out.append(
                    f'<text x="{node.x + 8:.0f}" y="{node.y + 17 + k * 15:.0f}" '
                    f'fill="{"#1a0dab" if target is not None else "#202124"}">{esc(line)}</text>'
                )
            if extra:
                out.append(
                    f'<text x="{node.x + 8:.0f}" y="{node.y + BOX_H - 7:.0f}" fill="#555" '
                    f'font-size="10">{esc(extra)}</text>'
                )
            out.append("</g>")
        out.append(f"</{tag}>")
    out.append("</svg>")
    return "\n".join(out)
