"""Listening with the real PocketSphinx engine: Processor (frames in, judged utterances out)
and Listener (on its own thread, fed by a FileMic), on espeak-ng speech made at test time.

The engine loads once for the module; tests that may leave it in a bad state get their own.
"""

from __future__ import annotations

import json
import logging
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from test_voice_grammar import opening
from voice_tools import (
    PYTHON,
    ROOT,
    VOICES,
    FrameClock,
    accepted,
    frames,
    push_all,
    say,
    silence,
    speech_bounds,
    spoken,
    trimmed,
    utterance,
)

from kiosk.commands import Command
from kiosk.follow import FollowEnded, Moved, Track
from kiosk.voice.dictation import SILENCE_S, Following
from kiosk.voice.endpoint import FRAME_MS, Endpointer, frame_level
from kiosk.voice.grammar import Context
from kiosk.voice.listener import Event, Listener, Mode, Processor
from kiosk.voice.recogniser import Recogniser, open_engine
from kiosk.voice.sources import FileMic, read_wav
from kiosk.voice.sphinx_engine import SphinxEngine


@pytest.fixture(scope="module")
def engine():
    engine, notes = open_engine("pocketsphinx")
    assert engine.name == "pocketsphinx" and notes == []
    return engine


@pytest.fixture(scope="module")
def reading(ninds) -> Context:
    return Context("reader", ninds, len(ninds.entries), reading=True)


HOME = Context("home", None, 2)


def make(engine, context: Context, mode: Mode = Mode.ALWAYS, **kwargs) -> Processor:
    processor = Processor(Recogniser(engine), mode=mode, **kwargs)
    processor.set_context(context)
    return processor


def hear(processor: Processor, text: str, folder: Path, voice: str = "en-us+klatt2",
         clock: FrameClock | None = None) -> list[Event]:
    return push_all(processor, utterance(text, folder, voice), clock)


def only_meaning(events: list[Event]):
    meanings = accepted(events)
    assert len(meanings) <= 1, [e.heard for e in events]
    return meanings[0] if meanings else None


# -- Processor: what is heard --------------------------------------------------------------


READER_CASES = [
    ("stop", Command("stop")),
    ("next section", Command("next")),
    ("go back", Command("previous")),
    ("read aloud", Command("read")),
    ("table of contents", Command("contents")),
    ("say that again", Command("repeat")),
    ("slow down", Command("slower")),
    ("volume up", Command("louder")),
    ("zoom in", Command("bigger")),
    ("scroll down", Command("scroll_down")),
    ("what can i say", Command("help")),
    ("yes", Command("yes")),
    ("no", Command("no")),
    ("open three", Command("open", number=3)),
    ("section twelve", Command("open", number=12)),
    ("eighteen", Command("open", number=18)),
]


@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize(("text", "expected"), READER_CASES, ids=[c[0] for c in READER_CASES])
def test_reader_commands_are_understood(engine, tts, reader, voice, text, expected):
    events = hear(make(engine, reader), text, tts, voice)
    assert len(events) == 1, [e.heard for e in events]
    assert events[0].heard.meaning == expected, events[0].heard


@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize(("text", "section_id"), [
    ("open riluzole", "treating-als"),
    ("go to stem cells", "stem-cells"),
    ("open breathing", "nutrition-and-breathing"),
    ("go to clinical trials", "helping-improve-care"),
])
def test_reader_sections_are_opened_by_name(engine, tts, reader, ninds, voice, text,
                                            section_id):
    meaning = only_meaning(hear(make(engine, reader), text, tts, voice))
    assert meaning == opening(ninds, section_id)


def test_most_issue_4_phrases_are_understood_in_both_voices(engine, tts, reader):
    """All 40 phrases in each voice; the few misses are listed in the report."""
    from test_voice_grammar import READER_PHRASES

    processor = make(engine, reader)
    right, wrong, missed = [], [], []
    for voice in VOICES:
        for text, intent in READER_PHRASES.items():
            meaning = only_meaning(hear(processor, text, tts, voice))
            if meaning == Command(intent):
                right.append((voice, text))
            elif meaning is None:
                missed.append((voice, text))
            else:
                wrong.append((voice, text, meaning.describe()))
    total = len(right) + len(wrong) + len(missed)
    assert len(right) / total >= 0.9, f"missed {missed}, wrong {wrong}"
    assert len(wrong) <= 2, f"acted on the wrong command: {wrong}"


