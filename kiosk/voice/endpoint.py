"""Finding where a spoken command starts and ends in the microphone stream (no Kivy here).

A speech detector (kiosk/voice/vad.py: webrtcvad behind an adaptive noise floor by
default, or Silero VAD) marks each 30 ms frame as speech or not. An utterance starts after a
few voiced frames (with the audio just before it, so the first consonant is kept) and ends
after a short silence, so a command is acted on as soon as the speaker stops. The running
noise floor (``floor_db``) is kept whichever detector decides.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from kiosk.voice.engine import SAMPLE_RATE
from kiosk.voice.vad import SpeechDetector, WebrtcDetector, open_detector

FRAME_MS = 30
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000
FRAME_BYTES = FRAME_SAMPLES * 2
LEARNING_FRAMES = 10
"""The first 300 ms only teach the noise floor."""
FLOOR_WINDOW_FRAMES = 50
"""The floor is at least the quietest frame of the last 1.5 s."""


@dataclass(frozen=True)
class Started:
    """Speech began; ``pcm`` is the audio from a little before it up to now."""

    pcm: bytes


@dataclass(frozen=True)
class Audio:
    """More audio of the current utterance."""

    pcm: bytes


@dataclass(frozen=True)
class Ended:
    """The utterance is over: ``speech_ms`` from its first to its last voiced frame;
    ``too_long`` when it went on longer than any command (it is then not decoded)."""

    speech_ms: float
    too_long: bool = False


def frame_level(frame: bytes) -> float:
    """Loudness of a frame in dBFS (-100 for silence)."""
    samples = np.frombuffer(frame, dtype=np.int16).astype(np.float32)
    if samples.size == 0:
        return -100.0
    rms = math.sqrt(float(np.mean(samples * samples)))
    return 20 * math.log10(rms / 32768) if rms > 0 else -100.0


class Endpointer:
    """Turns 30 ms frames into Started / Audio / Ended events.

    ``detector`` decides which frames are speech: a :class:`SpeechDetector`, or the name of
    one ("webrtc", the default, which uses ``aggressiveness`` and ``margin_db``, or
    "silero"; bench/endpoint.py compares them)."""

    def __init__(self, aggressiveness: int = 3, start_frames: int = 3, end_ms: int = 270,
                 preroll_ms: int = 300, max_ms: int = 6000, margin_db: float = 6.0,
                 detector: SpeechDetector | str = "webrtc") -> None:
        if detector == "webrtc":
            detector = WebrtcDetector(aggressiveness, margin_db)
        elif isinstance(detector, str):
            detector = open_detector(detector)
        self.detector: SpeechDetector = detector
        self._start_frames = start_frames
        self._end_frames = max(1, end_ms // FRAME_MS)
        self._max_frames = max_ms // FRAME_MS
        self._preroll: deque[bytes] = deque(maxlen=max(1, preroll_ms // FRAME_MS))
        self._recent: deque[bool] = deque(maxlen=start_frames + 1)
        self.floor_db = -60.0
        """Running estimate of the background noise level."""
        self._levels: deque[float] = deque(maxlen=FLOOR_WINDOW_FRAMES)
        self._learning = LEARNING_FRAMES
        self.in_speech = False
        self.voiced = False
        """Whether the last frame pushed was speech."""
        self._frames = 0
        self._voiced_last = 0
        self._silent_run = 0
        self._too_long = False

    @property
    def too_long(self) -> bool:
        """The utterance in progress has gone on longer than any command."""
        return self._too_long

    def reset(self) -> None:
        """Forget any utterance in progress (e.g. when listening is switched off)."""
        self.in_speech = False
        self._recent.clear()
        self._preroll.clear()
        self._too_long = False

    def observe(self, level_db: float) -> None:
        """Learn the noise floor from a frame that is not listened to (push-to-talk idle),
        so that speech right after the talk key is pressed is not taken for the floor."""
        self._levels.append(level_db)
        self._learning = 0
        quietest = min(self._levels)
        self.floor_db += (quietest - self.floor_db) * 0.2

    def is_voiced(self, frame: bytes, level_db: float) -> bool:
        """Speech by the detector (never during the first 300 ms, which teach the floor).

        The floor is learnt from the first frames, and never sits below the quietest frame
        of the last 1.5 s. The detector hears every frame, as a stream."""
        self._levels.append(level_db)
        if self._learning > 0:
            self._learning -= 1
            self.floor_db = min(self._levels) if len(self._levels) > 1 else level_db
            self.detector.is_speech(frame, level_db, self.floor_db)
            return False
        self.floor_db = max(self.floor_db, min(self._levels))
        voiced = self.detector.is_speech(frame, level_db, self.floor_db)
        # the floor follows quiet frames quickly and loud ones slowly
        rate = 0.05 if level_db < self.floor_db else (0.002 if voiced else 0.01)
        self.floor_db += (level_db - self.floor_db) * rate
        return voiced

    def push(self, frame: bytes, level_db: float | None = None) -> list:
        """Process one frame (FRAME_BYTES of 16 kHz PCM); returns the events it causes."""
        if level_db is None:
            level_db = frame_level(frame)
        voiced = self.is_voiced(frame, level_db)
        self.voiced = voiced
        if not self.in_speech:
            self._preroll.append(frame)
            self._recent.append(voiced)
            if sum(self._recent) >= self._start_frames:
                self.in_speech = True
                self._frames = len(self._recent)
                self._voiced_last = self._frames
                self._silent_run = 0
                self._too_long = False
                pcm = b"".join(self._preroll)
                self._preroll.clear()
                self._recent.clear()
                return [Started(pcm)]
            return []
        self._frames += 1
        if voiced:
            self._voiced_last = self._frames
            self._silent_run = 0
        else:
            self._silent_run += 1
        if self._frames > self._max_frames:
            self._too_long = True
        if self._silent_run >= self._end_frames:
            self.in_speech = False
            speech_ms = self._voiced_last * FRAME_MS
            return [Audio(frame), Ended(speech_ms, self._too_long)]
        return [Audio(frame)]

    def cut(self) -> list:
        """End the utterance now (push-to-talk released)."""
        if not self.in_speech:
            return []
        self.in_speech = False
        return [Ended(self._voiced_last * FRAME_MS, self._too_long)]
