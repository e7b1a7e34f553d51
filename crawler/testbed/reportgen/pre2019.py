"""Reports in the pre-2019 shape: prose sections and the 政府信息公开情况统计表 (label, unit, value).

The rows follow the statistics table many provinces used from 2008 to 2018; values are
random, some left blank.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from html import escape

#: (label, unit) rows of the statistics table, as printed.
ROWS: tuple[tuple[str, str], ...] = (
    ("一、主动公开情况", ""),
    ("（一）主动公开政府信息数", "条"),
    ("其中：主动公开规范性文件数", "条"),
    ("制发规范性文件总数", "件"),
    ("（二）通过不同渠道和方式公开政府信息的情况", ""),
    ("1.政府公报公开政府信息数", "条"),
    ("2.政府网站公开政府信息数", "条"),
    ("3.政务微博公开政府信息数", "条"),
    ("4.政务微信公开政府信息数", "条"),
    ("二、回应解读情况", ""),
    ("（一）回应公众关注热点或重大舆情数", "次"),
    ("（二）参加或举办新闻发布会总次数", "次"),
    ("三、依申请公开情况", ""),
    ("（一）收到申请数", "件"),
    ("1.当面申请数", "件"),
    ("2.传真申请数", "件"),
    ("3.网络申请数", "件"),
    ("4.信函申请数", "件"),
    ("（二）申请办结数", "件"),
    ("1.按时办结数", "件"),
    ("2.延期办结数", "件"),
    ("四、行政复议数量", "件"),
    ("五、行政诉讼数量", "件"),
    ("六、举报投诉数量", "件"),
    ("七、依申请公开信息收取的费用", "万元"),
    ("八、机构建设和保障经费情况", ""),
    ("（一）政府信息公开工作专门机构数", "个"),
    ("（二）从事政府信息公开工作人员数", "人"),
    ("（三）政府信息公开专项经费", "万元"),
    ("九、政府信息公开会议和培训情况", ""),
    ("（一）召开政府信息公开工作会议或专题会议数", "次"),
    ("（二）举办各类培训班数", "次"),
    ("（三）接受培训人员数", "人次"),
)

AGENCIES = ("银川市教育局", "中卫市沙坡头区人民政府", "吴忠市审计局", "石嘴山市大武口区民政局")


@dataclass(frozen=True)
class Pre2019Report:
    """A pre-2019 report: identity, statistics rows (label, unit, value) and prose."""

    agency: str
    year: int
    published_on: datetime.date
    rows: list[tuple[str, str, int | float | None]]

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"

    def expected_statistics(self) -> list[dict[str, object]]:
        return [{"label": label, "unit": unit, "value": value} for label, unit, value in self.rows if unit]


def random_pre2019(rng: random.Random) -> Pre2019Report:
    rows: list[tuple[str, str, int | float | None]] = []
    for label, unit in ROWS:
        value: int | float | None = None
        if unit == "万元":
            value = round(rng.uniform(0, 30), 2) if rng.random() < 0.9 else None
        elif unit:
            value = rng.randint(0, 3000) if rng.random() < 0.9 else None
        rows.append((label, unit, value))
    year = rng.randint(2009, 2018)
    return Pre2019Report(rng.choice(AGENCIES), year, datetime.date(year + 1, 3, rng.randint(1, 28)), rows)


def _paragraphs(report: Pre2019Report) -> list[tuple[str, str]]:
    """(kind, text) blocks in order, the table as kind "table"."""
    day = report.published_on
    return [
        ("title", report.title),
        ("p", f"本报告根据《中华人民共和国政府信息公开条例》要求，由{report.agency}编制。"),
        ("h", "一、概述"),
        ("p", f"{report.year}年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。"),
        ("h", "二、主动公开政府信息情况"),
        ("p", "全年主动公开政府信息情况见附表。"),
        ("h", "三、依申请公开政府信息情况"),
        ("p", "依申请公开情况见附表。"),
        ("h", "四、政府信息公开的收费及减免情况"),
        ("p", "本年度未收取任何费用。"),
        ("h", "五、因政府信息公开申请行政复议、提起行政诉讼的情况"),
        ("p", "本年度未发生因政府信息公开申请行政复议、提起行政诉讼的情况。"),
        ("h", "六、存在的主要问题及改进措施"),
        ("p", "信息公开的及时性有待提高，下一步将加强培训。"),
        ("h", "七、其他需要报告的事项"),
        ("p", "无。"),
        ("p", "附表：政府信息公开情况统计表"),
        ("table", ""),
        ("sign", report.agency),
        ("sign", f"{day.year}年{day.month}月{day.day}日"),
    ]


def _value(value: int | float | None) -> str:
    return "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))


def render_pre2019_html(report: Pre2019Report) -> str:
    parts = []
    for kind, text in _paragraphs(report):
        if kind == "title":
            parts.append(f"<h1>{escape(text)}</h1>")
        elif kind == "h":
            parts.append(f"<p><strong>{escape(text)}</strong></p>")
        elif kind == "table":
            rows = ["<tr><td>统计指标</td><td>单位</td><td>统计数</td></tr>"]
            rows += [f"<tr><td>{escape(label)}</td><td>{unit}</td><td>{_value(value) or '&nbsp;'}</td></tr>"
                     for label, unit, value in report.rows]
            parts.append('<table border="1">' + "".join(rows) + "</table>")
        else:
            parts.append(f"<p>{escape(text)}</p>")
    return "<html><head><meta charset='utf-8'></head><body>" + "\n".join(parts) + "</body></html>"


def render_pre2019_text(report: Pre2019Report) -> str:
    parts = []
    for kind, text in _paragraphs(report):
        if kind == "table":
            lines = ["统计指标\t单位\t统计数"]
            lines += [f"{label}\t{unit}\t{_value(value)}" for label, unit, value in report.rows]
            parts.append("\n".join(lines))
        else:
            parts.append(text)
    return "\n\n".join(parts) + "\n"
