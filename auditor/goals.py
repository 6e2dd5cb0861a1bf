"""Whether a goal can be measured: does it state a result (a quantity, a rate, a deadline), or
share a subject with the indicators that measure it?

A subject is what an indicator is about once its measuring words are taken off (``伙食`` of
``保障工作人员伙食``, ``法律服务`` of ``法律服务采购成本``). A goal shares one when it names it —
judged by two-character terms within what is left once the words that name no subject in
particular are taken out (居民, 服务, 工作, 问题 … the rule's ``generic`` words), since a goal and a
table always share those.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from auditor.model import Indicator, Project

CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def goal_text(project: Project | None) -> str | None:
    """The project's goal as one text: its 年度目标 where the form has one, else its goals;
    None when it has neither field."""
    if project is None:
        return None
    if project.annual_goal is not None:
        return project.annual_goal.text or ""
    if project.goals:
        return "\n".join(goal.text for goal in project.goals)
    return None


@lru_cache(maxsize=4096)
def _terms(text: str, generic: str) -> frozenset[str]:
    """The two-character terms of a text's Chinese runs once generic words are taken out: a
    term never spans two words of which one is generic (``区工`` of 社区工作站)."""
    if generic:
        text = re.sub(generic, " ", text)
    found = set()
    for run in CJK_RUN.findall(text):
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(found)


@lru_cache(maxsize=8192)
def _named(level3: str, description: str, generic: str, measuring: str) -> frozenset[str]:
    """The terms an indicator names: of its name and explanation, without their measuring
    words (数量, 及时性, 满意度, 保障 …)."""
    if measuring:
        level3, description = re.sub(measuring, " ", level3), re.sub(measuring, " ", description)
    return _terms(level3, generic) | _terms(description, generic)


def shared_subject(
    text: str | None, indicators: Iterable[Indicator] | None, generic: str = "", measuring: str = "", topic: str | None = None
) -> str | None:
    """The first indicator subject the text names (a two-character term of an indicator's
    name or explanation, measuring words taken off), or None. Terms of the ``topic`` (the
    project's name) do not count: a goal that restates what the project is about
    (提升养老服务水平 in 社区养老服务中心建设) names no result."""
    if not text or not indicators:
        return None
    goal = _terms(text, generic) - _terms(topic or "", generic)
    for row in indicators:
        if row.not_applicable or not row.level3:
            continue
        shared = sorted(_named(row.level3, row.description or "", generic, measuring) & goal)
        if shared:
            return shared[0]
    return None
