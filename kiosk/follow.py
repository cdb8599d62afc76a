"""Follow-along: where a person reading a document aloud has got to (no Kivy, no audio here).

A caregiver reads a section aloud; the kiosk hears them (kiosk/voice/dictation.py turns the
microphone into the words of the last few seconds) and this module finds those words in
the document's text, so the Reader can mark the sentence and word being read, keep them in
view and turn to the next section when the reader gets there.

The document is one stream of words (:class:`Track`) from the section the reader starts at
to the end, each word knowing its section, sentence (utterance of the reading script, 0
being the heading) and place in the display text. :class:`Follower` aligns what was heard
last against the words around the current place (a local alignment of normalised words,
numbers as written, spelled letters joined: "A L S" is "als"), so a misheard word, a
skipped sentence, a repeated phrase or a remark that is not in the text costs nothing. The
place moves forward freely; it moves back, or far ahead, only on strong evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from kiosk.content import Document, Entry
from kiosk.speech.lexicon import Lexicon
from kiosk.speech.script import build_script

AHEAD_WORDS = 90
"""How far past the current place a heard phrase is looked for (a skipped sentence or two)."""
BEHIND_WORDS = 30
"""How far back (a repeated phrase, a sentence read again)."""
MIN_MATCHES = 3
"""Words that must match, in order, to move the place ..."""
NEAR_MATCHES = 2
"""... or this many, when they are the words just after the place (reading on)."""
NEAR_WORDS = 10
"""How far after the place counts as reading on."""
LEAD_WORDS = 3
"""Between transcriptions the place moves on at the reader's pace while they are heard, at
most this many words past the last words heard (the transcription trails the voice)."""
PACE = 2.5
"""Words a second at first (150 words a minute); then the reader's own pace."""
PACE_RANGE = (1.2, 4.5)
SLACK_WORDS = 3
"""Heard words are looked for first up to this far past where the reader's pace allows
(a phrase that comes again further on is then taken where it is near); further ahead needs
JUMP_MATCHES words."""
JUMP_MATCHES = 5
"""Words that must match to move back, or to anywhere else in the document."""
FAR_MATCHES = 8
"""Words that must match to move anywhere beyond AHEAD_WORDS (a reader who turns pages
without the kiosk): with 5, "in people with ALS, the brain ..." was taken for a sentence
sixteen sections on ("... from people with ALS to learn about ...")."""
ECHO_WORDS = 4
"""A transcript with at least this many words (and 60 % of its words) in the order of the
prompt is the prompt repeated, not speech (:func:`echoes`)."""
SIMILAR = 0.75
"""Two words match when their letters are this alike (difflib ratio): "familial" heard as
"familiar" still matches."""
MATCH, MISMATCH, GAP = 2.0, -1.0, -1.0
"""Alignment scores."""
TAIL_WORDS = 4
"""An alignment counts only when it reaches one of the newest heard words: older words
place the reader where they were, and newer ones that match nothing (a remark) leave the
place where it is."""
PAUSE_S = 0.25
"""A pause this long at the end of a sentence, then speech: the reader has gone on to the
next sentence."""
END_WORDS = 2
"""Within this many words of a sentence's end counts as at its end."""
HEADING_S = 0.5
"""Before any words are found: this much speech, a pause and speech again go on from the
heading (where following starts) to the first sentence, as at a sentence's end (the heading
is short and often read before Whisper has words enough to place it)."""
TURN_CHECK_S = 2.0
"""After a move to the next sentence that no words heard confirm within this much speech
(the reader is making a remark, not reading on), the place waits there for words. Going
back to where the reader stopped was tried and was worse in bench/follow.py (a straight
reading 99.5 -> 90.0 %, room noise 81.5 -> 77.8 %): Whisper is often that slow to confirm
a sentence that is being read."""
BACK_WORDS = 8
"""The place shown never moves back, unless the reader clearly went back: this many words
or more, with JUMP_MATCHES words heard."""

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.][A-Za-z0-9]+)*")


def words_of(text: str) -> list[str]:
    """``text`` as words to compare: lower case, no punctuation, spelled letters joined
    ("A L S", "A.L.S." and "ALS" are all "als"; "a" and "I" alone stay words)."""
    words = [w.lower().replace("’", "'").replace(".", "") for w in _WORD.findall(text)]
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if len(run) > 1 and any(letter not in ("a", "i") for letter in run):
            joined.append("".join(run))
        else:
            joined.extend(run)
        run = []
        if word:
            joined.append(word)
    return joined


@dataclass(frozen=True)
class Place:
    """A word of the document: where it is, for the Reader and ``kiosk follow``."""

    section: str
    """The section's id."""
    entry: int
    """The section's index in the document's reading order (Document.entries)."""
    sentence: int
    """The utterance of the section's reading script (0 is the heading)."""
    word: int
    """The word's index within its sentence, from 0."""
    target: tuple[int, int]
    """Which display text (as Utterance.target)."""
    start: int
    """The word's start in that display text."""
    end: int
    sentence_span: tuple[int, int]
    """The sentence's (start, end) in that display text, as the read-aloud band marks it."""


