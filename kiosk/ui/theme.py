"""Colour themes and sizes. Pure data (no Kivy), so contrast and size rules are unit-tested.

Sizes are given at the reference screen of 1920x1080 and scaled with the window, so body
text is 36 px on a full-HD kiosk (at least 32 px required) and buttons are 112 px tall.
"""

from __future__ import annotations

from dataclasses import dataclass

Colour = tuple[float, float, float, float]

REFERENCE_WIDTH = 1920
REFERENCE_HEIGHT = 1080
BODY_FONT_PX = 36
"""Body text size at 1920x1080 and text size step 1.0."""
HEADING_FONT_PX = 52
BUTTON_FONT_PX = 36
BUTTON_TEXT_SCALE_MAX = 1.5
"""Button labels grow with the chosen text size up to this step (54 px at 1920x1080); past
it only the reading text grows, so the controls keep their room beside the text."""
BUTTON_HEIGHT_PX = 112
"""Every actionable target is at least this tall at 1920x1080 (96 px is the floor)."""
GAP_PX = 24
"""Space between targets at 1920x1080 (16 px is the floor)."""
LINE_SPACING = 1.45
"""Line height as a multiple of the font size: generous, for tired eyes."""
MAX_LINE_CHARS = 62
"""Text columns are capped so a line holds about this many characters (70 is the limit)."""
SAMPLE_TEXT = (
    "Motor neurons are the nerve cells in the brain and spinal cord that control voluntary "
    "muscle movement and breathing. Ask your doctor what signs and symptoms to watch for."
)
"""Ordinary body text; its average character width in the typeface sizes the text column."""
FOCUS_RING_PX = 8
TYPEFACE_NAMES = {"atkinson": "Atkinson Hyperlegible", "opendyslexic": "OpenDyslexic"}
"""Each typeface (rules.TYPEFACES) by the name a person sees in Settings; each is also
registered with Kivy under this name."""
COLUMN_WIDTH_PX = 1400
"""Width of the button column on Home and Settings at 1920x1080."""


def hex_colour(value: str, alpha: float = 1.0) -> Colour:
    """'#rrggbb' to an RGBA tuple of floats."""
    value = value.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


@dataclass(frozen=True)
class Theme:
    """The colours of one theme; every text/background pair must reach 7:1 (WCAG AAA)."""

    name: str
    """Shown in Settings."""
    background: Colour
    """Screen background."""
    text: Colour
    """Body text and headings."""
    muted_text: Colour
    """Secondary text (source lines, hints); still 7:1 against the background."""
    button: Colour
    """Button face."""
    button_text: Colour
    """Button label."""
    button_border: Colour
    """Button outline, so a button is visible as a shape, not only as text."""
    focus: Colour
    """The thick ring around the focused target."""
    callout: Colour
    """Background of callout boxes."""
    notice: Colour
    """Background of the notice bar (e.g. "This is the last section.")."""
    notice_text: Colour
    """Text on the notice bar."""
    reading: Colour
    """Background behind the sentence being read aloud."""
    word: Colour
    """Background behind the word being heard."""
    word_text: Colour
    """The word being heard."""

    def text_pairs(self) -> dict[str, tuple[Colour, Colour]]:
        """Every foreground/background pair that carries text, for the contrast check."""
        return {
            "body text": (self.text, self.background),
            "secondary text": (self.muted_text, self.background),
            "button label": (self.button_text, self.button),
            "callout text": (self.text, self.callout),
            "notice text": (self.notice_text, self.notice),
            "sentence being read": (self.text, self.reading),
            "word being heard": (self.word_text, self.word),
        }


DARK = Theme(
    name="Dark, high contrast",
    background=hex_colour("#000000"),
    text=hex_colour("#ffffff"),
    muted_text=hex_colour("#d6d6d6"),
    button=hex_colour("#1b2a4a"),
    button_text=hex_colour("#ffffff"),
    button_border=hex_colour("#9ec1ff"),
    focus=hex_colour("#ffd400"),
    callout=hex_colour("#1c1c1c"),
    notice=hex_colour("#ffd400"),
    notice_text=hex_colour("#000000"),
    reading=hex_colour("#23457e"),
    word=hex_colour("#ffd400"),
    word_text=hex_colour("#000000"),
)

LIGHT = Theme(
    name="Light",
    background=hex_colour("#fffdf7"),
    text=hex_colour("#111111"),
    muted_text=hex_colour("#333333"),
    button=hex_colour("#0b3d91"),
    button_text=hex_colour("#ffffff"),
    button_border=hex_colour("#0b3d91"),
    focus=hex_colour("#c2410c"),
    callout=hex_colour("#eef2f7"),
    notice=hex_colour("#111111"),
    notice_text=hex_colour("#ffffff"),
    reading=hex_colour("#ffe9a8"),
    word=hex_colour("#0b3d91"),
    word_text=hex_colour("#ffffff"),
)

YELLOW = Theme(
    name="Yellow on black",
    background=hex_colour("#000000"),
    text=hex_colour("#ffeb3b"),
    muted_text=hex_colour("#f5d90a"),
    button=hex_colour("#000000"),
    button_text=hex_colour("#ffeb3b"),
    button_border=hex_colour("#ffeb3b"),
    focus=hex_colour("#ffffff"),
    callout=hex_colour("#1a1a00"),
    notice=hex_colour("#ffeb3b"),
    notice_text=hex_colour("#000000"),
    reading=hex_colour("#3d3500"),
    word=hex_colour("#ffffff"),
    word_text=hex_colour("#000000"),
)
"""Yellow text on black: preferred by many people with low vision."""

THEMES: dict[str, Theme] = {"dark": DARK, "light": LIGHT, "yellow": YELLOW}


def relative_luminance(colour: Colour) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: Colour, background: Colour) -> float:
    """WCAG contrast ratio, from 1 (none) to 21 (black on white)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def scale_for(width: float, height: float) -> float:
    """How much to scale reference sizes for a window of this size: 1.0 at 1920x1080 and
    at 1080x1920 (a full-HD screen turned on its side has the same pixels to the
    millimetre, so targets and text keep their size), following the tighter side."""
    long_side, short_side = max(width, height), min(width, height)
    return min(long_side / REFERENCE_WIDTH, short_side / REFERENCE_HEIGHT)
