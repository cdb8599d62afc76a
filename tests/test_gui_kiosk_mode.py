"""Kiosk mode in the real app under Xvfb: the idle notice and reset, the attract screen, the
lockdown, and the admin gesture, PIN pad and admin screen.

Idle time runs on a fake clock (``app.kiosk.now``): the tests move it on and call
``app.kiosk.tick()`` as the app's own clock would, so nothing waits for 90 seconds. Speech
and voice run for real (virtual speakers, a file microphone).
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from test_gui_reading import wait_until
from test_gui_voice import said, say, voice_ready  # noqa: F401 - said is a fixture

from kiosk.pin import hash_pin

pytestmark = pytest.mark.gui

IDLE, NOTICE = 90, 20


class FakeClock:
    def __init__(self) -> None:
        self.t = 10_000.0

    def __call__(self) -> float:
        return self.t


class Kiosk:
    """The app in kiosk mode with a fake clock, and what it said aloud."""

    def __init__(self, pilot, clock: FakeClock) -> None:
        self.pilot = pilot
        self.app = pilot.app
        self.mode = pilot.app.kiosk
        self.clock = clock
        self.said: list[str] = []

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass with nobody doing anything."""
        self.clock.t += seconds
        self.mode.tick()
        self.pilot.frames(2)

    @property
    def shown(self) -> str:
        return self.mode.layer.shown

    def texts(self, part: str) -> str:
        """All the words a part of the kiosk layer shows."""
        from kivy.uix.label import Label

        from kiosk.ui.widgets import strip_markup

        widget = self.mode.parts[part]
        return " ".join(strip_markup(w.text) for w in widget.walk(restrict=True)
                        if isinstance(w, Label) and w.text.strip())

    def button(self, label: str):
        from kiosk.ui.focus import actionable
        from kiosk.ui.widgets import strip_markup

        root = self.mode.focus_root()
        assert root is not None, "nothing of the kiosk layer is shown"
        buttons = actionable(root)
        for button in buttons:
            if strip_markup(button.text) == label:
                return button
        raise AssertionError(f"no '{label}' on {self.shown}: "
                             f"{[strip_markup(b.text) for b in buttons]}")

    def tap_at(self, x: float, y: float) -> None:
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pilot.frames(2)
        touch.touch_up()
        self.pilot.frames(2)

    def enter_pin(self, digits: str) -> None:
        for digit in digits:
            self.pilot.tap(self.button(digit))
        self.pilot.tap(self.button("OK"))

    def open_pin_pad(self, opens: bool = True) -> None:
        """Hold a finger in the top-left corner for five seconds (the PIN pad opens, unless
        not ``opens``)."""
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(40, 1080 - 40)
        touch.touch_down()
        self.advance(4.9)
        assert self.shown != "pin", "the PIN pad opened before five seconds"
        self.advance(0.2)
        touch.touch_up()
        self.pilot.frames(2)
        assert self.shown == ("pin" if opens else "")


STAFF_PIN = "4817"
STAFF_HASH = hash_pin(STAFF_PIN)


@pytest.fixture
def kiosk(pilot, monkeypatch):
    """Kiosk mode on (idle 90 s, notice 20 s), a fake clock, and a record of speech."""
    from kiosk.config import Settings

    settings = replace(Settings(), window_width=1920, window_height=1080, kiosk_mode=True,
                       idle_seconds=IDLE, idle_notice_seconds=NOTICE,
                       admin_pin_hash=STAFF_HASH)
    pilot.reset(settings)
    clock = FakeClock()
    kiosk = Kiosk(pilot, clock)
    pilot.app.kiosk.now = clock
    pilot.app.kiosk.watcher.restart(clock.t)
    reading = pilot.app.reading
    for name in ("say_text", "announce"):  # record what is said, and say it
        original = getattr(reading, name, None)
        if original is not None:
            def recorded(text: str, original=original):
                kiosk.said.append(text)
                return original(text)

            monkeypatch.setattr(reading, name, recorded)
    yield kiosk
    pilot.app.reading.stop()
    pilot.reset(replace(Settings(), window_width=1920, window_height=1080, idle_seconds=0))


def open_section(pilot, number: int) -> None:
    pilot.app.go("open_document", document_id=pilot.app.navigator.library.documents[0].id)
    pilot.app.go("open_section", number=number)
    pilot.frames(3)