@pytest.mark.parametrize("voice", [
    pytest.param("en-us+klatt2", marks=pytest.mark.xfail(
        reason="PocketSphinx mishears espeak-ng's klatt2 one-word 'help' (as 'table'); "
               "strict: remove this mark when it passes")),
    "en-us+f2",
])
def test_help_alone_is_understood(engine, tts, reader, voice):
    assert only_meaning(hear(make(engine, reader), "help", tts, voice)) == Command("help")


@pytest.mark.parametrize("voice", VOICES)
def test_home_commands_are_understood(engine, tts, voice):
    processor = make(engine, HOME)
    assert only_meaning(hear(processor, "open two", tts, voice)) == Command("open", number=2)
    assert only_meaning(hear(processor, "one", tts, voice)) == Command("open", number=1)
    assert only_meaning(hear(processor, "bigger text", tts, voice)) == Command("bigger")
    assert only_meaning(hear(processor, "volume down", tts, voice)) == Command("quieter")


@pytest.mark.parametrize("voice", VOICES)
def test_home_never_acts_on_reading_commands(engine, tts, voice):
    processor = make(engine, HOME)
    for text in ("next section", "read aloud", "stop reading", "three"):
        meaning = only_meaning(hear(processor, text, tts, voice))
        assert meaning is None or meaning.do in {
            "help", "bigger", "smaller", "louder", "quieter", "scroll_down", "scroll_up",
            "yes", "no", "open"}, (text, meaning)
        assert meaning is None or meaning.number in (None, 1, 2), (text, meaning)


@pytest.mark.parametrize("voice", VOICES)
def test_home_rejects_commands_it_does_not_offer(engine, tts, voice):
    processor = make(engine, HOME)
    heard = {text: only_meaning(hear(processor, text, tts, voice))
             for text in ("next section", "read aloud", "three")}
    assert heard == dict.fromkeys(heard), heard


def test_context_changes_apply_from_the_next_utterance(engine, tts, reader):
    def on_home(meaning) -> bool:  # Home has no sections (whatever else it mishears)
        return meaning is None or meaning.section_id is None

    processor = make(engine, HOME)
    assert on_home(only_meaning(hear(processor, "go to stem cells", tts)))
    processor.set_context(reader)
    assert only_meaning(hear(processor, "go to stem cells", tts)).section_id == "stem-cells"
    processor.set_context(HOME)
    assert on_home(only_meaning(hear(processor, "go to stem cells", tts)))


def test_showing_numbers_makes_bare_numbers_choose_buttons(engine, tts):
    processor = make(engine, HOME)
    assert only_meaning(hear(processor, "four", tts)) is None  # Home lists two documents
    processor.set_context(replace(HOME, targets=4))
    assert only_meaning(hear(processor, "four", tts)) == Command("press", number=4)
    processor.set_context(HOME)
    assert only_meaning(hear(processor, "four", tts)) is None


def test_speech_that_goes_on_too_long_is_not_acted_on(engine, tts, reader):
    processor = make(engine, reader, endpointer=Endpointer(max_ms=1200))
    events = push_all(processor, silence(300) + spoken(
        "next section and then the one after that and the one after that", tts)
        + silence(800))
    assert events and accepted(events) == []
    assert any("too long" in e.heard.reason for e in events)


def test_events_carry_when_the_speech_ended_by_the_frame_clock(engine, tts, reader):
    clock = FrameClock(start=500.0)
    speech = spoken("go back", tts)
    events = push_all(make(engine, reader), silence(600) + speech + silence(900), clock)
    assert len(events) == 1
    speech_end = 500.0 + 0.6 + speech_bounds(speech)[1] / 1000
    assert speech_end - 0.15 <= events[0].speech_end <= speech_end + 0.1


# -- push to talk --------------------------------------------------------------------------


def test_push_to_talk_ignores_speech_while_the_key_is_up(engine, tts, reader):
    processor = make(engine, reader, mode=Mode.PUSH_TO_TALK)
    assert hear(processor, "next section", tts) == []
    assert not processor.endpointer.in_speech


