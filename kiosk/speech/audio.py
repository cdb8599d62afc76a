"""Where the speech goes: a sound device, or a clock that keeps reading pace without one.

Every output is a :class:`Sink`. A sink pulls fixed-size blocks of audio from a ``fill``
function on its own thread, at the pace the sound would be heard. The kiosk always gets a
sink from :func:`open_output`: when there is no speaker (or no PortAudio library, or the
device will not open) it gets a silent :class:`ClockSink` instead, so the text is still
highlighted word by word at reading pace, and a plain-words reason to show on the screen.
"""

from __future__ import annotations

import logging
import threading
import time
import wave
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from kiosk.speech.clip import BYTES_PER_FRAME, SAMPLE_RATE

log = logging.getLogger(__name__)

Fill = Callable[[int], bytes | memoryview | None]
"""Called by the sink from its own thread with a frame count; returns exactly frames*2 bytes of
int16 mono audio (``bytes`` or a ``memoryview`` of bytes), or None when nothing is playing
(a device then outputs silence; a file sink records nothing)."""

BLOCK_FRAMES = 512
"""Frames per block: 23 ms at 22,050 Hz, so pause and stop take effect within 23 ms."""

STILL_HIGHLIGHTED = "The text is still highlighted at reading pace."
NO_DEVICE = f"Sound is unavailable: no speaker or headphones were found. {STILL_HIGHLIGHTED}"
NO_LIBRARY = (
    "Sound is unavailable: the sound library (PortAudio) is not installed. "
    f"{STILL_HIGHLIGHTED}"
)
NO_WORKING_DEVICE = (
    f"Sound is unavailable: the speaker or headphones would not start. {STILL_HIGHLIGHTED}"
)
SOUND_OFF = f"Sound is switched off in the settings. {STILL_HIGHLIGHTED}"

# How far behind its schedule a ClockSink may fall (a stall, a suspended machine) before it
# starts again from now instead of rushing through the missed blocks.
_MAX_LAG_S = 0.25


class Sink(ABC):
    """An audio output that pulls blocks from a :data:`Fill` function on its own thread."""

    name: str = ""
    """Plain words for people, e.g. "speakers (HDA Intel)" or "no sound device (silent)"."""
    audible: bool = False
    """True only when a real device plays the sound."""
    latency_ms: float = 0.0
    """Time from ``fill`` returning to the sound being heard: output latency plus one block."""
    rate: int = SAMPLE_RATE
    """Frames per second of the audio the sink pulls."""
    speed: float = 1.0
    """Seconds of audio pulled per second of wall time: 1.0 except for fast test sinks."""
    failed: str | None = None
    """Why the sink stopped working, in plain words, or None while it works."""
    detail: str = ""
    """What the sound library said when the device would not open, start or keep going: for
    staff (the log, kiosk doctor), never shown to visitors."""

    @abstractmethod
    def start(self, fill: Fill) -> None:
        """Begin pulling blocks from ``fill`` on the sink's own thread."""

    @abstractmethod
    def close(self) -> None:
        """Stop pulling and release the device or file; idempotent; returns promptly."""


