"""Whose report a crawled page is, for which year: from what the page means, never its chrome.

The one rule for report identity, shared by the spider (``crawler.discovery.pages``) and the
parser (``crawler.parsing``). Sources, in order of trust:

1. ``title``: the report's own title (``<meta name="ArticleTitle">``, the ``<h1>``, the
   heading of a document) when it names the agency;
2. ``opening``: the document's opening sentence ("现发布《XX局2023年政府信息公开工作年度报告》",
   "XX局根据《条例》…编制本报告");
3. ``signature``: the issuing body under the text, or its heading line above the title;
4. ``column``: ``<meta name="ColumnName">`` when it names an organisation (department columns);
5. ``site``: ``<meta name="SiteName">`` or the ``<title>`` suffix ("…-XX市人民政府");
6. ``link``: the text of the link that led to the document.

Breadcrumbs ("当前位置：首页>政府信息公开>…"), menus and footers are never read. Every agency
candidate must pass :func:`is_agency_name`: the name of an organisation, or of a place whose
government it stands for ("上海市" in "2022年上海市政府信息公开工作年度报告").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

IDENTITY_SOURCES = ("title", "opening", "signature", "column", "site", "link")

#: How organisation names end (longest first where one contains another).
ORGANISATION_SUFFIXES: tuple[str, ...] = (
    "人民政府办公厅", "人民政府办公室", "人民政府", "街道办事处", "办事处", "管理委员会", "管委会",
    "委员会", "办公厅", "办公室", "政府", "厅", "局", "部", "委", "院", "署", "中心", "办",
    "会", "所", "站", "队", "馆", "处", "室", "社", "行", "集团", "公司", "学校", "大学",
    "学院", "医院", "研究院", "监狱", "法院", "检察院", "银行", "园区管委会", "分局", "支队",
    "林场", "农场",
)
#: How place names end: a place alone stands for its government.
PLACE_SUFFIXES: tuple[str, ...] = (
    "省", "市", "县", "区", "自治区", "自治州", "自治县", "州", "盟", "旗", "乡", "镇", "街道",
)
_AGENCY_END = re.compile(
    "(?:" + "|".join(sorted(map(re.escape, ORGANISATION_SUFFIXES + PLACE_SUFFIXES), key=len,
                             reverse=True)) + ")$"
)
#: Text that marks navigation chrome, a path or a label, never an organisation's name.
_CHROME = re.compile(
    r"当前位置|您的位置|所在位置|首页|主页|正文|标题|索引号|发布机构|发文机关|信息来源|来源|分类|"
    r"栏目|字号|打印|关闭|返回|网站地图|联系我们|版权所有|主办|承办|ICP|备案|[>»/\\|:：<]|\.|"
    r"https?|www|年度报告|政府信息公开|政务公开|信息公开|\d"
)
_SPACES = re.compile(r"[\s\u3000\xa0]+")
_QUOTED_REPORT = re.compile(r"《([^》]{2,80}?)》")
_OPENING_SUBJECT = re.compile(
    r"^([^，,。；;（(《]{2,40}?)(?:根据|依据|按照|严格按照|认真贯彻|坚持|深入贯彻|全面贯彻|以习近平)"
)
_DATE_LINE = re.compile(r"^(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_PRE2019_MARKERS = ("政府信息公开情况统计表", "主动公开政府信息数", "依申请公开情况", "政府信息公开申请情况")


def compact(text: str) -> str:
    """NFKC with every run of white space (full-width and nbsp included) removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))


#: Menu entries that end like organisations but name no one.
_MENU_NAMES = frozenset({
    "新闻中心", "下载中心", "资料中心", "帮助中心", "服务中心", "互动中心", "数据中心", "文件中心",
    "媒体中心", "会员中心", "个人中心", "用户中心", "政务中心", "信息中心", "办事处", "本机关",
    "本局", "本委", "本院", "本部", "本办", "我局", "我委", "我办", "我院", "全市", "全县", "全区",
})
_SITE_SUFFIX = re.compile(r"(?:门户网站|政府门户网|门户|网站|政务网|政府网|网)$")


