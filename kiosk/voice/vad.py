"""Is this 30 ms frame speech? The end-pointer's speech detectors (no Kivy here).

Two detectors sit behind :class:`SpeechDetector`:

- :class:`WebrtcDetector` (the default): webrtcvad behind an adaptive noise floor; tiny,
  no model file, and it delivers every word of real people (bench/endpoint.py).
- :class:`SileroDetector`: the Silero VAD network that faster-whisper ships
  (``faster_whisper/assets/silero_vad_v6.onnx``), run by onnxruntime on one thread, 512
  samples (32 ms) at a time, carrying its recurrent state from chunk to chunk so it streams.
  It never starts on background noise alone, but it misses about one short clean word in
  nine ("up", "off"), so it is not the default (docs/notes-voice.md).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Protocol

import numpy as np
import webrtcvad

from kiosk.paths import package_dir
from kiosk.voice.engine import SAMPLE_RATE

log = logging.getLogger(__name__)

DETECTORS = ("silero", "webrtc")
SILERO_CHUNK = 512
"""Samples per step of the Silero network at 16 kHz."""
SILERO_CONTEXT = 64
"""Samples of the previous chunk the network sees in front of each chunk."""


SILERO_THRESHOLD = 0.3
"""Speech probability that starts speech (Silero's own default is 0.5). Chosen on the
development speakers of the real recordings bench/endpoint.py measures on: at 0.5, 19 of
139 clean words never reached it, at 0.3, 4; stretches of noise alone reached 0.3 in 1 of
429 clips."""


class SpeechDetector(Protocol):
    """Decides, frame by frame in stream order, whether a frame is speech."""

    name: str

    def is_speech(self, frame: bytes, level_db: float, floor_db: float) -> bool:
        """``frame``: 16 kHz 16-bit PCM; ``level_db`` its loudness, ``floor_db`` the
        end-pointer's running estimate of the background level (both dBFS)."""
        ...


class WebrtcDetector:
    """webrtcvad, only on frames clearly above the noise floor, so steady noise (a fan, a
    room) does not count as speech."""

    name = "webrtc"

    def __init__(self, aggressiveness: int = 3, margin_db: float = 6.0) -> None:
        self._vad = webrtcvad.Vad(aggressiveness)
        self.margin_db = margin_db

    def is_speech(self, frame: bytes, level_db: float, floor_db: float) -> bool:
        if level_db < floor_db + self.margin_db or level_db < -65:
            return False
        return self._vad.is_speech(frame, SAMPLE_RATE)


def silero_model_path() -> Path | None:
    """The ONNX file inside the installed faster-whisper, found without importing it (its
    package imports ctranslate2 and the tokenizer)."""
    folder = package_dir("faster_whisper")
    path = folder / "assets" / "silero_vad_v6.onnx" if folder is not None else None
    return path if path is not None and path.is_file() else None


@functools.lru_cache(maxsize=2)
def _silero_session(path: str):
    """One onnxruntime session per model file for the process (``run`` is thread-safe; each
    detector keeps its own stream state)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.inter_op_num_threads = 1
    options.intra_op_num_threads = 1
    options.enable_cpu_mem_arena = False
    options.log_severity_level = 4
    return onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"],
                                        sess_options=options)


class SileroDetector:
    """Silero VAD, streaming: a frame is speech once the network's probability reaches
    ``threshold`` and stays speech until it falls below ``threshold - 0.15`` (Silero's own
    hysteresis). A 30 ms frame uses the probability of the latest 32 ms chunk."""

    name = "silero"

    def __init__(self, threshold: float = SILERO_THRESHOLD, path: Path | None = None) -> None:
        path = path or silero_model_path()
        if path is None:
            raise RuntimeError("the Silero VAD model was not found: install faster-whisper "
                               "(pip install -e .)")
        self._session = _silero_session(str(path))
        self.threshold = threshold
        self.off_threshold = max(threshold - 0.15, 0.01)
        self.reset()

    def reset(self) -> None:
        """Forget the stream (a new microphone)."""
        self.probability = 0.0
        """The network's speech probability for the latest chunk."""
        self._speaking = False
        self._pending = np.zeros(0, dtype=np.float32)
        self._context = np.zeros(SILERO_CONTEXT, dtype=np.float32)
        self._state = (np.zeros((1, 1, 128), np.float32), np.zeros((1, 1, 128), np.float32))

    def is_speech(self, frame: bytes, level_db: float, floor_db: float) -> bool:
        samples = np.frombuffer(frame, dtype=np.int16).astype(np.float32) / 32768
        pending = np.concatenate([self._pending, samples])
        used = 0
        while pending.size - used >= SILERO_CHUNK:
            chunk = pending[used:used + SILERO_CHUNK]
            used += SILERO_CHUNK
            h, c = self._state
            out, h, c = self._session.run(
                None, {"input": np.concatenate([self._context, chunk])[None], "h": h, "c": c})
            self._state = (h, c)
            self._context = chunk[-SILERO_CONTEXT:].copy()
            self.probability = float(np.asarray(out).ravel()[0])
        self._pending = pending[used:]
        if self.probability >= self.threshold:
            self._speaking = True
        elif self.probability < self.off_threshold:
            self._speaking = False
        return self._speaking


def open_detector(kind: str = "webrtc") -> SpeechDetector:
    """The detector called ``kind``; Silero falls back to webrtcvad (with a warning) when
    its model or onnxruntime is missing, so listening still works."""
    if kind == "webrtc":
        return WebrtcDetector()
    if kind != "silero":
        raise ValueError(f"unknown speech detector {kind!r}; choose one of {DETECTORS}")
    try:
        return SileroDetector()
    except (ImportError, RuntimeError) as error:
        log.warning("voice: Silero VAD unavailable (%s); using webrtcvad", error)
        return WebrtcDetector()
