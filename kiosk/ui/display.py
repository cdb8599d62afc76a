"""Where the kiosk's window goes when it covers the screen: the X screen's main monitor.

A window manager puts a fullscreen window over the whole monitor. Many kiosks run without one
(``xinit``, a systemd service on a bare X server): nothing then acts on the fullscreen request,
and the window would stay at the size and place it was opened with, while Kivy draws for the
full screen, cutting off the edges. So the window is opened at the monitor's place and size to
begin with; a window manager, where there is one, still makes it fullscreen.

No Kivy here: this asks the X server directly (libX11, and XRandR for the monitors), before
Kivy opens the window.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenArea:
    """A rectangle of the screen, in pixels from its top-left corner."""

    left: int
    top: int
    width: int
    height: int


class _MonitorInfo(ctypes.Structure):
    """XRRMonitorInfo (X11/extensions/Xrandr.h)."""

    _fields_ = [("name", ctypes.c_ulong), ("primary", ctypes.c_int),
                ("automatic", ctypes.c_int), ("noutput", ctypes.c_int),
                ("x", ctypes.c_int), ("y", ctypes.c_int),
                ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("mwidth", ctypes.c_int), ("mheight", ctypes.c_int),
                ("outputs", ctypes.c_void_p)]


def _library(*names: str) -> ctypes.CDLL | None:
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def open_xlib() -> ctypes.CDLL | None:
    """libX11, with the prototypes of the calls that open a display and size its screen;
    None when it is not installed."""
    xlib = _library("libX11.so.6", "libX11.so")
    if xlib is None:
        return None
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    xlib.XDefaultScreen.argtypes = [ctypes.c_void_p]
    xlib.XDisplayWidth.argtypes = xlib.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
    xlib.XDefaultRootWindow.restype = ctypes.c_ulong
    xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    return xlib


def uses_x11() -> bool:
    """True when the window will open on an X server (SDL's choice when DISPLAY is set,
    unless SDL_VIDEODRIVER asks for another)."""
    driver = os.environ.get("SDL_VIDEODRIVER", "").lower()
    return bool(os.environ.get("DISPLAY")) and driver in ("", "x11")


def main_monitor() -> ScreenArea | None:
    """The X screen's primary monitor (else its first one, else the whole screen); None when
    there is no X server to ask."""
    if not uses_x11():
        return None
    xlib = open_xlib()
    if xlib is None:
        return None
    display = xlib.XOpenDisplay(None)
    if not display:
        return None
    try:
        monitor = _randr_monitor(display, xlib.XDefaultRootWindow(display))
        if monitor is not None:
            return monitor
        screen = xlib.XDefaultScreen(display)
        return ScreenArea(0, 0, xlib.XDisplayWidth(display, screen),
                          xlib.XDisplayHeight(display, screen))
    finally:
        xlib.XCloseDisplay(display)


def _randr_monitor(display: int, root: int) -> ScreenArea | None:
    """The primary (else first) active monitor as XRandR 1.5 sees it, or None."""
    randr = _library("libXrandr.so.2", "libXrandr.so")
    if randr is None or not hasattr(randr, "XRRGetMonitors"):
        return None
    randr.XRRGetMonitors.restype = ctypes.POINTER(_MonitorInfo)
    randr.XRRGetMonitors.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int,
                                     ctypes.POINTER(ctypes.c_int)]
    randr.XRRFreeMonitors.argtypes = [ctypes.POINTER(_MonitorInfo)]
    count = ctypes.c_int(0)
    monitors = randr.XRRGetMonitors(display, root, 1, ctypes.byref(count))
    if not monitors:
        return None
    try:
        found = [monitors[i] for i in range(count.value)
                 if monitors[i].width > 0 and monitors[i].height > 0]
        if not found:
            return None
        chosen = next((m for m in found if m.primary), found[0])
        return ScreenArea(chosen.x, chosen.y, chosen.width, chosen.height)
    finally:
        randr.XRRFreeMonitors(monitors)
