"""The naming rule (govkg.tables.naming) against an independent reading of its contract.

Property tests over the bundled tables: a stated triple moved to a quote (a real clause of the
article, or an arbitrary text) is refused exactly when the quote holds none of the names the
contract allows, and a `W = name` mapping in the quote's comment is what lets it pass.
"""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from govkg.tables.naming import Names, check_naming, mappings
from govkg.tables.read import Row

REPO = Path(__file__).resolve().parents[1]
TABLES = REPO / "data" / "tables"


def _rows(sheet: str) -> list[dict[str, str]]:
    with (TABLES / f"{sheet}.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _places() -> dict[str, set[str]]:
    with (REPO / "reference" / "provinces.csv").open(encoding="utf-8") as fh:
        return {
            f"place/{r['iso3166_2'].lower()}": {
                r["name_zh"],
                r["short_zh"],
                r["name_en"],
                r["short_en"],
            }
            for r in csv.DictReader(fh)
        }


PLACES = _places()
ENTITIES = {
    r["id"]: Names(
        own={n for n in (r["name_zh"] if r["name_zh"] else "", *r["alt_zh"].split("|")) if n}
        | ({r["label_zh"]} if r["name_zh"] and r["label_zh"] else set()),
        generic={r["label_zh"]} if not r["name_zh"] and r["label_zh"] else set(),
        place=f"place/{r['jurisdiction']}" if r["jurisdiction"] else None,
        named=bool(r["name_zh"]),
    )
    for r in _rows("entities")
}
STATED = [r for r in _rows("statements") if r["subject"] in ENTITIES]
ARTICLE = (REPO.parent / "shared" / "sources" / "article.zh.txt").read_text(encoding="utf-8")
CLAUSES = [c for c in ARTICLE.replace("。", ",").split(",") if 4 <= len(c) <= 70]


def _oracle(subject: str, obj: str, quote: str) -> bool:
    """The contract, read independently: which entities of the triple the quote names."""
    ends = [e for e in (subject, obj) if e in ENTITIES]
    named = {}
    for e in ends:
        n = ENTITIES[e]
        words = set(n.own) if n.named else n.own | n.generic | PLACES.get(n.place or "", set())
        named[e] = any(w in quote for w in words)
    if not ends:
        return True
    return any(named.values()) and all(named[e] for e in ends if ENTITIES[e].named)


def _verdict(row: dict[str, str], quote: str, comment: str = "") -> bool:
    """True when check_naming accepts the triple stated by `quote` with `comment`."""
    stmt = Row("statements", 2, {"quote": "q"})
    quotes = {"q": Row("quotes", 2, {"id": "q", "quote": quote, "comment_en": comment})}
    obj = row["object"] if row["object"] in ENTITIES else None
    o: object = type("Ref", (), {"ref": obj})() if obj else row["object"]
    problems = check_naming([(stmt, row["subject"], row["predicate"], o)], quotes, ENTITIES, PLACES)
    return not problems


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(STATED), st.sampled_from(CLAUSES))
def test_the_rule_agrees_with_the_contract_on_the_articles_clauses(
    row: dict[str, str], clause: str
) -> None:
    assert _verdict(row, clause) == _oracle(row["subject"], row["object"], clause)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(STATED), st.text(alphabet="的是在省局中心政务数据管理机构其这些", max_size=30)
)
def test_a_quote_without_names_fails_and_a_mapping_to_the_name_passes(
    row: dict[str, str], filler: str
) -> None:
    quote = "其" + filler  # holds no province and no body name of the bundled tables
    if _oracle(row["subject"], row["object"], quote):
        return  # a generic noun of the table happens to be in the filler
    assert not _verdict(row, quote)
    subject = ENTITIES[row["subject"]]
    if not (subject.named or subject.generic):
        return
    name = sorted(subject.own if subject.named else subject.generic)[0]
    if row["object"] in ENTITIES and ENTITIES[row["object"]].named:
        other = sorted(ENTITIES[row["object"]].own)[0]
        comment = f"其 = {name} and {other}."
    else:
        comment = f"其 = {name}."
    assert _verdict(row, quote, comment), comment
    # a mapping whose word is not in the quote maps nothing
    assert not _verdict(row, quote, comment.replace("其 =", "该局 ="))


def test_mapping_forms() -> None:
    assert mappings("其 = 河南省大数据管理局 (the sentence before); x", "其领导") == [
        "河南省大数据管理局 (the sentence before)"
    ]
    assert mappings("Said of 海南省大数据管理局. Other.", "是法定机构") == ["海南省大数据管理局"]
    assert mappings("该局 = 青海省测试数据局.", "其为副厅级") == []