class ClockSink(Sink):
    """A sink without a device: a worker thread pulls blocks paced by a steady clock.

    With ``path`` it is a *file sink*: every block ``fill`` returned (not the None gaps) is
    appended to a 16-bit mono WAV file. Without it, it is the *null sink*: audio is discarded.
    ``speed`` above 1 runs faster than real time, for tests and benchmarks.

    ``clock`` gives the time in seconds (default ``time.monotonic``). A test's fake clock also
    has ``wait(stop, seconds)``, which returns once the fake time has moved on by ``seconds``
    or ``stop`` is set; the worker sleeps in it instead of in real time.
    """

    def __init__(
        self,
        rate: int = SAMPLE_RATE,
        path: Path | None = None,
        speed: float = 1.0,
        block_frames: int = BLOCK_FRAMES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0 or block_frames <= 0:
            raise ValueError("speed and block_frames must be positive")
        self.rate = rate
        self.speed = speed
        self.block_frames = block_frames
        self.path = path
        self.name = f"file {path.name}" if path is not None else "no sound device (silent)"
        self.audible = False
        self.latency_ms = 1000.0 * block_frames / rate / speed
        self.frames_written = 0
        """Frames ``fill`` returned as audio (written to the file, or discarded)."""
        self._wav = _open_wav(path, rate) if path is not None else None
        self._file_lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._clock = clock
        self._wait: Callable[[threading.Event, float], object] = getattr(
            clock, "wait", threading.Event.wait
        )

    def start(self, fill: Fill) -> None:
        """Start the worker thread that pulls one block every block's worth of time."""
        if self._thread is not None or self._stopping.is_set():
            raise RuntimeError("a ClockSink can be started only once")
        self._thread = threading.Thread(
            target=self._run, args=(fill,), name=f"ClockSink {self.name}", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop the worker and finish the WAV file. Safe to call more than once."""
        self._stopping.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=0.5)
        with self._file_lock:
            if self._wav is not None:
                self._wav.close()
                self._wav = None

    def _run(self, fill: Fill) -> None:
        period = self.block_frames / self.rate / self.speed
        clock = self._clock
        due = clock()
        while not self._stopping.is_set():
            if not self._pull(fill):
                return
            # Schedule by absolute time so sleep overshoot never accumulates into drift.
            due += period
            delay = due - clock()
            if delay > 0:
                self._wait(self._stopping, delay)
            elif delay < -_MAX_LAG_S:
                due = clock()

    def _pull(self, fill: Fill) -> bool:
        """Pull and keep one block; False when ``fill`` failed and the sink has stopped."""
        try:
            data = fill(self.block_frames)
        except Exception:
            log.exception("the audio source failed; %s stops pulling audio", self.name)
            self.failed = "The speech player stopped working."
            return False
        if data is None:
            return True
        with self._file_lock:
            if self._wav is not None:
                self._wav.writeframes(data)
        self.frames_written += len(data) // BYTES_PER_FRAME
        return True


def _open_wav(path: Path, rate: int) -> wave.Wave_write:
    wav = wave.open(str(path), "wb")
    wav.setnchannels(1)
    wav.setsampwidth(BYTES_PER_FRAME)
    wav.setframerate(rate)
    return wav


class DeviceSink(Sink):
    """A real sound device, through a PortAudio stream whose callback pulls from ``fill``.

    Opening raises ``sounddevice.PortAudioError`` (or ValueError) when the device cannot be
    used; :func:`open_output` turns that into a silent sink and a reason. If the stream dies
    later, ``failed`` says why and a silent clock takes over pulling, so reading continues.
    """

    def __init__(
        self, rate: int = SAMPLE_RATE, device: int | str | None = None, sd: ModuleType | None = None
    ) -> None:
        self._sd = sd if sd is not None else load_sounddevice()
        info = self._sd.query_devices(device, kind="output")
        self.rate = rate
        self.name = f"speakers ({info['name']})"
        self.audible = True
        self._fill: Fill | None = None
        self._silence = bytes(BLOCK_FRAMES * BYTES_PER_FRAME)
        self._closing = False
        self._fallback: ClockSink | None = None
        self._fallback_lock = threading.Lock()
        self._callback_thread: int | None = None
        self.underflows = 0
        """Blocks the device ran out of audio for (heard as a click); counted, not fatal."""
        self._stream = self._sd.RawOutputStream(
            samplerate=rate,
            channels=1,
            dtype="int16",
            blocksize=BLOCK_FRAMES,
            latency="low",
            device=device,
            callback=self._callback,
            finished_callback=self._finished,
        )
        self.latency_ms = 1000.0 * (self._stream.latency + BLOCK_FRAMES / rate)

    def start(self, fill: Fill) -> None:
        """Start the stream; PortAudio then calls ``fill`` from its audio thread."""
        self._fill = fill
        try:
            self._stream.start()
        except self._sd.PortAudioError as error:
            self._fail("The speaker could not be started.", str(error))

    def close(self) -> None:
        """Abort the stream (no waiting for queued sound) and release the device."""
        with self._fallback_lock:
            if self._closing:
                return
            self._closing = True
            fallback = self._fallback
        if fallback is not None:
            fallback.close()
        if threading.get_ident() == self._callback_thread:
            # PortAudio waits for the callback to return before aborting: do it elsewhere.
            threading.Thread(target=self._release, daemon=True).start()
        else:
            self._release()

    def _release(self) -> None:
        try:
            self._stream.abort()
            self._stream.close()
        except self._sd.PortAudioError as error:
            log.warning("closing the sound device failed: %s", error)

    def _callback(self, outdata, frames: int, _time, status) -> None:
        self._callback_thread = threading.get_ident()
        if status.output_underflow:
            self.underflows += 1
        try:
            data = self._fill(frames) if self._fill is not None else None
        except Exception:
            log.exception("the audio source failed; the sound device stops")
            self.failed = "The speech player stopped working."
            outdata[:] = bytes(len(outdata))
            raise self._sd.CallbackAbort from None
        if data is None:
            silence = self._silence
            outdata[:] = silence if len(silence) == len(outdata) else bytes(len(outdata))
        else:
            outdata[:] = data

    def _finished(self) -> None:
        """PortAudio's stream ended: expected on close, otherwise the device went away."""
        if not self._closing and self.failed is None:
            self._fail("The sound device stopped working.")

    def _fail(self, reason: str, detail: str = "") -> None:
        """Record why (``reason`` in plain words, ``detail`` for staff), and keep pulling
        silently at real time so reading goes on. The caller that watches ``failed`` logs
        it (once per fault, however often the device is tried again)."""
        log.debug("%s: %s %s", self.name, reason, detail)
        self.detail = f"{self.name}: {detail or reason}"
        self.failed = reason
        self.audible = False
        with self._fallback_lock:
            if self._fill is None or self._closing or self._fallback is not None:
                return
            self._fallback = ClockSink(self.rate)
            self.latency_ms = self._fallback.latency_ms
            self._fallback.start(self._fill)


def load_sounddevice() -> ModuleType:
    """Import sounddevice; raises ImportError, or OSError when PortAudio is missing."""
    import sounddevice

    return sounddevice


def open_output(
    kind: str = "auto", path: Path | None = None, rate: int = SAMPLE_RATE
) -> tuple[Sink, str | None]:
    """Open the audio output and say, in plain words, why there is no sound if there is none.

    ``kind`` is "auto" or "device" (a real device if one works, else the null sink), "null"
    (always silent) or "file" (a WAV file at ``path``). Returns the sink and a short reason
    for the screen, or None when the sound is heard. Never raises because a device or the
    PortAudio library is missing or broken.
    """
    if kind == "null":
        return ClockSink(rate), SOUND_OFF
    if kind == "file":
        if path is None:
            raise ValueError('open_output("file") needs a path')
        return ClockSink(rate, path=path), f"Sound is being saved to the file {path.name}."
    if kind not in ("auto", "device"):
        raise ValueError(f"unknown audio output {kind!r}: use auto, device, null or file")
    return _open_device(rate)


def _open_device(rate: int) -> tuple[Sink, str | None]:
    try:
        sd = load_sounddevice()
    except (ImportError, OSError) as error:
        return _silent(rate, f"the sound library could not be loaded: {error}"), NO_LIBRARY
    outputs = _output_devices(sd)
    # The default output first; when there is none (or it fails), the first few others.
    # Not logged here: the kiosk tries again every few seconds, and its FaultLog logs the
    # detail once when sound goes and once when it comes back.
    errors = []
    for device in [None, *outputs[:3]]:
        try:
            return DeviceSink(rate, device=device, sd=sd), None
        except (sd.PortAudioError, ValueError, OSError) as error:
            errors.append(f"no sound from output {'default' if device is None else device}: "
                          f"{error}")
            log.debug(errors[-1])
    detail = "; ".join(errors)
    if not outputs:
        return _silent(rate, detail), NO_DEVICE
    return _silent(rate, detail), NO_WORKING_DEVICE


def _silent(rate: int, detail: str) -> ClockSink:
    """The null sink, carrying why no device would play (for the log and kiosk doctor)."""
    sink = ClockSink(rate)
    sink.detail = detail
    return sink


def _output_devices(sd: ModuleType) -> list[int]:
    """Indexes of the devices that can play sound."""
    try:
        devices = sd.query_devices()
    except (sd.PortAudioError, OSError):
        return []
    return [index for index, device in enumerate(devices) if device["max_output_channels"] > 0]
