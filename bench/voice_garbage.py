"""An experiment for bench/voice.py (``--garbage WEIGHT``): PocketSphinx with a garbage
model in the grammar, to measure what it would do before anyone changes the engine.

The grammar gains one more alternative beside the command phrases: any sequence of phones
(a phone loop, one pseudo-word per phone of the acoustic model), with a small prior weight.
Speech that is not a command is then decoded as phones rather than being forced onto the
closest phrase, and the engine answers ``[unk]`` as the Engine interface asks of a garbage
model. The weight sets the trade-off: higher rejects more. Nothing in kiosk/ uses this.
"""

from __future__ import annotations

from kiosk.voice.engine import UNKNOWN, Hypothesis
from kiosk.voice.pronounce import PHONES
from kiosk.voice.sphinx_engine import SphinxEngine

JUNK = "zzjunk"
"""Prefix of the phone pseudo-words (zzjunkaa, zzjunkae, ...)."""


class GarbageSphinxEngine(SphinxEngine):
    """SphinxEngine whose grammar also allows a phone loop, reported as ``[unk]``."""

    def __init__(self, weight: float = 1e-3) -> None:
        super().__init__()
        self.weight = weight
        self.add_junk()

    def add_junk(self) -> None:
        """Add the phone pseudo-words (again after the decoder is replaced)."""
        for phone in sorted(PHONES):
            self._decoder.add_word(f"{JUNK}{phone.lower()}", phone, False)

    def set_phrases(self, phrases: list[str], garbage: bool = True) -> None:
        if not garbage:
            super().set_phrases(phrases, garbage)
            return
        kept = [p for p in dict.fromkeys(phrases) if p and all(map(self.knows, p.split()))]
        self.dropped = [p for p in phrases if p not in kept]
        self.phrases = kept
        key = ("garbage", self.weight, *kept)
        name = self._searches.get(key)
        if name is None:
            name = f"g{len(self._searches)}"
            junk = " | ".join(f"{JUNK}{p.lower()}" for p in sorted(PHONES))
            body = " | ".join(kept) if kept else "<VOID>"
            self._decoder.add_jsgf_string(
                name, f"#JSGF V1.0;\ngrammar {name};\n"
                      f"public <phrase> = /1/ ({body}) | /{self.weight}/ <junk>;\n"
                      f"<junk> = ({junk})+;\n")
            self._searches[key] = name
        self._decoder.activate_search(name)

    def finish(self) -> Hypothesis:
        hypothesis = super().finish()
        if any(word.startswith(JUNK) for word in hypothesis.words):
            return Hypothesis(UNKNOWN, None, 0.0, (UNKNOWN,), None)
        return hypothesis