@dataclass(frozen=True)
class Track:
    """A document's words in reading order, with where each is."""

    words: tuple[str, ...]
    """Each word as compared (:func:`words_of`)."""
    places: tuple[Place, ...]
    shown: tuple[str, ...]
    """Each word as written in the document (for Whisper's prompt)."""

    @classmethod
    def of(cls, document: Document, lexicon: Lexicon, first: int = 0) -> Track:
        """The words from section ``first`` (an index of ``document.entries``) to the end."""
        words: list[str] = []
        places: list[Place] = []
        shown: list[str] = []
        for index, entry in enumerate(document.entries[first:], start=first):
            _add_entry(entry, index, lexicon, words, places, shown)
        return cls(tuple(words), tuple(places), tuple(shown))

    def before(self, index: int, count: int = 30) -> str:
        """The ``count`` words up to and including ``index``, as written ("" before the
        first word)."""
        if index < 0:
            return ""
        return " ".join(self.shown[max(0, index + 1 - count):index + 1])


def _add_entry(entry: Entry, index: int, lexicon: Lexicon, words: list[str],
               places: list[Place], shown: list[str]) -> None:
    for utterance in build_script(entry, lexicon):
        display = utterance.display
        count = 0
        for match in _WORD.finditer(display):
            for word in words_of(match.group()):
                words.append(word)
                shown.append(match.group())
                places.append(Place(entry.section.id, index, utterance.index, count,
                                    utterance.target, utterance.start + match.start(),
                                    utterance.start + match.end(),
                                    (utterance.start, utterance.end)))
                count += 1


@dataclass(frozen=True)
class Moved:
    """The reader is at ``place`` (``index`` in the track); ``matched`` words agreed (0: the
    place moved on at the reader's pace, between transcriptions). Also the event that tells
    the Reader where to mark."""

    index: int
    place: Place
    matched: int


@dataclass(frozen=True)
class FollowEnded:
    """Following stopped by itself; ``why``, in plain words, is shown and said."""

    why: str


FollowEvent = Moved | FollowEnded


class Follower:
    """Keeps the reader's place in a :class:`Track` from what was heard; one thread."""

    def __init__(self, track: Track) -> None:
        self.track = track
        self.index = 0
        """The word being read, as shown: at first the heading's first word (following
        starts at the section shown)."""
        self.confirmed = -1
        """The last word found in what was heard."""
        self.pace = PACE
        self._voiced_s = 0.0
        """Seconds of speech heard since the last confirmation."""
        self._credit = 0.0
        self._quiet_s = 0.0
        self._unconfirmed_s = 0.0
        self._held = False
        self._lead_from = -1
        """The first word of the sentence the place went on to after a pause, until heard
        words confirm it (-1: none)."""

    @property
    def place(self) -> Place:
        return self.track.places[self.index]

    def hear(self, heard: list[str]) -> Moved | None:
        """The words of the last few seconds (oldest first, already :func:`words_of`); the
        new place when they show the reader has moved on, else None."""
        if not heard:
            return None
        found = self._find(heard)
        if found is None:
            return None
        index, matched = found
        if index == self.confirmed:
            return None
        self._learn_pace(index)
        self.confirmed = index
        self._credit = 0.0
        self._held = False
        if index >= self._lead_from:
            self._lead_from = -1
        if index < self.index and not (self.index - index > BACK_WORDS
                                       and matched >= JUMP_MATCHES):
            return None  # the place shown is a little ahead: it waits there (never back)
        self.index = index
        return Moved(index, self.track.places[index], matched)

    def tick(self, seconds: float, voiced: bool) -> Moved | None:
        """``seconds`` more of audio, heard as speech or not: between transcriptions the
        place moves on at the reader's pace while they are speaking (never while they
        pause), at most LEAD_WORDS past the words heard last."""
        if not voiced:
            self._quiet_s += seconds
            return None
        paused, self._quiet_s = self._quiet_s, 0.0
        spoken, self._voiced_s = self._voiced_s, self._voiced_s + seconds
        if self._lead_from >= 0:  # gone on to the next sentence: do the words agree?
            self._unconfirmed_s += seconds
            if self._unconfirmed_s > TURN_CHECK_S:
                self._lead_from = -1
                self._held = True  # no more guesses until words are heard again
            return None  # (and no pacing on into a sentence no words have confirmed)
        if self._held:
            return None
        heading = self.confirmed < 0  # no words found yet: still at the heading
        if paused >= PAUSE_S and (not heading or spoken >= HEADING_S):
            turned = self._next_sentence(anywhere=heading)  # (a heading is read whole)
            if turned is not None:
                return turned
        if heading:
            return None  # (no pacing before words are heard)
        self._credit += seconds * self.pace
        if self._credit < 1.0 or self.index >= min(self.confirmed + LEAD_WORDS,
                                                     len(self.track.words) - 1):
            return None
        here, after = self.track.places[self.index], self.track.places[self.index + 1]
        if (here.entry, here.sentence) != (after.entry, after.sentence):
            return None  # (only a pause then speech goes on to the next sentence)
        self._credit -= 1.0
        self.index += 1
        return Moved(self.index, after, 0)

    def _next_sentence(self, anywhere: bool = False) -> Moved | None:
        """Speech after a pause at the end of a sentence (or ``anywhere`` in it): the next
        sentence's first word."""
        places = self.track.places
        here = places[self.index]
        following = self.index + 1
        while following < len(places) and (places[following].entry, places[following].sentence
                                           ) == (here.entry, here.sentence):
            following += 1
        if following >= len(places) or (following - self.index > END_WORDS and not anywhere):
            return None
        self.index = following
        self._lead_from = following
        self._unconfirmed_s = 0.0
        self._credit = 0.0
        return Moved(following, places[following], 0)

    def _learn_pace(self, index: int) -> None:
        """The reader's words a second, from how far the place moved in the speech heard."""
        if self.confirmed >= 0 and index > self.confirmed and self._voiced_s >= 1.5:
            measured = (index - self.confirmed) / self._voiced_s
            low, high = PACE_RANGE
            self.pace += 0.3 * (min(high, max(low, measured)) - self.pace)
        if index != self.confirmed:
            self._voiced_s = 0.0

    def _find(self, heard: list[str]) -> tuple[int, int] | None:
        """Where the newest heard words are in the text, and how many words matched: near
        where the reader can have got to if that explains them, else further ahead (a
        skipped sentence) or anywhere (a jump) on stronger evidence."""
        here = self.confirmed
        low = max(0, here - BEHIND_WORDS)
        likely = round(here + self.pace * self._voiced_s + SLACK_WORDS) if here >= 0 \
            else NEAR_WORDS
        for high, strong_beyond in ((likely + NEAR_WORDS, False), (here + 1 + AHEAD_WORDS, True)):
            found = _align(heard, self.track.words, low, min(len(self.track.words), high))
            if found is None:
                continue
            index, matched = found
            needed = NEAR_MATCHES if here < index <= here + NEAR_WORDS else MIN_MATCHES
            if index < here - LEAD_WORDS or (strong_beyond and index > likely):
                needed = JUMP_MATCHES  # back, or further than the reader's pace allows
            if matched >= needed:
                return found
        return self._far(heard)

    def _far(self, heard: list[str]) -> tuple[int, int] | None:
        """Anywhere in the track, on strong evidence only (the reader jumped)."""
        found = _align(heard, self.track.words, 0, len(self.track.words))
        if found is None or found[1] < FAR_MATCHES:
            return None
        return found


