"""Candidate place names in a plan text.

Re-reads a plan's clean text (``spatial.plans.texts``) and proposes every phrase that may name a
place, by five rules, each a plain regular expression or a walk of the plan's heading tree:

``suffix``
    a run of name characters ending in a place suffix (园, 基地, 中心, 平台, 馆, 站, 大厦, 实验室,
    示范区, 试验区, 合作区, 先导区, …), cut on the left at punctuation and at the verbs,
    prepositions and conjunctions that introduce names in an enumeration (依托 … 、 … 和 … 等);
``list``
    the items of an enumeration closed by 等 and a kind of place (…、达安创谷、华南新材料等国家级
    孵化载体; 京东…总部、玉湖国际冷链等重点项目): names without a suffix only show this way;
``box``
    the item heads of a 专栏 box (**天河智慧城。**…), the way the city plan lists its places;
``designation``
    national and provincial designations (国家车联网先导区, 国家级市场采购贸易方式试点,
    国家营商环境创新试点城市);
``phase``
    a quoted project name with its phase (广州“粤芯”二期项目 → 粤芯二期).

The finder only proposes; a person decides what each candidate is (on the map, in the register,
or left out with a reason) and the decisions live in ``layers/src/coverage/<plan>.yaml`` so the
coverage report is reproducible.

The rules are plain regular expressions rather than a word segmenter: a segmenter's output
depends on its dictionary version and splits compound place names unpredictably, while these
rules are stable, readable and give the same list on every machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spatial.plans.texts import PlanText, load_plan, match_key

__all__ = ["MAX_CHARS", "MIN_CHARS", "RULES", "SUFFIXES", "Candidate", "find_candidates"]


def _words(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of a block of text (word lists stay readable)."""
    return tuple(text.split())


#: The rules, in the order they are tried; a name keeps the first rule that found it.
RULES = ("suffix", "list", "box", "designation", "phase")

#: Place suffixes, longest first so ``产业园区`` wins over ``园区`` and ``园``.
_SUFFIX_WORDS = _words(
    """
    生命科学城 特别合作区 数字科技城 大科学装置 产业园区 产业集群 科学装置 工业区
    创新园 创新核 火车站 科技园 功能区 知识城 研究院 高新区 产业园 示范区 工业园
    研究所 试验区 价值园 产业带 创新带 创新极 策源区 合作区 集聚区 实验室 增长极
    实验区 企业园 开发区 科学城 金融城 创新区 商务区 科技城 先导区 试点区 智慧城
    集群 基地 社区 走廊 机场 新区 园区 大学 学院 商圈 北站 小镇 中心 片区 医院
    智谷 慧谷 硅谷 平台 大厦 总部 设施 人才港 医药港 枢纽港 岛 村 园 馆 站
    """
)
SUFFIXES: tuple[str, ...] = tuple(sorted(set(_SUFFIX_WORDS), key=len, reverse=True))

