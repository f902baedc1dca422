"""The article's facts, written once in a readable form; tools/build_data.py turns them into Turtle.

Two kinds of entry:
- `ent(...)` declares a resource: its class, names, jurisdiction and what the article leaves
  unknown. A `zh` name is given only where the article writes that body's own name; a body
  the article refers to by a generic noun ("省政府办公厅", "大数据局", "省级大数据管理机构")
  gets that noun as its rdfs:label and `gk:leftUnknown skos:prefLabel`.
- `fact(key, quote, *triples)` states triples and the short article quote they rest on. The
  build finds the quote's offsets, writes an annotation `evidence/{key}` whose bodies reify
  the triples, and links every resource of the triples to it with gk:attestedBy.

Nothing here may come from anywhere but the article (places: see tools/build_places.py).
Identifying a body the article mentions twice (e.g. Jilin's directly-affiliated agency, its
government-service body hosting the leading-group office, and 吉林省政务服务和数字化建设管理局)
follows the article's own counting of one provincial body per province (28 bodies in 25
provinces = 25 + the three "一局一中心" centres); see data/README.md.
"""

# ruff: noqa: E501 - quotes of the article are kept whole on one line, to be searchable
from __future__ import annotations

from dataclasses import dataclass, field

from ttl import L

# --------------------------------------------------------------------------- the DSL


@dataclass
class Entity:
    ref: str
    types: list[str]
    place: str | None
    zh: str | None
    en: str
    label_zh: str | None = None
    alt_zh: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    comment_en: str | None = None
    comment_zh: str | None = None
    extra: list[tuple[str, object]] = field(default_factory=list)


@dataclass
class Fact:
    key: str
    quote: str
    triples: list[tuple[str, str, object]]
    occurrence: int = 1
    comment: str | None = None


ENTITIES: dict[str, Entity] = {}
FACTS: list[Fact] = []


def ent(
    ref: str,
    cls: str | list[str],
    place: str | None,
    *,
    en: str,
    zh: str | None = None,
    label_zh: str | None = None,
    alt_zh: tuple[str, ...] = (),
    unknown: tuple[str, ...] = (),
    comment_en: str | None = None,
    comment_zh: str | None = None,
    extra: tuple[tuple[str, object], ...] = (),
) -> str:
    """Declare a resource; unnamed ones (no `zh`) get gk:leftUnknown skos:prefLabel."""
    if ref in ENTITIES:
        raise ValueError(f"{ref} declared twice")
    types = [cls] if isinstance(cls, str) else list(cls)
    unk = list(unknown)
    named_kind = ref.split("/", 1)[0] in ("org", "group", "office")
    if zh is None and named_kind and "skos:prefLabel" not in unk:
        unk.insert(0, "skos:prefLabel")
    ENTITIES[ref] = Entity(
        ref, types, place, zh, en, label_zh, list(alt_zh), unk, comment_en, comment_zh,
        list(extra),
    )  # fmt: skip
    return ref


def fact(
    key: str,
    quote: str,
    *triples: tuple[str, str, object],
    occurrence: int = 1,
    comment: str | None = None,
) -> None:
    """State triples with the article quote that supports them."""
    if any(f.key == key for f in FACTS):
        raise ValueError(f"evidence key {key} used twice")
    FACTS.append(Fact(key, quote, list(triples), occurrence, comment))


def T(s: str, p: str, o: object) -> tuple[str, str, object]:
    return (s, p, o)


# concept shortcuts
def status(key: str) -> str:
    return f"concept/legal-status/{key}"


def rank(key: str) -> str:
    return f"concept/rank/{key}"


def focus(key: str) -> str:
    return f"concept/focus/{key}"


def kind(key: str) -> str:
    return f"concept/change-kind/{key}"


def post_role(key: str) -> str:
    return f"concept/post-role/{key}"


DIRECT = status("directly-affiliated-agency")
DEPT_ADMIN = status("department-administered-agency")
PLAQUE = status("plaque-body")
PUBLIC_INST = status("public-institution")
STATUTORY = status("statutory-body")
ADMIN_BODY = status("administrative-body")
INTERNAL_UNIT = status("internal-unit")
FULL = rank("full-department-level")
DEPUTY = rank("deputy-department-level")
YEAR = "xsd:gYear"

SHORT = {
    "cn-bj": "Beijing", "cn-tj": "Tianjin", "cn-sx": "Shanxi", "cn-nm": "Inner Mongolia",
    "cn-ln": "Liaoning", "cn-jl": "Jilin", "cn-hl": "Heilongjiang", "cn-sh": "Shanghai",
    "cn-js": "Jiangsu", "cn-zj": "Zhejiang", "cn-ah": "Anhui", "cn-fj": "Fujian",
    "cn-jx": "Jiangxi", "cn-sd": "Shandong", "cn-ha": "Henan", "cn-hb": "Hubei",
    "cn-hn": "Hunan", "cn-gd": "Guangdong", "cn-gx": "Guangxi", "cn-hi": "Hainan",
    "cn-cq": "Chongqing", "cn-sc": "Sichuan", "cn-gz": "Guizhou", "cn-yn": "Yunnan",
    "cn-xz": "Tibet", "cn-sn": "Shaanxi", "cn-gs": "Gansu",
}  # fmt: skip

# --------------------------------------------------------------------------- generic bodies


def general_office(p: str) -> str:
    return ent(
        f"org/{p}-general-office", "gk:GeneralOffice", p, label_zh="省政府办公厅",
        en=f"{SHORT[p]}: general office of the provincial government",
    )  # fmt: skip


def drc(p: str) -> str:
    return ent(
        f"org/{p}-development-and-reform-commission", "gk:DevelopmentAndReformCommission", p,
        label_zh="省发改委", en=f"{SHORT[p]}: provincial development and reform commission",
    )  # fmt: skip


def peoples_government(p: str) -> str:
    return ent(
        f"org/{p}-peoples-government", "gk:PeoplesGovernment", p, label_zh="省人民政府",
        en=f"{SHORT[p]}: provincial people's government",
    )  # fmt: skip


DG_GROUPS: dict[str, tuple[str, str, str]] = {}


def dg_group(p: str) -> tuple[str, str, str]:
    """A digital-government leading group whose name and chair the article does not give."""
    g = ent(
        f"group/{p}-digital-government-leading-group", "gk:DigitalGovernmentLeadingGroup", p,
        label_zh="数字政府建设领导小组", en=f"{SHORT[p]}: digital government leading group",
        comment_en="The article names the province among those whose leading-group office it "
        "describes; the group's own name is not given.",
    )  # fmt: skip
    o = ent(
        f"office/{p}-digital-government-leading-group-office", "gk:LeadingGroupOffice", p,
        label_zh="领导小组办公室", en=f"{SHORT[p]}: office of the digital government leading group",
    )  # fmt: skip
    c = ent(
        f"post/{p}-digital-government-leading-group-chair", "gk:ChairPost", p,
        label_zh="组长", en=f"{SHORT[p]}: chair of the digital government leading group",
        unknown=("gk:heldExOfficioBy",),
        comment_en="Who chairs this group is not stated in the article's text (it gives only "
        "counts by kind of chair).",
    )  # fmt: skip
    DG_GROUPS[p] = (g, o, c)
    return g, o, c


# =========================================================================== national