def test_the_notice_appears_after_the_idle_time_is_spoken_and_counts_down(kiosk):
    from kiosk.speech.narrator import State

    pilot = kiosk.pilot
    open_section(pilot, 3)
    kiosk.advance(IDLE - 1)
    assert kiosk.shown == "" and not kiosk.said, "the notice came early"
    kiosk.advance(1)
    assert kiosk.shown == "asking"
    words = kiosk.texts("asking")
    assert "Are you still there?" in words
    assert "Say yes or touch the screen." in words
    assert "Starting again for the next person in 20 seconds." in words
    assert kiosk.said == ["Are you still there? Say yes, or touch the screen, within 20 "
                          "seconds."]
    wait_until(pilot, lambda: pilot.app.reading.narrator.status().state is State.READING, 5,
               "the notice to be heard")
    kiosk.advance(5)
    assert "in 15 seconds." in kiosk.texts("asking")
    kiosk.advance(4.5)
    assert "in 11 seconds." in kiosk.texts("asking")
    assert len(kiosk.said) == 1, "the notice is said once"
    pilot.screenshot("idle-notice")
    kiosk.mode.activity()


def test_a_touch_carries_on_where_the_visitor_was_and_does_nothing_else(kiosk):
    from kiosk.speech.narrator import State

    pilot = kiosk.pilot
    open_section(pilot, 3)
    pilot.app.step_setting("text_scale", +1)
    kiosk.advance(IDLE)
    assert kiosk.shown == "asking"
    scroll_down = pilot.button("Scroll down")  # under the notice: the touch must not press it
    pilot.tap(scroll_down)
    assert kiosk.shown == ""
    assert pilot.screen == "reader" and pilot.view.section_number == 3
    assert pilot.app.manager.current_screen.ids.scroll.scroll_y == 1.0, "the touch went through"
    assert pilot.app.text_scale == 1.15, "the visitor's text size was kept"
    wait_until(pilot, lambda: pilot.app.reading.narrator.status().state is State.IDLE, 3,
               "the notice to stop being said")
    assert pilot.app.reading.key[0] != "sample", "Read aloud would read the notice again"
    kiosk.advance(IDLE - 1)
    assert kiosk.shown == "", "carrying on starts a whole new idle time"
    kiosk.advance(1)
    assert kiosk.shown == "asking"
    pilot.key("space")  # a switch or any key answers too
    assert kiosk.shown == ""
    assert pilot.app.focus_ring.focused is None, "the key only answered the notice"


def test_saying_yes_carries_on(kiosk, said):  # noqa: F811 - said is a fixture
    from kiosk.speech.narrator import State

    pilot = kiosk.pilot
    voice_ready(pilot)
    open_section(pilot, 2)
    kiosk.advance(IDLE)
    assert kiosk.shown == "asking"
    # a person waits for the kiosk to finish its question before answering
    narrator = pilot.app.reading.narrator
    wait_until(pilot, lambda: narrator.status().state is State.IDLE, 15, "the question")
    say(pilot, said("yes"), lambda: kiosk.shown == "")
    assert "Heard: \u201cyes\u201d \u2014 Carrying on" in pilot.app.heard_caption
    assert pilot.screen == "reader" and pilot.view.section_number == 2
    kiosk.advance(NOTICE + 1)
    assert kiosk.shown == "", "no reset after carrying on"


def test_yes_and_no_without_a_question_have_nothing_to_answer(kiosk):
    from kiosk.commands import Command

    assert kiosk.app.voice.carry_out(Command("yes")) == "nothing to answer"
    assert kiosk.app.voice.carry_out(Command("no")) == "nothing to answer"
    kiosk.advance(IDLE)
    assert kiosk.app.voice.carry_out(Command("no")) == "Starting again for the next person"
    assert kiosk.shown == "attract"


