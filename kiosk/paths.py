"""Where the kiosk finds its files: content and configuration beside the package."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONTENT_DIR = PROJECT_ROOT / "content"
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "kiosk.yaml"
