"""The four standard tables laid out as grids of merged cells, as the official forms draw them.

Every renderer (HTML, text, PDF, DOCX) draws the same :class:`Grid`, so the layouts agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.reports.schema import (
    APPLICANT_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    active_disclosure_layout,
    application_rows,
)
from crawler.testbed.reportgen.model import GeneratedReport, format_number


@dataclass(frozen=True)
class Cell:
    """One drawn cell: its text and how many grid rows/columns it covers."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    value: bool = False
    narrow: bool = False  # a column header in a narrow column: real layouts wrap it


@dataclass(frozen=True)
class Grid:
    """A table as rows of cells (HTML order: covered positions are omitted)."""

    ncols: int
    rows: list[list[Cell]]

    def placed(self) -> list[tuple[int, int, Cell]]:
        """Each cell with its top-left (row, column) position in the full grid."""
        taken: set[tuple[int, int]] = set()
        out: list[tuple[int, int, Cell]] = []
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                out.append((r, c, cell))
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, c + dc))
                c += cell.colspan
        return out


# --- section 二 -------------------------------------------------------------------------

_AD_LABELS: dict[str, dict[str, str]] = {
    "2019": {
        "regulations": "规章",
        "normative_documents": "规范性文件",
        "licensing": "行政许可",
        "other_services": "其他对外管理服务事项",
        "punishment": "行政处罚",
        "enforcement": "行政强制",
        "fees": "行政事业性收费",
        "procurement": "政府集中采购",
    },
    "2021": {
        "regulations": "规章",
        "normative_documents": "行政规范性文件",
        "licensing": "行政许可",
        "punishment": "行政处罚",
        "enforcement": "行政强制",
        "fees": "行政事业性收费",
    },
}

#: (heading, field labels, rows) blocks of section 二, per template.
_AD_BLOCKS: dict[str, list[tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "2019": [
        (
            "第二十条第（一）项",
            ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
            ("regulations", "normative_documents"),
        ),
        (
            "第二十条第（五）项",
            ("上一年项目数量", "本年增/减", "处理决定数量"),
            ("licensing", "other_services"),
        ),
        (
            "第二十条第（六）项",
            ("上一年项目数量", "本年增/减", "处理决定数量"),
            ("punishment", "enforcement"),
        ),
        ("第二十条第（八）项", ("上一年项目数量", "本年增/减"), ("fees",)),
        ("第二十条第（九）项", ("采购项目数量", "采购总金额"), ("procurement",)),
    ],
    "2021": [
        (
            "第二十条第（一）项",
            ("本年制发件数", "本年废止件数", "现行有效件数"),
            ("regulations", "normative_documents"),
        ),
        ("第二十条第（五）项", ("本年处理决定数量",), ("licensing",)),
        ("第二十条第（六）项", ("本年处理决定数量",), ("punishment", "enforcement")),
        ("第二十条第（八）项", ("本年收费金额（单位：万元）",), ("fees",)),
    ],
}


def active_disclosure_grid(report: GeneratedReport) -> Grid:
    """Section 二: four columns, a full-width heading row per 第二十条 item."""
    labels = _AD_LABELS[report.template]
    layout = active_disclosure_layout(report.template)
    rows: list[list[Cell]] = []
    for heading, field_labels, keys in _AD_BLOCKS[report.template]:
        rows.append([Cell(heading, colspan=4, header=True)])
        rows.append(_spread([Cell("信息内容", header=True)], field_labels, header=True))
        for key in keys:
            values = [format_number(report.active_disclosure[key][f]) for f in layout[key]]
            rows.append(_spread([Cell(labels[key], header=True)], values, header=False))
    return Grid(4, rows)


def _spread(first: list[Cell], texts: tuple[str, ...] | list[str], *, header: bool) -> list[Cell]:
    """Fill the three columns after the label; the last cell stretches to the edge."""
    cells = list(first)
    for i, text in enumerate(texts):
        span = 3 - len(texts) + 1 if i == len(texts) - 1 else 1
        cells.append(Cell(text, colspan=span, header=header, value=not header))
    return cells


# --- section 三 -------------------------------------------------------------------------

APPLICATION_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

_RESULT_GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    ("（一）予以公开", [("granted", "")]),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [("partially_granted", "")]),
    (
        "（三）不予公开",
        [
            ("denied_state_secret", "1.属于国家秘密"),
            ("denied_prohibited_by_law", "2.其他法律行政法规禁止公开"),
            ("denied_security_stability", "3.危及“三安全一稳定”"),
            ("denied_third_party", "4.保护第三方合法权益"),
            ("denied_internal_affairs", "5.属于三类内部事务信息"),
            ("denied_process_info", "6.属于四类过程性信息"),
            ("denied_enforcement_file", "7.属于行政执法案卷"),
            ("denied_admin_query", "8.属于行政查询事项"),
        ],
    ),
    (
        "（四）无法提供",
        [
            ("unable_not_held", "1.本机关不掌握相关政府信息"),
            ("unable_needs_creation", "2.没有现成信息需要另行制作"),
            ("unable_unclear", "3.补正后申请内容仍不明确"),
        ],
    ),
    (
        "（五）不予处理",
        [
            ("rejected_petition", "1.信访举报投诉类申请"),
            ("rejected_repeat", "2.重复申请"),
            ("rejected_publication", "3.要求提供公开出版物"),
            ("rejected_excessive", "4.无正当理由大量反复申请"),
            ("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息"),
        ],
    ),
]

