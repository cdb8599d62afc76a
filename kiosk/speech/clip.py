"""Synthesised speech held in memory: PCM samples plus the time each word starts.

Nothing here is ever written to disk by the kiosk itself (only `kiosk speak` exports,
on request); clips live for one sentence and the one after it.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable
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


class Cancelled(RuntimeError):
    """A synthesis stopped because it was no longer wanted (see :class:`Cancel`)."""


class Cancel:
    """Lets one thread stop another's synthesis: the narrator's look-ahead sentence, when the
    reader moves elsewhere first, so the sentence they asked for is not kept waiting."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._hooks: list[Callable[[], None]] = []

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            hooks, self._hooks = self._hooks, []
        for hook in hooks:
            hook()

    def on_cancel(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` when cancelled (at once if it already was)."""
        with self._lock:
            if not self._cancelled:
                self._hooks.append(hook)
                return
        hook()
