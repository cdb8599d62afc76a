"""Which reading voices are installed, and refusing the ones that are not.

The list comes from the speech engine itself (``Synthesiser.voices``: espeak-ng's English
voices), so ``kiosk speak --voice``, ``kiosk check``, the running kiosk and Settings agree on
what exists. No Kivy here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

log = logging.getLogger(__name__)


class VoiceNotInstalled(ValueError):
    """A voice id that is not an installed English voice; the message lists those that are."""


def installed_voices() -> dict[str, str]:
    """The installed English voices, id to name (US first), e.g. ``{"gmw/en-us": "English
    (America)"}``; empty when the speech engine cannot start (nothing can then be checked)."""
    from kiosk.speech.synth import Synthesiser, SynthesisError

    try:
        return {voice.id: voice.name for voice in Synthesiser.shared().voices()}
    except SynthesisError as error:
        log.warning("cannot list the installed voices: %s", error)
        return {}


def describe(voices: Mapping[str, str]) -> str:
    """The voices for a message: "gmw/en-us (English (America)), gmw/en (English (Great
    Britain)), …"."""
    return ", ".join(f"{id_} ({name})" for id_, name in voices.items())


def require_voice(wanted: str, voices: Mapping[str, str]) -> str:
    """The installed voice id ``wanted`` names (case does not matter), or VoiceNotInstalled
    naming the installed ones."""
    if not voices:
        raise VoiceNotInstalled(f"'{wanted}' cannot be used: no English voice is installed "
                                "(install espeak-ng; kiosk doctor checks it)")
    for id_ in voices:
        if id_.lower() == wanted.strip().lower():
            return id_
    raise VoiceNotInstalled(f"'{wanted}' is not an installed English voice. Use one of: "
                            f"{describe(voices)}")
