"""The Kivy user interface. Import ``kiosk.ui.app`` only after ``prepare_kivy`` has run."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def prepare_kivy(width: int, height: int, fullscreen: bool) -> None:
    """Set Kivy's environment and window configuration; must run before Kivy is imported.

    Kivy keeps its own files under the kiosk's cache folder (never the visitor's home), takes
    no command-line arguments of its own, writes no log files and never exits on Escape.
    """
    kivy_home = Path(platformdirs.user_cache_dir("als-kiosk")) / "kivy"
    kivy_home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("KIVY_HOME", str(kivy_home))
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    # No sound card is needed for the window; speech playback picks its own device.
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "desktop", "1")
    Config.set("kivy", "log_enable", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "resizable", "1")
    Config.set("graphics", "maxfps", "30")
