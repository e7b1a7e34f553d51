"""The generated report: one annual report's values, before it is rendered."""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass, field
from typing import Any

from crawler.reports.checks import failed_check_names, run_checks
from crawler.reports.form import Number

#: Official form documents of the two templates.
TEMPLATE_DOCUMENT: dict[str, str] = {
    "2019": "国办公开办函〔2019〕60号",
    "2021": "国办公开办函〔2021〕30号",
}


@dataclass(frozen=True)
class GeneratedReport:
    """A synthetic 政府信息公开工作年度报告 and the values it carries.

    ``layout_seed`` picks cosmetic variants in the renderers (label wording such as
    社会组织/社会公益组织, spacing, how text extractors split cells), so one report always
    renders to the same bytes while a batch of reports covers the variants.
    """

    agency: str
    year: int
    template: str
    title: str
    published_on: datetime.date
    active_disclosure: dict[str, dict[str, Number | None]]
    applications: dict[str, dict[str, int | None]]
    review_litigation: dict[str, dict[str, int | None]]
    sections: dict[str, str]
    preamble: str = ""
    signature: str = ""
    layout_seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def expected_record(self) -> dict[str, Any]:
        """The parse-record fields this report must parse back to."""
        return {
            "agency": self.agency,
            "year": self.year,
            "title": self.title,
            "published_on": self.published_on.isoformat(),
            "template": self.template,
            "active_disclosure": copy.deepcopy(self.active_disclosure),
            "applications": copy.deepcopy(self.applications),
            "review_litigation": copy.deepcopy(self.review_litigation),
            "sections": dict(self.sections),
        }


def format_date(day: datetime.date) -> str:
    """A Chinese signature date such as 2022年1月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def failed_checks(report: GeneratedReport) -> list[str]:
    """Names of the official checks the report's numbers break, e.g. ``"balance:natural_person"``."""
    return failed_check_names(run_checks(report.applications, report.review_litigation))
