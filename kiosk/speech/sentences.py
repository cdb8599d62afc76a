"""Sentence boundaries in display text, so the kiosk can read and highlight one at a time.

pysbd does the hard part (abbreviations, initials, decimals, quotes). Its character offsets
are not trusted: each proposed end is checked against the text, and a few rules the kiosk
depends on are applied on top, so the ranges always cover every non-space character.
"""

from __future__ import annotations

import re
import threading
from typing import Any

_ALWAYS_INSIDE = re.compile(r"(?<![\w.])(?:e\.g|i\.e|vs|cf|approx|Dr|Mr|Mrs|Ms|Prof)\.$")
"""A range ending like this was cut at an abbreviation that never ends a sentence."""
_BEFORE_NUMBER = re.compile(
    r"(?<![\w.])(?:No|Nos|Fig|Vol|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.$"
)
"""Ends a sentence only when no number follows: "See No. 3" but "The answer is No."."""

_segmenter: Any = None
_lock = threading.Lock()
"""pysbd keeps the text being split on the segmenter, so one split runs at a time."""


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character ranges ``[start, end)`` of the sentences of ``text``, in order.

    Ranges have no leading or trailing whitespace and together cover every non-space
    character. Abbreviations (Dr., e.g., U.S., etc.), initials, decimals and "No. 3" do not
    end a sentence.
    """
    if not text.strip():
        return []
    cuts = _checked_cuts(text, _segment(text))
    pieces = (_strip(text, a, b) for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True))
    return _join_false_breaks(text, [(a, b) for a, b in pieces if a < b])


def _segment(text: str) -> list[Any]:
    """pysbd's sentences (with its claimed offsets), from the shared segmenter."""
    global _segmenter
    with _lock:
        if _segmenter is None:
            import pysbd  # slow to import and to build, so only when first needed

            _segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
        return list(_segmenter.segment(text))


def _checked_cuts(text: str, spans: list[Any]) -> list[int]:
    """The sentence ends pysbd proposes that really are in ``text``, increasing."""
    cuts: list[int] = []
    cursor = 0
    for span in spans:
        end = _real_end(text, span, cursor)
        if end is None or end <= cursor or end >= len(text):
            continue
        if not (text[end - 1].isspace() or text[end].isspace()):
            continue  # a sentence ends at a space: never cut inside a word or "...."
        cuts.append(end)
        cursor = end
    return cuts


def _real_end(text: str, span: Any, cursor: int) -> int | None:
    """Where pysbd's sentence ends in ``text``: its own offset if right, else found again."""
    sent = getattr(span, "sent", str(span))
    start, end = getattr(span, "start", None), getattr(span, "end", None)
    if isinstance(start, int) and isinstance(end, int) and text[start:end] == sent:
        if end > cursor:
            return end
    core = sent.strip()
    found = text.find(core, cursor) if core else -1
    return found + len(core) if found >= 0 else None


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _join_false_breaks(text: str, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join a range to the one before when the break between them is not a sentence end."""
    joined: list[tuple[int, int]] = []
    for start, end in ranges:
        if joined and _is_false_break(text[slice(*joined[-1])], text[start:end]):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _is_false_break(before: str, after: str) -> bool:
    if not any(c.isalnum() for c in after):
        return True  # stray punctuation such as "..." belongs to the sentence before
    if _ALWAYS_INSIDE.search(before):
        return True
    return bool(_BEFORE_NUMBER.search(before)) and after[:1].isdigit()
