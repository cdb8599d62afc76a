"""Plays one speech clip at a time and says which moment of it is being heard right now.

The :class:`Player` feeds a :class:`~kiosk.speech.audio.Sink` block by block from the sink's
own thread. Play, pause, resume and stop may be called from any thread and take effect from
the next block (23 ms), never waiting for the device. ``position_ms`` accounts for the
sink's latency, so the word it points at is the word being heard, not the one being sent.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from array import array
from collections.abc import Callable

from kiosk.speech.audio import Sink
from kiosk.speech.clip import BYTES_PER_FRAME, Clip

log = logging.getLogger(__name__)

IDLE = "idle"
PLAYING = "playing"
PAUSED = "paused"

_UNITY = 1 << 15
"""Gain 1.0 in fixed point: a sample is scaled as (sample * gain) >> 15."""


class Player:
    """Plays clips through one sink; thread-safe; see the module docstring."""

    def __init__(self, sink: Sink, clock: Callable[[], float] = time.monotonic) -> None:
        """Start ``sink`` pulling from this player (silence until :meth:`play`).

        ``clock`` (seconds, steady) moves the position on between blocks; it must be the
        clock that paces the sink, so tests give both the same fake clock.
        """
        self._sink = sink
        self._clock = clock
        self._lock = threading.Lock()
        self._state = IDLE
        self._clip: Clip | None = None
        self._pcm = memoryview(b"")
        self._cursor = 0
        """Bytes of the clip handed to the sink."""
        self._handed = 0
        """Frames handed to the sink while playing this clip: audio, end padding and silence."""
        self._anchor: float | None = None
        """The clock's time when the last block was handed while playing."""
        self._floor = 0.0
        """Frames: the position never goes below this (set on resume)."""
        self._on_finished: Callable[[], None] | None = None
        self._volume = 1.0
        self._gain = _UNITY
        self._closed = False
        sink.start(self._fill)

    # Controls -----------------------------------------------------------------------------

    def play(self, clip: Clip, on_finished: Callable[[], None] | None = None) -> None:
        """Play ``clip`` from its start, replacing any current clip (whose callback is dropped).

        ``on_finished`` is called once, from the sink's thread, when the whole clip has been
        heard; it is not called if the clip is stopped or replaced.
        """
        if clip.rate != self._sink.rate:
            raise ValueError(f"clip is {clip.rate} Hz but the output plays {self._sink.rate} Hz")
        with self._lock:
            self._clip = clip
            self._pcm = memoryview(clip.pcm)[: clip.frames * BYTES_PER_FRAME]
            self._cursor = 0
            self._handed = 0
            self._anchor = None
            self._floor = 0.0
            self._on_finished = on_finished
            self._state = PLAYING

    def pause(self) -> None:
        """Silence from the next block; the position is kept for :meth:`resume`."""
        with self._lock:
            if self._state == PLAYING:
                self._state = PAUSED

    def resume(self) -> None:
        """Continue a paused clip from where it was paused."""
        with self._lock:
            if self._state == PAUSED:
                self._floor = self._heard_frames(self._clock())
                self._state = PLAYING

    def stop(self) -> None:
        """Silence from the next block and drop the clip; its on_finished is not called."""
        with self._lock:
            self._state = IDLE
            self._clip = None
            self._pcm = memoryview(b"")
            self._on_finished = None

    def use_sink(self, sink: Sink) -> None:
        """Play through another output from the next block (a device came back, or went):
        the old one is released, the clip and its place are kept."""
        old = self._sink
        old.close()
        with self._lock:
            self._sink = sink
        sink.start(self._fill)

    def close(self) -> None:
        """Stop and release the sink. Safe to call more than once."""
        self.stop()
        if not self._closed:
            self._closed = True
            self._sink.close()

    # State --------------------------------------------------------------------------------

    @property
    def volume(self) -> float:
        """Loudness from 0.0 to 1.0 (values outside are clamped); applies from the next block."""
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        value = min(1.0, float(value)) if value >= 0 else 0.0  # NaN counts as silent
        with self._lock:
            self._volume = value
            self._gain = round(value * _UNITY)

    @property
    def state(self) -> str:
        """"idle", "playing" or "paused"."""
        return self._state

    @property
    def clip(self) -> Clip | None:
        """The clip being played or paused; after it finishes it stays until the next play."""
        return self._clip

    @property
    def sink(self) -> Sink:
        """The output this player feeds."""
        return self._sink

    @property
    def position_ms(self) -> float:
        """Milliseconds into the clip of the sound being heard now (0.0 without a clip).

        Frames handed to the sink minus the sink's latency, moved on smoothly between blocks
        with the clock; never below 0 and never beyond the clip or the audio handed so far.
        """
        with self._lock:
            clip = self._clip
            if clip is None:
                return 0.0
            frames = self._heard_frames(self._clock())
        return 1000.0 * frames / clip.rate

    # The sink's side (its own thread) --------------------------------------------------------

    def _fill(self, frames: int) -> bytes | memoryview | None:
        finished = None
        with self._lock:
            if self._state != PLAYING:
                return None
            data = self._next_block(frames)
            self._handed += frames
            self._anchor = self._clock()
            if self._handed - self._latency_frames() >= self._clip.frames:
                self._state = IDLE
                finished, self._on_finished = self._on_finished, None
        if finished is not None:
            _call(finished)
        return data

    def _next_block(self, frames: int) -> bytes | memoryview | None:
        """The clip's next ``frames`` frames at the current volume, or None past its end."""
        pcm, start = self._pcm, self._cursor
        if start >= len(pcm):
            return None
        size = frames * BYTES_PER_FRAME
        block = pcm[start : start + size]
        self._cursor = start + len(block)
        if len(block) < size:
            block = bytes(block) + bytes(size - len(block))
        return self._apply_gain(block)

    def _apply_gain(self, block: bytes | memoryview) -> bytes | memoryview:
        gain = self._gain
        if gain == _UNITY:
            return block  # zero-copy at full volume
        if gain == 0:
            return bytes(len(block))
        samples = array("h")
        samples.frombytes(block)
        if sys.byteorder == "big":
            samples.byteswap()
        scaled = array("h", [(sample * gain) >> 15 for sample in samples])
        if sys.byteorder == "big":
            scaled.byteswap()
        return scaled.tobytes()

    def _latency_frames(self) -> float:
        sink = self._sink
        return sink.latency_ms / 1000.0 * sink.rate * sink.speed

    def _heard_frames(self, now: float) -> float:
        """Frames of the current clip heard by ``now``; the caller holds the lock."""
        if self._anchor is None:
            heard = 0.0
        else:
            sink = self._sink
            elapsed = (now - self._anchor) * sink.rate * sink.speed
            heard = self._handed - self._latency_frames() + elapsed
            heard = min(heard, self._handed, self._clip.frames)
        return max(heard, self._floor, 0.0)


def _call(callback: Callable[[], None]) -> None:
    """Run a caller's callback without letting its errors stop the audio thread."""
    try:
        callback()
    except Exception:
        log.exception("the on_finished callback failed")
