"""Bad input gets a clear status and message: no crash, no hang."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from crawler.parsing import STATUSES, format_summary, parse_bytes, parse_file
from tests.parsing.builders import image_only_pdf, text_pdf, zip_bomb_docx

REPORT_LINES = [
    "平罗县科学技术局2021年政府信息公开工作年度报告",
    "一、总体情况",
    "本年度工作情况良好。",
    "二、主动公开政府信息情况",
    "信息内容\t本年处理决定数量",
    "行政许可\t33",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
    "2022年1月5日",
]


def test_text_pdf_parses() -> None:
    outcome = parse_bytes(text_pdf(REPORT_LINES), filename="r.pdf")
    assert outcome.status == "ok", outcome.message
    assert outcome.record is not None
    assert outcome.record["agency"] == "平罗县科学技术局"
    assert outcome.record["published_on"] == "2022-01-05"
    assert outcome.record["active_disclosure"]["licensing"] == {"decisions": 33}


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"", "corrupt"),
        (b"   \n", "corrupt"),
        (b"\x00\x01\x02binary\xff" * 50, "unsupported"),
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "corrupt"),
        (b"PK\x03\x04garbage that is not a zip", "corrupt"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "corrupt"),
    ],
)
def test_broken_bytes(data: bytes, status: str) -> None:
    outcome = parse_bytes(data)
    assert outcome.status == status, outcome.message
    assert outcome.message
    assert outcome.record is None


def test_truncated_pdf_is_corrupt() -> None:
    data = text_pdf(REPORT_LINES)
    outcome = parse_bytes(data[: len(data) * 2 // 3], filename="r.pdf")
    assert outcome.status == "corrupt"
    assert "truncated" in outcome.message


def test_encrypted_pdf() -> None:
    outcome = parse_bytes(text_pdf(REPORT_LINES, password="secret"), filename="r.pdf")
    assert outcome.status == "encrypted"
    assert "password" in outcome.message


def test_image_only_pdf_needs_ocr() -> None:
    outcome = parse_bytes(image_only_pdf(), filename="scan.pdf")
    assert outcome.status == "needs_ocr"
    assert "OCR" in outcome.message


def test_zip_bomb_docx_is_refused_before_inflating() -> None:
    bomb = zip_bomb_docx()
    assert len(bomb) < 200_000
    outcome = parse_bytes(bomb, filename="bomb.docx")
    assert outcome.status == "too_large"
    assert "zip bomb" in outcome.message


def test_huge_file_is_refused_without_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: takes no disk space

    def refuse(self: Path) -> bytes:
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    outcome = parse_file(path)
    assert outcome.status == "too_large"
    assert "209715200" in outcome.message


def test_not_a_report() -> None:
    page = "<html><body><h1>关于开展安全生产月活动的通知</h1><p>各单位：现将有关事项通知如下。</p></body></html>"
    outcome = parse_bytes(page.encode("utf-8"), filename="news.html")
    assert outcome.status == "not_a_report"


def test_time_limit_stops_the_worker() -> None:
    started = time.monotonic()
    outcome = parse_bytes(text_pdf(REPORT_LINES), filename="r.pdf", timeout=0.0001)
    assert outcome.status == "timeout"
    assert time.monotonic() - started < 10


def test_summary_for_every_status() -> None:
    for status in STATUSES:
        from crawler.parsing import ParseOutcome

        text = format_summary(ParseOutcome(status, "why"))
        assert status in text and "why" in text


@pytest.mark.parametrize("seed", range(4))
def test_notices_about_reports_are_not_reports(seed: int) -> None:
    import random

    from crawler.testbed.reportgen import render_notice_html

    title, page = render_notice_html("平罗县教育局", 2021, random.Random(seed))
    outcome = parse_bytes(page.encode("utf-8"), filename="notice.html")
    assert outcome.status == "not_a_report", (title, outcome.message)
