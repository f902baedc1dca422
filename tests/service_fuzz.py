"""Queries that hide a SERVICE call: a hypothesis strategy shared by the test and fuzz/.

Each generated query puts `SERVICE <target> { ... }` somewhere a home-made scanner could
miss it: behind comments ended by LF, CR or CRLF; next to strings, IRIs and prefixed names
with escapes; with the keyword and the target IRI spelt through \\u / \\U escapes and mixed
case; inside nested groups, OPTIONAL, MINUS, UNION, FILTER EXISTS and subqueries; with the
target given as an IRI, a prefixed name or a variable bound by VALUES.
"""

from __future__ import annotations

from hypothesis import strategies as st

WHITESPACE = st.sampled_from([" ", "\t", "\n", "\r", "\r\n", "  "])


@st.composite
def spelt(draw: st.DrawFn, word: str, escapes: bool = True) -> str:
    """`word` with each character in either case, and now and then as \\uXXXX or \\UXXXXXXXX.

    pyoxigraph reads no escapes in keywords while rdflib does: escaped keywords probe that
    disagreement, plain ones make queries the engine runs.
    """
    out = []
    for ch in word:
        ch = draw(st.sampled_from([ch.lower(), ch.upper()])) if ch.isalpha() else ch
        form = draw(st.sampled_from(["plain"] * 40 + ["u", "U"])) if escapes else "plain"
        if form == "u":
            ch = f"\\u{ord(ch):04X}"
        elif form == "U":
            ch = f"\\U{ord(ch):08X}"
        out.append(ch)
    return "".join(out)


@st.composite
def junk(draw: st.DrawFn, var: str) -> str:
    """Something a tokenizer must read right before the SERVICE: it hides nothing by itself."""
    kind = draw(
        st.sampled_from(
            ["comment", "string", "long-string", "iri", "pname", "bind", "triple", "none"]
        )
    )
    end = draw(st.sampled_from(["\n", "\r", "\r\n"]))
    word = draw(st.sampled_from(["SERVICE", "x", "} SERVICE", '"', "'", "\\", "#", "<", ">"]))
    if kind == "comment":
        return f"# {word}{end}"
    if kind == "string":
        quote = draw(st.sampled_from(['"', "'"]))
        body = word.replace("\\", "\\\\").replace(quote, "\\" + quote)
        return f"BIND({quote}{body} \\{quote}{quote} AS ?{var})"
    if kind == "long-string":
        body = word.replace('"', "")
        return f'BIND("""{body}\\"\n""" AS ?{var})'
    if kind == "iri":
        return f"?{var} <http://example.org/SERVICE#x> ?k ."
    if kind == "pname":
        local = draw(st.sampled_from(["a\\(\\'", "a\\.b", "\\-x", "a\\#b", "a\\~"]))
        return f"BIND(gk:{local} AS ?{var})"
    if kind == "bind":
        return f'BIND(CONCAT("SERV", "ICE") AS ?{var})'
    if kind == "triple":
        return f"?{var} ?k ?l ."
    return ""


@st.composite
def hidden_service(draw: st.DrawFn, target: str) -> tuple[str, str]:
    """(query text, how the target was written) for a SERVICE to `target`."""
    how = draw(st.sampled_from(["iri"] * 3 + ["pname"] * 2 + ["escaped-iri", "variable"]))
    prologue = ""
    if how == "iri":
        where = f"<{target}>"
    elif how == "escaped-iri":
        where = (
            "<" + "".join(f"\\u{ord(c):04X}" if draw(st.booleans()) else c for c in target) + ">"
        )
    elif how == "pname":
        base, _, local = target.rpartition("/")
        prologue = f"PREFIX svc: <{base}/>\n"
        where = f"svc:{local}"
    else:
        where = "?svc"
    keyword = draw(spelt("SERVICE"))
    silent = draw(st.sampled_from(["", " SILENT", " silent"]))
    ws = draw(WHITESPACE)
    pattern = f"{keyword}{silent}{ws}{where}{draw(WHITESPACE)}{{ ?s ?p ?o }}"
    if how == "variable":
        pattern = f"BIND(<{target}> AS ?svc) {pattern}"
    for _ in range(draw(st.integers(0, 3))):
        wrap = draw(st.sampled_from(["group", "optional", "minus", "union", "exists", "sub"]))
        pattern = {
            "group": f"{{ {pattern} }}",
            "optional": f"OPTIONAL {{ {pattern} }}",
            "minus": f"?s ?p ?o MINUS {{ {pattern} }}",
            "union": f"{{ ?s ?p ?o }} UNION {{ {pattern} }}",
            "exists": f"FILTER EXISTS {{ {pattern} }}",
            "sub": f"{{ SELECT * WHERE {{ {pattern} }} }}",
        }[wrap]
    before = draw(junk("j1"))
    after = draw(junk("j2"))
    select = draw(spelt("SELECT", escapes=False))
    text = f"{prologue}{select} * WHERE {{ {before}{draw(WHITESPACE)}{pattern}{ws}{after} }}"
    if draw(st.booleans()):
        text += " LIMIT 1"
    return text, how
