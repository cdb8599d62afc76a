"""The soak test: a random walk through the real app (voice commands, touches, dwell, switch
scanning, keys, reading, settings, resets for the next person) with no error and no stuck
state. ``make soak`` (bench/soak.py) walks fifty times further and measures memory and frame
times; this shorter walk keeps every kind of step and screen in the suite.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui

STEPS = 400


@pytest.mark.timeout(600)  # about a minute on 2 cores: a frame after every step
def test_four_hundred_random_actions_leave_the_kiosk_working(pilot):
    from audio_tools import is_silent
    from soak_walk import Walk
    from test_gui_reading import wait_until

    from kiosk.speech.narrator import State

    report = Walk(pilot, seed=20261123).run(STEPS)
    assert report.steps == STEPS
    assert set(report.kinds) == {"voice", "touch", "key", "reading", "dwell", "scan",
                                 "setting", "reset"}
    assert {"home", "contents", "reader", "help", "settings"} <= report.screens
    assert report.liveness_checks == STEPS // 100

    # and afterwards it still reads aloud, with sound, from Home
    app = pilot.app
    app.kiosk.reset_for_next_person()
    pilot.frames(3)
    pilot.tap(pilot.buttons()[0])
    pilot.tap(pilot.buttons()[0])
    assert pilot.screen == "reader"
    speakers = app.reading.player.sink
    speakers.take()
    pilot.tap("Read aloud")
    wait_until(pilot, lambda: app.reading.narrator.status().state is State.READING, 5,
               "reading")
    wait_until(pilot, lambda: any(not is_silent(d) for _t, d in speakers.take()), 5, "sound")
    app.reading.stop()
