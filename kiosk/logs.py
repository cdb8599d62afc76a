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
the file; ``propagate`` is left as it is.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
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
    if not logging.getLogger().handlers and not any(
            getattr(h, "_kiosk_console", False) for h in logger.handlers):
        # Nothing else handles log messages: before this file handler, Python's last-resort
        # handler printed warnings on stderr. Keep that, since the file now takes them.
        console = logging.StreamHandler()
        console.setLevel(logging.WARNING)
        console.setFormatter(logging.Formatter("kiosk: %(levelname)s %(name)s: %(message)s"))
        console._kiosk_console = True  # type: ignore[attr-defined]
        logger.addHandler(console)
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    return path
