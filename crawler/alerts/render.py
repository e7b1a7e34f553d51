"""Human-readable descriptions of alert events, in Chinese and English, as text or HTML.

Everything in an event's details came from crawled pages: the HTML renderer escapes all of it
and only links http(s) URLs.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from storage.models import AlertEvent

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, Lang] = ("zh", "en")
TYPE_LABELS: dict[str, dict[Lang, str]] = {
    "new_report": {"zh": "新报告", "en": "New report"},
    "report_changed": {"zh": "报告有改动", "en": "Report changed"},
    "report_removed": {"zh": "报告已撤下", "en": "Report removed"},
    "report_unlisted": {"zh": "报告已移出栏目列表", "en": "Report unlisted"},
    "report_overdue": {"zh": "报告逾期未发布", "en": "Report overdue"},
}
REMOVAL_REASONS: dict[str, dict[Lang, str]] = {
    "http_404": {"zh": "网页返回 HTTP 404（未找到）", "en": "the page answers HTTP 404 (not found)"},
    "http_410": {"zh": "网页返回 HTTP 410（已删除）", "en": "the page answers HTTP 410 (gone)"},
    "soft_404": {"zh": "网页显示“页面不存在”或与网站的404页相同", "en": "the page says it does not exist (soft 404)"},
    "redirect_home": {"zh": "网址跳转到首页或栏目列表页", "en": "the URL redirects to the home or a list page"},
    "unlisted": {"zh": "栏目列表中已无此报告，但原网址仍可访问",
                 "en": "no list links to it any more, but its URL still answers"},
}
MAX_NUMBERS = 50
MAX_DIFF_CHARS = 4000


@dataclass
class Description:
    """One event in one language: a headline, detail lines, links and text diffs."""

    headline: str
    lines: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    diffs: list[tuple[str, str]] = field(default_factory=list)


def label(type_: str) -> str:
    """``新报告 New report`` for ``new_report`` (the type itself when unknown)."""
    names = TYPE_LABELS.get(type_)
    return f"{names['zh']} {names['en']}" if names else type_


def title(event: AlertEvent) -> str:
    """One line naming the event: ``新报告 New report: <agency> <year>`` (no line breaks)."""
    return one_line(f"{label(event.type)}: {event.agency} {event.year}")


def one_line(text: str) -> str:
    """Collapse all whitespace (newlines included) to single spaces."""
    return " ".join(text.split())


def iso(moment: datetime) -> str:
    """An aware datetime as ISO 8601 UTC with a Z, to the second."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def describe(event: AlertEvent, lang: Lang) -> Description:
    """What happened, in ``lang``, from the event's type and details."""
    details = event.details if isinstance(event.details, dict) else {}
    build = _BUILDERS.get(event.type, _describe_other)
    desc = build(event, details, lang)
    desc.links = [u for u in _urls(details) if u not in desc.links] + desc.links
    return desc


def short_change(event: AlertEvent) -> str:
    """A few words on what changed, for one-line listings (English)."""
    details = event.details if isinstance(event.details, dict) else {}
    urls = _urls(details)
    if event.type == "report_changed":
        numbers, texts = _list(details.get("numbers")), _list(details.get("text"))
        parts = []
        if numbers:
            parts.append(f"{len(numbers)} number{'s' if len(numbers) != 1 else ''}")
        if texts:
            sections = ", ".join(str(t.get("section", "?")) for t in texts if isinstance(t, dict))
            parts.append(f"text in {sections}" if sections else "text")
        what = " and ".join(parts) or "content"
        version = details.get("version")
        return f"{what} changed" + (f" (now version {version})" if version is not None else "")
    if event.type == "report_unlisted":
        return "no longer linked from its list, still served" + (f": {urls[0]}" if urls else "")
    if event.type == "report_removed":
        reason = REMOVAL_REASONS.get(str(details.get("reason")), {}).get("en", str(details.get("reason", "removed")))
        return f"{reason}" + (f": {urls[0]}" if urls else "")
    if event.type == "report_overdue":
        return (f"nothing for {event.year} after the deadline {details.get('deadline', '?')}"
                f" (published for {details.get('last_year', '?')})")
    return urls[0] if urls else ""