NDA = ent(
    "org/cn-national-data-administration", "gk:DataManagementBody", "cn",
    zh="国家数据局", en="National Data Administration",
)  # fmt: skip
NDA_UNVEIL = ent(
    "event/cn-national-data-administration-unveiling", "gk:ChangeEvent", "cn",
    zh="国家数据局正式揭牌", en="Unveiling of the National Data Administration",
    comment_en="The article says the unveiling marks a new stage of China's digital-government "
    "building (标志着我国数字政府建设进入一个新阶段).",
)  # fmt: skip
fact(
    "cn-national-data-administration-unveiling",
    "2023年10月25日,国家数据局正式揭牌",
    T(NDA_UNVEIL, "gk:changeKind", kind("unveiling")),
    T(NDA_UNVEIL, "gk:date", L("2023-10-25", dt="xsd:date")),
    T(NDA_UNVEIL, "org:resultingOrganization", NDA),
    T(NDA, "skos:prefLabel", L("国家数据局", "zh")),
)

# =========================================================================== leading groups
# Every digital-government leading group the article names a province for: the 17 provinces
# whose leading-group office it describes (16 in the office paragraph + Heilongjiang in the
# next). The other 9 of the "26" are not named: only the claim holds them.

for p in ("cn-gs", "cn-hb", "cn-nm", "cn-xz", "cn-fj", "cn-js", "cn-ln", "cn-yn"):
    dg_group(p)
for p in ("cn-ah", "cn-gx"):
    dg_group(p)
for p in ("cn-gd", "cn-ha", "cn-jl", "cn-sx", "cn-tj", "cn-hl"):
    dg_group(p)

# Shandong: named group, two chairs held ex officio by the Party secretary and the governor.
SD_GROUP = ent(
    "group/cn-sd-digital-province-leading-group", "gk:DigitalGovernmentLeadingGroup", "cn-sd",
    zh="数字强省建设领导小组", en="Shandong: leading group for building a strong digital province",
)  # fmt: skip
SD_OFFICE = ent(
    "office/cn-sd-digital-province-leading-group-office", "gk:LeadingGroupOffice", "cn-sd",
    label_zh="领导小组办公室", en="Shandong: office of the leading group for building a strong digital province",
)  # fmt: skip
SD_CHAIR1 = ent(
    "post/cn-sd-digital-province-leading-group-chair-1", "gk:ChairPost", "cn-sd",
    label_zh="组长", en="Shandong: co-chair of the leading group for building a strong digital province (1)",
)  # fmt: skip
SD_CHAIR2 = ent(
    "post/cn-sd-digital-province-leading-group-chair-2", "gk:ChairPost", "cn-sd",
    label_zh="组长", en="Shandong: co-chair of the leading group for building a strong digital province (2)",
)  # fmt: skip
SD_PARTY = ent(
    "org/cn-sd-party-committee", "gk:PartyCommittee", "cn-sd", label_zh="省委",
    en="Shandong: provincial Party committee",
)  # fmt: skip
SD_GOV = peoples_government("cn-sd")
SD_SECRETARY = ent(
    "post/cn-sd-party-secretary", "gk:OfficeHolderPost", "cn-sd", label_zh="省委书记",
    en="Shandong: provincial Party secretary",
    comment_en="The article's words are 省委书记 (provincial Party secretary), said of Shandong.",
    extra=(("org:postIn", SD_PARTY),),
)  # fmt: skip
SD_GOVERNOR = ent(
    "post/cn-sd-governor", "gk:OfficeHolderPost", "cn-sd", label_zh="省长",
    en="Shandong: governor",
    comment_en="The article's words are 省长 (governor), said of Shandong.",
    extra=(("org:postIn", SD_GOV),),
)  # fmt: skip
DG_GROUPS["cn-sd"] = (SD_GROUP, SD_OFFICE, SD_CHAIR1)

fact(
    "cn-sd-digital-province-leading-group-co-chairs",
    "其“数字强省建设领导小组”为双组长结构,即省委书记、省长均为该领导小组组长",
    T(SD_GROUP, "skos:prefLabel", L("数字强省建设领导小组", "zh")),
    T(SD_GROUP, "gk:hasChair", SD_CHAIR1),
    T(SD_GROUP, "gk:hasChair", SD_CHAIR2),
    T(SD_CHAIR1, "gk:heldExOfficioBy", SD_SECRETARY),
    T(SD_CHAIR2, "gk:heldExOfficioBy", SD_GOVERNOR),
    T(SD_SECRETARY, "org:postIn", SD_PARTY),
    T(SD_GOVERNOR, "org:postIn", SD_GOV),
    T(SD_SECRETARY, "org:role", post_role("party-secretary")),
    T(SD_GOVERNOR, "org:role", post_role("governor")),
    comment="The sentence before it (值得注意的是山东省) says this is Shandong's group.",
)

# chairs whose holder is unknown: the article says only that such groups are led by senior
# provincial officials
fact(
    "digital-government-leading-groups-led-by-senior-officials",
    "这些机构通常由省级高层官员领导",
    *[T(g, "gk:hasChair", c) for p, (g, _o, c) in sorted(DG_GROUPS.items()) if p != "cn-sd"],
    comment="Said of the 26 provinces' leading groups in general (通常, usually); it attests "
    "that each group has a chair, not who holds it.",
)

# --- where the leading-group offices sit (17 provinces with public information)
GO = {p: general_office(p) for p in ("cn-gs", "cn-hb", "cn-nm", "cn-xz")}
fact(
    "leading-group-offices-in-general-office",
    "一是设置在省政府办公厅,主要包括甘肃、湖北、内蒙古、西藏这四个中西部省份",
    *[
        t
        for p in ("cn-gs", "cn-hb", "cn-nm", "cn-xz")
        for t in (
            T(DG_GROUPS[p][0], "gk:hasOffice", DG_GROUPS[p][1]),
            T(DG_GROUPS[p][1], "gk:hostedIn", GO[p]),
        )
    ],
    comment="Listed with 主要包括 (mainly includes): the list is not exhaustive.",
)
DRC = {p: drc(p) for p in ("cn-fj", "cn-js", "cn-ln", "cn-yn")}
fact(
    "leading-group-offices-in-drc",
    "二是设置于省发改委,主要包括福建、江苏、辽宁以及云南",
    *[
        t
        for p in ("cn-fj", "cn-js", "cn-ln", "cn-yn")
        for t in (
            T(DG_GROUPS[p][0], "gk:hasOffice", DG_GROUPS[p][1]),
            T(DG_GROUPS[p][1], "gk:hostedIn", DRC[p]),
        )
    ],
    comment="Listed with 主要包括 (mainly includes): the list is not exhaustive.",
)

# =========================================================================== data bodies
# --- directly-affiliated agencies, full department level
AH = ent(
    "org/cn-ah-data-resources-bureau", "gk:DataManagementBody", "cn-ah", zh="数据资源管理局",
    alt_zh=("政务服务管理局",), en="Anhui data resources bureau",
)  # fmt: skip
GX = ent(
    "org/cn-gx-big-data-body", "gk:DataManagementBody", "cn-gx", label_zh="省级大数据管理机构",
    en="Guangxi: provincial big data body (name not given)",
)  # fmt: skip
SD = ent(
    "org/cn-sd-big-data-body", "gk:DataManagementBody", "cn-sd", label_zh="省级大数据管理机构",
    en="Shandong: provincial big data body (name not given)",
)  # fmt: skip
JL = ent(
    "org/cn-jl-government-services-and-digitalisation-bureau", "gk:DataManagementBody", "cn-jl",
    zh="吉林省政务服务和数字化建设管理局",
    en="Jilin Government Services and Digitalisation Construction Administration Bureau",
)  # fmt: skip
CQ = ent(
    "org/cn-cq-data-management-body", "gk:DataManagementBody", "cn-cq",
    label_zh="省级政务服务或数据管理工作机构",
    en="Chongqing: provincial government-service or data-management body (name not given)",
)  # fmt: skip
GZ = ent(
    "org/cn-gz-big-data-development-bureau", "gk:DataManagementBody", "cn-gz",
    zh="贵州省大数据发展管理局", en="Guizhou Big Data Development Administration Bureau",
)  # fmt: skip
GOV = {p: (SD_GOV if p == "cn-sd" else peoples_government(p)) for p in
       ("cn-jl", "cn-ah", "cn-sd", "cn-gx", "cn-cq", "cn-gz")}  # fmt: skip
