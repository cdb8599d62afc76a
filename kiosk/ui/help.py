"""What the Help screen says, and in what order: the ways that work now come first.

When voice commands work, Help leads with what can be said on the screen the person came from;
when they do not (no microphone, listening turned off, no recogniser), it leads with touch, the
keyboard, dwell and a switch, and then says in plain words why voice is not available. No
Kivy here: ``HelpScreen`` in ``screens.py`` only draws these blocks, and the order is tested
without a window.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.highlight import escape


class Style(StrEnum):
    """How a block of Help is drawn."""

    HEADING = "heading"
    BODY = "body"
    MUTED = "muted"


@dataclass(frozen=True)
class HelpBlock:
    """One heading or paragraph of Help."""

    style: Style
    text: str
    """Kivy markup ([b]...[/b]); words from elsewhere are escaped by the caller."""


@dataclass(frozen=True)
class VoiceAvailability:
    """Whether voice commands work now, and if not, why, in words for a visitor."""

    works: bool
    why_not: str = ""
    """A plain sentence or two; empty when voice works."""


VOICE_OFF = ("Voice commands are turned off. To use them, choose Settings, then "
             "\u201cChange how the kiosk listens\u201d.")
NO_MICROPHONE = ("Voice commands are not working now, because no microphone is working. They "
                 "start again by themselves when a microphone works.")
NO_RECOGNISER = ("Voice commands are not available on this kiosk, because its speech "
                 "recogniser could not start. Please tell a member of staff.")
VOICE_STARTING = "Voice commands are starting and will work in a moment."


def voice_availability(state: str, recogniser_ready: bool) -> VoiceAvailability:
    """From the listening indicator's state (``app.voice_state``: loading, listening, reading,
    hold, talking, wake, off or unavailable) and whether the speech recogniser has loaded
    (without it, a missing microphone is not the reason)."""
    if state == "off":
        return VoiceAvailability(False, VOICE_OFF)
    if state == "unavailable":
        return VoiceAvailability(False, NO_MICROPHONE if recogniser_ready else NO_RECOGNISER)
    if state == "loading":
        return VoiceAvailability(False, VOICE_STARTING)
    return VoiceAvailability(True)


INTRODUCTION = "This kiosk shows information about ALS in large, clear type."
OTHER_WAYS = (
    "[b]Touch[/b] a button to choose it. Buttons are large, so a knuckle or a stylus works too.",
    "[b]Keyboard:[/b] Tab or the arrow keys move a thick yellow frame from button to button. "
    "Enter or Space chooses the framed button. Page Up and Page Down scroll the text. "
    "Home goes back to the start; Escape goes back one step.",
    "[b]Eye gaze or head mouse:[/b] rest the pointer on a button; a ring fills around it and "
    "the button is chosen when the ring is full. Move away and back to choose it again.",
    "[b]Switch:[/b] with switch scanning on (Settings), a frame moves from button to button "
    "and says each one; press the switch, or the large bar at the bottom, to choose.",
    "On the Contents screen every section has a number. Choose a number to open that section.",
    "While reading, use [b]Next[/b] and [b]Previous[/b] to move through the "
    "document, and [b]Up[/b] and [b]Down[/b] beside the text to scroll a long section.",
    "[b]Read aloud[/b] reads the section to you and marks each word as it is spoken, then goes "
    "on to the next section. [b]Pause[/b] and [b]Resume[/b] keep your place. [b]More[/b] "
    "shows the other controls in place of the text: [b]Contents[/b] and [b]Home[/b] go "
    "there, [b]Stop[/b] starts again from the top, [b]Repeat[/b] says the sentence again, "
    "and [b]Slower[/b] and [b]Faster[/b] or [b]Quieter[/b] and [b]Louder[/b] change the "
    "reading. [b]Back to text[/b] (in the same place as More) shows the text again. "
    "Touch a paragraph to read from there.",
    "Reading keys: R reads or pauses, S stops, A says the sentence again, the full stop and "
    "the comma skip to the next or previous sentence, minus and plus read slower or faster.",
    "[b]Settings[/b] changes the colours (including yellow on black), the size of the text, "
    "the typeface (including OpenDyslexic), the space between lines, the reading speed, the "
    "volume and the voice; how the kiosk listens; the dwell time; switch scanning and its "
    "pace; and numbers on buttons. It can also make the kiosk wait after each sentence. The "
    "kiosk returns to its usual settings for the next person.",
)
"""Every way to use the kiosk but voice: touch, keys, dwell, a switch, reading aloud."""
VOICE_WAYS = (
    "[b]Voice:[/b] say a command such as \u201cnext section\u201d or \u201cread aloud\u201d. The "
    "strip at the bottom shows when the kiosk is listening and what it heard. Say "
    "\u201cwhat can I say\u201d to hear the commands of the screen you are on.",
    "[b]Numbers:[/b] say \u201cshow numbers\u201d (or turn them on in Settings) and every "
    "button wears a large number; say the number to choose its button. \u201cHide numbers\u201d "
    "takes them away.",
)


def command_line(label: str, phrases: list[str]) -> str:
    """One line of what can be said: "[b]Next section:[/b] “next”, “next section”"; a
    phrase starting "a " describes what to say ("a section number") and is not quoted."""
    said = ", ".join(escape(p) if p.startswith("a ") else f"\u201c{escape(p)}\u201d"
                     for p in phrases)
    return f"[b]{escape(label)}:[/b] {said}"


def help_blocks(voice: VoiceAvailability, where: str,
                commands: list[tuple[str, list[str]]], mode_text: str) -> list[HelpBlock]:
    """Help for a person who came from ``where`` ("the Contents screen"): ``commands`` are
    (what it does, [phrases]) for that screen (``Grammar.help_lines``), and ``mode_text``
    the listening mode in words. Voice first when it works; otherwise every other way
    first, then voice, saying why it is not available."""
    said = [HelpBlock(Style.BODY, command_line(label, phrases)) for label, phrases in commands]
    others = [HelpBlock(Style.BODY, text) for text in (INTRODUCTION, *OTHER_WAYS)]
    ways = [HelpBlock(Style.BODY, text) for text in VOICE_WAYS]
    if voice.works:
        return [HelpBlock(Style.HEADING, f"What you can say on {where}"), *said,
                HelpBlock(Style.MUTED, f"Mode: {mode_text}. The line at the bottom of the "
                                       "screen shows when the kiosk is listening and what it "
                                       "heard."),
                *ways,
                HelpBlock(Style.HEADING, "Other ways to use the kiosk"), *others]
    return [*others,
            HelpBlock(Style.HEADING, "Voice commands"),
            HelpBlock(Style.BODY, voice.why_not),
            *ways,
            *([HelpBlock(Style.MUTED, f"When voice commands work, you can say on {where}:"),
               *said] if said else [])]
