"""Dwell and switch scanning in the real window under Xvfb, on an injected clock.

The pointer is the window's own (``Window.mouse_pos``), as a mouse, head mouse or eye
tracker would move it; switches are key presses and the on-screen switch. Time for dwell and
scanning comes from a fake clock the tests move on, so nothing waits for a dwell; only real
speech (the narrator and the virtual speakers) runs in real time.
"""

from __future__ import annotations

import time

import pytest
from soak_walk import FakeClock
from test_gui_reading import wait_until as reading_wait_until

from kiosk.state import View

pytestmark = pytest.mark.gui

DOCUMENT = "Amyotrophic Lateral Sclerosis (ALS)\nNational Institute"
"""The start of the NINDS document's button on Home."""
SECTION_TITLE = "Who is more likely to get ALS?"
TICK = 0.05


@pytest.fixture
def clock(pilot):
    from kivy.core.window import Window

    fake = FakeClock()
    pilot.app.hands_free.now = fake
    Window.mouse_pos = (3, 3)  # a corner with no button
    pilot.app.hands_free.tick()
    yield fake
    pilot.app.set_setting("scanning", "off")
    pilot.app.hands_free.reset()  # back on the real clock


def wait_until(pilot, predicate, timeout: float = 15.0, what: str = "") -> None:
    """Run frames until ``predicate()`` is true (real speech takes real time)."""
    reading_wait_until(pilot, predicate, timeout, what)


def run(pilot, clock, seconds: float) -> None:
    """Let ``seconds`` pass on the fake clock, sampled 20 times a second like the window."""
    for _ in range(round(seconds / TICK)):
        clock.advance(TICK)
        pilot.app.hands_free.tick()
    pilot.frames(2)


def point_at(pilot, button, dx: float = 0) -> None:
    """Move the pointer to the middle of what can be seen of ``button``."""
    from kiosk_pilot import visible_rect
    from kivy.core.window import Window

    area = visible_rect(button)
    assert area is not None, f"{button.label_for_speech()} is out of view"
    Window.mouse_pos = ((area[0] + area[2]) / 2 + dx, (area[1] + area[3]) / 2)


def narrator(pilot):
    return pilot.app.reading.narrator


def reading_section(pilot) -> bool:
    from kiosk.speech.narrator import State

    status = narrator(pilot).status()
    return status.state is State.READING and status.key == pilot.app.reading.key \
        and pilot.app.reading.key[0] != "sample"


def idle(pilot) -> bool:
    from kiosk.speech.narrator import State

    return narrator(pilot).status().state is State.IDLE


# -- dwell -------------------------------------------------------------------------------


def test_dwell_fills_a_ring_and_selects_after_the_dwell_time_not_before(pilot, clock):
    from kiosk_pilot import close_to, pixel, rgb

    app = pilot.app
    button = pilot.button(DOCUMENT)
    point_at(pilot, button)
    run(pilot, clock, 0.25)
    assert button.dwell_progress == 0  # passing over a button shows nothing yet
    run(pilot, clock, 0.6)
    assert button.dwell_progress == pytest.approx(0.5, abs=0.05)
    path = pilot.screenshot("dwell-ring")
    assert path.exists()
    # the ring is drawn in the focus colour round the part done (top right, right side)
    # and only as a thin track round the rest (left side)
    x0, y0 = button.to_window(button.x, button.y)
    middle_y = y0 + button.height / 2
    ring = app.ring_px
    right_edge = pixel(x0 + button.width + ring / 2, middle_y)
    left_edge = pixel(x0 - ring / 2 - 2, middle_y)
    assert close_to(right_edge, rgb(app.theme.focus), 40), right_edge
    assert not close_to(left_edge, rgb(app.theme.focus), 40), left_edge
    run(pilot, clock, 0.55)  # 1.40 s in all
    assert pilot.screen == "home"
    run(pilot, clock, 0.1)
    assert pilot.screen == "contents"
    assert pilot.app.navigator.document.id == "ninds-als"


def test_dwell_ring_grows_steadily_without_jumps(pilot, clock):
    button = pilot.button("Settings")
    point_at(pilot, button)
    run(pilot, clock, 0.3)
    values = []
    for _ in range(20):
        run(pilot, clock, TICK)
        values.append(button.dwell_progress)
    steps = [b - a for a, b in zip(values, values[1:], strict=False)]
    assert all(step == pytest.approx(TICK / pilot.app.dwell_seconds, abs=1e-6) for step in steps)


