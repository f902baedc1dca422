"""The fact tables' schema: which sheets exist, their columns, what each column may hold.

One definition serves the reader (checks every cell before anything is built), the template
(headers, column notes, allowed values) and the contributor's guide in data/README.md. A
sheet is a CSV file `{sheet}.csv` in a folder, or a worksheet of that name in an .xlsx file.
"""

from __future__ import annotations

from dataclasses import dataclass

LIST_SEPARATOR = "|"
"""Separates several values in one cell (classes, alternative names, unknown properties)."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may take for the start of a formula when a text cell begins with it."""
CSV_ESCAPE = "'"
"""The CSV sheets' protection (OWASP's): govkg writes a text that begins with a character of
FORMULA_START, or with this apostrophe itself, with one apostrophe in front; the reader
takes one leading apostrophe off every CSV cell. So `=A1` is written `'=A1` and `'quoted`
is written `''quoted`, and both read back exactly. (An .xlsx template needs none of this:
its text cells are typed as text and marked quotePrefix, never formulas.)"""

MAX_CELL_CHARS = 32_767
"""The most characters of one cell (a spreadsheet's own limit); a longer one is refused."""


def protect_csv(text: str) -> str:
    """`text` as govkg writes it into a CSV sheet (see CSV_ESCAPE)."""
    return CSV_ESCAPE + text if text.startswith((*FORMULA_START, CSV_ESCAPE)) else text


def unprotect_csv(text: str) -> str:
    """The text of a CSV cell as govkg reads it: one leading apostrophe taken off."""
    return text[1:] if text.startswith(CSV_ESCAPE) else text


@dataclass(frozen=True)
class Column:
    name: str
    en: str
    zh: str
    required: bool = False
    many: bool = False  # several values joined by LIST_SEPARATOR
    choices: tuple[str, ...] = ()  # fixed allowed values (empty: free, or from `scheme`)
    scheme: str | None = None  # allowed values: the keys of this concept scheme
    datatype: str | None = None  # an XSD datatype every value must be (lexical and value)


@dataclass(frozen=True)
class Sheet:
    name: str
    en: str
    zh: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


BOOL = ("true", "false")
LANGS = ("zh", "en")
DATATYPES = ("xsd:string", "xsd:date", "xsd:gYear", "xsd:dateTime", "xsd:decimal",
             "xsd:integer", "xsd:boolean")  # fmt: skip

SOURCES = Sheet(
    "sources",
    "One row per source text (an article) and per series or publisher it names.",
    "每行一个来源文本(文章)或其所属栏目、出版者。",
    (
        Column("id", "IRI path: source/{key}", "IRI 路径:source/{key}", required=True),
        Column(
            "kind",
            "article, series or publisher",
            "类型",
            required=True,
            choices=("article", "series", "publisher"),
        ),
        Column(
            "name_zh", "title or name in Chinese, as written", "中文标题或名称(原文)", required=True
        ),
        Column("name_en", "title or name in English", "英文标题或名称", required=True),
        Column("part_of", "article: the series (source/…)", "文章所属栏目(source/…)"),
        Column("publisher", "the publisher (source/…)", "出版者(source/…)"),
        Column(
            "published",
            "article: publication time exactly as the text gives it "
            "(xsd:dateTime; no time zone unless the text states one)",
            "文章发布时间(按原文;原文未写时区则不写)",
            datatype="xsd:dateTime",
        ),
        Column("language", "article: language of the text (zh, en)", "文本语言", choices=LANGS),
        Column("media_type", "article: media type of the text file", "文本文件的媒体类型"),
        Column(
            "sha256", "article: SHA-256 of the text file (lower-case hex)", "文本文件的 SHA-256"
        ),
        Column(
            "text",
            "article: where the text file is found (path beside the checkout)",
            "文本文件位置(相对于仓库所在目录)",
        ),
        Column(
            "claims_dataset",
            "article: the qb:DataSet its claims belong to (dataset/…; "
            "default dataset/{key}-claims)",
            "文章统计所属数据集",
        ),
        Column("comment_en", "a note in English", "英文备注"),
    ),
)

