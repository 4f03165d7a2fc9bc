"""Text features for the question classifier: normalisation, character n-grams, legal-term cues.

Kept apart from :mod:`sifa.intelligence.qa.classifier` so that training and prediction share one
feature function (a feature computed differently at training and at run time is the classic silent
bug of text classifiers), and so the model can be rebuilt without importing scikit-learn at run time.

Everything here is deterministic and never raises on odd text: the classifier must answer for empty
strings, emoji, NUL bytes, pasted HTML and 100 KB pastes alike.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Any

__all__ = [
    "KEYWORDS",
    "MAX_FEATURE_CHARS",
    "char_ngrams",
    "keyword_hits",
    "normalise",
]

#: Only the start of a very long paste is read. Citizens put the question in the first lines; a
#: 100 KB paste is a document, and reading all of it would make one request cost seconds.
MAX_FEATURE_CHARS = 600
#: Raw input is cut before any regular expression runs on it, so a hostile 100 MB string costs
#: no more than this many characters of work.
_MAX_RAW_CHARS = 20_000

_DROP_BLOCKS = re.compile(r"<(script|style|iframe)\b[^>]*>.*?(</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"<[^<>]{0,300}>")
# Control characters, NUL bytes, zero-width marks and lone surrogates (which cannot be encoded as
# UTF-8 and would crash any C library the text is handed to).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\ufeff\ud800-\udfff]")
# A "run" is a stretch of CJK characters, Latin letters or digits; n-grams never cross
# punctuation or spaces, so "离婚。孩子" does not invent the bigram 婚孩.
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z]+|[0-9]+")
_DIGITS = re.compile(r"[0-9]+")


@lru_cache(maxsize=1)
def _t2s() -> Any:
    try:
        import opencc
    except ImportError:  # conversion is a quality aid, not a requirement for answering
        return None
    return opencc.OpenCC("t2s")


def normalise(text: object) -> str:
    """Return the text the features are computed on.

    Steps (each one because users do it): unescape and strip HTML (pasted web pages), drop control
    characters and NUL bytes, NFKC (full-width letters and digits from phone keyboards), lower
    case, traditional → simplified (OpenCC t2s), collapse whitespace, and keep the first
    :data:`MAX_FEATURE_CHARS` characters.
    """
    raw = text if isinstance(text, str) else ("" if text is None else str(text))
    clean = raw[:_MAX_RAW_CHARS]
    if "<" in clean or "&" in clean:
        clean = html.unescape(clean)
        clean = _DROP_BLOCKS.sub(" ", clean)
        clean = _TAG.sub(" ", clean)
    clean = _CONTROL.sub(" ", clean)
    clean = unicodedata.normalize("NFKC", clean).lower()
    converter = _t2s()
    if converter is not None and clean:
        clean = converter.convert(clean)
    return " ".join(clean.split())[:MAX_FEATURE_CHARS]


def char_ngrams(text: str, n_max: int = 3) -> Counter[str]:
    """Character 1..n_max-grams inside runs of CJK; whole words for Latin; digits folded to ``0``.

    Digits are folded because the amount (三万 vs 30000) says little about the kind of matter,
    while "0元" vs "0年" does.
    """
    grams: Counter[str] = Counter()
    for run in _RUN.findall(_DIGITS.sub("0", text)):
        if run[0].isascii():
            grams["w:" + run] += 1
            continue
        length = len(run)
        for n in range(1, n_max + 1):
            for i in range(length - n + 1):
                grams[run[i : i + n]] += 1
    return grams


#: Legal-term cues per category, written by the team from the statutes' own vocabulary and the
#: words citizens use for the same things (欠条/借条, 工伤/公伤). A hit is a strong hint, not a rule:
#: the linear model learns how much each list is worth, and many questions hit several lists.
# fmt: off
KEYWORDS: dict[str, tuple[str, ...]] = {
    "marriage_family": (
        "离婚", "结婚", "彩礼", "抚养", "抚养权", "抚养费", "探视", "探望权", "赡养", "继承", "遗产",
        "遗嘱", "夫妻", "老公", "老婆", "丈夫", "妻子", "前妻", "前夫", "婚前", "婚后", "婚内", "出轨",
        "小三", "家暴", "家庭暴力", "重婚", "收养", "领证", "结婚证", "离婚证", "冷静期", "改嫁",
        "再婚", "继母", "继父", "私生子", "非婚生", "婆家", "娘家", "公婆", "岳父", "女婿", "媳妇",
    ),
    "labor_dispute": (
        "工资", "欠薪", "拖欠工资", "工钱", "加班费", "社保", "工伤", "公伤", "劳动合同", "劳动仲裁",
        "仲裁", "辞退", "开除", "被裁", "裁员", "经济补偿", "赔偿金", "试用期", "离职证明", "包工头",
        "农民工", "劳动监察", "职业病", "双倍工资", "二倍工资", "劳务派遣", "上班", "打工", "老板",
        "厂里", "工友", "产假", "年假", "调岗", "降薪", "入职", "离职", "辞职",
    ),
    "traffic_accident": (
        "车祸", "交通事故", "撞了", "撞伤", "撞死", "被撞", "追尾", "交警", "肇事", "逃逸", "交强险",
        "商业险", "定损", "责任认定", "事故认定", "全责", "次责", "主责", "同等责任", "伤残鉴定",
        "误工费", "护理费", "电动车", "电瓶车", "摩托车", "驾照", "行车记录仪", "刮蹭", "酒驾",
        "司机", "货车", "轿车", "闯红灯",
    ),
    # Only words that show the *employer's* side: 员工, 用人单位, 规章制度, 企业, 用工 are as common in
    # employees' complaints (公司规章制度扣我工资) and made real employee questions look like HR ones.
    "corporate_hr": (
        "公司想", "我们公司", "我是老板", "作为老板", "作为雇主", "雇主", "作为用人单位", "作为公司",
        "人事", "hr", "招聘", "招人", "员工手册", "考勤", "入职体检", "竞业限制", "我的员工",
        "我们员工", "我厂员工", "我店员工", "招的员工", "我雇", "开除员工", "员工不来", "员工要求",
        "保密协议", "辞退员工", "解除劳动合同", "试用期不合格", "排班", "offer", "录用", "服务期", "培训费",
        "被我辞退", "被我开除", "被我解雇", "我这边公司", "我司",
    ),
    "lending_debt": (
        "借钱", "借款", "借条", "欠条", "欠款", "欠钱", "还钱", "不还", "借给", "利息", "月息",
        "高利贷", "网贷", "贷款", "信用卡", "逾期", "催收", "担保", "担保人", "保证人", "抵押",
        "老赖", "债务", "债主", "本金", "还款", "借呗", "花呗", "砍头息", "失信", "执行",
    ),
    "company_finance_tax": (
        "公司", "注册资本", "认缴", "实缴", "股东", "股权", "股份", "分红", "增值税", "所得税",
        "个税", "企业所得税", "发票", "专票", "普票", "开票", "报税", "纳税", "纳税人", "小规模",
        "一般纳税人", "零申报", "记账", "做账", "会计", "账本", "税务", "税务局", "注销", "营业执照",
        "法人", "工商", "年报", "章程", "减资", "增资", "个体户", "汇算", "滞纳金", "印花税", "退税",
    ),
    "housing": (
        "房子", "买房", "购房", "卖房", "房产", "房产证", "不动产", "开发商", "交房", "期房", "二手房",
        "首付", "房贷", "网签", "过户", "定金", "房东", "租房", "租客", "房租", "押金", "物业",
        "物业费", "业主", "漏水", "小产权", "宅基地", "楼上", "楼下", "邻居", "车位", "装修",
        "中介", "学区", "公摊", "产权",
    ),
    "criminal": (
        "判刑", "判几年", "坐牢", "量刑", "刑事", "拘留", "刑拘", "逮捕", "取保候审", "看守所",
        "监狱", "缓刑", "自首", "谅解书", "诈骗", "盗窃", "偷", "抢劫", "故意伤害", "轻伤",
        "重伤", "吸毒", "贩毒", "毒品", "醉驾", "赌博", "开设赌场", "传销", "非法集资", "贪污",
        "受贿", "行贿", "强奸", "猥亵", "犯罪", "罪", "报警", "派出所", "公安", "立案", "检察院",
        "帮信", "洗钱", "案底",
    ),
    "consumer_rights": (
        "商家", "退货", "退款", "换货", "假货", "假一赔三", "十倍赔偿", "七天无理由", "网购",
        "淘宝", "京东", "拼多多", "快递", "外卖", "12315", "消费者", "消协", "质量问题", "保修",
        "售后", "办卡", "会员", "充值", "预付卡", "健身房", "美容院", "培训机构", "4s店",
        "过期", "商场", "超市", "饭店", "餐厅", "直播间", "自动续费", "霸王条款",
    ),
    "other": (
        "拆迁", "征收", "征地", "强拆", "补偿款", "医疗事故", "医院", "医生", "手术", "误诊",
        "专利", "商标", "著作权", "版权", "抄袭", "侵权", "行政复议", "行政诉讼", "行政处罚",
        "城管", "政府", "村委会", "土地承包", "工程款", "施工", "建设工程", "保险公司", "理赔",
        "名誉", "诽谤", "造谣", "肖像", "狗", "咬", "学校", "户口", "公证", "法律援助", "起诉状",
        "执行", "再审", "签证", "出国", "船", "合同", "违约", "律师",
    ),
}
# fmt: on


def keyword_hits(text: str) -> dict[str, int]:
    """Count how many of each category's cue words occur in ``text`` (already normalised)."""
    return {code: sum(1 for word in words if word in text) for code, words in KEYWORDS.items()}
