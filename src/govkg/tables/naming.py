"""The naming rule: a stated triple's quote names the resources the triple is about.

A quote states a triple only if the words are there. Where a quote refers to a body by a
generic noun ("其政务服务机构", "这些机构") and the triple names a particular body the article
names elsewhere, the triple is govkg's identification, not the quote's statement, and must be a
derivation (`derivations` sheet, method `identification` or `combination`, with a note).

For each stated triple (a `statements` row) the entities it links (subject, and object where it
is an entity: not a concept, place, literal, source or claim) are checked against the quote:
- an entity with a name of its own (a `skos:prefLabel@zh`: the `name_zh` column) is named by
  that name or one of its `skos:altLabel@zh`;
- an entity the article names only generically (no name of its own) is named by its generic
  noun (`rdfs:label@zh`) or by its province's name (广东, 广东省);
- or the quote's annotation comment (`comment_en` of the quote) maps words of the quote to it,
  in one of two forms, each ending at ';' or a full stop: `W = …` (W a word of the quote, e.g.
  `其 = …`, `另外三省 = Liaoning, Gansu and Shaanxi`) and `Said of …` (the quote's subject,
  left out); what follows must hold the entity's own name, or, for an entity without one, its
  generic noun or its province's name (Chinese or English).
The triple fails when no entity of it is named, or when an entity with a name of its own is
not named by it: one problem per `statements` row, naming the row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from govkg.tables.read import Problem, Row
from govkg.tables.schema import ENTITY_KINDS

# `W = what`: W a run of characters without spaces or separators; `Said of what`
_MAPPING = re.compile(r"(?:(?P<word>[^\s=;:,.()]+) = |\bSaid of )(?P<what>.*?)(?=;|\.(?:\s|$)|$)")


@dataclass
class Names:
    """What names a resource in a quote: its own names, its generic nouns, its province."""

    own: set[str] = field(default_factory=set)  # skos:prefLabel@zh, skos:altLabel@zh
    generic: set[str] = field(default_factory=set)  # rdfs:label@zh of a body with no own name
    place: str | None = None  # place/… (its jurisdiction)
    named: bool = False  # it has a name of its own (a skos:prefLabel@zh)


def names_from_pairs(pairs: Iterable[tuple[str, object]]) -> Names:
    """The Names of a resource from its (predicate, object) pairs (govkg.tables.turtle terms)."""
    n = Names()
    labels: set[str] = set()
    for p, o in pairs:
        lang, value = getattr(o, "lang", None), getattr(o, "value", None)
        if p == "gk:jurisdiction":
            n.place = getattr(o, "ref", None)
        elif lang == "zh" and value:
            if p == "skos:prefLabel":
                n.own.add(value)
                n.named = True
            elif p == "skos:altLabel":
                n.own.add(value)
            elif p == "rdfs:label":
                labels.add(value)
    if not n.named:
        n.generic = labels
    return n


def mappings(comment: str, quote: str) -> list[str]:
    """The texts the comment maps words of the quote (or its left-out subject) to."""
    out = []
    for m in _MAPPING.finditer(comment or ""):
        word = m.group("word")
        if word is None or word in quote:
            out.append(m.group("what"))
    return out


def _named(names: Names, quote: str, mapped: list[str], place_names: set[str]) -> bool:
    if any(n in quote for n in names.own):
        return True
    if not names.named and (
        any(n in quote for n in names.generic) or any(n in quote for n in place_names)
    ):
        return True
    words = names.own if names.named else names.own | names.generic | place_names
    return any(w in text for text in mapped for w in words)


def check_naming(
    statements: Iterable[tuple[Row, str, str, object]],
    quotes: dict[str, Row],
    names: dict[str, Names],
    place_names: dict[str, set[str]],
) -> list[Problem]:
    """One problem per stated triple whose quote does not name what it is about.

    `statements`: (row, subject, predicate, object) of each statements row that compiled;
    `quotes`: quote id -> its row; `names`: entity -> Names; `place_names`: place -> names.
    """
    problems: list[Problem] = []
    mapped: dict[str, list[str]] = {}
    for row, s, _p, o in statements:
        q = quotes[row.get("quote")]
        text = q.get("quote")
        key = q.get("id")
        if key not in mapped:
            mapped[key] = mappings(q.get("comment_en"), text)
        refs = [s, getattr(o, "ref", None)]
        entities = [r for r in refs if r and r.split("/", 1)[0] in ENTITY_KINDS and r in names]
        if not entities:
            continue
        found = {
            e: _named(names[e], text, mapped[key], place_names.get(names[e].place or "", set()))
            for e in entities
        }
        missing = [e for e in entities if not found[e] and names[e].named]
        if any(found.values()) and not missing:
            continue
        who = missing[0] if missing else " nor ".join(entities)
        problems.append(
            Problem(
                row.sheet,
                row.number,
                "quote",
                f"the quote {key!r} does not name {who}: a triple the quote only implies is a "
                "derivation (derivations sheet, method identification, with a note), or map the "
                "quote's words in its comment_en ('W = …' / 'Said of …')",
            )
        )
    return problems