def test_dwell_time_is_the_visitors_setting(pilot, clock):
    pilot.app.step_setting("dwell_seconds", +4)  # 1.2 s -> 2.2 s
    assert pilot.app.dwell_seconds == pytest.approx(2.2)
    point_at(pilot, pilot.button("Help"))
    run(pilot, clock, 2.4)
    assert pilot.screen == "home"
    run(pilot, clock, 0.1)
    assert pilot.screen == "help"


def test_a_glance_away_keeps_the_dwell_a_long_look_away_does_not(pilot, clock):
    from kivy.core.window import Window

    settings = pilot.button("Settings")
    point_at(pilot, settings)
    run(pilot, clock, 1.0)
    kept = settings.dwell_progress
    Window.mouse_pos = (3, 3)
    run(pilot, clock, 0.3)
    assert settings.dwell_progress == pytest.approx(kept)  # frozen, not emptied: no flicker
    point_at(pilot, settings)
    run(pilot, clock, 0.5)  # seen on it from 0.05 s to 1.0 s, then from 1.35 s to 1.8 s
    assert pilot.screen == "home"
    run(pilot, clock, 0.05)  # 1.45 s on the button in all
    assert pilot.screen == "settings"

    pilot.tap("Home")
    help_button = pilot.button("Help")
    point_at(pilot, help_button)
    run(pilot, clock, 1.0)
    Window.mouse_pos = (3, 3)
    run(pilot, clock, 0.8)
    assert help_button.dwell_progress == 0
    point_at(pilot, help_button)
    run(pilot, clock, 1.0)
    assert pilot.screen == "home"  # started again
    run(pilot, clock, 0.5)
    assert pilot.screen == "help"


def test_no_second_selection_without_moving_away(pilot, clock):
    """Resting on Louder chooses it once; a button that appears under a resting pointer is
    not chosen; a touched button is not chosen again by the pointer resting on it."""
    from kivy.core.window import Window

    app = pilot.app
    pilot.app.go("open_document", document_id="ninds-als")
    pilot.app.go("open_section", number=2)
    pilot.frames(3)
    volume = narrator(pilot).voice.volume
    pilot.open_more()
    louder = pilot.button("Louder")
    point_at(pilot, louder)
    run(pilot, clock, 6.0)
    narrator(pilot).wait_idle()
    assert narrator(pilot).voice.volume == pytest.approx(min(1.0, volume + 0.2))
    assert louder.dwell_progress == 0

    # Next: the section changes and the pointer now rests on the new section's Next
    # (controls never move), which must not go on by itself
    point_at(pilot, pilot.button("Next"))
    run(pilot, clock, 1.5)
    assert pilot.view.section_number == 3
    run(pilot, clock, 5.0)
    assert pilot.view.section_number == 3
    under = app.hands_free.button_at(tuple(Window.mouse_pos))
    assert under is not None and under.label_for_speech() == "Next section"
    assert under.dwell_progress == 0
    point_at(pilot, under, dx=40)  # moving on it wakes the dwell
    run(pilot, clock, 1.5)
    assert pilot.view.section_number == 4

    # a click (a touch where the pointer is) on Slower: slower once, not again by dwell
    app.go("open_document", document_id="ninds-als")
    app.go("open_section", number=2)
    pilot.frames(3)
    rate = narrator(pilot).voice.rate
    pilot.open_more()
    slower = pilot.button("Slower")
    point_at(pilot, slower)
    run(pilot, clock, 0.6)
    assert slower.dwell_progress > 0
    pilot.tap(slower)
    run(pilot, clock, 5.0)
    narrator(pilot).wait_idle()
    assert narrator(pilot).voice.rate == rate - 20
    assert slower.dwell_progress == 0


def test_a_pointer_resting_on_a_button_when_the_kiosk_starts_does_not_choose_it(pilot, clock):
    """On a kiosk without a desktop the pointer rests in the middle of the screen, on the
    WebMD button, when the kiosk starts (or the service starts it again): nothing opens by
    itself, and no ring fills, until the pointer moves."""
    app = pilot.app
    webmd = next(b for b in pilot.buttons() if "WebMD" in b.text)
    app.hands_free.await_pointer()  # as the window opens: the pointer has not been reported
    run(pilot, clock, 0.5)
    point_at(pilot, webmd)  # the window reports where the pointer rests (a jump from 0, 0)
    run(pilot, clock, 8.0)
    assert pilot.screen == "home" and webmd.dwell_progress == 0
    point_at(pilot, webmd, dx=24)  # the person moves the pointer 24 px
    run(pilot, clock, 1.5)
    assert pilot.screen == "contents"
    assert app.navigator.document.id == "webmd-als"


