"""What Help says and in what order, without a window: the ways that work come first, and
when voice does not work, Help says why in plain words."""

from __future__ import annotations

import pytest

from kiosk.ui.help import (
    NO_MICROPHONE,
    NO_RECOGNISER,
    VOICE_OFF,
    VOICE_STARTING,
    Style,
    VoiceAvailability,
    command_line,
    help_blocks,
    voice_availability,
)
from kiosk.voice.grammar import grammar_for, load_commands, screen_context

HOME_COMMANDS = grammar_for(screen_context("home", None, 2), load_commands()).help_lines()
"""What can be said on Home with two documents, from the shipped voice commands."""


def lines(voice: VoiceAvailability) -> list[str]:
    blocks = help_blocks(voice, "the Home screen", HOME_COMMANDS, "always listening")
    return [block.text for block in blocks]


def first(texts: list[str], start: str) -> int:
    """Where the first line starting with ``start`` is."""
    return next(i for i, text in enumerate(texts) if text.startswith(start))


def test_with_voice_working_help_leads_with_what_can_be_said_on_the_screen():
    texts = lines(voice_availability("listening", recogniser_ready=True))
    assert texts[0] == "What you can say on the Home screen"
    assert texts[1] == "[b]Help:[/b] \u201chelp\u201d, \u201cwhat can i say\u201d"
    assert "[b]Open a numbered item:[/b] a number from one to two, \u201copen one\u201d" in texts
    assert first(texts, "[b]Voice:[/b]") < first(texts, "Other ways") < first(texts, "[b]Touch")
    assert not any("not available" in text or "not working" in text for text in texts)


@pytest.mark.parametrize(("state", "ready", "why"), [
    ("unavailable", True, NO_MICROPHONE),  # the recogniser loaded; the microphone did not open
    ("unavailable", False, NO_RECOGNISER),  # no speech model, or the engine failed
    ("off", True, VOICE_OFF),  # listening turned off (configuration or Settings)
    ("loading", False, VOICE_STARTING),
])
def test_without_voice_help_leads_with_touch_keys_dwell_and_switch_then_says_why(
        state, ready, why):
    voice = voice_availability(state, ready)
    assert not voice.works and voice.why_not == why
    texts = lines(voice)
    touch, keys = first(texts, "[b]Touch"), first(texts, "[b]Keyboard")
    dwell, switch = first(texts, "[b]Eye gaze"), first(texts, "[b]Switch")
    voice_heading = texts.index("Voice commands")
    assert max(touch, keys, dwell, switch) < voice_heading
    assert texts[voice_heading + 1] == why  # straight after the heading, before any command
    assert voice_heading < first(texts, "[b]Voice:[/b]") < first(texts, "[b]Help:[/b]")
    assert "When voice commands work, you can say on the Home screen:" in texts
    assert not any(text.startswith("What you can say") for text in texts)


def test_reasons_are_plain_words_that_say_what_to_do():
    for why in (NO_MICROPHONE, NO_RECOGNISER, VOICE_OFF):
        assert "(" not in why and "Error" not in why and "device" not in why
    assert "Settings" in VOICE_OFF and "staff" in NO_RECOGNISER
    assert "by themselves" in NO_MICROPHONE


def test_every_state_of_the_listening_indicator_has_an_answer():
    for state in ("listening", "reading", "hold", "talking", "wake"):
        assert voice_availability(state, True).works
    for state in ("loading", "off", "unavailable"):
        assert not voice_availability(state, False).works


def test_said_words_are_shown_as_written_not_read_as_markup():
    assert command_line("Open [b]", ["a [x] & y", "go"]) == (
        "[b]Open &bl;b&br;:[/b] a &bl;x&br; &amp; y, \u201cgo\u201d")
    styles = {b.style for b in help_blocks(VoiceAvailability(True), "x", HOME_COMMANDS, "m")}
    assert styles == {Style.HEADING, Style.BODY, Style.MUTED}
