"""Fuzzy matching of headings and labels against the official forms' wording (rapidfuzz).

Real reports retype the forms: characters go missing or are added, 社会组织 stands for
社会公益组织, brackets are full- or half-width, labels break over lines. The exact patterns
of each table reader are tried first; these functions are the fallback: a label matches the
official wording closest to it when the similarity reaches a threshold and no other wording
is as close (a tie is no match).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz

#: Official section headings (2019 and 2021 forms), with common variants.
HEADINGS: dict[str, tuple[str, ...]] = {
    "overview": ("总体情况",),
    "active": ("主动公开政府信息情况",),
    "applications": ("收到和处理政府信息公开申请情况",),
    "review": (
        "政府信息公开行政复议、行政诉讼情况",
        "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    ),
    "problems": ("存在的主要问题及改进情况",),
    "other": ("其他需要报告的事项",),
}

#: Section 三's row labels as the forms print them.
APPLICATION_LABELS: dict[str, tuple[str, ...]] = {
    "new_received": ("本年新收政府信息公开申请数量",),
    "carried_over": ("上年结转政府信息公开申请数量",),
    "granted": ("予以公开",),
    "partially_granted": ("部分公开(区分处理的,只计这一情形,不计其他情形)", "部分公开"),
    "denied_state_secret": ("属于国家秘密",),
    "denied_prohibited_by_law": ("其他法律行政法规禁止公开",),
    "denied_security_stability": ("危及三安全一稳定",),
    "denied_third_party": ("保护第三方合法权益",),
    "denied_internal_affairs": ("属于三类内部事务信息",),
    "denied_process_info": ("属于四类过程性信息",),
    "denied_enforcement_file": ("属于行政执法案卷",),
    "denied_admin_query": ("属于行政查询事项",),
    "unable_not_held": ("本机关不掌握相关政府信息",),
    "unable_needs_creation": ("没有现成信息需要另行制作",),
    "unable_unclear": ("补正后申请内容仍不明确",),
    "rejected_petition": ("信访举报投诉类申请",),
    "rejected_repeat": ("重复申请",),
    "rejected_publication": ("要求提供公开出版物",),
    "rejected_excessive": ("无正当理由大量反复申请",),
    "rejected_confirmation": ("要求行政机关确认或重新出具已获取信息",),
    "other": ("其他处理",),
    "other_overdue_correction": ("申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请",),
    "other_overdue_fee": ("申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请",),
    "total": ("总计",),
    "carried_forward": ("结转下年度继续办理",),
}

#: Section 二's row labels.
ACTIVE_LABELS: dict[str, tuple[str, ...]] = {
    "regulations": ("规章",),
    "normative_documents": ("规范性文件", "行政规范性文件"),
    "licensing": ("行政许可",),
    "other_services": ("其他对外管理服务事项",),
    "punishment": ("行政处罚",),
    "enforcement": ("行政强制",),
    "fees": ("行政事业性收费",),
    "procurement": ("政府集中采购",),
}

#: Section 二's column headers.
ACTIVE_FIELDS: dict[str, tuple[str, ...]] = {
    "made": ("本年新制作数量",),
    "published": ("本年新公开数量",),
    "total": ("对外公开总数量",),
    "issued": ("本年制发件数",),
    "repealed": ("本年废止件数",),
    "in_force": ("现行有效件数",),
    "previous_items": ("上一年项目数量",),
    "change": ("本年增减",),
    "decisions": ("本年处理决定数量", "处理决定数量"),
    "amount_10k_yuan": ("本年收费金额",),
    "items": ("采购项目数量",),
    "amount": ("采购总金额",),
}

_ENUM = re.compile(r"^(第[一二三四五六七八九十]+部分|[(]?[一二三四五六七八九十\d]{1,2}[)、.,:]?)+")
_PUNCT = re.compile(r"[\s、,，。.:：;；“”\"'‘’《》/()（）\[\]【】-]")
_UNIT = re.compile(r"[(（]?单位[:：]?[^)）]*[)）]?")
_SYNONYMS = (("社会公益组织", "社会组织"),)


def label_key(text: str) -> str:
    """The comparable core of a label: NFKC, no enumeration, punctuation, units or spaces."""
    t = unicodedata.normalize("NFKC", text)
    t = "".join(t.split())
    t = _ENUM.sub("", t)
    t = _UNIT.sub("", t)
    t = _PUNCT.sub("", t)
    for variant, canonical in _SYNONYMS:
        t = t.replace(variant, canonical)
    return t


def closest(
    text: str,
    choices: Mapping[str, Iterable[str]],
    *,
    threshold: float = 80.0,
    exclude: Iterable[str] = (),
) -> str | None:
    """The choice whose wording is most similar to ``text`` (0..100), or None below the
    threshold or when two choices tie for the best score."""
    k = label_key(text)
    if not k:
        return None
    skip = set(exclude)
    scores: list[tuple[float, str]] = []
    for name, wordings in choices.items():
        if name in skip:
            continue
        best = max(fuzz.ratio(k, label_key(w)) for w in wordings)
        scores.append((best, name))
    if not scores:
        return None
    scores.sort(reverse=True)
    top, name = scores[0]
    if top < threshold or (len(scores) > 1 and scores[1][0] == top):
        return None
    return name


def heading_name(text: str, names: Iterable[str] | None = None, threshold: float = 80.0) -> str | None:
    """The section a heading's words name (after its numeral), fuzzily."""
    wanted = set(names) if names is not None else set(HEADINGS)
    choices = {n: w for n, w in HEADINGS.items() if n in wanted}
    k = label_key(text)
    if not k:
        return None
    best: tuple[float, str] | None = None
    for name, wordings in choices.items():
        score = max(_heading_score(k, label_key(w)) for w in wordings)
        if best is None or score > best[0]:
            best = (score, name)
    return best[1] if best is not None and best[0] >= threshold else None


def _heading_score(k: str, official: str) -> float:
    """Similarity of a heading to the official one; a heading may add a few words around it."""
    if len(k) > len(official) + 8:
        return 0.0
    return max(fuzz.ratio(k, official), fuzz.partial_ratio(official, k) if len(k) >= len(official) else 0.0)