def test_nobody_answers_so_everything_the_visitor_changed_is_reset(kiosk, said):  # noqa: F811
    from kivy.uix.label import Label

    from kiosk.speech.clinic import clinic_voice
    from kiosk.speech.narrator import State
    from kiosk.state import View
    from kiosk.ui.widgets import strip_markup

    pilot, app = kiosk.pilot, kiosk.app
    settings = app.settings
    voice_ready(pilot)
    say(pilot, said("open one"), lambda: pilot.screen == "contents")
    assert app.heard_caption and app.voice.heard
    pilot.app.manager.current_screen.ids.scroll.page(+1)
    app.go("open_section", number=3)
    pilot.frames(3)
    section_title = app.navigator.entry.section.title
    # everything a visitor can change
    app.set_setting("theme", "yellow")
    app.step_setting("text_scale", +2)
    app.set_setting("typeface", "opendyslexic")
    app.step_setting("line_spacing", +1)
    app.reading.change_rate(+2)
    app.reading.change_volume(-2)
    app.set_setting("show_numbers", True)
    app.step_setting("dwell_seconds", +2)
    app.set_setting("scanning", "one_switch")
    app.reading.toggle()  # read, then pause: a paused reading counts as idle
    wait_until(pilot, lambda: app.reading.narrator.status().state is State.READING, 5, "reading")
    app.reading.toggle()
    wait_until(pilot, lambda: app.reading.narrator.status().state is State.PAUSED, 5, "pause")
    pilot.app.manager.current_screen.ids.scroll.page(+1)
    pilot.key("tab")
    app.say_notice("This is the last section.")
    pilot.frames(2)
    changed = (app.theme_name, app.text_scale, app.line_spacing, app.numbers_shown,
               app.dwell_seconds, app.scanning, app.reading.narrator.voice)
    assert changed != ("dark", 1.0, 1.45, False, 1.2, "off", clinic_voice(settings))
    assert app.focus_ring.focused is not None

    kiosk.advance(IDLE)
    assert kiosk.shown == "asking"
    kiosk.advance(NOTICE - 1)
    assert kiosk.shown == "asking" and kiosk.mode.resets == 0
    kiosk.advance(1)
    assert kiosk.mode.resets == 1 and kiosk.shown == "attract"

    assert (app.theme_name, app.text_scale, app.typeface, app.line_spacing) == (
        settings.theme, settings.text_scale, settings.typeface, settings.line_spacing)
    assert app.reading.narrator.voice == clinic_voice(settings), "speed, volume and voice"
    assert (app.numbers_shown, app.dwell_seconds, app.scanning) == (
        settings.show_numbers, settings.dwell_seconds, settings.scanning)
    assert pilot.screen == "home" and app.navigator.view == View()
    assert app.navigator.came_from() == "home", "no history of what was opened"
    assert app.heard_caption == "" and app.voice.heard == []
    assert not app.notice.shown and app.notice.text == ""
    assert app.focus_ring.focused is None
    for screen in app.manager.screens:
        if "scroll" in screen.ids:
            assert screen.ids.scroll.scroll_y == 1.0, f"{screen.name} is not at its top"
    assert kiosk.said[-1] == "Touch the screen or say a command to begin."
    wait_until(pilot, lambda: app.reading.narrator.status().state is State.READING, 5,
               "the invitation to be said")
    assert app.reading.key[0] == "sample", "nothing of the visitor's section is read"

    # what can be seen after the reset: Home (and the bars) under the attract screen
    kiosk.advance(1)
    assert 0 < kiosk.mode.layer.attract_opacity < 1, "the attract screen fades in slowly"
    kiosk.advance(2)
    assert kiosk.mode.layer.attract_opacity == 1
    seen = " ".join(strip_markup(w.text) for w in app.root.walk(restrict=True)
                    if isinstance(w, Label) and w.opacity > 0)
    seen += " " + kiosk.texts("attract")
    assert section_title not in seen and "Heard" not in seen and "last section" not in seen
    assert "Touch the screen or say a command to begin." in seen
    pilot.screenshot("attract")


def test_the_attract_screen_stays_until_someone_touches_it(kiosk):
    pilot = kiosk.pilot
    kiosk.advance(IDLE)
    kiosk.advance(NOTICE)
    assert kiosk.shown == "attract"
    kiosk.advance(3600)
    assert kiosk.shown == "attract", "the attract screen waits for someone"
    settings_button = pilot.button("Settings")  # under the attract screen
    pilot.tap(settings_button)
    assert kiosk.shown == ""
    assert pilot.screen == "home", "the touch only woke the kiosk"
    kiosk.advance(IDLE - 1)
    assert kiosk.shown == ""
    kiosk.advance(1)
    assert kiosk.shown == "asking", "a new idle cycle began"


