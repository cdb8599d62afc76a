"""The layout rules of issue 15 on every screen, at every text size, in both typefaces and at
four window shapes (tests/layout_rules.py says what each rule means and how it is checked).

One test per window shape walks Home, Contents (the document with the most sections),
the Reader (its longest section: at the top, with a notice shown, and scrolled to the end),
Help, Settings, kiosk mode's "Are you still there?", the PIN pad and the admin screen, at
every text size in both typefaces, with the number badges hidden and shown (they take room
in every button: at 1.3 they already break words that break only at 1.75 without them);
it lists every rule broken, as
"WxH, size S, typeface T, screen: widget breaks rule (numbers)", all of them, grouped by
widget and rule first; the same text is written to tests/artifacts/layout-WxH.txt, with a
screenshot of the Reader at the largest size (layout-WxH-reader-largest.png).

Themes change colours only, so the walk is in the dark theme; one test walks every theme at
one combination and asserts the geometry is the same (on Settings, whose words change with
the theme, that no rule is broken that the dark theme does not break).

"Controls never move because they were pressed": a test touches "Larger text" at one point
of the window from the smallest text size to the largest.

Sizes are changed as the app does (text_scale, then KioskApp._update_sizes once per
combination) and screens reached as a visitor would (app.go); the layout is then left to
settle in frames that are not drawn (drawing is most of the time of a frame under Xvfb).
The whole file takes a little over a minute on two cores.

Window shapes larger than the virtual screen (1080x1920 on the 1920x1080 Xvfb of
conftest.py) work: without a window manager X does not limit a window to the screen, and
what Kivy draws off the screen is still drawn and read back.
"""

from __future__ import annotations

import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, replace

import pytest
from conftest import ARTIFACTS

pytestmark = pytest.mark.gui

SHAPES = ((1920, 1080), (1366, 768), (1280, 720), (1080, 1920))
"""The window shapes of issue 15: full HD, two smaller landscape screens, and portrait."""
NOTICE = ("The microphone stopped working. Voice commands will come back by themselves "
          "when it works again; touch, keys and switches still work.")
"""A long notice (two lines at most sizes), like kiosk.ui.voice.MIC_LOST."""
SETTLE_FRAMES = 12
"""Most frames to wait for the layout to stop changing after a change."""


@dataclass(frozen=True)
class Found:
    """A broken rule on one screen in one combination."""

    combination: str
    screen: str
    violation: object  # layout_rules.Violation

    def __str__(self) -> str:
        return f"{self.combination}, {self.screen}: {self.violation}"


# -- driving the app ----------------------------------------------------------------------

def layout_signature(app) -> tuple:
    """Where everything is and how big its text is: to see when the layout has settled."""
    from kivy.core.window import Window
    from kivy.uix.label import Label

    roots = [app.root, app.kiosk.layer] if app.kiosk is not None else [app.root]
    shapes = []
    for root in roots:
        for widget in root.walk(restrict=True):
            shapes.append((*(round(v) for v in widget.to_window(*widget.pos)),
                           round(widget.width), round(widget.height)))
            if isinstance(widget, Label):
                shapes.append(tuple(widget.texture_size))
    return tuple(Window.size), tuple(shapes)


def layout_frame() -> None:
    """One frame of the event loop without drawing it: scheduled callbacks, text rendering
    and layout run as in a frame; only the window is not drawn (drawing a large window
    with the software renderer of the test X server takes most of a frame)."""
    from kivy.clock import Clock
    from kivy.lang import Builder

    Clock.tick()
    Builder.sync()
    Clock.tick_draw()
    Builder.sync()


def settle(pilot) -> bool:
    """Run frames until the layout stops changing (badges follow the buttons each frame);
    False if it still changed after SETTLE_FRAMES."""
    app = pilot.app
    before = None
    for _ in range(SETTLE_FRAMES):
        if app.numbers_shown and app.number_badges is not None:
            app.number_badges.update()
        layout_frame()
        now = layout_signature(app)
        if now == before:
            return True
        before = now
    return False


def use_sizes(pilot, scale: float, numbers: bool) -> None:
    """Text size and number badges as Settings would set them (one re-layout of the text)."""
    app = pilot.app
    app.numbers_shown = numbers
    app.text_scale = scale
    app._update_sizes()


