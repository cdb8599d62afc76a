"""The plain form of display text that is sent to speech.

Display text keeps the source's typography; synthesisers read curly quotes, dashes and
bullets inconsistently (some say "em dash", some run the words together), so speech gets
straight quotes, a comma where a dash marks a pause, and single spaces. A pronunciation
lexicon is applied after this, elsewhere; this function stays small and pure.
"""

from __future__ import annotations

import re

_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'}
)
_NUMBER_RANGE = re.compile(r"(?<=\d)[ \t\u00a0]*–[ \t\u00a0]*(?=\d)")
_DASH = re.compile(r"[\s\u00a0]*(?:—|–|(?<!\S)--(?!\S)|(?<=\w)--(?=\w))[\s\u00a0]*")
_DOUBLE_COMMA = re.compile(r"(?:\s*,)+")
_SPACES = re.compile(r"[\s\u00a0]+")
_COMMA_BEFORE_STOP = re.compile(r",\s*(?=[.?!;:])")


def spoken_form(text: str) -> str:
    """``text`` as it should be spoken: "it’s rare—most won’t" -> "it's rare, most won't".

    Curly quotes become straight, an em or en dash (or " -- ") between words becomes a
    pause comma, an en dash between numbers becomes "to", bullets go, spaces collapse.
    """
    text = text.translate(_QUOTES).replace("•", " ")
    text = _NUMBER_RANGE.sub(" to ", text)
    text = _DASH.sub(", ", text)
    text = _SPACES.sub(" ", text)
    text = _DOUBLE_COMMA.sub(",", text)
    text = _COMMA_BEFORE_STOP.sub("", text)
    return text.strip(" ,")
