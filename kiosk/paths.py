"""Where the kiosk finds its files. Content and assets live beside the package in the project."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONTENT_DIR = PROJECT_ROOT / "content"
ASSETS_DIR = PROJECT_ROOT / "assets"
MODELS_DIR = PROJECT_ROOT / "models"
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "kiosk.yaml"
