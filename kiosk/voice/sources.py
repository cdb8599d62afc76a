"""Where the listener's audio comes from: the microphone, or WAV files played as if they
were the microphone (``--mic-file``, for demonstrations and tests). No Kivy here.

Both hand out 30 ms frames of 16 kHz mono 16-bit PCM through one callback on their own
thread, so everything after them is the same code. Nothing is ever written to disk.
"""

from __future__ import annotations

import threading
import time
import wave
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from kiosk.voice.endpoint import FRAME_BYTES, FRAME_MS, FRAME_SAMPLES
from kiosk.voice.engine import SAMPLE_RATE

Sink = Callable[[bytes], None]


class MicError(Exception):
    """The microphone could not be opened; the message says what to do."""


def resample(samples: np.ndarray, rate: int, to: int = SAMPLE_RATE) -> np.ndarray:
    """Change the sample rate of float samples (windowed-sinc low-pass, then interpolation)."""
    if rate == to or samples.size == 0:
        return samples
    if to < rate:
        cutoff = 0.45 * to / rate
        taps = np.arange(-32, 33)
        kernel = 2 * cutoff * np.sinc(2 * cutoff * taps) * np.hamming(taps.size)
        samples = np.convolve(samples, kernel / kernel.sum(), mode="same")
    positions = np.arange(0, samples.size * to / rate) * rate / to
    return np.interp(positions, np.arange(samples.size), samples)


def read_wav(path: Path) -> bytes:
    """A WAV file as 16 kHz mono 16-bit PCM; ValueError says what is wrong with it."""
    try:
        with wave.open(str(path), "rb") as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            raw = wav.readframes(wav.getnframes())
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except (wave.Error, EOFError, OSError) as error:
        raise ValueError(f"{path}: not a readable WAV file ({error})") from None
    if width != 2:
        raise ValueError(f"{path}: the WAV must be 16-bit PCM (it is {8 * width}-bit); "
                         "convert it with: sox IN.wav -b 16 OUT.wav")
    samples = np.frombuffer(raw, dtype=np.int16).astype(np.float64)
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    samples = resample(samples, rate)
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16).tobytes()


class FileMic:
    """WAV files played into the listener as a microphone would, one 30 ms frame at a time.

    ``speed`` 1.0 is real time; higher plays faster (tests), 0 as fast as the listener takes
    frames. Files are separated by ``gap_s`` of silence, and silence follows the last one
    until the source is stopped; ``finished`` is set once every file has been played and
    followed by its gap."""

    name = "file"

    def __init__(self, paths: Sequence[Path], speed: float = 1.0, gap_s: float = 1.0,
                 lead_s: float = 0.5) -> None:
        self.paths = [Path(p) for p in paths]
        self.speed = speed
        self.gap_s = gap_s
        self.lead_s = lead_s
        self.finished = threading.Event()
        self.playing: Path | None = None
        """The file being played now (for tests and demos)."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._queue: list[tuple[Path | None, bytes]] = []
        self._lock = threading.Lock()

    def play(self, path: Path) -> None:
        """Queue one more file (tests say commands one after another)."""
        with self._lock:
            self._queue.append((path, read_wav(path)))
            self._queue.append((None, bytes(int(self.gap_s * SAMPLE_RATE) * 2)))
            self.finished.clear()

    def start(self, sink: Sink) -> None:
        """Begin handing frames to ``sink`` on a background thread (again after ``stop``:
        files queued and not yet played are played then)."""
        if self._thread is None:
            self._queue.append((None, bytes(int(self.lead_s * SAMPLE_RATE) * 2)))
            for path in self.paths:
                self.play(path)
        elif self._thread.is_alive():
            raise RuntimeError("this FileMic is already playing")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(sink,), name="file-mic",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _run(self, sink: Sink) -> None:
        silence = bytes(FRAME_BYTES)
        pending = b""
        began = time.monotonic()
        sent = 0
        while not self._stop.is_set():
            if len(pending) < FRAME_BYTES:
                with self._lock:
                    if self._queue:
                        self.playing, pcm = self._queue.pop(0)
                        pending += pcm
                    else:
                        self.playing = None
                        self.finished.set()
            frame = pending[:FRAME_BYTES] if pending else silence
            frame = frame.ljust(FRAME_BYTES, b"\0")
            pending = pending[FRAME_BYTES:]
            if self.speed > 0:
                due = began + sent * FRAME_MS / 1000 / self.speed
                delay = due - time.monotonic()
                if delay > 0:
                    self._stop.wait(delay)
            sink(frame)
            sent += 1


class DeviceMic:
    """The default (or a named) microphone through sounddevice / PortAudio."""

    name = "microphone"

    def __init__(self, device: str | int | None = None) -> None:
        self.device = device
        self._stream = None

    def start(self, sink: Sink) -> None:
        try:
            import sounddevice
        except OSError as error:  # PortAudio library missing
            raise MicError(f"Sound input is not available ({error}). Install libportaudio2."
                           ) from error

        def callback(data, _frames, _time, _status) -> None:
            sink(bytes(data))

        try:
            self._stream = sounddevice.RawInputStream(
                samplerate=SAMPLE_RATE, blocksize=FRAME_SAMPLES, channels=1, dtype="int16",
                device=self.device, callback=callback)
            self._stream.start()
        except Exception as error:  # noqa: BLE001 - PortAudio raises many kinds
            self._stream = None
            raise MicError(f"No microphone could be opened ({error}). Plug in a microphone, "
                           "or use touch, keys or a switch.") from error

    def stop(self) -> None:
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except Exception:  # noqa: BLE001 - closing a vanished device
                pass
            self._stream = None