_OTHER_GROUP: dict[str, list[tuple[str, str]]] = {
    "2019": [("other", "")],
    "2021": [
        (
            "other_overdue_correction",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ),
        (
            "other_overdue_fee",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ),
        ("other_other", "3.其他"),
    ],
}

_APPLICANT_LABELS: tuple[str, ...] = (
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
)


def applicant_labels(report: GeneratedReport) -> tuple[str, ...]:
    """The five 法人或其他组织 column labels (some agencies write 社会组织)."""
    if report.layout_seed % 3 == 1:
        return ("商业企业", "科研机构", "社会组织", "法律服务机构", "其他")
    return _APPLICANT_LABELS


def result_groups(template: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Section 三 result groups (一)…(六): (group label, [(row key, item label)])."""
    return [*_RESULT_GROUPS, ("（六）其他处理", _OTHER_GROUP[template])]


def applications_grid(report: GeneratedReport) -> Grid:
    """Section 三: 3 label columns + 7 applicant columns, merged as in the official form."""
    rows: list[list[Cell]] = [
        [
            Cell(APPLICATION_NOTE, rowspan=3, colspan=3, header=True),
            Cell("申请人情况", colspan=7, header=True),
        ],
        [
            Cell("自然人", rowspan=2, header=True),
            Cell("法人或其他组织", colspan=5, header=True),
            Cell("总计", rowspan=2, header=True),
        ],
        [Cell(label, header=True, narrow=True) for label in applicant_labels(report)],
    ]
    assert set(application_rows(report.template)) == set(report.applications)
    rows.append(
        [
            Cell("一、本年新收政府信息公开申请数量", colspan=3, header=True),
            *_values(report, "new_received"),
        ]
    )
    rows.append(
        [
            Cell("二、上年结转政府信息公开申请数量", colspan=3, header=True),
            *_values(report, "carried_over"),
        ]
    )
    groups = result_groups(report.template)
    n_result_rows = sum(len(items) for _, items in groups) + 1
    first = True
    for group_label, items in groups:
        for i, (key, item_label) in enumerate(items):
            row: list[Cell] = []
            if first:
                row.append(Cell("三、本年度办理结果", rowspan=n_result_rows, header=True))
                first = False
            if not item_label:
                row.append(Cell(group_label, colspan=2, header=True))
            else:
                if i == 0:
                    row.append(Cell(group_label, rowspan=len(items), header=True))
                row.append(Cell(item_label, header=True))
            rows.append(row + _values(report, key))
    rows.append([Cell("（七）总计", colspan=2, header=True), *_values(report, "total")])
    rows.append(
        [
            Cell("四、结转下年度继续办理", colspan=3, header=True),
            *_values(report, "carried_forward"),
        ]
    )
    return Grid(10, rows)


def _values(report: GeneratedReport, key: str) -> list[Cell]:
    return [Cell(format_number(report.applications[key][c]), value=True) for c in APPLICANT_COLUMNS]


# --- section 四 -------------------------------------------------------------------------

REVIEW_LABELS: tuple[str, ...] = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def review_grid(report: GeneratedReport) -> Grid:
    """Section 四: 行政复议 (5 columns) and 行政诉讼 (2 x 5 columns), one row of values."""
    rows: list[list[Cell]] = [
        [Cell("行政复议", colspan=5, header=True), Cell("行政诉讼", colspan=10, header=True)],
        [
            *(Cell(label, rowspan=2, header=True, narrow=True) for label in REVIEW_LABELS),
            Cell("未经复议直接起诉", colspan=5, header=True),
            Cell("复议后起诉", colspan=5, header=True),
        ],
        [Cell(label, header=True, narrow=True) for _ in range(2) for label in REVIEW_LABELS],
        [
            Cell(format_number(report.review_litigation[g][c]), value=True)
            for g in REVIEW_GROUPS
            for c in REVIEW_COLUMNS
        ],
    ]
    return Grid(15, rows)


def all_grids(report: GeneratedReport) -> dict[str, Grid]:
    """The three tables keyed by section number (二, 三, 四)."""
    return {
        "二": active_disclosure_grid(report),
        "三": applications_grid(report),
        "四": review_grid(report),
    }
