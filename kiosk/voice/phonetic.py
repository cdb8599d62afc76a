"""Phrases compared by sound, for section titles that Whisper writes as other words (no Kivy).

Whisper tiny.en writes a drug name it does not know as ordinary words ("open riluzole" ->
"Open really solid."), and its forced score of the real spelling is hopeless. Said as
phones, though, the two are close. :class:`SoundIndex` turns a text into ARPAbet phones
(espeak-ng's, through :class:`~kiosk.voice.pronounce.Pronouncer` without the CMU
dictionary, which would add 36 MB; both sides then come from the same source)
and :func:`distance` compares two of them: half the normalised edit distance of the
phones, half that of coarse sound classes (all vowels alike, voiced and voiceless pairs
alike), so "lose all" is near "luzole" but "could you pass me the water" is far from every
title (notes-voice.md has the measurements).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from kiosk.voice.pronounce import Pronouncer

_VOWELS = "AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split()
_CLASSES = {**dict.fromkeys(_VOWELS, "V"), "P": "P", "B": "P", "T": "T", "D": "T", "K": "K",
            "G": "K", "F": "F", "V": "F", "TH": "F", "DH": "F", "S": "S", "Z": "S", "SH": "S",
            "ZH": "S", "CH": "C", "JH": "C", "M": "N", "N": "N", "NG": "N", "L": "L", "R": "R",
            "W": "W", "Y": "Y", "HH": "H"}
_LETTERS = {phone: chr(0x100 + n) for n, phone in enumerate(sorted(_CLASSES))}


@dataclass(frozen=True)
class Sound:
    """A text as sounds: one character per phone, and one per coarse class of phone."""

    phones: str
    classes: str

    def __len__(self) -> int:
        return len(self.phones)


def distance(a: Sound, b: Sound) -> float:
    """0 (same sounds) to 1: the mean of the normalised edit distances of the phones and of
    their classes."""
    from rapidfuzz.distance import Levenshtein

    return 0.5 * (Levenshtein.normalized_distance(a.phones, b.phones)
                  + Levenshtein.normalized_distance(a.classes, b.classes))


class SoundIndex:
    """Sounds of texts (grammar words), cached per phrase: a screen's phrases cost one
    espeak-ng run for the words the dictionary lacks, once per process."""

    def __init__(self, pronouncer: Pronouncer | None = None) -> None:
        self.pronouncer = pronouncer or Pronouncer(os.devnull)
        self._sounds: dict[str, Sound] = {}

    def __len__(self) -> int:
        """How many texts' sounds are kept."""
        return len(self._sounds)

    def sound(self, text: str) -> Sound:
        """``text``'s sounds (its words' first pronunciations; words with none are left
        out)."""
        found = self._sounds.get(text)
        if found is None:
            self.prepare([text])
            found = self._sounds[text]
        return found

    def prepare(self, texts) -> None:
        """Work out the sounds of many texts with one espeak-ng run."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._sounds]
        if not todo:
            return
        known = self.pronouncer.pronounce_all({w for t in todo for w in t.split()})
        for text in todo:
            phones = [p for w in text.split() for p in (known.get(w) or [""])[0].split()]
            self._sounds[text] = Sound("".join(_LETTERS[p] for p in phones),
                                       "".join(_CLASSES[p] for p in phones))

    def nearest(self, heard: str, phrases, min_phones: int = 0) -> list[tuple[float, str]]:
        """(distance, phrase) for the phrases of at least ``min_phones`` phones, nearest
        first."""
        key = self.sound(heard)
        if not len(key):
            return []
        self.prepare(phrases)
        return sorted((distance(key, self._sounds[p]), p) for p in phrases
                      if len(self._sounds[p]) >= min_phones)
