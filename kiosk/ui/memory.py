"""Give memory freed by re-drawn text back to the system.

Changing the text size or typeface draws every label of every screen again. With software
OpenGL the old textures are freed inside the process, but glibc keeps the freed pages for
later, so the kiosk's resident memory climbed from about 0.5 to 1 GB after a few size
changes and stayed there (bench/soak.py, docs/notes-reliability.md). ``malloc_trim`` hands
them back; it is called a moment after such a change, not on every frame.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

_libc = None
_looked = False


def release_freed_memory(*_args) -> bool:
    """Return freed heap pages to the system (glibc only); False where it cannot."""
    global _libc, _looked
    if not _looked:
        _looked = True
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            libc.malloc_trim.argtypes = [ctypes.c_size_t]
            _libc = libc
        except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
            log.info("malloc_trim is not available; freed memory stays with the process")
    if _libc is None:
        return False
    _libc.malloc_trim(0)
    return True