def longest_reading(app):
    """(the document with the most sections, the number of its longest section)."""
    from kiosk.speech.script import target_texts

    document = max(app.navigator.library.documents, key=lambda d: len(d.entries))
    entry = max(document.entries,
                key=lambda e: sum(len(t.text) for t in target_texts(e).values()))
    return document, entry.number


UNSETTLED = "the layout never settles"


def walk_screens(pilot):
    """Yield (screen, root widget to check, settled) on every screen, reached as the app
    does; settled is False when the layout was still changing after SETTLE_FRAMES."""
    app = pilot.app
    kiosk = app.kiosk
    document, section = longest_reading(app)
    app.go("home")
    yield "Home", app.root, settle(pilot)
    app.go("open_document", document_id=document.id)
    yield "Contents", app.root, settle(pilot)
    app.go("open_section", number=section)
    yield "Reader", app.root, settle(pilot)
    app.say_notice(NOTICE)
    yield "Reader with a notice", app.root, settle(pilot)
    app.clear_notice()
    for scroll in scroll_views(app.manager.current_screen):
        scroll.scroll_y = 0.0
    yield "Reader scrolled to the end", app.root, settle(pilot)
    app.go("help")
    yield "Help", app.root, settle(pilot)
    app.go("settings")
    yield "Settings", app.root, settle(pilot)
    with are_you_still_there(app):
        yield "Are you still there?", kiosk.parts["asking"], settle(pilot)
    kiosk.activity()
    app.settings = replace(app.settings, admin_pin="4817")  # (no PIN: the pad stays shut)
    kiosk.open_pin_pad()
    yield "PIN pad", kiosk.parts["pin"], settle(pilot)
    for digit in app.settings.admin_pin:
        kiosk.pin_digit(digit)
    kiosk.pin_ok()
    assert kiosk.panel == "admin", "the admin PIN did not open the admin screen"
    yield "Admin screen", kiosk.parts["admin"], settle(pilot)
    kiosk.close_panel()
    app.go("home")


def scroll_views(screen) -> list:
    from kivy.uix.scrollview import ScrollView

    return [w for w in screen.walk(restrict=True) if isinstance(w, ScrollView)]


@contextmanager
def are_you_still_there(app):
    """Kiosk mode's idle notice as after 90 s with nobody there (on a clock of its own, in
    kiosk mode while it is looked at: the app's tick would take a notice shown outside
    kiosk mode away again), as tests/test_gui_kiosk_mode.py does."""
    kiosk, settings = app.kiosk, app.settings
    now = kiosk.now()
    kiosk.now = lambda: now + 91.0
    app.settings = replace(settings, kiosk_mode=True, idle_seconds=90)
    try:
        kiosk.watcher.restart(now)
        kiosk.tick()
        assert kiosk.layer.shown == "asking", "the idle notice did not show"
        yield
    finally:
        app.settings = settings


@pytest.fixture
def quiet_window(pilot, monkeypatch):
    """The pilot, with the kiosk's own announcements (PIN pad, admin screen) not spoken, and
    the window back at 1920x1080 afterwards."""
    from kivy.clock import Clock
    from kivy.core.window import Window

    monkeypatch.setattr(pilot.app.kiosk, "_say", lambda _text: None)
    max_fps, Clock._max_fps = Clock._max_fps, 0  # frames not drawn need not wait for 60 fps
    yield pilot
    Clock._max_fps = max_fps
    pilot.app.kiosk.close_panel()
    pilot.app.kiosk.restart()  # the real clock again, nothing shown
    if tuple(Window.size) != (1920, 1080):
        Window.size = (1920, 1080)
        pilot.frames(3)


def resize(pilot, width: int, height: int) -> None:
    from kivy.core.window import Window

    Window.size = (width, height)
    pilot.frames(6)  # panels that follow the window (kiosk mode's layer) catch up
    assert tuple(Window.size) == (width, height), f"the window is {Window.size}"


# -- reporting ------------------------------------------------------------------------------

def combination_name(width: int, height: int, scale: float, typeface: str,
                     numbers: bool) -> str:
    return (f"{width}x{height}, size {scale}, typeface {typeface}"
            + (", numbers shown" if numbers else ""))


