"""The real kiosk window under Xvfb, driven by touch and by keyboard alone."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.config import Settings

pytestmark = pytest.mark.gui


def heading(pilot) -> str:
    return pilot.app.manager.current_screen.ids.title.text


def open_ninds(pilot) -> None:
    pilot.tap(next(b for b in pilot.buttons() if "NINDS" in b.text or "Neurological" in b.text))


def test_home_lists_both_documents_with_their_sources(pilot):
    assert pilot.screen == "home"
    labels = pilot.labels()
    documents = [label for label in labels if label.startswith("Amyotrophic Lateral Sclerosis")]
    assert len(documents) == 2
    assert any("WebMD" in label for label in documents)
    assert any("Neurological" in label for label in documents)
    assert labels[-2:] == ["Help", "Settings"]
    pilot.screenshot("home")


def test_touch_journey_home_contents_reader_and_back(pilot):
    open_ninds(pilot)
    assert pilot.screen == "contents"
    assert pilot.labels()[0] == "1.  What is amyotrophic lateral sclerosis (ALS)?"
    pilot.screenshot("contents")

    pilot.tap("2.")
    assert pilot.screen == "reader"
    assert heading(pilot) == "Who is more likely to get ALS?"
    pilot.screenshot("reader")

    pilot.tap("Next section")
    assert heading(pilot) == "Sporadic and familial ALS"
    where = pilot.app.manager.current_screen.ids.where.text
    assert "part of “Who is more likely to get ALS?”" in where

    pilot.tap("Previous section")
    assert heading(pilot) == "Who is more likely to get ALS?"

    pilot.tap("Contents")
    assert pilot.screen == "contents"
    assert pilot.button("Continue reading at 2")
    pilot.tap("Home")
    assert pilot.screen == "home"


def test_keyboard_alone_reaches_a_section_and_comes_home(pilot):
    pilot.key("tab")
    assert pilot.focused_label().startswith("Amyotrophic Lateral Sclerosis")
    assert pilot.app.focus_ring.focused.focused  # the ring is drawn on that button
    pilot.key("enter")
    assert pilot.screen == "contents"

    for _ in range(3):
        pilot.key("down")
    assert pilot.focused_label().startswith("3.")
    pilot.screenshot("contents-keyboard-focus")
    pilot.key("space")
    assert pilot.screen == "reader"
    assert pilot.view.section_number == 3

    titles = []
    for _ in range(2):  # wraps round to the last button (More), then back to Next
        pilot.key("tab", "shift")
    assert pilot.focused_label() == "Next"
    for _ in range(2):
        pilot.key("enter")
        titles.append(heading(pilot))
    assert pilot.view.section_number == 5
    assert titles[0] != titles[1]

    pilot.key("escape")  # one step back, not out of the app
    assert pilot.screen == "reader" and pilot.view.section_number == 4
    pilot.key("home")
    assert pilot.screen == "home"


def test_focused_button_scrolls_into_view_on_a_long_contents_list(pilot):
    open_ninds(pilot)
    count = len(pilot.app.navigator.document.entries)
    for _ in range(count):
        pilot.key("down")
    button = pilot.app.focus_ring.focused
    assert pilot.focused_label().startswith(f"{count}.")
    scroll = pilot.app.manager.current_screen.ids.scroll
    _x, y = button.to_window(button.x, button.y)
    _sx, sy = scroll.to_window(scroll.x, scroll.y)
    assert sy <= y and y + button.height <= sy + scroll.height, "focused button is out of view"


def test_last_and_first_section_say_so_and_stay(pilot):
    open_ninds(pilot)
    pilot.tap("1.")
    pilot.tap("Previous section")
    assert pilot.view.section_number == 1
    assert pilot.app.notice.text == "This is the first section."
    assert pilot.app.notice.shown and pilot.app.notice.height > 0
    pilot.screenshot("reader-notice")


def test_scroll_buttons_move_a_long_section(pilot):
    pilot.tap(next(b for b in pilot.buttons() if "WebMD" in b.text))
    longest = max(
        pilot.app.navigator.document.entries,
        key=lambda e: sum(len(t.full) for b in e.section.blocks for t in b.texts()),
    )
    pilot.tap_after_scrolling(f"{longest.number}.")
    scroll = pilot.app.manager.current_screen.ids.scroll
    assert scroll.scroll_y == 1.0
    pilot.tap("Scroll down")
    assert scroll.scroll_y < 1.0
    pilot.key("pageup")
    assert scroll.scroll_y == 1.0


def test_help_explains_every_input_and_back_returns(pilot):
    pilot.tap("Help")
    assert pilot.screen == "help"
    text = " ".join(w.text for w in pilot.app.manager.current_screen.ids.body.children)
    for words in ("Touch", "Keyboard", "Enter", "Next", "More", "Settings"):
        assert words in text
    pilot.screenshot("help")
    pilot.tap("Back")
    assert pilot.screen == "home"


def test_settings_change_theme_and_text_size_until_reset(pilot):
    from kivy.core.window import Window

    from kiosk.ui.theme import LIGHT

    before = pilot.app.body_px
    pilot.tap("Settings")
    assert pilot.screen == "settings"
    pilot.screenshot("settings")
    pilot.tap("Light")
    assert tuple(Window.clearcolor) == pytest.approx(LIGHT.background)
    from kiosk.ui.widgets import Heading

    screen = pilot.app.manager.current_screen
    heading_label = next(w for w in screen.walk() if isinstance(w, Heading))
    assert tuple(heading_label.color) == pytest.approx(LIGHT.text)  # dark text on light
    assert tuple(pilot.button("Back").color) == pytest.approx(LIGHT.button_text)
    assert "(chosen)" in pilot.button("Light").text
    pilot.tap("Larger text")
    assert pilot.app.body_px > before
    pilot.screenshot("settings-light-larger")
    pilot.tap("Home")
    pilot.screenshot("home-light")
    pilot.reset(replace(Settings(), window_width=1920, window_height=1080))
    assert pilot.app.body_px == before
    assert pilot.app.theme_name == "dark"


def test_text_grows_and_shrinks_with_the_window(pilot):
    from kivy.core.window import Window

    full_hd = pilot.app.body_px
    try:
        Window.size = (1280, 720)
        pilot.frames(5)
        small = pilot.app.body_px
        Window.size = (1600, 900)
        pilot.frames(5)
        medium = pilot.app.body_px
    finally:
        Window.size = (1920, 1080)
        pilot.frames(5)
    assert small < medium < full_hd == pilot.app.body_px
    assert full_hd >= 32


def test_a_broken_document_is_reported_and_the_others_still_show(pilot, tmp_path: Path):
    root = Path(__file__).resolve().parents[1]
    (tmp_path / "ninds-als.yaml").write_text(
        (root / "content" / "ninds-als.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    pilot.reset(Settings(content_dir=tmp_path, window_width=1920, window_height=1080))
    documents = [label for label in pilot.labels() if label.startswith("Amyotrophic")]
    assert len(documents) == 1
    problems = pilot.app.manager.current_screen.ids.problems.text
    assert "1 document could not be shown" in problems
    assert "broken.yaml, line" in problems
    assert "Traceback" not in problems
    pilot.screenshot("home-broken-document")


def test_an_empty_content_folder_says_so_and_help_still_works(pilot, tmp_path: Path):
    pilot.reset(Settings(content_dir=tmp_path, window_width=1920, window_height=1080))
    assert pilot.labels() == ["Help", "Settings"]
    problems = pilot.app.manager.current_screen.ids.problems.text
    assert "No documents can be shown right now" in problems
    pilot.tap("Help")
    assert pilot.screen == "help"
