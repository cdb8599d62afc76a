"""The Settings screen in the real window: every choice is reachable by touch and keyboard,
changes what the screen says and what the kiosk does, and goes back to the clinic's
defaults for the next person."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from test_gui_reading import wait_until

pytestmark = pytest.mark.gui

MIN_TARGET_PX = 96
MIN_GAP_PX = 16
MAX_LINE_CHARS = 70


def open_settings(pilot) -> None:
    pilot.tap("Settings")
    assert pilot.screen == "settings"


def said(pilot, label_id: str) -> str:
    """What a row of the Settings screen says, in plain words."""
    from kiosk.ui.widgets import strip_markup

    return strip_markup(pilot.app.manager.get_screen("settings").ids[label_id].text)


def reach(pilot, label: str) -> None:
    """Press Scroll down or Scroll up, as a person would, until most of the button is in
    view, then touch it (a page of scrolling can leave a button's edge under the frame)."""
    from kiosk_pilot import visible_rect, window_rect

    button = pilot.button(label)
    scroll = pilot.app.manager.current_screen.ids.scroll
    for _ in range(20):
        area = visible_rect(button)
        if area is not None and area[3] - area[1] >= button.height * 0.6:
            break
        below = window_rect(button)[3] <= window_rect(scroll)[1] + button.height * 0.6
        pilot.tap("Scroll down" if below else "Scroll up")
    pilot.tap(button)




def notice(pilot) -> str:
    return pilot.app.notice.text if pilot.app.notice.shown else ""


def window_pixels():
    """The window's pixels as read back from the screen: pixel(x, y) -> (r, g, b), with
    y measured from the bottom like Kivy's window coordinates."""
    from kivy.core.window import Window
    from kivy.graphics.opengl import GL_RGB, GL_UNSIGNED_BYTE, glReadPixels

    width, height = Window.size
    data = glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE)

    def pixel(x: float, y: float) -> tuple[int, int, int]:
        offset = (int(y) * width + int(x)) * 3
        return tuple(data[offset:offset + 3])

    return pixel


def colours_in(pixel, widget) -> set[tuple[int, int, int]]:
    """Every colour drawn inside a widget's rectangle on screen."""
    x0, y0 = widget.to_window(widget.x, widget.y)
    return {pixel(x, y) for x in range(int(x0), int(x0 + widget.width), 2)
            for y in range(int(y0), int(y0 + widget.height), 2)}


def line_widths(label) -> list[float]:
    label.texture_update()
    return [line.w for line in label._label._cached_lines]


def test_settings_are_reached_by_keyboard_alone(pilot):
    for _ in range(len(pilot.buttons())):
        pilot.key("tab")
        if pilot.focused_label() == "Settings":
            break
    pilot.key("enter")
    assert pilot.screen == "settings"
    pilot.key("tab")
    assert pilot.focused_label() == "Smaller text"  # the text size stands first, at the top
    pilot.key("tab")
    pilot.key("tab")
    assert pilot.focused_label() == "Dark\n(chosen)"
    pilot.key("tab")
    pilot.key("tab")
    assert pilot.focused_label() == "Yellow on black"
    pilot.key("enter")
    assert pilot.app.theme_name == "yellow"
    assert said(pilot, "theme_label") == "Colours: Yellow on black"


