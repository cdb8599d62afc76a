"""Audio for the voice-command tests, made at test time: espeak-ng speech, silence, pink
noise, mixing, and pushing audio through a Processor frame by frame.

All PCM here is 16 kHz mono 16-bit little-endian (the listener's format) unless a function
says otherwise. Nothing is kept outside the test's own tmp_path.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from kiosk.voice.endpoint import FRAME_BYTES, FRAME_MS
from kiosk.voice.sources import read_wav

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
if not PYTHON.exists():  # run from another interpreter (e.g. CI without the venv)
    PYTHON = Path(sys.executable)
RATE = 16_000
VOICES = ("en-us+klatt2", "en-us+f2")
"""The espeak-ng voices PocketSphinx recognises best."""


def say(text: str, folder: Path, voice: str = "en-us+klatt2", rate: int = 150) -> Path:
    """A WAV file of ``text`` spoken by espeak-ng (22,050 Hz mono 16-bit), made once per
    folder, voice and rate."""
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "empty"
    path = folder / f"{slug}-{re.sub(r'[^a-z0-9]+', '_', voice)}-{rate}.wav"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(path), text],
                       check=True, capture_output=True, timeout=30)
    return path


def spoken(text: str, folder: Path, voice: str = "en-us+klatt2", rate: int = 150) -> bytes:
    """``text`` spoken by espeak-ng, as 16 kHz PCM (through the kiosk's own read_wav)."""
    return read_wav(say(text, folder, voice, rate))


def silence(ms: float) -> bytes:
    """Digital silence."""
    return bytes(int(RATE * ms / 1000) * 2)


def samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype=np.int16)


def to_pcm(values: np.ndarray) -> bytes:
    return np.clip(np.round(values), -32768, 32767).astype(np.int16).tobytes()


def pink_noise(ms: float, dbfs: float, seed: int = 1) -> bytes:
    """Steady pink (1/f) noise at an RMS level of ``dbfs``."""
    n = int(RATE * ms / 1000)
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    k = np.arange(spectrum.size, dtype=np.float64)
    k[0] = 1.0
    noise = np.fft.irfft(spectrum / np.sqrt(k), n)
    noise *= 10 ** (dbfs / 20) * 32768 / np.sqrt(np.mean(noise * noise))
    return to_pcm(noise)


def mix(*parts: bytes) -> bytes:
    """The sum of several stretches of PCM, as long as the longest (clipped)."""
    length = max(len(p) for p in parts) // 2
    total = np.zeros(length, dtype=np.float64)
    for part in parts:
        values = samples(part).astype(np.float64)
        total[: values.size] += values
    return to_pcm(total)


def level_dbfs(pcm: bytes) -> float:
    values = samples(pcm).astype(np.float64)
    rms = float(np.sqrt(np.mean(values * values))) if values.size else 0.0
    return 20 * np.log10(rms / 32768) if rms > 0 else -100.0


def scaled(pcm: bytes, gain_db: float) -> bytes:
    return to_pcm(samples(pcm).astype(np.float64) * 10 ** (gain_db / 20))


def speech_bounds(pcm: bytes, threshold: float = 0.02) -> tuple[float, float]:
    """(start_ms, end_ms) of the sound in ``pcm``: the first and last sample louder than
    ``threshold`` of the loudest one."""
    values = np.abs(samples(pcm).astype(np.float64))
    loud = np.nonzero(values > threshold * values.max())[0]
    return 1000 * loud[0] / RATE, 1000 * (loud[-1] + 1) / RATE


def trimmed(pcm: bytes) -> bytes:
    """``pcm`` without the silence espeak-ng puts before and after the words."""
    start_ms, end_ms = speech_bounds(pcm, threshold=0.01)
    return pcm[int(start_ms * RATE / 1000) * 2:int(end_ms * RATE / 1000) * 2]


def frames(pcm: bytes) -> Iterator[bytes]:
    """30 ms frames; the last one is padded with silence."""
    for start in range(0, len(pcm), FRAME_BYTES):
        yield pcm[start:start + FRAME_BYTES].ljust(FRAME_BYTES, b"\0")


class FrameClock:
    """The time of each frame pushed, in seconds (as the microphone's clock would be)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def tick(self) -> float:
        self.now += FRAME_MS / 1000
        return self.now


def push_all(processor, pcm: bytes, clock: FrameClock | None = None) -> list:
    """Every Event the processor gives for ``pcm``, pushed frame by frame."""
    clock = clock or FrameClock()
    events = []
    for frame in frames(pcm):
        events.extend(processor.push(frame, now=clock.tick()))
    return events


def utterance(text: str, folder: Path, voice: str = "en-us+klatt2", lead_ms: float = 500,
              tail_ms: float = 800) -> bytes:
    """Silence, ``text`` spoken, then enough silence for the end-pointer to end it."""
    return silence(lead_ms) + spoken(text, folder, voice) + silence(tail_ms)


def accepted(events: list) -> list:
    """The meanings of the accepted utterances among ``events``."""
    return [e.heard.meaning for e in events if e.heard.meaning is not None]


def write_wav(path: Path, values: np.ndarray, rate: int, channels: int = 1,
              width: int = 2) -> Path:
    """Write samples (int array; shape (n, channels) for more than one) as a WAV file."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        if width == 1:
            data = (np.asarray(values, dtype=np.int16) // 256 + 128).astype(np.uint8).tobytes()
        else:
            data = np.asarray(values, dtype=np.int16).tobytes()
        wav.writeframes(data)
    return path


@contextlib.contextmanager
def another_voice(pilot, source):
    """The app listens through a new VoiceController on ``source`` during the block (a
    missing microphone, a recogniser that fails); the usual one is put back afterwards."""
    from kiosk.ui.voice import VoiceController

    app = pilot.app
    working = app.voice
    app.voice = VoiceController(app, source)
    try:
        yield app.voice
    finally:
        app.voice.close()
        app.voice = working
        working._set_state(working._listening_state())


READER_VOICE = "en-gb-x-rp"
"""A person reading aloud, for follow-along: an espeak-ng voice the kiosk does not read
with, at 160 words a minute."""


def section_reading(folder: Path, entry, sentences: int, gap_ms: int = 400,
                    name: str = "reading.wav") -> tuple[Path, list[float]]:
    """A WAV of ``entry``'s first ``sentences`` sentences (heading first) read aloud by
    READER_VOICE with ``gap_ms`` between them, and when each begins (seconds)."""
    from kiosk.speech.lexicon import load_lexicon
    from kiosk.speech.script import build_script

    script = build_script(entry, load_lexicon()[0])[:sentences]
    pcm, starts = silence(500), []
    for utterance in script:
        starts.append(len(pcm) / 2 / RATE)
        pcm += spoken(utterance.spoken.text, folder, READER_VOICE, 160) + silence(gap_ms)
    return write_wav(folder / name, samples(pcm + silence(1500)), RATE), starts
