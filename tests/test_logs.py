"""The kiosk's log files: they rotate at their size limit, go where the configuration says,
survive Kivy taking over the root logger, and hold intent names, never what was said."""

from __future__ import annotations

import logging
import logging.handlers
import os
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from soak_walk import FakeClock
from voice_tools import ROOT, say

from kiosk import logs
from kiosk.config import Settings, load_settings
from kiosk.content import load_library
from kiosk.voice.grammar import Context
from kiosk.voice.listener import Listener, Processor
from kiosk.voice.recogniser import Recogniser, open_engine
from kiosk.voice.sources import FileMic


@pytest.fixture(autouse=True)
def kiosk_logger():
    """Give the ``kiosk`` logger back as it was (handlers and level) after each test."""
    logger = logging.getLogger("kiosk")
    handlers, level = list(logger.handlers), logger.level
    yield logger
    for handler in logger.handlers:
        if handler not in handlers:
            handler.close()
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_logs_rotate_at_the_size_limit_and_keep_so_many(tmp_path):
    path = logs.setup_logging(tmp_path / "logs", max_bytes=2_000, backups=2)
    assert path == tmp_path / "logs" / "kiosk.log"
    log = logging.getLogger("kiosk.test")
    for index in range(200):
        log.info("line %03d of the rotation test", index)
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["kiosk.log", "kiosk.log.1", "kiosk.log.2"]
    for file in path.parent.iterdir():
        assert file.stat().st_size <= 2_000
    assert "line 199 of the rotation test" in path.read_text(encoding="utf-8")
    assert "line 000" not in "".join(p.read_text(encoding="utf-8")
                                     for p in path.parent.iterdir()), "the oldest went"


def test_the_defaults_are_a_megabyte_and_five_files(tmp_path):
    logs.setup_logging(tmp_path)
    (handler,) = [h for h in logging.getLogger("kiosk").handlers
                  if isinstance(h, logging.handlers.RotatingFileHandler)]
    assert (handler.maxBytes, handler.backupCount) == (1_000_000, 5)


def test_setting_up_again_replaces_the_file_handler(tmp_path):
    logs.setup_logging(tmp_path / "a")
    logs.setup_logging(tmp_path / "b")
    files = [h for h in logging.getLogger("kiosk").handlers
             if isinstance(h, logging.handlers.RotatingFileHandler)]
    assert [Path(h.baseFilename).parent.name for h in files] == ["b"]


def test_the_log_folder_comes_from_the_configuration_or_platformdirs(tmp_path, monkeypatch):
    monkeypatch.setattr(logs.platformdirs, "user_log_dir", lambda name: f"/logs/of/{name}")
    assert logs.log_dir_of(Settings()) == Path("/logs/of/als-kiosk")
    assert logs.log_dir_of(None) == Path("/logs/of/als-kiosk")
    assert logs.log_dir_of(Settings(log_dir=tmp_path)) == tmp_path
    config = tmp_path / "kiosk.yaml"
    config.write_text("log_dir: var/log\n", encoding="utf-8")
    settings = load_settings(config)
    assert settings.problems == ()
    path = logs.setup_logging(settings)
    assert path == tmp_path / "var" / "log" / "kiosk.log"
    logging.getLogger("kiosk.test").warning("written where the configuration says")
    assert "written where" in path.read_text(encoding="utf-8")


def test_a_folder_that_cannot_be_written_is_said_and_the_kiosk_goes_on(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert logs.setup_logging(blocker / "logs") is None
    err = capsys.readouterr().err
    assert "cannot write logs" in err and "log_dir" in err
    logging.getLogger("kiosk.test").info("no crash without a log file")


def test_kiosk_messages_reach_the_file_when_kivy_takes_the_root_logger(tmp_path):
    """Kivy's default log mode puts its handlers on the root logger and sends stderr to its
    logger; the kiosk's handler is on the ``kiosk`` logger, so its file still gets them."""
    script = (
        "import logging, sys\n"
        "from kiosk.logs import setup_logging\n"
        f"path = setup_logging({str(tmp_path)!r})\n"
        "import kivy.logger\n"
        "logging.getLogger('kiosk.voice.listener').info('voice: stop')\n"
        "logging.getLogger('kiosk.speech.audio').warning('no sound from output default')\n"
        "print(path)\n"
    )
    env = dict(os.environ, KIVY_LOG_MODE="KIVY", KIVY_NO_FILELOG="1",
               KIVY_HOME=str(tmp_path / "kivy"), KIVY_NO_ARGS="1")
    env.pop("KIVY_NO_CONSOLELOG", None)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "kiosk.log").read_text(encoding="utf-8")
    assert "INFO kiosk.voice.listener: voice: stop" in text
    assert "WARNING kiosk.speech.audio: no sound from output default" in text


