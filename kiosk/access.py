"""Hands-free selection without Kivy: pointer dwell and switch scanning, on an injected clock.

Every method takes ``now`` (seconds, any monotonic clock), so the rules are tested without a
window and without waiting. ``kiosk/ui/hands_free.py`` connects them to the window; switch
keys are named in :mod:`kiosk.keys`.

Dwell follows the defaults of eye-gaze AAC software: the pointer rests on a target for a
quarter of a second before the dwell starts (so a pointer passing over a target does nothing
visible), then for the dwell time (1.2 s, adjustable 0.5 to 3 s) to select it. Brief glances
off the target (up to half a second) keep the progress made (dwell memory), and after a
selection the pointer must leave the target before it can select it again. ``PointerDwell``
adds the rule that a resting pointer never chooses by itself: after the kiosk starts, a screen
changes, a selection or a touch, the pointer must move before a dwell starts.

Scanning moves a highlight through the targets in reading order. With one switch it moves by
itself every ``pace`` seconds and the switch selects; with two switches the first moves it
and the second selects.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

START_DELAY = 0.25
"""Seconds the pointer rests on a target before the dwell starts (and its ring shows)."""
DWELL_SECONDS = 1.2
"""Seconds of dwell, after the start delay, that select a target."""
MEMORY_SECONDS = 0.5
"""A glance off a target at most this long keeps the dwell's progress."""
MOVE_TO_WAKE_PX = 24.0
"""After the kiosk starts, a screen changes, a selection or a touch, the pointer must move
this far (in pixels at 1920x1080) before a dwell starts."""

Point = tuple[float, float]
"""A pointer position in window pixels."""

_EPSILON = 1e-6
"""Times this close count as equal (sums of clock readings are not exact)."""

ONE_SWITCH, TWO_SWITCH = "one_switch", "two_switch"
SCAN_PACE = 1.5
"""Seconds the scanning highlight stays on each target (one switch)."""
SCAN_LOOPS = 3
"""One-switch scanning rests after this many rounds with no switch press (it would otherwise
talk all day in an empty waiting room); the next press starts it again."""


# -- dwell -------------------------------------------------------------------------------


@dataclass
class _Dwell:
    """Time spent on one target."""

    target: Any
    held: float = 0.0
    """Seconds on the target before the current visit."""
    since: float | None = None
    """When the current visit began; None while the pointer is away."""
    seen: float = 0.0
    """The last moment the pointer was seen on the target."""
    left_at: float | None = None
    """When the pointer was first seen off the target; None while it is on it."""

    def on_time(self, now: float) -> float:
        return self.held + (now - self.since if self.since is not None else 0.0)


