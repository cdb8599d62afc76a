"""Shared fixtures: a real Kivy window on a virtual screen (Xvfb) driven by a Pilot.

The window is created once per test session (Kivy allows one per process); each GUI test
starts from a reset app. Screenshots go to tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

# GUI test modules import Kivy only inside tests: importing it at collection time would open
# a window before the virtual screen exists and with Kivy's default 800x600 size.
ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def virtual_display() -> Iterator[str]:
    """Start Xvfb at 1920x1080 (the reference kiosk screen) and point DISPLAY at it."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.fail("Xvfb is not installed; run the README's test command (make test), "
                    "which installs it")
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        process.kill()
        pytest.fail("Xvfb did not start")
    previous = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = f":{number}"
    yield os.environ["DISPLAY"]
    process.terminate()
    process.wait(timeout=10)
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
