"""A long random walk through the real app, for the soak test and ``bench/soak.py``.

Each step is something a visitor or the kiosk itself does: a voice command (the intent the
recogniser would hand over), a touch on a button, a dwell, a switch press while scanning, a
key, a reading control, a settings change, or the idle reset for the next person. After
each step the walk checks what a person would notice: the screen shown is the screen the
navigation state says, and no error reached the exception guard. Every so often it checks
that the kiosk is not stuck: Home can be reached, shows its documents, and the narrator and
listener threads still answer.

Dwell and scanning run on a fake clock that only the walk moves, so they never fire by
themselves; speech and frames are real.
"""

from __future__ import annotations

import random
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.voice.grammar import load_commands

SAID = tuple(sorted(set(load_commands().intents) - {"wake"}))
"""Every command a person can say (commands.yaml), but the wake word alone."""
KEYS = ("tab", "enter", "space", "escape", "pagedown", "pageup", "home", "up", "down", "left",
        "right", "r", "s", "a", ".", ",", "+", "-", "t")
"""Named keys of the pilot, and letters the Reader and push-to-talk answer to."""
TICK = 0.05


class FakeClock:
    """Seconds that move only when a test or the walk says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@dataclass
class Report:
    """What happened on a walk."""

    steps: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    screens: set[str] = field(default_factory=set)
    liveness_checks: int = 0
    frame_ms: list[float] = field(default_factory=list)
    """How long each frame took (the bench reports the slow ones)."""


class StuckError(AssertionError):
    """The kiosk is in a state a person would notice as broken."""


class Walk:
    """Random steps against a Pilot's app; ``frames(n)`` runs the app's frames."""

    def __init__(self, pilot, seed: int, frames: Callable[[int], None] | None = None) -> None:
        self.pilot = pilot
        self.app = pilot.app
        self.random = random.Random(seed)
        self.report = Report()
        self.recent: deque[str] = deque(maxlen=25)
        self.clock = FakeClock()
        self._frames = frames
        self._errors = self.app.guard.errors
        self.steps: list[tuple[str, int, Callable[[], str]]] = [
            ("voice", 6, self.voice), ("touch", 6, self.touch), ("key", 3, self.key),
            ("reading", 3, self.reading), ("dwell", 2, self.dwell), ("scan", 2, self.scan),
            ("setting", 2, self.setting), ("reset", 1, self.reset),
        ]

    # -- running -------------------------------------------------------------------------

    def run(self, count: int, check_every: int = 100) -> Report:
        from kivy.core.window import Window

        app = self.app
        app.hands_free.now = self.clock
        Window.mouse_pos = (3, 3)
        kinds = [kind for kind, weight, _ in self.steps for _ in range(weight)]
        actions = {kind: action for kind, _, action in self.steps}
        try:
            for n in range(1, count + 1):
                kind = self.random.choice(kinds)
                did = actions[kind]()
                self.recent.append(f"{n}: {kind} {did}")
                self.report.kinds[kind] = self.report.kinds.get(kind, 0) + 1
                self.frames(1)
                self.check()
                if n % check_every == 0:
                    self.check_not_stuck()
                self.report.steps += 1
        finally:
            app.set_setting("scanning", "off")
            app.hands_free.reset()  # back on the real clock
        return self.report

    def frames(self, count: int) -> None:
        for _ in range(count):
            began = time.perf_counter()
            if self._frames is not None:
                self._frames(1)
            else:
                self.pilot.frames(1)
            self.report.frame_ms.append((time.perf_counter() - began) * 1000)

    def fail(self, problem: str) -> None:
        raise StuckError(problem + "\nlast steps:\n" + "\n".join(self.recent))

    def check(self) -> None:
        app = self.app
        shown = app.manager.current
        self.report.screens.add(shown)
        if shown != app.navigator.view.screen.value:
            self.fail(f"the screen shows {shown} but the kiosk is on "
                      f"{app.navigator.view.screen.value}")
        if app.guard.errors != self._errors:
            error = app.guard.last_error
            self.fail("an unexpected error reached the exception guard:\n" + "".join(
                traceback.format_exception(type(error), error, error.__traceback__)))

    def check_not_stuck(self) -> None:
        """Home can be reached and shows its documents; the worker threads answer."""
        app = self.app
        self.report.liveness_checks += 1
        if not app.reading.narrator.wait_idle(5):
            self.fail("the narrator did not answer within 5 s")
        app.go("home")
        self.frames(2)
        if app.manager.current != "home":
            self.fail("Home could not be reached")
        documents = app.manager.get_screen("home").ids.documents.children
        if len(documents) != len(app.navigator.library.documents) or not documents:
            self.fail("Home does not show the documents")
        listener = app.voice.listener
        if listener is not None and listener._thread is not None \
                and not listener._thread.is_alive():
            self.fail("the voice listener thread has ended")

    # -- the steps -----------------------------------------------------------------------

    def voice(self) -> str:
        from kiosk.commands import Command

        pick = self.random.random()
        if pick < 0.15:
            meaning = Command("open", number=self.random.randint(1, 20))
        elif pick < 0.25:
            meaning = Command("press", number=self.random.randint(1, 30))
        else:
            meaning = Command(self.random.choice(SAID))
        done = self.app.voice.carry_out(meaning)
        return f"{meaning.describe()} -> {done}"

    def _buttons(self):
        from kiosk.ui.focus import visible_rect

        return [b for b in self.pilot.buttons() if visible_rect(b) is not None]

    def touch(self) -> str:
        buttons = self._buttons()
        if not buttons:
            return "(no button in view)"
        from kivy.tests.common import UnitTestTouch

        from kiosk.ui.focus import visible_rect

        button = self.random.choice(buttons)
        label = button.label_for_speech()
        area = visible_rect(button)
        touch = UnitTestTouch((area[0] + area[2]) / 2, (area[1] + area[3]) / 2)
        touch.touch_down()
        touch.touch_up()
        return label

    def key(self) -> str:
        from kiosk_pilot import KEYS as NAMED
        from kivy.core.window import Window

        name = self.random.choice(KEYS)
        code, text = (NAMED[name], None) if len(name) > 1 else (ord(name), name)
        Window.dispatch("on_key_down", code, 0, text, [])
        Window.dispatch("on_key_up", code, 0)
        return name

    def reading(self) -> str:
        reading = self.app.reading
        choice = self.random.choice(("toggle", "stop", "next_sentence", "previous_sentence",
                                     "repeat", "faster", "slower"))
        if choice == "faster":
            reading.change_rate(+1)
        elif choice == "slower":
            reading.change_rate(-1)
        else:
            getattr(reading, choice)()
        return choice

    def dwell(self) -> str:
        from kivy.core.window import Window

        from kiosk.ui.focus import visible_rect

        app = self.app
        if not app.dwell_on:
            app.set_setting("dwell", True)
        buttons = self._buttons()
        if not buttons:
            return "(no button in view)"
        button = self.random.choice(buttons)
        area = visible_rect(button)
        Window.mouse_pos = (3, 3)  # move away first, so the next rest counts
        self._advance(0.2)
        Window.mouse_pos = ((area[0] + area[2]) / 2, (area[1] + area[3]) / 2)
        self._advance(app.dwell_seconds + 0.5)
        Window.mouse_pos = (3, 3)
        self._advance(0.1)
        return button.label_for_speech()

    def scan(self) -> str:
        app = self.app
        if app.scanning == "off":
            app.set_setting("scanning", self.random.choice(("one_switch", "two_switch")))
        self._advance(self.random.uniform(0.0, 4.0))
        which = self.random.choice((0, 0, 1)) if app.scanning == "two_switch" else 0
        app.hands_free.switch(which)
        self._advance(TICK)
        done = f"{app.scanning} switch {which}"
        if self.random.random() < 0.2:
            app.set_setting("scanning", "off")
        return done

    def setting(self) -> str:
        app = self.app
        pick = self.random.randrange(8)
        if pick == 0:
            app.set_setting("theme", self.random.choice(("dark", "light", "yellow")))
        elif pick == 1:
            app.step_setting("text_scale", self.random.choice((-1, 1)))
        elif pick == 2:
            app.set_setting("typeface", self.random.choice(("atkinson", "opendyslexic")))
        elif pick == 3:
            app.step_setting("line_spacing", self.random.choice((-1, 1)))
        elif pick == 4:
            app.set_setting("show_numbers", not app.numbers_shown)
        elif pick == 5:
            app.reading.change_volume(self.random.choice((-1, 1)))
        elif pick == 6:
            app.step_setting("dwell_seconds", self.random.choice((-1, 1)))
        else:
            app.go("settings")
        return ("theme", "text size", "typeface", "line spacing", "numbers", "volume",
                "dwell time", "open Settings")[pick]

    def reset(self) -> str:
        self.app.kiosk.reset_for_next_person()
        return "the next person"

    def _advance(self, seconds: float) -> None:
        for _ in range(max(1, round(seconds / TICK))):
            self.clock.advance(TICK)
            self.app.hands_free.tick()
