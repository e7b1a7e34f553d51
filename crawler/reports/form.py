"""The official form's printed words: section titles, row and column labels, cell text.

The one home of the form's labels (国办公开办函〔2019〕60号 and 〔2021〕30号): the report
generator draws its documents with them, the web app lays parsed records out with them, and the
parser and exports name cells with them. Keys are those of :mod:`crawler.reports.schema`.
"""

from __future__ import annotations

from typing import Final

from crawler.reports.schema import (
    ACTIVE_DISCLOSURE_2019,
    ACTIVE_DISCLOSURE_2021,
    APPLICANT_COLUMNS,
    REVIEW_COLUMNS,
)

Number = int | float

#: Section headings of the three tables: (printed, English).
SECTION_TITLES: Final[dict[str, tuple[str, str]]] = {
    "active_disclosure": ("二、主动公开政府信息情况", "Proactive disclosure"),
    "applications": ("三、收到和处理政府信息公开申请情况", "Disclosure applications"),
    "review_litigation": ("四、政府信息公开行政复议、行政诉讼情况", "Administrative review and litigation"),
}
#: Section headings of the prose sections: (printed, English).
TEXT_SECTION_TITLES: Final[dict[str, tuple[str, str]]] = {
    "overview": ("一、总体情况", "Overview"),
    "problems": ("五、存在的主要问题及改进情况", "Problems and improvements"),
    "other": ("六、其他需要报告的事项", "Other matters"),
}

# --- section 二 -------------------------------------------------------------------------