def test_push_to_talk_release_ends_the_utterance_at_once(engine, tts, reader):
    processor = make(engine, reader, mode=Mode.PUSH_TO_TALK)
    processor.talking = True
    clock = FrameClock()
    # no silence after the words: only the release can end the utterance
    events = push_all(processor, silence(300) + trimmed(spoken("next section", tts)), clock)
    assert events == [] and processor.endpointer.in_speech
    released = processor.release()
    assert [e.heard.meaning for e in released] == [Command("next")]
    assert not processor.talking and not processor.endpointer.in_speech
    assert processor.release() == []
    # and with the key up again, speech is ignored
    assert hear(processor, "stop", tts, clock=clock) == []


def test_push_to_talk_key_up_mid_utterance_ends_it_on_the_next_frame(engine, tts, reader):
    processor = make(engine, reader, mode=Mode.PUSH_TO_TALK)
    processor.talking = True
    clock = FrameClock()
    assert push_all(processor, silence(300) + trimmed(spoken("go back", tts)), clock) == []
    processor.talking = False
    events = processor.push(bytes(960), now=clock.tick())
    assert [e.heard.meaning for e in events] == [Command("previous")]


# -- wake word -----------------------------------------------------------------------------


@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize("text", ["next section", "go back", "stop"])
def test_wake_word_mode_ignores_a_command_alone(engine, tts, reader, voice, text):
    processor = make(engine, reader, mode=Mode.WAKE_WORD)
    events = hear(processor, text, tts, voice)
    assert events, "the speech should still be decoded"
    # no command is carried out (being woken by a short word is tolerated here)
    assert [m for m in accepted(events) if m.do != "wake"] == [], [e.heard for e in events]


@pytest.mark.parametrize("voice", VOICES)
def test_wake_word_then_command_in_one_breath(engine, tts, reader, voice):
    processor = make(engine, reader, mode=Mode.WAKE_WORD)
    assert processor.grammar().wake_word == "kiosk"
    assert only_meaning(hear(processor, "kiosk next section", tts, voice)) == Command("next")
    assert only_meaning(hear(processor, "kiosk open three", tts, voice)) == \
        Command("open", number=3)
    assert processor.grammar().wake_word == "kiosk"


@pytest.mark.parametrize("voice", VOICES)
def test_wake_word_alone_then_command_within_a_few_seconds(engine, tts, reader, voice):
    processor = make(engine, reader, mode=Mode.WAKE_WORD)
    clock = FrameClock()
    assert only_meaning(hear(processor, "kiosk", tts, voice, clock)) == Command("wake")
    assert processor.grammar().wake_word == ""  # awake: commands without the wake word
    assert only_meaning(hear(processor, "next section", tts, voice, clock)) == Command("next")
    # the command used up the wake-up
    assert processor.grammar().wake_word == "kiosk"


def test_wake_word_window_closes_after_some_seconds(engine, tts, reader, monkeypatch):
    import kiosk.voice.listener as listener

    monkeypatch.setattr(listener, "WAKE_SECONDS", 0.8)
    processor = make(engine, reader, mode=Mode.WAKE_WORD)
    clock = FrameClock()
    kiosk = silence(300) + spoken("kiosk", tts) + silence(100)  # espeak adds ~0.4 s
    assert only_meaning(push_all(processor, kiosk, clock)) == Command("wake")
    assert processor.grammar().wake_word == ""
    time.sleep(0.9)  # 0.9 s later, by the wall clock and by the audio clock
    push_all(processor, silence(900), clock)
    assert processor.grammar().wake_word == "kiosk"


def test_wake_word_window_follows_the_audio_clock(engine, tts, reader):
    """The window after "kiosk" is WAKE_SECONDS of audio, also when audio comes faster than
    real time (`kiosk hear`, FileMic at speed 0 or 4) with its clock given to push()."""
    processor = make(engine, reader, mode=Mode.WAKE_WORD)
    clock = FrameClock()
    assert only_meaning(hear(processor, "kiosk", tts, clock=clock)) == Command("wake")
    push_all(processor, silence(8000), clock)  # eight seconds of audio later
    assert accepted(hear(processor, "next section", tts, clock=clock)) == []


def test_wake_word_is_not_needed_to_stop_reading(engine, tts, reading):
    processor = make(engine, reading, mode=Mode.WAKE_WORD)
    assert only_meaning(hear(processor, "stop", tts)) == Command("stop")


# -- while the kiosk reads -----------------------------------------------------------------


@pytest.mark.parametrize("voice", VOICES)
def test_while_reading_stop_and_pause_are_heard(engine, tts, reading, voice):
    processor = make(engine, reading)
    assert only_meaning(hear(processor, "stop", tts, voice)) == Command("stop")
    assert only_meaning(hear(processor, "pause", tts, voice)) == Command("pause")
    assert only_meaning(hear(processor, "stop reading", tts, voice)) == Command("stop")


