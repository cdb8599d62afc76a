"""The kiosk's layout rules (issue 15), checked on a live Kivy widget tree.

No pytest here: ``broken_rules(root, min_target_px)`` walks what is on screen under ``root``
(a screen, the app's root, or a part of the kiosk layer) and returns one line per broken
rule, naming the widget (class, kv id, text) and the rule, with numbers. ``violations``
returns the same as records, for tests that group them.

The rules, each named by a constant below:

- WORD_BREAK: every word of a label's text (markup stripped) is drawn on one line. Checked
  on what Kivy drew: the words of the label's laid-out lines (``_label._cached_lines``).
- TEXT_CUT: a label draws all of its text: no line left out (Kivy drops the lines that do not
  fit a fixed ``text_size`` height) and nothing shortened to "...".
- TEXT_TALL, TEXT_WIDE: a label's texture (its text as drawn) is no taller and no wider
  than its box (Kivy does not clip: the text spills over whatever is there).
- OVERLAP: visible sibling widgets do not intersect (window coordinates); and no two
  things drawn (widgets without visible children: labels, buttons, drawn widgets) meet
  where they are seen (each clipped by the scroll views around it) unless that is already
  reported for the siblings holding them (so a button sticking out of its column over a
  heading is reported as overlapping the heading).
- OUTSIDE_PARENT: every visible widget lies inside its parent's box, except the content of a
  scroll view in the direction it scrolls (that is what scrolling is for).
- OUTSIDE_WINDOW: everything drawn (as for OVERLAP) outside a scroll view lies inside the
  window (its containers are reported by OUTSIDE_PARENT).
- SMALL_TARGET: every KioskButton a person can act on is at least ``min_target_px`` wide and
  tall (see ``min_target_px``).
- NO_SCROLL_BUTTONS: a scroll view whose content is taller than the view has a visible,
  enabled ScrollButtons bound to it under the same root.

Names: a label or button by its class, kv id and text (``KioskButton#read 'Read aloud'``);
a layout without a kv id by its path from the screen and what it holds
(``ReaderScreen/BoxLayout/BoxLayout[1] holding 'Section 6 of 18', ...``; [n]: the n-th of
its kind in its parent, in reading order).

Not checked: widgets with opacity 0 (and all under them), widgets of zero width or height,
and plain ``Widget`` spacers that neither hold nor draw anything. One pixel of rounding is
allowed everywhere.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from kivy.core.window import Window
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.ui.focus import enclosing, usable, visible_rect, window_rect
from kiosk.ui.widgets import KioskButton, ScrollButtons, strip_markup

WORD_BREAK = "breaks a word"
TEXT_CUT = "text cut off"
TEXT_TALL = "text taller than its box"
TEXT_WIDE = "text wider than its box"
OVERLAP = "overlaps"
OUTSIDE_PARENT = "sticks out of its parent"
OUTSIDE_WINDOW = "sticks out of the window"
SMALL_TARGET = "target too small"
NO_SCROLL_BUTTONS = "content does not fit and there are no scroll buttons"
RULES = (WORD_BREAK, TEXT_CUT, TEXT_TALL, TEXT_WIDE, OVERLAP, OUTSIDE_PARENT, OUTSIDE_WINDOW,
         SMALL_TARGET, NO_SCROLL_BUTTONS)

TOLERANCE_PX = 1.0
"""Rounding allowed before an edge counts as over another."""
REFERENCE_TARGET_PX = 96
"""The smallest target at 1920x1080 (tests/test_gui_targets.py, kiosk.ui.theme: the floor
under BUTTON_HEIGHT_PX)."""


def min_target_px(width: float, height: float) -> float:
    """The smallest target allowed in a window of ``width`` x ``height``: 96 px at full HD,
    scaled as the app scales its sizes (kiosk.ui.theme.scale_for: 68 px at 1366x768, 64 px
    at 1280x720, and 96 px at 1080x1920, a full-HD monitor turned on its side)."""
    from kiosk.ui.theme import scale_for

    return REFERENCE_TARGET_PX * scale_for(width, height)


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``widget`` breaks ``rule`` (``other``: the widget it overlaps)."""

    widget: str
    rule: str
    detail: str
    other: str = ""

    def __str__(self) -> str:
        other = f" {self.other}" if self.other else ""
        return f"{self.widget} {self.rule}{other} ({self.detail})"


