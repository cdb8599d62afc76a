"""Synthesised speech held in memory: PCM samples plus the time each word starts.

Nothing here is ever written to disk by the kiosk itself (only `kiosk speak` exports,
on request); clips live for one sentence and the one after it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

SAMPLE_RATE = 22050
"""espeak-ng's output rate: 16-bit signed little-endian mono at 22,050 Hz."""
BYTES_PER_FRAME = 2


@dataclass(frozen=True)
class WordTiming:
    """One spoken word: when it starts in the clip and where it is in the spoken text."""

    start_ms: int
    """Milliseconds from the start of the clip's audio."""
    start: int
    """Character offset of the word in the text sent to the engine."""
    end: int
    """Character offset just after the word."""


@dataclass(frozen=True)
class Clip:
    """One utterance (usually a sentence) of synthesised speech."""

    pcm: bytes
    """16-bit signed little-endian mono samples at ``rate``."""
    rate: int = SAMPLE_RATE
    words: tuple[WordTiming, ...] = ()
    """Word start times in order."""

    @property
    def frames(self) -> int:
        return len(self.pcm) // BYTES_PER_FRAME

    @property
    def duration_ms(self) -> float:
        return 1000.0 * self.frames / self.rate

    def word_at(self, position_ms: float) -> int | None:
        """Index of the word being spoken at ``position_ms``, or None before the first."""
        starts = [w.start_ms for w in self.words]
        index = bisect_right(starts, position_ms) - 1
        return index if index >= 0 else None
