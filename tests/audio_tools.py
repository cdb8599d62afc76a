"""Measuring speech audio in tests: loudness per frame, speech onsets, silence."""

from __future__ import annotations

import math
import threading
import time
from array import array

from kiosk.speech.audio import ClockSink

FRAME_MS = 10


def frame_rms(pcm: bytes, rate: int, frame_ms: int = FRAME_MS) -> list[float]:
    """Root-mean-square level of each ``frame_ms`` slice of 16-bit mono PCM."""
    samples = array("h", pcm[: len(pcm) // 2 * 2])
    step = rate * frame_ms // 1000
    levels = []
    for start in range(0, len(samples), step):
        chunk = samples[start:start + step]
        levels.append(math.sqrt(sum(s * s for s in chunk) / len(chunk)) if chunk else 0.0)
    return levels


def speech_onsets(pcm: bytes, rate: int, min_gap_ms: int = 60, threshold: float = 300.0,
                  ) -> list[int]:
    """Milliseconds where speech starts after at least ``min_gap_ms`` of near-silence."""
    onsets: list[int] = []
    frame_ms = 1000 * (rate * FRAME_MS // 1000) / rate  # 9.98 ms at 22,050 Hz
    quiet = min_gap_ms  # the very start counts as after silence
    for n, level in enumerate(frame_rms(pcm, rate)):
        if level < threshold:
            quiet += frame_ms
            continue
        if quiet >= min_gap_ms:
            onsets.append(round(n * frame_ms))
        quiet = 0
    return onsets


def is_silent(pcm: bytes, threshold: int = 50) -> bool:
    """True when no sample of 16-bit PCM is louder than ``threshold``."""
    samples = array("h", pcm[: len(pcm) // 2 * 2])
    return not samples or max(abs(s) for s in samples) <= threshold


class VirtualSpeakers(ClockSink):
    """Stands in for a sound card in tests: keeps, in memory, every block it would play,
    with the time it was pulled, so tests can check what a person would have heard."""

    def __init__(self) -> None:
        super().__init__()
        self.name = "virtual speakers"
        self.audible = True
        self.blocks: list[tuple[float, bytes]] = []
        self._blocks_lock = threading.Lock()

    def _pull(self, fill) -> bool:
        data = fill(self.block_frames)
        if data is not None:
            with self._blocks_lock:
                self.blocks.append((time.monotonic(), bytes(data)))
        return True

    def take(self) -> list[tuple[float, bytes]]:
        """The blocks played since the last take."""
        with self._blocks_lock:
            blocks, self.blocks = self.blocks, []
        return blocks

    def last_sound_at(self, threshold: int = 50) -> float | None:
        """When the last block with audible sound was pulled (monotonic seconds)."""
        with self._blocks_lock:
            for at, data in reversed(self.blocks):
                if not is_silent(data, threshold):
                    return at
        return None