DIRECT_BODIES = {"cn-jl": JL, "cn-ah": AH, "cn-sd": SD, "cn-gx": GX, "cn-cq": CQ, "cn-gz": GZ}
for _p, _b in DIRECT_BODIES.items():
    ENTITIES[_b].unknown.append("gk:directlyUnder")
fact(
    "directly-affiliated-agencies-full-department-level",
    "这6家直属机构均为正厅(局)级,主要分布在吉林、安徽、山东、广西、重庆、贵州六省份",
    *[
        t
        for b in DIRECT_BODIES.values()
        for t in (T(b, "gk:legalStatus", DIRECT), T(b, "gk:rank", FULL))
    ],
)
fact(
    "directly-affiliated-agencies-under-government",
    "这些机构均隶属于各省人民政府或办公厅",
    *[T(b, "gk:subordinateTo", GOV[p]) for p, b in DIRECT_BODIES.items()],
    comment="隶属于各省人民政府或办公厅: whether each sits directly under the people's "
    "government or under its general office is not said (gk:leftUnknown gk:directlyUnder); "
    "either way it is subordinate to the people's government.",
)

# --- offices hosted in the big-data body / the government-service body
SX_GS = ent(
    "org/cn-sx-government-services-body", "gk:DataManagementBody", "cn-sx", label_zh="政务服务机构",
    en="Shanxi: government-service body (name not given)",
)  # fmt: skip
TJ_GS = ent(
    "org/cn-tj-government-services-body", "gk:DataManagementBody", "cn-tj", label_zh="政务服务机构",
    en="Tianjin: government-service body (name not given)",
)  # fmt: skip
GD = ent(
    "org/cn-gd-government-services-data-bureau", "gk:DataManagementBody", "cn-gd",
    zh="广东省政务服务数据管理局", en="Guangdong Government Services and Data Administration Bureau",
)  # fmt: skip
HA = ent(
    "org/cn-ha-big-data-bureau", "gk:DataManagementBody", "cn-ha", zh="河南省大数据管理局",
    alt_zh=("河南省行政审批和政务信息管理局",), en="Henan Big Data Administration Bureau",
)  # fmt: skip
fact(
    "leading-group-offices-in-big-data-body",
    "如安徽、广西、山东等,设置于其省级大数据管理机构",
    *[
        t
        for p, b in (("cn-ah", AH), ("cn-gx", GX), ("cn-sd", SD))
        for t in (
            T(DG_GROUPS[p][0], "gk:hasOffice", DG_GROUPS[p][1]),
            T(DG_GROUPS[p][1], "gk:hostedIn", b),
        )
    ],
    comment="Listed with 如…等 (such as … etc.): the list is not exhaustive.",
)
fact(
    "leading-group-offices-in-government-service-body",
    "广东、河南、吉林、山西、天津等地,则设置在其政务服务机构",
    *[
        t
        for p, b in (
            ("cn-gd", GD),
            ("cn-ha", HA),
            ("cn-jl", JL),
            ("cn-sx", SX_GS),
            ("cn-tj", TJ_GS),
        )
        for t in (
            T(DG_GROUPS[p][0], "gk:hasOffice", DG_GROUPS[p][1]),
            T(DG_GROUPS[p][1], "gk:hostedIn", b),
        )
    ],
    comment="Listed with 等地 (and other places): the list is not exhaustive.",
)
fact(
    "leading-group-office-is-big-data-body",
    "比如安徽、广东、广西、河南、吉林、山东等省份,其领导小组办公室即是这些省份的大数据管理职能部门",
    *[
        T(DG_GROUPS[p][1], "gk:officeIsHost", b)
        for p, b in (
            ("cn-ah", AH),
            ("cn-gd", GD),
            ("cn-gx", GX),
            ("cn-ha", HA),
            ("cn-jl", JL),
            ("cn-sd", SD),
        )
    ],
    comment="Listed with 比如…等 (for example … etc.): the list is not exhaustive.",
)

# --- offices hosted in the body to which the big-data body belongs
HL = ent(
    "org/cn-hl-government-big-data-centre", "gk:DataManagementBody", "cn-hl",
    zh="黑龙江省政务大数据中心", en="Heilongjiang Government Big Data Centre",
)  # fmt: skip
HL_PARENT = ent(
    "org/cn-hl-big-data-body-parent", "gk:PublicBody", "cn-hl",
    label_zh="大数据管理职能部门的隶属部门",
    en="Heilongjiang: the body to which the big data body belongs (not named)",
    comment_en="The article says Heilongjiang's leading-group office sits in the body to which "
    "the province's big data body belongs, without naming that body.",
)  # fmt: skip
NM = ent(
    "org/cn-nm-big-data-body", "gk:DataManagementBody", "cn-nm", label_zh="大数据管理职能部门",
    en="Inner Mongolia: big data body (name not given)",
)  # fmt: skip
FJ = ent(
    "org/cn-fj-big-data-bureau", "gk:DataManagementBody", "cn-fj", zh="福建省大数据局",
    en="Fujian Big Data Bureau",
)  # fmt: skip
fact(
    "leading-group-office-in-parent-of-big-data-body",
    "而诸如福建、黑龙江、内蒙古等省份,其领导小组办公室所设,是这些省份大数据管理职能部门的隶属部门",
    T(DG_GROUPS["cn-hl"][0], "gk:hasOffice", DG_GROUPS["cn-hl"][1]),
    T(DG_GROUPS["cn-hl"][1], "gk:hostedIn", HL_PARENT),
    T(HL, "gk:subordinateTo", HL_PARENT),
    T(DG_GROUPS["cn-nm"][1], "gk:hostedIn", GO["cn-nm"]),
    T(NM, "gk:subordinateTo", GO["cn-nm"]),
    T(DG_GROUPS["cn-fj"][1], "gk:hostedIn", DRC["cn-fj"]),
    T(FJ, "gk:subordinateTo", DRC["cn-fj"]),
    comment="Listed with 诸如…等 (such as … etc.). Inner Mongolia's and Fujian's hosts are named "
    "in the paragraph before (the general office; the DRC). For Fujian the article also states "
    "the relation to its big data bureau as management by the DRC (部门管理机构, gk:managedBy); "
    "this sentence adds that the bureau belongs to (隶属) it. Heilongjiang's big data body is taken to be 黑龙江省政务大数据中心, the "
    "province's only body the article names.",
)

