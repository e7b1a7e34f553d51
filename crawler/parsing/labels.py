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

from crawler.reports import form
from crawler.reports.schema import ACTIVE_DISCLOSURE_2019, ACTIVE_DISCLOSURE_2021


def _with(official: dict[str, tuple[str, ...]], extra: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {k: official.get(k, ()) + extra.get(k, ()) for k in {**official, **extra}}


def _application_labels() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {row: (label,) for row, label in form.APPLICATION_ROW_LABELS.items()}
    for template in ("2019", "2021"):
        for group, items in form.result_groups(template):
            for row, item in items:
                out.setdefault(row, (item or group,))
    return out


def _active_fields() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for template, layout in (("2019", ACTIVE_DISCLOSURE_2019), ("2021", ACTIVE_DISCLOSURE_2021)):
        for _heading, labels, rows in form.AD_BLOCKS[template]:
            for name, label in zip(layout[rows[0]], labels, strict=True):
                if label not in out.get(name, ()):
                    out[name] = out.get(name, ()) + (label,)
    return out


#: Section headings as the forms print them, and wordings real reports use.
HEADINGS: dict[str, tuple[str, ...]] = _with(
    {name.split("_")[0] if name != "review_litigation" else "review": (printed,)
     for name, (printed, _) in {**form.SECTION_TITLES, **form.TEXT_SECTION_TITLES}.items()},
    {"review": ("因政府信息公开工作被申请行政复议、提起行政诉讼情况",)},
)
#: Section 三's row labels.
APPLICATION_LABELS: dict[str, tuple[str, ...]] = _with(
    _application_labels(), {"partially_granted": ("部分公开",), "total": ("总计",)})
#: Section 二's row labels (both templates).
ACTIVE_LABELS: dict[str, tuple[str, ...]] = _with(
    {row: (label,) for row, label in form.AD_ROW_LABELS["2019"].items()},
    {row: (label,) for row, label in form.AD_ROW_LABELS["2021"].items()},
)
#: Section 二's column headers.
ACTIVE_FIELDS: dict[str, tuple[str, ...]] = _with(_active_fields(), {"decisions": ("处理决定数量",)})

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