#: Row labels of section 二, per template.
AD_ROW_LABELS: Final[dict[str, dict[str, str]]] = {
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
AD_BLOCKS: Final[dict[str, list[tuple[str, tuple[str, ...], tuple[str, ...]]]]] = {
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
#: The label column's header in section 二.
AD_LABEL_HEADER: Final = "信息内容"

# --- section 三 -------------------------------------------------------------------------

APPLICATION_NOTE: Final = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANTS_HEADER: Final = "申请人情况"
NATURAL_PERSON: Final = "自然人"
ORGANISATIONS_HEADER: Final = "法人或其他组织"
TOTAL: Final = "总计"
#: The five 法人或其他组织 columns as the form prints them.
ORGANISATION_LABELS: Final[tuple[str, ...]] = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
#: The same columns as some agencies print them (社会组织 for 社会公益组织).
ORGANISATION_LABELS_VARIANT: Final[tuple[str, ...]] = ("商业企业", "科研机构", "社会组织", "法律服务机构", "其他")
#: Every printed applicant column label, variants included.
ALL_APPLICANT_LABELS: Final[tuple[str, ...]] = (
    NATURAL_PERSON, "商业企业", "科研机构", "社会公益组织", "社会组织", "法律服务机构", "其他", TOTAL)
APPLICANT_LABELS: Final[dict[str, str]] = dict(
    zip(APPLICANT_COLUMNS, (NATURAL_PERSON, *ORGANISATION_LABELS, TOTAL), strict=True))

#: Labels of the rows outside the results block.
APPLICATION_ROW_LABELS: Final[dict[str, str]] = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
RESULTS_HEADER: Final = "三、本年度办理结果"

_RESULT_GROUPS: Final[list[tuple[str, list[tuple[str, str]]]]] = [
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

_OTHER_GROUP: Final[dict[str, list[tuple[str, str]]]] = {
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


def result_groups(template: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Section 三 result groups (一)…(六): (group label, [(row key, item label)])."""
    return [*_RESULT_GROUPS, ("（六）其他处理", _OTHER_GROUP[template])]


def application_row_label(row: str) -> str:
    """The printed label of a section 三 row, e.g. ``（三）不予公开 1.属于国家秘密``."""
    if row in APPLICATION_ROW_LABELS:
        return APPLICATION_ROW_LABELS[row]
    for template in ("2021", "2019"):
        for group, items in result_groups(template):
            for key, item in items:
                if key == row:
                    return f"{group} {item}".strip()
    return row


# --- section 四 -------------------------------------------------------------------------

REVIEW_HEADER: Final = "行政复议"
LITIGATION_HEADER: Final = "行政诉讼"
#: The two 行政诉讼 column groups.
LITIGATION_GROUP_HEADERS: Final[tuple[str, str]] = ("未经复议直接起诉", "复议后起诉")
#: The five result columns of each group, left to right.
REVIEW_LABELS: Final[tuple[str, ...]] = ("结果维持", "结果纠正", "其他结果", "尚未审结", TOTAL)
REVIEW_COLUMN_LABELS: Final[dict[str, str]] = dict(zip(REVIEW_COLUMNS, REVIEW_LABELS, strict=True))
REVIEW_GROUP_LABELS: Final[dict[str, str]] = {
    "review": REVIEW_HEADER,
    "litigation_direct": f"{LITIGATION_HEADER}·{LITIGATION_GROUP_HEADERS[0]}",
    "litigation_after_review": f"{LITIGATION_HEADER}·{LITIGATION_GROUP_HEADERS[1]}",
}

# --- checks and cells -------------------------------------------------------------------

#: The official checks (勾稽关系) of :mod:`crawler.reports.checks`: (printed, English).
RULE_LABELS: Final[dict[str, tuple[str, str]]] = {
    "balance": ("一＋二＝三（七）总计＋四", "new + carried over = total + carried forward"),
    "results_sum": ("（一）至（六）之和＝（七）总计", "results (一)…(六) add up to the total"),
    "row_total": ("各类申请人之和＝总计", "applicant columns add up to the total"),
    "review_total": ("四类结果之和＝总计", "the four results add up to the total"),
    "carried_over_prev": ("上年结转＝上年报告的结转下年度继续办理",
                          "carried over = last year's carried forward"),
    "in_force_prev": ("现行有效件数＝上年现行有效件数＋本年制发－本年废止",
                      "in force = last year's in force + issued − repealed"),
}


def _ad_field_labels() -> dict[tuple[str, str], str]:
    labels: dict[tuple[str, str], str] = {}
    for template, layout in (("2019", ACTIVE_DISCLOSURE_2019), ("2021", ACTIVE_DISCLOSURE_2021)):
        for _heading, field_labels, rows in AD_BLOCKS[template]:
            for row in rows:
                for name, text in zip(layout[row], field_labels, strict=True):
                    labels.setdefault((row, name), f"{AD_ROW_LABELS[template][row]}·{text}")
    return labels


_AD_FIELD_LABELS = _ad_field_labels()


def row_column_labels(table: str, row: str, column: str) -> tuple[str, str]:
    """The printed (row label, column label) of a cell, e.g. ``("（一）予以公开", "自然人")``."""
    if table == "active_disclosure":
        label = _AD_FIELD_LABELS.get((row, column))
        return tuple(label.split("·", 1)) if label else (row, column)  # type: ignore[return-value]
    if table == "applications":
        return application_row_label(row), APPLICANT_LABELS.get(column, column)
    if table == "review_litigation":
        return REVIEW_GROUP_LABELS.get(row, row), REVIEW_COLUMN_LABELS.get(column, column)
    return row, column


def cell_label(table: str, row: str, column: str) -> str:
    """A cell's printed labels, e.g. ``三 （一）予以公开 · 自然人``."""
    if table == "active_disclosure":
        return "二 " + _AD_FIELD_LABELS.get((row, column), f"{row}·{column}")
    if table == "applications":
        return f"三 {application_row_label(row)} · {APPLICANT_LABELS.get(column, column)}"
    if table == "review_litigation":
        return (f"四 {REVIEW_GROUP_LABELS.get(row, row)} · "
                f"{REVIEW_COLUMN_LABELS.get(column, column)}")
    return f"{table}·{row}·{column}"


def check_where_label(rule: str, where: str) -> str:
    """What a check's ``where`` names, in the template's words."""
    if rule in ("balance", "results_sum", "carried_over_prev"):
        return APPLICANT_LABELS.get(where, where)
    if rule == "in_force_prev":
        return AD_ROW_LABELS["2021"].get(where, where)
    if rule == "row_total":
        return application_row_label(where)
    if rule == "review_total":
        return REVIEW_GROUP_LABELS.get(where, where)
    return where


def format_number(value: Number | None) -> str:
    """A cell's text: blank for ``None``, integers plainly, decimals without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)
