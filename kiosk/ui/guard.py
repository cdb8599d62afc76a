"""An unexpected error never ends the kiosk: it is logged, and the visitor is taken back Home.

Kivy's main loop hands every exception raised in a frame (a touch handler, a scheduled
callback, a layout rule) to its ``ExceptionManager``. :class:`ReturnHome` is registered there:
it logs the error with its traceback, and on the next frame goes Home, stops speech, clears
the focus ring and says in plain words what happened. Only a storm of errors (the same frame
failing over and over, so Home itself is broken) lets the exception end the app, so that the
service manager (``kiosk service install``) starts a fresh one. Errors on background threads
are logged through ``threading.excepthook``; those threads catch their own errors already.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque

from kivy.base import ExceptionHandler, ExceptionManager
from kivy.clock import Clock

log = logging.getLogger(__name__)

RECOVERED = ("Something went wrong, so the kiosk went back to the start. "
             "Everything still works.")
STORM_ERRORS = 20
STORM_SECONDS = 10.0
"""More than STORM_ERRORS errors within STORM_SECONDS: give up and let the app restart."""


class ReturnHome(ExceptionHandler):
    """Kivy exception handler: log, go Home, carry on."""

    def __init__(self, app, now=time.monotonic) -> None:
        super().__init__()
        self.app = app
        self.now = now
        self.errors = 0
        """Errors recovered from since start (for tests and the soak benchmark)."""
        self.last_error: BaseException | None = None
        self._recent: deque[float] = deque(maxlen=STORM_ERRORS + 1)
        self._pending = None

    def handle_exception(self, inst: BaseException):
        if not isinstance(inst, Exception):  # Ctrl+C, exit, a test runner's time limit
            return ExceptionManager.RAISE
        self.errors += 1
        self.last_error = inst
        now = self.now()
        self._recent.append(now)
        log.error("unexpected error; going back Home", exc_info=(type(inst), inst,
                                                                   inst.__traceback__))
        if len(self._recent) > STORM_ERRORS and now - self._recent[0] < STORM_SECONDS:
            log.critical("%d errors in %.0f s: stopping so the kiosk is restarted",
                         len(self._recent), now - self._recent[0])
            return ExceptionManager.RAISE
        if self._pending is None:
            self._pending = Clock.schedule_once(self._recover, 0)
        return ExceptionManager.PASS

    def _recover(self, _dt: float) -> None:
        self._pending = None
        app = self.app
        try:
            if app.reading is not None:
                app.reading.stop()
            app.focus_ring.clear()
            app.navigator.reset()
        finally:
            app.say_notice(RECOVERED)


def install(app) -> ReturnHome:
    """Register the handler with Kivy (once per app) and log errors on other threads."""
    handler = ReturnHome(app)
    for old in [h for h in ExceptionManager.handlers if isinstance(h, ReturnHome)]:
        ExceptionManager.remove_handler(old)
    ExceptionManager.add_handler(handler)
    threading.excepthook = _log_thread_error
    return handler


def _log_thread_error(args: threading.ExceptHookArgs) -> None:
    log.error("unexpected error on thread %s", args.thread.name if args.thread else "?",
              exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
