"""HTML renderers: the article fragment as TRS/Hanweb pages carry it, and a whole page."""

from __future__ import annotations

from html import escape

from crawler.testbed.reportgen.document import blocks
from crawler.testbed.reportgen.model import GeneratedReport
from crawler.testbed.reportgen.tables import Grid


def _table_html(grid: Grid) -> str:
    lines = ['<table border="1" cellspacing="0" cellpadding="0" width="100%">', "<tbody>"]
    for row in grid.rows:
        cells = []
        for cell in row:
            attrs = ""
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            text = escape(cell.text, quote=False) if cell.text else "&nbsp;"
            cells.append(f'<td{attrs} valign="middle"><p align="center">{text}</p></td>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.extend(["</tbody>", "</table>"])
    return "\n".join(lines)


def render_html(report: GeneratedReport) -> str:
    """The article fragment: <h1> title, paragraphs, headings 一、…六、 and ruled tables.

    Blank cells are ``&nbsp;``; headings alternate between ``<h2>`` and bold paragraphs
    (by ``layout_seed``) as real sites do.
    """
    bold_headings = report.layout_seed % 2 == 1
    parts: list[str] = []
    for block in blocks(report):
        text = escape(block.text, quote=False)
        if block.kind == "title":
            parts.append(f"<h1>{text}</h1>")
        elif block.kind == "heading":
            parts.append(f"<p><strong>{text}</strong></p>" if bold_headings else f"<h2>{text}</h2>")
        elif block.kind == "table" and block.grid is not None:
            parts.append(_table_html(block.grid))
        elif block.kind == "signature":
            parts.append(f'<p style="text-align: right;">{text}</p>')
        else:
            parts.append(f'<p style="text-indent: 2em;">{text}</p>')
    return '<div class="TRS_Editor">\n' + "\n".join(parts) + "\n</div>"


def render_html_page(
    report: GeneratedReport, *, charset: str = "utf-8", meta: dict[str, str] | None = None
) -> str:
    """A whole HTML document; encode it with ``charset`` before serving it."""
    metas = [f'<meta charset="{escape(charset)}">']
    for name, content in (meta or {}).items():
        metas.append(f'<meta name="{escape(name)}" content="{escape(content)}">')
    head = "\n".join([*metas, f"<title>{escape(report.title, quote=False)}</title>"])
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f"{head}\n</head>\n<body>\n{render_html(report)}\n</body>\n</html>\n"
    )