def test_yellow_on_black_paints_yellow_text_on_a_black_screen(pilot):
    from kiosk_pilot import rgb
    from kivy.core.window import Window

    from kiosk.ui.theme import YELLOW

    open_settings(pilot)
    pilot.tap("Yellow on black")
    assert pilot.app.theme_name == "yellow"
    assert said(pilot, "theme_label") == "Colours: Yellow on black"
    assert "(chosen)" in pilot.button("Yellow on black").text
    assert "(chosen)" not in pilot.button("Dark").text
    assert tuple(Window.clearcolor) == pytest.approx(YELLOW.background)
    pilot.screenshot("settings-yellow")
    pixel = window_pixels()
    screen = pilot.app.manager.current_screen
    label = screen.ids.theme_label
    drawn = colours_in(pixel, label)
    assert rgb(YELLOW.background) == (0, 0, 0)
    assert (0, 0, 0) in drawn  # black behind the words
    assert rgb(YELLOW.text) in drawn  # the letters in the theme's yellow
    assert not any(r < 100 and g < 100 and b > 150 for r, g, b in drawn)  # no dark blue left
    back = pilot.button("Back")
    on_button = colours_in(pixel, back)
    assert rgb(YELLOW.button_text) in on_button and (0, 0, 0) in on_button
    x, y = back.to_window(back.x, back.y)
    assert pixel(x - 4, y + back.height / 2) == (0, 0, 0)  # the screen beside the button
    pilot.tap("Light")
    assert pilot.app.theme_name == "light"
    assert rgb(pilot.app.theme.background) in colours_in(window_pixels(), label)


def test_text_size_steps_through_six_sizes_and_says_when_at_the_end(pilot):
    open_settings(pilot)
    assert said(pilot, "size_label") == "Text size: step 2 of 6"
    sizes = [pilot.app.body_px]
    for step in range(3, 7):
        reach(pilot, "Larger text")
        assert said(pilot, "size_label") == f"Text size: step {step} of 6"
        sizes.append(pilot.app.body_px)
    assert sizes == sorted(set(sizes))
    reach(pilot, "Larger text")
    assert "as large as it goes" in notice(pilot)
    assert pilot.app.body_px == sizes[-1]
    pilot.screenshot("settings-largest-text")


def test_opendyslexic_changes_every_label_and_keeps_lines_short(pilot):
    from kivy.core.text import DEFAULT_FONT, LabelBase

    open_settings(pilot)
    assert said(pilot, "typeface_label") == "Typeface: Atkinson Hyperlegible"
    assert "opendyslexic" in pilot.app.installed_typefaces, "fonts-opendyslexic is missing"
    # each typeface button is drawn in its own typeface
    assert "[font=OpenDyslexic]" in pilot.button("OpenDyslexic").text
    screen = pilot.app.manager.current_screen
    muted = next(w for w in screen.walk() if type(w).__name__ == "MutedText")
    before = line_widths(muted)
    back_height = pilot.button("Back").texture_size[1]
    reach(pilot, "OpenDyslexic")
    assert pilot.app.typeface == "opendyslexic"
    assert said(pilot, "typeface_label") == "Typeface: OpenDyslexic"
    assert "(chosen)" in pilot.button("OpenDyslexic").text
    assert LabelBase._fonts[DEFAULT_FONT][0].endswith("OpenDyslexic-Regular.otf")
    # labels already on screen were drawn again in the new typeface, which is wider
    after = [line.w for line in muted._label._cached_lines]
    assert sum(after) > sum(before) * 1.1
    assert pilot.button("Back").texture_size[1] != back_height
    pilot.screenshot("settings-opendyslexic")
    pilot.tap("Home")
    pilot.tap(next(b for b in pilot.buttons() if "WebMD" in b.text))
    pilot.tap("Start reading")
    pilot.screenshot("reader-opendyslexic")
    from kiosk.ui.widgets import BodyText

    checked = 0
    for entry in pilot.app.navigator.document.entries:
        pilot.app.go("open_section", number=entry.number)
        pilot.frames(2)
        for label in pilot.app.manager.current_screen.walk():
            if isinstance(label, BodyText):
                label.texture_update()
                for line in label._label._cached_lines:
                    text = "".join(word.text for word in line.words)
                    assert len(text) <= MAX_LINE_CHARS, f"{len(text)} chars: {text!r}"
                    checked += 1
    assert checked > 100
    pilot.app.apply_clinic_defaults()
    pilot.frames(3)
    assert LabelBase._fonts[DEFAULT_FONT][0].endswith("AtkinsonHyperlegible-Regular.ttf")