# --- department-administered agencies, deputy department level
ZJ = ent(
    "org/cn-zj-big-data-bureau", "gk:DataManagementBody", "cn-zj", label_zh="大数据局",
    en="Zhejiang: big data bureau (full name not given)",
)  # fmt: skip
GO.update({p: general_office(p) for p in ("cn-zj", "cn-gd", "cn-ha")})
fact(
    "department-administered-agencies-deputy-department-level",
    "浙江、福建、广东、河南四省的大数据管理职能机构则为部门管理机构。这些机构均为副厅级",
    *[
        t
        for b in (ZJ, FJ, GD, HA)
        for t in (T(b, "gk:legalStatus", DEPT_ADMIN), T(b, "gk:rank", DEPUTY))
    ],
)
fact(
    "big-data-bureaus-managed-by-general-office",
    "浙江、广东、河南三省大数据局均由省政府办公厅管理",
    T(ZJ, "gk:managedBy", GO["cn-zj"]),
    T(GD, "gk:managedBy", GO["cn-gd"]),
    T(HA, "gk:managedBy", GO["cn-ha"]),
)
ENTITIES[DRC["cn-fj"]].alt_zh.append("省发展改革委员会")
fact(
    "cn-fj-big-data-bureau-managed-by-drc",
    "福建省大数据局由省发展改革委员会管理",
    T(FJ, "skos:prefLabel", L("福建省大数据局", "zh")),
    T(FJ, "gk:managedBy", DRC["cn-fj"]),
)

# --- plaque bodies
PLAQUE_BODIES = {}
for p in ("cn-bj", "cn-ln", "cn-gs", "cn-sn"):
    PLAQUE_BODIES[p] = ent(
        f"org/{p}-big-data-bureau", "gk:DataManagementBody", p, label_zh="大数据管理局",
        en=f"{SHORT[p]}: big data bureau (plaque body; full name not given)",
    )  # fmt: skip
BJ_HOST = ent(
    "org/cn-bj-economy-and-it-bureau", "gk:Department", "cn-bj", zh="北京经信局",
    en="Beijing Economy and Information Technology Bureau",
)  # fmt: skip
LN_HOST = ent(
    "org/cn-ln-business-environment-bureau", "gk:Department", "cn-ln", zh="辽宁省营商局",
    en="Liaoning Business Environment Bureau",
)  # fmt: skip
ENTITIES[GO["cn-gs"]].zh = "甘肃省政府办公厅"
ENTITIES[GO["cn-gs"]].unknown.remove("skos:prefLabel")
ENTITIES[GO["cn-gs"]].en = "Gansu Provincial Government General Office"
GO["cn-sn"] = ent(
    "org/cn-sn-general-office", "gk:GeneralOffice", "cn-sn", zh="陕西省政府办公厅",
    label_zh="省政府办公厅", en="Shaanxi Provincial Government General Office",
)  # fmt: skip
fact(
    "plaque-bodies",
    "北京、辽宁、甘肃、陕西四省份的大数据管理局则为挂牌机构",
    *[T(b, "gk:legalStatus", PLAQUE) for b in PLAQUE_BODIES.values()],
)
fact(
    "plaque-bodies-hosts",
    "分别挂牌于北京经信局、辽宁省营商局、甘肃省政府办公厅和陕西省政府办公厅",
    T(PLAQUE_BODIES["cn-bj"], "gk:plaqueOn", BJ_HOST),
    T(PLAQUE_BODIES["cn-ln"], "gk:plaqueOn", LN_HOST),
    T(PLAQUE_BODIES["cn-gs"], "gk:plaqueOn", GO["cn-gs"]),
    T(PLAQUE_BODIES["cn-sn"], "gk:plaqueOn", GO["cn-sn"]),
    T(BJ_HOST, "skos:prefLabel", L("北京经信局", "zh")),
    T(LN_HOST, "skos:prefLabel", L("辽宁省营商局", "zh")),
    T(GO["cn-gs"], "skos:prefLabel", L("甘肃省政府办公厅", "zh")),
    T(GO["cn-sn"], "skos:prefLabel", L("陕西省政府办公厅", "zh")),
)
ENTITIES[PLAQUE_BODIES["cn-bj"]].comment_en = (
    "Of the four plaque provinces the article excepts Beijing (除北京外) when it says the "
    "other three each have a corresponding big data centre (一局一中心)."
)
LN_CENTRE = ent(
    "org/cn-ln-big-data-management-centre", "gk:DataCentre", "cn-ln", zh="辽宁省大数据管理中心",
    en="Liaoning Big Data Management Centre",
)  # fmt: skip
GS_CENTRE = ent(
    "org/cn-gs-big-data-centre", "gk:DataCentre", "cn-gs", label_zh="大数据中心",
    en="Gansu: big data centre (name not given)",
)  # fmt: skip
SN_CENTRE = ent(
    "org/cn-sn-big-data-centre", "gk:DataCentre", "cn-sn", label_zh="大数据中心",
    en="Shaanxi: big data centre (name not given)",
)  # fmt: skip
fact(
    "one-bureau-one-centre",
    "另外三省均有相应的大数据中心负责相应的工作事项,均为事业单位",
    T(PLAQUE_BODIES["cn-ln"], "gk:hasCentre", LN_CENTRE),
    T(PLAQUE_BODIES["cn-gs"], "gk:hasCentre", GS_CENTRE),
    T(PLAQUE_BODIES["cn-sn"], "gk:hasCentre", SN_CENTRE),
    T(LN_CENTRE, "gk:legalStatus", PUBLIC_INST),
    T(GS_CENTRE, "gk:legalStatus", PUBLIC_INST),
    T(SN_CENTRE, "gk:legalStatus", PUBLIC_INST),
    comment="另外三省 = Liaoning, Gansu and Shaanxi (the four plaque provinces except Beijing); "
    "the article calls the pairing “一局一中心” (one bureau, one centre). Liaoning's centre is "
    "taken to be 辽宁省大数据管理中心, the Liaoning centre the article names.",
)

# --- Hainan's statutory body
HI = ent(
    "org/cn-hi-big-data-bureau", "gk:DataManagementBody", "cn-hi", zh="海南省大数据管理局",
    en="Hainan Big Data Administration Bureau",
    comment_en="The first provincial big data bureau set up as a statutory body in China; a "
    "statutory body set up outside the government sequence at provincial level.",
    comment_zh="全国首个以法定机构形式设立的省级大数据管理局;是省级层面政府序列之外设立的法定机构。",
)  # fmt: skip
HI_GOV = ent(
    "org/cn-hi-peoples-government", "gk:PeoplesGovernment", "cn-hi", zh="海南省人民政府",
    en="Hainan Provincial People's Government",
)  # fmt: skip
fact(
    "cn-hi-big-data-bureau-statutory-body",
    "它是全国首个以法定机构形式设立的省级大数据管理局,由海南省人民政府直接管理",
    T(HI, "gk:legalStatus", STATUTORY),
    T(HI, "gk:managedBy", HI_GOV),
    T(HI_GOV, "skos:prefLabel", L("海南省人民政府", "zh")),
    comment="它 = 海南省大数据管理局 (the sentence before).",
)
fact(
    "cn-hi-big-data-bureau-name",
    "海南省大数据管理局的设置属于一次创新",
    T(HI, "skos:prefLabel", L("海南省大数据管理局", "zh")),
)

