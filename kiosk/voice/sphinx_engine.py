"""PocketSphinx with the US English model its Python package ships: voice on a fresh
install with no download (no Kivy here).

Grammars are JSGF alternatives of whole phrases. Two things measured on espeak-ng speech
(see docs/notes-voice.md) shape the settings: exact digital silence (zeros between and
around words, as synthetic or gated audio has) derails the decoder, so a whisper of
deterministic noise (about -60 dBFS) is mixed in before decoding; and a language weight of 3
instead of 6.5 suited short command grammars best.
"""

from __future__ import annotations

import logging

import numpy as np

from kiosk.voice.engine import SAMPLE_RATE, Engine, EngineError, Hypothesis

log = logging.getLogger(__name__)

DITHER = 60.0
"""Standard deviation of the noise mixed into the audio, in 16-bit sample units."""
FRAME_MS = 10.0
"""PocketSphinx's frame step."""
LANGUAGE_WEIGHT = 3.0


class SphinxEngine(Engine):
    """PocketSphinx 5 decoding against one phrase list at a time."""

    name = "pocketsphinx"

    def __init__(self) -> None:
        try:
            from pocketsphinx import Decoder, get_model_path

            model = get_model_path()
            # lm=None: without it the package's 27 MB general language model is loaded too
            # (67 MB more memory, 0.4 s), though only the command grammars are ever used.
            self._decoder = Decoder(hmm=f"{model}/en-us/en-us",
                                    dict=f"{model}/en-us/cmudict-en-us.dict", lm=None,
                                    samprate=SAMPLE_RATE, lw=LANGUAGE_WEIGHT,
                                    loglevel="FATAL")
        except Exception as error:  # noqa: BLE001 - any failure means: no PocketSphinx
            raise EngineError(f"PocketSphinx could not load its English model ({error}). "
                              "Reinstall the kiosk's Python packages "
                              "(bash scripts/bootstrap.sh).") from error
        self._searches: dict[tuple[str, ...], str] = {}
        self._added: set[str] = set()
        self._noise = np.random.default_rng(16_000)
        self.phrases: list[str] = []
        self.dropped: list[str] = []

    def knows(self, word: str) -> bool:
        return word in self._added or self._decoder.lookup_word(word) is not None

    def add_pronunciations(self, pronunciations: dict[str, str]) -> None:
        """Add word -> phones; a known word gains the pronunciation as a variant."""
        for word, phones in pronunciations.items():
            key = word
            if self._decoder.lookup_word(word) is not None or word in self._added:
                number = 2
                while self._decoder.lookup_word(f"{word}({number})") is not None:
                    number += 1
                key = f"{word}({number})"
            try:
                self._decoder.add_word(key, phones, False)
            except RuntimeError as error:
                log.warning("could not add a pronunciation for a grammar word (%s)", error)
                continue
            self._added.add(word)

    def set_phrases(self, phrases: list[str], garbage: bool = True) -> None:
        """Allow these phrases. PocketSphinx has no garbage word here; rejection of other
        speech is the recogniser's job (it compares the words' length with the speech)."""
        kept = [p for p in dict.fromkeys(phrases) if p and all(map(self.knows, p.split()))]
        self.dropped = [p for p in phrases if p not in kept]
        self.phrases = kept
        key = tuple(kept)
        name = self._searches.get(key)
        if name is None:
            name = f"g{len(self._searches)}"
            body = " | ".join(kept) if kept else "<VOID>"
            self._decoder.add_jsgf_string(name, f"#JSGF V1.0;\ngrammar {name};\n"
                                                f"public <phrase> = {body};\n")
            self._searches[key] = name
        self._decoder.activate_search(name)

    def start(self) -> None:
        self._noise = np.random.default_rng(16_000)  # the same dither every utterance
        try:
            self._decoder.start_utt()
        except RuntimeError:  # an utterance left open by an error: close it and go on
            self._decoder.end_utt()
            self._decoder.start_utt()

    def feed(self, pcm: bytes) -> None:
        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype=np.int16).astype(np.float32)
        samples += self._noise.normal(0.0, DITHER, samples.size).astype(np.float32)
        np.clip(samples, -32768, 32767, out=samples)
        self._decoder.process_raw(samples.astype(np.int16).tobytes(), False, False)

    def finish(self) -> Hypothesis:
        self._decoder.end_utt()
        hyp = self._decoder.hyp()
        if hyp is None or not hyp.hypstr or not self.phrases:
            return Hypothesis("")
        frames = 0
        for segment in self._decoder.seg() or ():
            if not segment.word.startswith(("<", "[", "+")):
                frames += segment.end_frame - segment.start_frame + 1
        words = tuple(hyp.hypstr.split())
        return Hypothesis(hyp.hypstr, None, 0.0, words, frames * FRAME_MS)