def echoes(heard: list[str], prompt: str) -> bool:
    """``heard`` (words) is mostly Whisper's previous-text prompt written out again: with
    little speech in the window (a command, a pause) Whisper may repeat it, and the place
    must not go back to it ("It's important to get an accurate diagnosis" when "Stop." was
    said after the next sentences)."""
    said = tuple(words_of(prompt))
    found = _align(heard, said, 0, len(said))
    return found is not None and found[1] >= max(ECHO_WORDS, 0.6 * len(heard))


@lru_cache(maxsize=65_536)
def similar(a: str, b: str) -> bool:
    """Heard word ``a`` is text word ``b``, or near enough (kept for the next window, which
    hears most of the same words again; bounded)."""
    if a == b:
        return True
    if a.isdigit() or b.isdigit() or min(len(a), len(b)) < 3:
        return False
    if abs(len(a) - len(b)) > max(len(a), len(b)) // 2:
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= SIMILAR


def _align(heard: list[str], words: tuple[str, ...], low: int,
           high: int) -> tuple[int, int] | None:
    """Local alignment of ``heard`` with ``words[low:high]`` that ends at the latest heard
    words: (index in ``words`` of the last matched word, words matched), or None."""
    if low >= high or not heard:
        return None
    span = words[low:high]
    rows, cols = len(heard), len(span)
    score = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    matches = [[0] * (cols + 1) for _ in range(rows + 1)]
    best: tuple[float, int, int, int] | None = None  # (score, matched, -heard end, text end)
    for i in range(1, rows + 1):
        said = heard[i - 1]
        for j in range(1, cols + 1):
            hit = similar(said, span[j - 1])
            diagonal = score[i - 1][j - 1] + (MATCH if hit else MISMATCH)
            up = score[i - 1][j] + GAP
            left = score[i][j - 1] + GAP
            value = max(0.0, diagonal, up, left)
            score[i][j] = value
            if value == 0.0:
                continue
            if value == diagonal:
                matches[i][j] = matches[i - 1][j - 1] + hit
            elif value == up:
                matches[i][j] = matches[i - 1][j]
            else:
                matches[i][j] = matches[i][j - 1]
            if hit and i > rows - TAIL_WORDS:
                # the end of the alignment, among the newest heard words: the best score,
                # then the latest heard word, then the earliest place in the text (a
                # phrase that occurs twice)
                key = (value, matches[i][j], i, -j)
                if best is None or key > (best[0], best[1], -best[2], -best[3]):
                    best = (value, matches[i][j], -i, j)
    if best is None:
        return None
    _value, matched, _heard_end, text_end = best
    return low + text_end - 1, matched