@pytest.mark.parametrize("voice", VOICES)
def test_while_reading_other_commands_are_not_acted_on(engine, tts, reading, voice):
    processor = make(engine, reading)
    for text in ("next section", "open three", "read aloud", "go to stem cells"):
        events = hear(processor, text, tts, voice)
        assert events, text
        assert accepted(events) == [], (text, [e.heard for e in events])


def test_own_voice_guard_rejects_stop_when_the_kiosk_is_saying_stop(engine, tts, reading):
    processor = make(engine, reading)
    processor.own_words = lambda: "As motor neurons die, they stop sending messages."
    events = hear(processor, "stop", tts)
    assert len(events) == 1
    assert events[0].heard.meaning is None
    assert "own voice" in events[0].heard.reason
    # a word the kiosk is not saying is still heard
    assert only_meaning(hear(processor, "pause", tts)) == Command("pause")
    processor.own_words = lambda: "Muscles weaken over time."
    assert only_meaning(hear(processor, "stop", tts)) == Command("stop")


def test_own_voice_guard_applies_only_while_reading(engine, tts, reader):
    processor = make(engine, reader)
    processor.own_words = lambda: "They stop sending messages."
    assert only_meaning(hear(processor, "stop", tts)) == Command("stop")


@pytest.fixture(scope="module")
def own_reading(tmp_path_factory):
    """Sections 1 (which says "stop" and "stops") and 14 of the NINDS document as the kiosk
    reads them aloud."""
    folder = tmp_path_factory.mktemp("own")
    rendered = []
    for number in ("1", "14"):
        out = folder / f"section-{number}.wav"
        subprocess.run([str(PYTHON), "-m", "kiosk", "speak", "ninds-als", number, "--out",
                        str(out)], cwd=ROOT, check=True, capture_output=True, timeout=120)
        timings = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
        rendered.append((read_wav(out), timings))
    return rendered


class OwnWords:
    """What the kiosk is saying at the current audio time: the sentence being said and the
    one before, from `kiosk speak`'s timings (as the app takes them from the narrator)."""

    def __init__(self, sentences: list[dict]) -> None:
        self.sentences = sentences
        self.seconds = 0.0

    def __call__(self) -> str:
        ms = self.seconds * 1000
        index = max([i for i, s in enumerate(self.sentences) if s["start_ms"] <= ms] or [0])
        return " ".join(s["spoken"] for s in self.sentences[max(0, index - 1):index + 1])


def test_the_kiosks_own_reading_fed_back_fires_no_command(engine, reading, own_reading):
    """The microphone hears the kiosk read; its own words must not stop or pause it."""
    heard = []
    for pcm, timings in own_reading:
        assert timings["duration_ms"] > 10_000
        processor = make(engine, reading)
        own_words = OwnWords(timings["sentences"])
        processor.own_words = own_words
        for n, frame in enumerate(frames(pcm + silence(1000))):
            own_words.seconds = (n + 1) * FRAME_MS / 1000
            heard.extend(processor.push(frame, now=own_words.seconds))
    assert len(heard) >= 5, "the reading should have been taken for speech and judged"
    assert accepted(heard) == [], [e.heard for e in heard if e.heard.meaning]


# -- Listener ------------------------------------------------------------------------------


