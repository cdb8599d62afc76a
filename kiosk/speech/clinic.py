"""The clinic's reading settings: its voice, speed and volume, and where its lexicon lives.

No Kivy here, so the command line (``kiosk speak``, ``kiosk check``) and the benchmarks use
the same defaults as the app without opening a window.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.config import Settings
from kiosk.speech.narrator import Voice


def clinic_voice(settings: Settings) -> Voice:
    """The reading voice the clinic configured."""
    return Voice(rate=settings.speech_rate, volume=settings.volume,
                 voice=settings.voice or None, step_mode=settings.step_mode)


def lexicon_path(settings: Settings) -> Path:
    """The pronunciation lexicon lives with the documents, for the clinic to edit."""
    return Path(settings.content_dir) / "_pronunciation.yaml"
