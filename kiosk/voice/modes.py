"""How the kiosk listens, in a module of its own so the UI can show and change the mode
without loading the listener, its audio libraries or a recogniser (no Kivy here)."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    """How the kiosk listens (set in Settings)."""

    ALWAYS = "always"
    PUSH_TO_TALK = "push_to_talk"
    WAKE_WORD = "wake_word"
    OFF = "off"


MODE_LABELS = {
    Mode.ALWAYS: "Always listening",
    Mode.PUSH_TO_TALK: "Hold to talk",
    Mode.WAKE_WORD: "Say \u201ckiosk\u201d first",
    Mode.OFF: "Voice off",
}
"""Each listening mode in words, for Settings and the listening indicator."""
