"""Pages that talk about annual reports without being one: the noise a classifier must skip."""

from __future__ import annotations

import random
from html import escape


def notice_titles(agency: str, year: int) -> tuple[str, ...]:
    """Titles of non-report pages that mention 年度报告 or 政务公开."""
    return (
        f"关于做好{year}年政府信息公开工作年度报告编制工作的通知",
        f"{year + 1}年政务公开工作要点",
        f"关于{agency}{year}年政府信息公开工作年度报告的解读",
        f"关于报送{year}年政府信息公开工作年度报告的通知",
        f"{agency}关于{year}年度政府信息公开工作年度报告发布情况的公示",
        f"一图读懂{agency}{year}年政府信息公开工作年度报告",
    )


def render_notice_html(agency: str, year: int, rng: random.Random) -> tuple[str, str]:
    """(title, html fragment) of a notice, work plan or 解读 about annual reports."""
    title = rng.choice(notice_titles(agency, year))
    deadline = f"{year + 1}年1月{rng.randint(10, 31)}日"
    body = [
        f"各有关单位：为做好{year}年政府信息公开工作年度报告编制和发布工作，根据《中华人民共和国政府信息公开条例》"
        "和国务院办公厅政府信息与政务公开办公室有关要求，现将有关事项通知如下。",
        f"一、各单位要严格按照年度报告格式要求编写，于{deadline}前将年度报告报送{agency}。",
        "二、年度报告应当数据准确、内容完整，统计数据与实际工作情况相符，不得漏报、错报。",
        "三、年度报告经本单位主要负责同志审定后，在门户网站政府信息公开专栏发布。",
    ]
    if "解读" in title or "图读懂" in title:
        body = [
            f"《{agency}{year}年政府信息公开工作年度报告》已正式发布，现就报告主要内容解读如下。",
            f"一是主动公开情况：全年主动公开政府信息{rng.randint(50, 3000)}条。",
            f"二是依申请公开情况：全年共收到政府信息公开申请{rng.randint(0, 200)}件，均已依法答复。",
            "三是下一步工作：持续深化重点领域信息公开，不断提高政务公开质量。",
        ]
    elif "要点" in title:
        body = [
            f"{year + 1}年政务公开工作要坚持以人民为中心的发展思想，围绕中心工作深化政务公开。",
            "一、以公开促落实，助力经济社会高质量发展。",
            "二、以公开强监管，规范权力运行。",
            "三、做好政府信息公开工作年度报告编制发布工作，按时完成年度报告。",
        ]
    paragraphs = "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in body)
    return title, f"<h1>{escape(title, quote=False)}</h1>\n{paragraphs}"
