"""Where the kiosk finds its files: content and configuration beside the package, and the
folders of installed packages that carry model files."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONTENT_DIR = PROJECT_ROOT / "content"
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "kiosk.yaml"


def package_dir(name: str) -> Path | None:
    """The folder of the installed package ``name`` (e.g. ``faster_whisper``), found without
    importing it (its ``__init__`` may load heavy libraries); None when it is not installed."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (mode 644) through a temporary file beside it, so a reader
    never sees half a file and a failure leaves the old one as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
