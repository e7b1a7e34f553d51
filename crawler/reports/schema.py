"""The keys of the structured report record: the data contract researchers rely on.

Row, field and column names for the four standard tables of a 政府信息公开工作年度报告, in
both official templates (2019: 国办公开办函〔2019〕60号; 2021: 国办公开办函〔2021〕30号).
The report generator (``crawler.testbed.reportgen``) and the parser (``crawler.parsing``) both
use these names, so a round trip through a rendered document compares like with like.
"""

from __future__ import annotations

from typing import Final, Literal

Template = Literal["2019", "2021", "mixed", "unknown"]

#: Section 二 (主动公开政府信息情况): row -> fields, per template.
ACTIVE_DISCLOSURE_2019: Final[dict[str, tuple[str, ...]]] = {
    "regulations": ("made", "published", "total"),  # 规章: 本年新制作/本年新公开/对外公开总数量
    "normative_documents": ("made", "published", "total"),  # 规范性文件
    "licensing": ("previous_items", "change", "decisions"),  # 行政许可
    "other_services": ("previous_items", "change", "decisions"),  # 其他对外管理服务事项
    "punishment": ("previous_items", "change", "decisions"),  # 行政处罚
    "enforcement": ("previous_items", "change", "decisions"),  # 行政强制
    "fees": ("previous_items", "change"),  # 行政事业性收费
    "procurement": ("items", "amount"),  # 政府集中采购: 采购项目数量/采购总金额
}

ACTIVE_DISCLOSURE_2021: Final[dict[str, tuple[str, ...]]] = {
    "regulations": ("issued", "repealed", "in_force"),  # 规章: 本年制发/本年废止/现行有效件数
    "normative_documents": ("issued", "repealed", "in_force"),  # 行政规范性文件
    "licensing": ("decisions",),  # 行政许可: 本年处理决定数量
    "punishment": ("decisions",),  # 行政处罚
    "enforcement": ("decisions",),  # 行政强制
    "fees": ("amount_10k_yuan",),  # 行政事业性收费: 本年收费金额（单位：万元）
}

#: Section 三 (收到和处理政府信息公开申请情况): applicant columns, left to right.
APPLICANT_COLUMNS: Final[tuple[str, ...]] = (
    "natural_person",  # 自然人
    "commercial_enterprise",  # 商业企业
    "research_institution",  # 科研机构
    "social_welfare_org",  # 社会公益组织 / 社会组织
    "legal_service_org",  # 法律服务机构
    "other_org",  # 其他
    "total",  # 总计
)

_RESULT_ROWS: Final[tuple[str, ...]] = (
    "granted",  # (一) 予以公开
    "partially_granted",  # (二) 部分公开
    "denied_state_secret",  # (三)1 属于国家秘密
    "denied_prohibited_by_law",  # (三)2 其他法律行政法规禁止公开
    "denied_security_stability",  # (三)3 危及“三安全一稳定”
    "denied_third_party",  # (三)4 保护第三方合法权益
    "denied_internal_affairs",  # (三)5 属于三类内部事务信息
    "denied_process_info",  # (三)6 属于四类过程性信息
    "denied_enforcement_file",  # (三)7 属于行政执法案卷
    "denied_admin_query",  # (三)8 属于行政查询事项
    "unable_not_held",  # (四)1 本机关不掌握相关政府信息
    "unable_needs_creation",  # (四)2 没有现成信息需要另行制作
    "unable_unclear",  # (四)3 补正后申请内容仍不明确
    "rejected_petition",  # (五)1 信访举报投诉类申请
    "rejected_repeat",  # (五)2 重复申请
    "rejected_publication",  # (五)3 要求提供公开出版物
    "rejected_excessive",  # (五)4 无正当理由大量反复申请
    "rejected_confirmation",  # (五)5 要求行政机关确认或重新出具已获取信息
)

#: (六)其他处理: one row in 2019, three in 2021.
OTHER_ROWS_2019: Final[tuple[str, ...]] = ("other",)
OTHER_ROWS_2021: Final[tuple[str, ...]] = (
    "other_overdue_correction",  # 1. 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请
    "other_overdue_fee",  # 2. 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请
    "other_other",  # 3. 其他
)

APPLICATION_ROWS_2019: Final[tuple[str, ...]] = (
    ("new_received", "carried_over") + _RESULT_ROWS + OTHER_ROWS_2019 + ("total", "carried_forward")
)
APPLICATION_ROWS_2021: Final[tuple[str, ...]] = (
    ("new_received", "carried_over") + _RESULT_ROWS + OTHER_ROWS_2021 + ("total", "carried_forward")
)
#: Rows (一)…(六) whose sum is (七)总计, per template.
RESULT_ROWS_2019: Final[tuple[str, ...]] = _RESULT_ROWS + OTHER_ROWS_2019
RESULT_ROWS_2021: Final[tuple[str, ...]] = _RESULT_ROWS + OTHER_ROWS_2021

#: Section 四 (行政复议、行政诉讼).
REVIEW_GROUPS: Final[tuple[str, ...]] = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS: Final[tuple[str, ...]] = ("upheld", "corrected", "other", "pending", "total")


def active_disclosure_layout(template: str) -> dict[str, tuple[str, ...]]:
    """Rows and fields of section 二 for a template ("2019" or "2021")."""
    return ACTIVE_DISCLOSURE_2019 if template == "2019" else ACTIVE_DISCLOSURE_2021


def application_rows(template: str) -> tuple[str, ...]:
    """Rows of section 三 for a template ("2019" or "2021")."""
    return APPLICATION_ROWS_2019 if template == "2019" else APPLICATION_ROWS_2021


def result_rows(template: str) -> tuple[str, ...]:
    """Rows (一)…(六) of section 三 whose sum is (七)总计, for a template ("2019" or "2021")."""
    return RESULT_ROWS_2019 if template == "2019" else RESULT_ROWS_2021