def text_body(event: AlertEvent, archived: str | None = None) -> str:
    """The plain-text message: Chinese first, then English; ``archived``: our copy's page."""
    blocks = []
    for lang in LANGS:
        desc = describe(event, lang)
        lines = [desc.headline, "", *[f"- {line}" for line in desc.lines]]
        if archived:
            lines += ["", f"{archived_label(event, lang)}：{archived}" if lang == "zh"
                      else f"{archived_label(event, lang)}: {archived}"]
        if desc.links:
            lines += ["", _LINKS[lang], *[f"  {url}" for url in desc.links]]
        for section, diff in desc.diffs:
            lines += ["", f"[{section}]", diff]
        lines += ["", _footer(event, lang)]
        blocks.append("\n".join(lines))
    return ("\n\n" + "-" * 40 + "\n\n").join(blocks) + "\n"


def archived_label(event: AlertEvent, lang: Lang) -> str:
    """What our link for the event opens: the archived copy, or (no report yet) the agency's page."""
    if event.report_id is not None:
        return "存档" if lang == "zh" else "Archived copy"
    return "机构页面" if lang == "zh" else "Agency page"


def html_fragment(event: AlertEvent, archived: str | None = None) -> str:
    """The HTML description (Chinese, then English); every crawled value escaped.

    ``archived``: the page of our archived copy (linked before the government URLs).
    """
    parts = []
    for lang in LANGS:
        desc = describe(event, lang)
        out = [f'<div lang="{"zh-CN" if lang == "zh" else "en"}">', f"<p><strong>{_e(desc.headline)}</strong></p>"]
        if desc.lines:
            out.append("<ul>" + "".join(f"<li>{_e(line)}</li>" for line in desc.lines) + "</ul>")
        if archived:
            out.append(f"<p>{_e(archived_label(event, lang))}{'：' if lang == 'zh' else ': '}"
                       f"{_link(archived)}</p>")
        if desc.links:
            out.append(f"<p>{_e(_LINKS[lang])}</p><ul>"
                       + "".join(f"<li>{_link(url)}</li>" for url in desc.links) + "</ul>")
        for section, diff in desc.diffs:
            out.append(f"<p>{_e(section)}</p><pre>{_e(diff)}</pre>")
        out.append(f"<p><small>{_e(_footer(event, lang))}</small></p></div>")
        parts.append("\n".join(out))
    return "\n<hr>\n".join(parts)


def html_document(event: AlertEvent, archived: str | None = None) -> str:
    """A complete HTML page around :func:`html_fragment`."""
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{_e(title(event))}</title></head>\n<body>\n{html_fragment(event, archived)}\n"
            "</body></html>\n")


# -- per type ------------------------------------------------------------------------------
def _describe_new(event: AlertEvent, details: dict[str, Any], lang: Lang) -> Description:
    name = f"{event.agency} {event.year}"
    desc = Description(f"发现新报告：{name} 年政府信息公开工作年度报告" if lang == "zh"
                       else f"A new report was found: {event.agency}, {event.year}")
    if details.get("title"):
        desc.lines.append(("标题：" if lang == "zh" else "Title: ") + one_line(str(details["title"])))
    return desc