class Inbox:
    """Collects what a Listener reports, with the thread it came on."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.threads: set[str] = set()
        self.problems: list[str] = []
        self.arrived = threading.Condition()

    def on_event(self, event: Event) -> None:
        with self.arrived:
            self.events.append(event)
            self.threads.add(threading.current_thread().name)
            self.arrived.notify_all()

    def on_problem(self, text: str) -> None:
        with self.arrived:
            self.problems.append(text)
            self.arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 20) -> list[Event]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.events) >= count, timeout)
            return list(self.events)


def listen(processor, paths, speed, inbox, gap_s=0.8):
    mic = FileMic(paths, speed=speed, gap_s=gap_s, lead_s=0.3)
    listener = Listener(processor, mic, inbox.on_event, inbox.on_problem)
    listener.start()
    return listener


@pytest.mark.parametrize("speed", [0, 4.0])
def test_listener_delivers_events_on_its_own_thread(engine, tts, reader, speed):
    texts = ["stop", "next section", "go back"]
    inbox = Inbox()
    listener = listen(make(engine, reader), [say(t, tts) for t in texts], speed, inbox)
    try:
        events = inbox.wait_for(3)
    finally:
        listener.stop()
    assert [e.heard.meaning for e in events] == [Command("stop"), Command("next"),
                                                 Command("previous")]
    assert inbox.threads == {"listener"}
    assert inbox.problems == []


def test_listener_at_full_speed_loses_no_audio_of_a_long_batch(engine, tts, reader):
    """FileMic speed 0 is documented as "as fast as the listener takes frames": every
    command of a batch longer than the listener's frame queue must still be heard."""
    texts = ["stop", "next section", "go back", "read aloud", "scroll down", "volume up",
             "zoom in", "open three", "pause", "faster", "say that again", "slow down"]
    inbox = Inbox()
    listener = listen(make(engine, reader), [say(t, tts) for t in texts], 0, inbox, gap_s=1.0)
    try:
        events = inbox.wait_for(len(texts), timeout=6)
    finally:
        listener.stop()
    assert [e.heard.text for e in events] == texts


def test_listener_set_context_applies_to_the_next_utterance(engine, tts, reader):
    inbox = Inbox()
    processor = make(engine, HOME)
    texts = ["open two", "next section"]
    mic = FileMic([say(t, tts) for t in texts], speed=4.0, gap_s=1.0, lead_s=0.3)
    listener = Listener(processor, mic, inbox.on_event, inbox.on_problem)
    original = inbox.on_event

    def on_event(event: Event) -> None:
        original(event)
        if len(inbox.events) == 1:  # the person opened a document: now on its Reader
            listener.set_context(reader)

    listener.on_event = on_event
    listener.start()
    try:
        events = inbox.wait_for(2)
    finally:
        listener.stop()
    assert [e.heard.meaning for e in events] == [Command("open", number=2), Command("next")]


def test_listener_push_to_talk_via_talk(engine, tts, reader):
    inbox = Inbox()
    processor = make(engine, reader, mode=Mode.PUSH_TO_TALK)
    mic = FileMic([say("next section", tts)], speed=4.0, gap_s=0.5, lead_s=0.3)
    listener = Listener(processor, mic, inbox.on_event, inbox.on_problem)
    listener.start()
    try:
        assert mic.finished.wait(10)
        time.sleep(0.2)
        assert inbox.events == []  # key up: nothing heard
        listener.talk(True)
        mic.play(say("go back", tts))
        events = inbox.wait_for(1, timeout=5)
        listener.talk(False)
        mic.play(say("stop", tts))
        assert mic.finished.wait(10)
        time.sleep(0.2)
    finally:
        listener.stop()
    assert [e.heard.meaning for e in inbox.events] == [Command("previous")]
    assert events


class FlakyEngine(SphinxEngine):
    """The real engine, failing once at one edge of one utterance."""

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where
        self.failed = False

    def _maybe_fail(self, where: str) -> None:
        if where == self.where and not self.failed:
            self.failed = True
            raise RuntimeError("simulated decoder failure")

    def feed(self, pcm: bytes) -> None:
        self._maybe_fail("feed")
        super().feed(pcm)

    def finish(self):
        result = super().finish()
        self._maybe_fail("finish")
        return result


@pytest.mark.parametrize("where", ["finish", "feed"])
def test_a_decoding_failure_is_reported_and_listening_goes_on(tts, reader, where):
    inbox = Inbox()
    processor = Processor(Recogniser(FlakyEngine(where)))
    processor.set_context(reader)
    texts = ["next section", "go back", "stop"]
    listener = listen(processor, [say(t, tts) for t in texts], 4.0, inbox)
    try:
        assert listener.source.finished.wait(10)
        deadline = time.monotonic() + 10  # the listener thread takes the last frames
        while time.monotonic() < deadline and not (
                inbox.events and inbox.events[-1].heard.meaning == Command("stop")):
            time.sleep(0.05)
    finally:
        listener.stop()
    assert len(inbox.problems) == 1, inbox.problems
    assert "RuntimeError" in inbox.problems[0]
    # the commands after the failed one are heard (what is left of the failed one may be)
    assert [e.heard.meaning for e in inbox.events][-2:] == [Command("previous"), Command("stop")]