# ---- privacy: the app's listening path, logged to a file ------------------------------------

class Inbox:
    def __init__(self) -> None:
        self.events: list = []
        self.arrived = threading.Condition()

    def on_event(self, event) -> None:
        with self.arrived:
            self.events.append(event)
            self.arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 30) -> list:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.events) >= count, timeout)
            return list(self.events)


def test_the_log_file_holds_intent_names_and_not_what_was_said(tmp_path):
    """Speech through the listener (file microphone, PocketSphinx, the Reader's grammar):
    the log file names the intents of commands and says "rejected" for other speech; none
    of the words spoken, neither the commands' nor the conversation's, are in it."""
    log_dir = tmp_path / "logs"
    path = logs.setup_logging(log_dir, level=logging.DEBUG)
    tts = tmp_path / "tts"
    texts = ["open riluzole", "the weather is lovely in the garden today", "next section",
             "my sister phoned about the appointment on tuesday"]
    wavs = [say(text, tts) for text in texts]
    before = sorted(p for p in tmp_path.rglob("*") if p.parent != log_dir)
    ninds = load_library(ROOT / "content").get("ninds-als")
    engine, _notes = open_engine("pocketsphinx")
    processor = Processor(Recogniser(engine))
    processor.set_context(Context("reader", ninds, len(ninds.entries)))
    inbox = Inbox()
    listener = Listener(processor, FileMic(wavs, speed=4.0, gap_s=0.8, lead_s=0.3),
                        inbox.on_event)
    listener.start()
    try:
        events = inbox.wait_for(len(texts))
    finally:
        listener.stop()
    for handler in logging.getLogger("kiosk").handlers:
        handler.flush()
    assert len(events) == len(texts)
    intents = [e.heard.meaning.do if e.heard.meaning else None for e in events]
    assert intents[0] == "open" and intents[2] == "next", intents
    text = path.read_text(encoding="utf-8").lower()
    assert "voice: open" in text and "voice: next" in text
    listener_lines = [line.split("kiosk.voice.listener: ")[1] for line in text.splitlines()
                      if "kiosk.voice.listener: " in line]
    assert listener_lines == [f"voice: {i or 'rejected'}" for i in intents]
    heard = {e.heard.text for e in events if e.heard.text}
    words = {w for t in texts for w in t.split()} | {w for h in heard for w in h.split()}
    words -= {"open", "next", "the", "in", "on", "my", "is", "about"}
    # Words of what was said, and of what the recogniser made of it, are nowhere in the log.
    logged_words = set(text.replace(":", " ").split())
    assert not words & logged_words, words & logged_words
    for phrase in ("riluzole", "weather", "garden", "sister", "appointment", "section"):
        assert phrase not in text
    after = sorted(p for p in tmp_path.rglob("*") if p.parent != log_dir)
    assert after == before, "no audio was written to disk"


def test_settings_log_dir_is_used_by_setup_logging(tmp_path):
    path = logs.setup_logging(replace(Settings(), log_dir=tmp_path / "x"))
    assert path == tmp_path / "x" / "kiosk.log"


# ---- faults that are retried: logged when they start and when they end ----------------------

