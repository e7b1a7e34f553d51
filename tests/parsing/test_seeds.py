"""The five real reports in ../shared/seeds parse to the records read off them by eye."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from crawler.parsing import parse_file
from crawler.parsing.record import schema
from crawler.reports.schema import APPLICANT_COLUMNS, REVIEW_COLUMNS, application_rows
from tests.parsing.conftest import shared_dir

N = None
ZERO7 = [0, 0, 0, 0, 0, 0, 0]
TOTAL_ONLY = [N, N, N, N, N, N, 0]


def apps(template: str, rows: dict[str, list[Any]] | None = None, default: list[Any] = ZERO7):
    """A section 三 table: every row of the template, ``default`` unless listed."""
    rows = rows or {}
    return {
        row: dict(zip(APPLICANT_COLUMNS, rows.get(row, default), strict=True))
        for row in application_rows(template)
    }


def review(review: list[Any], direct: list[Any], after: list[Any]) -> dict[str, Any]:
    return {
        "review": dict(zip(REVIEW_COLUMNS, review, strict=True)),
        "litigation_direct": dict(zip(REVIEW_COLUMNS, direct, strict=True)),
        "litigation_after_review": dict(zip(REVIEW_COLUMNS, after, strict=True)),
    }


ZERO5 = [0, 0, 0, 0, 0]

EXPECTED: dict[str, dict[str, Any]] = {
    "000": {
        # preamble names 石嘴山市交通运输局: the title wins; 2019 columns in a 2021 report
        "agency": "石嘴山高新技术产业开发区管理委员会",
        "year": 2021,
        "title": "石嘴山高新技术产业开发区管理委员会2021年政府信息公开工作年度报告",
        "published_on": None,
        "template": "2019",
        "table_templates": {"active_disclosure": "2019", "applications": "2019"},
        "active_disclosure": {
            "regulations": {"made": 0, "published": 0, "total": 0},
            "normative_documents": {"made": 0, "published": 0, "total": 0},
            "licensing": {"previous_items": 258, "change": 64, "decisions": 0},
            "other_services": {"previous_items": 209, "change": 75, "decisions": 0},
            "punishment": {"previous_items": 0, "change": 0, "decisions": 0},
            "enforcement": {"previous_items": 0, "change": 0, "decisions": 0},
            "fees": {"previous_items": 0, "change": 0},
            "procurement": {"items": None, "amount": None},
        },
        "applications": apps("2019"),
        "review_litigation": review(ZERO5, ZERO5, ZERO5),
        "warnings": [],
        "sections": {
            "overview": ("2021 年，石嘴山高新区坚持", "督促及时更新微信公众号信息。"),
            "problems": ("虽然我单位在政务公开方面", "提高政务公开实效。"),
            "other": ("（一）2021年政务公开工作要点落实情况", "未收取信息处理费。"),
        },
    },
    "001": {
        "agency": "平顶山高新技术产业开发区管理委员会",
        "year": 2021,
        "title": "平顶山高新技术产业开发区管理委员会2021年政府信息公开工作年度报告",
        "published_on": None,
        "template": "2021",
        "table_templates": {"active_disclosure": "2021", "applications": "2021"},
        "active_disclosure": {
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 1, "repealed": 0, "in_force": 2},
            "licensing": {"decisions": 33},
            "punishment": {"decisions": 0},
            "enforcement": {"decisions": 0},
            "fees": {"amount_10k_yuan": 0},
        },
        "applications": apps("2021"),
        "review_litigation": review(ZERO5, ZERO5, ZERO5),
        "warnings": [],
        "sections": {
            "overview": ("2021年，在市政务公开办公室的具体指导下", "为政务公开工作做好强有力的内容保障。"),
            "problems": ("一是政府信息公开意识强弱不一", "丰富形式, 创新手段。"),
            "other": ("按照《国务院办公厅关于印发政府信息公开信息处理费管理办法的通知》", "2021年高新区管委会依申请公开政府信息未收费。"),
        },
    },
    "002": {
        "agency": "宁夏吴忠金积工业园区管委会",
        "year": 2023,
        "title": "宁夏吴忠金积工业园区管委会2023年政府信息公开工作年度报告",
        "published_on": None,
        "template": "2021",
        "table_templates": {"active_disclosure": "2021", "applications": "2021"},
        "active_disclosure": {
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 0, "repealed": 0, "in_force": 0},
            "licensing": {"decisions": 0},
            "punishment": {"decisions": 0},
            "enforcement": {"decisions": 0},
            "fees": {"amount_10k_yuan": 0},
        },
        # rows 二 and (七) have an empty field where 自然人 is: blank, and said so
        "applications": apps("2021", {"carried_over": [N, 0, 0, 0, 0, 0, 0],
                                      "total": [N, 0, 0, 0, 0, 0, 0]}),
        "review_litigation": review(ZERO5, ZERO5, ZERO5),  # header garbled, 15 values
        "warnings": [
            "applications.carried_over: blank natural_person in an otherwise filled row",
            "applications.total: blank natural_person in an otherwise filled row",
        ],
        "sections": {
            "overview": ("2023年,吴忠金积工业园区严格按照", "高效推进政府信息公开监督保障工作。"),
            "problems": ("2023年,园区在政府信息公开工作取得了一定成绩", "切实提高园区政府信息公开工作。"),
            "other": ("(一) 2023 年政务公开工作要点落实情况", "本单位 2023 年未收取信息处理费。"),
        },
    },
    "003": {
        "agency": "海东工业园区",
        "year": 2021,
        "title": "海东工业园区2021年政府信息公开工作年度报告",
        "published_on": "2022-01-05",
        "template": "mixed",  # 二 in 2021 columns, 三 with the single 2019 (六)其他处理 row
        "table_templates": {"active_disclosure": "2021", "applications": "2019"},
        "active_disclosure": {
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 1, "repealed": 1, "in_force": 6},  # 本年度止 = 废止
            "licensing": {"decisions": 0},
            "punishment": {"decisions": 0},
            "enforcement": {"decisions": 0},
            "fees": {"amount_10k_yuan": 0},
        },
        "applications": apps("2019"),
        "review_litigation": review(ZERO5, ZERO5, ZERO5),
        "warnings": [],
        "sections": {
            "overview": ("(一)加强组织领导，明确职责分工。", "确保群众的申请能够得到及时受理及答复。"),
            "problems": ("（一）信息公开工作存在的主要问题。", "确保工作不断改进和完善。"),
            "other": ("暂无需要报告事项。", "暂无需要报告事项。"),  # the signature is not in it
        },
    },
    "004": {
        "agency": "平罗县科学技术局",
        "year": 2021,
        "title": "平罗县科学技术局2021年政府信息公开工作年度报告",
        "published_on": None,
        "template": "2021",
        "table_templates": {"active_disclosure": "2021", "applications": "2021"},
        "active_disclosure": {
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 0, "repealed": 0, "in_force": 0},
            "licensing": {"decisions": 0},
            "punishment": {"decisions": 0},
            "enforcement": {"decisions": 0},
            "fees": {"amount_10k_yuan": 0},
        },
        # only the 总计 column is filled; the applicant columns are empty fields
        "applications": apps("2021", default=TOTAL_ONLY),
        # values under 行政复议 总计 and (past the last header) 复议后起诉 总计
        "review_litigation": review([N, N, N, N, 0], [N, N, N, N, N], [N, N, N, N, 0]),
        "warnings": [],
        "sections": {
            "overview": ("我局按照《自治区人民政府政务公开办公室", "促进了政务公开与政务服务的全面提升。"),
            "problems": ("政务公开工作是一项需长期坚持", "严肃追究负有责任的领导人员和直接责任人责任。"),
            "other": ("", ""),  # the text ends in section 五
        },
    },
}
#: Checks recorded (all cells blank -> not recorded); none of the five fails.
CHECK_COUNTS = {"000": 40, "001": 42, "002": 42, "003": 40, "004": 29}


def test_missing_shared_folder_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        shared_dir("no-such-folder")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        shared_dir("no-such-folder")


def _seed(prefix: str) -> Any:
    folder = shared_dir("seeds")
    matches = sorted(folder.glob(f"{prefix}_*.txt"))
    assert len(matches) == 1, f"seed {prefix} not found in {folder}"
    return matches[0]


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_parses_to_expected_record(prefix: str) -> None:
    outcome = parse_file(_seed(prefix))
    assert outcome.status == "ok", outcome.message
    record = outcome.record
    assert record is not None
    jsonschema.validate(record, schema())
    expected = EXPECTED[prefix]
    for field in ("agency", "year", "title", "published_on", "template", "table_templates",
                  "active_disclosure", "applications", "review_litigation", "warnings"):
        assert record[field] == expected[field], field
    for name, (start, end) in expected["sections"].items():
        text = record["sections"][name]
        assert text.startswith(start), (name, text[:80])
        assert text.endswith(end), (name, text[-80:])
    assert [c for c in record["checks"] if not c["ok"]] == []
    assert len(record["checks"]) == CHECK_COUNTS[prefix]
