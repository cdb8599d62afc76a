"""A bare X server for one test, and what is on it: window geometry (xwininfo) and the
screen's pixels (libX11's XGetImage), as a person would see them."""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest


@contextlib.contextmanager
def bare_xvfb(width: int, height: int) -> Iterator[str]:
    """An X server of its own at ``width`` x ``height`` with no window manager (as a kiosk
    started by xinit or a service has); yields its DISPLAY."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.fail("Xvfb is not installed; run the README's test command (make test), "
                    "which installs it")
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
         "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    try:
        if not number:
            pytest.fail("Xvfb did not start")
        yield f":{number}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def window_geometry(display: str, title: str) -> tuple[int, int, int, int] | None:
    """(width, height, left, top) of the top-level window called ``title``, from
    ``xwininfo -root -tree``; None while there is none."""
    xwininfo = shutil.which("xwininfo")
    if xwininfo is None:
        pytest.fail("xwininfo is not installed (Debian package x11-utils); run the README's "
                    "test command (make test), which installs it")
    tree = subprocess.run([xwininfo, "-root", "-tree"], env={**os.environ, "DISPLAY": display},
                          capture_output=True, text=True, timeout=10).stdout
    for line in tree.splitlines():
        if f'"{title}"' in line:
            found = re.search(r"\)\s+(\d+)x(\d+)\+(-?\d+)\+(-?\d+)", line)
            if found:
                return tuple(int(n) for n in found.groups())  # type: ignore[return-value]
    return None


class _XImage(ctypes.Structure):
    """The start of Xlib's XImage (X11/Xlib.h), up to the fields read here."""

    _fields_ = [("width", ctypes.c_int), ("height", ctypes.c_int),
                ("xoffset", ctypes.c_int), ("format", ctypes.c_int),
                ("data", ctypes.c_void_p), ("byte_order", ctypes.c_int),
                ("bitmap_unit", ctypes.c_int), ("bitmap_bit_order", ctypes.c_int),
                ("bitmap_pad", ctypes.c_int), ("depth", ctypes.c_int),
                ("bytes_per_line", ctypes.c_int), ("bits_per_pixel", ctypes.c_int)]


def screen_pixels(display: str) -> np.ndarray:
    """What the whole X screen shows, as rows of (red, green, blue), top row first."""
    from kiosk.ui.display import open_xlib

    xlib = open_xlib()
    assert xlib is not None, "libX11 is not installed (make test installs it)"
    xlib.XGetImage.restype = ctypes.POINTER(_XImage)
    xlib.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                               ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
    xlib.XFree.argtypes = [ctypes.c_void_p]
    connection = xlib.XOpenDisplay(display.encode())
    assert connection, f"cannot open X display {display}"
    try:
        screen = xlib.XDefaultScreen(connection)
        width = xlib.XDisplayWidth(connection, screen)
        height = xlib.XDisplayHeight(connection, screen)
        all_planes, z_pixmap = 0xFFFFFFFF, 2
        image = xlib.XGetImage(connection, xlib.XDefaultRootWindow(connection), 0, 0, width,
                               height, all_planes, z_pixmap)
        assert image, "XGetImage returned nothing"
        info = image.contents
        assert info.bits_per_pixel == 32 and info.byte_order == 0, (
            f"expected 32 bits a pixel, least significant byte first; got "
            f"{info.bits_per_pixel} bits, byte order {info.byte_order}")
        raw = ctypes.string_at(info.data, info.bytes_per_line * height)
        rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, info.bytes_per_line)
        bgrx = rows[:, : width * 4].reshape(height, width, 4)
        pixels = bgrx[:, :, 2::-1].copy()  # blue, green, red (LSB first) -> red, green, blue
        xlib.XFree(info.data)
        xlib.XFree(image)
        return pixels
    finally:
        xlib.XCloseDisplay(connection)


def save_png(pixels: np.ndarray, path: Path) -> Path:
    """Write rows of (red, green, blue) as a PNG file, for people to look at."""
    height, width, _ = pixels.shape
    raw = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
    return path
