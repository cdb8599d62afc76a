"""Numbered targets in the real app: "show numbers" puts a number on every button, saying a
number does what touching its button does, list items keep their own numbers, and the
numbers go away with "hide numbers" and for the next visitor."""

from __future__ import annotations

import pytest
from test_gui_voice import said, say, voice_ready  # noqa: F401 - said is a fixture

pytestmark = pytest.mark.gui


def badges(pilot) -> dict[int, str]:
    """number -> label of the buttons wearing a number, as drawn on screen now."""
    from kiosk.ui.numbers import GROUP
    from kiosk.ui.widgets import strip_markup

    pilot.app.number_badges.update()
    shown = {}
    for number, button in pilot.app.number_badges.targets:
        assert button.canvas.after.get_group(GROUP), f"no badge drawn for {number}"
        shown[number] = strip_markup(button.text).split("\n")[0]
    return shown


def test_numbers_shown_by_voice_and_spoken_number_chooses_the_button(pilot, said):  # noqa: F811
    voice_ready(pilot)
    say(pilot, said("show numbers"), lambda: pilot.app.numbers_shown)
    assert "Numbers shown" in pilot.app.heard_caption
    shown = badges(pilot)
    documents = pilot.app.navigator.library.documents
    # Every button on Home wears a number; the documents keep 1 and 2.
    assert sorted(shown) == list(range(1, len(pilot.buttons()) + 1))
    assert [shown[n] for n in range(1, len(documents) + 1)] == [d.title for d in documents]
    pilot.screenshot("numbers-home")

    from kiosk.voice.grammar import NUMBER_WORDS

    settings = next(n for n, label in shown.items() if label == "Settings")
    say(pilot, said(NUMBER_WORDS[settings - 1]), lambda: pilot.screen == "settings")
    assert f"Chose {settings}, Settings" in pilot.app.heard_caption

    say(pilot, said("hide numbers"), lambda: not pilot.app.numbers_shown)
    assert badges(pilot) == {}
    for button in pilot.buttons():
        assert not button.canvas.after.get_group("number-badge")


def test_contents_sections_keep_their_numbers_and_other_buttons_follow(pilot):
    pilot.tap(pilot.buttons()[0])
    assert pilot.screen == "contents"
    pilot.app.numbers_shown = True
    pilot.frames(3)
    shown = badges(pilot)
    entries = pilot.app.navigator.document.entries
    for entry in entries:
        assert shown[entry.number].startswith(f"{entry.number}."), shown[entry.number]
    others = {shown[n] for n in shown if n > len(entries)}
    assert {"Home", "Start reading"} <= others
    pilot.screenshot("numbers-contents")
    # The voice grammar follows: every number shown can be said, and no more.
    context = pilot.app.voice.context()
    assert context.targets == len(shown)
    button = pilot.app.number_badges.press(len(entries) + 1)
    assert button is not None
    pilot.frames(3)


def test_numbers_do_not_outlive_the_visitor(pilot):
    pilot.app.numbers_shown = True
    pilot.frames(3)
    assert badges(pilot)
    pilot.app.apply_clinic_defaults()
    pilot.frames(3)
    assert pilot.app.numbers_shown is False
    assert badges(pilot) == {}


THEME_SCREENS = ("home", "contents", "reader", "help", "settings")


@pytest.mark.parametrize("theme", ["dark", "light", "yellow"])
def test_every_screen_in_every_theme_with_numbers(pilot, theme):
    """Each screen in each theme with numbers shown (the README's gallery): every button
    wears its number in the theme's badge colours, on the theme's background."""
    from kiosk_pilot import close_to, pixel, rgb, visible_rect

    app = pilot.app
    app.set_setting("theme", theme)
    app.numbers_shown = True
    documents = app.navigator.library.documents
    for screen in THEME_SCREENS:
        if screen == "home":
            app.go("home")
        elif screen == "contents":
            app.go("open_document", document_id=documents[0].id)
        elif screen == "reader":
            app.go("open_section", number=3)
        else:
            app.go(screen)
        pilot.frames(4)
        assert pilot.screen == screen
        shown = badges(pilot)
        assert len(shown) >= len(pilot.buttons()) >= 2, screen
        pilot.screenshot(f"theme-{theme}-{screen}")
        assert close_to(pixel(3, app.root.height - 3), rgb(app.theme.background), 3), screen
        for _number, button in app.number_badges.targets:
            x, y = button.to_window(button.x + 14, button.center_y)
            if 0 < y < app.root.height and button.get_root_window() is not None:
                area = visible_rect(button)
                if area is not None and area[0] <= x <= area[2] and area[1] <= y <= area[3]:
                    assert close_to(pixel(x, y), rgb(app.theme.notice), 3), (screen, _number)


@pytest.mark.parametrize("typeface", ["atkinson", "opendyslexic"])
def test_reader_controls_never_break_a_word(pilot, typeface):
    """At every larger text size (the smaller ones are walked by test_gui_layout), with
    numbers shown or not and with More open or not, no Reader button breaks a word."""
    from test_gui_settings import shown_words

    from kiosk.rules import TEXT_SCALES
    from kiosk.ui.widgets import strip_markup

    app = pilot.app
    app.set_setting("typeface", typeface)
    app.go("open_document", document_id=app.navigator.library.documents[0].id)
    app.go("open_section", number=3)
    problems = []
    for shown in (False, True):
        app.numbers_shown = shown
        for scale in (s for s in TEXT_SCALES if s >= 1.15):  # smaller sizes: test_gui_layout
            app.text_scale = scale
            app._update_sizes()
            for more in (False, True):  # the text, then the other reading controls
                app.manager.current_screen.show_more(more)
                pilot.frames(4)
                for button in pilot.buttons():
                    broken = set(shown_words(button)) - set(strip_markup(button.text).split())
                    if broken:
                        problems.append(f"{scale}, numbers {shown}, more {more}: "
                                        f"'{button.label_for_speech()}' breaks {broken}")
                    if button.texture_size[1] > button.height:
                        problems.append(f"{scale}: '{button.label_for_speech()}' is cut off")
    app.manager.current_screen.show_more(False)
    pilot.frames(3)
    pilot.screenshot(f"reader-largest-{typeface}-numbers")
    assert not problems, "\n".join(problems)
