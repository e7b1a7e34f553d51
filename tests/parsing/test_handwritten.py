"""Small hand-written documents: encodings, merged cells, blanks, lost cells, metadata."""

from __future__ import annotations

from crawler.parsing import parse_bytes

APPLICANTS = "<tr><td colspan=3 rowspan=2>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan=7>申请人情况</td></tr><tr><td>自然人</td><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td><td>总计</td></tr>"


def _page(rows: str, *, charset: str = "utf-8", signature: str = "2022年1月5日") -> str:
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>首页 - 信息公开</title></head><body><table><tr><td>
<h1>贺兰县民政局2021年政府信息公开工作年度报告</h1>
<p>根据要求，现发布《永宁县财政局2021年政府信息公开工作年度报告》。</p>
<p>一、总体情况</p><p>全年主动公开信息120条。</p>
<p>二、主动公开政府信息情况</p>
<table border=1>
<tr><td colspan=4>第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>&nbsp;</td><td>0</td><td>3</td></tr>
<tr><td>行政规范性文件</td><td>2</td><td>1</td><td>15</td></tr>
<tr><td colspan=4>第二十条第（五）项</td></tr>
<tr><td>信息内容</td><td colspan=3>本年处理决定数量</td></tr>
<tr><td>行政许可</td><td colspan=3>1,208</td></tr>
<tr><td colspan=4>第二十条第（八）项</td></tr>
<tr><td>信息内容</td><td colspan=3>本年收费金额（单位：万元）</td></tr>
<tr><td>行政事业性收费</td><td colspan=3>12.5</td></tr>
</table>
<p>三、收到和处理政府信息公开申请情况</p>
<table border=1>{APPLICANTS}{rows}</table>
<p>四、政府信息公开行政复议、行政诉讼情况</p>
<table><tr><td colspan=5>行政复议</td><td colspan=10>行政诉讼</td></tr>
<tr><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td><td colspan=5>未经复议直接起诉</td><td colspan=5>复议后起诉</td></tr>
<tr><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>2</td><td>2</td></tr>
</table>
<p>五、存在的主要问题及改进情况</p><p>公开形式单一。</p>
<p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p>
<p>贺兰县民政局</p><p>{signature}</p>
</td></tr></table></body></html>"""


def _row(label: str, values: list[str]) -> str:
    return f"<tr><td colspan=3>{label}</td>" + "".join(f"<td>{v}</td>" for v in values) + "</tr>"


ROWS = (
    _row("一、本年新收政府信息公开申请数量", ["3", "1", "", "", "", "", "4"])
    + _row("二、上年结转政府信息公开申请数量", ["0", "0", "0", "0", "0", "0", "0"])
    + "<tr><td rowspan=3>三、本年度办理结果</td><td colspan=2>（一）予以公开</td>"
    + "".join(f"<td>{v}</td>" for v in ["2", "1", "", "", "", "", "3"]) + "</tr>"
    + "<tr><td rowspan=2>（六）其他处理</td><td>1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请</td>"
    + "".join(f"<td>{v}</td>" for v in ["1", "0", "0", "0", "0", "0", "1"]) + "</tr>"
    + "<tr><td>3.其他</td>" + "".join("<td>0</td>" for _ in range(7)) + "</tr>"
    + _row("（七）总计", ["3", "1", "0", "0", "0", "0", "4"])
    + _row("四、结转下年度继续办理", ["0", "0", "0", "0", "0", "0", "0"])
)


def test_gbk_page_with_merged_cells_and_blanks() -> None:
    page = _page(ROWS, charset="gb2312").encode("gbk")
    outcome = parse_bytes(page, content_type="text/html")
    assert outcome.status == "ok", outcome.message
    r = outcome.record
    assert r is not None
    assert (r["agency"], r["year"], r["published_on"]) == ("贺兰县民政局", 2021, "2022-01-05")
    assert r["template"] == "2021"
    assert r["active_disclosure"]["regulations"] == {"issued": None, "repealed": 0, "in_force": 3}
    assert r["active_disclosure"]["licensing"] == {"decisions": 1208}
    assert r["active_disclosure"]["fees"] == {"amount_10k_yuan": 12.5}
    apps = r["applications"]
    assert apps["new_received"] == {
        "natural_person": 3, "commercial_enterprise": 1, "research_institution": None,
        "social_welfare_org": None, "legal_service_org": None, "other_org": None, "total": 4}
    assert apps["other_overdue_correction"]["natural_person"] == 1
    assert apps["other_other"]["total"] == 0
    assert apps["other_overdue_fee"]["total"] is None
    assert "applications.other_overdue_fee: row not found" in r["warnings"]
    assert r["review_litigation"]["litigation_after_review"] == {
        "upheld": 0, "corrected": 0, "other": 0, "pending": 2, "total": 2}
    assert r["sections"] == {"overview": "全年主动公开信息120条。", "problems": "公开形式单一。",
                             "other": "本年度未收取信息处理费。"}
    failed = [(c["rule"], c["where"]) for c in r["checks"] if not c["ok"]]
    # 一+二 = 4 but 七 + 四 = 4 per total; granted 3 + other 1 = 4 = 七: all hold
    assert failed == []


def test_failed_checks_are_data() -> None:
    rows = ROWS.replace(_row("（七）总计", ["3", "1", "0", "0", "0", "0", "4"]),
                        _row("（七）总计", ["3", "1", "0", "0", "0", "0", "5"]))
    r = parse_bytes(_page(rows).encode()).record
    assert r is not None
    failed = {(c["rule"], c["where"], c["expected"], c["actual"]) for c in r["checks"] if not c["ok"]}
    assert failed == {("balance", "total", 4, 5), ("results_sum", "total", 4, 5),
                      ("row_total", "total", 4, 5)}


def test_row_that_lost_a_cell_is_reported_not_guessed() -> None:
    rows = ROWS.replace(_row("二、上年结转政府信息公开申请数量", ["0", "0", "0", "0", "0", "0", "0"]),
                        _row("二、上年结转政府信息公开申请数量", ["2", "0", "0", "0", "0", "2"]))
    r = parse_bytes(_page(rows).encode()).record
    assert r is not None
    assert set(r["applications"]["carried_over"].values()) == {None}
    assert any(w.startswith("applications.carried_over: 6 of 7 cells") for w in r["warnings"])


def test_a_lost_cell_placed_by_the_row_total() -> None:
    # six values whose last (0) is less than the sum of the others: only a lost 总计 fits.
    rows = ROWS.replace(_row("二、上年结转政府信息公开申请数量", ["0", "0", "0", "0", "0", "0", "0"]),
                        _row("二、上年结转政府信息公开申请数量", ["5", "3", "0", "0", "0", "0"]))
    r = parse_bytes(_page(rows).encode()).record
    assert r is not None
    assert r["applications"]["carried_over"] == {
        "natural_person": 5, "commercial_enterprise": 3, "research_institution": 0,
        "social_welfare_org": 0, "legal_service_org": 0, "other_org": 0, "total": None}


def test_metadata_wins_and_chinese_numeral_dates() -> None:
    page = _page(ROWS, signature="二〇二二年一月十五日").encode()
    r = parse_bytes(page).record
    assert r is not None and r["published_on"] == "2022-01-15"
    meta = {"title": "永宁县财政局2020年政府信息公开工作年度报告", "published_on": "2021-03-02"}
    r = parse_bytes(page, metadata=meta).record
    assert r is not None
    assert (r["agency"], r["year"], r["published_on"]) == ("永宁县财政局", 2020, "2021-03-02")


def test_spaced_text_layout() -> None:
    text = "\n".join([
        "石嘴山市教育局 2022 年政府信息公开工作年度报告",
        "一、总体情况", "概述。",
        "二、主动公开政府信息情况",
        "信息内容        本年制发件数    本年废止件数    现行有效件数",
        "规章" + " " * 13 + "1" + " " * 19 + "4",  # one column per character, as pdftotext
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "结果维持  结果纠正  其他结果  尚未审结  总计",
        "  1  0  0  0  1  0  0  0  0  0  0  0  0  0  0",
        "五、存在的主要问题及改进情况", "问题。", "六、其他需要报告的事项", "无。",
    ])
    r = parse_bytes(text.encode("gb18030"), filename="r.txt").record
    assert r is not None
    assert (r["agency"], r["year"]) == ("石嘴山市教育局", 2022)
    assert r["active_disclosure"]["regulations"] == {"issued": 1, "repealed": None, "in_force": 4}
    assert r["review_litigation"]["review"]["total"] == 1
