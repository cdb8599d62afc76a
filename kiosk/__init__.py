"""ALS reading kiosk: shows patient information in large type, reads it aloud, obeys voice."""

__version__ = "0.1.0"
