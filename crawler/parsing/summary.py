"""A readable summary of a parse outcome, for ``govreports parse FILE``."""

from __future__ import annotations

from typing import Any

from crawler.parsing.outcome import ParseOutcome

_APP_ROWS = (("new_received", "一 本年新收"), ("carried_over", "二 上年结转"),
             ("granted", "予以公开"), ("partially_granted", "部分公开"), ("total", "七 总计"),
             ("carried_forward", "四 结转下年度"))


def _fmt(value: Any) -> str:
    return "—" if value is None else str(value)


def _src(record: dict[str, Any], name: str) -> str:
    """Which source decided an identity field, as " (from title)"."""
    source = (record.get("identity") or {}).get(name)
    return f" (from {source})" if source else ""


def format_summary(outcome: ParseOutcome) -> str:
    """Status, metadata, key figures, failed checks and warnings, one item per line."""
    if outcome.record is None:
        return f"status: {outcome.status}\n{outcome.message}"
    r = outcome.record
    lines = [
        f"status: {outcome.status} ({outcome.message})",
        f"title: {_fmt(r['title'])}",
        f"agency: {_fmt(r['agency'])}{_src(r, 'agency')}   year: {_fmt(r['year'])}{_src(r, 'year')}   "
        f"published: {_fmt(r['published_on'])}{_src(r, 'published_on')}",
        f"template: {r['template']} (二: {r['table_templates']['active_disclosure']}, "
        f"三: {r['table_templates']['applications']})",
    ]
    if r["active_disclosure"]:
        lines.append("二 主动公开:")
        for row, fields in r["active_disclosure"].items():
            lines.append(f"  {row}: " + ", ".join(f"{k}={_fmt(v)}" for k, v in fields.items()))
    apps = r["applications"]
    if apps:
        lines.append("三 依申请 (总计 column):")
        for row, label in _APP_ROWS:
            if row in apps:
                lines.append(f"  {label} ({row}): {_fmt(apps[row].get('total'))}")
    if r["review_litigation"]:
        lines.append("四 复议/诉讼 总计: " + ", ".join(
            f"{g}={_fmt(v.get('total'))}" for g, v in r["review_litigation"].items()))
    if r.get("ocr"):
        lines.append("ocr: true (text recognised from page images; see flagged values below)")
    for name, unit in (r.get("units") or {}).items():
        lines.append(f"unit: {name} in {unit}")
    failed = [c for c in r["checks"] if not c["ok"]]
    lines.append(f"checks: {len(r['checks']) - len(failed)} ok, {len(failed)} failed")
    for c in failed:
        lines.append(f"  FAILED {c['rule']} [{c['where']}]: expected {c['expected']}, found {c['actual']}")
    for w in r["warnings"]:
        lines.append(f"warning: {w}")
    for name, text in r["sections"].items():
        lines.append(f"section {name}: {len(text)} characters")
    return "\n".join(lines)