def test_dwell_finds_only_buttons_a_person_can_see(pilot, clock):
    from kiosk_pilot import visible_rect

    from kiosk.ui.widgets import KioskButton

    pilot.tap(next(b for b in pilot.buttons() if "WebMD" in b.text))
    hands_free = pilot.app.hands_free
    hidden = [b for b in pilot.buttons() if visible_rect(b) is None]
    assert hidden, "the WebMD contents should need scrolling"
    for button in hidden:
        x, y = button.to_window(button.center_x, button.center_y)
        assert hands_free.button_at((x, y)) is not button
    scroll_down = pilot.button("Scroll down")
    assert hands_free.button_at(scroll_down.to_window(*scroll_down.center)) is scroll_down
    # a hidden button in the bar round the screen does not count (Hold to talk, which shows
    # only in push-to-talk mode)
    talk = next(w for w in pilot.app.root.walk()
                if isinstance(w, KioskButton) and w.text == "Hold to talk")
    assert talk.opacity == 0
    assert hands_free.button_at(talk.to_window(*talk.center)) is None


def test_dwell_off_selects_nothing(pilot, clock):
    pilot.app.set_setting("dwell", False)
    button = pilot.button("Help")
    point_at(pilot, button)
    run(pilot, clock, 4.0)
    assert pilot.screen == "home" and button.dwell_progress == 0


# -- scanning ----------------------------------------------------------------------------


def highlighted(pilot):
    return pilot.app.focus_ring.focused


def scan_until(pilot, clock, predicate, what: str, timeout: float = 90.0) -> None:
    """Let scanning run until ``predicate()``: the fake clock moves on 0.05 s at a time,
    except while a label is being said (speech takes real time)."""
    hands_free = pilot.app.hands_free
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        if hands_free.speaking_label():
            time.sleep(0.005)
        else:
            clock.advance(TICK)
        hands_free.tick()
        pilot.frames(1)


def visit_screens(pilot):
    """Yield each screen's name after going there."""
    app = pilot.app
    yield "home"
    app.go("open_document", document_id="ninds-als")
    yield "contents"
    app.go("open_section", number=2)
    yield "reader"
    app.go("settings")
    yield "settings"
    app.go("help")
    yield "help"


def test_scanning_visits_every_target_on_every_screen_in_reading_order(pilot, clock):
    from kiosk_pilot import visible_rect

    pilot.app.set_setting("scanning", "two_switch")  # Space moves the highlight on, Enter chooses
    for name in visit_screens(pilot):
        pilot.frames(3)
        run(pilot, clock, 0.5)
        assert pilot.screen == name
        targets = pilot.buttons()
        assert targets == pilot.app.focus_ring.targets()
        visited = [highlighted(pilot)]
        for _ in range(len(targets)):
            pilot.key("space")
            visited.append(highlighted(pilot))
            area = visible_rect(highlighted(pilot))
            assert area is not None and area[3] - area[1] >= highlighted(pilot).height - 1, \
                f"{name}: '{highlighted(pilot).label_for_speech()}' not scrolled into view"
        labels = [b.label_for_speech() for b in visited]
        assert visited[:-1] == targets, f"{name}: {labels}"
        assert visited[-1] is targets[0], f"{name}: no wrap round"
        assert all(b.focused for b in visited[-1:])  # the ring shows on the highlight


def test_one_switch_moves_at_the_scanning_pace_and_says_each_label(pilot, clock):
    from audio_tools import is_silent

    app = pilot.app
    speakers = app.reading.player.sink
    app.set_setting("scanning", "one_switch")
    app.step_setting("scan_seconds", +2)  # the visitor's pace: 2 s a button
    run(pilot, clock, 0.05)
    targets = pilot.buttons()
    first = targets[0]
    assert highlighted(pilot) is first and first.focused  # the focus ring shows on it
    run(pilot, clock, 0.4)  # a new screen's first label waits a moment
    assert app.hands_free.labels_said[-1] == first.label_for_speech() == (
        "Amyotrophic Lateral Sclerosis (ALS), the NINDS fact sheet on ALS")
    speakers.take()
    wait_until(pilot, lambda: app.reading.narrator.status().key == app.reading.key,
               what="label loaded")
    assert app.reading.narrator.script[0].display == first.label_for_speech()
    wait_until(pilot, lambda: idle(pilot), what="label said")
    heard = b"".join(data for _at, data in speakers.take())
    assert not is_silent(heard), "the label was not heard"
    run(pilot, clock, 1.5)  # 1.95 s on the first button
    assert highlighted(pilot) is first
    run(pilot, clock, 0.1)
    assert highlighted(pilot) is targets[1] and not first.focused
    assert app.hands_free.labels_said[-1] == targets[1].label_for_speech()
    wait_until(pilot, lambda: idle(pilot), what="second label said")
    run(pilot, clock, 2.0)
    assert highlighted(pilot) is targets[2]
    assert app.hands_free.labels_said[-1] == targets[2].label_for_speech() == "Help"
    pilot.key("enter")
    assert pilot.screen == "help"
    run(pilot, clock, 0.05)
    assert highlighted(pilot) is pilot.buttons()[0]  # starts again on the new screen