# --- establishment, reorganisation, renaming, conversions
HA_EST = ent(
    "event/cn-ha-big-data-bureau-establishment", "gk:ChangeEvent", "cn-ha",
    label_zh="河南省大数据管理局成立", en="Establishment of the Henan Big Data Administration Bureau",
    comment_en="Formed by integrating duties of relevant provincial government departments, "
    "among them (等) e-government planning and construction guidance, administrative approval "
    "and convenience-service construction, data mining and use.",
)  # fmt: skip
fact(
    "cn-ha-big-data-bureau-establishment",
    "2018年成立的河南省大数据管理局",
    T(HA_EST, "gk:changeKind", kind("establishment")),
    T(HA_EST, "gk:year", L("2018", dt=YEAR)),
    T(HA_EST, "org:resultingOrganization", HA),
    T(HA, "skos:prefLabel", L("河南省大数据管理局", "zh")),
)
fact(
    "cn-ha-big-data-bureau-integrated-duties",
    "电子政务规划建设指导、行政审批与便民服务建设、数据挖掘利用等职责整合而成",
    T(HA_EST, "gk:changeKind", kind("establishment")),
    comment="The duties are those of 省政府相关部门 (relevant provincial government departments), "
    "listed with 等 (etc.).",
)
REORG = {}
for ref, body, name in (
    ("event/cn-ln-big-data-management-centre-reorganisation", LN_CENTRE, "辽宁省大数据管理中心"),
    ("event/cn-hl-government-big-data-centre-reorganisation", HL, "黑龙江省政务大数据中心"),
):
    REORG[body] = ent(
        ref, "gk:ChangeEvent", ENTITIES[body].place, label_zh=f"{name}重新组建",
        en=f"Reorganisation forming the {ENTITIES[body].en}",
        comment_en="Reorganised from several provincial public institutions under it "
        "(由其下多家省直事业单位重新组建而成); they are not named.",
    )  # fmt: skip
fact(
    "big-data-centres-reorganised",
    "辽宁省大数据管理中心、黑龙江省政务大数据中心则是由其下多家省直事业单位重新组建而成",
    *[
        t
        for body, ev in REORG.items()
        for t in (
            T(ev, "gk:changeKind", kind("reorganisation")),
            T(ev, "org:resultingOrganization", body),
        )
    ],
    T(LN_CENTRE, "skos:prefLabel", L("辽宁省大数据管理中心", "zh")),
    T(HL, "skos:prefLabel", L("黑龙江省政务大数据中心", "zh")),
)

YN = ent(
    "org/cn-yn-government-services-bureau", "gk:DataManagementBody", "cn-yn",
    zh="云南省政务服务管理局", en="Yunnan Government Services Administration Bureau",
)  # fmt: skip
YN_OLD = ent(
    "office/cn-yn-e-government-coordination-leading-group-office", "gk:LeadingGroupOffice", "cn-yn",
    zh="省电子政务协调工作领导小组办公室",
    en="Yunnan: office of the provincial e-government coordination leading group (former)",
    unknown=("gk:hostedIn",),
)  # fmt: skip
YN_OLD_GROUP = ent(
    "group/cn-yn-e-government-coordination-leading-group", "gk:LeadingGroup", "cn-yn",
    zh="省电子政务协调工作领导小组", en="Yunnan: provincial e-government coordination leading group",
    comment_en="Known only as the group whose office (省电子政务协调工作领导小组办公室) was renamed "
    "into 云南省政务服务管理局.",
)  # fmt: skip
YN_REN = ent(
    "event/cn-yn-government-services-bureau-renaming", "gk:ChangeEvent", "cn-yn",
    label_zh="云南省政务服务管理局更名", en="Renaming into the Yunnan Government Services Administration Bureau",
)  # fmt: skip
fact(
    "cn-yn-government-services-bureau-renaming",
    "云南省政务服务管理局是由原来的省电子政务协调工作领导小组办公室更名而来",
    T(YN_REN, "gk:changeKind", kind("renaming")),
    T(YN_REN, "org:originalOrganization", YN_OLD),
    T(YN_REN, "org:resultingOrganization", YN),
    T(YN, "skos:prefLabel", L("云南省政务服务管理局", "zh")),
    T(YN_OLD, "skos:prefLabel", L("省电子政务协调工作领导小组办公室", "zh")),
    T(YN_OLD_GROUP, "gk:hasOffice", YN_OLD),
)
GZ_OLD = ent(
    "org/cn-gz-public-services-office", "gk:PublicBody", "cn-gz", zh="贵州省公共服务管理办公室",
    en="Guizhou Public Services Administration Office (former)",
)  # fmt: skip
GZ_REN = ent(
    "event/cn-gz-big-data-development-bureau-renaming", "gk:ChangeEvent", "cn-gz",
    label_zh="贵州省大数据发展管理局更名",
    en="Renaming into the Guizhou Big Data Development Administration Bureau",
)  # fmt: skip
fact(
    "cn-gz-big-data-development-bureau-renaming",
    "贵州省大数据发展管理局则由贵州省公共服务管理办公室更名而来",
    T(GZ_REN, "gk:changeKind", kind("renaming")),
    T(GZ_REN, "org:originalOrganization", GZ_OLD),
    T(GZ_REN, "org:resultingOrganization", GZ),
    T(GZ, "skos:prefLabel", L("贵州省大数据发展管理局", "zh")),
    T(GZ_OLD, "skos:prefLabel", L("贵州省公共服务管理办公室", "zh")),
)
CONV = {}
for p, body, frm, to, k, zh, en in (
    ("cn-zj", ZJ, PUBLIC_INST, ADMIN_BODY, "status-conversion", "事业单位性质转为行政单位",
     "Zhejiang: conversion of the former body from public institution to administrative body"),
    ("cn-gz", GZ, PUBLIC_INST, ADMIN_BODY, "status-conversion", "事业单位性质转为行政单位",
     "Guizhou: conversion of the former body from public institution to administrative body"),
    ("cn-gd", GD, INTERNAL_UNIT, DEPT_ADMIN, "internal-unit-conversion",
     "内设机构转为政府部门管理机构",
     "Guangdong: conversion of an internal unit into a department-administered agency"),
    ("cn-cq", CQ, INTERNAL_UNIT, DIRECT, "internal-unit-conversion", "内设机构转为政府直属机构",
     "Chongqing: conversion of an internal unit into a directly-affiliated agency"),
):  # fmt: skip
    CONV[p] = ent(
        f"event/{p}-{k}", "gk:ChangeEvent", p, label_zh=zh, en=en,
        comment_en="The body before the change (原机构 / 原本的内设机构) is not named; the "
        "resulting body is the province's data-management body.",
    )  # fmt: skip
    CONV[p] = (CONV[p], body, frm, to, k)
fact(
    "status-conversions",
    "浙江、贵州将原机构的事业单位性质转为行政单位",
    *[
        t
        for p in ("cn-zj", "cn-gz")
        for ev, body, frm, to, k in [CONV[p]]
        for t in (
            T(ev, "gk:changeKind", kind(k)),
            T(ev, "gk:fromStatus", frm),
            T(ev, "gk:toStatus", to),
            T(ev, "org:resultingOrganization", body),
        )
    ],
)
fact(
    "internal-unit-conversions",
    "广东、重庆分别将原本的内设机构转为政府部门管理机构和政府直属机构",
    *[
        t
        for p in ("cn-gd", "cn-cq")
        for ev, body, frm, to, k in [CONV[p]]
        for t in (
            T(ev, "gk:changeKind", kind(k)),
            T(ev, "gk:fromStatus", frm),
            T(ev, "gk:toStatus", to),
            T(ev, "org:resultingOrganization", body),
        )
    ],
)