Rect = tuple[float, float, float, float]


def decorative(widget: Widget) -> bool:
    """A plain Widget that neither holds nor draws anything: a spacer in a layout."""
    if type(widget) is not Widget or widget.children:
        return False
    canvas = widget.canvas
    drawn = len(canvas.children)
    if canvas.has_before:
        drawn += len(canvas.before.children)
    if canvas.has_after:
        drawn += len(canvas.after.children)
    return drawn == 0


def shown(widget: Widget) -> bool:
    """Drawn with some size and not transparent (its ancestors are looked at by the walk)."""
    return widget.opacity > 0 and widget.width > 0.5 and widget.height > 0.5


def visible_widgets(root: Widget) -> Iterator[Widget]:
    """``root`` and every widget under it that is drawn: a widget with opacity 0 hides all
    under it; one of zero size is left out but its children are still looked at."""
    stack = [root]
    while stack:
        widget = stack.pop()
        if widget.opacity <= 0:
            continue
        yield widget
        stack.extend(widget.children)  # (kv order: the first child is popped first)


GENERIC_LAYOUTS = frozenset({"BoxLayout", "GridLayout", "AnchorLayout", "FloatLayout",
                             "RelativeLayout", "StackLayout", "Widget"})
"""Widgets named by their path: their class alone does not say which one they are."""


class Names:
    """Names widgets for people: class, kv id and text, or path and what it holds."""

    def __init__(self, root: Widget) -> None:
        self.root = root
        self._names: dict[tuple[int, bool], str] = {}
        self._ids: dict[int, str] = {}
        for widget in root.walk(restrict=True):
            for name, ref in getattr(widget, "ids", {}).items():
                try:
                    self._ids.setdefault(id(ref.__self__), name)
                except ReferenceError:
                    continue

    def __call__(self, widget: Widget, holding: bool = True) -> str:
        key = (id(widget), holding)
        if key not in self._names:
            self._names[key] = self._name(widget, holding)
        return self._names[key]

    def _name(self, widget: Widget, holding: bool) -> str:
        kind = type(widget).__name__
        kv_id = self._ids.get(id(widget))
        name = f"{kind}#{kv_id}" if kv_id else kind
        if isinstance(widget, Label):
            text = plain(widget.text)
            return f"{name} '{short(text)}'" if text else f"{name} (empty)"
        if not kv_id and kind in GENERIC_LAYOUTS:
            name = self.path(widget)
        if holding:
            inside = [plain(w.text) for w in widget.walk(restrict=True)
                      if isinstance(w, Label) and plain(w.text)]
            if inside:
                more = ", …" if len(inside) > 2 else ""
                name += " holding " + ", ".join(f"'{short(t, 30)}'" for t in inside[:2]) + more
        return name

    def path(self, widget: Widget) -> str:
        """Classes from the screen (or a widget with a kv id) down to ``widget``."""
        parts = []
        while widget is not None:
            kind = type(widget).__name__
            kv_id = self._ids.get(id(widget))
            parent = widget.parent
            if kv_id:
                parts.append(f"{kind}#{kv_id}")
                break
            same = ([c for c in reversed(parent.children) if type(c) is type(widget)]
                    if parent is not None and parent is not widget else [widget])
            parts.append(f"{kind}[{same.index(widget) + 1}]" if len(same) > 1 else kind)
            if isinstance(widget, Screen) or widget is self.root or parent is widget:
                break
            widget = parent
        return "/".join(reversed(parts))


def plain(text: str) -> str:
    """A label's text as words on one line, without markup."""
    return " ".join(strip_markup(text or "").split())


def short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def drawn_lines(label: Label) -> list[str]:
    """The lines of text Kivy laid out for a label, as drawn."""
    core = getattr(label, "_label", None)
    lines = getattr(core, "_cached_lines", None) or []
    return ["".join(word.text for word in line.words) for line in lines]


