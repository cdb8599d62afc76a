"""The kiosk's log files: rotating, in the kiosk's own log folder, never holding speech.

:func:`setup_logging` sends everything logged under ``kiosk.*`` (INFO and up) to
``kiosk.log`` in ``log_dir`` from the configuration, or else ``platformdirs``'
``user_log_dir("als-kiosk")`` (``~/.local/state/als-kiosk/log`` on Linux). The file is
rotated at 1 MB and five old files are kept (``kiosk.log.1`` … ``kiosk.log.5``), so the logs
never take more than about 6 MB.

What the log holds: starting, device and engine problems, and for each voice utterance only
its intent name (or "rejected"). No audio, and no words that were heard, are ever logged;
``tests/test_logs.py`` proves it on the app's own listening path.

The handler is attached to the ``kiosk`` logger, not the root logger, so Kivy's handling of
the root logger (whatever ``KIVY_LOG_MODE`` is) cannot take the kiosk's messages away from
the file; ``propagate`` is left as it is. Warnings are printed once on stderr, by one handler
on the root logger: with it in place, a library's ``logging.debug(...)`` (pyttsx3 does this)
no longer installs Python's default handler, which printed every message a second time.

A fault that is retried every few seconds (no speakers, no microphone) is logged through a
:class:`FaultLog`: once when it starts and once when it ends, never on each retry.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import time
from collections.abc import Callable
from pathlib import Path

import platformdirs

LOGGER = "kiosk"
"""Every module of the kiosk logs under this name (``logging.getLogger(__name__)``)."""
LOG_FILE = "kiosk.log"
MAX_BYTES = 1_000_000
"""A log file is rotated when it would grow past this size."""
BACKUPS = 5
"""Old log files kept beside the current one."""
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CONSOLE_FORMAT = "kiosk: %(levelname)s %(name)s: %(message)s"


def default_log_dir() -> Path:
    """Where the logs go when the configuration does not say: the user's log folder."""
    return Path(platformdirs.user_log_dir("als-kiosk"))


def log_dir_of(where=None) -> Path:
    """The log folder for ``where``: Settings (its ``log_dir``, if set), a folder, or None
    for the default."""
    if where is None:
        return default_log_dir()
    if isinstance(where, str | Path):
        return Path(where)
    configured = getattr(where, "log_dir", None)
    return Path(configured) if configured else default_log_dir()


def setup_logging(where=None, *, max_bytes: int = MAX_BYTES, backups: int = BACKUPS,
                  level: int = logging.INFO) -> Path | None:
    """Log ``kiosk.*`` to a rotating file in the log folder of ``where`` (see log_dir_of).

    Returns the log file, or None when the folder cannot be written (said on stderr; the
    kiosk runs on without a log file). Calling it again replaces the earlier file handler.
    """
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        if getattr(handler, "_kiosk_log", False):
            logger.removeHandler(handler)
            handler.close()
    folder = log_dir_of(where)
    path = folder / LOG_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    except OSError as error:
        print(f"kiosk: cannot write logs in {folder} ({error}); running without a log file. "
              "Set log_dir in the configuration to a folder the kiosk may write.",
              file=sys.stderr)
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(level)
    handler._kiosk_log = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    if not root.handlers:
        # Nothing else handles log messages: before this, Python's last-resort handler printed
        # warnings on stderr. Keep that with one handler on the root logger (the kiosk's
        # messages reach it by propagation, Kivy's and the libraries' too); a handler there
        # also stops logging.basicConfig(), which a library's logging.debug() calls when the
        # root logger has none, from adding a second one that prints everything again.
        console = logging.StreamHandler()
        console.setLevel(logging.WARNING)
        console.setFormatter(logging.Formatter(CONSOLE_FORMAT))
        console._kiosk_console = True  # type: ignore[attr-defined]
        root.addHandler(console)
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    return path


FAULT_SETTLE_SECONDS = 30.0
"""A part that fails again this soon after it came back is the same fault going on (a
microphone that opens but hands over no sound, say): not logged or announced again."""


class FaultLog:
    """A fault the kiosk keeps retrying (no speakers, no microphone), logged once when it
    starts and once when it ends, so a kiosk without speakers does not fill its logs with
    the same line every few seconds. Retries in between are only counted. A part that fails
    again within ``FAULT_SETTLE_SECONDS`` of coming back continues the same fault quietly;
    if it then stays out that long, that is logged once.

    ``failed`` and ``recovered`` return whether the change was logged, which is also when
    a visitor should be told (so a flapping part is not announced every few seconds).
    ``what`` names the part for staff ("sound", "microphone"); ``clock`` gives seconds (any
    monotonic clock; tests pass a fake one).
    """

    def __init__(self, logger: logging.Logger, what: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._log = logger
        self.what = what
        self._clock = clock
        self.since: float | None = None
        """When the fault started (by ``clock``), or None while the part works."""
        self.retries = 0
        """Failed tries since the fault started."""
        self._back_at: float | None = None
        """When the part last came back, while that return is too recent to trust."""
        self._quiet_since: float | None = None
        """When the fault went on quietly after a short return (not logged yet)."""

    @property
    def active(self) -> bool:
        """The part is not working now."""
        return self.since is not None

    def failed(self, detail: str) -> bool:
        """The part does not work (at start, or on a retry): logged only when this starts a
        fault, or when a fault that went on quietly has lasted the settle time; ``detail`` is
        what the library said, for staff. True when logged."""
        now = self._clock()
        if self.since is not None:
            self.retries += 1
            if self._quiet_since is None or now - self._quiet_since < FAULT_SETTLE_SECONDS:
                return False
            self._quiet_since = None
            self._log.warning("%s unavailable again soon after it came back: %s", self.what,
                              detail)
            return True
        if self._back_at is not None and now - self._back_at < FAULT_SETTLE_SECONDS:
            self.since, self._back_at, self._quiet_since = now, None, now
            self.retries += 1
            return False
        self.since, self._back_at, self._quiet_since = now, None, None
        self.retries = 0
        self._log.warning("%s unavailable: %s (trying again quietly; the log says when it "
                          "works again)", self.what, detail)
        return True

    def recovered(self, how: str = "") -> bool:
        """The part works again: logged once, with how long it was out; nothing if it was
        not out, or if it went out again quietly just after coming back. True when logged."""
        if self.since is None:
            return False
        now = self._clock()
        lasted, self.since, self._back_at = now - self.since, None, now
        if self._quiet_since is not None:
            self._quiet_since = None
            return False
        tries = f"{self.retries} {'retry' if self.retries == 1 else 'retries'}"
        self._log.info("%s works again after %s (%s)%s", self.what, duration_words(lasted),
                       tries, f": {how}" if how else "")
        return True


def duration_words(seconds: float) -> str:
    """A length of time for a log line: "4 s", "12 min 5 s", "11 h 3 min"."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"
