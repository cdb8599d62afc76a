"""Help in the real window: with voice commands turned off it leads with touch, keys, dwell and
a switch and says why voice is not there; when voice starts working while Help is shown, Help
leads with what can be said."""

from __future__ import annotations

import pytest
from test_gui_reading import wait_until

from kiosk.ui.help import VOICE_OFF

pytestmark = pytest.mark.gui


def help_lines(pilot) -> list[str]:
    from kiosk.ui.widgets import strip_markup

    body = pilot.app.manager.get_screen("help").ids.body
    return [strip_markup(widget.text) for widget in reversed(body.children)]


def test_help_leads_with_what_works_when_voice_is_off_and_follows_voice_coming_back(pilot):
    from kiosk.voice.listener import Mode

    app = pilot.app
    wait_until(pilot, lambda: app.voice_state != "loading", 20, "the voice engine")
    app.voice.set_mode(Mode.OFF)  # as Settings' "Change how the kiosk listens" does
    pilot.tap("Help")
    lines = help_lines(pilot)
    assert lines[1].startswith("Touch a button to choose it")
    voice = lines.index("Voice commands")
    assert lines[voice + 1] == VOICE_OFF
    assert not any(line.startswith("What you can say") for line in lines)
    pilot.screenshot("help-voice-off")

    app.voice.set_mode(Mode.ALWAYS)
    wait_until(pilot, lambda: app.voice_state == "listening", 20, "listening again")
    pilot.frames(3)
    lines = help_lines(pilot)
    assert lines[0] == "What you can say on the Home screen"
    assert "Voice commands" not in lines