def test_a_long_label_is_said_before_the_highlight_moves_on(pilot, clock):
    app = pilot.app
    app.set_setting("scanning", "one_switch")
    run(pilot, clock, 0.45)
    first = highlighted(pilot)
    wait_until(pilot, lambda: app.hands_free.speaking_label() and not idle(pilot),
               what="label begun")
    run(pilot, clock, 2.0)  # the pace has passed, but the label is still being said
    if not idle(pilot):
        assert highlighted(pilot) is first
    wait_until(pilot, lambda: idle(pilot), what="label said")
    run(pilot, clock, 0.05)
    assert highlighted(pilot) is not first


def test_labels_wait_while_a_document_is_read(pilot, clock):
    app = pilot.app
    app.go("open_document", document_id="ninds-als")
    app.go("open_section", number=2)
    pilot.frames(3)
    app.set_setting("scanning", "one_switch")
    run(pilot, clock, 0.5)
    said = list(app.hands_free.labels_said)
    assert said, "the first label is said while nothing is read"
    wait_until(pilot, lambda: idle(pilot), what="label said")
    pilot.tap("Read aloud")
    wait_until(pilot, lambda: reading_section(pilot), what="reading")
    key = app.reading.key
    for _ in range(4):
        run(pilot, clock, 1.6)
    assert app.hands_free.labels_said == said  # nothing talked over the document
    assert reading_section(pilot) and app.reading.key == key
    app.reading.stop()


def test_switch_in_the_reader_reads_the_section_not_the_label(pilot, clock):
    """A label said in the Reader leaves the section as it is: no mark on the title, the
    Read button keeps its words, and Read starts the section."""
    app = pilot.app
    app.go("open_document", document_id="ninds-als")
    app.go("open_section", number=2)
    pilot.frames(3)
    app.set_setting("scanning", "two_switch")
    run(pilot, clock, 0.5)
    read = pilot.button("Read aloud")
    while highlighted(pilot) is not read:
        pilot.key("space")
    run(pilot, clock, 0.1)
    assert app.hands_free.labels_said[-1] == "Read aloud"
    wait_until(pilot, lambda: narrator(pilot).status().state.value == "reading",
               what="label being said")
    pilot.frames(3)
    assert app.read_label == "Read aloud"
    assert app.manager.current_screen.ids.title.marked is None
    pilot.key("enter")
    wait_until(pilot, lambda: reading_section(pilot), what="the section read")
    assert narrator(pilot).script[0].display == SECTION_TITLE
    app.reading.stop()


def test_on_screen_switch_is_large_and_acts_as_the_switch(pilot, clock):
    app = pilot.app
    bar = app.hands_free.switch_bar
    pilot.frames(2)
    assert bar.height == 0 and bar.opacity == 0  # only while scanning
    app.set_setting("scanning", "one_switch")
    pilot.frames(3)
    run(pilot, clock, 0.5)
    first = bar.ids.first
    assert first.text == "Press here to choose"
    assert first.height >= 160 and first.width >= 1000
    assert highlighted(pilot) is pilot.button(DOCUMENT)
    pilot.screenshot("scanning")
    pilot.tap(first)
    assert pilot.screen == "contents"

    app.set_setting("scanning", "two_switch")
    pilot.frames(3)
    run(pilot, clock, 0.5)
    second = bar.ids.second
    assert first.text == "Press here to move on" and second.text == "Press here to choose"
    assert second.height >= 160 and second.width >= 600
    targets = pilot.buttons()
    pilot.tap(first)
    pilot.tap(first)
    assert highlighted(pilot) is targets[2]
    pilot.screenshot("scanning-two-switches")
    pilot.tap(second)
    assert pilot.screen == "reader" and pilot.view.section_number == 3


def test_a_held_switch_counts_once(pilot, clock):
    from kivy.core.window import Window

    pilot.app.set_setting("scanning", "two_switch")
    run(pilot, clock, 0.1)
    targets = pilot.buttons()
    for _ in range(5):  # the keyboard repeats a held key
        Window.dispatch("on_key_down", 32, 0, " ", [])
        pilot.frames(1)
    Window.dispatch("on_key_up", 32, 0)
    assert highlighted(pilot) is targets[1]