def text_problems(label: Label, names: Names) -> list[Violation]:
    """WORD_BREAK, TEXT_CUT, TEXT_TALL and TEXT_WIDE for one visible label."""
    found = []
    name = names(label)
    words = units(strip_markup(label.text or ""))
    if not words:
        return found
    lines = drawn_lines(label)
    pieces = [piece for line in lines for piece in units(line)]
    if "".join(pieces) != "".join(words):
        # Kivy left out lines (a fixed text_size height) or shortened the text
        drawn = set(pieces)
        missing = sum(1 for word in words if word not in drawn)
        found.append(Violation(name, TEXT_CUT,
                               f"{max(missing, 1)} of {len(words)} words not drawn; drawn: "
                               f"'{short(' / '.join(lines), 60)}'"))
    else:
        breaks = broken_words(words, pieces)
        if breaks:
            found.append(Violation(name, WORD_BREAK,
                                   f"drawn as {', '.join(repr(b) for b in breaks)} in a "
                                   f"{label.width:.0f} px wide box"))
    tw, th = label.texture_size
    if th > label.height + TOLERANCE_PX:
        found.append(Violation(name, TEXT_TALL,
                               f"text is {th:.0f} px tall in a {label.height:.0f} px box"))
    if tw > label.width + TOLERANCE_PX:
        found.append(Violation(name, TEXT_WIDE,
                               f"text is {tw:.0f} px wide in a {label.width:.0f} px box"))
    return found


def units(text: str) -> list[str]:
    """The pieces of ``text`` no line may break: its words, where a long word counts as
    two after a slash or an em dash (kiosk.highlight.BREAK_AFTER), as in typesetting."""
    from kiosk.highlight import BREAK_AFTER

    after = re.compile(f"(?<=[{re.escape(BREAK_AFTER)}])(?=.)")
    return [part for word in text.split() for part in after.split(word)]


def broken_words(words: list[str], pieces: list[str]) -> list[str]:
    """The words drawn in more than one piece (over more than one line), as 'Quiete|r'.
    ``pieces``: the text of each line split at spaces, all lines in order; together they
    spell ``words``."""
    breaks = []
    pieces = list(reversed(pieces))
    for word in words:
        parts = []
        while pieces and len("".join(parts)) < len(word):
            parts.append(pieces.pop())
        if len(parts) > 1:
            breaks.append("|".join(parts))
    return breaks


def overlap(a: Rect, b: Rect) -> tuple[float, float]:
    """Width and height of the intersection of two rectangles (0 when apart)."""
    return (max(0.0, min(a[2], b[2]) - max(a[0], b[0])),
            max(0.0, min(a[3], b[3]) - max(a[1], b[1])))


def outside(inner: Rect, outer: Rect, check_x: bool = True, check_y: bool = True) -> str:
    """How far ``inner`` sticks out of ``outer``, in words ('' when it does not)."""
    sides = []
    if check_x:
        sides += [("left", outer[0] - inner[0]), ("right", inner[2] - outer[2])]
    if check_y:
        sides += [("bottom", outer[1] - inner[1]), ("top", inner[3] - outer[3])]
    return ", ".join(f"{px:.0f} px past the {side}" for side, px in sides if px > TOLERANCE_PX)


def in_scroll_view(widget: Widget) -> bool:
    return enclosing(widget, ScrollView) is not None


def seen_rect(widget: Widget) -> Rect | None:
    """The part of the widget's box not hidden by the scroll views around it (None: none);
    what lies outside the window is reported by its own rule."""
    return visible_rect(widget, in_window=False)


def ancestors(widget: Widget, root: Widget) -> list[Widget]:
    """``widget``, its parent, ... up to ``root``."""
    chain = [widget]
    while chain[-1] is not root and chain[-1].parent is not None:
        chain.append(chain[-1].parent)
    return chain