def shown_words(label) -> list[str]:
    """The words of a label as drawn, line by line (a word split over two lines shows as
    two pieces)."""
    label.texture_update()
    return [piece for line in label._label._cached_lines
            for piece in "".join(word.text for word in line.words).split()]


def test_settings_targets_stay_large_and_apart_in_opendyslexic_at_the_largest_size(pilot):
    from kiosk_pilot import visible_rect

    from kiosk.ui.widgets import strip_markup

    open_settings(pilot)
    pilot.app.set_setting("typeface", "opendyslexic")
    for _ in range(6):
        pilot.app.step_setting("text_scale", +1)
    pilot.frames(3)
    problems = []
    for top in (1.0, 0.5, 0.0):  # the top, middle and bottom of the settings
        pilot.app.manager.current_screen.ids.scroll.scroll_y = top
        pilot.frames(3)
        shown = [(b, visible_rect(b)) for b in pilot.buttons()]
        for button, _area in shown:
            if min(button.size) < MIN_TARGET_PX:
                problems.append(f"'{button.label_for_speech()}' is {button.size}")
            if button.texture_size[1] > button.height:
                problems.append(f"'{button.label_for_speech()}' text is cut off")
            broken = set(shown_words(button)) - set(strip_markup(button.text).split())
            if broken:
                problems.append(f"'{button.label_for_speech()}' breaks words: {broken}")
        for (a, ra), (b, rb) in itertools.combinations([s for s in shown if s[1]], 2):
            dx, dy = max(rb[0] - ra[2], ra[0] - rb[2]), max(rb[1] - ra[3], ra[1] - rb[3])
            if max(dx, dy) < MIN_GAP_PX:
                problems.append(f"'{a.label_for_speech()}' and '{b.label_for_speech()}' touch")
        pilot.screenshot(f"settings-opendyslexic-largest-{int(top * 100)}")
    assert not problems, "\n".join(problems)


def test_a_missing_typeface_falls_back_to_atkinson_and_says_so(pilot, monkeypatch, tmp_path):
    from kiosk.ui import app as app_module

    monkeypatch.setattr(app_module, "OPENDYSLEXIC_DIRS", (tmp_path,))
    open_settings(pilot)
    reach(pilot, "OpenDyslexic")
    assert pilot.app.typeface == "atkinson"
    assert "OpenDyslexic typeface is not installed" in notice(pilot)
    assert said(pilot, "typeface_label") == "Typeface: Atkinson Hyperlegible"


def test_line_spacing_changes_the_height_of_body_text(pilot):
    open_settings(pilot)
    screen = pilot.app.manager.current_screen
    label = screen.ids.dwell_label  # a paragraph of more than one line
    lines = len(label._label._cached_lines)
    assert lines >= 2
    assert said(pilot, "spacing_label") == "Space between lines: normal (step 2 of 4)"
    heights = [label.height]
    for words in ("wide (step 3 of 4)", "widest (step 4 of 4)"):
        reach(pilot, "More space between lines")
        assert said(pilot, "spacing_label") == f"Space between lines: {words}"
        pilot.frames(2)
        heights.append(label.height)
    assert heights[0] < heights[1] < heights[2]
    assert pilot.app.line_spacing == 2.0
    reach(pilot, "More space between lines")
    assert "already as far apart" in notice(pilot)
    for _ in range(3):
        reach(pilot, "Less space between lines")
    assert said(pilot, "spacing_label") == "Space between lines: close (step 1 of 4)"
    pilot.frames(2)
    assert label.height < heights[0]
    reach(pilot, "Less space between lines")
    assert "already as close together" in notice(pilot)
    reach(pilot, "More space between lines")
    reach(pilot, "More space between lines")
    pilot.tap("Home")
    pilot.tap(next(b for b in pilot.buttons() if "WebMD" in b.text))
    pilot.tap("Start reading")
    from kiosk.ui.widgets import BodyText

    paragraph = next(w for w in pilot.app.manager.current_screen.walk()
                     if isinstance(w, BodyText) and len(w._label._cached_lines) > 1)
    wide = paragraph.height
    pilot.screenshot("reader-wide-lines")
    pilot.app.step_setting("line_spacing", -1)
    pilot.frames(3)
    assert paragraph.height < wide