# Characters a name may hold; everything else (punctuation, quotes, brackets of other kinds)
# ends a run. Full-width parentheses stay inside so 中国人工智能（广州）产业园 is one name.
_RUN_RE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9（）()·+＋]+")
_SUFFIX_RE = re.compile("(?:" + "|".join(map(re.escape, SUFFIXES)) + ")")
# Words that introduce or join names; a candidate starts after the last of them.
_LEAD_WORDS = _words(
    """
    依托 以及 及其 加快 推进 推动 建设 打造 建成 支持 围绕 重点 积极 发挥 引进
    培育 对接 融入 争取 申报 谋划 共建 携手 借助 借势 利用 形成 发展 加大 创建
    布局 落户 建立 完善 提升 优化 深化 主动 联手 承接 聚焦 联合 服务 参与 做强
    做优 做大 高标准 高水平 高起点 加强 强化 实施 开展 促进 带动 辐射 连接 串联
    联动 贯通 包括 涵盖 拥有 集聚 吸引 引导 鼓励 力争 成为 作为 位于 设立 组建
    筹建 新建 扩建 规划 启动 落地 入驻 进驻 获批 认定 被 将 把 向 在 以 和
    与 及 等 为 的 由 从 对 于 至 到 是 其中 同时 并 或 对标 中的 授予
    获得 纳入 列入 结合 借力 指导 协调 解决 统筹 先后 构建 探索 面向 合作 了
    上 主要有 即 同 或者 整合 抓住 联接 个 好 所属 首个 一批 一个 多个 各类
    """
)
# Words a lead word may sit inside; masked before the lead words are looked for.
_KEEP_WORDS = _words(
    """
    经济 和谐 从化 有限 发展中心 发展研究 服务中心 合作区 以色列 上海 个性 以上
    共享 公共 服务业 协同 共同 同步 合同 同济 同和 同德 联合研究院 联合实验室
    联合研究中心 联合创新中心 服务基地 合作平台 对接平台 和龙 重点研究室 重点实验室
    合作园 发展示范区 发展试验区 发展先行区 整车及零部件 整车及关键零部件
    """
)
_LEAD_RE = re.compile(
    "(?:" + "|".join(map(re.escape, sorted(_LEAD_WORDS, key=len, reverse=True))) + ")"
)
# the conjunctions among the lead words: inside one item of a 、 list they join the name's parts
# (新能源汽车整车及零部件研发中心), so a list item is trimmed without them
_CONJUNCTIONS = _words("和 及 与 以及 及其 或 或者 并 同")
_LEAD_NO_CONJ_RE = re.compile(
    "(?:"
    + "|".join(map(re.escape, sorted(set(_LEAD_WORDS) - set(_CONJUNCTIONS), key=len, reverse=True)))
    + ")"
)
_LEAD_END_RE = re.compile("(?:" + _LEAD_RE.pattern[3:-1] + ")$")
# A name may go on after these (白云机场综合保税区, 华南理工大学国家大学科技园), so a later
# suffix in the same run does not start a new name after them.
_JOINING_SUFFIXES = set(
    _words(
        """
        北站 大学 学院 小镇 岛 数字科技城 机场 村 火车站 生命科学城 知识城 研究所
        研究院 社区 科学城 科技城 智慧城
        """
    )
)
MIN_CHARS = 3
MAX_CHARS = 30

# rule "list": …、…等 + optional qualifiers + a kind of place, in one clause
_LIST_KINDS = _words(
    """
    项目 载体 平台 园区 基地 机构 研究院 实验室 孵化器 众创空间 院校 高校 科研院所
    医院 设施 研发平台 创新平台 孵化载体 创新载体 合作平台 产业园区 园区载体
    """
)
_LIST_QUALIFIERS = _words(
    """
    重点 重大 高水平 国家级 省级 国际 国家 专业 创新 科技 产业 研发 孵化 双创 高端
    技术 新型 公共 一批 为代表的 国际化
    """
)
_LIST_RE = re.compile(
    r"(?P<items>[^，。；：！？\n]{2,240}?)(?<!高|中)等"
    r"(?:" + "|".join(map(re.escape, sorted(_LIST_QUALIFIERS, key=len, reverse=True))) + r")*"
    r"(?:" + "|".join(map(re.escape, sorted(_LIST_KINDS, key=len, reverse=True))) + r")"
)
_ITEM_SPLIT_RE = re.compile(r"、|以及|和")
# rule "designation"
_DESIGNATION_RE = re.compile(
    r"(?:国家级|国家|省级)[^\W的和及与等]{2,24}?"
    r"(?:试点城市|示范城市|试点区|试点|先导区|示范区|试验区|示范基地|基地)"
)
# rule "phase": a quoted name and its phase
_PHASE_RE = re.compile(r"[“\"]([\u4e00-\u9fffA-Za-z0-9]{2,12})[”\"]([一二三四五六七八九]期)")
# the last character of a 专栏 item head that names a place (区, 城, 谷, 带, 轴（…段）…)
_BOX_HEAD_ENDS = set("区城谷带轴园岛镇村湾站馆院所室心地台）")
# an item head in a 专栏 box: its own numbering and the box's dashes are not part of the name
_HEAD_NUMBER_RE = re.compile(r"^[-—－]*\s*(?:\d{1,2}\s*[.．、])?\s*")