def test_a_failure_in_a_queued_action_is_reported_and_listening_goes_on(tts, reader):
    """Push-to-talk released mid-utterance: the engine fails in ``finish`` while the
    listener thread runs the queued release. Voice must say so and keep listening, not end
    the thread while the microphone still looks alive."""
    inbox = Inbox()
    processor = Processor(Recogniser(FlakyEngine("finish")), mode=Mode.PUSH_TO_TALK)
    processor.set_context(reader)
    speech = say("next section", tts)
    mic = FileMic([speech], speed=4.0, gap_s=0.5, lead_s=0.3)
    listener = Listener(processor, mic, inbox.on_event, inbox.on_problem)
    listener.start()
    try:
        assert mic.finished.wait(10)
        listener.talk(True)
        mic.play(speech)
        time.sleep(0.4)  # mid-phrase at 4x speed
        listener.talk(False)  # the release decodes at once, and the engine fails
        with inbox.arrived:
            inbox.arrived.wait_for(lambda: inbox.problems, 5)
        listener.talk(True)
        mic.play(say("go back", tts))
        events = inbox.wait_for(1, timeout=10)
        listener.talk(False)
        alive = listener.alive()
    finally:
        listener.stop()
    assert len(inbox.problems) == 1 and "RuntimeError" in inbox.problems[0], inbox.problems
    assert alive
    assert Command("previous") in [e.heard.meaning for e in events]


def test_a_listener_whose_thread_died_does_not_look_alive(engine, tts, reader, monkeypatch):
    """Whatever ends the listener thread, the microphone watchdog must see it (the frame
    age grows) and opening the source again starts a new thread."""
    inbox = Inbox()
    listener = listen(make(engine, reader), [say("stop", tts)], 4.0, inbox)
    try:
        listener._frames.put(None)  # the thread ends as if something escaped its loop
        listener._thread.join(5)
        assert not listener.alive()
        assert listener.frame_age() == float("inf")
        listener.stop_source()  # what the app's microphone watchdog does, then tries again
        listener.start_source()
        assert listener.alive()
        listener.source.play(say("go back", tts))
        events = inbox.wait_for(2, timeout=10)
    finally:
        listener.stop()
    assert Command("previous") in [e.heard.meaning for e in events]


