"""Start-up: Home is shown before the voice recogniser loads, within 250 MB, and voice
commands work seconds later. The real kiosk runs in its own process under Xvfb (a process
of its own, because memory and the first frame are only measurable from a fresh start);
the waiting itself is tested without a window."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import wave
from pathlib import Path

import psutil
import pytest

from kiosk.ui.startup import FALLBACK_SECONDS, AfterFirstFrame

ROOT = Path(__file__).resolve().parents[1]
HOME_PEAK_MB = 250
"""Issue 13: the kiosk shows Home within this much memory (a bare Kivy window: ~190 MB)."""
VOICE_READY_MS = 6000
"""The target is 3 s on an idle 2-core machine (bench/startup.py measures it); tests run
beside other work, so they allow twice that."""


class FakeWindow:
    """Kivy's Window as AfterFirstFrame uses it: ``on_flip`` after a frame is shown."""

    def __init__(self) -> None:
        self.listeners = []

    def bind(self, on_flip) -> None:
        self.listeners.append(on_flip)

    def unbind(self, on_flip) -> None:
        self.listeners.remove(on_flip)

    def flip(self) -> None:
        for listener in list(self.listeners):
            listener(self)


class FakeClock:
    """Kivy's Clock as AfterFirstFrame uses it; ``tick`` runs what is due."""

    def __init__(self) -> None:
        self.now = 0.0
        self.events: list[list] = []

    def schedule_once(self, callback, timeout):
        event = [self.now + timeout, callback, False]
        self.events.append(event)

        class Event:
            def cancel(_self) -> None:
                event[2] = True

        return Event()

    def tick(self, seconds: float = 0.0) -> None:
        self.now += seconds
        due = [e for e in self.events if e[0] <= self.now and not e[2]]
        self.events = [e for e in self.events if e not in due]
        for _when, callback, _cancelled in due:
            callback(0.0)


def test_work_waits_for_the_first_frame_and_runs_on_the_tick_after_it():
    window, clock, ran = FakeWindow(), FakeClock(), []
    first = AfterFirstFrame(window, clock)
    first.call(lambda: ran.append("voice"))
    clock.tick(0.5)
    assert ran == [], "loading started before Home was shown"
    window.flip()
    assert ran == [], "loading must not hold up the frame being shown"
    clock.tick()
    assert ran == ["voice"]
    first.call(lambda: ran.append("later"))  # e.g. voice turned on in Settings
    clock.tick()
    assert ran == ["voice", "later"]
    window.flip()
    clock.tick(FALLBACK_SECONDS)
    assert ran == ["voice", "later"], "work ran twice"


def test_work_starts_anyway_when_no_frame_is_ever_shown():
    window, clock, ran = FakeWindow(), FakeClock(), []
    AfterFirstFrame(window, clock).call(lambda: ran.append("voice"))
    clock.tick(FALLBACK_SECONDS - 0.1)
    assert ran == []
    clock.tick(0.1)
    clock.tick()
    assert ran == ["voice"]


def run_kiosk(tmp_path: Path, *args: str) -> tuple[str, float]:
    """Run the kiosk until it quits by itself; its output and its peak memory in MB."""
    env = dict(os.environ, KIVY_HOME=str(tmp_path / "kivy"), KIVY_NO_CONSOLELOG="1")
    process = psutil.Popen([sys.executable, "-m", "kiosk", "run", *args], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peak = 0
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        try:
            peak = max(peak, process.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.005)
    if process.poll() is None:
        process.kill()
    output = process.stdout.read().decode()
    assert process.wait() == 0, output
    return output, peak / 1e6


def number(output: str, name: str) -> int:
    found = re.search(rf"{name}=(\d+)", output)
    assert found, f"no {name} in: {output}"
    return int(found.group(1))


@pytest.mark.gui
def test_home_is_shown_within_250_mb(virtual_display, tmp_path):
    output, peak_mb = run_kiosk(tmp_path, "--quit-after-draw")
    assert "screen=home" in output
    assert peak_mb < HOME_PEAK_MB, f"Home took {peak_mb:.0f} MB"


@pytest.mark.gui
def test_voice_loads_after_home_is_shown_and_listens_seconds_later(virtual_display,
                                                                     tmp_path):
    silence = tmp_path / "silence.wav"
    with wave.open(str(silence), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16_000)
        wav.writeframes(bytes(32_000))
    output, _peak = run_kiosk(tmp_path, "--quit-after-voice", "--mic-file", str(silence))
    assert "state=listening" in output, output
    shown, ready = number(output, "first-frame-ms"), number(output, "voice-ready-ms")
    assert shown < ready, "the recogniser was ready before Home was shown"
    assert ready < VOICE_READY_MS, f"voice commands worked only {ready} ms after start"
