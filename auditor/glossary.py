"""English names of the indicator framework's category words, as the project glossary gives them
(产出 output, 数量 quantity …): English messages name a category in English, not in Chinese. The
words are the national framework's, fixed; a category a form names otherwise keeps its own
words."""

from __future__ import annotations

import re

CATEGORY_EN = {
    "产出": "output",
    "数量": "quantity",
    "质量": "quality",
    "时效性": "timeliness",
    "时效": "timeliness",
    "成本": "cost",
    "效益": "outcome",
    "效果": "outcome",
    "经济效益": "economic outcome",
    "社会效益": "social outcome",
    "生态效益": "ecological outcome",
    "可持续影响": "sustained impact",
    "满意度": "satisfaction",
    "服务对象满意度": "satisfaction of those served",
    "其他满意度": "other satisfaction",
}
SUFFIX = re.compile(r"指标$")


def category_en(name: str) -> str:
    """``数量指标`` → ``quantity``; ``服务对象满意度指标`` → ``satisfaction of those served``; a
    name the glossary does not know stays as written."""
    return CATEGORY_EN.get(SUFFIX.sub("", name.strip()), name)


def categories_en(text: str) -> str:
    """A list of category names (``经济效益指标、社会效益指标``) in English, joined by commas."""
    return ", ".join(category_en(part) for part in re.split(r"[、，,]\s*", text) if part)
