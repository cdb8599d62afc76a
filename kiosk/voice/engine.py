"""The one interface every speech recogniser engine offers (no Kivy here).

An engine decodes 16 kHz, mono, 16-bit little-endian PCM against a small list of allowed
phrases. Anything that is not one of those phrases should come back as the token ``[unk]``
(Vosk's own name for it) when the engine was asked for a garbage model, so the caller can
reject it; without one (``garbage=False``) the engine forces every sound onto a phrase,
which is what "plain grammar decoding" means in the benchmark.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace

SAMPLE_RATE = 16_000
"""Samples a second of every engine's input."""

UNKNOWN = "[unk]"
"""The word an engine returns for speech outside its phrases."""


class EngineError(Exception):
    """An engine or its model could not be loaded; the message says what to fix."""


@dataclass(frozen=True)
class Hypothesis:
    """What an engine heard in one utterance."""

    text: str
    """Lower-case words separated by single spaces; ``[unk]`` for out-of-grammar speech;
    empty when nothing was recognised."""
    confidence: float | None = None
    """0 to 1 where the engine gives one (mean word confidence), else None."""
    ms: float = 0.0
    """Compute time of the decoding, in milliseconds."""
    words: tuple[str, ...] = field(default=())
    """The recognised words, ``text.split()``."""
    spoken_ms: float | None = None
    """How long the recognised words last in the audio, silence and noise not counted,
    where the engine says; rejection compares it with the length of the speech."""
    reason: str = ""
    """Why the engine answered ``[unk]`` or nothing, where it says (Whisper's guided
    decoding); shown by ``kiosk hear``, never to visitors."""


class Engine(ABC):
    """A loaded recogniser with its model; one utterance at a time, one thread at a time."""

    name: str = "engine"
    """Short name shown to people and in ``kiosk hear``: "pocketsphinx", "vosk" or "whisper"."""
    judges_itself: bool = False
    """The engine rejects other speech itself (Whisper's guided decoding), so the
    recogniser's rules on speech length and coverage, made for grammar decoders that force
    any sound onto a phrase, are not applied to it."""

    @abstractmethod
    def knows(self, word: str) -> bool:
        """Whether ``word`` (lower case) is in the engine's vocabulary."""

    def add_pronunciations(self, pronunciations: dict[str, str]) -> None:  # noqa: B027
        """Teach the engine words it lacks: word -> ARPAbet phones ("EY EH L EH S").

        Engines with a fixed vocabulary (Vosk) ignore this; their grammar leaves such
        words out."""

    @abstractmethod
    def set_phrases(self, phrases: list[str], garbage: bool = True) -> None:
        """Allow exactly these phrases (lower-case words the engine knows).

        With ``garbage`` the engine may also answer ``[unk]`` for other speech."""

    def set_titles(self, titles: dict[str, str]) -> None:  # noqa: B027
        """Which of the phrases name a section (phrase -> the section's id): long and
        distinctive, so an engine may also match them by sound (Whisper does). Others
        ignore this."""

    @abstractmethod
    def start(self) -> None:
        """Begin an utterance."""

    @abstractmethod
    def feed(self, pcm: bytes) -> None:
        """Add audio to the current utterance (any length, whole samples)."""

    @abstractmethod
    def finish(self) -> Hypothesis:
        """End the utterance and return what was heard."""

    def decode(self, pcm: bytes) -> Hypothesis:
        """Decode one whole utterance; ``ms`` is the compute time of the call."""
        began = time.perf_counter()
        self.start()
        self.feed(pcm)
        result = self.finish()
        ms = (time.perf_counter() - began) * 1000
        return replace(result, ms=ms)

    def close(self) -> None:  # noqa: B027
        """Free the model (optional)."""
