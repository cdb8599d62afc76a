"""`kiosk run --fullscreen` on a bare X server (no window manager, as a kiosk started by xinit
or a systemd service runs): the real kiosk process covers the whole screen, from its top-left
corner, at more than one screen size; and the pointer resting where the X server put it (the
middle of the screen, on a document's button) opens nothing by itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import ARTIFACTS
from x11_tools import bare_xvfb, save_png, screen_pixels, window_geometry

from kiosk.ui.theme import DARK

pytestmark = pytest.mark.gui

TITLE = "ALS information kiosk"
"""The window's title (KioskApp.title)."""
START_SECONDS = 40.0
"""Longest wait for the window and its first drawing on a busy 2-core machine."""
RESTING_SECONDS = 4.0
"""How long the pointer rests after the Home screen is drawn: well past a dwell (1.45 s)."""


def _rgb(colour) -> np.ndarray:
    return np.array([round(c * 255) for c in colour[:3]])


def _title_drawn(pixels: np.ndarray) -> bool:
    """Home's heading, white on black, in the top tenth of the screen (where a window drawn
    for the whole screen but left smaller and off to one side shows none)."""
    height = pixels.shape[0]
    top = pixels[: height // 10].astype(int)
    white = np.all(np.abs(top - _rgb(DARK.text)) <= 30, axis=2)
    return int(white.sum()) > 500


def _home_gap_empty(pixels: np.ndarray) -> bool:
    """Home leaves the band between the document buttons and Help/Settings empty; Contents
    fills it with section buttons."""
    height, width = pixels.shape[:2]
    band = pixels[int(height * 0.62): int(height * 0.70), width // 4: width * 3 // 4].astype(int)
    return bool(np.all(np.abs(band - _rgb(DARK.background)) <= 30))


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1366, 768)])
def test_fullscreen_covers_a_bare_x_screen_and_a_resting_pointer_opens_nothing(
        width, height, tmp_path):
    config = tmp_path / "kiosk.yaml"
    config.write_text(f'log_dir: "{tmp_path / "log"}"\nlistening_mode: "off"\n')
    with bare_xvfb(width, height) as display:
        env = {**os.environ, "DISPLAY": display, "KIVY_HOME": str(tmp_path / "kivy")}
        env.pop("WAYLAND_DISPLAY", None)
        kiosk = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "run", "--fullscreen", "--config", str(config)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + START_SECONDS
            while (geometry := window_geometry(display, TITLE)) is None:
                assert kiosk.poll() is None, f"the kiosk stopped: {kiosk.stderr.read()[-2000:]}"
                assert time.monotonic() < deadline, f"no window in {START_SECONDS:.0f} s"
                time.sleep(0.2)
            assert geometry == (width, height, 0, 0)  # (width, height, left, top)
            while not _title_drawn(pixels := screen_pixels(display)):
                assert kiosk.poll() is None, f"the kiosk stopped: {kiosk.stderr.read()[-2000:]}"
                assert time.monotonic() < deadline, (
                    f"no title drawn in {START_SECONDS:.0f} s: see "
                    f"{save_png(pixels, ARTIFACTS / f'fullscreen-{width}x{height}.png')}")
                time.sleep(0.2)
            drawn_at = time.monotonic()
            # the voice bar runs along the bottom to the right-hand corner
            corner = pixels[height - 3, width - 3].astype(int)
            assert not np.all(np.abs(corner - _rgb(DARK.background)) <= 8), corner
            time.sleep(max(0.0, drawn_at + RESTING_SECONDS - time.monotonic()))
            pixels = screen_pixels(display)
            shot = save_png(pixels, ARTIFACTS / f"fullscreen-{width}x{height}.png")
            assert _title_drawn(pixels), shot
            assert _home_gap_empty(pixels), f"Home is no longer shown: see {shot}"
        finally:
            kiosk.kill()
            kiosk.wait(timeout=10)
