"""Shared fixtures: a real Kivy window on a virtual screen (Xvfb) driven by a Pilot.

The window is created once per test session (Kivy allows one per process, and one per
pytest-xdist worker); each GUI test starts from a reset app. Screenshots go to
tests/artifacts/ for people to look at.

Tiers (README, "Development"): ``gui`` tests open the window; ``engine`` tests run a real
speech engine (espeak-ng, pyttsx3, PocketSphinx, Vosk, Whisper) and are marked here by the
fixtures and modules listed below; the rest, ``make test-fast``, needs neither.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

# GUI test modules import Kivy only inside tests: importing it at collection time would open
# a window before the virtual screen exists and with Kivy's default 800x600 size.
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"

ENGINE_FIXTURES = frozenset({
    "synthesiser",  # the kiosk's pyttsx3/espeak-ng synthesiser (below)
    "engine",  # a recogniser (test_voice_listener, test_vosk_engine, test_whisper_engine)
    "tts", "speech", "said", "own_reading",  # speech made by espeak-ng at test time
    "espeak", "pronouncer",  # espeak-ng's phonemes (test_pronounce)
    "synth",  # test_synth
})
"""Fixtures that start a real speech engine: every test that uses one is marked ``engine``."""
ENGINE_MODULES = frozenset({
    "test_voice_listener", "test_vosk_engine", "test_hear", "test_synth", "test_speak",
    "test_natural_voice", "test_follow_cli",
    "test_engine_choice", "test_pronounce",
})
"""Test modules about an engine, whose tests need it even without one of those fixtures."""
ENGINE_TESTS = frozenset({
    "test_normalise.py::test_the_engine_says_it_as_meant",
    "test_faults.py::test_a_hung_engine_is_abandoned_then_answers_again_when_it_returns",
    "test_faults.py::test_an_engine_error_is_a_synthesis_error_with_the_reason",
    "test_faults.py::test_the_listener_sees_a_silent_microphone_and_listens_to_another",
    "test_logs.py::test_the_log_file_holds_intent_names_and_not_what_was_said",
    "test_models.py::test_list_check_loads_each_model",
    "test_config.py::test_the_shipped_voice_is_installed",
    "test_whisper_engine.py::test_kiosk_hear_with_whisper_says_why_a_sound_was_rejected",
    # kiosk doctor tries the voices and the recogniser
    "test_doctor.py::test_doctor_prints_every_check_and_fails_without_a_screen",
    "test_doctor.py::test_doctor_reports_broken_content_and_a_bad_key",
    "test_doctor.py::test_doctor_measures_a_wav_through_the_file_microphone",
    "test_doctor.py::test_negative_seconds_are_refused",
    "test_doctor.py::test_exit_code_is_zero_when_nothing_fails_and_warnings_are_allowed",
    "test_doctor.py::test_exit_code_is_one_when_a_check_fails",
    "test_doctor.py::test_a_check_that_breaks_becomes_a_failed_row",
    "test_doctor.py::test_speech_from_a_wav_is_above_silence",
    "test_doctor.py::test_on_a_terminal_a_level_bar_moves",
    "test_doctor.py::test_voices_work_and_an_unknown_voice_is_named",
    "test_doctor.py::test_recogniser_reports_whisper_when_installed",
    "test_doctor.py::test_recogniser_without_whisper_warns_and_says_how_to_reinstall",
    "test_models.py::test_list_says_whisper_is_the_engine_when_installed",
    # kiosk check and kiosk run make sure the configured voice is installed (pyttsx3)
    "test_cli.py::test_check_passes_on_the_shipped_content",
    "test_cli.py::test_check_lists_every_broken_file_and_exits_non_zero",
    "test_cli.py::test_check_reports_a_bad_configuration_key",
    "test_cli.py::test_import_writes_a_draft_that_loads",
    "test_cli.py::test_check_reports_a_broken_pronunciation_lexicon",
    "test_cli.py::test_check_refuses_a_voice_that_is_not_installed",
    "test_cli.py::test_options_without_a_verb_are_the_run_verbs",
    "test_cli.py::test_the_no_display_hint_names_the_command_as_it_can_be_typed",
    "test_licence.py::test_kiosk_mode_check_reminds_that_webmd_needs_permission",
    "test_licence.py::test_a_home_install_is_not_reminded",
    "test_logs.py::test_a_warning_is_printed_once_on_stderr_after_the_speech_engine_starts",
})
"""Single tests elsewhere that run an engine (directly or through a ``kiosk`` command)."""


def pytest_collection_modifyitems(config, items) -> None:
    """Mark ``engine`` the tests that run a real speech engine (see the lists above). A name
    in ENGINE_TESTS whose file was collected but which no longer exists stops the run, so a
    renamed test cannot slip into the fast tier unnoticed."""
    seen: set[str] = set()
    files: set[str] = set()
    for item in items:
        path = Path(str(item.fspath))
        test = f"{path.name}::{getattr(item, 'originalname', item.name)}"
        seen.add(test)
        files.add(path.name)
        if (ENGINE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
                or path.stem in ENGINE_MODULES or test in ENGINE_TESTS):
            item.add_marker(pytest.mark.engine)
    if config.getoption("keyword") or config.getoption("deselect"):
        return  # a partial collection (-k, --deselect) need not name every listed test
    stale = sorted(t for t in ENGINE_TESTS if t.split("::")[0] in files and t not in seen)
    if stale:
        raise pytest.UsageError(f"tests/conftest.py ENGINE_TESTS names tests that no longer "
                                f"exist: {', '.join(stale)}")


@pytest.fixture(scope="module")
def tts(tmp_path_factory) -> Path:
    """One folder of espeak-ng phrases for the whole module (voice_tools.say writes there)."""
    return tmp_path_factory.mktemp("tts")


@pytest.fixture(scope="session")
def synthesiser():
    """The kiosk's own speech synthesiser (pyttsx3 driving espeak-ng), shared by the session."""
    from kiosk.speech.synth import Synthesiser

    return Synthesiser.shared()


