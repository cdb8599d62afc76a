"""Kivy markup for text being read aloud: the sentence and the word marked with refs.

Pure functions (no Kivy import), so the markup is unit-tested. The Reader draws a band
behind the ``[ref=sentence]`` zones and a stronger box behind ``[ref=word]`` (Kivy markup has
no background colour), and gives the word a text colour that contrasts with its box.
"""

from __future__ import annotations

from kiosk.content import Text

SENTENCE_REF = "sentence"
WORD_REF = "word"
Range = tuple[int, int]


BREAK_AFTER = "/—"
"""A long word may wrap after these (as in "phenylbutyrate/taurursodiol" or an em dash),
as browsers do: a word wider than a narrow column would otherwise be cut anywhere."""
_BREAK = "[u][/u]"
"""An empty markup pair: Kivy may wrap a line where markup changes, and draws nothing."""


def escape(text: str) -> str:
    """Escape Kivy markup characters (as kivy.utils.escape_markup does), and let a long word
    wrap after a slash or an em dash."""
    text = text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")
    for mark in BREAK_AFTER:
        text = text.replace(mark, mark + _BREAK)
    return text


def plain_text(text: Text) -> str:
    """The characters shown for ``text`` (lead-in, a space, body): what ranges index into."""
    return text.full


def highlighted_markup(text: Text, sentence: Range | None = None, word: Range | None = None,
                       word_colour: str = "000000") -> str:
    """Markup for ``text`` with its bold lead-in and, if given, the sentence and word marked.

    Ranges index ``plain_text(text)``; they are clamped to it, and the word to the sentence.
    """
    plain = plain_text(text)
    size = len(plain)
    tags: list[tuple[int, int, str]] = []  # (position, 0 close / 1 open, tag)
    if text.lead:
        tags += [(0, 1, "[b]"), (len(text.lead), 0, "[/b]")]
    if sentence is not None:
        s_start, s_end = _clamp(sentence, 0, size)
        if s_end > s_start:
            tags += [(s_start, 1, f"[ref={SENTENCE_REF}]"), (s_end, 0, "[/ref]")]
            if word is not None:
                w_start, w_end = _clamp(word, s_start, s_end)
                if w_end > w_start:
                    tags += [(w_start, 2, f"[ref={WORD_REF}][color=#{word_colour}]"),
                             (w_end, -1, "[/color][/ref]")]
    tags.sort(key=lambda t: (t[0], t[1]))
    parts: list[str] = []
    position = 0
    for at, _order, tag in tags:
        parts.append(escape(plain[position:at]))
        parts.append(tag)
        position = at
    parts.append(escape(plain[position:]))
    return "".join(parts)


def _clamp(span: Range, low: int, high: int) -> Range:
    start = max(low, min(high, span[0]))
    return start, max(start, min(high, span[1]))