def test_one_switch_scanning_rests_after_three_rounds(pilot, clock):
    app = pilot.app
    app.set_setting("scanning", "one_switch")
    app.step_setting("scan_seconds", -4)  # 0.5 s a button
    app.go("help")
    pilot.frames(3)
    run(pilot, clock, 0.1)
    targets = pilot.buttons()
    visits = []

    def note() -> bool:
        if highlighted(pilot) is not None and (not visits or visits[-1] is not
                                               highlighted(pilot)):
            visits.append(highlighted(pilot))
        return highlighted(pilot) is None

    scan_until(pilot, clock, note, what="scanning to rest")
    assert visits == targets * 3  # three rounds, then it rests
    assert app.hands_free.scanner.resting
    run(pilot, clock, 30.0)
    assert highlighted(pilot) is None
    pilot.key("space")  # wakes it; chooses nothing
    run(pilot, clock, 0.05)
    assert pilot.screen == "help" and highlighted(pilot) is pilot.buttons()[0]


def test_reset_clears_dwell_and_scanning(pilot, clock):
    app = pilot.app
    app.set_setting("scanning", "one_switch")
    button = pilot.button("Help")
    point_at(pilot, button)
    run(pilot, clock, 0.9)
    assert button.dwell_progress > 0 and highlighted(pilot) is not None
    pilot.reset(app.settings)
    assert app.scanning == "off" and button.dwell_progress == 0
    assert highlighted(pilot) is None and app.hands_free.switch_bar.height == 0


# -- the same journey four ways ----------------------------------------------------------


def keyboard_to(pilot, label: str) -> None:
    for _ in range(40):
        if pilot.focused_label() and pilot.focused_label().startswith(label):
            pilot.key("enter")
            return
        pilot.key("tab")
    raise AssertionError(f"Tab never reached {label}")


def dwell_on(pilot, clock, label: str) -> None:
    point_at(pilot, pilot.button(label))
    run(pilot, clock, 1.5)


def switch_to(pilot, clock, label: str) -> None:
    """Let one-switch scanning run until the highlight is on ``label``, then press the
    switch."""
    scan_until(pilot, clock, lambda: (pilot.focused_label() or "").startswith(label),
               what=f"the highlight on {label}")
    pilot.key("space")
    run(pilot, clock, 0.05)


def journey(pilot, clock, way: str) -> list:
    """Home -> the NINDS document -> section 2 -> read -> stop -> Home; what was seen."""
    app = pilot.app
    seen = []

    def choose(label: str) -> None:
        if way == "touch":
            pilot.tap(label)
        elif way == "keyboard":
            keyboard_to(pilot, label)
        elif way == "dwell":
            dwell_on(pilot, clock, label)
        else:
            switch_to(pilot, clock, label)
        pilot.frames(2)

    def note(step: str) -> None:
        screen = app.manager.current_screen
        title = screen.ids.title.text if "title" in screen.ids else None
        seen.append((step, pilot.screen, pilot.view.document_id, pilot.view.section_number,
                     title))

    choose(DOCUMENT)
    note("document")
    choose("2.")
    note("section")
    choose("Read aloud")
    wait_until(pilot, lambda: reading_section(pilot), what="reading")
    assert app.read_label == "Pause"
    seen.append(("reading", narrator(pilot).script[0].display))
    choose("More")  # Stop and Home are among the other reading controls
    choose("Stop")
    wait_until(pilot, lambda: idle(pilot) and app.read_label == "Read aloud", what="stopped")
    seen.append(("stopped", app.reading.key[:2], app.read_label))
    choose("Home")
    note("home")
    return seen


EXPECTED_JOURNEY = [
    ("document", "contents", "ninds-als", None,
     "Amyotrophic Lateral Sclerosis (ALS)"),
    ("section", "reader", "ninds-als", 2, SECTION_TITLE),
    ("reading", SECTION_TITLE),
    ("stopped", ("ninds-als", "who-gets-als"), "Read aloud"),
    ("home", "home", None, None, None),
]


@pytest.mark.parametrize("way", ["touch", "keyboard", "dwell", "switch"])
def test_the_same_journey_four_ways(pilot, clock, way):
    if way == "switch":
        pilot.app.set_setting("scanning", "one_switch")
        run(pilot, clock, 0.1)
    assert journey(pilot, clock, way) == EXPECTED_JOURNEY
    assert idle(pilot)
    assert pilot.app.navigator.view == View()  # Home, nothing open, no notice
