"""Every actionable target is large and spaced; body text is large with short lines."""

from __future__ import annotations

import itertools

import pytest

pytestmark = pytest.mark.gui

MIN_TARGET_PX = 96
MIN_TARGET_MM = 9
MIN_GAP_PX = 16
MIN_BODY_PX = 32
MAX_LINE_CHARS = 70


def visit_every_screen(pilot):
    """Yield (name, pilot) on each screen, with the longest content where it matters."""
    yield "home", pilot
    pilot.tap("Help")
    yield "help", pilot
    pilot.tap("Home")
    pilot.tap("Settings")
    yield "settings", pilot
    pilot.tap("Home")
    for document in ("Neurological", "WebMD"):
        pilot.tap(next(b for b in pilot.buttons() if document in b.text))
        yield f"contents of {document}", pilot
        for entry in pilot.app.navigator.document.entries:
            pilot.app.go("open_section", number=entry.number)
            pilot.frames(2)
            yield f"reader {document} {entry.number}", pilot
        pilot.tap("Home")


def gap(a, b) -> float:
    """Space between two rectangles along the axis that separates them (negative: overlap)."""
    dx = max(b[0] - a[2], a[0] - b[2])
    dy = max(b[1] - a[3], a[1] - b[3])
    return max(dx, dy)


def test_every_target_is_at_least_96_px_and_9_mm_with_16_px_between(pilot):
    from kiosk_pilot import visible_rect

    px_per_mm = 1920 / pilot.app.settings.screen_width_mm
    problems = []
    for name, p in visit_every_screen(pilot):
        buttons = p.buttons()
        assert buttons, f"no targets on {name}"
        for button in buttons:
            label = button.label_for_speech()
            if min(button.size) < MIN_TARGET_PX:
                problems.append(f"{name}: '{label}' is {button.width:.0f}x{button.height:.0f}")
            if min(button.size) / px_per_mm < MIN_TARGET_MM:
                problems.append(f"{name}: '{label}' is under {MIN_TARGET_MM} mm")
        shown = [(b, visible_rect(b)) for b in buttons]
        for (a, ra), (b, rb) in itertools.combinations([s for s in shown if s[1]], 2):
            distance = gap(ra, rb)
            if distance < MIN_GAP_PX:
                problems.append(
                    f"{name}: '{a.label_for_speech()}' and '{b.label_for_speech()}' "
                    f"are {distance:.0f} px apart"
                )
    assert not problems, "\n".join(problems[:20])


def test_body_text_is_at_least_32_px_and_lines_hold_at_most_70_characters(pilot):
    from kiosk.ui.widgets import BodyText

    checked = 0
    for name, p in visit_every_screen(pilot):
        if not name.startswith("reader"):
            continue
        for label in (w for w in p.app.manager.current_screen.walk() if isinstance(w, BodyText)):
            assert label.font_size >= MIN_BODY_PX, f"{name}: body text {label.font_size} px"
            label.texture_update()
            for line in label._label._cached_lines:
                text = "".join(word.text for word in line.words)
                assert len(text) <= MAX_LINE_CHARS, f"{name}: {len(text)} chars: {text!r}"
                checked += 1
    assert checked > 500  # every line of both documents was measured
