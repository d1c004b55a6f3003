"""Candidate place names in a plan text.

Re-reads a plan's clean text (``spatial.plans.texts``) and lists every phrase that looks like the name
of a place: a run of characters ending in a place suffix (园, 区, 基地, 中心, 实验室, 小镇, 大学,
研究院, …), cut on the left at punctuation and at the verbs, prepositions and conjunctions that
introduce names in an enumeration (依托 … 、 … 和 … 等). The finder only proposes; a person decides
what each candidate is (on the map, in the register, or left out with a reason) and the decisions
live in ``layers/src/coverage/<plan>.yaml`` so the coverage report is reproducible.

The rules are plain regular expressions rather than a word segmenter: a segmenter's output
depends on its dictionary version and splits compound place names unpredictably, while these
rules are stable, readable and give the same list on every machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spatial.plans.texts import PlanText, load_plan, match_key


def _words(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of a block of text (word lists stay readable)."""
    return tuple(text.split())


#: Place suffixes, longest first so ``产业园区`` wins over ``园区``.
_SUFFIX_WORDS = _words(
    """
    生命科学城 特别合作区 数字科技城 大科学装置 产业园区 产业集群 科学装置 工业区
    创新园 创新核 火车站 科技园 功能区 知识城 研究院 高新区 产业园 示范区 工业园
    研究所 试验区 价值园 产业带 创新带 创新极 策源区 合作区 集聚区 实验室 增长极
    实验区 企业园 开发区 科学城 金融城 创新区 商务区 科技城 集群 基地 社区 走廊
    机场 新区 园区 大学 学院 商圈 北站 小镇 中心 片区 医院 智谷 慧谷 硅谷 岛 村
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
    共享 公共 服务业 协同 共同 同步 合同 同济 同和 同德
    """
)
_LEAD_RE = re.compile(
    "(?:" + "|".join(map(re.escape, sorted(_LEAD_WORDS, key=len, reverse=True))) + ")"
)
# A name may go on after these (白云机场综合保税区, 华南理工大学国家大学科技园), so a later
# suffix in the same run does not start a new name after them.
_JOINING_SUFFIXES = set(
    _words(
        """
        北站 大学 学院 小镇 岛 数字科技城 机场 村 火车站 生命科学城 知识城 研究所
        研究院 社区 科学城 科技城
        """
    )
)
MIN_CHARS = 3
MAX_CHARS = 30


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
    """

    name: str
    count: int
    first: int
    section: str


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


def _trim_left(phrase: str, suffix_len: int) -> str:
    """Drop everything up to and including the last lead word before a phrase's suffix."""
    cut = 0
    body = len(phrase) - suffix_len
    for m in _LEAD_RE.finditer(_mask(phrase)):
        if m.end() <= body:  # a lead word may not swallow the suffix itself
            cut = max(cut, m.end())
    phrase = phrase[cut:]
    while phrase and phrase[0] in "（）()·+＋0123456789":
        phrase = phrase[1:]
    return phrase


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
        if not (MIN_CHARS <= len(phrase) <= MAX_CHARS) or not _balanced(phrase):
            continue
        if phrase in SUFFIXES:  # the suffix on its own (实验室, 高新区) names nothing
            continue
        found.append((end - len(phrase), phrase))
    # drop a phrase that is a prefix of a longer phrase starting at the same offset
    keep: dict[int, str] = {}
    for start, phrase in found:
        if len(phrase) > len(keep.get(start, "")):
            keep[start] = phrase
    return sorted(keep.items())


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
        are one candidate).
    """
    if isinstance(plan, str):
        plan = load_plan(plan)
    seen: dict[str, list] = {}
    for run in _RUN_RE.finditer(plan.clean):
        for offset, phrase in _phrases(run.group()):
            key = match_key(phrase)
            entry = seen.get(key)
            if entry is None:
                seen[key] = [phrase, 1, run.start() + offset]
            else:
                entry[1] += 1
    return [
        Candidate(name=name, count=count, first=first, section=plan.section_at(first))
        for name, count, first in sorted(seen.values(), key=lambda e: e[2])
    ]
