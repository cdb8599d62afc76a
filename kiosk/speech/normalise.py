"""The exact text sent to the speech engine for a piece of display text, and the way back.

Display text keeps the source's typography and spelling; espeak-ng reads some of it badly
("ALS" as the word "als", "800-352-9424" as "eight hundred dash ..."). ``normalise`` rewrites
a sentence for speech (pronunciation lexicon, phone numbers, ranges, symbols, web
addresses, then the quote/dash/space rules of ``kiosk.content.spoken``) and remembers which
display characters every spoken character came from, so a word the engine reports at
spoken offsets can be highlighted on screen.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from kiosk.speech.lexicon import EntryKind, Lexicon

Span = tuple[int, int, int, int]
Piece = tuple[str, int, int]
"""Replacement text and the range of the *current* text it stands for."""
_Replace = Callable[[re.Match[str]], "str | list[Piece]"]


@dataclass(frozen=True)
class Spoken:
    """A piece of display text as it is sent to the speech engine."""

    display: str
    """The display text it came from."""
    text: str
    """Exactly what is sent to the engine."""
    spans: tuple[Span, ...]
    """``(spoken_start, spoken_end, display_start, display_end)``, in order, covering ``text``.

    Where both ranges have the same length the characters correspond one to one; otherwise
    the whole spoken range stands for the whole display range (a respelled word)."""

    def display_range(self, start: int, end: int) -> tuple[int, int]:
        """The range of ``display`` that produced spoken characters ``[start, end)``.

        Always a valid range inside the display text, even for out-of-range input; an empty
        spoken range gives an empty display range at the matching place.
        """
        size = len(self.text)
        start = min(max(start, 0), size)
        end = min(max(end, start), size)
        if not self.spans:
            return (0, 0)
        if start == end:
            position = self._display_position(start)
            return (position, position)
        first = max(bisect_right(self._starts, start) - 1, 0)
        low, high = len(self.display), 0
        for s_start, s_end, d_start, d_end in self.spans[first:]:
            if s_start >= end:
                break
            if s_end - s_start == d_end - d_start:
                d_start, d_end = (
                    d_start + max(start, s_start) - s_start,
                    d_start + min(end, s_end) - s_start,
                )
            low, high = min(low, d_start), max(high, d_end)
        return (low, max(low, high))

    @property
    def _starts(self) -> list[int]:
        return [span[0] for span in self.spans]

    def _display_position(self, spoken: int) -> int:
        if spoken >= len(self.text):
            return self.spans[-1][3]
        s_start, s_end, d_start, d_end = self.spans[bisect_right(self._starts, spoken) - 1]
        return d_start + spoken - s_start if s_end - s_start == d_end - d_start else d_start


def normalise(display: str, lexicon: Lexicon) -> Spoken:
    """``display`` (best one sentence at a time) as it should be spoken, with its map back.

    "Call 800-352-9424 about ALS" -> "Call 8 0 0, 3 5 2, 9 4 2 4 about eh-L-S".
    """
    text = _Mapped.of(display)
    text = text.sub(_PLAIN_CHARS, lambda m: _PLAIN_CHARS_MAP[m.group()])
    text = text.sub(_tokenizer(lexicon.entry_pattern, lexicon.symbol_pattern), _Sayer(lexicon))
    for pattern, replacement in _CLEANUPS:
        text = text.sub(pattern, replacement)
    return text.strip(" ,").spoken(display)


# --- text with a map back to the display ----------------------------------------------------


@dataclass(frozen=True)
class _Mapped:
    """Text in which every character knows the display range it came from."""

    text: str
    origins: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, display: str) -> _Mapped:
        return cls(display, tuple((i, i + 1) for i in range(len(display))))

    def sub(self, pattern: re.Pattern[str], replace: str | _Replace) -> _Mapped:
        """Like ``re.sub``; a replacement maps to the display range of what it replaced.

        A callable may return a string or a list of pieces ``(text, start, end)`` naming
        the part of the match (in current-text offsets) each piece stands for.
        """
        parts: list[str] = []
        origins: list[tuple[int, int]] = []
        position = 0
        for match in pattern.finditer(self.text):
            if match.start() == match.end():
                continue
            parts.append(self.text[position : match.start()])
            origins.extend(self.origins[position : match.start()])
            result = replace(match) if callable(replace) else match.expand(replace)
            if isinstance(result, str):
                result = [(result, match.start(), match.end())]
            for piece, start, end in result:
                parts.append(piece)
                origins.extend([self._union(start, end)] * len(piece))
            position = match.end()
        parts.append(self.text[position:])
        origins.extend(self.origins[position:])
        return _Mapped("".join(parts), tuple(origins))

    def _union(self, start: int, end: int) -> tuple[int, int]:
        covered = self.origins[start : max(end, start + 1)]
        return (min(o[0] for o in covered), max(o[1] for o in covered))

    def strip(self, chars: str) -> _Mapped:
        start, end = 0, len(self.text)
        while start < end and self.text[start] in chars:
            start += 1
        while end > start and self.text[end - 1] in chars:
            end -= 1
        return _Mapped(self.text[start:end], self.origins[start:end])

    def spoken(self, display: str) -> Spoken:
        """The Spoken form: runs of unchanged characters and replaced blocks as spans."""
        spans: list[list[int]] = []  # [spoken start, spoken end, display start, display end]
        unchanged = False  # whether spans[-1] is a run of one-to-one characters
        for index, origin in enumerate(self.origins):
            unit = self._is_unit(index)
            last = spans[-1] if spans else None
            if last is not None and unit and unchanged and origin[0] == last[3]:
                last[1], last[3] = index + 1, origin[1]
            elif last is not None and not unit and not unchanged and origin == tuple(last[2:]):
                last[1] = index + 1
            else:
                spans.append([index, index + 1, *origin])
                unchanged = unit
        return Spoken(display, self.text, tuple((a, b, c, d) for a, b, c, d in spans))

    def _is_unit(self, index: int) -> bool:
        """Whether this character alone stands for exactly one display character."""
        origin = self.origins[index]
        return (
            origin[1] - origin[0] == 1
            and (index == 0 or self.origins[index - 1] != origin)
            and (index + 1 == len(self.origins) or self.origins[index + 1] != origin)
        )


# --- what is rewritten ----------------------------------------------------------------------

_PLAIN_CHARS_MAP = {
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "•": " ",
}
_PLAIN_CHARS = re.compile("|".join(_PLAIN_CHARS_MAP))

_EMAIL = r"(?P<email>(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
_URL = (
    r"(?P<url>(?<![\w@.-])(?:https?://)?(?:[A-Za-z0-9-]+\.)+"
    r"(?:gov|org|com|net|edu|info|io|us|uk|ca|au)(?![\w-])(?:/[\w/.%-]*[\w/])?)"
)
_PHONE = (
    r"(?P<phone>(?<![\w+.-])(?:\+?1[-. ])?(?:\(\d{3}\)[ \u00a0]?|\d{3}[-.])\d{3}[-.]\d{4}"
    r"(?![\w-]|\.\d))"
)
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?"
_RANGE = (
    rf"(?P<range>(?<![\w.,\-–])(?P<low>{_NUMBER})(?P<low_pct>[ \u00a0]?%)?"
    rf"(?P<dash>[ \u00a0]*[-–][ \u00a0]*)(?P<high>{_NUMBER})(?![\w\-–]|[.,]\d))"
)
_THOUSANDS = r"(?P<thousands>(?<![\w.,])\d{1,3}(?:,\d{3})+(?!\d|,\d))"
_AND_OR = r"(?P<and_or>(?<!\w)(?i:and)/(?i:or)(?!\w))"
_SLASH = r"(?P<slash>(?<=[A-Za-z])/(?=[A-Za-z]))"


@lru_cache(maxsize=16)
def _tokenizer(entry_pattern: str, symbol_pattern: str) -> re.Pattern[str]:
    """One pattern for every rewrite; where two could start at one place, the first wins."""
    parts = [_EMAIL, _URL, _PHONE, _RANGE, _THOUSANDS]
    if entry_pattern:
        parts.append(f"(?P<entry>{entry_pattern})")
    parts += [_AND_OR, _SLASH]
    if symbol_pattern:
        parts.append(f"(?P<symbol>{symbol_pattern})")
    return re.compile("|".join(parts))


class _Sayer:
    """Turns one tokenizer match into the pieces that are spoken."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.by_kind: dict[str, Callable[[re.Match[str]], list[Piece]]] = {
            "email": self.address,
            "url": self.address,
            "phone": _phone_pieces,
            "range": self.range,
            "thousands": lambda m: [(m.group().replace(",", ""), m.start(), m.end())],
            "entry": self.entry,
            "and_or": lambda m: [("and or", m.start(), m.end())],
            "slash": lambda m: [(" or ", m.start(), m.end())],
            "symbol": self.symbol,
        }

    def __call__(self, match: re.Match[str]) -> list[Piece]:
        return self.by_kind[match.lastgroup or "symbol"](match)

    def entry(self, match: re.Match[str]) -> list[Piece]:
        """A lexicon entry; an abbreviation ending the text keeps its full stop."""
        entry = self.lexicon.lookup(match.group())
        if entry is None:  # cannot happen: the pattern is built from the same keys
            return [(match.group(), match.start(), match.end())]
        pieces = [(entry.say, match.start(), match.end())]
        ends_text = _ENDS_TEXT.match(match.string, match.end()) is not None
        if entry.kind is EntryKind.ABBREVIATION and entry.key.endswith(".") and ends_text:
            pieces.append((".", match.end() - 1, match.end()))
        return pieces

    def range(self, match: re.Match[str]) -> list[Piece]:
        """ "3-5" or "3–5" -> "3 to 5"; "25%-40%" -> "25 percent to 40%" (the % comes next)."""
        pieces = _number_pieces(match, "low")
        if match.group("low_pct"):
            percent = self.lexicon.symbol("%") or "percent"
            pieces.append((f" {percent}", *match.span("low_pct")))
        pieces.append((" to ", *match.span("dash")))
        return pieces + _number_pieces(match, "high")

    def symbol(self, match: re.Match[str]) -> list[Piece]:
        """A symbol as a word, with a space where it touches a letter or digit."""
        say = self.lexicon.symbol(match.group()) or match.group()
        text, start, end = match.string, match.start(), match.end()
        before = " " if start > 0 and text[start - 1].isalnum() else ""
        after = " " if end < len(text) and text[end].isalnum() else ""
        return [(f"{before}{say}{after}", start, end)]

    def address(self, match: re.Match[str]) -> list[Piece]:
        """A web or email address read out: "www.ninds.nih.gov" -> "w w w dot N I N D S ..."."""
        scheme = re.match(r"https?://", match.group())
        offset = match.start() + (scheme.end() if scheme else 0)
        pieces: list[Piece] = []
        for token in re.finditer(r"[./@]|[^./@]+", match.string[offset : match.end()]):
            word = self.address_word(token.group())
            start = match.start() if not pieces else offset + token.start()
            pieces.append((f" {word}" if pieces else word, start, offset + token.end()))
        return pieces

    def address_word(self, token: str) -> str:
        """One part of an address: a mark, "www", a lexicon word (any case) or as written."""
        if token in _ADDRESS_MARKS:
            return _ADDRESS_MARKS[token]
        if token.lower() == "www":
            return "w w w"
        entry = self.lexicon.lookup(token) or self.lexicon.lookup(token.upper())
        return entry.say if entry and entry.kind is EntryKind.WORD else token


