"""What is read aloud for a section, in order: its heading, then each sentence of its text.

A reading script is built from the document model alone (no Kivy): every utterance knows
which piece of display text it belongs to (so the Reader can highlight it), the sentence's
range in that text, the normalised text sent to the engine, and the pause that follows.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.content import BlockKind, Entry, Text
from kiosk.speech.lexicon import Lexicon
from kiosk.speech.normalise import Spoken, normalise
from kiosk.speech.sentences import split_sentences

HEADING = (-1, -1)
"""The target of the heading utterance (the section title, not a block)."""
PAUSE_AFTER_HEADING_MS = 450
PAUSE_AFTER_ITEM_MS = 350
"""A short pause between list items, so a list does not run together into one sentence."""
PAUSE_AFTER_PARAGRAPH_MS = 200
PARENT_NOTE = "This part has these sections. Choose Next section to read on."
"""What the Reader shows (and says) for a section that only groups subsections."""


@dataclass(frozen=True)
class Utterance:
    """One sentence (or the heading) of a section, as shown and as spoken."""

    index: int
    """Position in the section's script, from 0 (the heading)."""
    target: tuple[int, int]
    """Which display text it is in: HEADING, or (block index, item index; 0 if not a list)."""
    start: int
    """Start of the sentence in the target's plain display text."""
    end: int
    """End of the sentence in the target's plain display text."""
    spoken: Spoken
    """The normalised text sent to the engine, with its map back to the display text."""
    pause_ms: int = 0
    """Silence after the sentence, on top of the engine's own end-of-sentence pause."""

    @property
    def display(self) -> str:
        """The sentence as shown on screen."""
        return self.spoken.display


def target_texts(entry: Entry) -> dict[tuple[int, int], Text]:
    """Every piece of display text of a section, keyed like ``Utterance.target``."""
    texts: dict[tuple[int, int], Text] = {HEADING: Text(entry.section.title)}
    for b, block in enumerate(entry.section.blocks):
        if block.kind is BlockKind.LIST:
            for i, item in enumerate(block.items):
                texts[(b, i)] = item
        elif block.text is not None:
            texts[(b, 0)] = block.text
    if not entry.section.blocks and entry.section.sections:
        texts[(0, 0)] = Text(PARENT_NOTE)
    return texts


def build_script(entry: Entry, lexicon: Lexicon) -> tuple[Utterance, ...]:
    """The heading, then every sentence of the section's own text, in reading order."""
    utterances: list[Utterance] = []

    def add(target: tuple[int, int], text: str, pause_ms: int) -> None:
        ranges = split_sentences(text)
        for n, (start, end) in enumerate(ranges):
            spoken = normalise(text[start:end], lexicon)
            if not spoken.text.strip():
                continue
            last = n == len(ranges) - 1
            utterances.append(
                Utterance(len(utterances), target, start, end, spoken, pause_ms if last else 0)
            )

    blocks = entry.section.blocks
    for target, text in target_texts(entry).items():
        if target == HEADING:
            pause = PAUSE_AFTER_HEADING_MS
        elif target[0] < len(blocks) and blocks[target[0]].kind is BlockKind.LIST:
            pause = PAUSE_AFTER_ITEM_MS
        else:
            pause = PAUSE_AFTER_PARAGRAPH_MS
        add(target, text.full, pause)
    return tuple(utterances)


def first_in_target(script: tuple[Utterance, ...], target: tuple[int, int]) -> int:
    """Index of the first utterance in ``target`` (0 if the target has none)."""
    return next((u.index for u in script if u.target == target), 0)
