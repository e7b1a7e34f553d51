"""Plausible agency names and the prose of sections 一, 五 and 六, for synthetic reports."""

from __future__ import annotations

import random

_PLACES: tuple[str, ...] = (
    "平罗县",
    "贺兰县",
    "永宁县",
    "灵武市",
    "青铜峡市",
    "同心县",
    "盐池县",
    "隆德县",
    "石嘴山市",
    "吴忠市",
    "中卫市",
    "固原市",
    "海东市",
    "平顶山市",
    "银川市兴庆区",
    "银川市金凤区",
    "西宁市城中区",
    "中卫市沙坡头区",
    "固原市原州区",
    "石嘴山市大武口区",
)
_BUREAUS: tuple[str, ...] = (
    "科学技术局",
    "交通运输局",
    "自然资源局",
    "教育局",
    "民政局",
    "财政局",
    "司法局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "农业农村局",
    "水务局",
    "审计局",
    "统计局",
    "市场监督管理局",
    "应急管理局",
    "卫生健康局",
    "文化旅游广电局",
    "商务局",
    "林业和草原局",
    "发展和改革局",
    "退役军人事务局",
    "医疗保障局",
    "人民政府办公室",
    "人民政府",
)
_STANDALONE: tuple[str, ...] = (
    "石嘴山高新技术产业开发区管理委员会",
    "平顶山高新技术产业开发区管理委员会",
    "海东工业园区管理委员会",
    "宁夏吴忠金积工业园区管委会",
    "银川经济技术开发区管理委员会",
    "平罗县姚伏镇人民政府",
    "贺兰县习岗镇人民政府",
    "永宁县望远镇人民政府",
    "中卫市沙坡头区文昌镇人民政府",
    "青铜峡市小坝镇人民政府",
)


def agencies() -> tuple[str, ...]:
    """The built-in list of agency names: bureaus of 县/市/区, 管委会, 人民政府."""
    names = [place + bureau for place in _PLACES for bureau in _BUREAUS]
    return tuple(names) + _STANDALONE


def overview(rng: random.Random, agency: str, year: int) -> str:
    """Section 一 (总体情况): an opening paragraph and five numbered sub-paragraphs."""
    n_items = rng.randint(30, 2400)
    n_media = rng.randint(10, 600)
    n_docs = rng.randint(3, 90)
    opening = rng.choice(
        (
            f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国"
            "政府信息公开条例》，坚持“以公开为常态、不公开为例外”，扎实推进政府信息公开工作。",
            f"{year}年，在上级政务公开办公室的具体指导下，{agency}按照政务公开工作的总体部署，"
            "以保障人民群众知情权、参与权、表达权和监督权为目标，不断提升政务公开标准化、规范化水平。",
            f"{year}年度，{agency}高度重视政府信息公开工作，认真部署，积极推进，努力提升公开质量和实效，"
            "营造公开透明的政务环境。",
        )
    )
    parts = [
        opening,
        f"（一）主动公开情况。通过门户网站信息公开专栏及时公开机构职能、政策文件、工作动态等信息，"
        f"全年共主动公开政府信息{n_items}条，其中政策文件{n_docs}件；通过政务新媒体发布信息{n_media}条。",
        rng.choice(
            (
                "（二）依申请公开情况。进一步规范依申请公开工作流程，明确受理、审查、答复各环节时限，"
                "全年依申请公开工作依法有序开展。",
                f"（二）依申请公开情况。{year}年度，严格按照法定时限答复申请人，做到件件有回音、事事有着落。",
            )
        ),
        "（三）政府信息管理情况。严格落实信息发布“三审三校”制度，对拟公开信息进行保密审查，"
        "定期清理过时、失效内容，确保发布信息准确、规范。",
        rng.choice(
            (
                "（四）平台建设情况。持续优化门户网站政府信息公开专栏，增设重点领域信息公开专题，"
                "提升平台集约化水平。",
                "（四）平台建设情况。围绕门户网站“一扇窗口、一条纽带”的功能定位，对信息公开栏目进行调整优化，"
                "及时增设专栏，方便群众查阅。",
            )
        ),
        "（五）监督保障情况。将政务公开工作纳入年度目标考核，明确分管领导和具体负责人，"
        "定期开展自查整改，推动政务公开各项工作落到实处。",
    ]
    return "\n".join(parts)


def problems(rng: random.Random, year: int) -> str:
    """Section 五 (存在的主要问题及改进情况)."""
    issues = rng.sample(
        (
            "政府信息公开内容广度和深度还不够",
            "个别栏目更新不够及时",
            "政策解读形式较为单一",
            "工作人员业务能力有待提高",
            "公众参与渠道有待拓展",
        ),
        3,
    )
    numerals = ("一", "二", "三")
    found = "；".join(f"{numerals[i]}是{text}" for i, text in enumerate(issues))
    plans = (
        f"针对以上问题，{year + 1}年我们将着力做好以下工作：一是加强信息联络人员培训，提高信息公开意识；"
        "二是丰富公开形式，强化政策解读；三是健全监督考核机制，推动政务公开工作提质增效。"
    )
    return f"工作中还存在一些问题和不足：{found}。\n{plans}"


def other_matters(rng: random.Random, year: int) -> str:
    """Section 六 (其他需要报告的事项)."""
    if rng.random() < 0.25:
        return "暂无需要报告事项。"
    fee = rng.choice(
        (
            f"（二）本机关{year}年未收取信息处理费。",
            f"（二）按照《政府信息公开信息处理费管理办法》规定，{year}年本机关未收取信息处理费。",
        )
    )
    return (
        f"（一）{year}年政务公开工作要点落实情况\n"
        f"{year}年，严格落实政务公开工作要点相关要求，持续完善政务公开体系，"
        "加强组织管理，工作接续兼容，不断提升工作能力水平。\n" + fee
    )
