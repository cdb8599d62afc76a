"""Colours and sizes: every theme is readable by tired eyes and every target is large."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kiosk.ui import theme
from kiosk.ui.theme import THEMES, contrast_ratio, hex_colour, scale_for

BLACK, WHITE = hex_colour("#000000"), hex_colour("#ffffff")


def test_importing_the_theme_does_not_import_kivy():
    code = "import sys, kiosk.ui.theme; print('kivy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21.0)
    assert contrast_ratio(WHITE, BLACK) == pytest.approx(21.0)
    assert contrast_ratio(hex_colour("#767676"), hex_colour("#767676")) == pytest.approx(1.0)
    assert contrast_ratio(hex_colour("#767676"), WHITE) == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio(hex_colour("#595959"), WHITE) == pytest.approx(7.0, abs=0.01)


def test_hex_colour_reads_rgb_and_alpha():
    assert hex_colour("#ff8000", 0.5) == (1.0, 128 / 255, 0.0, 0.5)


@pytest.mark.parametrize("name", sorted(THEMES))
def test_every_text_pair_reaches_7_to_1(name):
    low = {
        label: round(contrast_ratio(fg, bg), 2)
        for label, (fg, bg) in THEMES[name].text_pairs().items()
        if contrast_ratio(fg, bg) < 7.0
    }
    assert low == {}


@pytest.mark.parametrize("name", sorted(THEMES))
def test_focus_ring_stands_out_from_the_background(name):
    colours = THEMES[name]
    assert contrast_ratio(colours.focus, colours.background) >= 3.0


@pytest.mark.parametrize("name", sorted(THEMES))
def test_button_outline_is_visible_against_the_background(name):
    colours = THEMES[name]
    assert contrast_ratio(colours.button_border, colours.background) >= 3.0


def test_both_config_themes_exist():
    from kiosk.rules import THEMES as CONFIG_THEMES

    assert set(CONFIG_THEMES) == set(THEMES)


def test_sizes_at_full_hd_meet_the_floors():
    scale = scale_for(1920, 1080)
    assert scale == 1
    assert theme.BODY_FONT_PX * scale >= 32
    assert theme.BUTTON_HEIGHT_PX * scale >= 96
    assert theme.GAP_PX * scale >= 16


def test_lines_are_capped_at_70_characters():
    assert theme.MAX_LINE_CHARS <= 70


def test_scale_halves_at_half_size_and_follows_the_tighter_side():
    assert scale_for(960, 540) == pytest.approx(0.5)
    assert scale_for(3840, 2160) == pytest.approx(2.0)
    assert scale_for(1920, 540) == pytest.approx(0.5)
    assert scale_for(960, 1080) == pytest.approx(0.5625)  # portrait: 1080 wide, 1920 tall


def test_a_portrait_screen_keeps_the_full_hd_sizes():
    assert scale_for(1080, 1920) == 1
    assert scale_for(768, 1366) == pytest.approx(scale_for(1366, 768))


def test_yellow_theme_is_yellow_text_on_black():
    yellow = THEMES["yellow"]
    assert yellow.background == BLACK and yellow.button == BLACK
    red, green, blue, _alpha = yellow.text
    assert red > 0.9 and green > 0.85 and blue < 0.3  # yellow, not white
    assert yellow.button_text == yellow.text
    assert contrast_ratio(yellow.text, yellow.background) >= 15


def test_every_configurable_typeface_has_a_name_for_people():
    from kiosk.rules import TYPEFACES

    assert set(theme.TYPEFACE_NAMES) == set(TYPEFACES)
    assert theme.TYPEFACE_NAMES["opendyslexic"] == "OpenDyslexic"