ENTITIES = Sheet(
    "entities",
    "One complete row per resource: a body, group, office, post, event, person or statement.",
    "每个资源(机构、领导小组、办公室、职位、事件、人物、观点)一行。",
    (
        Column(
            "id",
            "IRI path {kind}/{key}: kind org, group, office, post, event, person or "
            "statement; key lower-case ASCII words joined by '-', places by ISO code first "
            "(org/cn-gs-big-data-bureau)",
            "IRI 路径",
            required=True,
        ),
        Column(
            "class",
            "class(es) from the ontology, e.g. gk:DataManagementBody",
            "本体中的类",
            required=True,
            many=True,
        ),
        Column(
            "jurisdiction",
            "ISO 3166-2 code, lower case (cn-gs; cn for national)",
            "所属行政区 ISO 代码(小写)",
        ),
        Column(
            "name_zh",
            "the resource's own name as the text writes it "
            "(becomes skos:prefLabel@zh); empty when the text gives no name",
            "原文所写的本名(空表示原文未给出名称)",
        ),
        Column(
            "label_zh",
            "how the text refers to it when it gives no name, or another of "
            "the text's words for it",
            "原文的泛称",
        ),
        Column(
            "label_en",
            "English label (translate the text's words; say 'name not given')",
            "英文名称",
            required=True,
        ),
        Column("alt_zh", "other names the text uses", "原文中的其他名称", many=True),
        Column(
            "unknown",
            "properties the text leaves unknown (gk:leftUnknown), e.g. skos:prefLabel",
            "原文未说明的属性",
            many=True,
        ),
        Column("comment_zh", "a note in Chinese", "中文备注"),
        Column("comment_en", "a note in English", "英文备注"),
        Column(
            "job_title_zh", "person: job titles as the text writes them", "职务(原文)", many=True
        ),
        Column("job_title_en", "person: job titles in English", "职务(英文)", many=True),
        Column(
            "affiliation_zh",
            "person: affiliations as the text writes them",
            "单位(原文)",
            many=True,
        ),
        Column("affiliation_en", "person: affiliations in English", "单位(英文)", many=True),
    ),
)

QUOTES = Sheet(
    "quotes",
    "One row per quote: a short verbatim span of a source (at most 70 characters).",
    "每行一条引文:来源中的一段原文(不超过70字)。",
    (
        Column(
            "id", "evidence key (lower-case ASCII words joined by '-')", "证据键", required=True
        ),
        Column("source", "the source it quotes (source/…)", "所引来源", required=True),
        Column("quote", "the exact words, character for character", "原文,逐字", required=True),
        Column(
            "occurrence",
            "which occurrence, when the words occur more than once (1, 2…)",
            "第几次出现",
            datatype="xsd:positiveInteger",
        ),
        Column(
            "list_exhaustive",
            "false where the quote lists examples (主要包括, 如…等, 等); "
            "true where it says the list is complete",
            "列举是否完整",
            choices=BOOL,
            datatype="xsd:boolean",
        ),
        Column("comment_en", "why the quote supports its statements, in English", "英文说明"),
    ),
)

STATEMENTS = Sheet(
    "statements",
    "One row per fact: a triple the quote states. Literals have a lang or a datatype.",
    "每行一个事实:引文所陈述的三元组。",
    (
        Column("quote", "the quote that states it (quotes.id)", "引文键", required=True),
        Column("subject", "entities.id, claim/… or source/…", "主语", required=True),
        Column("predicate", "a property, e.g. gk:managedBy", "谓词", required=True),
        Column(
            "object",
            "entities.id, a place (place/cn-gs), a concept (concept/{scheme}/{key}) or a literal",
            "宾语",
            required=True,
        ),
        Column("lang", "language of a text literal", "文字语言", choices=LANGS),
        Column("datatype", "datatype of a typed literal", "数据类型", choices=DATATYPES),
    ),
)