class DwellTracker:
    """Which target the pointer dwells on, how far the dwell has gone, and when it selects.

    Call ``update(target_under_pointer, now)`` often (the window does 20 times a second); it
    returns the target to select, once, when the dwell completes.
    """

    def __init__(self, seconds: float = DWELL_SECONDS, start_delay: float = START_DELAY,
                 memory: float = MEMORY_SECONDS) -> None:
        self.seconds = seconds
        """Dwell time to select, after the start delay (the visitor may change it)."""
        self.start_delay = start_delay
        self.memory = memory
        self._dwells: list[_Dwell] = []
        """The target under the pointer and the one it last left (dwell memory); at most 2."""
        self._blocked: Any = None

    # -- queries -------------------------------------------------------------------------

    @property
    def target(self) -> Any:
        """The target being dwelt on: the one under the pointer, or during a brief glance
        away the one it left; None when there is none."""
        visiting = self._visiting()
        if visiting is not None:
            return visiting.target
        return self._dwells[-1].target if self._dwells else None

    @property
    def blocked(self) -> Any:
        """The target the pointer must leave before it can be selected (or None)."""
        return self._blocked

    def progress(self, now: float, target: Any = None) -> float:
        """How far the dwell on ``target`` (default: ``self.target``) has gone, 0 to 1;
        0 during the start delay."""
        if target is None:
            target = self.target
        dwell = self._find(target) if target is not None else None
        if dwell is None:
            return 0.0
        done = (dwell.on_time(now) - self.start_delay) / self.seconds
        return min(1.0, max(0.0, done))

    def shown(self, now: float) -> dict[Any, float]:
        """Every target whose dwell ring should show, with its progress (greater than 0)."""
        result = {}
        for dwell in self._dwells:
            value = self.progress(now, dwell.target)
            if value > 0:
                result[dwell.target] = value
        return result

    # -- changes -------------------------------------------------------------------------

    def update(self, target: Any, now: float) -> Any:
        """The pointer is on ``target`` (None: on no target) at ``now``. Returns the target
        to select when its dwell completes, else None."""
        if target is not self._blocked:
            self._blocked = None  # the pointer has left it: it may be selected again
        elif target is not None:
            target = None  # resting on a target just selected does nothing
        for dwell in self._dwells:
            if dwell.target is not target and dwell.since is not None:
                dwell.held += dwell.seen - dwell.since  # the pointer left it
                dwell.since, dwell.left_at = None, now
        self._dwells = [d for d in self._dwells
                        if d.left_at is None or now - d.left_at <= self.memory]
        if target is None:
            return None
        dwell = self._find(target)
        if dwell is None:
            dwell = _Dwell(target, since=now)
            self._dwells.append(dwell)
        elif dwell.since is None:  # back within the dwell memory: carry on
            dwell.since, dwell.left_at = now, None
            self._dwells.remove(dwell)
            self._dwells.append(dwell)
        dwell.seen = now
        self._dwells = self._dwells[-2:]
        if dwell.on_time(now) + _EPSILON >= self.start_delay + self.seconds:
            self._dwells.clear()
            self._blocked = target
            return target
        return None

    def block(self, target: Any) -> None:
        """``target`` was just chosen another way (e.g. touched): forget its dwell, and the
        pointer must leave it before a dwell can select it."""
        self._dwells = [d for d in self._dwells if d.target is not target]
        self._blocked = target

    def reset(self) -> None:
        """Forget every dwell and block (a new screen, a reset, dwell turned off)."""
        self._dwells.clear()
        self._blocked = None

    # -- internals -----------------------------------------------------------------------

    def _find(self, target: Any) -> _Dwell | None:
        return next((d for d in self._dwells if d.target is target), None)

    def _visiting(self) -> _Dwell | None:
        return next((d for d in self._dwells if d.since is not None), None)


class PointerDwell:
    """Dwell from pointer positions, where a pointer that has not moved never chooses.

    A button can appear under a pointer that is resting: when the kiosk starts (the window
    opens under it), after a screen change, a selection or a touch. Until the pointer moves
    ``wake_distance`` from where it rested, nothing under it is dwelt on. When the kiosk
    starts, where it rests is not known until the window first reports a position (the
    window's own idea of it jumps there from a corner), so that first report is where it
    rests, not a movement.
    """

    def __init__(self, tracker: DwellTracker | None = None,
                 wake_distance: float = MOVE_TO_WAKE_PX) -> None:
        self.tracker = tracker if tracker is not None else DwellTracker()
        """Which target is dwelt on and when it is chosen."""
        self.wake_distance = wake_distance
        self._held = True
        self._rest: Point | None = None
        """Where the held pointer rests; None while that is not known yet."""

    @property
    def held(self) -> bool:
        """True while the pointer has to move before a dwell can start."""
        return self._held

    def hold(self, at: Point | None) -> None:
        """No dwell until the pointer moves ``wake_distance`` from ``at``; None: from where
        it is first seen (the kiosk has just started, or the window changed size)."""
        self._held, self._rest = True, at

    def update(self, pointer: Point | None, target_at: Callable[[Point], Any], now: float,
               scale: float = 1.0) -> Any:
        """The pointer is at ``pointer`` at ``now`` (None: not known, or dwell is off);
        ``target_at`` says what is under a position and ``scale`` sizes the distance to the
        window (1.0 at 1920x1080). Returns the target to select when its dwell completes."""
        if self._held and pointer is not None:
            if self._rest is None:
                self._rest = pointer  # first seen: this is where it rests
            elif math.dist(pointer, self._rest) >= self.wake_distance * scale:
                self._held, self._rest = False, None
        target = target_at(pointer) if pointer is not None and not self._held else None
        selected = self.tracker.update(target, now)
        if selected is not None:
            self.hold(pointer)
        return selected

    def reset(self, at: Point | None) -> None:
        """Forget every dwell and hold the pointer at ``at`` (a reset for the next visitor)."""
        self.tracker.reset()
        self.hold(at)