def test_a_key_or_a_voice_command_wakes_the_attract_screen(kiosk):
    from kiosk.commands import Command

    kiosk.advance(IDLE)
    kiosk.advance(NOTICE)
    assert kiosk.shown == "attract"
    kiosk.pilot.key("enter")
    assert kiosk.shown == "" and kiosk.pilot.screen == "home"
    kiosk.advance(IDLE)
    kiosk.advance(NOTICE)
    assert kiosk.shown == "attract"
    assert kiosk.mode.voice_activity()  # as VoiceController._act does for a heard command
    kiosk.app.voice.carry_out(Command("help"))
    kiosk.pilot.frames(2)
    assert kiosk.shown == "" and kiosk.pilot.screen == "help"


def test_never_resets_while_reading_aloud(kiosk):
    from kiosk.speech.narrator import State

    pilot = kiosk.pilot
    open_section(pilot, 1)
    narrator = pilot.app.reading.narrator
    pilot.tap("Read aloud")
    wait_until(pilot, lambda: narrator.status().state is State.READING, 5, "reading")
    for _ in range(10):
        kiosk.advance(60)
        assert kiosk.shown == "", "the idle notice came while the kiosk was reading"
    pilot.app.reading.stop()
    wait_until(pilot, lambda: narrator.status().state is State.IDLE, 3, "stop")
    kiosk.advance(IDLE - 1)
    assert kiosk.shown == ""
    kiosk.advance(1)
    assert kiosk.shown == "asking"


def test_switch_scanning_saying_labels_is_not_reading(kiosk):
    """Scanning says a button's label every few seconds even with nobody there: that must
    not hold off the reset (only reading a document does)."""
    from kiosk.speech.narrator import State

    pilot, app = kiosk.pilot, kiosk.app
    app.set_setting("scanning", "one_switch")
    narrator = app.reading.narrator
    wait_until(pilot, lambda: narrator.status().state is State.READING, 10, "a label said")
    assert kiosk.said, "scanning said nothing"
    kiosk.advance(IDLE)
    assert kiosk.shown == "asking"
    app.set_setting("scanning", "off")


def test_pointer_movement_counts_as_activity(kiosk):
    from kivy.core.window import Window

    kiosk.advance(IDLE - 10)
    Window.mouse_pos = (500, 500)
    Window.mouse_pos = (560, 520)  # a head mouse or eye tracker moving the pointer
    kiosk.advance(10)
    assert kiosk.shown == ""
    kiosk.advance(IDLE - 10)
    Window.mouse_pos = (562, 521)  # a jitter of a few pixels is not someone there
    kiosk.advance(10)
    assert kiosk.shown == "asking"
    Window.mouse_pos = (900, 700)
    kiosk.pilot.frames(1)
    assert kiosk.shown == ""


def test_escape_alt_f4_and_the_close_button_do_not_leave_the_kiosk(kiosk):
    from kivy.core.window import Window

    from kiosk.config import Settings

    pilot = kiosk.pilot
    assert Window.dispatch("on_request_close") is True, "close was not refused"
    assert Window.dispatch("on_request_close", source="keyboard") is True
    Window.dispatch("on_key_down", 285, 0, None, ["alt"])  # Alt+F4
    Window.dispatch("on_key_up", 285, 0)
    pilot.key("escape")
    assert pilot.screen == "home" and pilot.app.root.parent is Window
    open_section(pilot, 2)
    pilot.key("escape")
    assert pilot.screen == "contents", "Escape is still 'back' inside the kiosk"
    # outside kiosk mode the window closes as usual
    pilot.reset(replace(Settings(), window_width=1920, window_height=1080, idle_seconds=0))
    assert not Window.dispatch("on_request_close")


