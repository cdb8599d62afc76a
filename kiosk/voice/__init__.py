"""Offline voice commands: grammar per screen, two engines, end-pointing and rejection."""