def test_switching_voice_off_mid_utterance_leaves_listening_working(tts, reader):
    processor = Processor(Recogniser(SphinxEngine()))
    processor.set_context(reader)
    clock = FrameClock()
    speech = spoken("table of contents", tts)
    push_all(processor, silence(300) + speech[: len(speech) // 2], clock)
    assert processor.endpointer.in_speech
    processor.mode = Mode.OFF  # the person turns voice off in Settings, mid-phrase
    push_all(processor, speech[len(speech) // 2:] + silence(500), clock)
    processor.mode = Mode.ALWAYS
    events = hear(processor, "stop", tts, clock=clock)
    assert [e.heard.meaning for e in events] == [Command("stop")]


# -- privacy -------------------------------------------------------------------------------


def test_logs_hold_intent_names_only(engine, tts, reader, caplog, tmp_path, monkeypatch):
    """"No audio is ever written to disk or logged; logs hold intent names only."""
    monkeypatch.chdir(tmp_path)
    texts = ["go to stem cells", "what can i say", "the weather is nice today",
             "open riluzole", "section twelve"]
    paths = [say(t, tts) for t in texts]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    inbox = Inbox()
    with caplog.at_level(logging.DEBUG):
        listener = listen(make(engine, reader), paths, 4.0, inbox)
        try:
            events = inbox.wait_for(len(texts))
        finally:
            listener.stop()
    assert len(events) == len(texts)
    heard = {e.heard.text for e in events if e.heard.text}
    assert {"go to stem cells", "what can i say", "open riluzole", "section twelve"} <= heard
    intents = {"read", "stop", "pause", "resume", "next", "previous", "home", "contents",
               "repeat", "faster", "slower", "louder", "quieter", "bigger", "smaller",
               "scroll_down", "scroll_up", "help", "yes", "no", "open", "wake"}
    private = {t for t in heard if t not in intents}
    private |= {e.heard.meaning.title.lower() for e in events
                if e.heard.meaning and e.heard.meaning.title}
    private |= {"stem cells", "riluzole", "twelve", "weather"}
    reported = []
    for record in caplog.records:
        message = record.getMessage()
        for words in private:
            assert words not in message.lower(), f"log holds what was said: {message!r}"
        for arg in record.args or ():
            assert not isinstance(arg, bytes | bytearray), message
        if record.name == "kiosk.voice.listener" and message.startswith("voice: "):
            reported.append(message.removeprefix("voice: "))
    assert reported, "each utterance should be logged by its intent name"
    assert set(reported) <= intents | {"rejected"}, reported
    assert "open" in reported
    assert sorted(p.name for p in tmp_path.rglob("*")) == before, "files were written"


# -- following a person reading aloud (kiosk/voice/dictation.py) ---------------------------


@pytest.mark.parametrize("voice", VOICES)
def test_while_following_a_reader_only_wake_word_commands_count(engine, tts, reader, voice):
    processor = make(engine, reader)
    processor.following = True  # a person reads "... stop ..." from the text
    assert only_meaning(hear(processor, "stop", tts, voice)) is None
    assert only_meaning(hear(processor, "kiosk stop", tts, voice)) == Command("stop")
    processor.following = False
    assert only_meaning(hear(processor, "stop", tts, voice)) == Command("stop")


class Told:
    """Collects a follow-along session's events."""

    def __init__(self) -> None:
        self.events: list = []
        self.done = threading.Event()

    def __call__(self, event) -> None:
        self.events.append(event)
        if isinstance(event, FollowEnded):
            self.done.set()


def written(track: Track):
    """Whisper as a stand-in that writes down the track's first words, whatever it hears
    (the listener's wiring is under test here; real transcription: tests/test_gui_follow.py
    and tests/test_follow_cli.py)."""
    return lambda _samples, _before: (" ".join(track.shown[:12]), 0.0)


def test_a_follow_session_that_cannot_start_or_fails_is_told_and_commands_go_on(
        engine, tts, reader, ninds):
    from kiosk.speech.lexicon import Lexicon

    track = Track.of(ninds, Lexicon.empty(), 2)
    inbox, told = Inbox(), Told()
    processor = make(engine, reader)
    mic = FileMic([say("next section", tts), say("go back", tts)], speed=0, gap_s=0.5,
                  lead_s=0.3)
    listener = Listener(processor, mic, inbox.on_event, inbox.on_problem)

    def broken(_processor):
        raise RuntimeError("no model here")

    listener.follow(broken, told)
    listener.start()
    try:
        assert told.done.wait(10)
        assert "could not start: no model here" in told.events[-1].why
        told.done.clear()

        class Failing(Following):
            def push(self, *args):
                raise ValueError("broken window")

        listener.follow(lambda _p: Failing(written(track), track), told)
        assert told.done.wait(10)
        assert told.events[-1].why.startswith("Follow my reading had a problem (ValueError)")
        events = inbox.wait_for(2)
    finally:
        listener.stop()
    assert not listener.following and not processor.following
    assert [e.heard.meaning for e in events] == [Command("next"), Command("previous")]
    assert inbox.problems == []


def test_following_ends_after_30_seconds_without_speech_by_the_audio_clock(ninds, tts):
    from kiosk.speech.lexicon import Lexicon

    track = Track.of(ninds, Lexicon.empty(), 2)
    session = Following(written(track), track)
    assert isinstance(session.push(silence(FRAME_MS), -90.0), Moved)  # (the heading)
    speech = list(frames(spoken("Who is more likely to get ALS?", tts)))
    for frame in speech:
        assert not isinstance(session.push(frame, frame_level(frame)), FollowEnded)
    assert session.quiet_s < 0.5, "the speech was not heard"
    quiet = 0
    ended = None
    while ended is None:
        assert quiet * FRAME_MS / 1000 < SILENCE_S + 1, "it never ended"
        ended = session.push(silence(FRAME_MS), -90.0)
        quiet += 1
    assert isinstance(ended, FollowEnded) and "30 seconds" in ended.why
    assert SILENCE_S - 0.6 <= quiet * FRAME_MS / 1000 <= SILENCE_S
    hushed = Following(written(track), track)  # the kiosk's own notice is not the reader
    assert all(hushed.push(frame, frame_level(frame), hush=True) is None for frame in speech)
    assert hushed.quiet_s == 0
    assert hushed.dictation.audio_s == 0


def test_while_following_with_push_to_talk_the_held_key_is_enough(engine, tts, reader):
    processor = make(engine, reader, mode=Mode.PUSH_TO_TALK)
    processor.following = True
    processor.talking = True
    assert only_meaning(hear(processor, "stop", tts)) == Command("stop")
