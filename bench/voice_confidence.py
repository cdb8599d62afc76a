"""An experiment for the rejection of non-commands: how well would a phone-loop confidence
separate commands from other speech, compared with the length rules the recogniser has?

For each utterance (commands and non-command sentences of bench/voice.py, clean and pink
noise at 10 dB, every third voice), the same audio is decoded twice by PocketSphinx: with
the Reader grammar, and with its all-phone search (any sequence of phones, the phonetic
language model shipped with the model). A phrase the person really said scores almost as
well acoustically as the best free phone sequence; speech forced onto a phrase it is not
scores much worse. The confidence is the difference of the two acoustic scores per frame
(PocketSphinx's log units), per frame of speech in the phone decoding. Both decodings run
with ``bestpath=no`` (the Viterbi back-trace, whose segment scores are meaningful; the
kiosk's engine uses the lattice best path), so the right/wrong counts also show what that
setting does to plain grammar decoding. The table gives, for thresholds on it, the
commands still right and the non-command speech still accepted. Nothing in kiosk/ uses this.

Run: .venv/bin/python bench/voice_confidence.py   (about two minutes)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from pocketsphinx import Decoder, get_model_path

from kiosk.config import load_settings
from kiosk.content import load_library
from kiosk.speech.clinic import lexicon_path
from kiosk.speech.lexicon import load_lexicon
from kiosk.voice.grammar import Context, grammar_for
from kiosk.voice.recogniser import Recogniser
from kiosk.voice.sources import read_wav
from kiosk.voice.sphinx_engine import LANGUAGE_WEIGHT, SphinxEngine

sys.path.insert(0, str(Path(__file__).resolve().parent))
from voice import CONTENT, LEVEL_DBFS, PAD_S, espeak, key_of  # noqa: E402
from voice_data import (  # noqa: E402
    SENTENCE_SPEED,
    SPEEDS,
    VOICES,
    command_items,
    mix,
    pink_noise,
    sentence_items,
)


def scores(engine: SphinxEngine, pcm: bytes, search: str) -> tuple[str, float, int]:
    """(text, total acoustic score, frames of speech) of one decoding with the named search.

    The Python binding gives segment scores as probabilities; logmath turns them back into
    PocketSphinx's log units. Frames of speech: those not in silence or filler segments."""
    decoder = engine._decoder
    decoder.activate_search(search)
    engine.start()
    engine.feed(pcm)
    decoder.end_utt()
    hyp = decoder.hyp()
    logmath = decoder.get_logmath()
    total, speech = 0.0, 0
    for segment in decoder.seg() or ():
        total += logmath.log(segment.ascore) if segment.ascore > 0 else -1e7
        if not segment.word.startswith(("<", "[", "+", "(", "SIL")):
            speech += segment.end_frame - segment.start_frame + 1
    return (hyp.hypstr if hyp else ""), total, speech


def main() -> int:
    library = load_library(CONTENT)
    documents = {d.id: d for d in library.documents}
    lexicon, _ = load_lexicon(lexicon_path(load_settings()))
    items = command_items(list(library.documents)) + sentence_items(list(library.documents),
                                                                     lexicon)
    speeds = [s for s in SPEEDS if s >= 130]
    jobs = [(n, VOICES[n % len(VOICES)],
             speeds[n % len(speeds)] if item.command else SENTENCE_SPEED)
            for n, item in enumerate(items)]
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-voice-confidence-"))
    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda j: espeak(j[1], j[2], items[j[0]].text, tmp / f"{j[0]}.wav"),
                          jobs))
        engine = SphinxEngine()
        # segment scores are only meaningful from the Viterbi back-trace, not the lattice
        model = get_model_path()
        engine._decoder = Decoder(hmm=f"{model}/en-us/en-us",
                                  dict=f"{model}/en-us/cmudict-en-us.dict", samprate=16_000,
                                  lw=LANGUAGE_WEIGHT, bestpath=False, loglevel="FATAL")
        engine._decoder.add_allphone_file("phones",
                                          f"{get_model_path()}/en-us/en-us-phone.lm.bin")
        recogniser = Recogniser(engine)
        searches = {}
        noise = pink_noise(60.0)
        rows = []
        for condition, snr in (("clean", 40.0), ("pink 10 dB", 10.0)):
            for n, _voice, _speed in jobs:
                item = items[n]
                key = (item.document, item.numbers)
                if key not in searches:
                    context = Context("reader", documents[item.document], item.numbers)
                    recogniser.use(grammar_for(context))
                    searches[key] = (engine._decoder.current_search(), recogniser.grammar)
                search, grammar = searches[key]
                speech = np.frombuffer(read_wav(tmp / f"{n}.wav"), np.int16).astype(float)
                audio, _ = mix(speech, noise, snr, LEVEL_DBFS, PAD_S,
                               np.random.default_rng(n))
                pcm = audio.tobytes()
                text, grammar_score, _ = scores(engine, pcm, search)
                _, phone_score, frames = scores(engine, pcm, "phones")
                frames = max(frames, 10)
                meaning = grammar.parse(text)
                if item.command:
                    kind = "right" if key_of(meaning) == key_of(item.expected) else "wrong"
                else:
                    kind = "non-command"
                if meaning is None:
                    kind = "no phrase"
                rows.append((condition, kind, (grammar_score - phone_score) / frames))
            print(f"{condition}: decoded {len(jobs)} files", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("Phone-loop confidence (grammar minus all-phone acoustic score per frame); "
          "accepted only when above the threshold.\n")
    for condition in ("clean", "pink 10 dB"):
        got = [r for r in rows if r[0] == condition]
        right = np.array([c for _, k, c in got if k == "right"])
        wrong = np.array([c for _, k, c in got if k == "wrong"])
        other = np.array([c for _, k, c in got if k == "non-command"])
        sentences = len([j for j in jobs if not items[j[0]].command])
        commands = len(jobs) - sentences
        print(f"{condition}: {len(right)} right, {len(wrong)} wrong, {len(other)} "
              f"non-command decoded as a phrase (of {commands} commands, {sentences} "
              f"sentences)")
        for label, values in (("right", right), ("wrong", wrong), ("non-command", other)):
            if values.size:
                print(f"  {label:<12} confidence p5 {np.percentile(values, 5):7.1f}  median "
                      f"{np.median(values):7.1f}  p95 {np.percentile(values, 95):7.1f}")
        print("  threshold   commands right %   wrong %   false activations %")
        for threshold in (-np.inf, -60, -50, -40, -35, -30, -25, -20, -15, -10):
            print(f"  {threshold:>9.0f}   {100 * np.sum(right > threshold) / commands:16.1f}   "
                  f"{100 * np.sum(wrong > threshold) / commands:7.1f}   "
                  f"{100 * np.sum(other > threshold) / sentences:19.1f}")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