@pytest.fixture(scope="session")
def virtual_display() -> Iterator[str]:
    """Start Xvfb at 1920x1080 (the reference kiosk screen) and point DISPLAY at it."""
    from x11_tools import bare_xvfb

    previous = os.environ.get("DISPLAY")
    with bare_xvfb(1920, 1080) as display:
        os.environ["DISPLAY"] = display
        yield display
    if previous is None:
        os.environ.pop("DISPLAY", None)
    else:
        os.environ["DISPLAY"] = previous


@pytest.fixture(scope="session")
def _kiosk_session(virtual_display: str):
    """The one real KioskApp of this test session, in a 1920x1080 window."""
    kivy_home = tempfile.mkdtemp(prefix="kiosk-kivy-")
    os.environ["KIVY_HOME"] = kivy_home
    from kiosk.config import Settings
    from kiosk.ui import prepare_kivy

    # idle_seconds=0: the idle reset never fires by surprise during the ~4 minute session;
    # the kiosk-mode tests turn it on with a fake clock.
    settings = Settings(window_width=1920, window_height=1080, idle_seconds=0)
    prepare_kivy(settings.window_width, settings.window_height, fullscreen=False)
    from kiosk_pilot import Pilot
    from kivy.base import runTouchApp, stopTouchApp
    from kivy.core.window import Window

    from kiosk.ui.app import KioskApp

    assert tuple(Window.size) == (1920, 1080), "Kivy was imported before the test window was set up"
    from audio_tools import VirtualSpeakers

    from kiosk.voice.sources import FileMic

    app = KioskApp(settings, audio_sink=VirtualSpeakers(), mic_source=FileMic([], speed=1.0))
    app._run_prepare()
    runTouchApp(embedded=True)
    pilot = Pilot(app, ARTIFACTS)
    pilot.frames(5)
    yield pilot
    stopTouchApp()
    shutil.rmtree(kivy_home, ignore_errors=True)


@pytest.fixture
def pilot(_kiosk_session):
    """A Pilot on the real app, reset to Home with the shipped content and clinic defaults."""
    from kiosk.config import Settings

    pilot = _kiosk_session
    pilot.reset(replace(Settings(), window_width=1920, window_height=1080, idle_seconds=0))
    return pilot


@pytest.fixture
def without_whisper(monkeypatch):
    """As on a kiosk where the Whisper model package is not installed: ``auto`` then
    chooses Vosk or PocketSphinx."""
    from kiosk.voice import models

    monkeypatch.setattr(models, "whisper_model_dir", lambda: None)


@pytest.fixture(scope="session")
def ninds():
    """The shipped NINDS document (content/ninds-als.yaml); a module that means another
    document by this name defines its own."""
    from kiosk.content import load_library

    return load_library(ROOT / "content").get("ninds-als")


@pytest.fixture(scope="session")
def reader(ninds):
    """The voice context of the Reader showing that document (modules that mean another
    Reader, e.g. its grammar or the window, define their own)."""
    from kiosk.voice.grammar import Context

    return Context("reader", ninds, len(ninds.entries))