# --- focus, by name (the article's classification of the 8 not named for big data)
HN = ent(
    "org/cn-hn-government-services-and-big-data-centre", "gk:DataManagementBody", "cn-hn",
    zh="湖南省政务服务和大数据中心", en="Hunan Government Services and Big Data Centre",
)  # fmt: skip
fact(
    "cn-yn-focus-government-services",
    "或聚焦于政务服务,比如云南省政务服务管理局",
    T(YN, "gk:focus", focus("government-services")),
)
fact(
    "focus-integrated",
    "广东省政务服务数据管理局、黑龙江省政务大数据中心、湖南省政务服务和大数据中心、吉林省政务服务和数字化建设管理局等",
    T(GD, "gk:focus", focus("both")),
    T(HL, "gk:focus", focus("both")),
    T(HN, "gk:focus", focus("both")),
    T(JL, "gk:focus", focus("both")),
    T(GD, "skos:prefLabel", L("广东省政务服务数据管理局", "zh")),
    T(HN, "skos:prefLabel", L("湖南省政务服务和大数据中心", "zh")),
    T(JL, "skos:prefLabel", L("吉林省政务服务和数字化建设管理局", "zh")),
    comment="Introduced by 或是将政务服务与大数据管理融合在一起 (or integrate government services "
    "with big data management); listed with 等 (etc.).",
)
AH_EST = ent(
    "event/cn-ah-data-resources-bureau-establishment", "gk:ChangeEvent", "cn-ah",
    label_zh="安徽组建数据资源管理局", en="Establishment of the Anhui data resources bureau",
)  # fmt: skip
fact(
    "cn-ah-data-resources-bureau-two-nameplates",
    "安徽组建数据资源管理局加挂政务服务管理局牌子",
    T(AH, "skos:prefLabel", L("数据资源管理局", "zh")),
    T(AH, "skos:altLabel", L("政务服务管理局", "zh")),
    T(AH, "gk:focus", focus("both")),
    T(AH_EST, "gk:changeKind", kind("establishment")),
    T(AH_EST, "org:resultingOrganization", AH),
    comment="One of the bodies that 同时挂两个牌子 (carry two nameplates at once).",
)
fact(
    "cn-ha-big-data-bureau-two-nameplates",
    "河南省大数据管理局加挂河南省行政审批和政务信息管理局牌子",
    T(HA, "skos:altLabel", L("河南省行政审批和政务信息管理局", "zh")),
    T(HA, "gk:focus", focus("both")),
    comment="One of the bodies that 同时挂两个牌子 (carry two nameplates at once).",
)

# =========================================================================== mechanisms
BDG = {}
for p in ("cn-nm", "cn-bj", "cn-jx", "cn-gd", "cn-fj", "cn-yn", "cn-sx", "cn-ln", "cn-gz"):
    if p == "cn-bj":
        BDG[p] = ent(
            "group/cn-bj-big-data-leading-group", "gk:BigDataLeadingGroup", p,
            zh="大数据工作领导小组", en="Beijing big data work leading group",
            comment_en="Focused on big data work (侧重于大数据工作).",
        )  # fmt: skip
    else:
        BDG[p] = ent(
            f"group/{p}-big-data-leading-group", "gk:BigDataLeadingGroup", p,
            label_zh="数据共享协调、大数据工作领导小组",
            en=f"{SHORT[p]}: data-sharing coordination or big data leading group (name not given)",
            comment_en="The article does not say whether this province's group is for data-"
            "sharing coordination or for big data work.",
        )  # fmt: skip
fact(
    "big-data-leading-groups",
    "设立数据共享协调、大数据工作领导小组的共有10个省份,包括内蒙古、北京、江西、广东、福建、云南、山西、辽宁、贵州等",
    *[T(g, "gk:jurisdiction", f"place/{p}") for p, g in BDG.items()],
    comment="Nine provinces named for ten, with 等 (etc.): the list is not exhaustive.",
)
IG = {}
for p in ("cn-sh", "cn-bj", "cn-sc"):
    if p == "cn-bj":
        IG[p] = ent(
            "group/cn-bj-informatization-leading-group", "gk:InformatizationLeadingGroup", p,
            zh="信息化工作领导小组", en="Beijing informatization work leading group",
            comment_en="Focused on managing government information resources "
            "(重点聚焦于政务信息资源的管理).",
        )  # fmt: skip
    else:
        IG[p] = ent(
            f"group/{p}-informatization-leading-group", "gk:InformatizationLeadingGroup", p,
            label_zh="领导小组", en=f"{SHORT[p]}: informatization leading group (name not given)",
        )  # fmt: skip
fact(
    "informatization-leading-groups",
    "关注政务工作信息化的地方共有3个省份,主要包括上海、北京和四川",
    *[T(g, "gk:jurisdiction", f"place/{p}") for p, g in IG.items()],
    comment="Listed with 主要包括 (mainly includes).",
)
fact(
    "cn-bj-two-leading-groups",
    "北京市同时设置上述两个方向的领导小组,包括大数据工作领导小组和信息化工作领导小组",
    T(BDG["cn-bj"], "skos:prefLabel", L("大数据工作领导小组", "zh")),
    T(IG["cn-bj"], "skos:prefLabel", L("信息化工作领导小组", "zh")),
    T(BDG["cn-bj"], "gk:jurisdiction", "place/cn-bj"),
    T(IG["cn-bj"], "gk:jurisdiction", "place/cn-bj"),
)
AH_JC = ent(
    "group/cn-ah-big-data-development-joint-conference", "gk:JointConference", "cn-ah",
    zh="大数据发展部际联席会议", en="Anhui inter-departmental joint conference on big data development",
    comment_en="Set up to advance the integration of government information resources.",
)  # fmt: skip
fact(
    "cn-ah-joint-conference",
    "安徽则是建立大数据发展部际联席会议,推进政务信息资源的整合",
    T(AH_JC, "skos:prefLabel", L("大数据发展部际联席会议", "zh")),
    T(AH_JC, "gk:jurisdiction", "place/cn-ah"),
)

# =========================================================================== the source
SOURCE = "source/bjnews-2023-11-23"


def person(ref: str, name_zh: str, name_en: str, *extra: tuple[str, object]) -> str:
    return ent(
        ref, ["schema:Person", "prov:Person"], None, zh=name_zh, en=name_en,
        extra=(("schema:name", L(name_zh, "zh")), ("schema:name", L(name_en, "en")), *extra),
    )  # fmt: skip


AUTHOR = person(
    "person/zheng-weibin", "郑伟彬", "Zheng Weibin",
    ("schema:jobTitle", L("新京智库高级研究员", "zh")),
    ("schema:jobTitle", L("senior researcher, Beijing News Think Tank", "en")),
)  # fmt: skip
INTERN = person(
    "person/jia-jingnan", "贾靖楠", "Jia Jingnan",
    ("schema:jobTitle", L("实习生", "zh")), ("schema:jobTitle", L("intern", "en")),
)  # fmt: skip
EDITOR = person("person/ke-rui", "柯锐", "Ke Rui")
PROOFREADER = person("person/wu-xingfa", "吴兴发", "Wu Xingfa")
fact(
    "byline-author",
    "撰稿新京智库高级研究员郑伟彬实习生贾靖楠",
    T(SOURCE, "schema:author", AUTHOR),
    T(SOURCE, "schema:contributor", INTERN),
    T(AUTHOR, "schema:name", L("郑伟彬", "zh")),
    T(INTERN, "schema:name", L("贾靖楠", "zh")),
)
fact(
    "byline-editor",
    "编辑柯锐",
    T(SOURCE, "schema:editor", EDITOR),
    T(EDITOR, "schema:name", L("柯锐", "zh")),
)
fact(
    "byline-proofreader",
    "校对吴兴发",
    T(SOURCE, "schema:contributor", PROOFREADER),
    T(PROOFREADER, "schema:name", L("吴兴发", "zh")),
    comment="校对 = proofreader; schema.org has no proofreader property, so the role is the "
    "person's schema:jobTitle here.",
)
ENTITIES[PROOFREADER].extra += [
    ("schema:jobTitle", L("校对", "zh")),
    ("schema:jobTitle", L("proofreader", "en")),
]
ENTITIES[EDITOR].extra += [
    ("schema:jobTitle", L("编辑", "zh")),
    ("schema:jobTitle", L("editor", "en")),
]