def test_reading_speed_volume_and_listening_change_from_their_rows(pilot):
    open_settings(pilot)
    assert said(pilot, "speed_label") == "Reading speed: 150 words a minute"
    assert said(pilot, "volume_label") == "Volume: 80%"
    reach(pilot, "Read slower")
    wait_until(pilot, lambda: said(pilot, "speed_label") == "Reading speed: 130 words a minute",
               what="slower speed shown")
    assert pilot.app.reading.narrator.voice.rate == 130
    reach(pilot, "Quieter")
    wait_until(pilot, lambda: said(pilot, "volume_label") != "Volume: 80%", what="volume shown")
    assert pilot.app.reading.narrator.voice.volume < 0.8
    mode = pilot.app.voice.mode
    before = said(pilot, "listening_label")
    reach(pilot, "Change how the kiosk listens")
    assert pilot.app.voice.mode != mode
    assert said(pilot, "listening_label") != before


def test_dwell_can_be_turned_off_and_its_time_changed_in_quarter_seconds(pilot):
    open_settings(pilot)
    assert said(pilot, "dwell_time_label") == "Dwell time: 1.2 seconds"
    assert said(pilot, "dwell_label").startswith("Pointer dwell is on")
    reach(pilot, "Longer dwell time")
    assert pilot.app.dwell_seconds == pytest.approx(1.45)
    assert said(pilot, "dwell_time_label") == "Dwell time: 1.45 seconds"
    assert "1.45 seconds to choose it" in said(pilot, "dwell_label")
    reach(pilot, "Shorter dwell time")
    assert said(pilot, "dwell_time_label") == "Dwell time: 1.2 seconds"
    pilot.app.dwell_seconds = 0.6
    reach(pilot, "Shorter dwell time")
    assert pilot.app.dwell_seconds == pytest.approx(0.5)
    assert said(pilot, "dwell_time_label") == "Dwell time: 0.5 seconds"
    reach(pilot, "Shorter dwell time")
    assert "already as short as it goes" in notice(pilot)
    assert pilot.app.dwell_seconds == pytest.approx(0.5)
    reach(pilot, "Turn pointer dwell off")
    assert pilot.app.dwell_on is False
    assert said(pilot, "dwell_label").startswith("Pointer dwell is off")
    reach(pilot, "Turn pointer dwell on")
    assert pilot.app.dwell_on is True
    pilot.app.dwell_seconds = 2.9
    pilot.app.step_setting("dwell_seconds", +1)
    assert pilot.app.dwell_seconds == 3.0  # never beyond 3 seconds
    pilot.app.step_setting("dwell_seconds", +1)
    assert "already as long as it goes" in notice(pilot)


def test_switch_scanning_mode_and_pace(pilot):
    open_settings(pilot)
    assert said(pilot, "scanning_label") == "Switch scanning: off."
    assert "(chosen)" in pilot.button("Scanning off").text
    assert said(pilot, "scan_pace_label") == (
        "Scanning pace: the frame stays 1.5 seconds on each button")
    reach(pilot, "Scan slower")
    assert pilot.app.scan_seconds == pytest.approx(1.75)
    assert "1.75 seconds" in said(pilot, "scan_pace_label")
    pilot.app.scan_seconds = 0.75
    reach(pilot, "Scan faster")
    assert pilot.app.scan_seconds == pytest.approx(0.5)
    assert said(pilot, "scan_pace_label") == (
        "Scanning pace: the frame stays 0.5 seconds on each button")
    reach(pilot, "Scan faster")
    assert "already as fast as it goes" in notice(pilot)
    reach(pilot, "Two switches")
    assert pilot.app.scanning == "two_switch"
    assert said(pilot, "scanning_label").startswith("Switch scanning: two switches")
    assert "(chosen)" in pilot.button("Two switches").text
    reach(pilot, "One switch")
    assert pilot.app.scanning == "one_switch"
    assert "(chosen)" not in pilot.button("Two switches").text
    pilot.app.set_setting("scanning", "off")
    pilot.frames(2)
    assert said(pilot, "scanning_label") == "Switch scanning: off."