def violations(root: Widget, min_target: float) -> list[Violation]:
    """Every layout rule broken under ``root`` (see the module's docstring)."""
    name = Names(root)
    found: list[Violation] = []
    window: Rect = (0.0, 0.0, float(Window.width), float(Window.height))
    widgets = [w for w in visible_widgets(root) if shown(w) and not decorative(w)]
    drawn_things = []
    sibling_overlaps: set[tuple[int, int]] = set()
    for widget in widgets:
        rect = window_rect(widget)
        children = [c for c in widget.children if shown(c) and not decorative(c)]
        if not children:
            drawn_things.append(widget)
        if isinstance(widget, Label):
            found += text_problems(widget, name)
        if isinstance(widget, KioskButton) and usable(widget) and (
                min(widget.size) < min_target - TOLERANCE_PX):
            found.append(Violation(name(widget), SMALL_TARGET,
                                   f"{widget.width:.0f}x{widget.height:.0f} px, "
                                   f"under {min_target:.0f} px"))
        parent = widget.parent
        if widget is not root and parent is not None and parent is not Window:
            scroll = parent if isinstance(parent, ScrollView) else None
            out = outside(rect, window_rect(parent),
                          check_x=scroll is None or not scroll.do_scroll_x,
                          check_y=scroll is None or not scroll.do_scroll_y)
            if out:
                found.append(Violation(name(widget), OUTSIDE_PARENT,
                                       f"{out} of {name(parent, holding=False)}"))
        if not children and not in_scroll_view(widget):
            out = outside(rect, window)
            if out:
                found.append(Violation(name(widget), OUTSIDE_WINDOW,
                                       f"{out} of the {Window.width}x{Window.height} window"))
        rects = {id(c): window_rect(c) for c in children}
        for a, b in itertools.combinations(reversed(children), 2):
            w, h = overlap(rects[id(a)], rects[id(b)])
            if w > TOLERANCE_PX and h > TOLERANCE_PX:
                sibling_overlaps.add((id(a), id(b)))
                found.append(Violation(name(a), OVERLAP, f"by {w:.0f}x{h:.0f} px", name(b)))
    found += drawn_overlaps(root, drawn_things, sibling_overlaps, name)
    found += scroll_problems(root, widgets, name)
    return found


def drawn_overlaps(root: Widget, things: list[Widget], reported: set[tuple[int, int]],
                   name: Names) -> list[Violation]:
    """OVERLAP between things drawn in different places of the tree, where they are seen,
    unless the siblings holding them were already reported as overlapping."""
    found = []
    seen = [(thing, seen_rect(thing)) for thing in things]
    seen = [(thing, rect) for thing, rect in seen if rect is not None]
    for (a, ra), (b, rb) in itertools.combinations(seen, 2):
        w, h = overlap(ra, rb)
        if w <= TOLERANCE_PX or h <= TOLERANCE_PX:
            continue
        chain_a, chain_b = ancestors(a, root), ancestors(b, root)
        in_b = {id(x) for x in chain_b}
        common = next((i for i, x in enumerate(chain_a) if id(x) in in_b), None)
        if common is None or common == 0:
            continue
        common_b = [id(x) for x in chain_b].index(id(chain_a[common]))
        if common_b == 0:
            continue
        holder_a, holder_b = chain_a[common - 1], chain_b[common_b - 1]
        if (id(holder_a), id(holder_b)) in reported or (id(holder_b), id(holder_a)) in reported:
            continue
        if holder_a is a and holder_b is b:
            continue  # siblings: the sibling check did not find them overlapping
        found.append(Violation(name(a), OVERLAP, f"by {w:.0f}x{h:.0f} px where seen", name(b)))
    return found


def scroll_problems(root: Widget, widgets: list[Widget], name: Names) -> list[Violation]:
    """NO_SCROLL_BUTTONS for every visible scroll view whose content does not fit."""
    found = []
    buttons = [w for w in root.walk(restrict=True) if isinstance(w, ScrollButtons)]
    for scroll in widgets:
        if not isinstance(scroll, ScrollView) or not shown(scroll) or not scroll.children:
            continue
        content = scroll.children[0]
        hidden = content.height - scroll.height
        if hidden <= TOLERANCE_PX:
            continue
        bound = [b for b in buttons if b.scroll is not None and b.scroll.__self__ is scroll]
        working = [b for b in bound if usable(b) and shown(b)]
        if not working:
            why = "none is bound to it" if not bound else "its ScrollButtons are hidden or off"
            found.append(Violation(name(scroll), NO_SCROLL_BUTTONS,
                                   f"content {content.height:.0f} px tall in a "
                                   f"{scroll.height:.0f} px view ({hidden:.0f} px hidden); "
                                   f"{why}"))
    return found


def broken_rules(root: Widget, min_target: float | None = None) -> list[str]:
    """Every layout rule broken under ``root``, one line each: the widget, the rule and the
    numbers. ``min_target`` defaults to ``min_target_px`` of the window's size."""
    if min_target is None:
        min_target = min_target_px(*Window.size)
    return [str(v) for v in violations(root, min_target)]
