"""Kiosk mode logic without Kivy: the idle watcher, the hidden admin gesture and the PIN.

Everything takes the time as an argument (seconds on any steady clock), so tests drive it
with a fake clock and never sleep. ``kiosk/ui/kiosk_mode.py`` connects it to the window.

The idle cycle::

    ACTIVE --(idle_seconds with no input and nothing read aloud)--> ASKING
    ASKING --(any input, or "yes")--> ACTIVE
    ASKING --(notice_seconds more)--> ATTRACT   (the kiosk resets for the next person)
    ATTRACT --(any input)--> ACTIVE
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

ADMIN_HOLD_SECONDS = 5.0
"""How long the top-left corner must be held to open the PIN pad."""
ADMIN_CORNER_PX = 150
"""Size of the invisible top-left square (at 1920x1080; scaled with the window)."""
ADMIN_SLACK_PX = 60
"""How far the finger may drift outside the corner while holding."""
PIN_TRIES = 5
"""Wrong PINs in a row before the PIN pad refuses for a while."""
PIN_LOCK_SECONDS = 60.0
"""How long the PIN pad refuses after PIN_TRIES wrong PINs."""
PIN_MAX_DIGITS = 8
PIN_DOT = "\u2022"
"""Shown for each digit typed (a bullet: the kiosk's typefaces have it)."""


class Phase(StrEnum):
    """Where the kiosk is in its idle cycle."""

    ACTIVE = "active"
    """Someone is using it (or it is reading aloud)."""
    ASKING = "asking"
    """The "Are you still there?" notice is shown, counting down."""
    ATTRACT = "attract"
    """Reset for the next person; the attract screen invites them."""


class Change(StrEnum):
    """What the window must do after an input or a tick."""

    ASK = "ask"
    """Show and say the "Are you still there?" notice."""
    RESET = "reset"
    """Nobody answered: reset for the next person and show the attract screen."""
    CONTINUE = "continue"
    """The person answered the notice: hide it, carry on where they were."""
    WAKE = "wake"
    """Someone came to the attract screen: hide it."""


class IdleWatcher:
    """Counts time with nothing happening; never while the kiosk reads aloud.

    ``idle_seconds`` 0 turns the watcher off (it stays ACTIVE).
    """

    def __init__(self, idle_seconds: float, notice_seconds: float, now: float) -> None:
        self.idle_seconds = idle_seconds
        self.notice_seconds = notice_seconds
        self.phase = Phase.ACTIVE
        self._since = now
        """Last input (ACTIVE), when the notice appeared (ASKING) or the reset (ATTRACT)."""

    @property
    def enabled(self) -> bool:
        return self.idle_seconds > 0

    def configure(self, idle_seconds: float, notice_seconds: float) -> None:
        """New times (e.g. the configuration changed); turning off ends a notice."""
        self.idle_seconds = idle_seconds
        self.notice_seconds = notice_seconds
        if not self.enabled and self.phase is Phase.ASKING:
            self.phase = Phase.ACTIVE

    def restart(self, now: float) -> None:
        """ACTIVE, counting from ``now``."""
        self.phase = Phase.ACTIVE
        self._since = now

    def activity(self, now: float) -> Change | None:
        """Someone touched, pressed a key, moved the pointer or gave a voice command."""
        before = self.phase
        self.restart(now)
        return {Phase.ASKING: Change.CONTINUE, Phase.ATTRACT: Change.WAKE}.get(before)

    def tick(self, now: float, reading: bool = False) -> Change | None:
        """Advance to ``now``. ``reading``: the kiosk is reading aloud (not paused), so
        nothing is idle; the idle time counts from when reading stops or pauses."""
        if self.phase is Phase.ACTIVE:
            if reading or not self.enabled:
                self._since = now
            elif now - self._since >= self.idle_seconds:
                self.phase = Phase.ASKING
                self._since = now
                return Change.ASK
        elif self.phase is Phase.ASKING and now - self._since >= self.notice_seconds:
            return self.reset(now)
        return None

    def reset(self, now: float) -> Change:
        """Reset for the next person now (also when the person answers "no")."""
        self.phase = Phase.ATTRACT
        self._since = now
        return Change.RESET

    def seconds_left(self, now: float) -> int:
        """Whole seconds until the reset while ASKING (rounded up); 0 otherwise."""
        if self.phase is not Phase.ASKING:
            return 0
        return max(0, math.ceil(self.notice_seconds - (now - self._since) - 1e-9))

    def seconds_in_phase(self, now: float) -> float:
        """How long the current phase has lasted (or, ACTIVE, how long nothing happened)."""
        return now - self._since


def countdown_words(seconds: int) -> str:
    """The countdown under the notice, in words."""
    unit = "second" if seconds == 1 else "seconds"
    return f"Starting again for the next person in {seconds} {unit}."


@dataclass
class _Hold:
    touch: object
    started: float


class CornerHold:
    """The hidden admin gesture: hold a finger (or the mouse button) still in the top-left
    corner for ADMIN_HOLD_SECONDS. It needs no precision, and nobody does it by accident:
    visitors touch buttons, which are never in that corner, and a tap or a swipe does not
    count.

    Positions are in pixels from the window's top-left corner (y grows downwards).
    """

    def __init__(self, seconds: float = ADMIN_HOLD_SECONDS, corner_px: float = ADMIN_CORNER_PX,
                 slack_px: float = ADMIN_SLACK_PX) -> None:
        self.seconds = seconds
        self.corner_px = corner_px
        self.slack_px = slack_px
        self._hold: _Hold | None = None

    def in_corner(self, x: float, y_from_top: float) -> bool:
        return 0 <= x < self.corner_px and 0 <= y_from_top < self.corner_px

    def down(self, touch: object, x: float, y_from_top: float, now: float) -> bool:
        """A touch began; True when it began in the corner (and is now being timed)."""
        if self.in_corner(x, y_from_top):
            self._hold = _Hold(touch, now)
            return True
        return False

    def move(self, touch: object, x: float, y_from_top: float) -> None:
        """The touch moved; leaving the corner (with some slack) cancels the hold."""
        if self._hold is not None and self._hold.touch is touch:
            limit = self.corner_px + self.slack_px
            if not (x < limit and y_from_top < limit):
                self._hold = None

    def up(self, touch: object) -> None:
        if self._hold is not None and self._hold.touch is touch:
            self._hold = None

    def cancel(self) -> None:
        self._hold = None

    @property
    def holding(self) -> bool:
        return self._hold is not None

    def due(self, now: float) -> bool:
        """True once when the hold has lasted long enough (the same hold never fires twice)."""
        if self._hold is not None and now - self._hold.started >= self.seconds:
            self._hold = None
            return True
        return False


class PinResult(StrEnum):
    RIGHT = "right"
    WRONG = "wrong"
    EMPTY = "empty"
    LOCKED = "locked"


class PinEntry:
    """The digits typed on the PIN pad, checked against the staff PIN (``is_pin``, e.g.
    kiosk.pin.StaffPin.check).

    After PIN_TRIES wrong PINs in a row it refuses for PIN_LOCK_SECONDS, so a 4-digit PIN
    cannot be found by trying them all.
    """

    def __init__(self, is_pin: Callable[[str], bool], tries: int = PIN_TRIES,
                 lock_seconds: float = PIN_LOCK_SECONDS) -> None:
        self.is_pin = is_pin
        self.tries = tries
        self.lock_seconds = lock_seconds
        self.entered = ""
        self.wrong = 0
        self._locked_until: float | None = None

    def press(self, digit: str) -> None:
        if digit.isdigit() and len(digit) == 1 and len(self.entered) < PIN_MAX_DIGITS:
            self.entered += digit

    def delete(self) -> None:
        self.entered = self.entered[:-1]

    def clear(self) -> None:
        self.entered = ""

    def locked_for(self, now: float) -> float:
        """Seconds the pad still refuses (0 when it accepts PINs)."""
        if self._locked_until is None or now >= self._locked_until:
            return 0.0
        return self._locked_until - now

    def check(self, now: float) -> PinResult:
        """Check the digits entered; they are cleared whatever the result."""
        entered, self.entered = self.entered, ""
        if self.locked_for(now):
            return PinResult.LOCKED
        if not entered:
            return PinResult.EMPTY
        if self.is_pin(entered):
            self.wrong = 0
            return PinResult.RIGHT
        self.wrong += 1
        if self.wrong >= self.tries:
            self.wrong = 0
            self._locked_until = now + self.lock_seconds
        return PinResult.WRONG

    def shown(self) -> str:
        """What the pad shows for the digits: one dot each, never the digits."""
        return " ".join(PIN_DOT for _ in self.entered)
