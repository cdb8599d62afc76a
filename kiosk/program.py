"""This program's name as the person can type it here, for hints and help (no Kivy).

``kiosk`` is on PATH only where the venv is activated or installed system-wide; after
``make run`` it is ``.venv/bin/kiosk``, and ``python main.py`` or ``python -m kiosk`` run it
too. Hints name whichever of these the person used.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def command_name() -> str:
    """This program as the person can type it here: ``kiosk`` when that is on PATH, else
    the path they ran (``.venv/bin/kiosk`` after make run), or ``python main.py`` /
    ``python -m kiosk`` with the Python that runs it."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path("kiosk")
    if script.name == "__main__.py":
        return f"{_typed(Path(sys.executable))} -m kiosk"
    if script.suffix == ".py":
        return f"{_typed(Path(sys.executable))} {_typed(script, run=False)}"
    on_path = shutil.which(script.name)
    if on_path and Path(on_path).resolve() == script.resolve():
        return script.name
    return _typed(script)


def _typed(path: Path, run: bool = True) -> str:
    """A path as short as it can be typed from the current folder (``./name`` for a
    program to ``run`` from here)."""
    if path.name.startswith("python") and len(path.parts) > 1:
        on_path = shutil.which(path.name)
        if on_path and Path(on_path).absolute() == path.absolute():  # (a venv's python
            return path.name                                          # links to another)
    try:
        relative = Path(os.path.relpath(path.absolute()))
    except ValueError:  # another drive (Windows)
        return str(path)
    if relative.parts and relative.parts[0] == "..":
        return str(path.absolute())
    return str(relative) if len(relative.parts) > 1 or not run else f"./{relative}"


def on_a_virtual_screen() -> str:
    """The command that starts the kiosk on a virtual screen, for a machine without one."""
    return f"xvfb-run -a {command_name()} run"