@dataclass(frozen=True)
class Candidate:
    """A phrase of a plan that may name a place.

    Attributes
    ----------
    name : str
        The phrase as the plan writes it (clean text).
    count : int
        How many times the finder met it in the plan.
    first : int
        Clean-text offset of its first occurrence.
    section : str
        Section path of its first occurrence.
    rule : str
        The rule that found it first (:data:`RULES`).
    """

    name: str
    count: int
    first: int
    section: str
    rule: str = "suffix"


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _mask(text: str) -> str:
    for word in _KEEP_WORDS:
        text = text.replace(word, "\0" * len(word))
    return text


def _trim_left(phrase: str, suffix_len: int, lead_re: re.Pattern[str] = _LEAD_RE) -> str:
    """Drop everything up to and including the last lead word before a phrase's suffix."""
    cut = 0
    body = len(phrase) - suffix_len
    for m in lead_re.finditer(_mask(phrase)):
        if m.end() <= body:  # a lead word may not swallow the suffix itself
            cut = max(cut, m.end())
    phrase = phrase[cut:]
    while phrase and phrase[0] in "（）()·+＋0123456789":
        phrase = phrase[1:]
    return phrase


def _ends_in_suffix(name: str) -> bool:
    return any(name.endswith(suffix) for suffix in SUFFIXES)


def _acceptable(phrase: str) -> bool:
    return (
        MIN_CHARS <= len(phrase) <= MAX_CHARS
        and _balanced(phrase)
        and phrase not in SUFFIXES  # the suffix on its own (实验室, 高新区) names nothing
    )


def _phrases(run: str) -> list[tuple[int, str]]:
    """Every (offset, phrase) in a run that ends in a suffix, trimmed on the left."""
    found: list[tuple[int, str]] = []
    suffixes = [(m.start(), m.end()) for m in _SUFFIX_RE.finditer(run)]
    prev_end = 0
    for s_start, end in suffixes:
        joined = run[s_start:end] in _JOINING_SUFFIXES
        tail = run[end:]
        if tail[:1] and re.match(r"[（(]", tail[:1]):
            close = tail.find("）") if "）" in tail else tail.find(")")
            if (
                close != -1
                and _SUFFIX_RE.search(run[end + close + 1 : end + close + 6] or "x") is None
            ):
                end = end + close + 1  # 广州花都高新技术产业开发区（原汽车产业基地）
        # a name that follows another name in the same run (flattened tables) starts after it
        begin = prev_end if s_start - prev_end >= MIN_CHARS else 0
        prev_end = begin if joined else end
        phrase = _trim_left(run[begin:end], end - s_start)
        if _acceptable(phrase):
            found.append((end - len(phrase), phrase, joined))
    # a name that a joining suffix ends (白云机场) gives way to the longer name it starts
    # (白云机场综合保税区); a name ended by another suffix stays (…走廊 and …走廊重大平台)
    longest: dict[int, int] = {}
    for start, phrase, _ in found:
        longest[start] = max(longest.get(start, 0), len(phrase))
    return sorted(
        {
            (start, phrase)
            for start, phrase, joined in found
            if not joined or len(phrase) == longest[start]
        }
    )


def _by_suffix(clean: str) -> list[tuple[int, str]]:
    return [
        (run.start() + offset, phrase)
        for run in _RUN_RE.finditer(clean)
        for offset, phrase in _phrases(run.group())
    ]


