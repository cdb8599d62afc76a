"""Start-up work that drawing Home does not need waits until Home is on the screen.

Loading a voice recogniser (PocketSphinx, Vosk or any other engine) takes tens of megabytes
and a few tenths of a second of both cores; done while the first frame was being drawn it
made the first frame later and the start-up peak of memory higher (bench/startup.py).
"""

from __future__ import annotations

from collections.abc import Callable

FALLBACK_SECONDS = 2.0
"""Should no frame be shown this long after the app is built (a window that is never
drawn), the waiting work starts anyway."""


class AfterFirstFrame:
    """Runs callbacks on the UI thread once the window has shown its first frame.

    ``window`` is anything dispatching ``on_flip`` after each frame is shown (Kivy's Window)
    and ``clock`` anything with Kivy's ``schedule_once``; a callback given after the first
    frame runs on the next tick."""

    def __init__(self, window, clock) -> None:
        self.drawn = False
        """The first frame has been shown (or FALLBACK_SECONDS passed without one)."""
        self._window = window
        self._clock = clock
        self._waiting: list[Callable[[], None]] = []
        window.bind(on_flip=self._shown)
        self._fallback = clock.schedule_once(self._shown, FALLBACK_SECONDS)

    def call(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the first frame is on the screen."""
        if self.drawn:
            self._clock.schedule_once(lambda _dt: callback(), 0)
        else:
            self._waiting.append(callback)

    def _shown(self, *_args) -> None:
        if self.drawn:
            return
        self.drawn = True
        self._window.unbind(on_flip=self._shown)
        self._fallback.cancel()
        waiting, self._waiting = self._waiting, []
        for callback in waiting:  # on the next tick: the frame is already shown by then
            self._clock.schedule_once(lambda _dt, callback=callback: callback(), 0)