def grouped(found: list[Found]) -> list[str]:
    """One line per screen, widget and rule, with the combinations where it happens (and
    how many widgets of that name break it, when more than one)."""
    groups: dict[tuple[str, str, str], list[Found]] = defaultdict(list)
    for item in found:
        v = item.violation
        groups[(item.screen, v.widget, f"{v.rule} {v.other}".strip())].append(item)
    lines = []
    for (screen, widget, rule), items in sorted(groups.items()):
        combos: dict[str, list[str]] = defaultdict(list)
        for item in items:
            parts = item.combination.split(", ")
            where = f"{parts[0]} {parts[2].removeprefix('typeface ')}"
            size = parts[1].removeprefix("size ") + ("+numbers" if len(parts) > 3 else "")
            if size not in combos[where]:
                combos[where].append(size)
        many = len(items) // sum(len(sizes) for sizes in combos.values())
        count = f" (x{many})" if many > 1 else ""
        where = "; ".join(f"{k}: {' '.join(v)}" for k, v in combos.items())
        last = items[-1]
        lines.append(f"{screen}: {widget}{count} {rule} [{where}] e.g. "
                     f"{last.violation.detail} at {last.combination}")
    return lines


def report(name: str, found: list[Found], seconds: float) -> str:
    """Write the grouped and the full list to tests/artifacts/NAME.txt; the text."""
    path = ARTIFACTS / f"{name}.txt"
    lines = [f"{len(found)} layout rule(s) broken ({seconds:.0f} s; also in {path})", "",
             "Grouped by screen, widget and rule:", *grouped(found), "",
             "Every one:", *map(str, found)]
    text = "\n".join(lines)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    return text


# -- the checker can fail ---------------------------------------------------------------------

def test_the_checker_reports_each_rule_and_nothing_on_a_clean_tree(pilot):
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.label import Label
    from kivy.uix.widget import Widget
    from layout_rules import (
        NO_SCROLL_BUTTONS,
        OUTSIDE_PARENT,
        OUTSIDE_WINDOW,
        OVERLAP,
        SMALL_TARGET,
        TEXT_CUT,
        TEXT_TALL,
        TEXT_WIDE,
        WORD_BREAK,
        broken_rules,
        violations,
    )

    from kiosk.ui.widgets import KioskButton, KioskScroll, ScrollButtons

    def box(*children, pos=(0, 0), size=(1000, 800)):
        """A plain container: children keep the positions they are given."""
        widget = Widget(pos=pos, size=size)
        for child in children:
            widget.add_widget(child)
        return widget

    def label(text, pos=(0, 0), size=(400, 100), **kwargs):
        return Label(text=text, pos=pos, size=size, size_hint=(None, None), font_size=30,
                     **kwargs)

    def scroll_with(content_height, buttons):
        scroll = KioskScroll(pos=(10, 10), size=(300, 200), size_hint=(None, None))
        scroll.add_widget(BoxLayout(size_hint_y=None, height=content_height))
        children = [scroll]
        if buttons:
            bar = ScrollButtons(scroll=scroll, pos=(400, 10), height=350, size_hint_y=None)
            children.append(bar)
        return box(*children), scroll

    def button(text, pos=(0, 0), width=400):
        return KioskButton(text=text, pos=pos, width=width, size_hint_x=None)

    clean, clean_scroll = scroll_with(1000, buttons=True)
    clean.add_widget(button("Larger text", pos=(10, 400)))
    clean.add_widget(label("Text size: step 2 of 6", pos=(10, 600), text_size=(400, None)))
    broken = {
        WORD_BREAK: box(button("Unbreakablewordhere", pos=(10, 10), width=200)),
        TEXT_TALL: box(label("one two three four five six seven eight nine ten", size=(200, 40),
                             text_size=(200, None))),
        TEXT_WIDE: box(label("a line wider than its box", size=(100, 60))),
        OVERLAP: box(label("first", pos=(0, 0)), label("second", pos=(200, 50))),
        OUTSIDE_PARENT: box(label("sticks out", pos=(150, 10)), size=(300, 300)),
        OUTSIDE_WINDOW: box(label("off screen", pos=(-200, 10)), pos=(-200, 0),
                            size=(500, 300)),
        SMALL_TARGET: box(button("Go", pos=(10, 10), width=150)),
        NO_SCROLL_BUTTONS: scroll_with(1000, buttons=False)[0],
    }
    cut_lines = box(label("one two three four five six seven eight nine ten",
                          size=(200, 40), text_size=(200, 40)))
    over_heading = box(box(label("Scroll up", pos=(10, 10), size=(200, 300)), size=(300, 200)),
                       label("Heading", pos=(0, 200), size=(300, 100)))
    pilot.frames(4)
    for tree in (clean, cut_lines, over_heading, *broken.values()):
        for widget in tree.walk():
            if isinstance(widget, Label):
                widget.texture_update()
    for bar in clean.children:
        if isinstance(bar, ScrollButtons):
            bar._update()
    pilot.frames(4)
    assert clean_scroll.overflow() > 0 and not broken_rules(clean, 96), broken_rules(clean, 96)
    for rule, tree in broken.items():
        target = 200 if rule == SMALL_TARGET else 96
        found = violations(tree, target)
        assert rule in {v.rule for v in found}, f"{rule} not reported: {found}"
        assert all(str(v).count("'") >= 2 or v.rule == NO_SCROLL_BUTTONS for v in found)
    assert TEXT_CUT in {v.rule for v in violations(cut_lines, 96)}, "lines left out"
    assert any(v.rule == OVERLAP and "Heading" in v.widget + v.other  # sticks out over it
               for v in violations(over_heading, 96)), violations(over_heading, 96)
    word_break = broken_rules(broken[WORD_BREAK], 96)
    assert any("KioskButton 'Unbreakablewordhere' breaks a word" in line
               for line in word_break), word_break


