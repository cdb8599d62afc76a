"""Vosk (Kaldi) as a speech engine: used when a Vosk model folder is in ``models/``.

A Vosk model with a runtime graph (``graph/HCLr.fst`` + ``graph/Gr.fst``, as in
vosk-model-small-en-us-0.15) accepts a grammar: a JSON list of phrases, from which Vosk
builds a small language model for each recogniser. Things found about vosk 0.3.45 that this
module works around:

- A grammar word missing from the model's vocabulary is dropped from its phrase with only a
  warning on stderr, which garbles the phrase ("open section three" would become "open
  three"). So phrases with unknown words are left out whole and listed in ``dropped``.
- The grammar must be sent as UTF-8 JSON (``ensure_ascii=False``): Vosk's JSON reader does
  not decode ``\\uXXXX`` escapes, so every non-ASCII word would be "missing".
- An empty grammar list means "the model's full vocabulary" to Vosk, never "nothing".
- The out-of-grammar word is a vocabulary entry: ``[unk]`` in the English small model,
  ``<UNK>`` in others. Whichever the model has is used and reported as ``[unk]``.
- A damaged ``graph/HCLr.fst`` still "loads", and the first grammar recogniser then crashes
  the whole process (segmentation fault). Creating a plain recogniser first fails cleanly
  instead, so loading checks that before anyone can hit the crash.
- ``AcceptWaveform`` returning True means Vosk cut the utterance at a pause; the words
  before the pause are only in ``Result()`` then, so they are collected here.
"""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.voice.engine import SAMPLE_RATE, UNKNOWN, Engine, EngineError, Hypothesis
from kiosk.voice.models import MODEL_NAME, model_problem

CHUNK_SAMPLES = 4000
"""Audio goes to Vosk in blocks of this many samples (0.25 s), however ``feed`` is called,
so the same audio always gives the same result."""

UNKNOWN_WORDS = (UNKNOWN, "<unk>", "<UNK>")
"""How models spell the out-of-grammar word, in order of preference."""

_SPECIAL = ("<", "[", "#", "!")
"""Vocabulary entries starting with these are markers (<eps>, #0, !SIL, [noise]), not words."""


def _load_vosk():
    try:
        import vosk
    except (ImportError, OSError) as error:  # OSError: libvosk.so does not load
        raise EngineError(f"The vosk package cannot be loaded ({error}). Reinstall the kiosk "
                          "(make setup) or remove the model from models/ to use PocketSphinx."
                          ) from error
    vosk.SetLogLevel(-1)  # Kaldi's LOG lines off; its WARNING and ERROR lines still print
    return vosk