DERIVATIONS = Sheet(
    "derivations",
    "One row per triple govkg concludes rather than the text states, with how and from "
    "which quotes.",
    "每行一个由 govkg 推断(而非原文陈述)的三元组,及推断方法和依据的引文。",
    (
        Column(
            "id", "derivation key (lower-case ASCII words joined by '-')", "推断键", required=True
        ),
        Column("subject", "entities.id", "主语", required=True),
        Column("predicate", "a property", "谓词", required=True),
        Column("object", "as in statements", "宾语", required=True),
        Column("lang", "language of a text literal", "文字语言", choices=LANGS),
        Column("datatype", "datatype of a typed literal", "数据类型", choices=DATATYPES),
        Column(
            "method", "how it was derived", "推断方法", required=True, scheme="derivation-method"
        ),
        Column(
            "from", "the quotes it rests on (quotes.id)", "依据的引文", required=True, many=True
        ),
        Column("comment_en", "the reasoning, in English", "英文说明", required=True),
    ),
)

CLAIMS = Sheet(
    "claims",
    "One row per number the text states (an aggregate), exactly as stated.",
    "每行一个原文所述统计数字,按原文,不作调整。",
    (
        Column("id", "claim key (also the claim-topic key)", "统计键", required=True),
        Column("topic_zh", "what is counted, in Chinese", "统计对象(中文)", required=True),
        Column("topic_en", "what is counted, in English", "统计对象(英文)", required=True),
        Column(
            "value",
            "the number as a decimal (1/3 as 0.3333)",
            "数值",
            required=True,
            datatype="xsd:decimal",
        ),
        Column("unit", "unit of the number", "单位", required=True, scheme="unit"),
        Column(
            "stated_text",
            "the number exactly as the text writes it (近70%, 四)",
            "原文写法",
            required=True,
        ),
        Column(
            "stated_text_en",
            "the number as written, in English (nearly 70%, four)",
            "英文写法",
            required=True,
        ),
        Column("source", "the source (source/…)", "来源", required=True),
        Column("quote", "the exact words stating the number", "原文", required=True),
        Column(
            "occurrence",
            "which occurrence of the words (1, 2…)",
            "第几次出现",
            datatype="xsd:positiveInteger",
        ),
        Column(
            "as_of", "the cut-off date the text states (xsd:date)", "截止日期", datatype="xsd:date"
        ),
        Column("qualifier", "nearly / less than / more than", "限定词", scheme="qualifier"),
        Column(
            "total",
            "true: the text states a total (共计, 共有); false: it counts the "
            "examples it lists (这四个)",
            "是否为总数",
            choices=BOOL,
            datatype="xsd:boolean",
        ),
        Column(
            "list_exhaustive",
            "whether the enumeration next to the number is complete",
            "列举是否完整",
            choices=BOOL,
            datatype="xsd:boolean",
        ),
        Column("part_of", "the claim whose total this number is a part of (其中)", "所属总数"),
        Column(
            "share_of",
            "for a share: the claims whose figures it is the share of: "
            "numerator claims then '/' and the denominator claim",
            "占比的分子/分母",
        ),
        Column(
            "stated_by", "who states it: the source or a person (person/…)", "陈述者", required=True
        ),
        Column("year", "the year the number refers to (xsd:gYear)", "年份", datatype="xsd:gYear"),
        Column("comment_en", "a note in English", "英文备注"),
    ),
)

SHEETS: dict[str, Sheet] = {
    s.name: s for s in (SOURCES, ENTITIES, QUOTES, STATEMENTS, DERIVATIONS, CLAIMS)
}
ENTITY_KINDS = ("org", "group", "office", "post", "event", "person", "statement")
