"""The Reader is built for reading at every text size: the text fills the screen, five
controls stand beside it (a column in a landscape window, a row in a portrait one) and never
move, "More" shows the other reading controls in the same place, and the status line keeps
to one line by shortening its words."""

from __future__ import annotations

import pytest
from test_gui_settings import shown_words

pytestmark = pytest.mark.gui

SHAPES = [(1920, 1080), (1366, 768), (1280, 720), (1080, 1920)]


def lines_in_view(screen) -> int:
    """Lines of the section (title and text) wholly inside the Reader's text area."""
    from kiosk.ui.focus import window_rect

    _x0, bottom, _x1, top = window_rect(screen.ids.scroll)
    count = 0
    for label in screen.texts.values():
        label.texture_update()
        lines = label._label._cached_lines
        if not lines or label.height <= 0:
            continue
        _lx0, _ly0, _lx1, ly1 = window_rect(label)
        for line in lines:  # Kivy's layout: y from the top of the text, h its height
            line_top = ly1 - line.y
            count += line_top <= top + 1 and line_top - line.h >= bottom - 1
    return count


@pytest.fixture
def reader(pilot):
    from kivy.core.window import Window

    app = pilot.app
    app.go("open_document", document_id=app.navigator.library.documents[0].id)
    app.go("open_section", number=2)  # a long section: text, then a list
    pilot.frames(4)
    yield pilot
    Window.size = (1920, 1080)
    app.text_scale = 1.0
    app._update_sizes()
    pilot.frames(4)


def at(pilot, size, scale: float) -> None:
    from kivy.core.window import Window

    if tuple(Window.size) != size:
        Window.size = size
        pilot.frames(3)
    pilot.app.text_scale = scale
    pilot.app._update_sizes()
    settle(pilot)


def settle(pilot) -> None:
    """Frames until the Reader's layout stops changing (the controls and scroll buttons
    fit themselves over a few frames)."""
    screen = pilot.app.manager.current_screen
    if screen.name != "reader":
        pilot.frames(6)
        return

    def shape():
        return (screen.side_controls, tuple(screen.ids.controls.pos),
                tuple(screen.ids.stage.size), tuple(screen.ids.scroll_buttons.size))

    before = None
    for _ in range(12):
        pilot.frames(2)
        if shape() == before:
            return
        before = shape()


@pytest.mark.parametrize("typeface", ["atkinson", "opendyslexic"])
def test_at_least_12_lines_at_the_default_size_and_6_at_the_largest(reader, typeface):
    from kiosk.rules import TEXT_SCALES

    app = reader.app
    app.set_setting("typeface", typeface)
    screen = app.manager.current_screen
    shown = {}
    for size in SHAPES:
        for scale in (1.0, TEXT_SCALES[-1]):
            at(reader, size, scale)
            shown[size, scale] = lines_in_view(screen)
    reader.screenshot(f"reader-portrait-largest-{typeface}")
    app.set_setting("typeface", "atkinson")
    assert shown[(1920, 1080), 1.0] >= 12, shown
    assert shown[(1920, 1080), TEXT_SCALES[-1]] >= 6, shown
    assert all(count >= 6 for count in shown.values()), shown


def test_more_shows_the_other_controls_in_place_of_the_text_and_nothing_moves(reader):
    from kiosk_pilot import visible_rect

    from kiosk.ui.screens import ReadingControls

    app = reader.app
    for size in ((1920, 1080), (1080, 1920)):
        at(reader, size, 1.75)
        screen = app.manager.current_screen
        before = {b.label_for_speech(): visible_rect(b) for b in reader.buttons()
                  if isinstance(b.parent, ReadingControls)}
        more = reader.button("More")
        spot = visible_rect(more)
        reader.tap(more)
        assert screen.more_shown and screen.ids.scroll.get_root_window() is None
        labels = reader.labels()
        for control in ("Contents", "Stop", "Repeat", "Slower", "Faster", "Quieter", "Louder",
                        "Home"):
            assert any(label.startswith(control) for label in labels), (control, labels)
        after = {b.label_for_speech(): visible_rect(b) for b in reader.buttons()
                 if isinstance(b.parent, ReadingControls)}
        assert after.pop("Back to text", None) == spot, after
        before.pop("More reading controls")
        assert after == before, "a control moved when More was pressed"
        volume = app.reading.narrator.voice.volume
        reader.tap("Quieter")
        reader.tap("Quieter")
        assert app.reading.narrator.voice.volume < volume
        assert screen.more_shown, "the panel stays open for the next press"
        x, y = (spot[0] + spot[2]) / 2, (spot[1] + spot[3]) / 2
        reader.tap_at(x, y)  # the same spot again: back to the text
        assert not screen.more_shown and screen.ids.scroll.get_root_window() is not None
        reader.tap_at(x, y)
        assert screen.more_shown
        app.go("next")
        reader.frames(3)
        assert not screen.more_shown, "another section opens on its text"


def test_the_status_line_keeps_to_one_line_by_shortening_its_words(reader):
    from kiosk.rules import TEXT_SCALES

    app = reader.app
    screen = app.manager.current_screen
    problems = []
    for size in ((1920, 1080), (1280, 720), (1080, 1920)):
        for scale in TEXT_SCALES:
            at(reader, size, scale)
            for name in ("where", "reading_status"):
                label = screen.ids[name]
                label.texture_update()
                lines = len(label._label._cached_lines)
                if lines != 1 or label.texture_size[0] > label.width + 1:
                    problems.append(f"{size} {scale} {name}: {label.text!r} on {lines} lines")
                broken = set(shown_words(label)) - set(label.text.split())
                if broken:
                    problems.append(f"{size} {scale} {name}: breaks {broken}")
            if size == (1080, 1920) and scale == TEXT_SCALES[-1]:
                assert screen.ids.reading_status.text != app.reading_status, "not shortened"
                assert "Volume" in app.reading_status
    assert not problems, "\n".join(problems)


SIZE_SHOTS = [("smallest", (1920, 1080), 0), ("default", (1920, 1080), 1),
              ("largest", (1920, 1080), -1), ("portrait-default", (1080, 1920), 1),
              ("portrait-largest", (1080, 1920), -1)]
"""docs/screenshots/size-*.png (scripts/screenshots.py, docs/screenshots/THEMES.md): name,
window and index into TEXT_SCALES."""


def test_home_reader_and_settings_at_the_smallest_default_and_largest_size_and_portrait(
        reader):
    """The screens a visitor sees first, photographed at each size and shape, each one
    keeping the layout rules (tests/layout_rules.py) while it is photographed."""
    from layout_rules import broken_rules

    from kiosk.rules import TEXT_SCALES

    app = reader.app
    problems = []
    for name, size, step in SIZE_SHOTS:
        at(reader, size, TEXT_SCALES[step])
        for screen in ("reader", "more", "home", "settings"):
            if screen in ("reader", "more"):
                app.go("open_document", document_id=app.navigator.library.documents[0].id)
                app.go("open_section", number=2)
                settle(reader)
                app.manager.current_screen.show_more(screen == "more")
            else:
                app.go(screen)
            settle(reader)
            problems += [f"{name} {screen}: {p}" for p in broken_rules(app.root)]
            reader.screenshot(f"size-{name}-{screen}")
        app.manager.get_screen("reader").show_more(False)
    assert not problems, "\n".join(problems)
