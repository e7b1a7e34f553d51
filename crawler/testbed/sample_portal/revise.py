"""A corrected edition of a report: a few numbers changed, the official checks still holding."""

from __future__ import annotations

import copy
import dataclasses
import random

from crawler.reports.schema import APPLICANT_COLUMNS, REVIEW_GROUPS
from crawler.testbed.reportgen import GeneratedReport


def revised_report(report: GeneratedReport, rng: random.Random) -> GeneratedReport:
    """``report`` with more requests granted to one applicant and one more review upheld.

    Six cells of section 三 (新收 / 予以公开 / 总计, in the applicant's column and in 总计)
    grow by the same amount and two of section 四 (维持 and 总计 of one group) by one, so the
    balance, result and total checks (勾稽关系) hold as before.
    """
    apps = copy.deepcopy(report.applications)
    review = copy.deepcopy(report.review_litigation)
    extra = rng.randint(1, 9)
    column = rng.choice(APPLICANT_COLUMNS[:-1])
    for row in ("new_received", "granted", "total"):
        for col in (column, "total"):
            apps[row][col] = (apps[row][col] or 0) + extra
    group = rng.choice(REVIEW_GROUPS)
    for col in ("upheld", "total"):
        review[group][col] = (review[group][col] or 0) + 1
    return dataclasses.replace(report, applications=apps, review_litigation=review,
                               extra=dict(report.extra))