def perimeter_path(x: float, y: float, width: float, height: float,
                   fraction: float) -> list[float]:
    """Points (x0, y0, x1, y1, ...) of the first ``fraction`` (0 to 1) of a rectangle's
    outline, clockwise from the middle of its top edge, like a clock hand: the dwell ring."""
    fraction = min(1.0, max(0.0, fraction))
    top, right = y + height, x + width
    corners = [(x + width / 2, top), (right, top), (right, y), (x, y), (x, top),
               (x + width / 2, top)]
    remaining = fraction * 2 * (width + height)
    points = [*corners[0]]
    for (ax, ay), (bx, by) in zip(corners, corners[1:], strict=False):
        length = abs(bx - ax) + abs(by - ay)
        if remaining >= length:
            points += [bx, by]
            remaining -= length
            continue
        if remaining > 0 and length > 0:
            share = remaining / length
            points += [ax + (bx - ax) * share, ay + (by - ay) * share]
        break
    return points if len(points) > 2 else []


# -- scanning ----------------------------------------------------------------------------


class Scanner:
    """A highlight stepping through targets, for switch users.

    ``tick(now)`` moves it on by itself (one switch); ``switch(now, which)`` is a switch
    press. The caller gives the targets of the screen with ``set_targets`` (a change starts
    again at the first) and calls ``restart`` after every selection.
    """

    def __init__(self, pace: float = SCAN_PACE, mode: str = ONE_SWITCH,
                 loops: int | None = SCAN_LOOPS) -> None:
        self.pace = pace
        """Seconds the highlight stays on each target (one switch)."""
        self.mode = mode
        """ONE_SWITCH or TWO_SWITCH."""
        self.loops = loops
        """Rounds without a press before one-switch scanning rests; None: never rests."""
        self.targets: list[Any] = []
        self.index: int | None = None
        """Position of the highlight in ``targets``; None when nothing is highlighted."""
        self.resting = False
        """True when one-switch scanning stopped after ``loops`` rounds with no press."""
        self._due = 0.0
        self._rounds = 0

    @property
    def current(self) -> Any:
        """The highlighted target, or None."""
        return self.targets[self.index] if self.index is not None else None

    def set_targets(self, targets: list[Any], now: float) -> bool:
        """The targets on screen now; when they differ from before, start again at the
        first. True when it started again."""
        if len(targets) == len(self.targets) and all(
                a is b for a, b in zip(targets, self.targets, strict=True)):
            return False
        self.targets = list(targets)
        self.restart(now)
        return True

    def restart(self, now: float) -> None:
        """Highlight the first target, for a full ``pace`` (after a selection, a new screen
        or a press that wakes resting scanning)."""
        self.index = 0 if self.targets else None
        self.resting = False
        self._rounds = 0
        self._due = now + self.pace

    def clear(self) -> None:
        """No targets and no highlight (scanning turned off, or a reset)."""
        self.targets = []
        self.index = None
        self.resting = False

    def tick(self, now: float, ready: bool = True) -> Any:
        """One switch: move the highlight on when it has stayed ``pace`` seconds and the
        caller is ``ready`` (its label has been spoken). Returns the newly highlighted target
        when it moved, else None."""
        if (self.mode != ONE_SWITCH or self.index is None or not ready
                or now + _EPSILON < self._due):
            return None
        return self._step(now)

    def switch(self, now: float, which: int = 0) -> Any:
        """A switch press. One switch: select the highlighted target. Two switches: switch 0
        moves the highlight on, any other selects. A press while one-switch scanning rests
        starts it again. Returns the target to select, else None."""
        if not self.targets:
            return None
        if self.mode == TWO_SWITCH and which == 0:
            self._step(now)
            return None
        if self.index is None:
            self.restart(now)
            return None
        return self.current

    def _step(self, now: float) -> Any:
        self.index = 0 if self.index is None else (self.index + 1) % len(self.targets)
        self._due = now + self.pace
        if self.index == 0 and self.mode == ONE_SWITCH:
            self._rounds += 1
            if self.loops is not None and self._rounds >= self.loops:
                self.index, self.resting = None, True
                return None
        return self.current
