"""Word segmentation for retrieval (jieba) with a small legal vocabulary and stop-word list.

BM25 over statutes works on words, not characters: 工资 must match 工资, not every 工 and 资.
jieba splits colloquial questions reasonably; the extra words below keep legal terms whole (劳动
仲裁, 经济补偿金, 交强险…) so they carry their weight in BM25.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

__all__ = ["COLLOQUIAL_TO_LEGAL", "LEGAL_TERMS", "STOP_WORDS", "expand_query", "tokenize", "tokenize_many"]

#: Terms that jieba's general dictionary splits but that a legal reader treats as one word.
LEGAL_TERMS = (  # noqa: SIM905 - a word list reads best as text
    "劳动仲裁 劳动争议 劳动合同 劳动报酬 经济补偿 经济补偿金 赔偿金 违约金 试用期 加班费 工伤 "
    "工伤认定 社会保险 社保 公积金 竞业限制 服务期 解除劳动合同 终止劳动合同 无固定期限 "
    "二倍工资 双倍工资 拖欠工资 最低工资 年休假 带薪年休假 病假 产假 医疗期 职业病 派遣 "
    "劳务派遣 用人单位 劳动者 交通事故 交强险 商业险 第三者责任 肇事 逃逸 肇事逃逸 责任认定 "
    "事故认定书 醉驾 酒驾 驾驶证 机动车 非机动车 行人 伤残等级 误工费 护理费 营养费 "
    "残疾赔偿金 死亡赔偿金 精神损害抚慰金 离婚 协议离婚 诉讼离婚 离婚冷静期 抚养权 抚养费 "
    "探望权 彩礼 夫妻共同财产 夫妻共同债务 个人财产 婚前财产 家庭暴力 家暴 重婚 同居 继承 "
    "遗嘱 遗产 法定继承 赡养 赡养费 收养 借款 借条 欠条 民间借贷 利息 利率 高利贷 担保 "
    "保证人 连带责任 抵押 质押 诉讼时效 商品房 预售 网签 定金 订金 首付 按揭 房贷 产权证 "
    "不动产登记 物业 物业费 业主 租赁 押金 消费者 三包 退货 退款 假一赔三 假一赔十 欺诈 "
    "惩罚性赔偿 七天无理由 网购 电商 平台 诈骗 盗窃 抢劫 故意伤害 寻衅滋事 危险驾驶 取保候审 "
    "缓刑 自首 立功 刑事拘留 逮捕 增值税 所得税 企业所得税 个人所得税 个税 发票 偷税 逃税 "
    "注册资本 实缴 认缴 股东 股权 公司章程 法定代表人 董事 监事 分红 清算 注销 营业执照 "
    "法律援助 人民调解 调解委员会 行政复议 行政处罚 司法确认 强制执行 起诉 上诉 仲裁 "
).split()

#: Words that appear in almost every question and say nothing about which article applies.
STOP_WORDS = frozenset(
    (  # noqa: SIM905 - a word list reads best as text
        "的 了 吗 呢 吧 啊 呀 么 嘛 哦 哈 是 在 我 你 他 她 它 我们 你们 他们 她们 这 "
        "那 这个 那个 有 和 与 及 或 或者 就 都 也 还 又 要 会 能 可以 可 想 请问 您好 "
        "你好 谢谢 请 问 一下 怎么 怎么办 怎样 怎么样 如何 什么 为什么 多少 哪些 哪里 是否 "
        "应该 应当 能否 需要 现在 已经 但是 但 因为 所以 如果 然后 没有 不 没 被 把 给 让 "
        "对 从 向 到 将 之 其 以 于 由 为 等 个 些 中 上 下 后 前 里 时 时候 情况 "
        "问题 律师 一个 一直 自己 啥 咋 咋办 嗯 呃 喔 吖 哇 "
    ).split()
)

_PUNCT_OR_SPACE = re.compile(r"^[\s\W_]+$", re.UNICODE)
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    # jieba logs its dictionary loading on every start; keep the CLI's stderr for real errors.
    jieba.setLogLevel(logging.WARNING)
    with _lock:
        jieba.initialize()
        for term in LEGAL_TERMS:
            jieba.add_word(term, freq=20000)
    return jieba


def tokenize(text: str, *, for_search: bool = True, keep_stop_words: bool = False) -> list[str]:
    """Lower-cased word tokens of ``text`` without punctuation and stop words.

    ``for_search`` also emits the shorter words inside long ones (劳动合同法 → 劳动, 合同, 劳动合同,
    劳动合同法), which lets a question's 合同 meet a statute's 劳动合同.
    """
    jb = _jieba()
    words: Iterable[str] = jb.cut_for_search(text) if for_search else jb.cut(text)
    out: list[str] = []
    for w in words:
        w = w.strip().lower()
        if not w or _PUNCT_OR_SPACE.match(w):
            continue
        if not keep_stop_words and w in STOP_WORDS:
            continue
        out.append(w)
    return out


def tokenize_many(texts: Iterable[str], **kwargs: bool) -> list[list[str]]:
    return [tokenize(t, **kwargs) for t in texts]


#: How citizens say it → how the statutes say it. Used to expand a question before BM25 (the
#: statute never says 老板 or 跑了). Written from the vocabulary of 12348 consultations, not from
#: any evaluation question; each expansion only adds words, it never removes the person's own.
COLLOQUIAL_TO_LEGAL: dict[str, str] = {
    # labour
    "工资": "劳动报酬",
    "薪水": "劳动报酬 工资",
    "薪资": "劳动报酬 工资",
    "工钱": "劳动报酬 工资",
    "老板": "用人单位",
    "单位": "用人单位",
    "厂里": "用人单位",
    "打工": "劳动者",
    "员工": "劳动者",
    "服务员": "劳动者",
    "店员": "劳动者",
    "雇了": "用人单位 劳动者",
    "补签": "订立书面劳动合同",
    "没签合同": "未订立书面劳动合同 二倍工资",
    "不签合同": "未订立书面劳动合同 二倍工资",
    "辞退": "解除劳动合同 用人单位",
    "开除": "解除劳动合同 用人单位",
    "炒鱿鱼": "解除劳动合同",
    "裁掉": "解除劳动合同",
    "裁员": "裁减人员",
    "辞职": "劳动者 解除劳动合同 通知",
    "离职": "解除劳动合同",
    "不续签": "期满 终止",
    "到期": "期满",
    "加班": "延长工作时间",
    "社保": "社会保险",
    "五险": "社会保险",
    "年假": "年休假",
    "怀孕": "孕期 女职工",
    "产假": "产期 女职工",
    "病假": "医疗期 患病",
    "包工头": "分包 施工总承包 农民工",
    "双倍工资": "二倍的工资",
    "双倍": "二倍",
    "补偿金": "经济补偿",
    "押金": "收取财物 担保",
    "扣身份证": "扣押 居民身份证",
    # traffic
    "车祸": "交通事故 机动车",
    "撞": "交通事故",
    "被车撞": "交通事故 机动车",
    "跑了": "逃逸",
    "逃跑": "逃逸",
    "驾照": "机动车驾驶证",
    "喝了酒": "饮酒 驾驶机动车",
    "喝酒": "饮酒",
    "酒驾": "饮酒 驾驶机动车",
    "醉驾": "醉酒驾驶机动车",
    "超速": "超过 最高时速",
    "闯红灯": "交通信号",
    "医药费": "医疗费",
    "精神损失": "精神损害",
    "过户": "登记 转让",
    "借车": "借用 机动车",
    "车主": "机动车所有人",
    "赔钱": "赔偿",
    "保险公司": "保险人 强制保险",
    "交强险": "强制保险",
    # criminal
    "坐牢": "有期徒刑",
    "判刑": "有期徒刑 刑事责任",
    "判几年": "有期徒刑",
    "判多久": "有期徒刑",
    "偷东西": "盗窃",
    "偷了": "盗窃",
    "被偷": "盗窃",
    "小偷": "盗窃",
    "骗": "诈骗",
    "骗子": "诈骗",
    "打架": "故意伤害",
    "打伤": "故意伤害",
    "打人": "伤害",
    "抢了": "抢劫",
    "被抓": "拘留 逮捕",
    "关起来": "非法拘禁 人身自由",
    "请律师": "委托 辩护人",
    "造谣": "捏造事实 诽谤",
    "骂人": "侮辱",
    "威胁": "胁迫 敲诈勒索",
    "洗钱": "帮助 信息网络 犯罪",
    "银行卡": "支付结算",
    # family
    "老公": "夫妻 配偶",
    "老婆": "夫妻 配偶",
    "丈夫": "夫妻 配偶",
    "妻子": "夫妻 配偶",
    "孩子": "子女",
    "小孩": "子女",
    "儿子": "子女",
    "女儿": "子女",
    "爸妈": "父母",
    "家暴": "家庭暴力",
    "打我": "家庭暴力",
    "民政局": "婚姻登记机关",
    "彩礼": "彩礼 婚约财产",
    "没留遗嘱": "法定继承 继承顺序",
    "去世": "死亡 继承",
    # lending
    "借钱": "借款",
    "借给": "借款 出借人",
    "欠钱": "借款 债务",
    "欠债": "债务",
    "不还": "返还 逾期",
    "担保人": "保证人 保证",
    "利息": "利息 利率",
    "借条": "借据 借款",
    # housing
    "房东": "出租人",
    "租客": "承租人",
    "租房": "租赁",
    "租的房子": "租赁 承租人",
    "卖家": "出卖人",
    "买家": "买受人",
    "开发商": "出卖人 房地产开发企业 商品房",
    "房产证": "不动产权属证书 登记",
    "交房": "交付 房屋",
    "物业": "物业服务人 物业服务",
    "楼上": "相邻",
    "邻居": "相邻",
    "漏水": "排水 相邻",
    "车位": "车位 车库",
    "首付": "购房款",
    # consumer
    "商家": "经营者",
    "店家": "经营者",
    "假货": "欺诈 假冒",
    "网购": "网络 电子商务经营者",
    "网上买": "网络 电子商务",
    "淘宝": "电子商务平台",
    "京东": "电子商务平台",
    "拼多多": "电子商务平台",
    "快递": "交付 运输",
    "七天无理由": "七日 无理由退货",
    "发票": "发票 购货凭证",
    "办卡": "预收款",
    "跑路": "逃匿 预收款",
    "主播": "网络直播",
    "直播": "网络直播",
    "外卖": "网络餐饮服务",
    # company and tax
    "查账": "查阅 会计账簿",
    "分红": "利润分配",
    "注销": "解散 清算",
    "假账": "伪造 会计账簿 虚假",
    "两套账": "账簿 隐匿",
    "起征点": "减除费用",
    "退税": "退还 多缴",
    "多交": "超过应纳税额 退还",
    "出国": "出境",
    "个税": "个人所得税",
    "交税": "缴纳税款 纳税",
    "晚交": "滞纳金 未按照规定期限",
    "法人": "法定代表人",
    "入股": "出资",
    "退股": "回购 股权",
}


def expand_query(text: str) -> list[str]:
    """Statute words for the colloquial words found in ``text`` (to add to its BM25 tokens)."""
    extra: list[str] = []
    for colloquial, legal in COLLOQUIAL_TO_LEGAL.items():
        if colloquial in text:
            extra.extend(tokenize(legal))
    return extra