_ADDRESS_MARKS = {".": "dot", "/": "slash", "@": "at"}
_ENDS_TEXT = re.compile(r"[\"')\]]*\s*$")


def _phone_pieces(match: re.Match[str]) -> list[Piece]:
    """Each digit said on its own, a pause (comma) between groups: "1, 8 0 0, 3 5 2, ..."."""
    pieces: list[Piece] = []
    previous_end = match.start()
    for group in re.finditer(r"\d+", match.group()):
        start, end = match.start() + group.start(), match.start() + group.end()
        if pieces:
            pieces.append((", ", previous_end, start))
        pieces.append((" ".join(group.group()), previous_end if not pieces else start, end))
        previous_end = end
    last_text, last_start, _ = pieces[-1]
    pieces[-1] = (last_text, last_start, match.end())
    return pieces


def _number_pieces(match: re.Match[str], group: str) -> list[Piece]:
    return [(match.group(group).replace(",", ""), *match.span(group))]


_CLEANUPS: tuple[tuple[re.Pattern[str], str], ...] = (
    # the rules of kiosk.content.spoken.spoken_form, in the same order
    (re.compile(r"(?<=\d)[ \t\u00a0]*–[ \t\u00a0]*(?=\d)"), " to "),
    (re.compile(r"[\s\u00a0]*(?:—|–|(?<!\S)--(?!\S)|(?<=\w)--(?=\w))[\s\u00a0]*"), ", "),
    (re.compile(r"[\s\u00a0]+"), " "),
    (re.compile(r"(?:\s*,)+"), ","),
    (re.compile(r",\s*(?=[.?!;:])"), ""),
)