# -- every screen at every size ---------------------------------------------------------------

BADGES = (False, True)
BADGES_FROM = 1.15
"""Number badges are walked from this text size up: below it a badge leaves every label
room to spare (the size screenshots, tests/test_gui_reader_layout.py, check the smallest
size with the rules too), and the walk stays within the suite's time."""


@pytest.mark.parametrize(("width", "height"), SHAPES, ids=[f"{w}x{h}" for w, h in SHAPES])
def test_every_screen_keeps_the_layout_rules(quiet_window, width, height):
    from layout_rules import Violation, min_target_px, violations

    from kiosk.rules import TEXT_SCALES, TYPEFACES

    pilot = quiet_window
    app = pilot.app
    started = time.monotonic()
    resize(pilot, width, height)
    smallest_target = min_target_px(width, height)
    found: list[Found] = []
    walks = 0
    for typeface in TYPEFACES:
        app.set_setting("typeface", typeface)
        assert app.typeface == typeface, f"the {typeface} typeface is not installed"
        for scale in TEXT_SCALES:
            for numbers in BADGES if scale >= BADGES_FROM else (False,):
                use_sizes(pilot, scale, numbers)
                combination = combination_name(width, height, scale, typeface, numbers)
                for screen, root, settled in walk_screens(pilot):
                    found += [Found(combination, screen, v)
                              for v in violations(root, smallest_target)]
                    if not settled:
                        found.append(Found(combination, screen, Violation(
                            "the screen", UNSETTLED, f"still moving after {SETTLE_FRAMES} "
                            "frames")))
                    if (screen == "Reader" and scale == TEXT_SCALES[-1] and not numbers
                            and typeface == TYPEFACES[0]):
                        pilot.screenshot(f"layout-{width}x{height}-reader-largest")
                walks += 1
    seconds = time.monotonic() - started
    text = report(f"layout-{width}x{height}", found, seconds)
    assert walks == len(TYPEFACES) * (len(TEXT_SCALES)
                                      + sum(scale >= BADGES_FROM for scale in TEXT_SCALES))
    assert not found, text


