"""A report as an ordered list of blocks (title, paragraphs, headings, tables, signature).

Renderers walk these blocks, so every output format has the same content in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from crawler.testbed.reportgen.model import GeneratedReport
from crawler.testbed.reportgen.tables import Grid, all_grids

BlockKind = Literal["title", "paragraph", "heading", "table", "signature"]

HEADINGS: dict[str, str] = {
    "一": "一、总体情况",
    "二": "二、主动公开政府信息情况",
    "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况",
    "五": "五、存在的主要问题及改进情况",
    "六": "六、其他需要报告的事项",
}


@dataclass(frozen=True)
class Block:
    """One block of the document; ``grid`` is set for tables only."""

    kind: BlockKind
    text: str = ""
    grid: Grid | None = None


def blocks(report: GeneratedReport) -> list[Block]:
    """The report's blocks in reading order."""
    grids = all_grids(report)
    out: list[Block] = [Block("title", report.title)]
    if report.preamble:
        out.append(Block("paragraph", report.preamble))
    out.append(Block("heading", HEADINGS["一"]))
    out.extend(Block("paragraph", p) for p in report.sections["overview"].split("\n"))
    for key in ("二", "三", "四"):
        out.append(Block("heading", HEADINGS[key]))
        out.append(Block("table", grid=grids[key]))
    out.append(Block("heading", HEADINGS["五"]))
    out.extend(Block("paragraph", p) for p in report.sections["problems"].split("\n"))
    out.append(Block("heading", HEADINGS["六"]))
    out.extend(Block("paragraph", p) for p in report.sections["other"].split("\n"))
    if report.signature:
        out.extend(Block("signature", line) for line in report.signature.split("\n"))
    return out