# =========================================================================== experts, survey
ZHANG = person(
    "person/zhang-ke", "张克", "Zhang Ke",
    ("schema:jobTitle", L("副教授", "zh")), ("schema:jobTitle", L("associate professor", "en")),
    ("schema:affiliation", L("中共中央党校(国家行政学院)公共管理教研部", "zh")),
    ("schema:affiliation", L("Department of Public Management, Party School of the Central "
                             "Committee of the CPC (National Academy of Governance)", "en")),
)  # fmt: skip
JIANG = person(
    "person/jiang-xiaojuan", "江小涓", "Jiang Xiaojuan",
    ("schema:jobTitle", L("中国工业经济学会会长", "zh")),
    ("schema:jobTitle", L("中国社科院大学教授", "zh")),
    ("schema:jobTitle", L("国务院原副秘书长", "zh")),
    ("schema:jobTitle", L("president of the China Industrial Economics Association", "en")),
    ("schema:jobTitle", L("professor at the University of the Chinese Academy of Social "
                          "Sciences", "en")),
    ("schema:jobTitle", L("former deputy secretary-general of the State Council", "en")),
)  # fmt: skip
MEMBER = ent(
    "person/cppcc-member-2022-survey", ["schema:Person", "prov:Person"], None,
    label_zh="政协委员",
    en="A CPPCC member (not named) who surveyed a province in central China (told in 2022)",
    unknown=("schema:name",),
    comment_en="A member of the political consultative conference (政协委员) who spent months "
    "surveying the state of digital-government building in an unnamed province of central "
    "China, as told to the Beijing News Think Tank in 2022. Neither the member nor the "
    "province is named.",
)  # fmt: skip
fact(
    "zhang-ke-roles",
    "中共中央党校(国家行政学院)公共管理教研部副教授张克",
    T(ZHANG, "schema:name", L("张克", "zh")),
    T(ZHANG, "schema:jobTitle", L("副教授", "zh")),
    T(ZHANG, "schema:affiliation", L("中共中央党校(国家行政学院)公共管理教研部", "zh")),
)
fact(
    "jiang-xiaojuan-roles",
    "中国工业经济学会会长、中国社科院大学教授、国务院原副秘书长江小涓",
    T(JIANG, "schema:name", L("江小涓", "zh")),
    T(JIANG, "schema:jobTitle", L("中国工业经济学会会长", "zh")),
    T(JIANG, "schema:jobTitle", L("中国社科院大学教授", "zh")),
    T(JIANG, "schema:jobTitle", L("国务院原副秘书长", "zh")),
)
ZHANG_ST = ent(
    "statement/zhang-ke-public-institutions-administrative-functions", "gk:ExpertStatement", None,
    label_zh="张克认为", en="Zhang Ke on public institutions performing administrative functions",
    comment_en="Public institutions that in practice perform some administrative functions, "
    "taking them on in addition because of staffing-quota limits although their main duty is "
    "public service, easily blur government and public-institution roles, let administrative "
    "functions circulate outside the system, make management irregular and the like (等现象).",
    extra=(("prov:wasAttributedTo", ZHANG),),
)  # fmt: skip
fact(
    "zhang-ke-statement",
    "由事业单位额外承担行政职能,容易造成政事不分、行政职能体外循环、管理不规范等现象",
    T(ZHANG_ST, "prov:wasAttributedTo", ZHANG),
    T(ZHANG_ST, "gk:statedBy", ZHANG),
)
JIANG_ST = ent(
    "statement/jiang-xiaojuan-departmental-data-duties", "gk:ExpertStatement", None,
    label_zh="江小涓就指出", en="Jiang Xiaojuan on departments' unclear data duties",
    comment_en="Collecting and generating, updating and maintaining, leading the sharing and "
    "other aspects (等方面) of government data are seldom clearly defined from the angle of "
    "departmental duties; this easily leaves departments unsure what data they hold and leads "
    "to buck-passing, padding and similar problems (等问题) when data are pooled and shared.",
    extra=(("prov:wasAttributedTo", JIANG),),
)  # fmt: skip
fact(
    "jiang-xiaojuan-statement",
    "在政务数据的采集生成、更新维护、牵头共享等方面,很少从部门职责角度予以清晰界定",
    T(JIANG_ST, "prov:wasAttributedTo", JIANG),
    T(JIANG_ST, "gk:statedBy", JIANG),
)
MEMBER_ST = ent(
    "statement/cppcc-member-2022-survey-findings", "gk:ExpertStatement", None,
    label_zh="政协委员对新京智库表示",
    en="The CPPCC member on unconnected networks and slow data sharing in the surveyed province",
    comment_en="In the surveyed province some departments' private networks and business systems "
    "were built by national ministries or provincial departments without horizontal links; "
    "provincial departments' unwillingness, inability and fear to share data (不愿、不能、不敢) "
    "persisted to varying degrees, showing as weak, scattered and slow (弱、散、慢): weak "
    "staffing (the provincial government-affairs bureau and big data centre working alone), "
    "scattered effort (insufficient provincial coordination; the members of the provincial "
    "digital government leading group not pulling together), slow overall progress in data "
    "sharing (no strong check on departments that lag). The article gives these findings right "
    "after the member's figures and then calls them 上述政协委员的调研 (the survey of the CPPCC "
    "member above).",
    extra=(("prov:wasAttributedTo", MEMBER),),
)  # fmt: skip
fact(
    "cppcc-member-survey-findings",
    "省直部门“不愿、不能、不敢”共享的情况仍不同程度存在,集中表现为“弱、散、慢”",
    T(MEMBER_ST, "prov:wasAttributedTo", MEMBER),
    T(MEMBER_ST, "gk:statedBy", MEMBER),
)
fact(
    "cppcc-member-survey-attribution",
    "从上述政协委员的调研可以发现,相关工作的推进并非那么容易",
    T(MEMBER_ST, "prov:wasAttributedTo", MEMBER),
    comment="The article refers back to the findings as the CPPCC member's survey.",
)
fact(
    "jiang-xiaojuan-statement-consequence",
    "这就容易造成部门数据底数不清,在数据汇聚和共享过程中发生扯皮或滥竽充数等问题",
    T(JIANG_ST, "prov:wasAttributedTo", JIANG),
)

# =========================================================================== stated claims


@dataclass
class Claim:
    key: str
    value: str
    unit: str
    stated_text: str
    quote: str
    zh: str
    en: str
    occurrence: int = 1
    as_of: str | None = None
    qualifier: str | None = None
    exhaustive: bool | None = None
    stated_by: str = SOURCE
    year: str | None = None
    comment: str | None = None


