"""Measuring speech audio in tests: loudness per frame, speech onsets, silence."""

from __future__ import annotations

import math
import threading
import time
from array import array
from collections.abc import Callable

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


class FakeClock:
    """Steady time that moves only when a test says so, for the player and its clock sinks.

    Call it for the time. A sink's worker sleeps in :meth:`wait`; :meth:`advance` moves the
    time on in small steps and, after each, waits until every sleeping worker has woken,
    pulled what was due and gone back to sleep, so a test sees what a person would have heard
    after that long, without waiting for it.
    """

    STEP_S = 0.005
    """How far one step moves the time: well under a block (23 ms), so none is skipped."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._changed = threading.Condition()
        self._sleepers: dict[threading.Thread, float] = {}
        """Each thread that has slept on this clock, and when it wakes (None while awake)."""

    def __call__(self) -> float:
        return self._now

    def wait(self, stop: threading.Event, seconds: float) -> bool:
        """Sleep until the fake time has moved on by ``seconds`` or ``stop`` is set."""
        me = threading.current_thread()
        with self._changed:
            wake_at = self._now + seconds
            self._sleepers[me] = wake_at
            self._changed.notify_all()
            while self._now < wake_at and not stop.is_set():
                self._changed.wait(0.01)  # a closing sink sets ``stop`` without telling us
            if stop.is_set():
                del self._sleepers[me]
            else:
                self._sleepers[me] = None
            self._changed.notify_all()
        return stop.is_set()

    def advance(self, seconds: float, timeout: float = 5.0) -> None:
        """Move the time on by ``seconds`` and let every sleeper catch up."""
        steps = max(1, math.ceil(seconds / self.STEP_S - 1e-9))
        for _ in range(steps):
            with self._changed:
                self._now += seconds / steps
                self._changed.notify_all()
                give_up = time.monotonic() + timeout
                while not self._caught_up():
                    if time.monotonic() > give_up:
                        raise AssertionError(f"a sink thread did not go back to sleep within "
                                             f"{timeout} s after the fake clock moved on")
                    self._changed.wait(0.005)

    def run_until(self, predicate: Callable[[], bool], what: str, timeout: float = 10.0,
                  ) -> float:
        """Advance the time until ``predicate()`` holds; returns the fake seconds it took.

        Other threads may be doing real work meanwhile (speech synthesis), so the limit is
        ``timeout`` seconds of real time."""
        start = self._now
        give_up = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > give_up:
                raise AssertionError(f"{what} did not happen within {timeout} s")
            self.advance(self.STEP_S)
            time.sleep(0.0005)  # leave the CPU to the threads doing real work
        return self._now - start

    def _caught_up(self) -> bool:
        for thread, wake_at in list(self._sleepers.items()):
            if not thread.is_alive():
                del self._sleepers[thread]
            elif wake_at is None or wake_at <= self._now:
                return False
        return True


class VirtualSpeakers(ClockSink):
    """Stands in for a sound card in tests: keeps, in memory, every block it would play,
    with the time it was pulled, so tests can check what a person would have heard."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(clock=clock)
        self.name = "virtual speakers"
        self.audible = True
        self.blocks: list[tuple[float, bytes]] = []
        self._blocks_lock = threading.Lock()

    def _pull(self, fill) -> bool:
        data = fill(self.block_frames)
        if data is not None:
            with self._blocks_lock:
                self.blocks.append((self._clock(), bytes(data)))
        return True

    def take(self) -> list[tuple[float, bytes]]:
        """The blocks played since the last take."""
        with self._blocks_lock:
            blocks, self.blocks = self.blocks, []
        return blocks

    def last_sound_at(self, threshold: int = 50) -> float | None:
        """When the last block with audible sound was pulled (seconds on the sink's clock)."""
        with self._blocks_lock:
            for at, data in reversed(self.blocks):
                if not is_silent(data, threshold):
                    return at
        return None
