"""The Kivy user interface. Import ``kiosk.ui.app`` only after ``prepare_kivy`` has run."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def prepare_kivy(width: int, height: int, fullscreen: bool) -> None:
    """Set Kivy's environment and window configuration; must run before Kivy is imported.

    Kivy keeps its own files under the kiosk's cache folder (never the visitor's home), takes
    no command-line arguments of its own, writes no log files and never exits on Escape.
    Fullscreen opens the window over the main monitor, so it covers the screen even where no
    window manager acts on the fullscreen request (a kiosk started by xinit or a service).
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
    if fullscreen:
        _cover_monitor(Config)
    Config.set("graphics", "resizable", "1")
    Config.set("graphics", "maxfps", "30")


def _cover_monitor(config) -> None:
    """Open the window at the main monitor's place and size (when an X server says where
    that is); a window manager, where there is one, then makes it fullscreen as well."""
    from kiosk.ui.display import main_monitor

    area = main_monitor()
    if area is None:
        return
    config.set("graphics", "position", "custom")
    config.set("graphics", "left", str(area.left))
    config.set("graphics", "top", str(area.top))
    config.set("graphics", "width", str(area.width))
    config.set("graphics", "height", str(area.height))
