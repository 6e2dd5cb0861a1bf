"""Text similarity for duplicate detection: normalisation, character shingles, an inverted index
that finds candidate pairs without comparing all pairs, and the exact measures used to confirm."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

NUMBERING = re.compile(
    r"^\s*(?:[（(]?\s*(?:[一二三四五六七八九十]+|\d{1,2})\s*[)）]|(?:[一二三四五六七八九十]+|\d{1,2})\s*[、.．:：])\s*"
)
NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
SHINGLE = 3


@lru_cache(maxsize=4096)  # a draft's distinct texts; more would only grow memory with the run
def normalize_text(text: str, strip_numbering: bool = True) -> str:
    """Text as compared: NFKC, leading item numbering dropped, whitespace and punctuation dropped,
    lower case. ``"1、拨付企业预交款。"`` → ``"拨付企业预交款"``. Cached: the rules of one draft
    normalise the same cells many times."""
    text = text or ""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if strip_numbering:
        text = NUMBERING.sub("", text, count=1)
    return NOISE.sub("", text).lower()


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """The set of overlapping character n-grams of a normalised text (the text itself if shorter).
    Long texts keep about a third of their n-grams, chosen by content (by the n-gram's middle
    character), so two texts that share a passage still share the n-grams kept from it."""
    if len(text) <= size:
        return {text} if text else set()
    grams = {text[i : i + size] for i in range(len(text) - size + 1)}
    if len(grams) < 24:
        return grams
    sampled = {g for g in grams if ord(g[1]) % 3 == 0}
    return sampled or grams


def ratio(a: str, b: str) -> float:
    """Similarity 0..1 of two normalised texts (difflib's ratio)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def similar(a: str, b: str, threshold: float) -> bool:
    """``ratio(a, b) >= threshold``, answered by cheap upper bounds first (length, then
    character counts) so that most unlike pairs never reach the full comparison."""
    if a == b:
        return True
    if not a or not b:
        return False
    if 2 * min(len(a), len(b)) / (len(a) + len(b)) < threshold:
        return False
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= threshold and matcher.ratio() >= threshold


def overlap(a: str, b: str) -> float:
    """Share 0..1 of the shorter text that stands, in order, in the longer one."""
    if not a or not b:
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if short in long_:
        return 1.0
    matcher = SequenceMatcher(None, short, long_, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(short)


@dataclass
class ShingleIndex:
    """Inverted index from shingles to item ids: candidates for near-duplicates are the items that
    share at least ``min_share`` of the smaller item's shingles. Adding n items costs about n
    times the number of items sharing a shingle, not n²."""

    min_share: float = 0.5
    max_posting: int = 200  # shingles in more items than this are too common to say anything
    postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    sizes: dict[int, int] = field(default_factory=dict)

    def add(self, item: int, grams: set[str]) -> list[int]:
        """Index an item; return earlier items that are candidates to be near-duplicates of it."""
        counts: dict[int, int] = defaultdict(int)
        for gram in grams:
            posting = self.postings[gram]
            if len(posting) <= self.max_posting:
                for other in posting:
                    counts[other] += 1
            posting.append(item)
        self.sizes[item] = len(grams)
        return sorted(
            other
            for other, shared in counts.items()
            if shared >= self.min_share * min(len(grams), self.sizes[other])
        )


def near_duplicate_groups(
    texts: Iterable[str], threshold: float, overlap_threshold: float | None = None, min_length: int = 4
) -> list[list[int]]:
    """Groups (by index, in order) of texts that are the same or nearly so after normalisation.

    Two texts are near-duplicates when their ``ratio`` reaches ``threshold``, or, with
    ``overlap_threshold``, when that share of the shorter one stands in the longer one (a goal
    that repeats another and adds a clause). Texts shorter than ``min_length`` are ignored.
    """
    normalized = [normalize_text(t) for t in texts]
    parent = list(range(len(normalized)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = ShingleIndex(min_share=min(threshold, overlap_threshold or threshold) * 0.6)
    exact: dict[str, int] = {}
    for i, text in enumerate(normalized):
        if len(text) < min_length:
            continue
        if text in exact:
            parent[find(i)] = find(exact[text])
            continue
        exact[text] = i
        for j in index.add(i, shingles(text)):
            other = normalized[j]
            if similar(text, other, threshold) or (
                overlap_threshold is not None and min(len(text), len(other)) >= 2 * min_length and overlap(text, other) >= overlap_threshold
            ):
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(normalized)):
        if len(normalized[i]) >= min_length:
            groups[find(i)].append(i)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])