def test_admin_gesture_pin_and_exit(kiosk, monkeypatch, caplog):
    import logging

    from kivy.core.window import Window

    from kiosk.ui import kiosk_mode

    pilot, app = kiosk.pilot, kiosk.app
    stopped = []
    monkeypatch.setattr(app, "stop", lambda *a: stopped.append(True))
    kiosk.tap_at(40, 1040)
    kiosk.advance(10)
    assert kiosk.shown == "", "a tap in the corner is not the gesture"
    kiosk.open_pin_pad()
    assert "Staff only: enter the PIN" in kiosk.texts("pin")
    assert kiosk.said[-1] == f"Staff only. {kiosk_mode.PIN_PROMPT}"
    caplog.set_level(logging.INFO)
    kiosk.enter_pin("1234")  # a wrong one first
    for digit in STAFF_PIN[:2] + "9":
        pilot.tap(kiosk.button(digit))
    assert kiosk.mode.layer.pin_dots == "\u2022 \u2022 \u2022", "one dot a digit"
    pilot.tap(kiosk.button("Delete"))
    for digit in STAFF_PIN[2:]:
        pilot.tap(kiosk.button(digit))
    pad = kiosk.mode.parts["pin"].ids
    assert pad.dots.text == "\u2022 \u2022 \u2022 \u2022", "digits are never shown"
    assert not any(c.isdigit() for c in pad.dots.text + pad.message.text)
    pilot.screenshot("admin-pin")
    pilot.tap(kiosk.button("OK"))
    assert kiosk.shown == "admin"
    assert kiosk.said[-1] == "Admin screen."
    pilot.screenshot("admin")

    pilot.tap(kiosk.button("Test audio"))
    assert kiosk.said[-1] == kiosk_mode.TEST_AUDIO
    pilot.tap(kiosk.button("Reload content"))
    assert "Content reloaded: 2 documents." in kiosk.texts("admin")
    assert kiosk.said[-1].startswith("Content reloaded")
    monkeypatch.setattr(kiosk_mode, "input_devices", lambda: [])
    pilot.tap(kiosk.button("Choose microphone"))
    assert "No microphone was found." in kiosk.texts("admin")
    assert kiosk.said[-1].startswith("No microphone was found.")
    chosen = []
    monkeypatch.setattr(kiosk_mode, "input_devices", lambda: ["USB microphone", "Webcam"])
    monkeypatch.setattr(kiosk.mode, "_use_microphone", chosen.append)
    pilot.tap(kiosk.button("Choose microphone"))
    assert chosen == ["USB microphone"]
    assert "Microphone 1 of 2: USB microphone." in kiosk.texts("admin")

    assert not stopped
    assert Window.dispatch("on_request_close") is True
    pilot.tap(kiosk.button("Exit the kiosk"))
    assert stopped == [True], "Exit did not stop the app"
    assert not Window.dispatch("on_request_close"), "after Exit the window may close"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for line in ("admin: a wrong PIN was entered (1 in a row)",
                 "admin: the admin screen was opened", "admin: test audio",
                 "admin: reload content", "admin: microphone 1 of 2 chosen", "admin: exit"):
        assert line in logged, f"not in the log: {line}"
    assert "1234" not in logged and STAFF_PIN not in logged, "the log holds a PIN"


@pytest.mark.parametrize("pin", ["", "2580", "1111", "123"])
def test_without_a_usable_staff_pin_the_corner_says_so_and_opens_nothing(kiosk, pin):
    from dataclasses import replace

    from kiosk.pin import StaffPin

    app = kiosk.app
    app.settings = replace(app.settings, admin_pin=pin, admin_pin_hash="")
    problem = StaffPin(pin).problem()
    assert problem.startswith("No staff PIN is set" if not pin else "The staff PIN is refused")
    kiosk.open_pin_pad(opens=False)
    assert kiosk.shown == "" and kiosk.mode.panel == ""
    assert app.notice.text == problem and "kiosk service install" in problem
    assert kiosk.said[-1] == problem, "not said aloud"


def test_a_wrong_pin_does_nothing_but_say_so(kiosk, monkeypatch):
    from kiosk.ui import kiosk_mode

    pilot, app = kiosk.pilot, kiosk.app
    stopped = []
    monkeypatch.setattr(app, "stop", lambda *a: stopped.append(True))
    open_section(pilot, 2)
    kiosk.open_pin_pad()
    kiosk.enter_pin("1234")
    assert kiosk.shown == "pin", "a wrong PIN opened something"
    assert kiosk_mode.WRONG_PIN in kiosk.texts("pin")
    assert kiosk.said[-1] == kiosk_mode.WRONG_PIN
    assert not stopped and pilot.screen == "reader" and pilot.view.section_number == 2
    # the keyboard works on the PIN pad too: digits, Backspace, Enter
    from kivy.core.window import Window

    for digit in STAFF_PIN:
        Window.dispatch("on_key_down", ord(digit), 0, digit, [])
    Window.dispatch("on_key_down", 8, 0, None, [])
    Window.dispatch("on_key_down", ord("9"), 0, "9", [])
    Window.dispatch("on_key_down", 13, 0, None, [])
    pilot.frames(2)
    assert kiosk.shown == "pin" and kiosk.said[-1] == kiosk_mode.WRONG_PIN
    pilot.tap(kiosk.button("Cancel"))
    assert kiosk.shown == ""
    assert not stopped and pilot.screen == "reader" and pilot.view.section_number == 2