def _describe_changed(event: AlertEvent, details: dict[str, Any], lang: Lang) -> Description:
    zh = lang == "zh"
    desc = Description(f"{event.agency} {event.year} 年度报告有改动" if zh
                       else f"The {event.year} report of {event.agency} changed")
    if details.get("version") is not None:
        desc.lines.append(f"现为第 {details['version']} 版" if zh else f"Now version {details['version']}")
    numbers = [n for n in _list(details.get("numbers")) if isinstance(n, dict)]
    for number in numbers[:MAX_NUMBERS]:
        where = (f"表{number.get('table', '?')} {number.get('row', '?')}「{number.get('column', '?')}」" if zh
                 else f"table {number.get('table', '?')}, {number.get('row', '?')} / {number.get('column', '?')}")
        desc.lines.append(f"{one_line(where)}：{number.get('old')} → {number.get('new')}" if zh
                          else f"{one_line(where)}: {number.get('old')} → {number.get('new')}")
    if len(numbers) > MAX_NUMBERS:
        more = len(numbers) - MAX_NUMBERS
        desc.lines.append(f"……另有 {more} 处数字改动" if zh else f"… and {more} more changed numbers")
    for text in _list(details.get("text")):
        if not isinstance(text, dict):
            continue
        section = one_line(str(text.get("section", "?")))
        diff = str(text.get("diff", ""))
        if len(diff) > MAX_DIFF_CHARS:
            diff = diff[:MAX_DIFF_CHARS] + ("\n……（已截断）" if zh else "\n… (truncated)")
        desc.diffs.append((f"正文改动：{section}" if zh else f"Text changed: {section}", diff))
    return desc


def _describe_removed(event: AlertEvent, details: dict[str, Any], lang: Lang) -> Description:
    zh = lang == "zh"
    desc = Description(f"{event.agency} {event.year} 年度报告已撤下" if zh
                       else f"The {event.year} report of {event.agency} was removed")
    reason = str(details.get("reason", ""))
    explained = REMOVAL_REASONS.get(reason, {}).get(lang, reason)
    if explained:
        desc.lines.append(("原因：" if zh else "Reason: ") + explained)
    return desc


def _describe_unlisted(event: AlertEvent, details: dict[str, Any], lang: Lang) -> Description:
    zh = lang == "zh"
    desc = Description(f"{event.agency} {event.year} 年度报告已移出栏目列表（原网址仍可访问）" if zh
                       else f"The {event.year} report of {event.agency} left its list (its URL still answers)")
    desc.lines.append(REMOVAL_REASONS["unlisted"][lang])
    return desc


def _describe_overdue(event: AlertEvent, details: dict[str, Any], lang: Lang) -> Description:
    deadline, last_year = details.get("deadline", "?"), details.get("last_year", "?")
    if lang == "zh":
        return Description(f"{event.agency} 逾期未发布 {event.year} 年度报告",
                           [f"已发布 {last_year} 年度报告，但截至 {deadline}（法定期限）仍未发现 {event.year} 年度报告"])
    return Description(f"{event.agency} has no {event.year} report after the deadline",
                       [f"It published a report for {last_year}, but none for {event.year} "
                        f"was found by the legal deadline {deadline}"])


def _describe_other(event: AlertEvent, details: dict[str, Any], lang: Lang) -> Description:
    return Description(f"{event.type}: {event.agency} {event.year}")


_BUILDERS = {"new_report": _describe_new, "report_changed": _describe_changed,
             "report_removed": _describe_removed, "report_unlisted": _describe_unlisted,
             "report_overdue": _describe_overdue}
_LINKS: dict[Lang, str] = {"zh": "网址：", "en": "URLs:"}


# -- helpers -------------------------------------------------------------------------------
def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _urls(details: dict[str, Any]) -> list[str]:
    """``url`` then ``urls`` from the details, once each, as single-line strings."""
    found: list[str] = []
    for value in [details.get("url"), *_list(details.get("urls"))]:
        if isinstance(value, str) and value.strip() and one_line(value) not in found:
            found.append(one_line(value))
    return found


def _footer(event: AlertEvent, lang: Lang) -> str:
    when = iso(event.created_at)
    return (f"发现时间 {when}，事件 {event.key}" if lang == "zh"
            else f"Detected {when}, event {event.key}")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _link(url: str) -> str:
    if url.lower().startswith(("http://", "https://")):
        return f'<a href="{_e(url)}">{_e(url)}</a>'
    return _e(url)