C = Claim
CLAIMS: list[Claim] = [
    C("provinces-with-dg-leading-group", "26", "province", "26",
      "截至2023年11月10日,全国共计26个省份已经建立了领导小组",
      "已建立数字政府建设领导小组的省份数", "Provinces with a digital government leading group",
      as_of="2023-11-10",
      comment="The article repeats the number in its title and in the section on leading groups."),
    C("dg-chair-party-secretary", "6", "province", "6", "以省委书记为组长的共计6个省份",
      "以省委书记为组长的省份数", "Provinces whose leading group is chaired by the Party secretary"),
    C("dg-chair-governor", "12", "province", "12", "以省长为组长的共计12个",
      "以省长为组长的省份数", "Provinces whose leading group is chaired by the governor"),
    C("dg-chair-vice-governor", "4", "province", "4", "以副省长为组长的共计4个省份",
      "以副省长为组长的省份数", "Provinces whose leading group is chaired by a vice governor"),
    C("dg-chair-other-or-unstated", "5", "province", "5",
      "以某些职能部门或公开资料中未明确共计有5个省份",
      "组长为某些职能部门或未明确的省份数",
      "Provinces whose chair is a functional department or not stated in public sources"),
    C("dg-chair-secretary-or-governor-share", "70", "percent", "近70%",
      "领导小组组长为省委书记或省长的占比近70%",
      "组长为省委书记或省长的占比", "Share of leading groups chaired by the Party secretary or governor",
      qualifier="nearly"),
    C("provinces-with-office-information", "17", "province", "17",
      "从有公开相关资料的17个省份来看",
      "有领导小组办公室公开资料的省份数", "Provinces with public information on the leading-group office"),
    C("office-in-general-office", "4", "province", "四",
      "主要包括甘肃、湖北、内蒙古、西藏这四个中西部省份",
      "领导小组办公室设在省政府办公厅的省份", "Provinces whose leading-group office is in the general office",
      exhaustive=False,
      comment="The article gives no total: it lists four provinces with 主要包括 (mainly includes) "
      "and calls them 这四个 (these four)."),
    C("provinces-with-data-body", "28", "province", "28",
      "截至2023年10月底,全国有28个省份成立了省级政务服务或数据管理工作机构",
      "已成立省级政务服务或数据管理工作机构的省份数",
      "Provinces with a provincial government-service or data-management body",
      as_of="2023-10-31",
      comment="截至2023年10月底 (as of the end of October 2023), recorded as 2023-10-31."),
    C("provinces-with-known-legal-status", "25", "province", "25",
      "根据公开资料能够确定其单位性质的,共有25个省份",
      "能确定机构单位性质的省份数", "Provinces whose body's legal status can be determined"),
    C("bodies-with-known-legal-status", "28", "body", "28", "共有25个省份的28家机构",
      "能确定单位性质的机构数", "Bodies whose legal status can be determined"),
    C("status-public-institution", "12", "body", "12", "事业单位数量最多,共计12家",
      "事业单位性质的机构数", "Bodies that are public institutions"),
    C("status-directly-affiliated", "6", "body", "6", "其次为直属机构,共计6家",
      "直属机构数", "Bodies that are directly-affiliated agencies"),
    C("status-department-administered", "4", "body", "4", "部门管理机构和挂牌机构各4家",
      "部门管理机构数", "Bodies that are department-administered agencies"),
    C("status-plaque", "4", "body", "4", "部门管理机构和挂牌机构各4家",
      "挂牌机构数", "Bodies that are plaque bodies"),
    C("directly-affiliated-full-department-level", "6", "body", "6",
      "这6家直属机构均为正厅(局)级", "正厅(局)级直属机构数",
      "Directly-affiliated agencies at full department level"),
    C("other-provinces-with-big-data-centre", "10", "province", "10",
      "另有10个省份设置有相应的大数据中心",
      "另设大数据中心的省份数", "Other provinces with a big data centre",
      comment="These centres are also public institutions, mainly under the provincial general "
      "office, the DRC and the like (主要隶属于各省政府办公厅、发改委等机构); the provinces are "
      "not named."),
    C("provinces-with-coordination-mechanism", "13", "province", "13",
      "全国共有13个省份成立了相关的领导小组或联席会议",
      "成立大数据相关领导小组或联席会议的省份数",
      "Provinces with a big-data leading group or joint conference"),
    C("provinces-with-big-data-leading-group", "10", "province", "10",
      "设立数据共享协调、大数据工作领导小组的共有10个省份",
      "设立数据共享协调、大数据工作领导小组的省份数",
      "Provinces with a data-sharing coordination or big data leading group", exhaustive=False,
      comment="Nine provinces are listed, with 等 (etc.)."),
    C("provinces-with-informatization-group", "3", "province", "3",
      "关注政务工作信息化的地方共有3个省份",
      "关注政务工作信息化的省份数", "Provinces with an informatization leading group",
      exhaustive=False, comment="Listed with 主要包括 (mainly includes)."),
    C("bodies-named-for-big-data", "20", "body", "20", "在28个省份中共有20家机构如此命名",
      "以大数据命名的机构数", "Bodies named for big data"),
    C("bodies-named-otherwise", "8", "province", "8", "其余8省中",
      "机构未以大数据命名的省份数", "Provinces whose body is named otherwise"),
    C("public-institution-bureaus", "12", "body", "12", "事业单位性质的大数据局就有12个",
      "事业单位性质的大数据局数", "Big data bureaus that are public institutions"),
    C("public-institution-bureau-share", "42.86", "percent", "42.86%", "占到28个机构中的42.86%",
      "事业单位性质大数据局的占比", "Share of big data bureaus that are public institutions",
      comment="Of 28 bodies (28个机构)."),
    C("survey-provincial-units", "87", "provincial-unit", "87", "在87个省直单位",
      "调研中的省直单位数", "Provincial units in the survey", stated_by="person/cppcc-member-2022-survey",
      year="2022"),
    C("survey-information-systems", "767", "information-system", "767", "共有767个信息化系统",
      "调研中的信息化系统数", "Information systems in the survey",
      stated_by="person/cppcc-member-2022-survey", year="2022"),
    C("survey-interconnected-departments", "11", "department", "11",
      "仅11个部门的业务专网与省电子政务外网实现互联互通",
      "专网与电子政务外网互联互通的部门数",
      "Departments whose sectoral network is interconnected with the e-government extranet",
      stated_by="person/cppcc-member-2022-survey", year="2022",
      comment="仅 (only) 11 departments."),
    C("survey-independent-networks", "28", "provincial-unit", "28",
      "仍有28家省直单位专网在独立运行",
      "专网独立运行的省直单位数", "Provincial units whose private network still runs on its own",
      stated_by="person/cppcc-member-2022-survey", year="2022"),
    C("study-divisions", "1700", "division", "1700多", "1700多个业务处室",
      "统计的业务处室数", "Business divisions counted by a provincial government",
      qualifier="more-than",
      comment="A provincial government (某省级政府, not named) counted its departments' business "
      "divisions; the article gives this example right after 江小涓's statement without saying "
      "whose it is."),
    C("study-divisions-with-data-share", "0.3333", "fraction", "1/3",
      "只有1/3的处室有对应职责的数据积累",
      "有对应职责数据积累的处室占比", "Share of divisions with data matching their duties",
      comment="Stated as 1/3 (only a third); 0.3333 is that fraction rounded to four places."),
    C("study-divisions-supporting-lists-share", "20", "percent", "不到20%",
      "对权责清单能形成数据支持的不到20%",
      "能为权责清单形成数据支持的处室占比",
      "Share of divisions whose data can support the list of powers and duties",
      qualifier="less-than"),
]  # fmt: skip