def test_the_pin_pad_refuses_after_five_wrong_pins(kiosk):
    kiosk.open_pin_pad()
    for _ in range(5):  # (typed through the pad's methods: tapping is tested above)
        for digit in "1111":
            kiosk.mode.pin_digit(digit)
        kiosk.mode.pin_ok()
    kiosk.pilot.frames(2)
    assert "Too many wrong PINs. Wait 60 seconds" in kiosk.texts("pin")
    kiosk.enter_pin(STAFF_PIN)
    assert kiosk.shown == "pin", "the right PIN during the lock"
    kiosk.advance(61)  # less than the idle time: the PIN pad is still there
    assert kiosk.shown == "pin"
    kiosk.enter_pin(STAFF_PIN)
    assert kiosk.shown == "admin"


def test_voice_commands_are_not_carried_out_under_the_pin_pad(kiosk):
    kiosk.open_pin_pad()
    assert kiosk.mode.voice_activity() is False
    kiosk.pilot.tap(kiosk.button("Cancel"))
    assert kiosk.mode.voice_activity() is True


def test_idle_reset_closes_the_pin_pad(kiosk):
    kiosk.open_pin_pad()
    kiosk.advance(IDLE)
    assert kiosk.shown == "asking"
    kiosk.advance(NOTICE)
    assert kiosk.shown == "attract" and kiosk.mode.panel == ""


def test_kiosk_targets_are_large_spaced_reachable_by_keyboard_and_readable(kiosk):
    from kiosk_pilot import visible_rect

    from kiosk.ui.focus import actionable
    from kiosk.ui.theme import contrast_ratio

    pilot, app = kiosk.pilot, kiosk.app
    kiosk.advance(IDLE)
    notice = [("asking", actionable(kiosk.mode.focus_root()))]
    kiosk.mode.activity()
    kiosk.open_pin_pad()
    pilot.key("tab")
    assert pilot.focused_label() == "1", "Tab starts on the PIN pad, not the screen under it"
    pin = [("pin", actionable(kiosk.mode.focus_root()))]
    kiosk.enter_pin(STAFF_PIN)
    admin = [("admin", actionable(kiosk.mode.focus_root()))]
    problems = []
    for part, buttons in (*notice, *pin, *admin):
        assert buttons, f"no targets on {part}"
        for button in buttons:
            if button.height < 112 or button.width < 112:
                problems.append(f"{part}: '{button.text}' is {button.width}x{button.height}")
        rects = [visible_rect(b) for b in buttons]
        for (a, ra), (b, rb) in itertools.combinations(zip(buttons, rects, strict=True), 2):
            distance = max(rb[0] - ra[2], ra[0] - rb[2], rb[1] - ra[3], ra[1] - rb[3])
            if distance < 16:
                problems.append(f"{part}: '{a.text}' and '{b.text}' are {distance} px apart")
    assert not problems, "\n".join(problems)
    from kivy.uix.label import Label

    from kiosk.ui.widgets import KioskButton

    for theme in ("dark", "light", "yellow"):  # every text is one of the theme's 7:1 pairs
        app.set_setting("theme", theme)
        pilot.frames(1)
        colours = app.theme
        for part in ("asking", "attract", "pin", "admin"):
            for label in kiosk.mode.parts[part].walk(restrict=True):
                if not isinstance(label, Label) or isinstance(label, KioskButton):
                    continue
                background = colours.notice if part == "asking" else colours.background
                ratio = contrast_ratio(tuple(label.color), background)
                assert ratio >= 7, f"{theme} {part}: '{label.text}' contrast {ratio:.1f}"
    kiosk.mode.close_panel()