def test_themes_change_colours_only(quiet_window):
    """Every theme at one combination (1920x1080, the largest size, Atkinson), so that the
    walk over shapes, sizes and typefaces needs only the dark theme: on every screen whose
    words are the same in every theme, every widget is in the same place with text of the
    same size; where the words differ (Settings marks the chosen theme "(chosen)"), no
    layout rule is broken that the dark theme does not break."""
    from kivy.uix.label import Label
    from layout_rules import min_target_px, plain, violations, window_rect

    from kiosk.rules import TEXT_SCALES
    from kiosk.ui.theme import THEMES

    pilot = quiet_window
    app = pilot.app
    use_sizes(pilot, TEXT_SCALES[-1], False)
    geometry: dict[str, dict[str, list]] = {}
    words: dict[str, dict[str, list]] = {}
    broken: dict[str, dict[str, dict]] = {}
    for theme in THEMES:
        app.set_setting("theme", theme)
        geometry[theme], words[theme], broken[theme] = {}, {}, {}
        for screen, root, _settled in walk_screens(pilot):
            widgets = list(root.walk(restrict=True))
            geometry[theme][screen] = [
                (type(w).__name__, tuple(round(v) for v in window_rect(w)),
                 tuple(w.texture_size) if isinstance(w, Label) else None) for w in widgets]
            words[theme][screen] = [plain(w.text) for w in widgets if isinstance(w, Label)]
            broken[theme][screen] = {(v.widget, v.rule, v.other): v
                                     for v in violations(root, min_target_px(1920, 1080))}
    first = next(iter(THEMES))
    problems = []
    for theme in THEMES:
        for screen, shapes in geometry[theme].items():
            if words[theme][screen] == words[first][screen]:
                if shapes != geometry[first][screen]:
                    moved = next(i for i, (a, b) in enumerate(
                        zip(shapes, geometry[first][screen], strict=False)) if a != b)
                    problems.append(f"{theme}, {screen}: the same words are laid out "
                                    f"differently from {first}: {shapes[moved]} instead of "
                                    f"{geometry[first][screen][moved]}")
                continue
            for key, violation in broken[theme][screen].items():
                if key not in broken[first][screen]:
                    problems.append(f"1920x1080, size {TEXT_SCALES[-1]}, typeface atkinson, "
                                    f"theme {theme}, {screen}: {violation}")
    assert not problems, "\n".join(problems)


# -- controls stay where they were pressed ----------------------------------------------------

def test_larger_text_stays_under_the_finger(pilot):
    """From the smallest text size, touch "Larger text" on Settings, always at the same point
    of the window, as a person would, until the largest: each touch is one step larger and
    "Larger text" is still under the finger afterwards."""
    from kiosk_pilot import visible_rect
    from layout_rules import Names, seen_rect

    from kiosk.config import Settings
    from kiosk.rules import TEXT_SCALES
    from kiosk.ui.focus import actionable
    from kiosk.ui.widgets import strip_markup

    pilot.reset(replace(Settings(), window_width=1920, window_height=1080, idle_seconds=0,
                        text_scale=TEXT_SCALES[0]))
    pilot.tap("Settings")
    settle(pilot)
    larger = pilot.button("Larger text")
    for _ in range(10):  # scroll it into view as a person would, if it is not
        area = visible_rect(larger)
        if area is not None and area[3] - area[1] >= 0.8 * larger.height:
            break
        pilot.tap("Scroll down")
    assert area is not None, "Larger text cannot be scrolled into view"
    x, y = (area[0] + area[2]) / 2, (area[1] + area[3]) / 2

    def at_finger(rect) -> bool:
        return rect is not None and rect[0] <= x <= rect[2] and rect[1] <= y <= rect[3]

    def under_finger() -> str:
        """The button under the finger, or else what is there."""
        screen = pilot.app.manager.current_screen
        for button in actionable(screen):
            if at_finger(visible_rect(button)):
                return f"'{strip_markup(button.text)}'"
        there = [w for w in screen.walk(restrict=True) if at_finger(seen_rect(w))]
        return f"no button: {Names(screen)(there[-1], holding=False)}" if there else "nothing"

    problems = []
    for press, expected in enumerate(TEXT_SCALES[1:], start=1):
        before = pilot.app.text_scale
        pilot.tap_at(x, y)
        settle(pilot)
        now = pilot.app.text_scale
        if now != expected:
            problems.append(f"touch {press} at ({x:.0f}, {y:.0f}): text size {before} -> {now}, "
                            f"expected {expected}")
        if under_finger() != "'Larger text'":
            problems.append(f"after touch {press} (size {now}) the finger is on "
                            f"{under_finger()}, not on 'Larger text'")
    pilot.screenshot("layout-larger-text-pressed")
    assert not problems, "\n".join(problems)