def _items(items: str) -> list[tuple[int, str]]:
    """(offset, item) of an enumeration: cut at 、 and at the conjunctions that join its last
    items (达安创谷和工信部电子五所), not at one inside a name (新能源汽车整车及零部件研发中心)."""
    masked = _mask(items)
    cuts = [0]
    for m in _ITEM_SPLIT_RE.finditer(masked):
        cuts += [m.start(), m.end()]
    cuts.append(len(items))
    return [(cuts[i], items[cuts[i] : cuts[i + 1]]) for i in range(0, len(cuts), 2)]


def _by_list(clean: str) -> list[tuple[int, str]]:
    """The items of every ``…、…等 <kind of place>`` enumeration, trimmed like suffix names."""
    found = []
    for m in _LIST_RE.finditer(clean):
        for offset, part in _items(m.group("items")):
            part = part.strip()
            if not _RUN_RE.fullmatch(part):
                continue  # an item holding punctuation or quotes is not one name
            name = _trim_left(part, 0, _LEAD_NO_CONJ_RE)
            if _ends_in_suffix(name):
                continue  # a name with a place suffix is the suffix rule's
            if _acceptable(name) and len(name) <= 24 and not _LEAD_RE.fullmatch(name):
                found.append((m.start("items") + offset + len(part) - len(name), name))
    return found


def _by_box(plan: PlanText) -> list[tuple[int, str]]:
    """The item heads of every 专栏 box, without their numbering, trimmed like suffix names."""
    found = []
    for head in plan.headings:
        if head.kind not in ("item", "numbered", "group"):
            continue
        if not any(h.kind == "box" for h in plan.headings_at(head.start)):
            continue
        title = _HEAD_NUMBER_RE.sub("", head.title).strip()
        if not _RUN_RE.fullmatch(title) or "+" in title or "＋" in title:
            continue  # a head with punctuation (新一代人工智能技术+数字经济) names a field
        if title[-1] not in _BOX_HEAD_ENDS:
            continue  # 深入挖掘企业需求: a task, not a place
        name = _trim_left(title, 0)
        if name == title and _acceptable(name):  # a head opening with a verb is a task
            found.append((head.start + plan.clean[head.start :].find(name), name))
    return found


def _by_designation(clean: str) -> list[tuple[int, str]]:
    """National and provincial designations that open a name (国家 inside a name starts none)."""
    found = []
    for run in _RUN_RE.finditer(clean):
        text = run.group()
        for m in _DESIGNATION_RE.finditer(text):
            before = _mask(text[: m.start()])
            if before and not _LEAD_END_RE.search(before):
                continue  # 鹏城国家实验室广州基地
            if _LEAD_RE.search(_mask(m.group())[2:]):
                continue  # 国家先后授予…: a sentence, not a name
            if _acceptable(m.group()):
                found.append((run.start() + m.start(), m.group()))
    return found


def _by_phase(clean: str) -> list[tuple[int, str]]:
    return [(m.start(1), m.group(1) + m.group(2)) for m in _PHASE_RE.finditer(clean)]


def find_candidates(plan: PlanText | str) -> list[Candidate]:
    """List the candidate place names of a plan, in order of first occurrence.

    Parameters
    ----------
    plan : PlanText or str
        A loaded plan or its manifest id.

    Returns
    -------
    list of Candidate
        One per distinct name (compared through the match key, so full- and half-width forms
        are one candidate), with the rule that found it first.
    """
    if isinstance(plan, str):
        plan = load_plan(plan)
    found = {
        "suffix": _by_suffix(plan.clean),
        "list": _by_list(plan.clean),
        "box": _by_box(plan),
        "designation": _by_designation(plan.clean),
        "phase": _by_phase(plan.clean),
    }
    seen: dict[str, list] = {}
    for rule in RULES:
        for offset, phrase in found[rule]:
            key = match_key(phrase)
            entry = seen.get(key)
            if entry is None:
                seen[key] = [phrase, 1, offset, rule]
            elif entry[3] == rule:
                entry[1] += 1
    return [
        Candidate(name, count, first, plan.section_at(first), rule)
        for name, count, first, rule in sorted(seen.values(), key=lambda e: e[2])
    ]