def is_agency_name(name: str | None) -> bool:
    """True when ``name`` is an organisation's (or a place's) name, not chrome, a path or a menu."""
    if not name:
        return False
    text = compact(name)
    if text in _MENU_NAMES or not 2 <= len(text) <= 40 or _CHROME.search(text):
        return False
    if not re.fullmatch(r"[\u4e00-\u9fffA-Za-z（）()·]+", text) or not re.search(r"[\u4e00-\u9fff]", text):
        return False
    return bool(_AGENCY_END.search(text)) and text not in PLACE_SUFFIXES + ORGANISATION_SUFFIXES


@dataclass(frozen=True)
class Identity:
    """The agency and year of a report, which source decided the agency, and its template era."""

    agency: str | None
    year: int
    title: str
    source: str | None

    @property
    def template(self) -> str | None:
        """``pre2019`` for reports on years before 2019 (the old 统计表 format), else None (the
        parser tells 2019 from 2021)."""
        return "pre2019" if self.year < 2019 else None


def template_era(year: int) -> str:
    """``pre2019`` (统计表 era), ``2019`` or ``2021``: the official template for a report year."""
    if year < 2019:
        return "pre2019"
    return "2019" if year <= 2020 else "2021"


def is_pre2019_body(text: str) -> bool:
    """True when text carries an old-format report's statistics (政府信息公开情况统计表)."""
    body = compact(text)
    return sum(marker in body for marker in _PRE2019_MARKERS) >= 2


def agency_from_opening(text: str, year: int | None = None) -> str | None:
    """The agency the opening sentences name: the subject of "XX局根据…" or the title quoted in
    "现发布《XX局2023年政府信息公开工作年度报告》"."""
    from crawler.reports.titles import parse_report_title

    head = compact(text)[:600]
    for quoted in _QUOTED_REPORT.findall(head):
        parsed = parse_report_title(quoted)
        if parsed and parsed.agency and is_agency_name(parsed.agency) and (
                year is None or parsed.year == year):
            return parsed.agency
    for sentence in re.split(r"[。！!]", head)[:4]:
        match = _OPENING_SUBJECT.match(sentence)
        if match and is_agency_name(match.group(1)):
            return match.group(1)
    return None


def agency_from_signature(lines: Iterable[str]) -> str | None:
    """The issuing body signed under the text (the last organisation line, above a date line),
    or written as a heading line above the title."""
    cleaned = [compact(line) for line in lines]
    cleaned = [line for line in cleaned if line]
    tail = cleaned[-6:]
    for i in range(len(tail) - 1, -1, -1):
        if _DATE_LINE.match(tail[i]) and i > 0 and is_agency_name(tail[i - 1]):
            return tail[i - 1]
    for line in reversed(tail):
        if is_agency_name(line):
            return line
    for line in cleaned[:3]:
        if is_agency_name(line):
            return line
    return None


def clean_agency(text: str | None) -> str | None:
    """A valid agency name in ``text``: itself, its last segment after chrome ("标题：XX局",
    "首页>…>XX局"), or a site name without its website suffix ("XX市人民政府门户网站")."""
    if not text:
        return None
    value = compact(text)
    site = _SITE_SUFFIX.sub("", value)
    if site != value and is_agency_name(site):
        return site
    if is_agency_name(value):
        return value
    last = re.split(r"[>»/\\|:：›→]", value)[-1]
    if is_agency_name(last):
        return last
    for part in re.split(r"[-_|—–·]+", value):
        site = _SITE_SUFFIX.sub("", part)
        if site != part and is_agency_name(site):
            return site
    return None


def decide(title: str, year: int, *, title_agency: str | None, candidates: Iterable[tuple[str, str | None]]
           ) -> Identity:
    """The identity of a report titled ``title`` for ``year``: the title's agency when it is a
    valid name, else the first valid candidate ((source, name) in order of trust)."""
    agency = clean_agency(title_agency)
    if agency:
        return Identity(agency, year, title, "title")
    for source, name in candidates:
        agency = clean_agency(name)
        if agency:
            return Identity(agency, year, title, source)
    return Identity(None, year, title, None)