def test_numbers_on_buttons_are_shown_and_hidden(pilot):
    open_settings(pilot)
    assert said(pilot, "numbers_label") == "Numbers on buttons: hidden"
    reach(pilot, "Show numbers")
    assert pilot.app.numbers_shown is True
    assert said(pilot, "numbers_label").startswith("Numbers on buttons: shown")
    pilot.screenshot("settings-numbers")
    reach(pilot, "Hide numbers")
    assert pilot.app.numbers_shown is False
    assert pilot.button("Show numbers")


def test_every_visitor_choice_returns_to_the_clinic_defaults(pilot):
    from kivy.core.text import DEFAULT_FONT, LabelBase

    app = pilot.app
    open_settings(pilot)
    defaults = {name: said(pilot, name) for name in (
        "theme_label", "size_label", "typeface_label", "spacing_label", "dwell_label",
        "dwell_time_label", "scanning_label", "scan_pace_label", "numbers_label")}
    # every row was changed by touch in the tests above; here the app is told directly
    app.set_setting("theme", "yellow")
    app.step_setting("text_scale", +1)
    app.set_setting("typeface", "opendyslexic")
    app.step_setting("line_spacing", +1)
    app.step_setting("dwell_seconds", +1)
    app.set_setting("dwell", False)
    app.set_setting("scanning", "two_switch")
    app.step_setting("scan_seconds", +1)
    app.set_setting("show_numbers", True)
    pilot.frames(3)
    changed = {name: said(pilot, name) for name in defaults}
    assert all(changed[name] != defaults[name] for name in defaults), changed
    app.apply_clinic_defaults()
    app.go("home")
    pilot.frames(3)
    assert (app.theme_name, app.text_scale, app.typeface, app.line_spacing) == (
        "dark", 1.0, "atkinson", 1.45)
    assert (app.dwell_on, app.dwell_seconds, app.scanning, app.scan_seconds,
            app.numbers_shown) == (True, 1.2, "off", 1.5, False)
    assert LabelBase._fonts[DEFAULT_FONT][0].endswith("AtkinsonHyperlegible-Regular.ttf")
    open_settings(pilot)
    assert {name: said(pilot, name) for name in defaults} == defaults


def test_the_clinic_configuration_sets_the_starting_choices(pilot):
    from kivy.core.window import Window

    from kiosk.config import Settings
    from kiosk.ui.theme import YELLOW

    clinic = replace(Settings(), window_width=1920, window_height=1080, theme="yellow",
                     typeface="opendyslexic", line_spacing=1.7, text_scale=1.15, dwell=False,
                     dwell_seconds=2.0, scanning="one_switch", scan_seconds=2.5)
    try:
        pilot.reset(clinic)
        assert tuple(Window.clearcolor) == pytest.approx(YELLOW.background)
        pilot.screenshot("home-clinic-yellow-opendyslexic")
        pilot.app.go("settings")
        pilot.frames(3)
        assert said(pilot, "theme_label") == "Colours: Yellow on black"
        assert said(pilot, "typeface_label") == "Typeface: OpenDyslexic"
        assert said(pilot, "spacing_label") == "Space between lines: wide (step 3 of 4)"
        assert said(pilot, "size_label") == "Text size: step 3 of 6"
        assert said(pilot, "dwell_time_label") == "Dwell time: 2 seconds"
        assert said(pilot, "dwell_label").startswith("Pointer dwell is off")
        assert "2.5 seconds" in said(pilot, "scan_pace_label")
        assert said(pilot, "scanning_label").startswith("Switch scanning: one switch")
        pilot.screenshot("settings-clinic-yellow-opendyslexic")
    finally:
        pilot.reset(replace(Settings(), window_width=1920, window_height=1080))