def test_a_retried_fault_is_logged_once_when_it_starts_and_once_when_it_ends(tmp_path):
    """Eleven hours without speakers, looked for every 3 s, leave two lines in the log (it
    was about 1 MB of the same warning): when sound went, with the library's words for
    staff, and when it works again, with how long it was out."""
    path = logs.setup_logging(tmp_path)
    clock = FakeClock()
    fault = logs.FaultLog(logging.getLogger("kiosk.ui.reading"), "sound", clock)
    assert not fault.active
    for _ in range(11 * 3600 // 3):
        fault.failed("no sound from output default: Error querying device -1")
        clock.advance(3)
    assert fault.active and fault.retries == 11 * 1200 - 1
    fault.recovered("speakers (USB Audio)")
    fault.recovered("speakers (USB Audio)")  # works, still works: nothing more to say
    clock.advance(60)
    fault.failed("no sound from output default: Error querying device -1")  # a new fault
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3, lines
    assert "WARNING kiosk.ui.reading: sound unavailable: no sound from output default: " \
           "Error querying device -1" in lines[0]
    assert lines[1].endswith("INFO kiosk.ui.reading: sound works again after 11 h 0 min "
                             "(13199 retries): speakers (USB Audio)")
    assert "WARNING kiosk.ui.reading: sound unavailable" in lines[2]
    assert path.stat().st_size < 1_000


def test_a_part_that_keeps_coming_back_and_failing_is_one_fault(tmp_path):
    """A microphone that opens but hands over no sound comes back and fails every few
    seconds: after the first loss and return, nothing more is logged or announced (the
    calls return False) until it stays out for the settle time, which is logged once."""
    path = logs.setup_logging(tmp_path)
    clock = FakeClock()
    fault = logs.FaultLog(logging.getLogger("kiosk.ui.voice"), "microphone", clock)
    told = [fault.failed("no sound from it for 2.0 s"), fault.recovered("opened")]
    for _ in range(1000):  # about 80 minutes of flapping
        clock.advance(2)
        told.append(fault.failed("no sound from it for 2.0 s"))
        clock.advance(3)
        told.append(fault.recovered("opened"))
    assert told[:2] == [True, True] and not any(told[2:])
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2
    fault.failed("no sound from it for 2.0 s")  # then it stays out
    for _ in range(12):
        clock.advance(3)
        told.append(fault.failed("Error opening InputStream"))
    assert told.count(True) == 3
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and "microphone unavailable again soon after it came back: Error " \
        "opening InputStream" in lines[2]
    clock.advance(3)
    assert fault.recovered("opened") is True  # and its return is told once more


def test_durations_in_the_log_are_short_words():
    assert [logs.duration_words(s) for s in (0.4, 4, 65, 3 * 3600 + 125)] == [
        "0 s", "4 s", "1 min 5 s", "3 h 2 min"]


def test_a_warning_is_printed_once_on_stderr_after_the_speech_engine_starts(tmp_path):
    """pyttsx3 logs through the root logger as it starts, which installed Python's default
    handler beside the kiosk's: every warning was printed twice, in two formats, and every
    Kivy INFO line too. Now one handler prints warnings once; INFO goes to the file only."""
    script = (
        "import logging\n"
        "from kiosk.logs import setup_logging\n"
        f"setup_logging({str(tmp_path)!r})\n"
        "from kiosk.speech.synth import Synthesiser\n"
        "assert Synthesiser.shared().voices()\n"
        "logging.getLogger('kiosk.speech.audio').warning('the speakers went away')\n"
        "logging.getLogger('kiosk.ui.voice').info('voice: ready')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("the speakers went away") == 1, done.stderr
    assert "kiosk: WARNING kiosk.speech.audio: the speakers went away" in done.stderr
    assert "voice: ready" not in done.stderr
    assert "voice: ready" in (tmp_path / "kiosk.log").read_text(encoding="utf-8")


def test_looking_for_missing_speakers_again_and_again_logs_nothing(monkeypatch, caplog):
    """open_output is what the kiosk calls every 3 s while there are no speakers: it logs
    nothing itself (the Reader's FaultLog does, once); the library's words travel on the
    silent sink for the log and kiosk doctor, and the reason for the screen is plain."""
    from test_player import fake_sounddevice

    from kiosk.speech import audio

    monkeypatch.setattr(audio, "load_sounddevice", lambda: fake_sounddevice([]))
    with caplog.at_level(logging.INFO, logger="kiosk"):
        for _ in range(5):
            sink, reason = audio.open_output("auto")
            sink.close()
    assert [r for r in caplog.records if r.levelno >= logging.INFO] == []
    assert sink.detail == "no sound from output default: Error querying device -1"
    assert reason == audio.NO_DEVICE and "Error" not in reason and "-1" not in reason
