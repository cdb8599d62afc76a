"""What each setting may be, in one place (no Kivy): its types, its choices or range, and for
the ones a visitor changes a step at a time, the step and what to say at either end.

:class:`kiosk.config.Settings` carries these as field metadata (``config.rule_of``): the
clinic's file is checked against them with messages made from them, and the narrator
(reading speed, volume), the app (text size, line spacing, dwell and scan times) and the
Settings screen step through them. A new setting is a field with its rule; a visitor's
setting also names the App property that holds it (``kiosk/ui/app.py``, VISITOR_SETTINGS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    """The values one setting may take."""

    kinds: tuple[type, ...]
    """Python types the configuration may give (bool is never taken for int)."""
    choices: tuple = ()
    """The only values allowed, in order (a visitor steps through them), or empty."""
    low: float | None = None
    """Smallest value allowed (with ``high``), when there are no choices."""
    high: float | None = None
    step: float = 0
    """How much one step changes a value in a range."""
    most: str = ""
    """What to say when a step up goes past the end ("Reading is already as fast as it
    goes.")."""
    least: str = ""
    """What to say when a step down goes past the end."""

    def takes(self, value: Any) -> bool:
        """``value`` is of an allowed type."""
        return isinstance(value, self.kinds) and (bool in self.kinds
                                                  or not isinstance(value, bool))

    def problem(self, value: Any) -> str | None:
        """Why a value of an allowed type is not allowed, as the words after "must be"; None
        when it is."""
        if self.choices and value not in self.choices:
            return "one of " + ", ".join(map(str, self.choices))
        if self.low is not None and self.high is not None and not self.low <= value <= self.high:
            return f"between {self.low} and {self.high}"
        return None

    def stepped(self, value: Any, steps: int) -> Any | None:
        """``value`` moved by ``steps`` (choices: to the nearest choice and on; a range: by
        ``step`` and kept within it); None when it is already at the end that way."""
        if self.choices:
            index = self.position(value) + steps
            return self.choices[index] if 0 <= index < len(self.choices) else None
        moved = round(min(self.high, max(self.low, value + steps * self.step)), 2)
        if self.kinds == WHOLE:
            moved = int(moved)
        return None if moved == value else moved

    def position(self, value: float) -> int:
        """Where ``value`` is among the (numeric) choices: the index of the nearest one."""
        return min(range(len(self.choices)), key=lambda i: abs(self.choices[i] - value))

    def at_end(self, steps: int) -> str:
        """What to say when a step this way goes past the end."""
        return self.most if steps > 0 else self.least


THEMES = ("dark", "light", "yellow")
TYPEFACES = ("atkinson", "opendyslexic")
SCANNING = ("off", "one_switch", "two_switch")
AUDIO_OUTPUTS = ("auto", "device", "none")
LISTENING_MODES = ("always", "push_to_talk", "wake_word", "off")
VOICE_ENGINES = ("auto", "whisper", "vosk", "pocketsphinx")
"""``voice_engine`` and ``kiosk hear --engine``: auto takes Whisper when its model package is
installed, else Vosk with a model in models/, else PocketSphinx (``open_engine``)."""
TEXT_SCALES = (0.85, 1.0, 1.15, 1.3, 1.5, 1.75)
"""The text-size steps offered in Settings; 1.0 is the clinic default size."""
LINE_SPACINGS = (1.3, 1.45, 1.7, 2.0)
"""Line height steps offered in Settings (multiples of the font size); 1.45 is the default."""

TEXT = (str,)
FLAG = (bool,)
WHOLE = (int,)
NUMBER = (int, float)

THEME = Rule(TEXT, THEMES)
TYPEFACE = Rule(TEXT, TYPEFACES)
TEXT_SIZE = Rule(NUMBER, TEXT_SCALES, most="The text is already as large as it goes.",
                 least="The text is already as small as it goes.")
LINE_SPACING = Rule(NUMBER, LINE_SPACINGS,
                    most="The lines are already as far apart as they go.",
                    least="The lines are already as close together as they go.")
SPEECH_RATE = Rule(WHOLE, low=80, high=250, step=20,
                   most="Reading is already as fast as it goes.",
                   least="Reading is already as slow as it goes.")
"""Words per minute; Faster and Slower add or take away ``step``."""
VOLUME = Rule(NUMBER, low=0.2, high=1.0, step=0.2,
              most="The sound is already as loud as it goes.",
              least="The sound is already as quiet as it goes.")
"""Quieter never goes silent: a visitor who cannot reach Louder must still hear it."""
DWELL_SECONDS = Rule(NUMBER, low=0.5, high=3.0, step=0.25,
                     most="The dwell time is already as long as it goes.",
                     least="The dwell time is already as short as it goes.")
SCAN_SECONDS = Rule(NUMBER, low=0.5, high=5.0, step=0.25,
                    most="Scanning is already as slow as it goes.",
                    least="Scanning is already as fast as it goes.")
"""How long the scanning highlight stays on a button; a step up scans slower."""