class VoskEngine(Engine):
    """A loaded Vosk model and one grammar recogniser for the current phrases."""

    name = "vosk"

    def __init__(self, model_dir: Path) -> None:
        """Load the model in ``model_dir``; ``EngineError`` says what to fix if it cannot."""
        self.model_dir = Path(model_dir)
        problem = model_problem(self.model_dir)
        if problem is not None:
            raise EngineError(f"Cannot use the Vosk model: {problem}")
        vosk = _load_vosk()
        self._vosk = vosk
        try:
            self._model = vosk.Model(str(self.model_dir))
        except Exception as error:  # vosk raises a bare Exception("Failed to create a model")
            raise EngineError(self._damaged(error)) from error
        try:
            # A graph that did not load makes grammar recognisers crash the process; a plain
            # recogniser fails cleanly instead ("Can't create decoding graph"), in 0.07 s.
            vosk.KaldiRecognizer(self._model, SAMPLE_RATE)  # freed at once
            # Then decode 1 s of silence with an empty grammar (cheap, unlike the full
            # vocabulary): a broken decoder or endpoint configuration fails here, not later.
            probe = vosk.KaldiRecognizer(self._model, SAMPLE_RATE, '[""]')
            probe.AcceptWaveform(bytes(SAMPLE_RATE * 2))
            probe.FinalResult()
            del probe
        except Exception as error:
            self._model = None
            raise EngineError(self._damaged(error)) from error
        self.unknown_word: str | None = next(
            (word for word in UNKNOWN_WORDS if self._model.vosk_model_find_word(word) >= 0),
            None)
        """The model's own out-of-grammar word (reported as ``[unk]``), or None if it has
        none (then ``garbage`` has no effect)."""
        self.phrases: tuple[str, ...] = ()
        """The phrases of the current grammar (those whose words the model knows)."""
        self.dropped: tuple[str, ...] = ()
        """Phrases given to the last ``set_phrases`` that were left out: they hold a word the
        model does not know, so it could never hear them."""
        self.garbage = True
        self._recognizer = None
        self._grammar_set = False
        self._pending = b""
        self._segments: list[dict] = []

    def _damaged(self, error: Exception) -> str:
        return (f"Vosk could not load the model in {self.model_dir} ({error}; Vosk's own "
                "message, if any, is in the log just before this). A file in it is probably "
                "damaged or incomplete. Run `kiosk models fetch --force`, or download "
                f"{MODEL_NAME}.zip again and unpack it into models/.")

    def _loaded(self):
        if self._model is None:
            raise EngineError("This Vosk engine was closed; create a new one.")
        return self._model

    def knows(self, word: str) -> bool:
        """Whether ``word`` is in the model's vocabulary (its word symbol table, which Vosk
        reads from ``graph/Gr.fst`` or ``graph/words.txt``). Markers such as ``<eps>``,
        ``#0``, ``!SIL`` and the out-of-grammar word are not words."""
        model = self._loaded()
        if not word or word != word.strip() or " " in word or word.startswith(_SPECIAL):
            return False
        try:
            return model.vosk_model_find_word(word) >= 0
        except UnicodeEncodeError:  # a lone surrogate: not a word of any model
            return False

    def set_phrases(self, phrases: list[str], garbage: bool = True) -> None:
        """Allow exactly these phrases; with ``garbage`` other speech comes back as ``[unk]``.

        Phrases holding a word the model does not know are left out (see ``dropped``).
        With no phrase left and no garbage word, nothing is ever heard (empty text)."""
        model = self._loaded()
        kept: list[str] = []
        dropped: list[str] = []
        for phrase in phrases:
            words = phrase.split()
            if words and all(self.knows(word) for word in words):
                normal = " ".join(words)
                if normal not in kept:
                    kept.append(normal)
            else:
                dropped.append(phrase)
        grammar = list(kept)
        if garbage and self.unknown_word is not None:
            grammar.append(self.unknown_word)
        recognizer = None
        if grammar:  # never send "[]": Vosk would take it as "any word of the model"
            try:
                recognizer = self._vosk.KaldiRecognizer(
                    model, SAMPLE_RATE, json.dumps(grammar, ensure_ascii=False))
                recognizer.SetWords(True)
            except Exception as error:
                raise EngineError(f"Vosk could not build a grammar of {len(kept)} phrases "
                                  f"({error}).") from error
        self._recognizer = recognizer
        self._grammar_set = True
        self.phrases = tuple(kept)
        self.dropped = tuple(dropped)
        self.garbage = garbage
        self._pending = b""
        self._segments = []

    def start(self) -> None:
        """Begin an utterance; anything fed since the last ``finish`` is thrown away."""
        self._check_ready()
        self._pending = b""
        self._segments = []
        if self._recognizer is not None:
            # FinalResult ends any unfinished utterance and makes the next one start from a
            # fresh feature pipeline, so earlier audio cannot change this result.
            self._recognizer.FinalResult()
            self._recognizer.Reset()

    def feed(self, pcm: bytes) -> None:
        """Add 16 kHz mono 16-bit PCM; Vosk gets it in blocks of ``CHUNK_SAMPLES``."""
        self._check_ready()
        data = self._pending + bytes(pcm)
        block = CHUNK_SAMPLES * 2
        whole = len(data) - len(data) % block
        self._pending = data[whole:]
        for start in range(0, whole, block):
            self._accept(data[start:start + block])

    def finish(self) -> Hypothesis:
        """End the utterance and return what was heard (``[unk]`` for other speech)."""
        self._check_ready()
        if self._recognizer is None:
            self._pending = b""
            return Hypothesis("")
        tail = self._pending[: len(self._pending) // 2 * 2]
        self._pending = b""
        if tail:
            self._accept(tail)
        try:
            self._segments.append(json.loads(self._recognizer.FinalResult()))
        except Exception as error:
            raise EngineError(f"Vosk failed to finish the utterance ({error}).") from error
        segments, self._segments = self._segments, []
        words: list[str] = []
        confidences: list[float] = []
        spoken_s = 0.0
        for segment in segments:
            entries = segment.get("result") or []
            if entries:
                for entry in entries:
                    words.append(self._spoken(entry.get("word", "")))
                    confidences.append(float(entry.get("conf", 0.0)))
                    spoken_s += float(entry.get("end", 0.0)) - float(entry.get("start", 0.0))
            else:
                words.extend(self._spoken(word) for word in segment.get("text", "").split())
        words = [word for word in words if word]
        confidence = sum(confidences) / len(confidences) if confidences else None
        return Hypothesis(" ".join(words), confidence, 0.0, tuple(words),
                          spoken_s * 1000 if confidences else None)

    def close(self) -> None:
        """Free the recogniser and the model; the engine cannot be used afterwards."""
        self._recognizer = None
        self._model = None
        self._segments = []
        self._pending = b""

    def _check_ready(self) -> None:
        self._loaded()
        if not self._grammar_set:
            raise EngineError("Call set_phrases before decoding with the Vosk engine.")

    def _accept(self, pcm: bytes) -> None:
        if self._recognizer is None:
            return
        try:
            if self._recognizer.AcceptWaveform(pcm):
                # Vosk found the end of an utterance at a pause; keep its words.
                self._segments.append(json.loads(self._recognizer.Result()))
        except Exception as error:
            raise EngineError(f"Vosk could not process the audio ({error}). The model in "
                              f"{self.model_dir} may be damaged.") from error

    def _spoken(self, word: str) -> str:
        return UNKNOWN if word in UNKNOWN_WORDS else word
